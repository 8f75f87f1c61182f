"""The compose stack's life cycle: the project's own docker-compose.yml brought up with
pytest-docker's executor (usable outside pytest: `load --stack compose` opens it too), the
stack on the api replicas that came up, faults through compose, and `down` whatever
happens, by the harness or, when it is killed, by its reaper."""

from __future__ import annotations

import shlex
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from pytest_docker.plugin import DockerComposeExecutor

from .compose_project import DOWN, ComposeProject, new_project, up_args
from .reaper import reaped
from .spec import StackSpec
from .stack import Stack, StackError, stack_step, startup_race, wait_for_api
from .waiting import NotReady, wait_until


def database_dsn(project: ComposeProject) -> str:
    """Credentials as compose resolved them for the postgres service, on its published port."""
    environment = project.config()["services"][project.database].get("environment") or {}
    user = environment.get("POSTGRES_USER") or "postgres"
    return psycopg.conninfo.make_conninfo(
        host="127.0.0.1",
        port=project.port(project.database, 5432),
        user=user,
        password=environment.get("POSTGRES_PASSWORD") or "",
        dbname=environment.get("POSTGRES_DB") or user,
    )


class ComposeFaults:
    """Faults on the compose stack, through `docker compose` itself."""

    def __init__(self, project: ComposeProject, dsn: str, timeout: float) -> None:
        self.project, self.dsn = project, dsn
        self.timeout = timeout  # bounds each wait for a service to come back
        self.db_network = project.db_network()

    def kill_database(self) -> None:
        self.project.run("kill", self.project.database)

    def start_database(self) -> None:
        self.project.run("start", self.project.database)

        def accepts() -> bool:
            psycopg.connect(self.dsn, connect_timeout=2).close()
            return True

        with stack_step("postgres did not come back", NotReady):
            wait_until(accepts, what="postgres after restart", timeout=self.timeout)

    def pause_database(self) -> None:
        self.project.run("pause", self.project.database)

    def resume_database(self) -> None:
        self.project.run("unpause", self.project.database)

    def restart_api(self) -> None:
        self.project.run("restart", self.project.api)
        with stack_step("api did not come back", NotReady):
            for url in self.project.api_urls():
                wait_for_api(url, timeout=self.timeout)


def up_failure(project: ComposeProject, output: str) -> StackError:
    """What a failed `up` says: compose's last line, its whole output and the logs."""
    logs = project.logs()
    lines = [line.strip(' ".') for line in output.splitlines() if line.strip(' ".')]
    return StackError(
        f"`docker compose up --build` failed: {lines[-1] if lines else 'no output'}",
        f"{output}\n--- docker compose logs ---\n{logs}",
    )


def partly_up(project: ComposeProject, output: str) -> None:
    """After an `up` that failed: nothing, when the database and an api replica run while
    another replica exited (replicas start together, and one that lost a start-up race
    exits, which `compose_stack` then reports); else the `up`'s failure."""
    containers = project.containers()
    running = {entry["Service"] for entry in containers if entry.get("State") == "running"}
    exited = {entry["Service"] for entry in containers if entry.get("State") == "exited"}
    # Replicas that all run and never got healthy are the `up`'s own failure.
    if not {project.database, project.api} <= running or project.api not in exited:
        raise up_failure(project, output)


def serving_replicas(
    project: ComposeProject, timeout: float
) -> tuple[tuple[str, ...], StackError | None]:
    """The api replicas that answer HTTP, and why the others do not (None when all do);
    raises when none does."""
    serving, failures = [], []
    for replica in project.api_replicas():
        try:
            if replica.url is None:
                raise NotReady(f"it exited with {replica.exit_code}")
            wait_for_api(replica.url, timeout=timeout, give_up=replica.gone)
            serving.append(replica.url)
        except NotReady as exc:
            log = replica.logs()
            failures.append(
                (f"{replica.name}: {exc}{startup_race(log, project.instances)}", replica, log)
            )
    if not failures:
        return tuple(serving), None
    reasons = "; ".join(reason for reason, _, _ in failures)
    detail = "\n".join(f"--- {replica.name}'s log ---\n{log}" for _, replica, log in failures)
    if not serving:
        raise StackError(reasons, f"{detail}\n--- docker compose logs ---\n{project.logs()}")
    return tuple(serving), StackError(
        f"{len(failures)} of {len(serving) + len(failures)} replicas of {project.api}, "
        f"started together by `up --scale {project.api}={project.instances}`, did not come "
        f"up: {reasons}",
        detail,
    )


def compose_stack(project: ComposeProject, timeout: float) -> Stack:
    """The running project, on the api replicas that came up (`unstarted` says why the
    others did not)."""
    urls, unstarted = serving_replicas(project, timeout)
    dsn = database_dsn(project)
    return Stack(
        kind="compose",
        api_urls=urls,
        dsn=dsn,
        description=(
            f"compose: project {project.name} from {project.files[0]}; "
            f"api, {len(urls)} instance(s) at {', '.join(urls)}"
            + (f" ({project.instances - len(urls)} did not come up)" if unstarted else "")
            + (" (to postgres through the fault proxy)" if project.fault_proxy else "")
        ),
        faults=ComposeFaults(project, dsn, timeout),
        unstarted=unstarted,
        compose=project,
    )


@contextmanager
def compose_up(spec: StackSpec) -> Iterator[Stack]:
    """`up --build --wait` of the spec's project, the stack on the replicas that came up,
    then `down`, whatever happened; compose's logs are kept in the workdir."""
    workdir = spec.workdir or Path(tempfile.mkdtemp(prefix="coupon-compose-"))
    workdir.mkdir(parents=True, exist_ok=True)
    project = new_project(
        spec.layout,
        workdir,
        spec.compose_files,
        spec.env_file,
        spec.instances,
        spec.fault_proxy_image,
    )
    executor = DockerComposeExecutor(project.command, [str(f) for f in project.files], project.name)
    # Whatever ends the harness (SIGKILL included), the project goes down with it.
    left = ["docker", "ps", "-aq", "--filter", f"label=com.docker.compose.project={project.name}"]
    with reaped(project.name, project.argv(*DOWN), left, workdir / "reaper.log"):
        try:
            try:
                up = up_args(spec.startup_timeout, spec.instances, project.api)
                executor.execute(shlex.join(up))
            except Exception as exc:  # pytest-docker raises a bare Exception with the output
                # A replica that exited fails `up --wait`: the run goes on with those that serve.
                partly_up(project, str(exc))
            yield compose_stack(project, spec.startup_timeout)
        finally:
            (workdir / "compose.log").write_text(project.logs(tail=100_000))
            project.run(*DOWN, check=False)
