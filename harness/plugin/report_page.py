"""The contract run's report folder: the page (the scorecard, each row's evidence and the
runs its checks judged) and those runs kept beside it."""

from __future__ import annotations

import time
from pathlib import Path

from ..report.keeper import RunKeeper
from ..report.page import Row, render_page
from .scorecard import Scorecard, Verdict


def tests_of(verdict: Verdict) -> list[tuple[str, str, str]]:
    """(test, outcome, detail) of every check of the row."""
    return (
        [(test, "passed", "") for test in verdict.passed]
        + [(test, "FAILED", detail) for test, detail in verdict.failed]
        + [(test, "blocked", detail) for test, detail in verdict.blocked]
        + [(test, "cut short", detail) for test, detail in verdict.cut_short]
        + [(test, "skipped", detail) for test, detail in verdict.skipped]
    )


def write_report(
    folder: Path,
    scorecard: Scorecard,
    keeper: RunKeeper,
    stack: str | None,
    project: Path,
    interrupted: str | None = None,
) -> str:
    """Writes the folder; returns the line that says where it is (or why it is not)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        runs = keeper.write(folder)
        rows = []
        for level in ("MUST", "SHOULD"):
            for verdict in scorecard.rows(level):
                tests = tests_of(verdict)
                rows.append(
                    Row(
                        id=verdict.criterion.id,
                        level=level,
                        status=verdict.status,
                        text=verdict.criterion.text,
                        detail=verdict.detail,
                        notes=verdict.notes,
                        tests=tests,
                        runs=[run for test, _, _ in tests for run in runs.get(test, ())],
                    )
                )
        meta = [
            f"stack: {stack or '(none started: static checks only)'}",
            f"project: {project}",
            f"criteria: {scorecard.summary()}",
            f"written {time.strftime('%Y-%m-%d %H:%M:%S %Z')}",
            *([f"INTERRUPTED: {interrupted}"] if interrupted else []),
        ]
        page = folder / "index.html"
        page.write_text(render_page("Coupon API contract report", meta, rows))
    except OSError as exc:
        return f"report not written: {exc}"
    kept = sum(len(shown) for shown in runs.values())
    return f"report: {page} ({kept} judged run(s) kept beside it)"
