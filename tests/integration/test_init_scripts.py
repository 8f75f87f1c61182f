"""The schema a project gives its database when scripts/init.sql is not where the story puts
it: what the compose file mounts into the postgres image's init directory, in the order its
entrypoint runs it. The embedded stack loads that, so one misplaced file is one failure
(1.2-AC4.init-file, and 1.2-AC2.init-mount) while the API is still judged."""

from __future__ import annotations

from pathlib import Path

from harness.inspect.layout import read_layout
from tests.mutants.catalogue import CONTRACT, ROOT
from tests.suite_run import run_suite

STORY_SQL = (ROOT / "scripts" / "init.sql").read_text()


def project(tmp_path: Path, volumes: str, files: dict[str, str]) -> Path:
    (tmp_path / "docker-compose.yml").write_text(
        f"services:\n  postgres:\n    image: postgres:15-alpine\n    volumes:\n{volumes}"
        "  api:\n    build: .\n"
    )
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


def names(tmp_path: Path) -> list[str]:
    found = read_layout(tmp_path).init
    return [] if found is None else [str(p.relative_to(tmp_path.resolve())) for p in found.files]


def test_the_story_file_comes_first_whatever_is_mounted(tmp_path: Path) -> None:
    project(
        tmp_path,
        "      - ./db/other.sql:/docker-entrypoint-initdb.d/other.sql\n",
        {"scripts/init.sql": "", "db/other.sql": ""},
    )
    assert names(tmp_path) == ["scripts/init.sql"]


def test_files_mounted_one_by_one_run_by_their_names_inside(tmp_path: Path) -> None:
    """Short and long syntax; a named volume and a file outside the init directory are not
    the schema; the order is the names in the container, not on the host."""
    volumes = (
        "      - ./sql/z.sql:/docker-entrypoint-initdb.d/01-tables.sql:ro\n"
        "      - type: bind\n        source: ./sql/a.sql\n"
        "        target: /docker-entrypoint-initdb.d/02-seed.sql\n"
        "      - pgdata:/var/lib/postgresql/data\n"
        "      - ./sql/conf.sql:/etc/postgresql/conf.sql\n"
    )
    project(tmp_path, volumes, {"sql/z.sql": "", "sql/a.sql": "", "sql/conf.sql": ""})
    assert names(tmp_path) == ["sql/z.sql", "sql/a.sql"]


def test_a_mounted_directory_gives_its_sql_files_in_name_order(tmp_path: Path) -> None:
    project(
        tmp_path,
        "      - ./initdb:/docker-entrypoint-initdb.d\n",
        {"initdb/2-seed.sql": "", "initdb/1-schema.sql": "", "initdb/0-setup.sh": ""},
    )
    assert names(tmp_path) == ["initdb/1-schema.sql", "initdb/2-seed.sql"]


def test_nothing_to_load_without_either(tmp_path: Path) -> None:
    project(tmp_path, "      - pgdata:/var/lib/postgresql/data\n", {})
    assert read_layout(tmp_path).init is None
    assert read_layout(tmp_path / "no-compose-file").init is None


def test_a_schema_kept_elsewhere_is_one_failure_and_the_api_is_judged(tmp_path: Path) -> None:
    compose = (ROOT / "docker-compose.yml").read_text()
    story_mount = "./scripts/init.sql:/docker-entrypoint-initdb.d/init.sql:ro"
    assert story_mount in compose
    (tmp_path / "docker-compose.yml").write_text(
        compose.replace(story_mount, "./db:/docker-entrypoint-initdb.d:ro")
    )
    (tmp_path / "db").mkdir()
    (tmp_path / "db" / "01-schema.sql").write_text(STORY_SQL)
    tests = ("test_ac2_compose.py", "test_ac4_schema.py", "test_claim.py")
    run = run_suite(
        [*(str(CONTRACT / t) for t in tests), f"--project-dir={tmp_path}"], cwd=ROOT, timeout=300
    )
    failed = sorted(c for c, v in run.scorecard.items() if v["status"] == "FAIL")
    assert failed == ["1.2-AC2.init-mount", "1.2-AC4.init-file"], run.output[-3000:]
    assert "schema from db/01-schema.sql, which docker-compose.yml mounts" in run.output
    for criterion in ("1.2-AC4.coupons", "1.2-AC4.claims", "claim.success", "claim.already"):
        assert run.status(criterion) == "PASS", (criterion, run.scorecard.get(criterion))
