"""The network between the API and PostgreSQL, as the fault tests see it: the fault proxy
(fault_proxy.py) in between, commanded over its control port."""

from __future__ import annotations

import json
import socket
from dataclasses import dataclass
from pathlib import Path

PROXY_SCRIPT = Path(__file__).with_name("fault_proxy.py")


@dataclass(frozen=True)
class ProxyStats:
    accepted: int  # connections the API opened through the proxy, ever
    open: int
    bytes_up: int
    bytes_down: int
    commits_to_cut: int  # still to cut (cut_commits)
    commits_cut: int  # cut, ever


class DbNetwork:
    """Commands to the proxy; each returns what it then counts."""

    def __init__(self, control: tuple[str, int]) -> None:
        self.control = control

    def _send(self, line: str) -> ProxyStats:
        with socket.create_connection(self.control, timeout=5) as sock:
            sock.sendall(line.encode() + b"\n")
            answer = json.loads(sock.makefile().readline())
        if "error" in answer:
            raise ValueError(f"fault proxy refused {line!r}: {answer['error']}")
        return ProxyStats(**{key: answer[key] for key in ProxyStats.__dataclass_fields__})

    def add_latency(self, seconds: float) -> ProxyStats:
        return self._send(f"latency {seconds}")

    def reset_connections(self) -> ProxyStats:
        return self._send("reset")

    def cut_commits(self, count: int) -> ProxyStats:
        """The next `count` commits' answers withheld, their connections reset then."""
        return self._send(f"cut-commits {count}")

    def blackhole(self) -> ProxyStats:
        return self._send("blackhole")

    def heal(self) -> ProxyStats:
        return self._send("heal")

    def stats(self) -> ProxyStats:
        return self._send("stats")

    def answers(self) -> bool:
        try:
            self.stats()
            return True
        except OSError:
            return False
