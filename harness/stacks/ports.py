"""Loopback ports for what the harness starts."""

from __future__ import annotations

import random
import socket


def free_port() -> int:
    """A port nothing listens on now (the kernel's pick), on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def free_port_range(count: int) -> range:
    """`count` consecutive ports nothing listens on now: compose publishes the replicas of
    a scaled service on a range."""
    for _ in range(200):
        first = random.randrange(20_000, 32_000)
        ports = range(first, first + count)
        if all(_free(port) for port in ports):
            return ports
    raise OSError(f"no {count} consecutive free ports on 127.0.0.1")


def _free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True
