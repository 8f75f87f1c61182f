"""The bench's generators shape end to end, briefly: both locust user classes against the
API and against the constant answer, then FastHttpUser as 1, 2 and 4 processes, each run
reporting requests and locust's CPU. Figures only; how they compare is the bench's to say,
not a test's."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from harness.bench.__main__ import parse_args, run_generators
from harness.bench.generators import CLASSES, PROCESS_COUNTS, TARGETS

ROOT = Path(__file__).parents[2]
pytestmark = pytest.mark.slow


def test_every_user_class_runs_against_both_targets() -> None:
    options: argparse.Namespace = parse_args(
        ["--shapes=generators", "--seconds=5", "--rounds=1", f"--project-dir={ROOT}"]
    )
    runs, scaling = run_generators(options, set_aside=[])
    assert [(run.target, run.user_class) for run in runs] == [
        (target, user_class) for target in TARGETS for user_class in CLASSES
    ]
    assert [run.processes for run in scaling] == list(PROCESS_COUNTS)
    for run in runs + scaling:
        assert run.requests_per_s > 0 and run.cpu > 0 and run.steal is not None, run
    # the workers' CPU is counted: several processes took more than the master alone could
    assert scaling[-1].cpu > 0.5, scaling[-1]
