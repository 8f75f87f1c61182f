"""A throw-away PostgreSQL server in a temporary directory, on a loopback port."""

from __future__ import annotations

import os
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

import psycopg

from . import processes
from .pg_binaries import PgBinaries
from .waiting import wait_until


@dataclass(frozen=True)
class DbCredentials:
    host: str
    port: int
    user: str
    password: str
    dbname: str

    def dsn(self, dbname: str | None = None) -> str:
        return psycopg.conninfo.make_conninfo(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password,
            dbname=dbname or self.dbname,
        )


class SchemaError(ValueError):
    """The project's schema file does not load: PostgreSQL's own message says why."""


class EmbeddedPostgres:
    """initdb, start, create the database, load the schema; stop and forget on exit."""

    def __init__(
        self, binaries: PgBinaries, workdir: Path, credentials: DbCredentials, timeout: float
    ) -> None:
        self.binaries = binaries
        self.timeout = timeout  # how long start() waits for connections
        self.datadir = workdir / "pgdata"
        self.log_path = workdir / "postgres.log"
        self.credentials = credentials
        self.owner = processes.unprivileged_user()
        self.process: subprocess.Popen[bytes] | None = None
        self.workdir = workdir

    def initialise(self) -> None:
        password_file = self.workdir / "pwfile"
        password_file.write_text(self.credentials.password + "\n")
        if self.owner is not None:
            for path in (self.workdir, password_file):
                os.chown(path, self.owner.pw_uid, self.owner.pw_gid)
        processes.run(
            [
                self.binaries.tool("initdb"),
                "--pgdata",
                str(self.datadir),
                "--username",
                self.credentials.user,
                f"--pwfile={password_file}",
                "--auth-host=scram-sha-256",
                "--auth-local=trust",
                "--encoding=UTF8",
                "--no-locale",
                "--no-sync",
            ],
            as_user=self.owner,
        )
        password_file.unlink()

    def start(self) -> None:
        self.process = processes.start(
            [
                self.binaries.tool("postgres"),
                "-D",
                str(self.datadir),
                "-p",
                str(self.credentials.port),
                "-c",
                f"listen_addresses={self.credentials.host}",
                "-c",
                f"unix_socket_directories={self.datadir}",
                "-c",
                "max_connections=300",
            ],
            log_path=self.log_path,
            as_user=self.owner,
        )
        process = self.process
        wait_until(
            self.accepts_connections,
            what=f"PostgreSQL on {self.credentials.host}:{self.credentials.port}",
            timeout=self.timeout,
            give_up=lambda: (
                process.poll() is not None
                and f"postgres exited with {process.returncode}; its log:\n"
                + processes.tail(self.log_path)
            ),
        )

    def accepts_connections(self) -> bool:
        with psycopg.connect(self.credentials.dsn("postgres"), connect_timeout=2):
            return True

    def create_database(self, schema_sql: str) -> None:
        """The database of the credentials, with `schema_sql` run in it."""
        try:
            with psycopg.connect(self.credentials.dsn("postgres"), autocommit=True) as conn:
                conn.execute(
                    psycopg.sql.SQL("CREATE DATABASE {}").format(
                        psycopg.sql.Identifier(self.credentials.dbname)
                    )
                )
            with psycopg.connect(self.credentials.dsn()) as conn:
                conn.execute(schema_sql)
        except psycopg.Error as exc:
            raise SchemaError(str(exc).strip()) from None

    def pause(self) -> None:
        """Every PostgreSQL process stopped (SIGSTOP): connections stay open, nothing answers."""
        assert self.process is not None, "pause() before start()"
        processes.signal_tree(self.process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None, "resume() before start()"
        processes.signal_tree(self.process.pid, signal.SIGCONT)

    def stop(self, *, immediate: bool = False) -> None:
        """Fast shutdown by default; immediate is a crash as far as the data is concerned."""
        if self.process is not None:
            processes.stop(self.process, sig=signal.SIGQUIT if immediate else signal.SIGINT)
