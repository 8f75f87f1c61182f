"""How much of the machine's CPU time the hypervisor withheld while a figure was measured
("steal" in /proc/stat: time a virtual CPU was ready to run and was not run, for other
guests or for a cap). On a virtual machine it is the one disturbance a run cannot see
from inside its own processes, and claims/s fall in step with it (docs/performance.md), so
each bench figure carries the share it was measured under, the tables mark the ones above
`DISTURBED`, and a load run states its own."""

from __future__ import annotations

from typing import Any

import psutil

DISTURBED = 0.05  # a steal share above which a figure says more about the host


def cpu_times() -> Any:
    """The whole machine's CPU times so far (psutil's `scputimes`)."""
    return psutil.cpu_times()


def steal_share(before: Any, after: Any) -> float | None:
    """The share of all CPU time between two `cpu_times()` that was stolen; None where the
    platform does not count steal (anything but Linux)."""
    if not hasattr(before, "steal"):
        return None
    # Linux counts guest time inside user and nice: left out, it is not counted twice.
    total = sum(after) - sum(before)
    total -= (after.guest - before.guest) + (after.guest_nice - before.guest_nice)
    return (after.steal - before.steal) / total if total > 0 else 0.0


class StealMeter:
    """`with StealMeter() as meter: ...`, then `meter.share`: the steal share of the block."""

    share: float | None = None

    def __enter__(self) -> StealMeter:
        self._before = cpu_times()
        return self

    def __exit__(self, *_: object) -> None:
        self.share = steal_share(self._before, cpu_times())


def disturbed(share: float | None) -> bool:
    """Whether a figure measured under `share` says more about the host than the API."""
    return share is not None and share > DISTURBED


def steal_cell(share: float | None) -> str:
    """A table's steal column: percent, starred above `DISTURBED`, '-' where not counted."""
    if share is None:
        return "-"
    return f"{share:.1%}" + ("*" if disturbed(share) else "")


DISTURBED_MEANS = (
    "the hypervisor withheld that share of this machine's CPU time; the rates and "
    "latencies measured meanwhile measure the host as much as the API (run it again)"
)


def steal_legend(shares: list[float | None], tries: int = 1) -> str:
    """The note under a table, when any of its figures was measured on a disturbed host
    (in each of `tries`, where the bench measured it again)."""
    if not any(disturbed(share) for share in shares):
        return ""
    each = f" in each of {tries} tries" if tries > 1 else ""
    return f"\n* steal over {DISTURBED:.0%}{each}: {DISTURBED_MEANS}"


def steal_line(share: float | None) -> str:
    """One run's line: the steal share it ran under, explained above `DISTURBED`."""
    if share is None:
        return "host: steal not counted on this platform"
    line = f"host: steal {share:.1%} of the CPU during the run"
    return line + (f" (over {DISTURBED:.0%}: {DISTURBED_MEANS})" if disturbed(share) else "")
