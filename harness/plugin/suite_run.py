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
    """`pytest ARGS` in `cwd`, with the scorecard written to a file and read back."""
    with tempfile.TemporaryDirectory(prefix="coupon-suite-") as folder:
        scorecard = Path(folder) / "scorecard.json"
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                *args,
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
