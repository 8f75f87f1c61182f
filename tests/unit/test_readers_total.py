"""The readers of a user's files are total: for any bytes (not UTF-8, binary, empty, YAML
of any shape, a folder where the file belongs, a symlink loop) each gives facts or its own
one-line error naming the file, never another exception (the suite's verdicts on such
files: tests/integration/test_reader_verdicts.py)."""

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
