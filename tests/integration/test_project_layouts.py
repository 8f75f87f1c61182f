"""Layouts the story allows that are not its own: the checks judge the file the project
really uses, wherever it is. The Dockerfile AC3 is about is the one the compose file
builds the API from (`build.dockerfile`, relative to `build.context`), not ./Dockerfile;
and `.env` is kept out of that build's context, not the project folder's."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.mutants.catalogue import CONTRACT, ROOT
from tests.suite_run import run_suite

SINGLE_STAGE = ROOT / "tests" / "mutants" / "dockerfiles" / "single-stage.Dockerfile"
AC3_ROWS = ("1.2-AC3.multi-stage", "1.2-AC3.alpine", "1.2-AC3.layer-cache")


@pytest.mark.parametrize(
    ("built", "at_the_root", "multi_stage"),
    [(ROOT / "Dockerfile", SINGLE_STAGE, "PASS"), (SINGLE_STAGE, ROOT / "Dockerfile", "FAIL")],
    ids=["good-where-built", "single-stage-where-built"],
)
def test_the_dockerfile_judged_is_the_one_compose_builds(
    tmp_path: Path, built: Path, at_the_root: Path, multi_stage: str
) -> None:
    """The API built from docker/api.Dockerfile, with another Dockerfile at the root as a
    decoy: the rows follow the compose file, PASS or FAIL by what it builds."""
    compose = (ROOT / "docker-compose.yml").read_text()
    assert "dockerfile: Dockerfile\n" in compose
    (tmp_path / "docker-compose.yml").write_text(
        compose.replace("dockerfile: Dockerfile\n", "dockerfile: docker/api.Dockerfile\n")
    )
    (tmp_path / "docker").mkdir()
    shutil.copyfile(built, tmp_path / "docker" / "api.Dockerfile")
    shutil.copyfile(at_the_root, tmp_path / "Dockerfile")
    run = run_suite(
        [str(CONTRACT / "test_ac3_dockerfile.py"), f"--project-dir={tmp_path}"],
        cwd=ROOT,
        timeout=60,
    )
    assert run.status("1.2-AC3.multi-stage") == multi_stage, run.output[-3000:]
    if multi_stage == "PASS":
        for criterion in AC3_ROWS:
            assert run.status(criterion) == "PASS", (criterion, run.scorecard.get(criterion))
    else:
        assert "api.Dockerfile" in run.scorecard["1.2-AC3.multi-stage"]["detail"]


@pytest.mark.parametrize(
    ("context", "env_ignored"), [("./api", "MET"), (".", "NOT MET")], ids=["api-folder", "root"]
)
def test_env_kept_out_of_the_build_is_judged_in_its_context(
    tmp_path: Path, context: str, env_ignored: str
) -> None:
    """No .dockerignore anywhere: a build whose context is ./api never sees the root's
    .env, so there is nothing to keep out; one whose context is the root would send it."""
    compose = (ROOT / "docker-compose.yml").read_text()
    assert "context: .\n" in compose
    (tmp_path / "docker-compose.yml").write_text(
        compose.replace("context: .\n", f"context: {context}\n")
    )
    (tmp_path / "api").mkdir()
    shutil.copyfile(ROOT / "Dockerfile", tmp_path / context / "Dockerfile")
    shutil.copyfile(ROOT / ".gitignore", tmp_path / ".gitignore")
    run = run_suite(
        [str(CONTRACT / "test_security.py"), f"--project-dir={tmp_path}"], cwd=ROOT, timeout=60
    )
    assert run.status("security.env-ignored") == env_ignored, run.output[-3000:]
