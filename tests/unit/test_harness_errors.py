"""What a user sees when the harness cannot do its job: the reason, not a traceback."""

import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]
HEALTH = str(ROOT / "tests" / "contract" / "test_health.py")


def pytest_run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def test_external_stack_without_dsn_is_a_usage_error() -> None:
    result = pytest_run(HEALTH, "--stack=external", "--api-url=http://127.0.0.1:9")
    assert result.returncode == 4
    assert "--stack=external needs --api-url URL and --dsn DSN; missing: --dsn" in result.stderr


def test_api_that_dies_at_startup_shows_its_exit_and_log() -> None:
    crash = f"{shlex.quote(sys.executable)} -c \"print('cannot bind: boom'); raise SystemExit(3)\""
    result = pytest_run(HEALTH, f"--api-cmd={crash}")
    assert result.returncode == 1
    assert "the API exited with 3" in result.stdout and "cannot bind: boom" in result.stdout
    assert "FAIL    health.ok" in result.stdout


def test_project_without_init_sql_is_named(tmp_path: Path) -> None:
    result = pytest_run(HEALTH, f"--project-dir={tmp_path}")
    assert result.returncode == 1
    assert f"{tmp_path}/scripts/init.sql not found" in result.stdout
