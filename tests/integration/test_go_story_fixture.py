"""The story's own compose file and Go Dockerfile (tests/fixtures/go-story) pass every
static check, the Go-only ones included, and, built and started by Docker, the startup and
image checks: the suite expects what the story expects. (Its mutants in tests/mutants are
each caught by one of these checks.)"""

from pathlib import Path

import pytest

from tests.mutants.catalogue import GO_STORY
from tests.mutants.runner import compose_cannot_run
from tests.suite_run import SuiteRun, run_suite

ROOT = Path(__file__).parents[2]


def suite_on_the_fixture(*args: str) -> SuiteRun:
    return run_suite([*args, f"--project-dir={GO_STORY}"], cwd=ROOT, timeout=600)


def test_story_patterns_pass_static_checks() -> None:
    run = suite_on_the_fixture("tests/contract", "-m", "static")
    assert run.exit_code == 0, run.output[-3000:]
    assert run.status("1.2-AC3.cgo") == "PASS", run.scorecard["1.2-AC3.cgo"]
    not_passed = {k: v for k, v in run.scorecard.items() if v["status"] not in ("PASS", "MET")}
    # 1.2-AC2.valid is skipped where `docker compose` is missing; the story's runtime stage
    # has no USER and its compose file publishes 5432 on every interface, which the suite
    # reports as preferred rules not met.
    allowed = {"1.2-AC2.valid", "security.non-root", "security.db-port-loopback"}
    assert set(not_passed) <= allowed, not_passed


@pytest.mark.image
def test_story_go_build_passes_startup_and_image_checks() -> None:
    if reason := compose_cannot_run(GO_STORY):
        pytest.skip(reason)
    run = suite_on_the_fixture(
        "tests/contract/test_ac3_image.py",
        "tests/contract/test_ac1_startup.py::test_both_services_running",
        "tests/contract/test_ac1_startup.py::test_api_started_after_postgres_was_healthy",
        "tests/contract/test_ac1_startup.py::test_schema_exists_without_manual_step",
        "--stack=compose",
    )
    assert run.exit_code == 0, run.output[-3000:]
    for criterion in (
        "1.2-AC1.up",
        "1.2-AC1.waits-for-db",
        "1.2-AC4.auto-init",
        "1.2-AC3.image-static",
        "1.2-AC3.image-no-toolchain",
        "1.2-AC3.image-size",
    ):
        assert run.status(criterion) == "PASS", (criterion, run.scorecard.get(criterion))
