"""docker/load-compose.yml on this repository's stack: a locust master and two workers
from the harness image, with no volume shared between them, run a flash sale; every claim
the workers sent is judged. Then again with one worker killed mid-run: it is named, the
rest judged, no acknowledged claim lost. Needs the harness image (COUPON_HARNESS_IMAGE,
which .ci/run builds) and the stack's images."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import time
from pathlib import Path

import pytest

from tests.mutants.catalogue import ROOT
from tests.mutants.runner import compose_cannot_run

pytestmark = pytest.mark.slow

LOAD_COMPOSE = ROOT / "docker" / "load-compose.yml"


@pytest.fixture
def project(tmp_path: Path):
    image = os.environ.get("COUPON_HARNESS_IMAGE")
    if not image:
        pytest.skip("no harness image: COUPON_HARNESS_IMAGE (.ci/run builds one)")
    if why := compose_cannot_run(ROOT):
        pytest.skip(why)
    name = f"coupon-load-{secrets.token_hex(3)}"
    env = {
        **os.environ,
        "LOAD_RESULTS": str(tmp_path),
        "LOAD_RUN_TIME": "20s",
        "LOAD_USERS": "40",
        "LOAD_HOT_STOCK": "200",
    }
    base = ["docker", "compose", "-p", name, "-f", str(ROOT / "docker-compose.yml")]
    compose = [*base, "-f", str(LOAD_COMPOSE)]

    def run(*args: str, **kwargs) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*compose, *args], capture_output=True, text=True, env=env, cwd=ROOT, **kwargs
        )

    yield run, tmp_path
    run("down", "--volumes", "--remove-orphans", "--rmi", "local")


def summary_of(results: Path) -> str:
    return (results / "summary.txt").read_text()


# README: coupon-acceptance load --master --expect-workers 2 --api-url http://API:3000 --dsn postgresql://…
# README: coupon-acceptance load --worker --master-host MASTER_HOST
# README: docker compose -f docker-compose.yml -f docker/load-compose.yml up --build --scale worker=2 --exit-code-from master  # noqa: E501
def test_a_master_and_two_worker_containers_judge_every_claim(project) -> None:
    run, results = project
    done = run("up", "--build", "--scale", "worker=2", "--exit-code-from", "master", timeout=900)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    summary = summary_of(results)
    sent = [int(n) for n in re.findall(r"worker w\d .*?: (\d+) operations in", summary)]
    assert len(sent) == 2 and all(sent), summary
    assert summary.count("reported to the end") == 2, summary
    assert f"judged: {sum(sent)} operations ({sum(sent)} as the workers sent them)" in summary
    assert "invariants: all hold" in summary


def test_a_worker_container_killed_mid_run_is_named(project) -> None:
    run, results = project
    up = run("up", "--build", "--detach", "--scale", "worker=2", timeout=900)
    assert up.returncode == 0, up.stderr[-3000:]
    deadline = time.monotonic() + 300
    while len(list((results / "history").glob("worker-*"))) < 2:  # both are shipping
        assert time.monotonic() < deadline, run("logs", "master").stdout[-3000:]
        time.sleep(1)
    time.sleep(3)
    workers = run("ps", "--quiet", "worker").stdout.split()
    assert len(workers) == 2, workers
    subprocess.run(["docker", "kill", "--signal", "KILL", workers[0]], check=True)
    [master] = run("ps", "--quiet", "--all", "master").stdout.split()
    waited = subprocess.run(["docker", "wait", master], capture_output=True, text=True, timeout=300)
    logs = run("logs", "master").stdout
    assert waited.stdout.strip() == "0", logs[-4000:]
    summary = summary_of(results)
    assert summary.count("STOPPED REPORTING (died?)") == 1, summary
    assert summary.count("reported to the end") == 1, summary
    assert "invariants: all hold" in summary  # nothing acknowledged was lost
