"""Proof that the suite bites: each mutant in tests/mutants is caught by its criteria."""

from __future__ import annotations

import pytest

from tests.mutants.catalogue import MUTANTS, Mutant
from tests.mutants.runner import cannot_run, run_suite

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.name for m in MUTANTS])
def test_mutant_is_caught(mutant: Mutant, tmp_path) -> None:
    if reason := cannot_run(mutant):
        pytest.skip(reason)
    run = run_suite(mutant, tmp_path)
    assert run.caught, (
        f"mutant {mutant.name} ({mutant.broken}) survived: {'; '.join(run.missed())}\n"
        + run.output[-3000:]
    )
