"""Turns test reports into criterion verdicts, prints the scorecard, and sets the exit status
from it.

A preferred (SHOULD) rule that is not met is its own outcome, not a failure: a test whose
criteria are all SHOULD and that fails is reported with the status "NOT MET" (`N` in the
progress line), counted apart from failures, and never fails the run. It is recorded as
skipped for pytest and for JUnit XML, with the reason "preferred (SHOULD) rule not met"."""

from __future__ import annotations

import json

import pytest

from .criteria import lookup
from .scorecard import Scorecard

NOT_MET = "preferred (SHOULD) rule not met"


def criteria_of(item: pytest.Item) -> list[str]:
    return [cid for name in ("ac", "contract") for m in item.iter_markers(name) for cid in m.args]


def evidence(report: pytest.TestReport) -> str:
    crash = getattr(report.longrepr, "reprcrash", None)
    text = crash.message if crash is not None else str(report.longrepr)
    first = next((line for line in text.splitlines() if line.strip()), text)
    return first.strip()[:300]


def skip_reason(report: pytest.TestReport) -> str:
    if isinstance(report.longrepr, tuple):
        return str(report.longrepr[2]).removeprefix("Skipped: ")
    return str(report.longrepr)


class ScorecardReporter:
    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.scorecard = Scorecard()
        self.stack_description: str | None = None

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo):
        report = yield
        ids = criteria_of(item)
        report.user_properties.extend(("criterion", cid) for cid in ids)
        only_preferred = ids and all(lookup(cid).level == "SHOULD" for cid in ids)
        if only_preferred and report.when == "call" and report.failed:
            report.preferred_not_met = evidence(report)
            report.outcome = "skipped"
            path, line, _ = item.location
            report.longrepr = (path, (line or 0) + 1, f"{NOT_MET}: {report.preferred_not_met}")
        return report

    def pytest_report_teststatus(self, report: pytest.TestReport):
        if report.when == "call" and hasattr(report, "preferred_not_met"):
            return "not met", "N", ("NOT MET", {"yellow": True})
        return None

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        ids = [value for key, value in report.user_properties if key == "criterion"]
        if not ids or (report.when != "call" and report.passed):
            return
        if hasattr(report, "preferred_not_met"):
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

    def pytest_terminal_summary(self, terminalreporter) -> None:
        if not self.scorecard.verdicts:
            return
        terminalreporter.section("coupon contract scorecard")
        if self.stack_description:
            terminalreporter.write_line(f"stack: {self.stack_description}")
        for line in self.scorecard.render_text():
            terminalreporter.write_line(line)
        markdown = self.config.getoption("scorecard_md")
        if markdown:
            markdown.write_text(self.scorecard.render_markdown(self.stack_description))
        as_json = self.config.getoption("scorecard_json")
        if as_json:
            as_json.write_text(json.dumps(self.scorecard.to_json(), indent=2))

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        """The run fails when the scorecard has a required rule failed, whatever pytest
        counted; preferred rules never fail it."""
        if session.exitstatus == pytest.ExitCode.OK and self.scorecard.must_failures:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
