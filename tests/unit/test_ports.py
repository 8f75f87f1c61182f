"""The harness's ports are ones an outgoing connection cannot take before they are bound."""

from __future__ import annotations

import socket

from harness.stacks.ports import EPHEMERAL_RANGE, free_port, free_port_range


def ephemeral() -> range:
    low, high = map(int, EPHEMERAL_RANGE.read_text().split())
    return range(low, high + 1)


def test_ports_come_from_outside_the_ephemeral_range() -> None:
    taken = ephemeral()
    ports = [free_port() for _ in range(50)] + list(free_port_range(4))
    assert not [port for port in ports if port in taken]


def test_a_free_port_can_be_bound() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", free_port()))
