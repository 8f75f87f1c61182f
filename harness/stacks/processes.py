"""Child processes the harness owns: started so they cannot outlive it, stopped politely."""

from __future__ import annotations

import contextlib
import ctypes
import os
import pwd
import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import psutil

_PR_SET_PDEATHSIG = 1


class ProcessFailed(RuntimeError):
    """A program the harness ran to completion exited non-zero; the message has its output."""


def die_with_parent() -> None:
    # Ctrl-C, a crash or SIGKILL of pytest must not leave a database or an API running.
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def unprivileged_user() -> pwd.struct_passwd | None:
    """The account to run PostgreSQL as, when we are root (initdb refuses to run as root)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise ProcessFailed("running as root, and no 'postgres' or 'nobody' user to run PostgreSQL as")


def _become(user: pwd.struct_passwd | None) -> Callable[[], None]:
    def preexec() -> None:
        if user is not None:
            os.setgroups([])
            os.setgid(user.pw_gid)
            os.setuid(user.pw_uid)
        die_with_parent()  # after setuid: changing credentials clears the death signal

    return preexec


def run(
    argv: Sequence[str], *, as_user: pwd.struct_passwd | None = None, **kwargs
) -> subprocess.CompletedProcess[str]:
    """Run to completion; raise with the program's own output when it fails."""
    result = subprocess.run(
        argv,
        preexec_fn=_become(as_user),
        capture_output=True,
        text=True,
        **kwargs,
    )
    if result.returncode != 0:
        raise ProcessFailed(
            f"{Path(argv[0]).name} exited with {result.returncode}:\n{result.stdout}{result.stderr}"
        )
    return result


def start(
    argv: Sequence[str],
    *,
    log_path: Path,
    env: Mapping[str, str] | None = None,
    as_user: pwd.struct_passwd | None = None,
    cwd: Path | None = None,
) -> subprocess.Popen[bytes]:
    """Start in the background, stdout and stderr into `log_path`."""
    with open(log_path, "ab") as log:
        return subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=dict(env) if env is not None else None,
            cwd=cwd,
            preexec_fn=_become(as_user),
        )


def stop(
    process: subprocess.Popen[bytes], *, grace: float = 10.0, sig: int = signal.SIGTERM
) -> None:
    """Send `sig`, wait up to `grace` seconds, then kill."""
    stop_all([process], grace=grace, sig=sig)


def stop_all(
    processes: Sequence[subprocess.Popen[bytes]],
    *,
    grace: float = 10.0,
    sig: int = signal.SIGTERM,
) -> None:
    """`stop` for several at once: all signalled first, so their graceful shutdowns (an API
    finishing a backlog of slow requests) overlap rather than add up."""
    running = [process for process in processes if process.poll() is None]
    for process in running:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(sig)
    deadline = time.monotonic() + grace
    for process in running:
        try:
            process.wait(timeout=max(deadline - time.monotonic(), 0))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def signal_tree(pid: int, sig: int) -> None:
    """Send `sig` to a process and all its descendants, the parent first (so a stopped
    parent forks no child that would escape)."""
    os.kill(pid, sig)
    children = Path(f"/proc/{pid}/task/{pid}/children")
    for child in children.read_text().split() if children.exists() else ():
        with contextlib.suppress(ProcessLookupError):  # it exited meanwhile
            signal_tree(int(child), sig)


def tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(errors="replace")
    except FileNotFoundError:
        return "(no log written)"
    return "\n".join(text.splitlines()[-lines:]) or "(log is empty)"


def listening_ports(pid: int) -> list[int]:
    """The TCP ports a process and its children listen on (what an API that did not take
    the port it was given took instead)."""
    try:
        parent = psutil.Process(pid)
        family = [parent, *parent.children(recursive=True)]
    except psutil.Error:
        return []
    ports = set()
    for process in family:
        with contextlib.suppress(psutil.Error):
            ports |= {
                connection.laddr.port
                for connection in process.net_connections(kind="tcp")
                if connection.status == psutil.CONN_LISTEN
            }
    return sorted(ports)
