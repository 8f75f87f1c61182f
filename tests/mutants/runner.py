"""Run the contract suite against one mutant and read back the scorecard it produced."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from harness.criteria import lookup

from .catalogue import CONTRACT, HERE, ROOT, Mutant


@dataclass(frozen=True)
class MutantRun:
    mutant: Mutant
    exit_code: int
    scorecard: dict[str, dict[str, str]]
    output: str

    def missed(self) -> list[str]:
        """The criteria that should have reported the mutant but did not."""
        missed = []
        for criterion in self.mutant.catches:
            status = self.scorecard.get(criterion, {}).get("status")
            if status != ("FAIL" if lookup(criterion).level == "MUST" else "NOT MET"):
                missed.append(f"{criterion}: {status or 'not run'}")
        must = any(lookup(c).level == "MUST" for c in self.mutant.catches)
        if must and self.exit_code != 1:
            missed.append(f"the run exited {self.exit_code}, expected 1 (a MUST failed)")
        if not must and self.exit_code != 0:
            missed.append(f"the run exited {self.exit_code}, expected 0 (only SHOULD rules broken)")
        return missed

    @property
    def caught(self) -> bool:
        return not self.missed()


def project_dir_for(mutant: Mutant, workdir: Path) -> Path:
    """A project holding the mutant's artifacts (the originals where it changes none)."""
    project = workdir / "project"
    (project / "scripts").mkdir(parents=True)
    for name, source in mutant.files.items():
        shutil.copyfile(source, project / name)  # mode too: the init.sql mutant sets its own
    (project / "scripts" / "init.sql").chmod(mutant.schema_mode)
    return project


def run_suite(mutant: Mutant, workdir: Path, extra: tuple[str, ...] = ()) -> MutantRun:
    scorecard = workdir / "scorecard.json"
    python = shlex.quote(sys.executable)
    api_cmd = f"{python} -m reference_api"
    if mutant.api:
        api_cmd = f"{python} {shlex.quote(str(HERE / 'api.py'))} {mutant.api}"
    command = [
        sys.executable,
        "-m",
        "pytest",
        *(str(CONTRACT / test) for test in mutant.tests),
        f"--project-dir={project_dir_for(mutant, workdir)}",
        f"--api-cmd={api_cmd}",
        f"--scorecard-json={scorecard}",
        "-p",
        "no:cacheprovider",
        "-q",
        "--no-header",
        *extra,
    ]
    # The mutant's module imports `reference_api`; the repository root must be importable.
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env)
    verdicts = json.loads(scorecard.read_text()) if scorecard.exists() else {}
    return MutantRun(mutant, result.returncode, verdicts, result.stdout + result.stderr)
