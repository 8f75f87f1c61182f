"""The `coupon-acceptance` command: run from the project's own directory, it judges that
project with the suite's own settings, whatever pytest configuration the project has."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from harness.cli import main
from tests.mutants.catalogue import ARTIFACTS, ROOT


def coupon_acceptance(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "harness.cli", *args], cwd=cwd, capture_output=True, text=True
    )


def test_usage_and_unknown_commands(capsys) -> None:
    assert main([]) == 2
    assert main(["--help"]) == 0
    assert "contract" in capsys.readouterr().out
    assert main(["verify"]) == 2
    assert "unknown command 'verify'" in capsys.readouterr().err


def test_judges_the_current_directory_with_its_own_settings(tmp_path: Path) -> None:
    for name in ARTIFACTS:
        if (ROOT / name).exists():
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, tmp_path / name)
    # A project's own pytest configuration that would break the suite, were it read.
    (tmp_path / "pytest.ini").write_text("[pytest]\naddopts = --no-such-option\n")
    scorecard = tmp_path / "scorecard.json"
    run = coupon_acceptance(
        "contract", "-m", "static", f"--scorecard-json={scorecard}", cwd=tmp_path
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    verdicts = json.loads(scorecard.read_text())
    assert verdicts["1.2-AC2.services"]["status"] == "PASS"
    assert verdicts["1.2-AC4.init-file"]["status"] == "PASS"


def test_a_directory_without_the_story_files_fails(tmp_path: Path) -> None:
    run = coupon_acceptance("contract", "-m", "static", cwd=tmp_path)
    assert run.returncode == 1, run.stdout[-3000:]
    assert "docker-compose.yml" in run.stdout
