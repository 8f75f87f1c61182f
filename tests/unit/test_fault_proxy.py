"""The fault proxy, run as the local stack runs it, in front of an echo server on loopback."""

from __future__ import annotations

import contextlib
import dataclasses
import socket
import socketserver
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from harness.stacks.db_network import DbNetwork
from harness.stacks.local import embedded_database, local_proxy


class Echo(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        # A reset is what the reset test makes: without this, socketserver prints its
        # traceback from the handler's thread, into whichever test runs then.
        with contextlib.suppress(ConnectionResetError):
            while data := self.request.recv(65536):
                self.request.sendall(data)


@pytest.fixture
def proxied(tmp_path: Path) -> Iterator[tuple[int, DbNetwork]]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Echo)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with local_proxy(server.server_address[1], tmp_path / "proxy.log", 10) as proxy:
            yield proxy
    finally:
        server.shutdown()


def connect(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=5)


def round_trip(sock: socket.socket, data: bytes = b"ping") -> bytes:
    sock.sendall(data)
    return sock.recv(65536)


def test_forwards_both_ways_and_counts(proxied) -> None:
    port, network = proxied
    with connect(port) as sock:
        assert round_trip(sock, b"hello") == b"hello"
        stats = network.stats()
    assert (stats.accepted, stats.open, stats.bytes_up, stats.bytes_down) == (1, 1, 5, 5)


def test_latency_delays_each_way_until_healed(proxied) -> None:
    port, network = proxied
    with connect(port) as sock:
        network.add_latency(0.1)
        began = time.monotonic()
        assert round_trip(sock) == b"ping"
        assert time.monotonic() - began >= 0.2  # 0.1 s up, 0.1 s down
        network.heal()
        assert round_trip(sock) == b"ping"


def test_reset_breaks_open_connections_with_a_reset(proxied) -> None:
    port, network = proxied
    with connect(port) as sock:
        assert round_trip(sock) == b"ping"
        network.reset_connections()
        with pytest.raises(ConnectionResetError):
            round_trip(sock)
    with connect(port) as sock:  # new connections go through again
        assert round_trip(sock) == b"ping"


def test_blackhole_holds_bytes_until_healed(proxied) -> None:
    port, network = proxied
    with connect(port) as sock:
        network.blackhole()
        sock.sendall(b"held")
        sock.settimeout(0.5)
        with pytest.raises(TimeoutError):
            sock.recv(65536)
        with connect(port) as late:  # accepted, and held too
            late.settimeout(0.5)
            late.sendall(b"late")
            with pytest.raises(TimeoutError):
                late.recv(65536)
            network.heal()
            late.settimeout(5)
            assert late.recv(65536) == b"late"
        sock.settimeout(5)
        assert sock.recv(65536) == b"held"


def test_refuses_an_unknown_command(proxied) -> None:
    _, network = proxied
    with pytest.raises(ValueError, match="unknown command 'flood'"):
        network._send("flood")


def test_a_cut_commit_happened_but_its_answer_never_came(tmp_path: Path) -> None:
    """`cut-commits N` in front of real PostgreSQL: the next commit (an autocommitted
    statement, then a COMMIT) is done by the database, and the client gets a broken
    connection instead of its answer: the moment a retry is wrong, made deterministic."""
    root = Path(__file__).parents[2]
    with (
        embedded_database(root) as database,
        local_proxy(database.credentials.port, tmp_path / "proxy.log", 10) as (port, network),
    ):
        through = dataclasses.replace(database.credentials, port=port).dsn()
        insert = "INSERT INTO coupons (name, amount, remaining_amount) VALUES (%s, 1, 1)"
        for name, autocommit in (("autocommitted", True), ("committed", False)):
            with psycopg.connect(through, autocommit=autocommit) as conn:
                conn.execute("SELECT 1")  # a read's answer comes: only a commit is cut
                if not autocommit:
                    conn.commit()
                network.cut_commits(1)
                with pytest.raises(psycopg.OperationalError):
                    conn.execute(insert, (name,))
                    conn.commit()
        with psycopg.connect(database.credentials.dsn()) as direct:
            stored = direct.execute("SELECT name FROM coupons ORDER BY name").fetchall()
        assert stored == [("autocommitted",), ("committed",)]
        assert (network.stats().commits_cut, network.stats().commits_to_cut) == (2, 0)
        with psycopg.connect(through) as conn:  # then everything goes through again
            assert conn.execute("SELECT count(*) FROM coupons").fetchone() == (2,)
