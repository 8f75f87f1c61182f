"""Proof that the suite bites: each mutant in tests/mutants is caught by its criteria."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor

import pytest

from tests.mutants.catalogue import MUTANTS, Mutant
from tests.mutants.runner import MutantRun, cannot_run, run_mutant

pytestmark = pytest.mark.slow

# The compose mutants last, and two at a time: each run mostly waits on Docker (builds,
# health checks), so two overlap well on two cores; the local runs keep the cores alone.
ORDER = sorted(MUTANTS, key=lambda mutant: mutant.stack == "compose")
COMPOSE_AT_ONCE = 2


@pytest.fixture(scope="module")
def compose_runs(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """The run of every compose mutant this session selected, all started on first use."""
    selected = [
        item.callspec.params["mutant"]
        for item in request.session.items
        if item.module is request.module and hasattr(item, "callspec")
    ]
    with ThreadPoolExecutor(max_workers=COMPOSE_AT_ONCE) as pool:
        yield {
            mutant.name: pool.submit(run_mutant, mutant, tmp_path_factory.mktemp(mutant.name))
            for mutant in selected
            if mutant.stack == "compose" and cannot_run(mutant) is None
        }


@pytest.mark.parametrize("mutant", ORDER, ids=[m.name for m in ORDER])
def test_mutant_is_caught(mutant: Mutant, tmp_path, request: pytest.FixtureRequest) -> None:
    if reason := cannot_run(mutant):
        pytest.skip(reason)
    if mutant.stack == "compose":
        started: dict[str, Future[MutantRun]] = request.getfixturevalue("compose_runs")
        run = started[mutant.name].result()
    else:
        run = run_mutant(mutant, tmp_path)
    assert run.caught, (
        f"mutant {mutant.name} ({mutant.broken}) survived: {'; '.join(run.missed())}\n"
        + run.output[-3000:]
    )
