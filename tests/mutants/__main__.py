"""`python -m tests.mutants` (what `nox -s mutants` runs): the contract suite against every
mutant in the catalogue, and the mutation score. A survivor is a bug in the suite.

    python -m tests.mutants                 every mutant
    python -m tests.mutants oversell-claim  the named ones
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from .catalogue import MUTANTS
from .runner import cannot_run, run_mutant


def main(names: list[str]) -> int:
    unknown = set(names) - {m.name for m in MUTANTS}
    if unknown:
        print(
            f"unknown mutant(s): {', '.join(sorted(unknown))}; "
            f"known: {', '.join(m.name for m in MUTANTS)}"
        )
        return 2
    chosen = [m for m in MUTANTS if not names or m.name in names]
    survivors, not_run = [], []
    for number, mutant in enumerate(chosen, start=1):
        if reason := cannot_run(mutant):
            print(f"[{number:>2}/{len(chosen)}] NOT RUN  {mutant.name:<38} {reason}", flush=True)
            not_run.append(mutant)
            continue
        started = time.monotonic()
        with tempfile.TemporaryDirectory(prefix="coupon-mutant-") as folder:
            run = run_mutant(mutant, Path(folder))
        verdict = "caught " if run.caught else "SURVIVED"
        print(
            f"[{number:>2}/{len(chosen)}] {verdict} {mutant.name:<38} "
            f"by {', '.join(mutant.catches)}"
            f" ({time.monotonic() - started:.0f}s)",
            flush=True,
        )
        if not run.caught:
            survivors.append((mutant, run))
    ran = len(chosen) - len(not_run)
    caught = ran - len(survivors)
    print(f"\nmutation score: {caught}/{ran} caught ({100 * caught / max(ran, 1):.0f}%)")
    if not_run:
        print(f"  {len(not_run)} not run on this machine (see above): they count as neither")
    for mutant, run in survivors:
        print(f"  survivor {mutant.name}: {mutant.broken}\n    {'; '.join(run.missed())}")
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
