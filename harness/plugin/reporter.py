"""Turns test reports into criterion verdicts, prints the scorecard, and sets the exit status
from it.

Two outcomes of the scorecard's own are neither pass nor failure for pytest, so each is
recorded as skipped (for JUnit XML too) with its reason, and counted apart:
- a preferred (SHOULD) rule not met: a failing test whose criteria are all SHOULD
  ("not met", `N` in the progress line); it never fails the run;
- a check blocked by a root cause (`Blocked`: the stack did not come up, the tables
  cannot be read as the story's schema; a request timing out once the API was found
  answering later than --answer-within): "blocked", `B`; the root cause itself is one
  FAIL of its own criterion, which fails the run;
- a check a time budget stopped (`CutShort`): "cut short", `C`; a MUST row cut short
  fails the run, since its verdict was not reached."""

from __future__ import annotations

import contextlib
import json
from contextlib import ExitStack

import pytest

from ..blocked import Blocked
from ..races.kept import observing
from ..report import run_status
from ..report.keeper import RunKeeper
from .budgets import CutShort
from .criteria import lookup
from .options import project_dir_of, report_dir_of
from .report_page import write_report
from .scorecard import ROOT_CAUSE_TEST, Scorecard
from .standing import lost_api, slowness

NOT_MET = "preferred (SHOULD) rule not met"


def criteria_of(item: pytest.Item) -> list[str]:
    return [cid for name in ("ac", "contract") for m in item.iter_markers(name) for cid in m.args]


def evidence(report: pytest.TestReport) -> str:
    """The first line of what failed: the first failure inside a group of them (hypothesis
    reports distinct failures together), not the group's own summary."""
    text = getattr(report, "first_failure", None)
    if text is None:
        crash = getattr(report.longrepr, "reprcrash", None)
        text = crash.message if crash is not None else str(report.longrepr)
    first = next((line for line in text.splitlines() if line.strip()), text)
    return first.strip()[:500]


def first_failure(error: BaseException) -> str:
    while isinstance(error, BaseExceptionGroup) and error.exceptions:
        error = error.exceptions[0]
    return f"{type(error).__name__}: {error}"


def blocked_cause(error: BaseException | None) -> Blocked | None:
    """The root cause a check was blocked by: its Blocked, or the first of a group whose
    every member is one (hypothesis reports distinct failures of a search together)."""
    if isinstance(error, BaseExceptionGroup):
        leaves = error.exceptions
        if leaves and all(blocked_cause(leaf) for leaf in leaves):
            return blocked_cause(leaves[0])
        return None
    return error if isinstance(error, Blocked) else None


def skip_reason(report: pytest.TestReport) -> str:
    if isinstance(report.longrepr, tuple):
        return str(report.longrepr[2]).removeprefix("Skipped: ")
    return str(report.longrepr)


class ScorecardReporter:
    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.scorecard = Scorecard()
        self.stack_description: str | None = None
        self.root_causes: dict[str, Blocked] = {}  # criterion -> the first Blocked raised
        self.slowness = slowness()  # answers later than --answer-within, once found
        self.lost_api = lost_api()  # no API after a restart, once found
        # The runs each check judged, kept for the report (offered by races/judge.py).
        self.report_dir = report_dir_of(config)
        self.keeper = RunKeeper(self.report_dir)
        self.current_test: str | None = None
        self.collected = 0
        self.started = 0  # checks begun; the report folder is marked running at the first
        self.interrupted: str | None = None  # Ctrl-C or SIGTERM: how far the run got
        self._observing = ExitStack()
        self._observing.enter_context(observing(self._keep))

    def _keep(self, run) -> None:
        if self.current_test is not None:
            self.keeper.add(self.current_test, run)

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.collected = len(session.items)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem):
        self.current_test = item.nodeid
        self.started += 1
        if self.started == 1 and self.report_dir is not None:
            with contextlib.suppress(OSError):  # the page says so, when it is written
                run_status.mark(self.report_dir, run_status.RUNNING)
        try:
            return (yield)
        finally:
            self.current_test = None

    def pytest_unconfigure(self) -> None:
        self._observing.close()
        if self.started and self.report_dir is not None:
            with contextlib.suppress(OSError):
                status = run_status.INTERRUPTED if self.interrupted else run_status.FINISHED
                run_status.mark(self.report_dir, status, self.interrupted or "")

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo):
        report = yield
        if report.failed and call.excinfo is not None:
            report.first_failure = first_failure(call.excinfo.value)
        ids = criteria_of(item)
        report.user_properties.extend(("criterion", cid) for cid in ids)
        if report.failed and self.report_dir is not None:
            # JUnit links each criterion to its row (it records the teardown's properties,
            # which come from the item's)
            item.user_properties.extend(
                ("report_page", f"{self.report_dir / 'index.html'}#{cid}") for cid in ids
            )
        path, line, _ = item.location
        where = (path, (line or 0) + 1)
        only_preferred = ids and all(lookup(cid).level == "SHOULD" for cid in ids)
        error = call.excinfo.value if call.excinfo is not None else None
        cause = (
            blocked_cause(error) or self.slowness.blocking(error) or self.lost_api.blocking(error)
        )
        if cause is not None and report.failed:
            if cause.root not in self.root_causes:  # one root cause, one failure
                self.root_causes[cause.root] = cause
                self.scorecard.record(cause.root, ROOT_CAUSE_TEST, "failed", cause.observed)
            report.blocked_by = str(cause)
            report.outcome = "skipped"
            report.longrepr = (*where, report.blocked_by)
        elif isinstance(error, CutShort):
            report.cut_short = str(error)
            report.outcome = "skipped"
            report.longrepr = (*where, f"cut short: {report.cut_short}")
        elif only_preferred and report.when == "call" and report.failed:
            report.preferred_not_met = evidence(report)
            report.outcome = "skipped"
            report.longrepr = (*where, f"{NOT_MET}: {report.preferred_not_met}")
        return report

    def pytest_report_teststatus(self, report: pytest.TestReport):
        if hasattr(report, "blocked_by"):
            return "blocked", "B", ("BLOCKED", {"red": True})
        if hasattr(report, "cut_short"):
            return "cut short", "C", ("CUT SHORT", {"yellow": True})
        if report.when == "call" and hasattr(report, "preferred_not_met"):
            return "not met", "N", ("NOT MET", {"yellow": True})
        return None

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        ids = [value for key, value in report.user_properties if key == "criterion"]
        if not ids or (report.when != "call" and report.passed):
            return
        if hasattr(report, "blocked_by"):
            outcome, detail = "blocked", report.blocked_by
        elif hasattr(report, "cut_short"):
            outcome, detail = "cut short", report.cut_short
        elif hasattr(report, "preferred_not_met"):
            outcome, detail = "failed", report.preferred_not_met
        elif hasattr(report, "wasxfail") and report.skipped:
            outcome, detail = "skipped", f"marked xfail: {report.wasxfail or 'no reason given'}"
        elif report.skipped:
            outcome, detail = "skipped", skip_reason(report)
        else:
            outcome, detail = report.outcome, evidence(report) if report.failed else ""
        notes = [value for key, value in report.user_properties if key == "report"]
        for cid in ids:
            self.scorecard.record(cid, report.nodeid, outcome, detail, notes)

    def pytest_terminal_summary(self, terminalreporter, exitstatus: int) -> None:
        if exitstatus == pytest.ExitCode.INTERRUPTED:
            self.interrupted = (
                f"stopped (Ctrl-C or SIGTERM) in check {self.started} of {self.collected}: "
                "the rows of the checks after it have no verdict"
            )
        if not self.scorecard.verdicts:
            return
        terminalreporter.section("coupon contract scorecard")
        if self.stack_description:
            terminalreporter.write_line(f"stack: {self.stack_description}")
        # whose compose file, Dockerfile and init.sql the static rows judged
        terminalreporter.write_line(f"project: {project_dir_of(self.config)}")
        for root, cause in self.root_causes.items():
            terminalreporter.write_line(f"root cause ({root}): {cause.observed}")
            if cause.detail:
                terminalreporter.write_line(cause.detail)
        for line in self.scorecard.render_text():
            terminalreporter.write_line(line)
        outputs = (
            (
                "scorecard_md",
                lambda: self.scorecard.render_markdown(
                    self.stack_description, project_dir_of(self.config)
                ),
            ),
            ("scorecard_json", lambda: json.dumps(self.scorecard.to_json(), indent=2)),
        )
        for option, render in outputs:
            if path := self.config.getoption(option):
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(render())
        if self.report_dir is not None:
            terminalreporter.write_line(
                write_report(
                    self.report_dir,
                    self.scorecard,
                    self.keeper,
                    self.stack_description,
                    project_dir_of(self.config),
                    self.interrupted,
                )
            )

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        """The run fails when the scorecard has a required rule failed or cut short, whatever
        pytest counted; preferred rules never fail it."""
        if session.exitstatus == pytest.ExitCode.OK and self.scorecard.must_unmet:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
