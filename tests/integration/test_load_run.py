"""The load run end to end, briefly: locust against the embedded stack, then the verdict.
Against a mutant that oversells, the same run must end in a violation and exit 1."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

import pytest

from harness.stacks.opener import open_stack
from harness.stacks.ports import free_port
from harness.stacks.spec import StackSpec
from tests.commands import coupon_acceptance
from tests.mutants.runner import compose_cannot_run

ROOT = Path(__file__).parents[2]
pytestmark = pytest.mark.slow


LOAD = [sys.executable, "-m", "harness.cli", "load"]


def load_run(tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            *LOAD,
            "--run-time",
            "8s",
            "--users",
            "30",
            "--spawn-rate",
            "30",
            f"--results={tmp_path}",
            f"--project-dir={ROOT}",
            *extra,
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=180,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


# README: nox -s load
def test_smoke_run_holds_the_invariants(tmp_path: Path) -> None:
    result = load_run(tmp_path, "--hot-stock", "100")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "invariants: all hold" in result.stdout
    assert re.search(r"locust process \d+: [\d,]+ requests/s, CPU \d+% of a core", result.stdout)
    assert "bottleneck: " in result.stdout
    assert re.search(r"host: steal \d+\.\d% of the CPU during the run", result.stdout)
    assert "claim ok" in (tmp_path / "summary.txt").read_text()
    assert (tmp_path / "report.html").exists()
    page = (tmp_path / "index.html").read_text()
    assert "<svg" in page and "every invariant held" in page  # the plots, the verdict
    again = coupon_acceptance("check", str(tmp_path))
    assert again.returncode == 0 and ": 0 violation(s)" in again.stdout, again.stdout


# README: nox -s load -- --arrival-rate 500
def test_open_model_sends_at_the_arrival_rate(tmp_path: Path) -> None:
    """--arrival-rate: claims on a schedule, whatever the answers; every one recorded."""
    result = load_run(tmp_path, "--hot-stock", "100", "--arrival-rate", "100")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "invariants: all hold" in result.stdout
    claims = [line for line in result.stdout.splitlines() if line.startswith("claims recorded")]
    recorded = int(claims[0].split()[2])
    assert 600 <= recorded <= 900, claims[0]  # 8 s at 100/s, less the start-up


def test_overselling_mutant_fails_the_run(tmp_path: Path) -> None:
    mutant = f"{shlex.quote(sys.executable)} {ROOT / 'tests' / 'mutants' / 'api.py'} oversell-claim"
    result = load_run(tmp_path, "--hot-stock", "40", f"--api-cmd={mutant}")
    assert result.returncode == 1, result.stdout[-3000:]
    assert "VIOLATION" in result.stdout and "invariant.1" in result.stdout
    # its page draws the claims that oversold
    assert 'class="timeline"' in (tmp_path / "index.html").read_text()


# README: nox -s load -- --api-url http://127.0.0.1:3000 --dsn postgresql://postgres:postgres@127.0.0.1/coupon_db
def test_a_running_stack_given_by_its_url_and_dsn(tmp_path: Path) -> None:
    with open_stack(StackSpec(project_dir=ROOT)) as running:
        result = load_run(
            tmp_path, "--hot-stock", "50", "--api-url", running.api_url, "--dsn", running.dsn
        )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert f"external: API, 1 instance(s) at {running.api_url}" in result.stdout
    assert "invariants: all hold" in result.stdout


# README: coupon-acceptance load --stack compose
# README: nox -s load -- --stack compose
def test_the_compose_stack_opens_outside_pytest(tmp_path: Path) -> None:
    """The load command brings this repository's compose stack up itself, runs the sale
    and takes the project down."""
    if why := compose_cannot_run(ROOT):
        pytest.skip(why)
    result = subprocess.run(
        [
            *(sys.executable, "-m", "harness.cli", "load", "--stack", "compose"),
            *("--run-time", "5s", "--users", "20", "--spawn-rate", "20", "--hot-stock", "50"),
            *(f"--results={tmp_path}", f"--project-dir={ROOT}"),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=600,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "stack: compose: project coupon-acceptance-" in result.stdout
    assert "invariants: all hold" in result.stdout
    project = re.search(r"project (coupon-acceptance-[0-9a-f]+)", result.stdout).group(1)
    left = subprocess.run(
        [
            "docker",
            "ps",
            "--all",
            "--quiet",
            "--filter",
            f"label=com.docker.compose.project={project}",
        ],
        capture_output=True,
        text=True,
    ).stdout.split()
    assert not left, f"{project} left containers {left}"
    assert (tmp_path / "compose" / "compose.log").is_file()


def test_workers_ship_their_histories_to_the_master(tmp_path: Path) -> None:
    """--workers 2: a master and two workers; every operation a worker sent is judged."""
    result = load_run(tmp_path, "--hot-stock", "100", "--workers", "2")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    sent = [int(n) for n in re.findall(r"worker w\d .*?: (\d+) operations in", result.stdout)]
    assert len(sent) == 2 and all(sent), result.stdout[-2000:]
    assert result.stdout.count("reported to the end") == 2
    assert f"judged: {sum(sent)} operations ({sum(sent)} as the workers sent them)" in result.stdout


def test_a_worker_that_loses_its_last_batch_fails_the_run(tmp_path: Path) -> None:
    mutant = ROOT / "tests" / "mutants" / "load_drop_last_batch.py"
    result = load_run(tmp_path, "--hot-stock", "100", "--workers", "2", f"--locustfile={mutant}")
    assert result.returncode == 1, result.stdout[-3000:]
    assert re.search(r"worker w\d said it sent \d+ operations, \d+ arrived", result.stdout)


def wait_for_requests(stats: Path, master: subprocess.Popen, timeout: float = 180) -> None:
    """Until locust's stats history (a line each second) counts requests sent."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and master.poll() is None:
        lines = stats.read_text().splitlines() if stats.exists() else []
        header = lines[0].split(",") if lines else []
        if "Total Request Count" in header:
            column = header.index("Total Request Count")
            counts = [line.split(",")[column] for line in lines[1:]]
            if any(count.isdigit() and int(count) > 0 for count in counts):
                return
        time.sleep(0.5)
    raise AssertionError(f"no request counted in {stats} within {timeout:g} s")


def test_a_worker_killed_mid_run_is_named_and_the_rest_judged(tmp_path: Path) -> None:
    """A master here and two workers started as a user would on other hosts; one is
    killed (SIGKILL) mid-run."""
    port = str(free_port())
    master = subprocess.Popen(
        [
            *(*LOAD, "--master", "--expect-workers", "2", "--master-bind-host", "127.0.0.1"),
            *("--master-bind-port", port, "--run-time", "14s", "--users", "30"),
            *("--spawn-rate", "30", "--hot-stock", "100", f"--results={tmp_path}"),
            f"--project-dir={ROOT}",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    worker = [*LOAD, "--worker", "--master-host", "127.0.0.1", "--master-port", port]
    workers = [
        subprocess.Popen(worker, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(2)
    ]
    try:
        # Once both are in the sale (it starts when both connected), some seconds of it:
        # waited for, not slept, so a busy machine's slow start kills no worker too early.
        wait_for_requests(tmp_path / "locust_stats_history.csv", master)
        time.sleep(3)
        workers[0].kill()
        out, _ = master.communicate(timeout=240)
    finally:
        for process in (master, *workers):
            process.kill()
    assert master.returncode == 0, out[-3000:]
    assert "STOPPED REPORTING (died?)" in out and "reported to the end" in out, out[-2000:]
    assert "invariants: all hold" in out


def test_workers_that_never_connect_end_the_run_with_a_clear_error(tmp_path: Path) -> None:
    result = load_run(
        tmp_path,
        *("--master", "--expect-workers", "1", "--expect-workers-max-wait", "3"),
        *("--master-bind-host", "127.0.0.1", "--master-bind-port", str(free_port())),
    )
    assert result.returncode == 1, result.stdout[-2000:] + result.stderr[-2000:]
    assert "did the workers connect?" in result.stderr
