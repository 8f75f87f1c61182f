"""A throw-away PostgreSQL server in a temporary directory, on a loopback port."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from ..inspect.init_scripts import InitScripts
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


_PSQL_ERROR = re.compile(r"^psql:.*?:(\d+): (?:ERROR|FATAL):\s+")


class SchemaError(ValueError):
    """The project's schema file does not load: PostgreSQL's own message says why."""


# The superuser of the template cluster. Each stack's own user (random, or the credentials
# under test) is created in its copy, so one initdb serves every stack on the machine.
BOOTSTRAP_USER = "coupon_harness_bootstrap"


def cluster_template(binaries: PgBinaries, owner) -> Path:
    """A cluster made by initdb once per machine, binaries and owner, copied for each stack
    (initdb takes 0.95 s here, the copy 0.2 s, and the suite starts over a hundred stacks
    in `nox -s tests`). Made aside and renamed into place, so that concurrent runs never
    see half a template."""
    key = f"{binaries.bindir}|{binaries.version}|{owner.pw_uid if owner else os.getuid()}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    template = Path(tempfile.gettempdir()) / f"coupon-pg-template-{digest}"
    if (template / "PG_VERSION").is_file():
        return template
    staging = Path(tempfile.mkdtemp(prefix="coupon-pg-template-staging-"))
    try:
        if owner is not None:
            os.chown(staging, owner.pw_uid, owner.pw_gid)
        processes.run(
            [
                binaries.tool("initdb"),
                "--pgdata",
                str(staging / "pgdata"),
                "--username",
                BOOTSTRAP_USER,
                "--auth-host=scram-sha-256",
                "--auth-local=trust",
                "--encoding=UTF8",
                "--no-locale",
                "--no-sync",
            ],
            as_user=owner,
        )
        with contextlib.suppress(OSError):  # another run put its template there first
            os.rename(staging / "pgdata", template)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return template


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
        self.schema: InitScripts | None = None  # what create_database loaded

    def initialise(self) -> None:
        """The data directory: a copy of the machine's template cluster."""
        if self.owner is not None:
            os.chown(self.workdir, self.owner.pw_uid, self.owner.pw_gid)
        template = cluster_template(self.binaries, self.owner)
        processes.run(["cp", "-a", str(template), str(self.datadir)], as_user=self.owner)

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
            lambda: self.add_user() or self.accepts_connections(),
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

    def add_user(self) -> None:
        """The credentials' user as a superuser with its password (once per cluster), over
        the local socket as the template's superuser."""
        with psycopg.connect(
            host=str(self.datadir),
            port=self.credentials.port,
            user=BOOTSTRAP_USER,
            dbname="postgres",
            autocommit=True,
        ) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_roles WHERE rolname = %s", (self.credentials.user,)
            ).fetchone()
            if not exists:
                conn.execute(
                    sql.SQL("CREATE ROLE {} SUPERUSER LOGIN PASSWORD {}").format(
                        sql.Identifier(self.credentials.user),
                        sql.Literal(self.credentials.password),
                    )
                )

    def create_database(self, schema: InitScripts | None) -> None:
        """The database of the credentials, with the schema's files run in it in turn, as
        the postgres image's entrypoint runs them; none given, it is left empty for the
        API to make its own tables."""
        try:
            with psycopg.connect(self.credentials.dsn("postgres"), autocommit=True) as conn:
                conn.execute(
                    psycopg.sql.SQL("CREATE DATABASE {}").format(
                        psycopg.sql.Identifier(self.credentials.dbname)
                    )
                )
        except psycopg.Error as exc:
            raise SchemaError(str(exc).strip()) from None
        for path in schema.files if schema else ():
            try:
                self.run_init_file(path)
            except SchemaError as exc:
                which = f"{path.name}: " if len(schema.files) > 1 else ""
                raise SchemaError(which + str(exc)) from None
        self.schema = schema

    def run_init_file(self, path: Path) -> None:
        """One file through psql, as the image's entrypoint runs it (`psql -v ON_ERROR_STOP=1
        -f FILE`): statement by statement, outside any transaction the file does not open,
        so `CREATE DATABASE` and `\\connect` work. Without psql (some PostgreSQL wheels),
        the file as one query, which fits files of plain DDL."""
        psql = self.binaries.bindir / "psql"
        if not psql.is_file():
            try:
                with psycopg.connect(self.credentials.dsn()) as conn:
                    conn.execute(path.read_text())
            except psycopg.Error as exc:
                raise SchemaError(str(exc).strip()) from None
            return
        loaded = subprocess.run(
            [
                *(str(psql), "-v", "ON_ERROR_STOP=1", "--no-psqlrc", "--no-password", "-q"),
                *("-d", self.credentials.dsn(), "-f", str(path)),
            ],
            capture_output=True,
            text=True,
            errors="replace",
            env={**os.environ, "PGCONNECT_TIMEOUT": "10"},
        )
        if loaded.returncode != 0:
            said = loaded.stderr.strip() or f"psql exited with {loaded.returncode}"
            # psql:/path/init.sql:3: ERROR:  syntax error ... -> line 3: syntax error ...
            raise SchemaError(_PSQL_ERROR.sub(r"line \1: ", said, count=1))

    def tables(self) -> list[str]:
        """The tables of the credentials' database, outside PostgreSQL's own schemas."""
        with psycopg.connect(self.credentials.dsn(), autocommit=True) as conn:
            rows = conn.execute(
                "SELECT schemaname || '.' || tablename FROM pg_tables "
                "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
            ).fetchall()
        return [name for (name,) in rows]

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
