"""Loopback ports for what the harness starts.

A port is checked free and then bound by another process (PostgreSQL, the API, the fault
proxy), so something else may take it in between. Under load the usual taker is an
outgoing connection: the kernel hands those ports from its ephemeral range (a CI run lost
a stack to `address already in use` on port 50325 that way). So the ports handed out
here come from below that range, where only a listener that binds them by number can.
"""

from __future__ import annotations

import functools
import random
import socket
from pathlib import Path

EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
LOWEST = 10_000  # below: well-known and registered services


@functools.cache
def listening_ports() -> range:
    """The ports to choose from: from LOWEST to just below the ephemeral range (Linux
    default 32768-60999, so 10000-32767); where that leaves too few, above it."""
    try:
        low, high = map(int, EPHEMERAL_RANGE.read_text().split())
    except (OSError, ValueError):
        low, high = 32_768, 60_999
    below, above = range(LOWEST, low), range(high + 1, 65_536)
    return below if len(below) >= len(above) else above


def free_port() -> int:
    """A port nothing listens on now, on 127.0.0.1."""
    return free_port_range(1).start


def free_port_range(count: int) -> range:
    """`count` consecutive ports nothing listens on now: compose publishes the replicas of
    a scaled service on a range."""
    ports = listening_ports()
    for _ in range(200):
        first = random.randrange(ports.start, ports.stop - count + 1)
        chosen = range(first, first + count)
        if all(_free(port) for port in chosen):
            return chosen
    raise OSError(f"no {count} consecutive free ports on 127.0.0.1 in {ports}")


def _free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True
