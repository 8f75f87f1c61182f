"""Which judged runs a report keeps, and where: every run with a violation (up to a few a
check) and the first runs of each check that found none, so a search that judged hundreds
of histories keeps a handful and says how many it judged."""

from __future__ import annotations

import contextlib
import re
from collections import Counter, defaultdict
from pathlib import Path

from ..races.kept import KeptRun
from .page import RunShown
from .timeline import timeline_svg

KEEP_WITH_VIOLATIONS = 5
KEEP_WITHOUT = 2
TIMELINES_PER_RUN = 6


def slug(test: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", test.rsplit("/", 1)[-1]).strip("-")[:80]


class RunKeeper:
    def __init__(self, folder: Path | None = None) -> None:
        # Where each kept run is written as soon as it is kept: a run killed later still
        # leaves what it judged for `check`.
        self.folder = folder
        self.kept: dict[str, list[KeptRun]] = defaultdict(list)
        self.judged: Counter[str] = Counter()
        self.written: set[str] = set()

    def add(self, test: str, run: KeptRun) -> None:
        self.judged[test] += 1
        same_kind = [
            kept for kept in self.kept[test] if bool(kept.violations) == bool(run.violations)
        ]
        if len(same_kind) < (KEEP_WITH_VIOLATIONS if run.violations else KEEP_WITHOUT):
            self.kept[test].append(run)
            if self.folder is not None:
                with contextlib.suppress(OSError):  # the page says so, when it is written
                    self._write(self.folder, test, len(self.kept[test]), run)

    def write(self, folder: Path) -> dict[str, list[RunShown]]:
        """Each kept run into `folder`/runs/, and how the page shows it, by test."""
        shown: dict[str, list[RunShown]] = {}
        for test, runs in self.kept.items():
            shown[test] = [
                show(run, self._write(folder, test, index, run), test, self.judged[test], len(runs))
                for index, run in enumerate(runs, start=1)
            ]
        return shown

    def _write(self, folder: Path, test: str, index: int, run: KeptRun) -> str:
        relative = f"runs/{slug(test)}-{index}"
        if str(folder / relative) not in self.written:
            run.write(folder / relative)
            self.written.add(str(folder / relative))
        return relative


def show(run: KeptRun, folder: str, test: str, judged: int = 1, kept: int = 1) -> RunShown:
    drawn = [
        svg for v in run.violations[:TIMELINES_PER_RUN] if (svg := timeline_svg(v, run.history))
    ]
    notes = []
    if judged > kept:
        notes.append(f"{kept} of the {judged} runs this check judged are kept")
    if len(run.violations) > TIMELINES_PER_RUN:
        notes.append(f"timelines of the first {TIMELINES_PER_RUN} violations drawn")
    if run.blocked:
        notes.append(f"judged from GET where the tables could not be read: {run.blocked}")
    return RunShown(
        folder=folder,
        test=test,
        operations=len(run.history),
        violations=[str(v) for v in run.violations],
        timelines=drawn,
        note="; ".join(notes),
    )
