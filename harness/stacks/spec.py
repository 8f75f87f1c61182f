"""Which stack to open and how: one description for the contract suite, load and bench,
filled from the same options (options.py) and opened by `open_stack` (opener.py)."""

from __future__ import annotations

import shlex
import sys
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from ..inspect.layout import ProjectLayout, read_layout
from .embedded_postgres import DbCredentials

REFERENCE_API_CMD = f"{shlex.quote(sys.executable)} -m reference_api"
KINDS = ("local", "compose", "external")


@dataclass(frozen=True)
class StackSpec:
    kind: str = "local"  # local: embedded PostgreSQL + the API as processes; compose; external
    project_dir: Path = Path(".")  # the implementation's repository
    api_cmd: str = REFERENCE_API_CMD  # local: what starts one instance of the API
    api_urls: tuple[str, ...] = ()  # external: one per instance, all on the database of dsn
    dsn: str | None = None  # external: the API's database
    instances: int = 1  # local and compose: instances of the API started together
    pg_bin: Path | None = None  # local: where postgres and initdb are; None: found
    compose_files: tuple[Path, ...] = ()  # compose: merged over the project's own file
    startup_timeout: float = 120.0  # bounds each wait for a part to be ready (not builds)
    # The API reaches its database through the fault proxy (local), or through it in an
    # image of this name (compose): for the network faults.
    db_proxy: bool = False
    fault_proxy_image: str | None = None
    credentials: DbCredentials | None = None  # local: the database's; None: random ones
    env_file: Path | None = None  # compose: the variables it interpolates
    workdir: Path | None = None  # compose: its override file and logs; None: a temp dir

    @cached_property
    def layout(self) -> ProjectLayout:
        """The project's files, read once per spec."""
        return read_layout(self.project_dir)

    def problem(self) -> str | None:
        """What makes this spec impossible to open, in one line (for a usage error)."""
        if self.kind not in KINDS:
            return f"--stack must be one of {', '.join(KINDS)}, not {self.kind!r}"
        if self.instances < 1:
            return "--instances must be 1 or more"
        if self.kind == "external":
            missing = [
                name
                for name, given in (("--api-url", self.api_urls), ("--dsn", self.dsn))
                if not given
            ]
            if missing:
                return "--stack=external needs --api-url URL and --dsn DSN; missing: " + ", ".join(
                    missing
                )
        elif self.api_urls:
            return f"--api-url is for --stack=external, not --stack={self.kind}"
        return None
