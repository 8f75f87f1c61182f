"""The compose stack: the project's own docker-compose.yml, brought up and taken down
with pytest-docker's executor (usable outside pytest: `load --stack compose` opens it too),
published on loopback, the api scaled to the run's instances."""

from __future__ import annotations

import json
import secrets
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from pytest_docker.plugin import DockerComposeExecutor, Services

from ..blocked import COMPOSE_FILE
from ..inspect.layout import ProjectLayout
from .db_network import PROXY_SCRIPT, DbNetwork
from .ports import free_port, free_port_range
from .reaper import reaped
from .spec import StackSpec
from .stack import Stack, StackError, stack_step, startup_race, wait_for_api
from .waiting import NotReady, wait_until

# Published on loopback, on free ports chosen per run: nothing else on the machine can
# collide with the run, nothing off the machine can reach it, and a restarted container
# comes back on a port of its own. The api is scaled to the run's instances, one port of a
# range each. The services are the ones that play postgres and api, whatever their names.
LOOPBACK_OVERRIDE = """\
# written by the coupon acceptance harness: publish on 127.0.0.1 only
services:
  {database}:
    ports: !override
      - "127.0.0.1:{database_port}:5432"
  {api}:
    ports: !override
      - "127.0.0.1:{api_ports}:3000"
"""

# The fault proxy (fault_proxy.py) as one more service, between the api and postgres: the
# api's DB_HOST and DB_PORT lead to it, its control port is published on loopback. Its
# script is built into an image of its own rather than bind-mounted: a build context goes
# from the client to the engine, a bind mount's path is the engine's, which is not the
# harness's own when the harness runs in a container on the host's Docker socket.
FAULT_PROXY = "fault-proxy"
FAULT_PROXY_DOCKERFILE = """\
ARG IMAGE
FROM ${IMAGE}
COPY fault_proxy.py /fault_proxy.py
"""
FAULT_PROXY_OVERRIDE = """\
    environment:
      DB_HOST: {service}
      DB_PORT: "5432"
    depends_on:
      {service}:
        condition: service_started
  {service}:
    build:
      context: "{context}"
      args:
        IMAGE: "{image}"
    command: ["python3", "/fault_proxy.py", "--listen=0.0.0.0:5432",
              "--upstream={database}:5432", "--control=0.0.0.0:7000"]
    ports:
      - "127.0.0.1:{control}:7000"
"""


# Taking a project down leaves nothing: containers, networks, volumes, the images it built.
DOWN = "down --volumes --remove-orphans --rmi local"


def up_command(timeout: float, instances: int = 1, api: str = "api") -> str:
    return f"up --build --detach --wait --wait-timeout {int(timeout)} --scale {api}={instances}"


@dataclass(frozen=True)
class ComposeProject:
    project_dir: Path
    name: str
    files: tuple[Path, ...]
    workdir: Path  # where the harness keeps this project's override file and logs
    env_file: Path | None = None
    instances: int = 1  # replicas of the api service
    fault_proxy: bool = False  # the api reaches postgres through the fault proxy service
    database: str = "postgres"  # the service that plays postgres
    api: str = "api"  # the service that plays api

    @property
    def command(self) -> str:
        """The `docker compose` prefix, as pytest-docker's docker_compose_command wants it."""
        words = ["docker", "compose", "--project-directory", str(self.project_dir)]
        if self.env_file is not None:
            words += ["--env-file", str(self.env_file)]
        return shlex.join(words)

    def argv(self, *args: str) -> list[str]:
        files = [word for file in self.files for word in ("-f", str(file))]
        return [*shlex.split(self.command), *files, "-p", self.name, *args]

    def run(self, *args: str, check: bool = True) -> str:
        result = subprocess.run(self.argv(*args), capture_output=True, text=True, timeout=900)
        if check and result.returncode != 0:
            raise StackError(f"docker compose {' '.join(args)} failed", result.stderr)
        return result.stdout

    def config(self) -> dict:
        return json.loads(self.run("config", "--format", "json"))

    def logs(self, tail: int = 60) -> str:
        return self.run("logs", "--no-color", "--timestamps", f"--tail={tail}", check=False)

    def api_urls(self) -> tuple[str, ...]:
        """Where each replica of the api service is published."""
        urls = []
        for index in range(1, self.instances + 1):
            address = self.run("port", "--index", str(index), self.api, "3000").strip()
            urls.append(f"http://127.0.0.1:{address.rsplit(':', 1)[-1]}")
        return tuple(urls)

    def db_network(self) -> DbNetwork | None:
        if not self.fault_proxy:
            return None
        address = self.run("port", FAULT_PROXY, "7000").strip()
        return DbNetwork(("127.0.0.1", int(address.rsplit(":", 1)[-1])))

    def inspect(self, service: str) -> dict:
        """`docker inspect` of the service's container."""
        container = self.container_ids()[service]
        return json.loads(
            subprocess.run(
                ["docker", "inspect", container], capture_output=True, text=True, check=True
            ).stdout
        )[0]

    def container_ids(self) -> dict[str, str]:
        return {entry["Service"]: entry["ID"] for entry in self.containers()}

    def containers(self) -> list[dict]:
        """`docker compose ps --all`: one entry per container (compose prints a JSON object
        a line, or one array, depending on its version)."""
        found = []
        for line in self.run("ps", "--all", "--format", "json").splitlines():
            entries = json.loads(line)
            found += entries if isinstance(entries, list) else [entries]
        return found

    def api_replicas(self) -> list[Replica]:
        replicas = []
        for entry in self.containers():
            if entry["Service"] != self.api:
                continue
            published = [
                p["PublishedPort"]
                for p in entry.get("Publishers") or ()
                if p.get("TargetPort") == 3000 and p.get("PublishedPort")
            ]
            replicas.append(
                Replica(
                    name=entry["Name"],
                    running=entry.get("State") == "running",
                    exit_code=entry.get("ExitCode"),
                    url=f"http://127.0.0.1:{published[0]}" if published else None,
                )
            )
        return sorted(replicas, key=lambda replica: replica.name)


@dataclass(frozen=True)
class Replica:
    """One container of the api service, as `docker compose ps` shows it."""

    name: str
    running: bool
    exit_code: int | None
    url: str | None  # where its port 3000 is published on loopback

    def logs(self, tail: int = 40) -> str:
        done = subprocess.run(
            ["docker", "logs", "--tail", str(tail), self.name], capture_output=True, text=True
        )
        return done.stdout + done.stderr

    def gone(self) -> str | bool:
        """What ended it, once it is no longer running: for wait_for_api's give_up."""
        state = subprocess.run(
            ["docker", "inspect", "--format", "{{.State.Running}} {{.State.ExitCode}}", self.name],
            capture_output=True,
            text=True,
        ).stdout.split()
        return state[:1] == ["false"] and f"it exited with {state[1]}"


def image_at_hand(image: str, pull_timeout: float = 120) -> bool:
    """The image is here, or could be pulled now."""
    if subprocess.run(["docker", "image", "inspect", image], capture_output=True).returncode == 0:
        return True
    try:
        pulled = subprocess.run(
            ["docker", "pull", "-q", image], capture_output=True, timeout=pull_timeout
        )
    except subprocess.TimeoutExpired:
        return False
    return pulled.returncode == 0


def new_project(
    layout: ProjectLayout,
    workdir: Path,
    extra_files: tuple[Path, ...] = (),
    env_file: Path | None = None,
    instances: int = 1,
    fault_proxy_image: str | None = None,
) -> ComposeProject:
    """A project of the layout's compose file, published on loopback; with the fault proxy
    in front of postgres when given an image to run it in."""
    if layout.compose is None:
        # A file missing or unreadable is 1.2-AC2.valid's one failure, as in the static rows.
        raise StackError(f"no compose stack to bring up: {layout.compose_error}", root=COMPOSE_FILE)
    override = workdir / "harness.override.yml"
    ports = free_port_range(instances)
    api_ports = f"{ports[0]}-{ports[-1]}" if instances > 1 else str(ports[0])
    database, api_service = layout.database, layout.api
    text = LOOPBACK_OVERRIDE.format(
        database=database, database_port=free_port(), api=api_service, api_ports=api_ports
    )
    if fault_proxy_image:
        context = workdir / FAULT_PROXY
        context.mkdir(exist_ok=True)
        shutil.copyfile(PROXY_SCRIPT, context / PROXY_SCRIPT.name)
        (context / "Dockerfile").write_text(FAULT_PROXY_DOCKERFILE)
        text += FAULT_PROXY_OVERRIDE.format(
            service=FAULT_PROXY,
            image=fault_proxy_image,
            context=context,
            control=free_port(),
            database=database,
        )
    override.write_text(text)
    return ComposeProject(
        project_dir=layout.project_dir,
        name=f"coupon-acceptance-{secrets.token_hex(4)}",
        files=(layout.compose.path, *extra_files, override),
        workdir=workdir,
        env_file=env_file,
        instances=instances,
        fault_proxy=bool(fault_proxy_image),
        database=database,
        api=api_service,
    )


def database_dsn(project: ComposeProject, services: Services) -> str:
    """Credentials as compose resolved them for the postgres service, on its published port."""
    environment = project.config()["services"][project.database].get("environment") or {}
    user = environment.get("POSTGRES_USER") or "postgres"
    return psycopg.conninfo.make_conninfo(
        host="127.0.0.1",
        port=services.port_for(project.database, 5432),
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


def compose_stack(project: ComposeProject, services: Services, timeout: float) -> Stack:
    """The running project, on the api replicas that came up (`unstarted` says why the
    others did not)."""
    urls, unstarted = serving_replicas(project, timeout)
    dsn = database_dsn(project, services)
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
    with reaped(project.name, project.argv(*DOWN.split()), left, workdir / "reaper.log"):
        try:
            try:
                executor.execute(up_command(spec.startup_timeout, spec.instances, project.api))
            except Exception as exc:  # pytest-docker raises a bare Exception with the output
                # A replica that exited fails `up --wait`: the run goes on with those that serve.
                partly_up(project, str(exc))
            yield compose_stack(project, Services(executor), spec.startup_timeout)
        finally:
            (workdir / "compose.log").write_text(project.logs(tail=100_000))
            project.run(*DOWN.split(), check=False)
