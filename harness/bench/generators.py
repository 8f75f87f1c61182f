"""The load generator measured, not the API: one locust process with 64 users sending
`GET /health`, as HttpUser and then as FastHttpUser, in one run, against two targets: the
API, and a constant answer (constant_target.py) that costs so little that the generator
is the limit. Against the API, requests/s may be the API's limit; against the constant
answer, and per CPU-second of the locust process, they are the generator's own. Then
FastHttpUser as 1, 2 and 4 worker processes (locust's own master and workers) against the
constant answer: the ceiling of one machine, measured rather than assumed."""

from __future__ import annotations

import csv
import resource
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from harness.stacks.ports import free_port
from harness.steal import StealMeter, steal_cell

USERS = Path(__file__).with_name("users.locust.py")
CLASSES = {"HttpUser": "Plain", "FastHttpUser": "Fast"}
USERS_PER_RUN = 64
TARGETS = ("the API", "constant answer")
PROCESS_COUNTS = (1, 2, 4)  # locust processes sending: one alone, else workers of a master


@dataclass(frozen=True)
class GeneratorRun:
    target: str  # one of TARGETS
    user_class: str
    requests_per_s: float
    cpu: float  # locust's CPU-seconds per second of the run: 1.0 is a full core
    steal: float | None = None  # the host's steal share while it ran (steal.py)
    processes: int = 1  # the locust processes that sent (workers, where more than one)

    @property
    def per_cpu_second(self) -> float:
        return self.requests_per_s / self.cpu if self.cpu else 0.0


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_generator(
    target: str,
    url: str,
    user_class: str,
    seconds: int,
    users: int = USERS_PER_RUN,
    processes: int = 1,
) -> GeneratorRun:
    with tempfile.TemporaryDirectory() as folder:
        before = children_cpu()
        with StealMeter() as host:
            _run_locust(url, user_class, seconds, users, folder, processes)
        cpu = children_cpu() - before
        with open(f"{folder}/stats_stats.csv", newline="") as stats:
            total = next(row for row in csv.DictReader(stats) if row["Name"] == "Aggregated")
    rate = float(total["Requests/s"])
    return GeneratorRun(target, user_class, rate, cpu / seconds, host.share, processes)


def _run_locust(
    url: str, user_class: str, seconds: int, users: int, folder: str, processes: int
) -> None:
    """One locust process, or a master and `processes` workers (the master sends nothing,
    its CPU is counted all the same)."""
    locust = [sys.executable, "-m", "locust", "-f", str(USERS)]
    master = [
        *(*locust, CLASSES[user_class], "--headless", "--host", url),
        *(f"--users={users}", f"--spawn-rate={users}", f"--run-time={seconds}s"),
        *("--csv", f"{folder}/stats", "--only-summary", "--exit-code-on-error=0"),
    ]
    workers = []
    if processes > 1:
        port = str(free_port())
        master += ["--master", "--master-bind-host=127.0.0.1", f"--master-bind-port={port}"]
        master += [f"--expect-workers={processes}"]
        worker = [*locust, "--worker", "--master-host=127.0.0.1", f"--master-port={port}"]
        workers = [
            subprocess.Popen(worker, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for _ in range(processes)
        ]
    try:
        subprocess.run(master, check=True, capture_output=True)
    finally:
        for process in workers:
            process.wait(timeout=60)  # waited, so that their CPU is counted


def generators_table(runs: list[GeneratorRun]) -> str:
    """Each run, with its ratios to the HttpUser run before it (the same target and
    round)."""
    lines = [
        f"{'target':<17}{'user class':<14}{'requests/s':>11}{'ratio':>7}{'locust CPU':>12}"
        f"{'req/CPU-s':>11}{'ratio':>7}{'steal':>7}"
    ]
    baseline = runs[0]
    for run in runs:
        if run.user_class == "HttpUser":
            baseline = run
        rate = run.requests_per_s / baseline.requests_per_s if baseline.requests_per_s else 0.0
        efficiency = (
            run.per_cpu_second / baseline.per_cpu_second if baseline.per_cpu_second else 0.0
        )
        lines.append(
            f"{run.target:<17}{run.user_class:<14}{run.requests_per_s:>11,.0f}{rate:>7.2f}"
            f"{run.cpu:>12.0%}{run.per_cpu_second:>11,.0f}{efficiency:>7.2f}"
            f"{steal_cell(run.steal):>7}"
        )
    return "\n".join(lines)


def scaling_table(runs: list[GeneratorRun]) -> str:
    """FastHttpUser as 1, 2 and 4 processes: requests/s against the one process's of the
    same round, and the CPU it took (in all, and each process's share)."""
    lines = [
        f"{'processes':>9}{'requests/s':>12}{'ratio':>7}{'CPU, all':>10}{'per process':>13}"
        f"{'steal':>7}"
    ]
    baseline = runs[0]
    for run in runs:
        if run.processes == 1:
            baseline = run
        ratio = run.requests_per_s / baseline.requests_per_s if baseline.requests_per_s else 0.0
        lines.append(
            f"{run.processes:>9}{run.requests_per_s:>12,.0f}{ratio:>7.2f}{run.cpu:>10.0%}"
            f"{run.cpu / run.processes:>13.0%}{steal_cell(run.steal):>7}"
        )
    return "\n".join(lines)
