"""The locust processes of a load run: one on its own, a master and workers on this
machine (--workers), a master that workers on other hosts connect to (--master), or one
such worker (--worker)."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from harness.races.statuses import StatusMap
from harness.stacks.ports import free_port
from harness.stacks.processes import die_with_parent, stop_all
from harness.stacks.stack import Stack

# Every process loads all the user classes; the master names those to run.
USERS_FILE = Path(__file__).with_name("all_users.py")
MIX = ("FlashSaleUser", "DoubleDipper", "Browser", "Creator")
OPEN_MODEL = ("SteadyArrivals",)


def locustfile(options: argparse.Namespace) -> str:
    return str(options.locustfile or USERS_FILE)


def worker_command(options: argparse.Namespace, host: str, port: int) -> list[str]:
    return [
        *(sys.executable, "-m", "locust", "-f", locustfile(options)),
        *("--worker", "--master-host", host, "--master-port", str(port)),
    ]


def locust_commands(
    options: argparse.Namespace,
    stack: Stack,
    run_id: str,
    results: Path,
    statuses: StatusMap,
    passthrough: list[str],
) -> list[list[str]]:
    """The master's command (or the lone process's) first, then this machine's workers'.
    The master's options reach the workers with locust's own spawn message."""
    processes = options.expect_workers if options.master else max(options.workers, 1)
    users, spawn_rate, classes = options.users, options.spawn_rate, MIX
    model = []
    if options.arrival_rate:  # one SteadyArrivals user per process, its share of the rate
        model = ["--arrival-rate", str(options.arrival_rate / processes)]
        users, spawn_rate, classes = processes, processes, OPEN_MODEL
    master = [
        *(sys.executable, "-m", "locust", "-f", locustfile(options), *classes),
        *("--host", stack.api_url, "--api-hosts", ",".join(stack.api_urls)),
        *("--run-id", run_id, "--hot-stock", str(options.hot_stock), *model),
        *("--history-dir", str(results)),
        *("--claim-statuses", statuses.as_option(), *passthrough),
        *("--headless", "--users", str(users), "--spawn-rate", str(spawn_rate)),
        *("--run-time", options.run_time, "--csv", str(results / "locust")),
        *("--html", str(results / "report.html"), "--only-summary", "--exit-code-on-error", "0"),
    ]
    if options.master:
        return [
            [
                *master,
                *("--master", "--master-bind-host", options.master_bind_host),
                *("--master-bind-port", str(options.master_bind_port)),
                *("--expect-workers", str(options.expect_workers)),
                *("--expect-workers-max-wait", str(options.expect_workers_max_wait)),
            ]
        ]
    if not options.workers:
        return [master]
    port = free_port()
    master += ["--master", "--master-bind-host", "127.0.0.1", "--master-bind-port", str(port)]
    master += ["--expect-workers", str(options.workers)]
    return [master] + [worker_command(options, "127.0.0.1", port)] * options.workers


def run_locust(commands: list[list[str]]) -> int:
    """The master's exit status, once it and this machine's workers are done."""
    master, *workers = commands
    # A SIGKILL of the harness takes locust with it (the master and this machine's workers).
    started = [subprocess.Popen(command, preexec_fn=die_with_parent) for command in workers]
    try:
        return subprocess.run(master, check=False, preexec_fn=die_with_parent).returncode
    except BaseException:  # Ctrl-C: run() killed the master, the workers would wait for it
        stop_all(started, grace=5)
        raise
    finally:
        for process in started:
            process.wait(timeout=60)
