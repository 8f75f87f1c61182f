"""Hypothesis profiles for the suite's search for races (`--hypothesis-profile=NAME`).

quick (the default): a dozen workloads per test, enough to catch every concurrency mutant
in tests/mutants on 2 cores; thorough: a long search for nightly or pre-release runs;
mutant: quick without shrinking, for the mutation runs, where only detection matters."""

from __future__ import annotations

from hypothesis import HealthCheck, Phase, settings

_COMMON = {
    "deadline": None,  # real HTTP against a real database: time is not the property
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    "print_blob": True,  # a failure prints @reproduce_failure(...) to replay it exactly
    "database": None,  # each run searches afresh; nothing is stored in the project
}

settings.register_profile("quick", max_examples=12, stateful_step_count=25, **_COMMON)
settings.register_profile("thorough", max_examples=300, stateful_step_count=60, **_COMMON)
settings.register_profile(
    "mutant",
    max_examples=12,
    stateful_step_count=25,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target],
    **_COMMON,
)
settings.load_profile("quick")
