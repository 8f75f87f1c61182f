"""What a user sees when the harness cannot do its job: the reason, not a traceback."""

import shlex
import sys
from pathlib import Path

from harness.stacks.ports import free_port
from tests.suite_run import SuiteRun, run_suite

ROOT = Path(__file__).parents[2]
HEALTH = str(ROOT / "tests" / "contract" / "test_health.py")


def suite(*args: str) -> SuiteRun:
    return run_suite([HEALTH, *args], cwd=ROOT, timeout=120)


def test_external_stack_without_dsn_is_a_usage_error() -> None:
    run = suite("--stack=external", "--api-url=http://127.0.0.1:9")
    assert run.exit_code == 4
    assert "--stack=external needs --api-url URL and --dsn DSN; missing: --dsn" in run.output


def test_api_that_dies_at_startup_shows_its_exit_and_log() -> None:
    crash = f"{shlex.quote(sys.executable)} -c \"print('cannot bind: boom'); raise SystemExit(3)\""
    run = suite(f"--api-cmd={crash}")
    assert run.exit_code == 1
    assert "the API exited with 3" in run.output and "cannot bind: boom" in run.output
    # One root cause, one failure: the check that needed the stack is blocked by it.
    assert run.status("stack.ready") == "FAIL"
    assert run.status("health.ok") == "BLOCKED"
    assert "blocked by stack.ready: the local stack did not come up" in run.output


def test_api_that_takes_a_port_of_its_own_is_told_to_read_server_port() -> None:
    port = free_port()
    serve = (
        f"import http.server as h; h.HTTPServer(('127.0.0.1', {port}), h.BaseHTTPRequestHandler)"
    )
    python = shlex.quote(sys.executable)
    run = suite(f'--api-cmd={python} -c "{serve}.serve_forever()"', "--startup-timeout=5")
    assert run.exit_code == 1
    detail = run.scorecard["stack.ready"]["detail"]
    assert f"listens on port {port}, not on the SERVER_PORT=" in detail, detail
    assert "--stack=external --api-url URL --dsn DSN" in detail


def test_project_without_init_sql_is_named(tmp_path: Path) -> None:
    """No schema file, and an API that makes no table either (the reference): nothing to
    judge, one failure of the file's row."""
    run = suite(f"--project-dir={tmp_path}")
    assert run.exit_code == 1
    assert f"{tmp_path}/scripts/init.sql not found" in run.output
    assert "the API made no table at start-up" in run.output
    assert "blocked by 1.2-AC4.init-file" in run.output  # the project's file, not the stack


def test_init_sql_that_does_not_load_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "init.sql").write_text("CREATE TABLE coupons (name VARCHAR(255);\n")
    run = suite(f"--project-dir={tmp_path}")
    assert run.exit_code == 1
    assert "scripts/init.sql does not load: line 1: syntax error" in run.output, run.output[-2000:]
    assert "blocked by 1.2-AC4.init-file" in run.output
    assert "Traceback" not in run.output


def test_unusable_pg_bin_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    run = suite(f"--pg-bin={tmp_path}")
    assert run.exit_code == 1
    assert f"no PostgreSQL to run: --pg-bin {tmp_path}: no postgres and initdb there" in run.output
    assert "Traceback" not in run.output
