"""A figure measured while the hypervisor withheld more than `DISTURBED` of the machine's
CPU says more about the host than about the API (harness/steal.py), so the bench measures
it again, up to `tries` times in all, and keeps the calmest try. The choice is made on the
steal share alone, never on the figure, and the tries set aside are printed and saved
beside the ones kept."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from harness.steal import DISTURBED, disturbed, steal_cell

from .generators import GeneratorRun
from .loads import Measurement
from .sale import SaleRun

T = TypeVar("T")

DEFAULT_TRIES = 3


def measure_calmly(
    what: str,
    measure: Callable[[], T],
    share_of: Callable[[T], float | None],
    tries: int,
    set_aside: list[T],
    say: Callable[[str], None] = print,
) -> T:
    """`measure()` until a try is not disturbed, `tries` at most: the calmest try, the
    others appended to `set_aside` (in the order taken). The first of equally calm tries
    is kept."""
    taken = [measure()]
    while disturbed(share := share_of(taken[-1])) and len(taken) < tries:
        say(
            f"  {what}: steal {share:.1%} over {DISTURBED:.0%}, measuring again "
            f"(try {len(taken) + 1} of {tries})"
        )
        taken.append(measure())
    kept = min(taken, key=lambda t: share_of(t) or 0.0)
    set_aside.extend(t for t in taken if t is not kept)
    return kept


@dataclass(frozen=True)
class SetAside:
    """The tries measured again for the host's steal, which the tables leave out."""

    sales: list[SaleRun]
    measurements: list[Measurement]
    generators: list[GeneratorRun]

    def __bool__(self) -> bool:
        return bool(self.sales or self.measurements or self.generators)

    def note(self) -> str:
        """What goes under the tables: each try set aside, with the figures it gave."""
        lines = (
            [
                f"sale, round {run.round}, {run.measurement.generator}: mean {run.mean:.0f} "
                f"claims/s, {_latency_and_steal(run.measurement)}"
                for run in self.sales
            ]
            + [
                f"{m.shape}, {m.clients} clients, {m.generator}: {m.claims_per_s:.0f} claims/s, "
                f"{_latency_and_steal(m)}"
                for m in self.measurements
            ]
            + [
                f"generators, {run.user_class}, {run.target}: {run.requests_per_s:.0f} requests/s, "
                f"steal {steal_cell(run.steal)}"
                for run in self.generators
            ]
        )
        return (
            f"\nmeasured again, steal over {DISTURBED:.0%} (set aside, not in the tables above):\n"
            + "\n".join(f"  {line}" for line in lines)
        )


def _latency_and_steal(m: Measurement) -> str:
    return f"p99 {m.p99_ms:.1f} ms, steal {steal_cell(m.steal)}"
