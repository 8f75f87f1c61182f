"""How test outcomes become verdicts and the run's exit status: a failing SHOULD check is
NOT MET and never fails the run, a failing MUST check does, and a genuine xfail on a
criterion test is neither a pass nor a preferred rule not met."""

from __future__ import annotations

from pathlib import Path

from tests.suite_run import SuiteRun, run_suite

CHECKS = """
import pytest

@pytest.mark.contract("claim.prefer-200")
def test_preferred_not_met():
    assert False, "answered 201"

@pytest.mark.contract("claim.prefer-409")
def test_preferred_met():
    pass

@pytest.mark.contract("get.prefer-commit-order")
@pytest.mark.xfail(reason="known gap", strict=True)
def test_known_gap():
    assert False

@pytest.mark.contract("claim.success")
def test_required(request):
    assert not request.config.getoption("--fail-required", default=False), "not stored"
"""

OPTION = """
def pytest_addoption(parser):
    parser.addoption("--fail-required", action="store_true")
"""


def checks_in(folder: Path, *args: str) -> SuiteRun:
    (folder / "test_checks.py").write_text(CHECKS)
    (folder / "conftest.py").write_text(OPTION)
    return run_suite(["test_checks.py", *args], cwd=folder, timeout=120)


def test_preferred_rule_not_met_is_reported_and_does_not_fail_the_run(tmp_path: Path) -> None:
    run = checks_in(tmp_path)
    assert run.exit_code == 0, run.output
    assert run.status("claim.prefer-200") == "NOT MET"
    assert "answered 201" in run.scorecard["claim.prefer-200"]["detail"]
    assert run.status("claim.prefer-409") == "MET"
    assert run.status("claim.success") == "PASS"
    assert "2 passed, 1 xfailed, 1 not met" in run.output


def test_genuine_xfail_is_a_skip_with_its_reason(tmp_path: Path) -> None:
    run = checks_in(tmp_path)
    verdict = run.scorecard["get.prefer-commit-order"]
    assert (verdict["status"], verdict["detail"]) == ("SKIP", "marked xfail: known gap")


def test_required_rule_failing_fails_the_run(tmp_path: Path) -> None:
    run = checks_in(tmp_path, "--fail-required")
    assert run.exit_code == 1
    assert run.status("claim.success") == "FAIL"
    assert run.status("claim.prefer-200") == "NOT MET"
