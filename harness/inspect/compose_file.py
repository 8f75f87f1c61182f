"""docker-compose.yml as facts: as written, and interpolated as a fresh clone would see it."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..blocked import COMPOSE_FILE, Blocked
from .dockerfile import runtime_base
from .user_file import read_lenient_text, read_user_yaml

# $$ | ${NAME<op>arg} | $NAME, with op one of :- - :? ? :+ + (compose's interpolation syntax)
_VARIABLE = re.compile(
    r"\$(?:(?P<escaped>\$)|\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<op>:?[-?+])?(?P<arg>[^}]*)\}"
    r"|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))"
)


NO_COMPOSE = "no `docker compose` (v2) on this machine"
# A compose file that is missing or unreadable fails COMPOSE_FILE's row once (the one that
# runs `docker compose config` on it); every other row that reads the file is blocked by it.
# The story's two services by the part each plays, for a file that names them otherwise:
# the database runs a postgres image (official, or built FROM one), the API is the service
# built from the project that is not the database.
_POSTGRES_IMAGE = re.compile(r"(^|/)postgres([:@]|$)")


class ComposeFileError(ValueError):
    """The file is missing, not YAML, or not a compose file."""


def interpolate(text: str, env: dict[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        if match["escaped"]:
            return "$"
        if match["bare"]:
            return env.get(match["bare"], "")
        name, op, arg = match["name"], match["op"] or "", match["arg"]
        value = env.get(name)
        unset_or_empty = not value if op.startswith(":") else value is None
        if op.endswith("-"):
            return arg if unset_or_empty else value
        if op.endswith("+"):
            return "" if unset_or_empty else arg
        if op.endswith("?") and unset_or_empty:
            raise ComposeFileError(f"${{{name}}} is required: {arg or 'no value given'}")
        return value or ""

    return _VARIABLE.sub(replace, text)


def _resolve(node: Any, env: dict[str, str]) -> Any:
    if isinstance(node, str):
        return interpolate(node, env)
    if isinstance(node, list):
        return [_resolve(item, env) for item in node]
    if isinstance(node, dict):
        return {key: _resolve(value, env) for key, value in node.items()}
    return node


def read_dotenv(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    for line in (read_lenient_text(path) or "").splitlines():  # a bad byte: not ours to judge
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.removeprefix("export ").split("=", 1)
        values[key.strip()] = value.strip().strip("'\"")
    return values


def as_mapping(value: Any) -> dict[str, Any]:
    """compose allows environment (and depends_on) as a list or a mapping."""
    if isinstance(value, dict):
        return value
    if isinstance(value, list):
        pairs = (str(item).split("=", 1) for item in value)
        return {pair[0]: (pair[1] if len(pair) > 1 else None) for pair in pairs}
    return {}


@dataclass
class ComposeFile:
    path: Path
    written: dict[str, Any]  # as in the file: "${POSTGRES_USER:-postgres}", "$${VAR}"
    resolved: dict[str, Any]  # interpolated with .env (if any) over the defaults
    docker_config: dict[str, Any] | None = None  # `docker compose config`, where it runs
    docker_config_error: str | None = None
    env: dict[str, str] = field(default_factory=dict)

    def line_of(self, needle: str) -> int | None:
        for number, line in enumerate(self.path.read_text().splitlines(), start=1):
            if needle in line:
                return number
        return None

    def where(self, needle: str) -> str:
        line = self.line_of(needle)
        return f"{self.path.name}:{line}" if line else self.path.name

    @property
    def services(self) -> dict[str, dict[str, Any]]:
        return self.resolved.get("services") or {}

    def playing(self, role: str) -> str | None:
        """The name of the service that plays `role` ("postgres" or "api"): the one of that
        name, else the one service that looks the part; None when none or several do."""
        if role in self.services:
            return role
        looks = [name for name, service in self.services.items() if self._looks(role, service)]
        return looks[0] if len(looks) == 1 else None

    def _looks(self, role: str, service: dict[str, Any]) -> bool:
        if role == "postgres":
            return self.runs_postgres(service)
        return "build" in service and not self.runs_postgres(service)

    def runs_postgres(self, service: dict[str, Any]) -> bool:
        """Whether a service runs a postgres image, or one built FROM a postgres image."""
        images = [str(service.get("image", ""))]
        if (build := self.build(service)) is not None:
            images.append(runtime_base(build[1]) or "")
        return any(_POSTGRES_IMAGE.search(image) for image in images)

    def build(self, service: dict[str, Any]) -> tuple[Path, Path] | None:
        """(context, Dockerfile) of a service's build, whose `dockerfile` compose reads
        relative to its `context`; None when it builds nothing."""
        build = service.get("build")
        if build is None:
            return None
        if not isinstance(build, dict):  # the short form: the context alone
            build = {"context": build}
        context = self.path.parent / str(build.get("context") or ".")
        return context, context / str(build.get("dockerfile") or "Dockerfile")

    def build_of(self, role: str) -> tuple[Path, Path] | None:
        """The build of the service playing `role`, if it builds."""
        name = self.playing(role)
        return self.build(self.services[name]) if name else None

    def written_service(self, name: str) -> dict[str, Any]:
        return (self.written.get("services") or {}).get(name) or {}


def compose_file_in(project_dir: Path) -> Path:
    for name in ("docker-compose.yml", "docker-compose.yaml", "compose.yml", "compose.yaml"):
        # a folder or a broken link of that name too: the reader says what is wrong with it
        if (project_dir / name).exists() or (project_dir / name).is_symlink():
            return project_dir / name
    raise ComposeFileError(f"no docker-compose.yml (or compose.yaml) in {project_dir}")


def _docker_compose_config(path: Path, env: dict[str, str]) -> tuple[dict | None, str | None]:
    if shutil.which("docker") is None:
        return None, NO_COMPOSE
    if subprocess.run(["docker", "compose", "version"], capture_output=True).returncode != 0:
        return None, NO_COMPOSE
    # A fresh clone's view: none of this shell's variables, only the project's .env.
    clean = {key: os.environ[key] for key in ("PATH", "HOME", "DOCKER_HOST") if key in os.environ}
    result = subprocess.run(
        [
            "docker",
            "compose",
            "-f",
            str(path),
            "--project-directory",
            str(path.parent),
            "config",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        env=clean,
        timeout=60,
    )
    if result.returncode != 0:
        return None, _error_of(result.stderr or result.stdout)
    return json.loads(result.stdout), None


def _error_of(output: str) -> str:
    """compose's complaint, its warnings after it (they come first, and are not why)."""
    lines = [line for line in output.strip().splitlines() if line.strip()]
    warnings = [line for line in lines if "level=warning" in line]
    return "\n".join([line for line in lines if line not in warnings] + warnings)


# The fields of a service the suite reads, and the YAML types compose takes for each.
_SERVICE_FIELDS: dict[str, tuple[type, ...]] = {
    "image": (str,),
    "build": (str, dict),
    "volumes": (list,),
    "environment": (list, dict),
    "ports": (list,),
    "depends_on": (list, dict),
    "healthcheck": (dict,),
    "command": (str, list),
    "env_file": (str, list),
    "user": (str, int),
}


def _shape_problem(written: Any) -> str | None:
    """Why the YAML is not a compose file the suite can read, in compose's own terms;
    None when its services and the fields read of them have the types compose takes."""
    if not isinstance(written, dict) or not isinstance(written.get("services"), dict):
        return "no services: mapping"
    for name, service in written["services"].items():
        if not isinstance(service, dict):
            return f"services.{name} is {type(service).__name__}, not a mapping"
        for key, kinds in _SERVICE_FIELDS.items():
            value = service.get(key)
            if value is not None and not isinstance(value, kinds):
                takes = " or ".join(kind.__name__ for kind in kinds)
                return f"services.{name}.{key} is {type(value).__name__}, compose takes {takes}"
    return None


def read_compose_file(project_dir: Path, cross_check: bool = True) -> ComposeFile:
    path = compose_file_in(project_dir)
    written = read_user_yaml(path, ComposeFileError)
    if problem := _shape_problem(written):
        raise ComposeFileError(f"{path}: {problem}")
    env = read_dotenv(project_dir / ".env")
    compose = ComposeFile(path, written, _resolve(written, env), env=env)
    if cross_check:
        compose.docker_config, compose.docker_config_error = _docker_compose_config(path, env)
    return compose


def compose_file_or_blocked(project_dir: Path, cross_check: bool = True) -> ComposeFile:
    """The project's compose file, for a check that needs it read: one missing or
    unreadable is 1.2-AC2.valid's failure, not each check's."""
    try:
        return read_compose_file(project_dir, cross_check)
    except ComposeFileError as exc:
        raise Blocked(COMPOSE_FILE, str(exc)) from None
