"""The `coupon-acceptance` command: run from the project's own directory, it judges that
project with the suite's own settings, whatever pytest configuration the project has."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from harness.cli import main
from harness.stacks.opener import open_stack
from harness.stacks.spec import StackSpec
from tests.commands import coupon_acceptance
from tests.mutants.catalogue import ARTIFACTS, ROOT


def test_usage_and_unknown_commands(capsys) -> None:
    assert main([]) == 2
    assert main(["--help"]) == 0
    assert "contract" in capsys.readouterr().out
    assert main(["verify"]) == 2
    assert "invalid choice: 'verify'" in capsys.readouterr().err
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("coupon-acceptance ")


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


# README: coupon-acceptance contract --api-url http://127.0.0.1:3000 --dsn postgresql://…
def test_judges_a_running_stack_from_its_url_and_dsn(tmp_path: Path) -> None:
    """--api-url alone means the external stack: nothing is started, the one given judged."""
    scorecard = tmp_path / "scorecard.json"
    with open_stack(StackSpec(project_dir=ROOT)) as running:
        run = coupon_acceptance(
            "contract",
            "--api-url",
            running.api_url,
            "--dsn",
            running.dsn,
            f"--project-dir={ROOT}",
            "-k",
            "test_health or test_get_coupon",
            f"--scorecard-json={scorecard}",
            cwd=tmp_path,
        )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert f"stack up: external: API, 1 instance(s) at {running.api_url}" in run.stdout
    assert json.loads(scorecard.read_text())["get.shape"]["status"] == "PASS"


def test_an_impossible_stack_is_a_usage_error_like_the_other_commands(tmp_path: Path) -> None:
    run = coupon_acceptance("contract", "--stack=external", "--dsn=postgresql://x", cwd=tmp_path)
    assert run.returncode == 2, run.stdout[-2000:] + run.stderr[-2000:]
    assert "--stack=external needs --api-url URL and --dsn DSN; missing: --api-url" in run.stderr
