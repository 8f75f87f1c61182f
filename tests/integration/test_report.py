"""The report folder, end to end: a run of the stress scenarios on a mutant that oversells
keeps its histories, draws the overlapping claims that oversold, links JUnit to the row,
and `coupon-acceptance check` judges the kept runs again offline to the same violation.
The page is opened in a real browser (tests/browser.py): no console error, the filters
work, the FAIL row shows its timeline; and a load run's page of 200,000 operations opens."""

from __future__ import annotations

import os
import random
import re
import shlex
import sys
from pathlib import Path

import pytest

from harness.races.checker import Violation
from harness.races.history import CouponState, HistoryFile, Operation
from harness.races.kept import KeptRun
from harness.report.load_page import write_load_report
from tests.browser import opened, render_seconds
from tests.commands import coupon_acceptance
from tests.mutants.catalogue import CONTRACT, ROOT
from tests.suite_run import run_suite

OVERSELL = f"{shlex.quote(sys.executable)} {ROOT / 'tests' / 'mutants' / 'api.py'} oversell-claim"
SCREENSHOT = ROOT / "docs" / "report-timeline.png"


@pytest.fixture(scope="module")
def oversold(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    run = run_suite(
        [
            str(CONTRACT / "test_stress_scenarios.py"),
            f"--api-cmd={OVERSELL}",
            f"--report={folder}",
            f"--junitxml={folder / 'junit.xml'}",
        ],
        cwd=ROOT,
        timeout=300,
    )
    assert run.status("stress.flash-sale") == "FAIL", run.output[-3000:]
    return folder


# README: coupon-acceptance check results/report-RUN
def test_check_judges_the_kept_oversell_again_to_the_same_violation(oversold: Path) -> None:
    page = (oversold / "index.html").read_text()
    judged = coupon_acceptance("check", str(oversold))
    assert judged.returncode == 1, judged.stdout + judged.stderr
    flash = judged.stdout.split("flash-sale-1:", 1)[1].split("\nruns/", 1)[0]
    oversold_line = re.search(r"\[invariant.1\] [^\n]*oversold, \d+ claims on a stock of 5", flash)
    assert oversold_line, flash
    assert "(the same as when the run was judged)" in flash
    assert oversold_line.group(0).split("] ", 1)[1] in page


def test_a_changed_history_is_judged_on_what_it_now_holds(oversold: Path, tmp_path) -> None:
    """check reads the files, not a verdict saved beside them: a history cut down to the
    claims the stock allows, with the tables as they would then be, holds."""
    [folder] = sorted((oversold / "runs").glob("*flash-sale-1"))
    run = KeptRun.read(folder)
    won = [op for op in run.history if op.f == "claim" and op.type == "ok"]
    kept, others = won[:5], [op for op in run.history if op not in won]
    name = won[0].coupon  # the sale's coupon; the others in states are its bystanders
    users = [op.user for op in kept]
    state = CouponState(name, 5, 0, tuple(users))
    view = {"name": name, "amount": 5, "remaining_amount": 0, "claimed_by": users}
    states, views = {**run.states, name: state}, {**run.views, name: view}
    KeptRun(kept + others, states, views, []).write(tmp_path / "cut")
    judged = coupon_acceptance("check", str(tmp_path / "cut"))
    assert judged.returncode == 0, judged.stdout
    assert "0 violation(s)" in judged.stdout


def test_check_without_a_kept_run_says_so(tmp_path: Path) -> None:
    judged = coupon_acceptance("check", str(tmp_path))
    assert judged.returncode == 2
    assert "no kept run (a folder with state.json and history/)" in judged.stderr


def test_junit_links_each_failing_criterion_to_its_row(oversold: Path) -> None:
    junit = (oversold / "junit.xml").read_text()
    assert f'name="report_page" value="{oversold / "index.html"}#stress.flash-sale"' in junit


def test_the_page_opens_and_filters_in_a_browser(oversold: Path) -> None:
    with opened(oversold / "index.html") as (page, errors):
        rows = page.locator("tr.row")
        total = rows.count()
        assert total >= 10 and page.locator("#shown").text_content() == str(total)
        for box in page.locator("input[data-status]").all():
            if box.get_attribute("data-status") != "FAIL":
                box.uncheck()
        visible = page.locator("tr.row:not(.hidden)")
        assert visible.count() == page.locator('tr.row[data-status="FAIL"]').count() > 0
        assert {row.get_attribute("data-status") for row in visible.all()} == {"FAIL"}
        page.locator("#search").fill("stress.flash-sale")
        assert [row.get_attribute("id") for row in visible.all()] == ["stress.flash-sale"]
        assert errors == []


def test_a_fail_row_shows_the_overlapping_claims_that_oversold(oversold: Path) -> None:
    with opened(oversold / "index.html", "#invariant.1") as (page, errors):
        row = page.locator('tr[id="invariant.1"]')
        assert row.get_attribute("data-status") == "FAIL"
        timeline = row.locator("svg.timeline").first
        assert timeline.is_visible()
        label = timeline.get_attribute("aria-label")
        assert re.search(r"oversold, (\d+) claims on a stock of 5", label), label
        assert timeline.locator("rect.op-ok").count() > 5  # acknowledged: more than the stock
        if os.environ.get("COUPON_UPDATE_SCREENSHOT"):  # the README's picture
            top, bottom = row.bounding_box(), timeline.bounding_box()
            clip = {
                "x": top["x"],
                "y": top["y"],
                "width": top["width"],
                "height": bottom["y"] + bottom["height"] - top["y"] + 8,
            }
            page.screenshot(path=SCREENSHOT, clip=clip, full_page=True)
        assert errors == []


def synthetic_load(folder: Path, operations: int) -> KeptRun:
    """A load run's history of `operations` claims on one coupon over 60 s, some refused,
    some unanswered, and one violation naming 1,000 of them (more than a timeline draws)."""
    rng = random.Random(7)
    history = []
    for i in range(operations):
        invoked = rng.uniform(0, 60)
        kind = rng.choices(["ok", "fail", "info"], [5, 90, 5])[0]
        history.append(
            Operation(
                process=i % 64,
                f="claim",
                coupon="hot",
                user=f"u{i}",
                type=kind,
                status={"ok": 200, "fail": 409, "info": None}[kind],
                invoked=invoked,
                completed=invoked + rng.uniform(0.001, 0.2),
            )
        )
    HistoryFile(folder / "history", "synthetic").write(history)
    ok = [op for op in history if op.type == "ok"]
    state = CouponState("hot", len(ok), 0, tuple(op.user for op in ok))
    violation = Violation("invariant.6", "hot: a synthetic finding", tuple(ok[:1000]))
    return KeptRun(history, {"hot": state}, {}, [violation])


def test_a_load_page_of_200000_operations_opens(tmp_path: Path, capsys) -> None:
    run = synthetic_load(tmp_path, 200_000)
    page_file = write_load_report(tmp_path, run, "synthetic figures")
    with opened(page_file) as (page, errors):
        rendered = render_seconds(page)
        assert page.locator("svg.timeline").count() == 1
        assert "more overlapping not drawn" in page.locator("svg.timeline").text_content()
        assert errors == []
    size = page_file.stat().st_size
    with capsys.disabled():  # measured and reported, never asserted
        print(f"\n200,000-operation load page: {size / 1e6:.2f} MB, rendered in {rendered:.2f} s")
