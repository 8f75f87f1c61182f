"""An interrupted run leaves nothing running and a report that says how it ended.

The harness killed (SIGKILL) or stopped (SIGTERM) mid-run: the compose project goes down
by its reaper, locust and the embedded stack go with the harness, and the runs judged so
far stay in the report folder, marked, for `check`."""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest

from harness.report.run_status import FILE as RUN_STATUS
from tests.commands import coupon_acceptance
from tests.mutants.runner import compose_cannot_run

ROOT = Path(__file__).parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
pytestmark = pytest.mark.slow


def eventually(holds: Callable[[], object], what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not holds():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout:g} s: {what}")
        time.sleep(0.5)


def naming(word: str) -> list[psutil.Process]:
    """The processes whose command line holds `word`."""
    found = []
    for process in psutil.process_iter(["cmdline"]):
        if any(word in part for part in process.info["cmdline"] or ()):
            found.append(process)
    return found


def descendants(pid: int) -> list[psutil.Process]:
    return psutil.Process(pid).children(recursive=True)


def gone(processes: list[psutil.Process]) -> bool:
    return not [p for p in processes if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]


REAPED = """
    import subprocess, sys, time
    from pathlib import Path
    from harness.stacks.reaper import reaped
    name, marker, leave = sys.argv[1], sys.argv[2], sys.argv[3] == "leave"
    with reaped(name, ["touch", marker], ["true"], Path(marker + ".log")):
        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)", name])
        print("armed", flush=True)
        if not leave:
            time.sleep(300)
"""


def reaped_child(tmp_path: Path, leave: bool) -> tuple[subprocess.Popen[str], str, Path]:
    name, marker = f"coupon-reaper-test-{secrets.token_hex(3)}", tmp_path / "taken-down"
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(REAPED),
            name,
            str(marker),
            "leave" if leave else "stay",
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=ENV,
    )
    assert child.stdout is not None and child.stdout.readline() == "armed\n"
    return child, name, marker


def test_the_reaper_takes_down_what_a_killed_harness_started(tmp_path: Path) -> None:
    child, name, marker = reaped_child(tmp_path, leave=False)
    child.kill()
    eventually(marker.exists, "the reaper ran the command that takes it down", 30)
    eventually(lambda: not naming(name), f"no process naming {name} is left", 30)


def test_the_reaper_does_nothing_when_the_harness_took_it_down_itself(tmp_path: Path) -> None:
    child, name, marker = reaped_child(tmp_path, leave=True)
    child.wait(timeout=30)
    assert not marker.exists(), "the reaper ran `down` though the harness had left in order"
    for process in naming(name):  # the harness's own doing, in a real run
        process.kill()


COMPOSE_OPEN = """
    import sys, time
    from pathlib import Path
    from harness.stacks.opener import open_stack
    from harness.stacks.spec import StackSpec
    spec = StackSpec(kind="compose", project_dir=Path.cwd(), workdir=Path(sys.argv[1]))
    with open_stack(spec):
        time.sleep(600)
"""


def compose_up_of(harness: psutil.Process) -> str | None:
    """The project name of the `docker compose ... up` the harness runs, once it does."""
    for process in harness.children(recursive=True):
        words = process.cmdline()
        if "up" in words and "-p" in words:
            return words[words.index("-p") + 1]
    return None


def containers_of(project: str) -> list[str]:
    label = f"label=com.docker.compose.project={project}"
    listed = subprocess.run(["docker", "ps", "-aq", "--filter", label], capture_output=True)
    return listed.stdout.decode().split()


def test_a_harness_killed_while_compose_comes_up_leaves_no_container(tmp_path: Path) -> None:
    if why := compose_cannot_run(ROOT):
        pytest.skip(why)
    child = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(COMPOSE_OPEN), str(tmp_path)], cwd=ROOT, env=ENV
    )
    harness = psutil.Process(child.pid)
    project: list[str] = []

    def up_under_way() -> bool:
        name = compose_up_of(harness)
        project[:] = [name] if name else []
        return bool(name and containers_of(name))

    try:
        eventually(up_under_way, "`docker compose up` made a container", 300)
    finally:
        child.kill()  # SIGKILL, mid-`up`: no finally of the harness runs
    name = project[0]
    eventually(lambda: not containers_of(name), f"no container of {name} is left", 300)
    eventually(lambda: not naming(name), f"no process naming {name} is left", 60)
    assert "took" in (tmp_path / "reaper.log").read_text()


def load_under_way(tmp_path: Path) -> tuple[subprocess.Popen[bytes], list[psutil.Process]]:
    """A load run with two workers, once locust's three processes run; with every process
    it started (locust, the API, PostgreSQL)."""
    load = subprocess.Popen(
        [
            *(sys.executable, "-m", "harness.cli", "load", "--workers", "2"),
            *("--run-time", "120s", "--users", "10", f"--results={tmp_path}"),
            f"--project-dir={ROOT}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "stderr.txt").open("wb"),
        cwd=ROOT,
        env=ENV,
    )

    def locusts() -> list[psutil.Process]:
        return [p for p in descendants(load.pid) if "locust" in " ".join(p.cmdline())]

    try:
        eventually(lambda: len(locusts()) >= 3, "the master and two workers started", 180)
    except BaseException:
        load.kill()
        raise
    return load, descendants(load.pid)


def test_a_killed_load_run_takes_locust_with_it(tmp_path: Path) -> None:
    load, started = load_under_way(tmp_path)
    load.kill()
    load.wait()
    eventually(lambda: gone(started), f"none of {len(started)} processes left", 30)


def test_a_load_run_stopped_by_sigint_tears_down_and_says_so(tmp_path: Path) -> None:
    load, started = load_under_way(tmp_path)
    load.send_signal(signal.SIGINT)  # Ctrl-C
    assert load.wait(timeout=120) == 130
    eventually(lambda: gone(started), f"none of {len(started)} processes left", 30)
    said = (tmp_path / "stderr.txt").read_text()
    assert "Traceback" not in said and "load: interrupted" in said, said[-2000:]
    assert json.loads((tmp_path / RUN_STATUS).read_text())["status"] == "interrupted"
    checked = coupon_acceptance("check", str(tmp_path))
    assert "the run was interrupted" in checked.stdout.splitlines()[0], checked.stdout


def test_a_load_run_ended_by_sigterm_takes_everything_with_it(tmp_path: Path) -> None:
    """SIGTERM keeps its meaning for `load` (a master that is a container's first process
    ignores it, as compose's --exit-code-from needs): the end, and nothing left behind."""
    load, started = load_under_way(tmp_path)
    load.send_signal(signal.SIGTERM)
    assert load.wait(timeout=120) == -signal.SIGTERM
    eventually(lambda: gone(started), f"none of {len(started)} processes left", 30)
    checked = coupon_acceptance("check", str(tmp_path))
    assert "killed before it ended" in checked.stdout.splitlines()[0], checked.stdout


def contract_run(tmp_path: Path) -> tuple[subprocess.Popen[str], Path]:
    """A contract run whose first checks keep a judged run in its report folder."""
    report = tmp_path / "report"
    run = subprocess.Popen(
        [
            *(sys.executable, "-m", "pytest", "-p", "harness.plugin", "-p", "no:cacheprovider"),
            *("tests/contract/test_stress_scenarios.py", "tests/contract/test_races.py"),
            f"--report={report}",
            "-q",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
        env=ENV,
    )
    eventually(lambda: list(report.glob("runs/*/state.json")), "a judged run kept", 300)
    return run, report


def test_a_contract_run_stopped_by_sigterm_tears_down_and_says_so(tmp_path: Path) -> None:
    run, report = contract_run(tmp_path)
    started = descendants(run.pid)  # the API and PostgreSQL
    run.send_signal(signal.SIGTERM)
    assert run.wait(timeout=120) == pytest.ExitCode.INTERRUPTED
    eventually(lambda: gone(started), f"none of {len(started)} processes left", 30)
    status = json.loads((report / RUN_STATUS).read_text())
    assert status["status"] == "interrupted", status
    assert "INTERRUPTED: stopped (Ctrl-C or SIGTERM)" in (report / "index.html").read_text()
    checked = coupon_acceptance("check", str(report))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "the run was interrupted" in checked.stdout, checked.stdout


def test_a_contract_run_killed_leaves_the_runs_it_judged_for_check(tmp_path: Path) -> None:
    run, report = contract_run(tmp_path)
    started = descendants(run.pid)
    run.kill()
    run.wait()
    eventually(lambda: gone(started), f"none of {len(started)} processes left", 30)
    assert not (report / "index.html").exists()
    checked = coupon_acceptance("check", str(report))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "the run was killed before it ended" in checked.stdout, checked.stdout
    assert " 0 violation(s)" in checked.stdout, checked.stdout
