"""The suite turns a reader's error on a user's file into the verdict of the file's row
(FAIL, with FILE:LINE), never an ERROR row or a traceback."""

from __future__ import annotations

from pathlib import Path

from tests.suite_run import run_suite

ROOT = Path(__file__).parents[2]
CONTRACT = ROOT / "tests" / "contract"


def test_a_broken_openapi_document_fails_its_row_with_the_file(tmp_path: Path) -> None:
    """schemathesis is not given a file that is not an OpenAPI document: the row FAILs
    with one line naming it, not a traceback."""
    for name in ("docker-compose.yml", "Dockerfile", "scripts/init.sql"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_bytes((ROOT / name).read_bytes())
    (tmp_path / "openapi.yaml").write_text("openapi: 3.1.0\npaths: [/health]\n")
    run = run_suite(
        [str(CONTRACT / "test_openapi_conformance.py"), f"--project-dir={tmp_path}"],
        cwd=ROOT,
        timeout=300,
    )
    verdict = run.scorecard["hostile.openapi"]
    said = f"{tmp_path / 'openapi.yaml'}: `paths` is not a mapping"
    assert verdict["status"] in ("FAIL", "NOT MET") and said in verdict["detail"], verdict
    assert "Traceback" not in run.output, run.output[-3000:]


def test_a_file_the_database_or_docker_would_refuse_fails_its_row_with_file_and_line(
    tmp_path: Path,
) -> None:
    """A FROM naming no image and an init.sql that is not UTF-8: their rows FAIL, with the
    file and the line, and no ERROR row (an IndexError and a UnicodeDecodeError each gave
    five, and 1.2-AC4.init-file PASSed)."""
    (tmp_path / "scripts").mkdir()
    story = (ROOT / "scripts" / "init.sql").read_bytes()
    (tmp_path / "scripts" / "init.sql").write_bytes(story + b"-- caf\xe9\n")
    latin1_line = story.count(b"\n") + 1
    (tmp_path / "Dockerfile").write_text("FROM golang:1.24 AS build\nRUN true\nFROM\n")
    (tmp_path / "docker-compose.yml").write_bytes((ROOT / "docker-compose.yml").read_bytes())
    run = run_suite(
        [str(CONTRACT), "-m", "static", f"--project-dir={tmp_path}"], cwd=ROOT, timeout=120
    )
    assert " error" not in run.output.splitlines()[-1], run.output[-3000:]
    assert "Traceback" not in run.output
    for criterion, said in (
        ("1.2-AC3.multi-stage", f"{tmp_path / 'Dockerfile'}:3: FROM names no image"),
        ("1.2-AC4.init-file", f"init.sql:{latin1_line}: not UTF-8 text (byte 0xe9)"),
    ):
        verdict = run.scorecard[criterion]
        assert verdict["status"] == "FAIL" and said in verdict["detail"], (criterion, verdict)
