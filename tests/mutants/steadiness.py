"""`python -m tests.mutants.steadiness`: is each fault mutant caught on every run, whatever
the machine's load? Each runs --times times on a quiet machine and --times times with every
core kept busy by spinning processes; a mutant caught 19 times of 20 is a flaky CI.

    python -m tests.mutants.steadiness                    every fault mutant, 20 + 20 runs
    python -m tests.mutants.steadiness --times 5 --busy-only retry-after-reset

A benchmark-style script, not a CI step: it takes about a minute a run. Prints one line per
run as it goes, then the table (mutant, quiet, busy)."""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .catalogue import MUTANTS, Mutant
from .runner import cannot_run, run_mutant

# The checks whose fault is injected at a moment of the run: the mutants they catch are
# the ones timing could hide.
FAULT_FILES = ("test_faults.py", "test_network_faults.py")


def fault_mutants() -> list[Mutant]:
    return [
        mutant
        for mutant in MUTANTS
        if mutant.stack == "local" and any(test.startswith(FAULT_FILES) for test in mutant.tests)
    ]


def _spin() -> None:
    while True:
        pass


@contextmanager
def every_core_busy() -> Iterator[None]:
    spinners = [
        multiprocessing.Process(target=_spin, daemon=True) for _ in range(os.cpu_count() or 2)
    ]
    for spinner in spinners:
        spinner.start()
    try:
        yield
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.join()


def caught_times(mutant: Mutant, times: int, load: str) -> int:
    caught = 0
    for attempt in range(1, times + 1):
        started = time.monotonic()
        with tempfile.TemporaryDirectory(prefix="coupon-steadiness-") as folder:
            run = run_mutant(mutant, Path(folder))
        caught += run.caught
        verdict = "caught" if run.caught else f"SURVIVED ({'; '.join(run.missed())})"
        print(
            f"{mutant.name} {load} {attempt}/{times}: {verdict} "
            f"({time.monotonic() - started:.0f}s)",
            flush=True,
        )
    return caught


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.mutants.steadiness")
    parser.add_argument("names", nargs="*", help="mutants (default: every fault mutant)")
    parser.add_argument("--times", type=int, default=20, help="runs per mutant and load")
    loads = parser.add_mutually_exclusive_group()
    loads.add_argument("--busy-only", action="store_true", help="skip the quiet runs")
    loads.add_argument("--quiet-only", action="store_true", help="skip the busy runs")
    options = parser.parse_args(argv)
    known = {mutant.name: mutant for mutant in MUTANTS}
    if unknown := [name for name in options.names if name not in known]:
        parser.error(f"unknown mutant(s): {', '.join(unknown)}")
    chosen = [known[name] for name in options.names] or fault_mutants()
    rows = []
    for mutant in chosen:
        if reason := cannot_run(mutant):
            print(f"{mutant.name}: not run ({reason})")
            continue
        quiet = None if options.busy_only else caught_times(mutant, options.times, "quiet")
        busy = None
        if not options.quiet_only:
            with every_core_busy():
                busy = caught_times(mutant, options.times, "busy")
        rows.append((mutant, quiet, busy))
    print("\n| mutant | caught, quiet | caught, both cores busy |\n|---|---|---|")
    for mutant, quiet, busy in rows:
        shown = [f"{n} of {options.times}" if n is not None else "not run" for n in (quiet, busy)]
        print(f"| {mutant.name} ({', '.join(mutant.catches)}) | {shown[0]} | {shown[1]} |")
    every = [n for _, quiet, busy in rows for n in (quiet, busy) if n is not None]
    return 0 if all(n == options.times for n in every) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
