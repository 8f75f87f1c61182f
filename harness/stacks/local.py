"""The embedded stack: PostgreSQL in a temp dir, the API as a subprocess, no Docker."""

from __future__ import annotations

import importlib.util
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from pathlib import Path

from ..blocked import INIT_FILE
from ..inspect.init_scripts import INIT_DIR, STORY_INIT_SQL, InitScripts
from ..inspect.layout import ProjectLayout, read_layout
from . import processes
from .credentials import random_credentials
from .db_network import PROXY_SCRIPT, DbNetwork
from .embedded_postgres import DbCredentials, EmbeddedPostgres, SchemaError
from .pg_binaries import find_pg_binaries
from .ports import free_port
from .spec import REFERENCE_API_CMD, StackSpec
from .stack import Stack, StackError, stack_step, startup_race, wait_for_api
from .waiting import NotReady, wait_until

# What can go wrong while PostgreSQL is set up, each said in one line by the stack.
DATABASE_FAILURES = (processes.ProcessFailed, NotReady, SchemaError, FileNotFoundError)


def story_environment(db: DbCredentials, api_port: int) -> dict[str, str]:
    """The variables of story 1.2 that an implementation reads its settings from."""
    return {
        "SERVER_HOST": "127.0.0.1",
        "SERVER_PORT": str(api_port),
        "DB_HOST": db.host,
        "DB_PORT": str(db.port),
        "DB_USER": db.user,
        "DB_PASSWORD": db.password,
        "DB_NAME": db.dbname,
        "DB_SSLMODE": "disable",
        "LOG_LEVEL": "info",
    }


class ApiProcess:
    """The API under test as a child process, with its environment and log."""

    def __init__(
        self, options: StackSpec, database: DbCredentials, workdir: Path, instance: int = 1
    ) -> None:
        self.options = options
        self.instance = instance
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = workdir / f"api-{instance}.log"
        self.env = {**os.environ, **story_environment(database, self.port)}
        self.process: subprocess.Popen[bytes] | None = None

    def launch(self) -> None:
        """The process started; `wait_until_serving` then waits for it to answer."""
        command = shlex.split(self.options.api_cmd)
        with stack_step(f"API command `{self.options.api_cmd}` did not start", OSError):
            self.process = processes.start(
                command, log_path=self.log, env=self.env, cwd=self.options.layout.project_dir
            )

    def wait_until_serving(self) -> None:
        started = self.process
        assert started is not None, "wait_until_serving() before launch()"
        try:
            wait_for_api(
                self.url,
                timeout=self.options.startup_timeout,
                give_up=lambda: (
                    started.poll() is not None and f"the API exited with {started.returncode}"
                ),
            )
        except NotReady as exc:
            log = processes.tail(self.log)
            of = f" (instance {self.instance} of {self.options.instances})"
            raise StackError(
                f"API command `{self.options.api_cmd}`{of if self.options.instances > 1 else ''}"
                f" did not come up: {exc}{self.startup_hint(log)}",
                f"--- its log ({self.log}) ---\n{log}",
            ) from None

    def startup_hint(self, log: str) -> str:
        """What the observation points to, and what to try: a start-up race between
        instances, an API still starting at the timeout."""
        options = self.options
        if self.process is not None and self.process.poll() is None:
            if self.other_ports():
                return ""  # it serves elsewhere: start_apis says so
            return (
                f"; it was still running at --startup-timeout {options.startup_timeout:g} s "
                "(give a slow start more with --startup-timeout)"
            )
        return startup_race(log, options.instances)

    def other_ports(self) -> list[int]:
        """The ports it listens on that are not the SERVER_PORT it was given."""
        if self.process is None or self.process.poll() is not None:
            return []
        return [port for port in processes.listening_ports(self.process.pid) if port != self.port]


def stop_apis(apis: list[ApiProcess]) -> None:
    processes.stop_all([api.process for api in apis if api.process is not None])


def start_apis(apis: list[ApiProcess]) -> tuple[list[ApiProcess], StackError | None]:
    """Every instance launched at once, as `compose up --scale` and a rollout start
    replicas, then each waited for: their start-ups overlap, and so do any schema
    migrations they run. Returns the instances serving and, when some of them did not come
    up, why; raises only when none did."""
    for api in apis:
        api.launch()
    serving, failures = [], []
    for api in apis:
        try:
            api.wait_until_serving()
            serving.append(api)
        except StackError as exc:
            failures.append(exc)
    if not failures:
        return serving, None
    some = f"{len(failures)} of {len(apis)} instances started together did not come up: "
    why = StackError(
        (some if serving else "")
        + "; ".join(exc.reason for exc in failures)
        + _port_not_read(apis),
        "\n".join(exc.detail for exc in failures),
    )
    if not serving:
        raise why
    return serving, why


def _port_not_read(apis: list[ApiProcess]) -> str:
    """Why, when an instance listens on a port of its own choosing (and the next one, on
    the same port, cannot start): the story's API reads SERVER_PORT."""
    strays = [(api, ports) for api in apis if (ports := api.other_ports())]
    if not strays:
        return ""
    api, ports = strays[0]
    return (
        f"; instance {api.instance} listens on port {', '.join(map(str, ports))}, not on the "
        f"SERVER_PORT={api.port} it was given: story 1.2's API reads its port and its "
        "database from the environment "
        "(one configured otherwise can be judged where it runs: --stack=external --api-url "
        "URL --dsn DSN)"
    )


class LocalFaults:
    """Faults on the embedded stack: the database crashed and restarted in place, or paused
    (SIGSTOP) and resumed; every API process stopped with SIGTERM and started again on its
    port; the network to the database disturbed, where the API reaches it through the
    fault proxy."""

    def __init__(
        self, database: EmbeddedPostgres, apis: list[ApiProcess], db_network: DbNetwork | None
    ) -> None:
        self.database, self.apis, self.db_network = database, apis, db_network

    def kill_database(self) -> None:
        self.database.stop(immediate=True)

    def start_database(self) -> None:
        with stack_step("PostgreSQL did not come back", *DATABASE_FAILURES):
            self.database.start()

    def pause_database(self) -> None:
        self.database.pause()

    def resume_database(self) -> None:
        self.database.resume()

    def restart_api(self) -> None:
        stop_apis(self.apis)
        _, unstarted = start_apis(self.apis)
        if unstarted is not None:
            raise unstarted


@contextmanager
def local_proxy(upstream_port: int, log: Path, timeout: float) -> Iterator[tuple[int, DbNetwork]]:
    """The proxy as a child process on loopback, in front of PostgreSQL at `upstream_port`:
    the port the API is to use, and the proxy's controls."""
    listen, control = free_port(), free_port()
    argv = [
        sys.executable,
        str(PROXY_SCRIPT),
        f"--listen=127.0.0.1:{listen}",
        f"--upstream=127.0.0.1:{upstream_port}",
        f"--control=127.0.0.1:{control}",
    ]
    process = processes.start(argv, log_path=log)
    network = DbNetwork(("127.0.0.1", control))
    try:
        wait_until(
            network.answers,
            what="the fault proxy to listen",
            timeout=timeout,
            give_up=lambda: process.poll() is not None and f"it exited with {process.returncode}",
        )
    except NotReady:
        processes.stop(process)
        raise StackError("the fault proxy did not start", processes.tail(log)) from None
    try:
        yield listen, network
    finally:
        processes.stop(process)


@contextmanager
def embedded_database(
    project: Path | ProjectLayout,
    pg_bin: Path | None = None,
    startup_timeout: float = 30.0,
    credentials: DbCredentials | None = None,
) -> Iterator[EmbeddedPostgres]:
    """PostgreSQL in a temporary directory, with the project's schema loaded (scripts/init.sql,
    else what its compose file mounts into the init directory); with none, an empty
    database, as the postgres image gives, for the API to make its tables in (the missing
    file is 1.2-AC4.init-file's one finding). Random credentials unless given."""
    layout = project if isinstance(project, ProjectLayout) else read_layout(project)
    schema = layout.init
    with stack_step("no PostgreSQL to run", FileNotFoundError):
        binaries = find_pg_binaries(pg_bin)
    workdir = Path(tempfile.mkdtemp(prefix="coupon-stack-"))
    database: EmbeddedPostgres | None = None
    try:
        with stack_step("PostgreSQL did not start", *DATABASE_FAILURES):
            database = EmbeddedPostgres(
                binaries, workdir, credentials or random_credentials(), startup_timeout
            )
            database.initialise()
            database.start()
        with stack_step(f"{schema_origin(schema)} does not load", SchemaError, root=INIT_FILE):
            database.create_database(schema)
        yield database
    finally:
        if database is not None:
            database.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def schema_origin(schema: InitScripts | None) -> str:
    if schema is None:
        return (
            f"none of the project's files (no {STORY_INIT_SQL}, no .sql mounted into "
            f"{INIT_DIR}: the API makes its own)"
        )
    return schema.origin


def require_reference_extra(options: StackSpec) -> None:
    """One line, before anything starts, when the API to start is the reference and its
    dependencies (an extra of the package) are not installed."""
    if options.api_cmd == REFERENCE_API_CMD and importlib.util.find_spec("fastapi") is None:
        raise StackError(
            "the reference API (the default --api-cmd) needs the `reference` extra: pip "
            "install 'coupon-acceptance[reference]'; or judge your own with --api-cmd CMD"
        )


@contextmanager
def local_stack(options: StackSpec) -> Iterator[Stack]:
    require_reference_extra(options)
    with (
        embedded_database(
            options.layout, options.pg_bin, options.startup_timeout, options.credentials
        ) as database,
        ExitStack() as cleanup,
    ):
        api_database, db_network = database.credentials, None
        if options.db_proxy:
            port, db_network = cleanup.enter_context(
                local_proxy(
                    database.credentials.port,
                    database.workdir / "fault-proxy.log",
                    options.startup_timeout,
                )
            )
            api_database = replace(api_database, port=port)
        apis = [
            ApiProcess(options, api_database, database.workdir, instance)
            for instance in range(1, options.instances + 1)
        ]
        try:
            serving, unstarted = start_apis(apis)
            if database.schema is None and not database.tables():
                raise StackError(
                    f"{options.layout.project_dir / STORY_INIT_SQL} not found, the compose "
                    f"file mounts no .sql into {INIT_DIR}, and the API made no table at "
                    "start-up: there is nothing to judge its behaviour on",
                    root=INIT_FILE,
                )
            urls = tuple(api.url for api in serving)
            yield Stack(
                kind="local",
                api_urls=urls,
                dsn=database.credentials.dsn(),
                description=(
                    f"local: {database.binaries.version} ({database.binaries.origin}), "
                    f"schema from {schema_origin(database.schema)}; "
                    f"API `{options.api_cmd}`, {len(urls)} instance(s) at {', '.join(urls)}"
                    + (f" ({len(apis) - len(urls)} did not come up)" if unstarted else "")
                    + (" (to PostgreSQL through the fault proxy)" if db_network else "")
                ),
                faults=LocalFaults(database, serving, db_network),
                unstarted=unstarted,
            )
        finally:
            stop_apis(apis)
