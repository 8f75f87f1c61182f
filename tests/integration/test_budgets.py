"""A slow implementation gets its verdict in bounded time: a search past its budget stops
and its row is CUT SHORT (never PASS), a check that would start past the run's budget is
not started, and either fails the run, since a MUST verdict was not reached."""

from pathlib import Path

import pytest

from tests.suite_run import SuiteRun, run_suite

ROOT = Path(__file__).parents[2]
CONTRACT = ROOT / "tests" / "contract"
pytestmark = pytest.mark.slow


def suite(*args: str) -> SuiteRun:
    return run_suite([*args, "--instances=1"], cwd=ROOT, timeout=300)


def test_a_search_past_its_budget_is_cut_short_with_what_it_judged() -> None:
    run = suite(
        f"{CONTRACT}/test_hostile_input.py::test_any_name_in_the_path", "--check-budget=0.01"
    )
    assert run.exit_code == 1, run.output[-2000:]
    assert run.status("hostile.paths") == "CUT SHORT", run.scorecard
    detail = run.scorecard["hostile.paths"]["detail"]
    assert "example(s) judged in" in detail and "--check-budget" in detail, detail


def test_checks_past_the_run_budget_are_not_started_and_other_tests_still_run() -> None:
    others = ROOT / "tests" / "unit" / "test_scorecard.py"  # not a check of the suite
    run = suite(f"{CONTRACT}/test_names.py", str(others), "--run-budget=0.01", "-v")
    assert run.exit_code == 1, run.output[-2000:]
    cut = {cid: v["detail"] for cid, v in run.scorecard.items() if v["status"] == "CUT SHORT"}
    assert "users.identity" in cut and "--run-budget" in cut["users.identity"], run.scorecard
    # Tests that are not the suite's checks (this project's own) count for nothing.
    ran = [line for line in run.output.splitlines() if "test_scorecard.py::" in line]
    assert ran and all("PASSED" in line for line in ran), "\n".join(ran)


def test_within_the_budgets_nothing_is_cut_short() -> None:
    run = suite(f"{CONTRACT}/test_hostile_input.py::test_any_name_in_the_path")
    assert run.exit_code == 0 and run.status("hostile.paths") == "PASS", run.output[-2000:]
