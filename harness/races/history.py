"""Histories of concurrent operations, in Jepsen's words, and the file they are kept in.

An operation is invoked by a process and completes with a type: `ok` (it happened),
`fail` (it was refused, and its reasons say what the answer may mean: one reason, or
several where the implementation answers several rejections with one status), or `info`
(no answer: it may or may not have happened). A history file holds one operation a line
as JSON; the contract suite, the locust users and the load run all write and read it
through this module."""

from __future__ import annotations

import enum
import gzip
import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

Kind = Literal["ok", "fail", "info"]
Function = Literal["claim", "create"]


class Reason(enum.Enum):
    """Why an operation failed, as far as its answer tells."""

    ALREADY_CLAIMED = "already-claimed"
    OUT_OF_STOCK = "out-of-stock"
    NOT_FOUND = "not-found"
    EXISTS = "exists"  # a create of a name that is taken
    INVALID = "invalid"


@dataclass(frozen=True, kw_only=True)
class Operation:
    process: int
    f: Function
    coupon: str
    user: str | None = None  # claims
    amount: int | None = None  # creates
    type: Kind
    reasons: tuple[Reason, ...] = ()  # what a fail may mean; several when a status is shared
    status: int | None  # None: no answer arrived
    invoked: float  # monotonic seconds
    completed: float
    error: str | None = None  # why no answer arrived (refused, reset, timed out)

    def __str__(self) -> str:
        who = f"{self.user}@{self.coupon}" if self.f == "claim" else f"{self.coupon}x{self.amount}"
        answer = self.status if self.status is not None else "no answer"
        why = f" {' or '.join(r.value for r in self.reasons)}" if self.reasons else ""
        return (
            f"p{self.process} {self.f} {who} -> {self.type}{why} ({answer}) "
            f"[{self.invoked:.4f}..{self.completed:.4f}]"
        )

    def may_mean(self, reason: Reason) -> bool:
        return reason in self.reasons

    def to_json(self) -> str:
        fields = asdict(self)
        fields["reasons"] = [reason.value for reason in self.reasons]
        return json.dumps(fields)

    @classmethod
    def from_json(cls, line: str) -> Operation:
        fields = json.loads(line)
        reasons = tuple(Reason(reason) for reason in fields.pop("reasons"))
        return cls(**fields, reasons=reasons)


@dataclass(frozen=True)
class CouponState:
    """What the tables hold for one coupon at the end: what a history is judged against."""

    name: str
    amount: int
    remaining_amount: int
    claimants: tuple[str, ...]  # user_id of every claims row, in id order


HISTORY_GLOBS = ("*.history.jsonl", "*.history.jsonl.gz")


class HistoryFile:
    """One process's history, appended to as operations complete (several processes of
    one run each write their own file in a shared folder); gzipped when asked (a history
    kept in a report: a tenth of the size, and `zcat` reads it)."""

    def __init__(self, folder: Path, writer: str, *, gzipped: bool = False) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / f"{writer}.history.jsonl{'.gz' if gzipped else ''}"

    def write(self, operations: Iterable[Operation]) -> None:
        opener = gzip.open if self.path.suffix == ".gz" else open
        with opener(self.path, "at") as out:
            out.writelines(op.to_json() + "\n" for op in operations)


class HistoryError(ValueError):
    """A history file that cannot be read whole: `FILE:LINE: what is wrong`."""


def read_history(folder: Path) -> Iterator[Operation]:
    """Every operation of every history file in `folder`; a file cut short (an interrupted
    copy, a full disk), a line that is not an operation, or bytes that are not text raise
    HistoryError naming the file and the line."""
    for path in sorted(path for pattern in HISTORY_GLOBS for path in folder.glob(pattern)):
        opener = gzip.open if path.suffix == ".gz" else open
        number = 0
        try:
            with opener(path, "rt", encoding="utf-8") as lines:
                for number, line in enumerate(lines, start=1):
                    if line.strip():
                        yield _operation(line, f"{path}:{number}")
        except (EOFError, OSError, UnicodeDecodeError) as exc:
            raise HistoryError(
                f"{path}:{number + 1}: cut short or not a history file ({type(exc).__name__}: "
                f"{exc})"
            ) from None


def _operation(line: str, where: str) -> Operation:
    try:
        return Operation.from_json(line)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise HistoryError(
            f"{where}: not an operation ({type(exc).__name__}: {exc}): {line.strip()[:80]!r}"
        ) from None
