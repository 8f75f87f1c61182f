"""Whether the run that writes a report folder finished: `run-status.json`, written when the
run starts and again when it ends, so a folder left by a run that was killed (SIGKILL, a
machine gone) says so, and `check` still judges the runs it kept before it died."""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path

FILE = "run-status.json"
RUNNING, FINISHED, INTERRUPTED = "running", "finished", "interrupted"


def mark(folder: Path, status: str, detail: str = "") -> None:
    """Written aside and renamed: whoever reads it sees the old status or the new one."""
    folder.mkdir(parents=True, exist_ok=True)
    fields = {
        "status": status,
        "pid": os.getpid(),
        "host": socket.gethostname(),  # a pid means something only there
        "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    if detail:
        fields["detail"] = detail
    aside = folder / f".{FILE}.partial"
    aside.write_text(json.dumps(fields) + "\n")
    aside.replace(folder / FILE)


def how_it_ended(folder: Path) -> str | None:
    """One line when the run that wrote `folder` did not finish (None when it did, or when
    nothing says: a folder from before run-status.json, a single run's folder)."""
    try:
        fields = json.loads((folder / FILE).read_text())
        status, pid = fields["status"], int(fields["pid"])
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return f"{FILE} cannot be read ({exc.__class__.__name__}): whether the run ended is unknown"
    if status == INTERRUPTED:
        return f"the run was interrupted: {fields.get('detail') or 'no detail'}"
    if status == RUNNING and fields.get("host", socket.gethostname()) != socket.gethostname():
        return (
            f"the run on {fields['host']} never marked its end (since {fields.get('at', '?')}): "
            "killed, or still going there; only the runs it kept by then are here"
        )
    if status == RUNNING and not _alive(pid):
        return (
            f"the run was killed before it ended (process {pid} is gone, since "
            f"{fields.get('at', '?')}): only the runs it kept by then are here"
        )
    if status == RUNNING:
        return f"the run is still going (process {pid}): more runs may be kept"
    return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True
