"""The suite run as a program of its own (a pytest subprocess), and its scorecard read back:
how the mutation runs and the harness's own tests see what a user would."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SuiteRun:
    exit_code: int
    scorecard: dict[str, dict]  # criterion id -> level, status, detail, notes
    output: str  # stdout, then stderr

    def status(self, criterion: str) -> str | None:
        """PASS, FAIL, SKIP, MET or NOT MET; None when no test of it ran."""
        return self.scorecard.get(criterion, {}).get("status")


def run_suite(
    args: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> SuiteRun:
    """`pytest ARGS` in `cwd`, with the scorecard written to a file and read back; no
    report folder unless ARGS ask for one (`--report DIR`)."""
    with tempfile.TemporaryDirectory(prefix="coupon-suite-") as folder:
        scorecard = Path(folder) / "scorecard.json"
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                # The plugin by name, wherever the run is rooted (a second -p of it, from
                # this repository's settings, is a no-op).
                "-p",
                "harness.plugin",
                *args,
                *([] if any(arg.startswith("--report") for arg in args) else ["--no-report"]),
                f"--scorecard-json={scorecard}",
                "-p",
                "no:cacheprovider",
            ],
            capture_output=True,
            text=True,
            cwd=cwd,
            env=dict(env) if env is not None else None,
            timeout=timeout,
        )
        verdicts = json.loads(scorecard.read_text()) if scorecard.exists() else {}
    return SuiteRun(result.returncode, verdicts, result.stdout + result.stderr)


# The variables a project's compose file and the harness read base images from: passed on
# to the harness image where they are set, so a mirror or a stand-in reaches it too.
IMAGE_VARIABLES = (
    "POSTGRES_IMAGE",
    "PYTHON_IMAGE",
    "GO_IMAGE",
    "ALPINE_IMAGE",
    "FAULT_PROXY_IMAGE",
)


def run_suite_in_image(
    image: str, project_dir: Path, args: Sequence[str], *, timeout: float | None = None
) -> SuiteRun:
    """`coupon-acceptance ARGS` in the harness image (docker/harness.Dockerfile) on this
    machine's Docker, as a user's CI runs it: the project mounted read-only at its own path
    (the bind mounts its compose file declares are resolved by the engine, on the host),
    loopback shared, the scorecard written to a folder mounted the same way."""
    with tempfile.TemporaryDirectory(prefix="coupon-suite-") as folder:
        scorecard = Path(folder) / "scorecard.json"
        result = subprocess.run(
            [
                "docker",
                "run",
                "--rm",
                "--network=host",
                "--volume=/var/run/docker.sock:/var/run/docker.sock",
                f"--volume={project_dir}:{project_dir}:ro",
                f"--volume={folder}:{folder}",
                f"--workdir={project_dir}",
                *(f"--env={name}" for name in IMAGE_VARIABLES),
                image,
                *args,
                f"--scorecard-json={scorecard}",
                f"--report={folder}/report",  # the project is mounted read-only
            ],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        verdicts = json.loads(scorecard.read_text()) if scorecard.exists() else {}
    return SuiteRun(result.returncode, verdicts, result.stdout + result.stderr)
