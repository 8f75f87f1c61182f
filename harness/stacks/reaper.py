"""A reaper that outlives the harness, as testcontainers' Ryuk does: a process of its own
session, told what the harness started, that takes it down when the harness goes away
without having done so itself (SIGKILL, a crash, the CI job cancelled).

The harness holds the write end of the reaper's stdin; the kernel closes it however the
harness ends. The reaper waits for that end of file: after `done` it exits, else it stops
every process whose command line names the thing (a `docker compose up` still building),
then runs the command that takes it down, until nothing of it is left."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, cast

import psutil

DONE = "done"
ATTEMPTS = 3  # a `down` while a killed `up` is still being undone can miss a container


@contextmanager
def reaped(name: str, down: Sequence[str], left: Sequence[str], log: Path) -> Iterator[None]:
    """While inside: if the harness dies, `down` is run for `name` (a unique name, which
    the command lines of its processes hold) until `left` prints nothing. Leaving the block
    normally, or by an exception, means the harness took it down itself."""
    order = json.dumps({"name": name, "down": list(down), "left": list(left)})
    with open(log, "ab") as output:
        reaper = subprocess.Popen(
            [sys.executable, __file__],  # a script: it imports nothing of the harness
            stdin=subprocess.PIPE,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C in the terminal reaches the harness, not it
            text=True,
        )
    orders = cast(IO[str], reaper.stdin)
    orders.write(order + "\n")
    orders.flush()
    try:
        yield
    finally:
        with contextlib.suppress(BrokenPipeError):
            orders.write(DONE + "\n")
            orders.close()
        reaper.wait()


def stop_processes_naming(name: str) -> None:
    """SIGKILL every process (but this one) whose command line holds `name`."""
    for process in psutil.process_iter(["pid", "cmdline"]):
        words = process.info["cmdline"] or []
        if process.pid != psutil.Process().pid and any(name in word for word in words):
            with contextlib.suppress(psutil.Error):
                process.kill()


def take_down(order: dict, say: Callable[[str], None]) -> None:
    stop_processes_naming(order["name"])
    for attempt in range(1, ATTEMPTS + 1):
        subprocess.run(order["down"], capture_output=True, timeout=600)
        left = subprocess.run(order["left"], capture_output=True, text=True, timeout=60).stdout
        if not left.strip():
            say(f"reaper: took {order['name']} down after the harness went away")
            return
        time.sleep(attempt)
    say(f"reaper: {order['name']} still has {left.split()} after {ATTEMPTS} attempts")


def main() -> None:
    order = json.loads(sys.stdin.readline() or "null")
    rest = sys.stdin.read()  # until the harness closes its end, however it ends
    if order is not None and rest.strip() != DONE:
        take_down(order, lambda line: print(line, flush=True))


if __name__ == "__main__":
    main()
