"""Hypothesis profiles for the suite's search for races (`--hypothesis-profile=NAME`).

quick (the default for the suite's own tests): a dozen workloads per test, enough to catch
every concurrency mutant in tests/mutants on 2 cores; thorough: a long search for nightly
or pre-release runs; mutant: twice quick's workloads without shrinking, for the mutation
runs, where only detection matters and a miss is a survivor."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, Phase, settings

DEFAULT = "quick"

_COMMON = {
    "deadline": None,  # real HTTP against a real database: time is not the property
    # filter_too_much: a search whose budget is spent rejects every example after it
    "suppress_health_check": [
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.filter_too_much,
    ],
    "print_blob": True,  # a failure prints @reproduce_failure(...) to replay it exactly
    "database": None,  # each run searches afresh; nothing is stored in the project
}


def register_profiles() -> None:
    settings.register_profile("quick", max_examples=12, stateful_step_count=25, **_COMMON)
    settings.register_profile("thorough", max_examples=300, stateful_step_count=60, **_COMMON)
    settings.register_profile(
        "mutant",
        max_examples=25,
        stateful_step_count=25,
        phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target],
        **_COMMON,
    )


def use_suite_profile(config: pytest.Config) -> None:
    """The suite's default where nobody chose a profile. The contract suite's conftest calls
    it, so that only runs of the suite get it (hypothesis reads the profile when a test
    module is imported, so it must be loaded before)."""
    if not config.getoption("hypothesis_profile", None):
        settings.load_profile(DEFAULT)
