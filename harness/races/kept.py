"""A judged run kept on disk, to be looked at and judged again offline.

A run folder holds `history/` (the history files, one operation a line: history.py; the
ones kept by a report gzipped) and
`state.json`: the final state each coupon was judged against, what GET showed of it, and
the violations found then. `judge_again` runs the checker on exactly that, so a changed
checker (or a changed understanding) can be tried without running anything again.

The judgement of every run is also offered to whoever observes (the report keeps the runs
of the check under way): `observing(callback)`."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .checker import Violation, check
from .history import CouponState, HistoryFile, Operation, read_history

STATE_FILE = "state.json"


@dataclass(frozen=True)
class KeptRun:
    history: list[Operation]
    states: dict[str, CouponState | None]  # None: no such coupon in the tables
    views: dict[str, Any]  # what GET answered for each coupon
    violations: list[Violation]  # what the checker found when the run was judged
    blocked: str | None = None  # why the tables were not read, where they were not

    def judge_again(self) -> list[Violation]:
        return check(self.history, self.states, self.views)

    def write(self, folder: Path, *, with_history: bool = True) -> None:
        """Into `folder`: state.json, and the history unless it is already there (a load
        run's locust processes wrote theirs)."""
        folder.mkdir(parents=True, exist_ok=True)
        if with_history:
            HistoryFile(folder / "history", "run", gzipped=True).write(self.history)
        state = {
            "states": {
                name: None if state is None else asdict(state)
                for name, state in self.states.items()
            },
            "views": self.views,
            "violations": [str(violation) for violation in self.violations],
            "blocked": self.blocked,
        }
        (folder / STATE_FILE).write_text(json.dumps(state, indent=1, default=str))

    @classmethod
    def read(cls, folder: Path) -> KeptRun:
        """A run folder as written (violations as their text: what the run printed)."""
        state = json.loads((folder / STATE_FILE).read_text())
        states = {
            name: None
            if fields is None
            else CouponState(**{**fields, "claimants": tuple(fields["claimants"])})
            for name, fields in state["states"].items()
        }
        return cls(
            history=list(read_history(folder / "history")),
            states=states,
            views=state["views"],
            violations=[Violation("recorded", text) for text in state["violations"]],
            blocked=state.get("blocked"),
        )


def run_folders(root: Path) -> list[Path]:
    """Every run folder under `root` (itself included), in order."""
    return sorted(path.parent for path in root.rglob(STATE_FILE))


_observers: list[Callable[[KeptRun], None]] = []


@contextmanager
def observing(observer: Callable[[KeptRun], None]) -> Iterator[None]:
    """While inside, `observer` gets every run judged (judge.py offers each)."""
    _observers.append(observer)
    try:
        yield
    finally:
        _observers.remove(observer)


def offer(run: KeptRun) -> None:
    for observer in list(_observers):
        observer(run)
