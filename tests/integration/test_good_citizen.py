"""Installed into someone else's environment, the tool changes nothing there until asked:
the wheel, with no extras, in a fresh virtual environment beside a small project that has
its own `--api-url` option and its own pytest-docker test, whose pytest run passes
untouched and shows nothing of ours, while `coupon-acceptance contract` judges; a command
whose extra is missing says which one to install, in one line."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
pytestmark = pytest.mark.slow

CONFTEST = """
def pytest_addoption(parser):
    parser.addoption("--api-url", default="http://127.0.0.1:8080", help="our own service")
"""
TESTS = """
import os


def test_own_option(request):
    assert request.config.getoption("api_url") == "http://127.0.0.1:8080"


def test_own_pytest_docker_fixture(docker_compose_file, pytestconfig):
    default = os.path.join(str(pytestconfig.rootdir), "tests", "docker-compose.yml")
    assert docker_compose_file == default
"""


def run(*argv: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run(
        [str(a) for a in argv], cwd=cwd, capture_output=True, text=True, env=env, timeout=600
    )


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    uv = shutil.which("uv")
    if uv is None:
        pytest.skip("no uv to build the wheel and make a virtual environment (pip install uv)")
    folder = tmp_path_factory.mktemp("citizen")
    built = run(uv, "build", "-q", "--wheel", "--out-dir", folder / "dist", cwd=ROOT)
    assert built.returncode == 0, built.stderr
    wheel = next((folder / "dist").glob("coupon_acceptance-*.whl"))
    made = run(uv, "venv", "-q", "--python", "3.11", folder / "venv", cwd=folder)
    assert made.returncode == 0, made.stderr
    python = folder / "venv" / "bin" / "python"
    installed = run(uv, "pip", "install", "-q", "--python", python, wheel, cwd=folder)
    assert installed.returncode == 0, installed.stderr
    return folder / "venv"


def test_a_project_with_the_tool_installed_runs_its_own_tests_untouched(
    venv: Path, tmp_path: Path
) -> None:
    (tmp_path / "tests").mkdir()
    (tmp_path / "conftest.py").write_text(CONFTEST)
    (tmp_path / "tests" / "test_own.py").write_text(TESTS)
    result = run(venv / "bin" / "python", "-m", "pytest", "-p", "no:cacheprovider", cwd=tmp_path)
    assert result.returncode == 0 and "2 passed" in result.stdout, result.stdout + result.stderr
    assert "coupon" not in (result.stdout + result.stderr).lower(), result.stdout
    helped = run(venv / "bin" / "python", "-m", "pytest", "--help", cwd=tmp_path)
    assert "Flash Sale Coupon API" not in helped.stdout and "--stack" not in helped.stdout


# README: coupon-acceptance contract -m static
def test_the_installed_command_still_judges(venv: Path, tmp_path: Path) -> None:
    result = run(
        venv / "bin" / "coupon-acceptance",
        "contract",
        "-m",
        "static",
        f"--project-dir={ROOT}",
        f"--scorecard-json={tmp_path / 'scorecard.json'}",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "criteria:" in result.stdout and (tmp_path / "scorecard.json").exists()


def test_a_missing_extra_is_named_in_one_line(venv: Path, tmp_path: Path) -> None:
    loaded = run(venv / "bin" / "coupon-acceptance", "load", cwd=tmp_path)
    assert loaded.returncode == 2
    assert loaded.stderr.strip() == (
        "coupon-acceptance load needs the `load` extra (missing: locust): "
        "pip install 'coupon-acceptance[load]'"
    )
    judged = run(
        venv / "bin" / "coupon-acceptance",
        "contract",
        "-k",
        "health",
        f"--project-dir={ROOT}",
        cwd=tmp_path,
    )
    assert judged.returncode == 1
    assert "needs the `reference` extra: pip install 'coupon-acceptance[reference]'" in (
        judged.stdout
    ), judged.stdout[-2000:]
