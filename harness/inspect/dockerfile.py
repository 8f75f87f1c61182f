"""A Dockerfile as facts: stages, their bases (ARG defaults resolved), COPY --from edges,
the order of manifest copy, dependency install and source copy; plus hadolint's findings."""

from __future__ import annotations

import io
import json
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from dockerfile_parse import DockerfileParser

from ..blocked import DOCKERFILE, Blocked
from .user_file import read_user_text

# A Dockerfile that is missing or has no FROM fails DOCKERFILE's row once (no build, so no
# multi-stage build); every other row that reads the file is blocked by it.
MANIFESTS = re.compile(
    r"^(go\.(mod|sum)|pyproject\.toml|requirements[\w.-]*\.txt|poetry\.lock|uv\.lock|Pipfile(\.lock)?"
    r"|package(-lock)?\.json|yarn\.lock|pnpm-lock\.yaml|Cargo\.(toml|lock)|pom\.xml|Gemfile(\.lock)?)$"
)
DEPENDENCY_INSTALL = re.compile(
    r"go mod download|pip3? install|uv (pip )?(install|sync)|npm (ci|install)|yarn install"
    r"|pnpm install|poetry install|cargo fetch|bundle install|mvn .*dependency:"
)


@dataclass(frozen=True)
class Instruction:
    keyword: str
    value: str
    line: int  # 1-based


@dataclass
class Stage:
    index: int
    name: str | None
    base_written: str  # as in FROM: "${PYTHON_IMAGE}"
    base: str  # with ARG defaults resolved: "python:3.11-alpine"
    line: int
    instructions: list[Instruction] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.name or f"stage {self.index}"

    def find(self, keyword: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword]

    @property
    def copied_from(self) -> set[str]:
        """Stages (by name or index) this stage copies files from."""
        found = set()
        for copy in self.find("COPY"):
            match = re.search(r"--from=(\S+)", copy.value)
            if match:
                found.add(match.group(1))
        return found

    @property
    def env(self) -> dict[str, str]:
        values: dict[str, str] = {}
        for instruction in self.find("ENV"):
            for token in shlex.split(instruction.value):
                if "=" in token:
                    key, value = token.split("=", 1)
                    values[key] = value
        return values

    def copy_sources(self, copy: Instruction) -> list[str]:
        parts = [p for p in shlex.split(copy.value) if not p.startswith("--")]
        if parts and parts[0].startswith("["):  # exec form: COPY ["a", "b", "dest"]
            parts = json.loads(copy.value[copy.value.index("[") :])
        return parts[:-1]

    @property
    def go_build(self) -> str | None:
        """The RUN that runs `go build`, if any."""
        for run in self.find("RUN"):
            if re.search(r"\bgo build\b", run.value):
                return run.value
        return None

    @property
    def is_go(self) -> bool:
        return "golang" in self.base or self.go_build is not None

    def build_order(self) -> tuple[int | None, int | None, int | None]:
        """Line numbers of the first manifest-only COPY, the first dependency install, and
        the first COPY of source (anything that is not a manifest)."""
        manifest = install = source = None
        for instruction in self.instructions:
            if instruction.keyword == "COPY" and "--from=" not in instruction.value:
                names = [Path(s).name for s in self.copy_sources(instruction)]
                if names and all(MANIFESTS.match(n) for n in names):
                    manifest = manifest or instruction.line
                else:
                    source = source or instruction.line
            if instruction.keyword == "RUN" and DEPENDENCY_INSTALL.search(instruction.value):
                install = install or instruction.line
        return manifest, install, source


@dataclass(frozen=True)
class LintFinding:
    code: str
    level: str
    message: str
    line: int


@dataclass
class DockerfileFacts:
    path: Path
    stages: list[Stage]
    lint: list[LintFinding] | None  # None: hadolint is not installed
    lint_error: str | None = None

    @property
    def runtime(self) -> Stage:
        return self.stages[-1]

    def stage(self, reference: str) -> Stage | None:
        for stage in self.stages:
            if reference in (stage.name, str(stage.index)):
                return stage
        return None

    @property
    def builders(self) -> list[Stage]:
        """The stages the runtime stage copies from."""
        found = [self.stage(ref) for ref in self.runtime.copied_from]
        return [stage for stage in found if stage is not None]

    @property
    def go_builders(self) -> list[Stage]:
        return [stage for stage in self.builders if stage.is_go]

    @property
    def cmd(self) -> Instruction | None:
        commands = self.runtime.find("CMD") + self.runtime.find("ENTRYPOINT")
        return commands[-1] if commands else None

    def where(self, line: int | None) -> str:
        return f"{self.path.name}:{line}" if line else self.path.name


def _resolve_args(text: str, args: dict[str, str]) -> str:
    return re.sub(
        r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?", lambda m: args.get(m.group(1), m.group(0)), text
    )


def _stages(path: Path, structure: list[dict]) -> list[Stage]:
    global_args: dict[str, str] = {}
    stages: list[Stage] = []
    for item in structure:
        keyword, value, line = item["instruction"], item["value"], item["startline"] + 1
        if keyword == "FROM":
            words = [word for word in value.split() if not word.startswith("--")]
            if not words:
                raise DockerfileError(f"{path}:{line}: FROM names no image")
            base = words[0]
            name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else None
            resolved = _resolve_args(base, global_args)
            stages.append(Stage(len(stages), name, base, resolved, line))
        elif not stages and keyword == "ARG":
            key, _, default = value.partition("=")
            global_args[key.strip()] = default.strip().strip("\"'")
        elif stages and keyword != "COMMENT":
            stages[-1].instructions.append(Instruction(keyword, value, line))
    return stages


def _hadolint(path: Path) -> tuple[list[LintFinding] | None, str | None]:
    binary = shutil.which("hadolint") or shutil.which(
        "hadolint", path=str(Path(sys.executable).parent)
    )
    if binary is None:
        return None, "hadolint is not installed"
    result = subprocess.run(
        [binary, "--format", "json", "--no-fail", str(path)], capture_output=True, text=True
    )
    try:
        findings = json.loads(result.stdout or "[]")
    except json.JSONDecodeError:
        return None, (result.stderr or result.stdout).strip()
    return [LintFinding(f["code"], f["level"], f["message"], f["line"]) for f in findings], None


class DockerfileError(ValueError):
    """The Dockerfile is missing, unreadable, or builds nothing (no FROM, or one naming
    no image): `FILE[:LINE]: what is wrong`."""


def _stages_of(path: Path) -> list[Stage]:
    text = read_user_text(path, DockerfileError)
    parser = DockerfileParser(fileobj=io.BytesIO(text.encode()))
    stages = _stages(path, parser.structure)
    if not stages:
        raise DockerfileError(f"{path} has no FROM: it builds no image")
    return stages


def read_dockerfile(path: Path) -> DockerfileFacts:
    stages = _stages_of(path)
    lint, lint_error = _hadolint(path)
    return DockerfileFacts(path, stages, lint, lint_error)


def runtime_base(path: Path) -> str | None:
    """The base image of a Dockerfile's last stage (ARG defaults resolved), read without
    linting; None when there is no such file or no FROM."""
    try:
        return _stages_of(path)[-1].base
    except DockerfileError:
        return None


def dockerfile_or_blocked(path: Path) -> DockerfileFacts:
    """The Dockerfile, for a check that needs it read: one missing or without a FROM is
    1.2-AC3.multi-stage's failure, not each check's."""
    try:
        return read_dockerfile(path)
    except DockerfileError as exc:
        raise Blocked(DOCKERFILE, str(exc)) from None
