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
from .history import CouponState, HistoryError, HistoryFile, Operation, read_history

STATE_FILE = "state.json"
FORMAT = 1  # of state.json: a harness reads the formats up to its own


class KeptRunError(ValueError):
    """A kept run that cannot be read: `FILE[:LINE]: what is wrong`."""


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
            "format": FORMAT,
            "states": {
                name: None if state is None else asdict(state)
                for name, state in self.states.items()
            },
            "views": self.views,
            "violations": [str(violation) for violation in self.violations],
            "blocked": self.blocked,
        }
        # Written aside and renamed: an interrupted write never leaves a file that looks whole.
        written = folder / f".{STATE_FILE}.partial"
        written.write_text(json.dumps(state, indent=1, default=str))
        written.replace(folder / STATE_FILE)

    @classmethod
    def read(cls, folder: Path) -> KeptRun:
        """A run folder as written (violations as their text: what the run printed); one
        that cannot be read whole raises KeptRunError, saying where and why."""
        path = folder / STATE_FILE
        try:
            state = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise KeptRunError(f"{path}: missing (the run was cut short before it)") from None
        except json.JSONDecodeError as exc:
            raise KeptRunError(f"{path}:{exc.lineno}: not JSON ({exc.msg})") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise KeptRunError(f"{path}: unreadable ({type(exc).__name__}: {exc})") from None
        written = state.get("format", FORMAT) if isinstance(state, dict) else FORMAT
        if not isinstance(written, int) or written > FORMAT:
            raise KeptRunError(
                f"{path}: format {written!r}, written by a newer harness (this one reads "
                f"up to {FORMAT}): judge it with that one"
            )
        try:
            return cls(
                history=list(read_history(folder / "history")),
                states=_states(state["states"]),
                views=state["views"],
                violations=[Violation("recorded", text) for text in state["violations"]],
                blocked=state.get("blocked"),
            )
        except HistoryError as exc:
            raise KeptRunError(str(exc)) from None
        except (KeyError, TypeError, AttributeError) as exc:
            raise KeptRunError(
                f"{path}: not a kept run's state ({type(exc).__name__}: {exc})"
            ) from None


def _states(fields_by_name: dict[str, Any]) -> dict[str, CouponState | None]:
    return {
        name: None
        if fields is None
        else CouponState(**{**fields, "claimants": tuple(fields["claimants"])})
        for name, fields in fields_by_name.items()
    }


def run_folders(root: Path) -> list[Path]:
    """Every run folder under `root` (itself included), in order: those with a state.json,
    and those with a history but none (cut short: `read` says so)."""
    with_state = {path.parent for path in root.rglob(STATE_FILE)}
    with_history = {path.parent for path in root.rglob("history") if path.is_dir()}
    return sorted(with_state | with_history)


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
