"""The scale-out mutants are right as one process: with --instances 1 every check they
meet passes, so it is running them as several instances that catches them
(tests/mutants/catalogue.py has them caught with the default, two)."""

from __future__ import annotations

import shlex
import sys

import pytest

from tests.mutants.catalogue import CONTRACT, HERE, ROOT, SCALE, STRESS
from tests.suite_run import run_suite

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    "mutant", ["in-process-lock", "stock-cached-per-process", "claimed-set-in-memory"]
)
def test_right_as_one_instance(mutant: str) -> None:
    api = f"{shlex.quote(sys.executable)} {HERE / 'api.py'} {mutant}"
    tests = [str(CONTRACT / test) for test in (*SCALE, *STRESS)]
    run = run_suite([*tests, "--instances=1", f"--api-cmd={api}"], cwd=ROOT, timeout=600)
    assert run.exit_code == 0, run.output[-3000:]
    assert run.status("scale.instances") == "SKIP"
    assert run.status("stress.scale-500") == "PASS"
