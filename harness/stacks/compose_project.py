"""A compose project as the harness runs it: the `docker compose` command line of the
project's own file and the harness's override (published on loopback, the api scaled to
the run's instances, the fault proxy in front of postgres where asked), and what compose
says of its containers."""

from __future__ import annotations

import json
import secrets
import shlex
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..blocked import COMPOSE_FILE
from ..inspect.layout import ProjectLayout
from .db_network import PROXY_SCRIPT, DbNetwork
from .ports import free_port, free_port_range
from .stack import StackError

# Taking a project down leaves nothing: containers, networks, volumes, the images it built.
DOWN = ("down", "--volumes", "--remove-orphans", "--rmi", "local")

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


def up_args(timeout: float, instances: int = 1, api: str = "api") -> tuple[str, ...]:
    return (
        *("up", "--build", "--detach", "--wait", "--wait-timeout", str(int(timeout))),
        *("--scale", f"{api}={instances}"),
    )


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
    def prefix(self) -> list[str]:
        """`docker compose` with the project's directory and variables."""
        words = ["docker", "compose", "--project-directory", str(self.project_dir)]
        return words + (["--env-file", str(self.env_file)] if self.env_file else [])

    @property
    def command(self) -> str:
        """The prefix as pytest-docker's docker_compose_command wants it: one string."""
        return shlex.join(self.prefix)

    def argv(self, *args: str) -> list[str]:
        files = [word for file in self.files for word in ("-f", str(file))]
        return [*self.prefix, *files, "-p", self.name, *args]

    def run(self, *args: str, check: bool = True) -> str:
        result = subprocess.run(self.argv(*args), capture_output=True, text=True, timeout=900)
        if check and result.returncode != 0:
            raise StackError(f"docker compose {' '.join(args)} failed", result.stderr)
        return result.stdout

    def config(self) -> dict:
        return json.loads(self.run("config", "--format", "json"))

    def logs(self, tail: int = 60) -> str:
        return self.run("logs", "--no-color", "--timestamps", f"--tail={tail}", check=False)

    def port(self, service: str, target: int, index: int = 1) -> int:
        """Where a container of the service publishes `target` on loopback."""
        address = self.run("port", "--index", str(index), service, str(target)).strip()
        return int(address.rsplit(":", 1)[-1])

    def api_urls(self) -> tuple[str, ...]:
        """Where each replica of the api service is published."""
        return tuple(
            f"http://127.0.0.1:{self.port(self.api, 3000, index)}"
            for index in range(1, self.instances + 1)
        )

    def db_network(self) -> DbNetwork | None:
        if not self.fault_proxy:
            return None
        return DbNetwork(("127.0.0.1", self.port(FAULT_PROXY, 7000)))

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


class _Replace(list):
    """A list that replaces the project file's own when compose merges the override into
    it (compose's `!override`), where a plain list would be appended to it."""


class _OverrideDumper(yaml.SafeDumper):
    pass


_OverrideDumper.add_representer(
    _Replace, lambda dumper, data: dumper.represent_sequence("!override", data)
)


def override(
    layout: ProjectLayout, instances: int, proxy: tuple[Path, str] | None
) -> dict[str, Any]:
    """The harness's override of the project's file. Published on loopback, on free ports
    chosen per run: nothing else on the machine can collide with the run, nothing off the
    machine can reach it, and a restarted container comes back on a port of its own. The
    api is scaled to the run's instances, one port of a range each. `proxy`: the fault
    proxy's build context and base image, to put it between the api and postgres."""
    ports = free_port_range(instances)
    api_ports = f"{ports[0]}-{ports[-1]}" if instances > 1 else str(ports[0])
    database, api = layout.database, layout.api
    services: dict[str, Any] = {
        database: {"ports": _Replace([f"127.0.0.1:{free_port()}:5432"])},
        api: {"ports": _Replace([f"127.0.0.1:{api_ports}:3000"])},
    }
    if proxy is not None:
        context, image = proxy
        services[api] |= {
            "environment": {"DB_HOST": FAULT_PROXY, "DB_PORT": "5432"},
            "depends_on": {FAULT_PROXY: {"condition": "service_started"}},
        }
        services[FAULT_PROXY] = {
            "build": {"context": str(context), "args": {"IMAGE": image}},
            "command": [
                *("python3", "/fault_proxy.py", "--listen=0.0.0.0:5432"),
                *(f"--upstream={database}:5432", "--control=0.0.0.0:7000"),
            ],
            "ports": [f"127.0.0.1:{free_port()}:7000"],
        }
    return {"services": services}


def fault_proxy_context(workdir: Path) -> Path:
    """The fault proxy's build context: its script and a Dockerfile over any Python image."""
    context = workdir / FAULT_PROXY
    context.mkdir(exist_ok=True)
    shutil.copyfile(PROXY_SCRIPT, context / PROXY_SCRIPT.name)
    (context / "Dockerfile").write_text(FAULT_PROXY_DOCKERFILE)
    return context


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
    proxy = (fault_proxy_context(workdir), fault_proxy_image) if fault_proxy_image else None
    written = workdir / "harness.override.yml"
    written.write_text(
        "# written by the coupon acceptance harness: publish on 127.0.0.1 only\n"
        + yaml.dump(override(layout, instances, proxy), Dumper=_OverrideDumper, sort_keys=False)
    )
    return ComposeProject(
        project_dir=layout.project_dir,
        name=f"coupon-acceptance-{secrets.token_hex(4)}",
        files=(layout.compose.path, *extra_files, written),
        workdir=workdir,
        env_file=env_file,
        instances=instances,
        fault_proxy=proxy is not None,
        database=layout.database,
        api=layout.api,
    )
