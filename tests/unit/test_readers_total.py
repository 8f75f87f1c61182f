"""The readers of a user's files are total: for any bytes (not UTF-8, binary, empty, YAML
of any shape, a folder where the file belongs) each gives facts or its own one-line error
naming the file, never another exception; and the suite turns such an error into the
verdict of the file's row (FAIL, with FILE:LINE), never an ERROR row."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.inspect.compose_file import ComposeFileError, read_compose_file, read_dotenv
from harness.inspect.dockerfile import DockerfileError, read_dockerfile
from harness.inspect.ignore_files import ignores
from harness.inspect.init_sql import InitSqlError, read_init_sql
from harness.inspect.layout import read_layout
from harness.inspect.openapi import OpenApiError, read_openapi
from tests.suite_run import run_suite

ROOT = Path(__file__).parents[2]
CONTRACT = ROOT / "tests" / "contract"
EXAMPLES = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# Bytes a file may hold: any, text of Dockerfile or SQL words, and the bytes of both.
WORDS = ["FROM", "AS", "--platform=x", "alpine", "RUN", "ARG", "CREATE", "TABLE", "(", ")", ";"]
any_bytes = st.one_of(
    st.binary(max_size=300),
    st.lists(st.sampled_from([*WORDS, " ", "\n", "\\", "$", "\xe9"]), max_size=40).map(
        lambda words: "".join(words).encode("utf-8")
    ),
    st.lists(st.sampled_from([*WORDS, " ", "\n"]), max_size=20).map(
        lambda words: "".join(words).encode("latin-1")
    ),
)
# YAML of any shape, in the compose file's own words.
KEYS = ["services", "postgres", "api", "image", "build", "volumes", "environment", "ports"]
KEYS += ["depends_on", "healthcheck", "context", "dockerfile", "test", "condition"]
yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.sampled_from(["./x:/y", "postgres:15", "."]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(KEYS), inner),
    max_leaves=15,
)


def one_line_about(error: Exception, path: Path) -> bool:
    return str(path) in str(error) and "\n" not in str(error)


@EXAMPLES
@given(data=any_bytes)
def test_any_dockerfile_gives_facts_or_one_line(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "Dockerfile"
    path.write_bytes(data)
    try:
        read_dockerfile(path)
    except DockerfileError as exc:
        assert one_line_about(exc, path), exc


@EXAMPLES
@given(data=any_bytes)
def test_any_init_sql_gives_a_schema_or_one_line(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "init.sql"
    path.write_bytes(data)
    try:
        read_init_sql([path])
    except InitSqlError as exc:
        assert one_line_about(exc, path), exc


@EXAMPLES
@given(data=st.one_of(any_bytes, yaml_values.map(lambda v: yaml.safe_dump(v).encode())))
def test_any_compose_file_gives_facts_or_one_line(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "docker-compose.yml"
    path.write_bytes(data)
    layout = read_layout(tmp_path)  # never raises: the checks say what is wrong
    assert layout.compose is not None or one_line_about(Exception(layout.compose_error), path)
    try:
        read_compose_file(tmp_path, cross_check=False)
    except ComposeFileError as exc:
        assert one_line_about(exc, path), exc


@EXAMPLES
@given(data=st.one_of(any_bytes, yaml_values.map(lambda v: yaml.safe_dump(v).encode())))
def test_any_openapi_document_gives_a_document_or_one_line(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "openapi.yaml"
    path.write_bytes(data)
    try:
        assert isinstance(read_openapi(path)["paths"], dict)
    except OpenApiError as exc:
        assert one_line_about(exc, path), exc


@EXAMPLES
@given(data=any_bytes)
def test_any_env_or_ignore_file_gives_values_and_never_an_error(
    tmp_path: Path, data: bytes
) -> None:
    (tmp_path / ".env").write_bytes(data)
    (tmp_path / ".gitignore").write_bytes(data)
    assert all(isinstance(value, str) for value in read_dotenv(tmp_path / ".env").values())
    assert ignores(tmp_path / ".gitignore", ".env") in (True, False)


READERS = [
    (read_dockerfile, DockerfileError),
    (lambda p: read_init_sql([p]), InitSqlError),
    (read_openapi, OpenApiError),
    (lambda p: read_compose_file(p.parent, cross_check=False), ComposeFileError),
]
READER_IDS = ["Dockerfile", "init.sql", "openapi.yaml", "docker-compose.yml"]


@pytest.mark.parametrize(("reader", "error"), READERS, ids=READER_IDS)
def test_a_folder_where_the_file_belongs_is_one_line(tmp_path: Path, reader, error) -> None:
    (tmp_path / "docker-compose.yml").mkdir()
    with pytest.raises(error, match="a folder, not a file"):
        reader(tmp_path / "docker-compose.yml")


@pytest.mark.parametrize(("reader", "error"), READERS, ids=READER_IDS)
def test_a_symlink_loop_is_one_line(tmp_path: Path, reader, error) -> None:
    looped = tmp_path / "docker-compose.yml"
    looped.symlink_to(looped)
    with pytest.raises(error) as raised:
        reader(looped)
    assert one_line_about(raised.value, looped), raised.value
    assert read_dotenv(looped) == {} and not ignores(looped, ".env")


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
