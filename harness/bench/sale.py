"""The sale shape: what a real flash sale meets. A fresh database (new cluster, no planner
statistics, no claims), one coupon, every claim by a new user, for a whole sale of
`seconds`; claims/s read off the coupon's own counter in windows, so a claim path whose
cost grows with the claims already made shows as a falling line. Each generator gets a
database of its own, so none inherits another's claims."""

from __future__ import annotations

import itertools
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import psycopg

from harness.stacks.opener import open_stack
from harness.stacks.spec import StackSpec
from harness.steal import DISTURBED, cpu_times, disturbed, steal_cell, steal_share

from .loads import Measurement

SALE = "bench-sale"
STOCK = 2**31 - 1  # never sold out during a run


@dataclass(frozen=True)
class SaleRun:
    """One generator's whole sale: the overall figures and claims/s per window."""

    round: int  # rounds repeat every generator, so ratios are taken within one round
    measurement: Measurement
    windows: list[float] = field(default_factory=list)  # claims/s, in time order
    steal: list[float | None] = field(default_factory=list)  # the host's, in each window

    @property
    def last_to_first(self) -> float:
        return self.windows[-1] / self.windows[0] if self.windows and self.windows[0] else 0.0

    @property
    def halves(self) -> float:
        """The second half's mean over the first half's: a trend that one noisy window
        (±15% here) cannot fake or hide as last/first can."""
        half = len(self.windows) // 2
        first, second = self.windows[:half], self.windows[len(self.windows) - half :]
        return statistics.fmean(second) / statistics.fmean(first) if half and any(first) else 0.0

    @property
    def mean(self) -> float:
        return statistics.fmean(self.windows) if self.windows else 0.0


class ClaimCounter:
    """Samples `amount - remaining_amount` of the sale's coupon every `window_s` seconds on a
    connection of its own (one index probe, whatever the number of claims), and the
    machine's CPU times with it."""

    def __init__(self, dsn: str, window_s: float) -> None:
        self.dsn, self.window_s = dsn, window_s
        self.counts: list[int] = []
        self.cpu: list = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> ClaimCounter:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        query = "SELECT amount - remaining_amount FROM coupons WHERE name = %s"
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            due = time.monotonic()
            while True:
                self.counts.append(conn.execute(query, (SALE,)).fetchone()[0])
                self.cpu.append(cpu_times())
                due += self.window_s
                if self._stop.wait(max(0.0, due - time.monotonic())):
                    return

    def rates(self) -> list[float]:
        """Claims/s of each whole window (the run's tail, shorter than a window, left out)."""
        return [(b - a) / self.window_s for a, b in itertools.pairwise(self.counts)]

    def steal(self) -> list[float | None]:
        """The host's steal share in each of those windows."""
        return [steal_share(a, b) for a, b in itertools.pairwise(self.cpu)]


# A generator of the sale: given (api_urls, dsn, coupon), it runs for the sale's length and
# returns its own figures (latency, errors); the claims/s come from the ClaimCounter.
Generator = Callable[[tuple[str, ...], str, str], Measurement]


def run_sale(spec: StackSpec, generator: Generator, window_s: float, round_: int) -> SaleRun:
    with open_stack(spec) as stack:
        with psycopg.connect(stack.dsn, autocommit=True) as conn:
            conn.execute(
                "INSERT INTO coupons (name, amount, remaining_amount) VALUES (%s, %s, %s)",
                (SALE, STOCK, STOCK),
            )
        with ClaimCounter(stack.dsn, window_s) as counter:
            measurement = generator(stack.api_urls, stack.dsn, SALE)
    return SaleRun(round_, measurement, counter.rates(), counter.steal())


def baseline_of(runs: list[SaleRun], run: SaleRun) -> SaleRun | None:
    """The three-statement pgbench sale of the same round."""
    return next(
        (
            other
            for other in runs
            if other.round == run.round and other.measurement.generator.startswith("pgbench: 3")
        ),
        None,
    )


def sale_table(runs: list[SaleRun]) -> str:
    """Per round and generator: first and last window, last/first, second half over first,
    mean claims/s, the mean against the round's three-statement baseline, p99, the host's
    steal share over the run."""
    lines = [
        f"{'round':>5}  {'generator':<30}{'first':>8}{'last':>8}{'last/1st':>9}"
        f"{'halves':>7}{'mean':>8}{'ratio':>7}{'p99 ms':>8}{'errors':>8}{'steal':>7}"
    ]
    for run in runs:
        baseline = baseline_of(runs, run)
        ratio = run.mean / baseline.mean if baseline and baseline.mean else 0.0
        first, last = (run.windows[0], run.windows[-1]) if run.windows else (0.0, 0.0)
        m = run.measurement
        lines.append(
            f"{run.round:>5}  {m.generator:<30}{first:>8.0f}{last:>8.0f}"
            f"{run.last_to_first:>9.2f}{run.halves:>7.2f}{run.mean:>8.0f}{ratio:>7.2f}"
            f"{m.p99_ms:>8.1f}{m.errors:>8}{steal_cell(m.steal):>7}"
        )
    return "\n".join(lines)


def windows_line(run: SaleRun) -> str:
    """The claims/s of every window, for the eye to follow the sale."""
    rates = " ".join(f"{rate:.0f}" for rate in run.windows)
    stolen = [
        f"{number} ({share:.1%})" for number, share in enumerate(run.steal, 1) if disturbed(share)
    ]
    note = f"; steal over {DISTURBED:.0%} in window {', '.join(stolen)}" if stolen else ""
    return f"round {run.round}, {run.measurement.generator}: {rates}{note}"
