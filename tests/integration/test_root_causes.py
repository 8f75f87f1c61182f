"""One root cause, one failure: a stack that does not come up fails `stack.ready` once and
blocks what needs it; an API without /health fails `health.ok` once while every other
check still runs and judges it; a schema of its own fails its AC4 rows, and the checks
that read the tables judge what GET shows, blocked only for the tables' part (where only
the stock's columns differ, the claims rows judge them all the same); services
named otherwise fail 1.2-AC2.services alone, the other AC2 rows judging the part each plays;
an init.sql missing fails 1.2-AC4.init-file alone, a compose file or Dockerfile missing or
unreadable 1.2-AC2.valid or 1.2-AC3.multi-stage; a GET that cannot reach a percent-encoded
name fails get.names alone, names.identity blocked by it; no /health, amounts refused
above 16 bits, a create that gives no stock and plain-text errors are each one failure, the
checks that take those steps on their way BLOCKED by it; a repository with no schema file,
or an init file that creates a database, is judged on what its database holds."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from harness.blocked import ROOTS
from harness.plugin.criteria import CATALOGUE
from tests.mutants.catalogue import Mutant
from tests.mutants.runner import cannot_run, run_mutant
from tests.suite_run import run_suite

ROOT = Path(__file__).parents[2]
CONTRACT = ROOT / "tests" / "contract"
MUTANT_API = f"{shlex.quote(sys.executable)} {ROOT / 'tests' / 'mutants' / 'api.py'}"


def failed(scorecard: dict) -> list[str]:
    return sorted(cid for cid, verdict in scorecard.items() if verdict["status"] == "FAIL")


def test_a_stack_that_does_not_come_up_is_one_failure() -> None:
    dies = f"{shlex.quote(sys.executable)} -c \"raise SystemExit('no database driver')\""
    tests = ("test_health.py", "test_claim.py", "test_ac1_startup.py")
    run = run_suite(
        [*(str(CONTRACT / t) for t in tests), f"--api-cmd={dies}"], cwd=ROOT, timeout=120
    )
    assert run.exit_code == 1
    assert failed(run.scorecard) == ["stack.ready"], run.output[-3000:]
    assert "the API exited with 1" in run.scorecard["stack.ready"]["detail"]
    assert "no database driver" in run.output  # the log's tail, printed once
    for criterion in ("health.ok", "claim.success", "claim.prefer-200"):
        assert run.status(criterion) == "BLOCKED", criterion
    assert run.status("1.2-AC1.up") == "SKIP"  # does not apply to the local stack at all


def test_an_api_without_health_is_judged_on_everything_else() -> None:
    """health.ok fails once; a second start with other credentials, and the recovery after
    each fault, are judged by the API's own endpoints (they were FAILs of "GET /health ->
    404" and 60-second waits); what only /health shows is BLOCKED by health.ok."""
    tests = (
        *("test_health.py", "test_claim.py", "test_get_coupon.py"),
        *("test_ac1_startup.py", "test_faults.py"),
    )
    run = run_suite(
        [*(str(CONTRACT / t) for t in tests), f"--api-cmd={MUTANT_API} no-health"],
        cwd=ROOT,
        timeout=300,
    )
    assert run.exit_code == 1
    assert failed(run.scorecard) == ["health.ok"], run.output[-3000:]
    assert "404" in run.scorecard["health.ok"]["detail"]
    for criterion in ("health.prefer-body", "health.prefer-503", "faults.db-crash"):
        assert run.status(criterion) == "BLOCKED", (criterion, run.scorecard.get(criterion))
        assert "blocked by health.ok" in run.scorecard[criterion]["detail"]
    assert "acknowledged claim held" in run.scorecard["faults.db-crash"]["detail"]
    for criterion in (
        *("claim.success", "get.shape", "1.2-AC1.any-credentials"),
        *("faults.db-pause", "faults.api-restart"),
    ):
        assert run.status(criterion) == "PASS", (criterion, run.scorecard.get(criterion))


def blocked_by(run, root: str, criteria: tuple[str, ...]) -> dict[str, object]:
    """Of `criteria`, those not BLOCKED by `root`, with their verdicts."""
    return {
        criterion: run.scorecard.get(criterion)
        for criterion in criteria
        if run.status(criterion) != "BLOCKED"
        or f"blocked by {root}" not in run.scorecard[criterion]["detail"]
    }


def test_amounts_an_api_refuses_are_one_failure_and_long_runs_adapt() -> None:
    """An API keeping amounts in 16 bits refuses 2^31-1: create.created fails for it once;
    the fault runs take the largest stock it does create (their setup failed "assert 400
    == 201" and no fault was applied), and hostile.create is blocked, not failed, by it."""
    tests = ("test_create_coupon.py", "test_hostile_input.py", "test_faults.py")
    run = run_suite(
        [
            *(str(CONTRACT / t) for t in tests),
            *("-k", "not crash and not pause"),
            f"--api-cmd={MUTANT_API} small-int-amounts",
        ],
        cwd=ROOT,
        timeout=300,
    )
    assert failed(run.scorecard) == ["create.created"], run.output[-3000:]
    assert "2147483647" in run.scorecard["create.created"]["detail"]
    assert blocked_by(run, "create.created", ("hostile.create",)) == {}
    assert "amount 2147483647 is refused" in run.scorecard["hostile.create"]["detail"]
    assert run.status("faults.api-restart") == "PASS", run.scorecard.get("faults.api-restart")


def test_a_create_that_gives_no_stock_blocks_what_needs_a_claim() -> None:
    """A create answered 201 that leaves remaining_amount 0: create.created fails; every
    check whose setup needs a first claim is BLOCKED by it, seeing on GET that the coupon
    never got its stock (get.names, get.shape and errors.body each failed for it)."""
    tests = (
        *("test_create_coupon.py", "test_claim.py"),
        *("test_get_coupon.py", "test_invalid_input.py"),
    )
    run = run_suite(
        [*(str(CONTRACT / t) for t in tests), f"--api-cmd={MUTANT_API} create-leaves-no-stock"],
        cwd=ROOT,
        timeout=300,
    )
    assert failed(run.scorecard) == ["create.created"], run.output[-3000:]
    needs_a_claim = (
        *("claim.success", "claim.already", "claim.out-of-stock", "create.duplicate"),
        *("get.shape", "get.names", "errors.body", "claim.order"),
    )
    assert blocked_by(run, "create.created", needs_a_claim) == {}
    assert '"remaining_amount":0' in run.scorecard["get.names"]["detail"]
    for criterion in ("claim.unknown", "create.invalid", "claim.invalid", "create.race"):
        assert run.status(criterion) == "PASS", (criterion, run.scorecard.get(criterion))


ERROR_BODY_READERS = (
    *("create.invalid", "claim.invalid"),
    *("hostile.create", "hostile.claim", "hostile.paths", "hostile.transport"),
)


def test_error_answers_in_plain_text_are_one_failure() -> None:
    """Errors answered as plain text: errors.body fails; every other check that reads an
    error answer judges its status and the tables, and is BLOCKED by errors.body for the
    body (six rows failed on "no {'error': text} body")."""
    tests = ("test_invalid_input.py", "test_hostile_input.py")
    run = run_suite(
        [*(str(CONTRACT / t) for t in tests), f"--api-cmd={MUTANT_API} errors-plain-text"],
        cwd=ROOT,
        timeout=300,
    )
    assert failed(run.scorecard) == ["errors.body"], run.output[-3000:]
    assert blocked_by(run, "errors.body", ERROR_BODY_READERS) == {}
    for criterion in ERROR_BODY_READERS:
        assert "the statuses and the stored data held" in run.scorecard[criterion]["detail"]


def test_a_repository_with_no_schema_file_is_judged_on_the_tables_its_api_makes(
    tmp_path: Path,
) -> None:
    """No scripts/init.sql and no compose file at all, and an API that makes the story's
    tables at start-up: 1.2-AC4.init-file fails once, and the API is judged (the local
    stack refused to start, every behaviour row BLOCKED)."""
    tests = ("test_ac4_schema.py", "test_claim.py", "test_create_coupon.py")
    run = run_suite(
        [
            *(str(CONTRACT / t) for t in tests),
            f"--project-dir={tmp_path}",
            f"--api-cmd={MUTANT_API} self-migrating",
        ],
        cwd=ROOT,
        timeout=300,
    )
    assert failed(run.scorecard) == ["1.2-AC4.init-file"], run.output[-3000:]
    assert "the API makes its own" in run.output  # the stack says where the schema came from
    for criterion in ("create.created", "claim.success", "claim.already", "create.race"):
        assert run.status(criterion) == "PASS", (criterion, run.scorecard.get(criterion))


def test_an_init_file_that_creates_a_database_loads_as_the_image_loads_it(tmp_path: Path) -> None:
    """`CREATE DATABASE` cannot run inside a transaction: the local stack runs init files
    through psql, statement by statement, as the postgres image does (loaded as one query,
    it was refused and every behaviour row BLOCKED). An allowed variation: all passes."""
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts/init.sql").write_text(
        # a database of its own made first, and psql's meta-commands around it
        "\\set home :DBNAME\nCREATE DATABASE coupon_archive;\n\\connect coupon_archive\n"
        "\\connect :home\n" + (ROOT / "scripts/init.sql").read_text()
    )
    tests = ("test_ac4_schema.py", "test_claim.py")
    run = run_suite(
        [*(str(CONTRACT / t) for t in tests), f"--project-dir={tmp_path}"], cwd=ROOT, timeout=300
    )
    assert run.exit_code == 0, run.output[-3000:]
    for criterion in ("1.2-AC4.init-file", "1.2-AC4.coupons", "claim.success"):
        assert run.status(criterion) == "PASS", (criterion, run.scorecard.get(criterion))


def test_a_schema_of_its_own_fails_only_its_schema_rows(tmp_path: Path) -> None:
    (tmp_path / "scripts").mkdir()
    shutil.copyfile(ROOT / "tests/mutants/schemas/own-schema.sql", tmp_path / "scripts/init.sql")
    tests = (
        "test_ac4_schema.py",
        "test_claim.py",
        "test_create_coupon.py",
        "test_invalid_input.py",
        "test_hostile_input.py",
        "test_names.py",
    )
    run = run_suite(
        [
            *(str(CONTRACT / t) for t in tests),
            f"--project-dir={tmp_path}",
            f"--api-cmd={MUTANT_API} own-schema",
        ],
        cwd=ROOT,
        timeout=300,
    )
    assert run.exit_code == 1
    assert f"project: {tmp_path.resolve()}" in run.output  # whose init.sql was judged
    rows = {cid.rsplit(".", 1)[0] for cid in failed(run.scorecard)}
    assert rows == {"1.2-AC4"}, run.output[-3000:]
    judged_then_blocked = (
        *("claim.success", "claim.out-of-stock", "create.race", "create.invalid"),
        *("hostile.create", "hostile.claim", "hostile.transport", "names.identity"),
    )
    for criterion in judged_then_blocked:
        assert run.status(criterion) == "BLOCKED", (criterion, run.scorecard.get(criterion))
        detail = run.scorecard[criterion]["detail"]
        assert "1.2-AC4." in detail and "held)" in detail, (criterion, detail)
    assert run.status("claim.prefer-200") == "MET" and run.status("claim.order") == "MET"
    assert run.status("hostile.paths") == "PASS"


def test_stock_columns_of_its_own_leave_the_claims_judged_on_the_tables(tmp_path: Path) -> None:
    """The story's claims table, coupons' stock under columns of its own: the AC4 rows fail,
    and every check that reads the tables judges the claims rows, with the stock from GET:
    passed, not blocked; the claims' own constraints are tried on a coupon the API made."""
    (tmp_path / "scripts").mkdir()
    schema = ROOT / "tests/mutants/schemas/stock-renamed.sql"
    shutil.copyfile(schema, tmp_path / "scripts/init.sql")
    tests = ("test_ac4_schema.py", "test_claim.py", "test_create_coupon.py", "test_names.py")
    run = run_suite(
        [
            *(str(CONTRACT / t) for t in tests),
            str(CONTRACT / "test_stress_scenarios.py"),
            str(CONTRACT / "test_races.py"),
            f"--project-dir={tmp_path}",
            f"--api-cmd={MUTANT_API} stock-renamed",
        ],
        cwd=ROOT,
        timeout=600,
    )
    rows = {cid.rsplit(".", 1)[0] for cid in failed(run.scorecard)}
    assert rows == {"1.2-AC4"}, run.output[-3000:]
    judged = (
        *("claim.success", "claim.out-of-stock", "create.created", "create.race"),
        *("names.identity", "stress.flash-sale", "races.workloads", "1.2-AC4.unique"),
        *(f"invariant.{n}" for n in range(1, 7)),
    )
    for criterion in judged:
        assert run.status(criterion) == "PASS", (criterion, run.scorecard.get(criterion))


COMPOSE_MUTANTS = ROOT / "tests" / "mutants" / "compose"
AC2_BY_ROLE = (
    *("1.2-AC2.postgres-image", "1.2-AC2.healthcheck", "1.2-AC2.depends-healthy"),
    *("1.2-AC2.env-vars", "1.2-AC2.init-mount", "1.2-AC2.ports"),
)


@pytest.mark.parametrize(
    ("compose", "others"),
    [("services-renamed.yml", "PASS"), ("two-databases-renamed.yml", "BLOCKED")],
)
def test_services_named_otherwise_fail_only_their_names(tmp_path: Path, compose, others) -> None:
    """Renamed, each service is judged by the part it plays (the database runs postgres,
    the API is built); where two could be the database, their rows are BLOCKED by the names."""
    shutil.copyfile(COMPOSE_MUTANTS / compose, tmp_path / "docker-compose.yml")
    run = run_suite(
        [str(CONTRACT / "test_ac2_compose.py"), f"--project-dir={tmp_path}"],
        cwd=ROOT,
        timeout=120,
    )
    assert failed(run.scorecard) == ["1.2-AC2.services"], run.output[-3000:]
    for criterion in AC2_BY_ROLE:
        assert run.status(criterion) == others, (criterion, run.scorecard.get(criterion))
        if others == "BLOCKED":
            assert "1.2-AC2.services" in run.scorecard[criterion]["detail"]


def test_a_database_built_from_the_project_is_judged_as_the_database(tmp_path: Path) -> None:
    """Renamed, with the database built FROM postgres rather than run from the image: it
    still plays postgres (and the API is the other build), so only the names and the image
    fail, the image's row saying what the database is built from."""
    renamed = (COMPOSE_MUTANTS / "services-renamed.yml").read_text()
    image = "    image: ${POSTGRES_IMAGE:-postgres:15-alpine}\n"
    assert renamed.count(image) == 1
    built = "    build:\n      context: .\n      dockerfile: db.Dockerfile\n"
    (tmp_path / "docker-compose.yml").write_text(renamed.replace(image, built))
    (tmp_path / "db.Dockerfile").write_text("FROM postgres:15-alpine\n")
    run = run_suite(
        [str(CONTRACT / "test_ac2_compose.py"), f"--project-dir={tmp_path}"],
        cwd=ROOT,
        timeout=120,
    )
    roots = ["1.2-AC2.postgres-image", "1.2-AC2.services"]
    assert failed(run.scorecard) == roots, run.output[-3000:]
    detail = run.scorecard["1.2-AC2.postgres-image"]["detail"]
    assert "built from db.Dockerfile (FROM postgres:15-alpine)" in detail, detail
    for criterion in set(AC2_BY_ROLE) - {"1.2-AC2.postgres-image"}:
        assert run.status(criterion) == "PASS", (criterion, run.scorecard.get(criterion))


@pytest.mark.slow
def test_services_named_otherwise_come_up_and_are_judged_on_compose(tmp_path: Path) -> None:
    """The compose stack publishes, reads and faults the services that play each part:
    renamed, the stack still comes up and every runtime row is judged."""
    renamed = Mutant(
        "services-renamed",
        ("1.2-AC2.services",),
        ("test_ac2_compose.py", "test_ac1_startup.py", "test_faults.py"),
        compose="services-renamed.yml",
        stack="compose",
    )
    if reason := cannot_run(renamed):
        pytest.skip(reason)
    # Not the second project of other credentials: it comes up as the first does (15 s).
    run = run_mutant(renamed, tmp_path, extra=("-k", "not end_to_end_then_down")).suite
    assert failed(run.scorecard) == ["1.2-AC2.services"], run.output[-3000:]
    for criterion in (
        *("1.2-AC1.up", "1.2-AC1.postgres-5432", "1.2-AC1.waits-for-db"),
        *("faults.db-crash", "faults.db-pause", "faults.api-restart"),
    ):
        assert run.status(criterion) == "PASS", (criterion, run.scorecard.get(criterion))


def test_an_init_sql_missing_is_one_failure(tmp_path: Path) -> None:
    """No scripts/init.sql: 1.2-AC4.init-file fails; the schema rows, which the live
    database can still judge, are not failed for it on the file's side."""
    run = run_suite(
        [str(CONTRACT / "test_ac4_schema.py"), "-m", "static", f"--project-dir={tmp_path}"],
        cwd=ROOT,
        timeout=60,
    )
    assert failed(run.scorecard) == ["1.2-AC4.init-file"], run.output[-3000:]
    for criterion in ("1.2-AC4.coupons", "1.2-AC4.claims", "1.2-AC4.unique", "1.2-AC4.index"):
        assert run.status(criterion) == "BLOCKED", (criterion, run.scorecard.get(criterion))
        assert "does not exist" in run.scorecard[criterion]["detail"]


COMPOSE_READERS = (
    *("1.2-AC2.services", *AC2_BY_ROLE),
    *("security.no-secret-literal", "security.db-port-loopback"),
)
DOCKERFILE_READERS = (
    *("1.2-AC3.alpine", "1.2-AC3.layer-cache", "1.2-AC3.cgo"),
    *("1.2-AC3.hadolint", "security.non-root"),
)


@pytest.mark.parametrize(
    ("compose", "dockerfile"),
    [(None, None), ("services: [\n  postgres\n", "# no FROM\nRUN echo hi\n")],
    ids=["missing", "unreadable"],
)
def test_a_compose_file_or_dockerfile_gone_wrong_is_one_failure_each(
    tmp_path: Path, compose: str | None, dockerfile: str | None
) -> None:
    """No docker-compose.yml and no Dockerfile (or one not YAML and one without a FROM):
    1.2-AC2.valid and 1.2-AC3.multi-stage fail, once each; every other row that reads
    either file is BLOCKED by its root (they were a dozen FAILs of the same sentence)."""
    (tmp_path / "scripts").mkdir()
    shutil.copyfile(ROOT / "scripts" / "init.sql", tmp_path / "scripts" / "init.sql")
    for name, text in (("docker-compose.yml", compose), ("Dockerfile", dockerfile)):
        if text is not None:
            (tmp_path / name).write_text(text)
    run = run_suite(
        [str(CONTRACT), "-m", "static", f"--project-dir={tmp_path}"], cwd=ROOT, timeout=120
    )
    assert failed(run.scorecard) == ["1.2-AC2.valid", "1.2-AC3.multi-stage"], run.output[-3000:]
    for root, criteria in (
        ("1.2-AC2.valid", COMPOSE_READERS),
        ("1.2-AC3.multi-stage", DOCKERFILE_READERS),
    ):
        for criterion in criteria:
            verdict = run.scorecard[criterion]
            assert verdict["status"] == "BLOCKED", (criterion, verdict)
            assert f"blocked by {root}" in verdict["detail"], (criterion, verdict)


def test_no_compose_file_is_one_failure_on_the_compose_stack(tmp_path: Path) -> None:
    """On --stack=compose an empty project is the same three FAILs: what needs the stack
    (AC1, the built image, auto-init) is BLOCKED by the missing compose file."""
    if subprocess.run(["docker", "compose", "version"], capture_output=True).returncode:
        pytest.skip("no `docker compose` (v2) on this machine")
    run = run_suite(
        [str(CONTRACT), "--stack=compose", f"--project-dir={tmp_path}"], cwd=ROOT, timeout=120
    )
    roots = ["1.2-AC2.valid", "1.2-AC3.multi-stage", "1.2-AC4.init-file"]
    assert failed(run.scorecard) == roots, run.output[-3000:]
    for criterion in ("1.2-AC1.up", "1.2-AC3.image-alpine", "1.2-AC4.auto-init", "claim.success"):
        assert run.status(criterion) == "BLOCKED", (criterion, run.scorecard.get(criterion))
        assert "blocked by 1.2-AC2.valid" in run.scorecard[criterion]["detail"]


def test_an_api_that_cannot_reach_its_database_is_one_failure() -> None:
    """/health 503 and every request needing the database 5xx until the start-up timeout:
    stack.ready fails once, saying why, instead of a FAIL per check."""
    tests = ("test_health.py", "test_claim.py", "test_get_coupon.py")
    run = run_suite(
        [
            *(str(CONTRACT / t) for t in tests),
            f"--api-cmd={MUTANT_API} database-settings-ignored",
            "--startup-timeout=5",
        ],
        cwd=ROOT,
        timeout=120,
    )
    assert failed(run.scorecard) == ["stack.ready"], run.output[-3000:]
    detail = run.scorecard["stack.ready"]["detail"]
    assert "GET /health answered 503" in detail and "does not reach its database" in detail
    for criterion in ("health.ok", "claim.success", "get.shape"):
        assert run.status(criterion) == "BLOCKED", (criterion, run.scorecard.get(criterion))


def test_a_get_that_does_not_decode_its_path_is_one_failure() -> None:
    """GET looking names up percent-encoded (fiber v2 without UnescapePath): get.names fails;
    names.identity, whose lookalikes hold spaces and an é, judges create, claim and the
    tables and is blocked by it, not failed a second time."""
    tests = ("test_get_coupon.py", "test_names.py")
    run = run_suite(
        [*(str(CONTRACT / t) for t in tests), f"--api-cmd={MUTANT_API} get-path-undecoded"],
        cwd=ROOT,
        timeout=300,
    )
    assert failed(run.scorecard) == ["get.names"], run.output[-3000:]
    assert run.status("names.identity") == "BLOCKED", run.scorecard.get("names.identity")
    assert "kept them apart" in run.scorecard["names.identity"]["detail"]
    assert run.status("get.shape") == "PASS"


def test_an_api_that_does_not_come_back_after_a_restart_is_one_failure(tmp_path: Path) -> None:
    """An API whose start-up cannot run twice (a plain CREATE TABLE) does not come back
    after faults.api-restart: that row fails once, and every later check, finding no API,
    is BLOCKED by it (each was a FAIL of "connection refused")."""
    (tmp_path / "scripts").mkdir()
    shutil.copyfile(ROOT / "tests/mutants/schemas/no-tables.sql", tmp_path / "scripts/init.sql")
    tests = ("test_faults.py", "test_get_coupon.py", "test_health.py")
    run = run_suite(
        [
            *(str(CONTRACT / t) for t in tests),
            *("-k", "restart or get or health_answers", "--instances=1"),
            f"--project-dir={tmp_path}",
            f"--api-cmd={MUTANT_API} migrates-once",
        ],
        cwd=ROOT,
        timeout=300,
    )
    assert failed(run.scorecard) == ["faults.api-restart"], run.output[-3000:]
    assert "the API exited with 1" in run.scorecard["faults.api-restart"]["detail"]
    later = ("health.ok", "get.shape", "get.unknown", "get.names")
    assert blocked_by(run, "faults.api-restart", later) == {}


def test_every_root_cause_is_a_criterion_of_the_catalogue() -> None:
    assert set(ROOTS) <= set(CATALOGUE), set(ROOTS) - set(CATALOGUE)
