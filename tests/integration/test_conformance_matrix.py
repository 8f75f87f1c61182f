"""Every variation the contract allows passes: the reference API run with each allowed
choice (each rejection's status from its allowed set, shared statuses included, stock
checked before eligibility, 201 for a claim, another /health body or 5xx), and the whole
suite (the model and the history checker included) must give it every MUST row the
reference gets; only SHOULD rows may differ, and the ones its choice breaks do."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import pytest

from tests.mutants.catalogue import Mutant
from tests.mutants.runner import project_dir_for
from tests.suite_run import SuiteRun, run_suite

ROOT = Path(__file__).parents[2]
VARIANT_API = f"{shlex.quote(sys.executable)} {ROOT / 'tests' / 'mutants' / 'api.py'}"
pytestmark = pytest.mark.slow

# Variant (in tests/mutants/api.py) -> the preferred rules its choice does not meet.
VARIANTS = {
    "claim-answers-201": {"claim.prefer-200"},
    "already-claimed-400": {"claim.prefer-409"},
    "sold-out-409": {"claim.prefer-400-sold-out"},
    "sold-out-404": {"claim.prefer-400-sold-out"},
    "unknown-coupon-400": {"claim.prefer-404-unknown"},
    "stock-before-eligibility": {"claim.order"},
    "foreign-choices": {
        "claim.prefer-200",
        "claim.prefer-409",
        "claim.prefer-400-sold-out",
        "claim.prefer-404-unknown",
        "claim.order",
    },
    "health-wrong-body": {"health.prefer-body"},
    "claimed-by-alphabetical": {"get.prefer-commit-order"},
}
# The fault tests do not depend on status choices, except /health's while the database is
# down, which the last variant is run with; nor does scale-out (one instance is enough
# here) or schemathesis against the reference's own OpenAPI document (a SHOULD).
NOT_FAULTS = ("-m", "not faults", "--instances=1", "-k", "not openapi")
FAULT_VARIANTS = {"health-500-when-down": {"health.prefer-503"}}


def contract_suite(*args: str) -> SuiteRun:
    return run_suite([str(ROOT / "tests" / "contract"), *args], cwd=ROOT, timeout=900)


@pytest.fixture(scope="module")
def reference() -> SuiteRun:
    run = contract_suite(*NOT_FAULTS)
    assert run.exit_code == 0, run.output[-3000:]
    return run


def required(run: SuiteRun) -> dict[str, str]:
    return {cid: v["status"] for cid, v in run.scorecard.items() if v["level"] == "MUST"}


def assert_conforms(run: SuiteRun, expected: dict[str, str], not_met: set[str]) -> None:
    assert run.exit_code == 0, run.output[-3000:]
    assert required(run) == expected, {
        cid: (status, run.scorecard[cid]["detail"])
        for cid, status in required(run).items()
        if status != expected.get(cid)
    }
    assert {cid for cid in not_met if run.status(cid) != "NOT MET"} == set()


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_allowed_variant_passes_every_required_rule(reference: SuiteRun, variant: str) -> None:
    run = contract_suite(*NOT_FAULTS, f"--api-cmd={VARIANT_API} {variant}")
    assert_conforms(run, required(reference), VARIANTS[variant])


@pytest.mark.parametrize("variant", list(FAULT_VARIANTS))
def test_allowed_variant_passes_the_fault_checks(variant: str) -> None:
    run = contract_suite("-m", "faults", "--instances=1", f"--api-cmd={VARIANT_API} {variant}")
    expected = {cid: "PASS" for cid in required(run)}
    assert_conforms(run, expected, FAULT_VARIANTS[variant])


# A schema the API makes at start-up (init.sql declares none): init-file fails once, the
# schema rows it blocks are judged on the live tables, everything else as the reference.
INIT_FILE_ROWS = {
    "1.2-AC4.init-file": "FAIL",
    **{f"1.2-AC4.{row}": "BLOCKED" for row in ("coupons", "claims", "checks", "unique", "index")},
}
SELF_MIGRATING = {
    "self-migrating": {"scale.instances": "PASS"},  # IF NOT EXISTS under an advisory lock
    "self-migrating-racy": {"scale.instances": "FAIL"},  # the second instance exits
}


@pytest.mark.parametrize("variant", list(SELF_MIGRATING))
def test_a_schema_made_at_start_up_is_judged_on_the_live_tables(
    reference: SuiteRun, variant: str, tmp_path: Path
) -> None:
    project = project_dir_for(Mutant(variant, (), (), schema="no-tables.sql"), tmp_path)
    run = contract_suite(
        *NOT_FAULTS,
        "--instances=2",
        f"--project-dir={project}",
        f"--api-cmd={VARIANT_API} {variant}",
    )
    expected = {**required(reference), **INIT_FILE_ROWS, **SELF_MIGRATING[variant]}
    assert required(run) == expected, {
        cid: (status, run.scorecard[cid]["detail"])
        for cid, status in required(run).items()
        if status != expected.get(cid)
    }
    if variant == "self-migrating-racy":
        assert "raced to make the schema at start-up" in run.scorecard["scale.instances"]["detail"]


# Other right ways to claim: every check of concurrency (the scenarios and the bystanders
# beside them, the races, the model, scale-out, the big coupon) passes every MUST row.
CLAIM_VARIANTS = {
    "advisory-lock-claim": (),
    "stock-counted-from-claims": (),
    # every claim of a hot coupon retried until it serializes: 2,000 of them take a minute
    "serializable-with-retries": ("--big-coupon=300",),
}
CONCURRENCY = (
    *("test_stress_scenarios.py", "test_races.py", "test_model.py"),
    *("test_scale_out.py", "test_sizes.py"),
)


@pytest.mark.parametrize("variant", CLAIM_VARIANTS)
def test_other_right_claims_pass_every_rule_of_concurrency(variant: str) -> None:
    contract = ROOT / "tests" / "contract"
    run = run_suite(
        [
            *(str(contract / name) for name in CONCURRENCY),
            f"--api-cmd={VARIANT_API} {variant}",
            *CLAIM_VARIANTS[variant],
        ],
        cwd=ROOT,
        timeout=600,
    )
    assert run.exit_code == 0, run.output[-3000:]
    assert set(required(run).values()) == {"PASS"}, required(run)
