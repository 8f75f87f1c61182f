"""Every mutant, what is broken in it, and the criteria of the suite that must catch it.

A MUST criterion catches a mutant by failing (the run exits non-zero); a SHOULD criterion
by being reported "NOT MET" while the run still passes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).parent
CONTRACT = HERE.parent / "contract"
ROOT = HERE.parent.parent
GO_STORY = HERE.parent / "fixtures" / "go-story"  # the story's own Go compose and Dockerfile
# A whole implementation in Go, with other allowed choices; its bugs are switched on by
# COUPON_MUTANT (tests/fixtures/go-foreign/cmd/api).
GO_FOREIGN = HERE.parent / "fixtures" / "go-foreign"
# What the suite reads from a project, copied into each mutant's project.
ARTIFACTS = (
    "docker-compose.yml",
    "Dockerfile",
    "scripts/init.sql",
    ".gitignore",
    ".dockerignore",
    "openapi.yaml",
)


@dataclass(frozen=True)
class Mutant:
    name: str
    catches: tuple[str, ...]  # criteria that must report it
    tests: tuple[str, ...]  # contract test files that hold those criteria
    api: str | None = None  # name in tests/mutants/api.py; None: the reference API
    go_bug: str | None = None  # COUPON_MUTANT of the Go implementation (base=GO_FOREIGN)
    schema: str | None = None  # file in tests/mutants/schemas; None: the story's init.sql
    schema_mode: int = 0o644
    compose: str | None = None  # file in tests/mutants/compose
    dockerfile: str | None = None  # file in tests/mutants/dockerfiles
    dockerignore: str | None = None  # file in tests/mutants/ignores
    gitignore: str | None = None  # file in tests/mutants/ignores
    base: Path = ROOT  # the project whose artifacts the mutant changes
    stack: str = "local"  # "compose": built and started by Docker, from a copy of `base`

    @property
    def files(self) -> dict[str, Path]:
        """The project's artifacts, with the mutant's in place of the originals."""
        chosen = {name: self.base / name for name in ARTIFACTS if (self.base / name).exists()}
        for name, folder, mutant in self._changes:
            chosen[name] = HERE / folder / mutant
        return chosen

    @property
    def _changes(self) -> list[tuple[str, str, str]]:
        return [
            (name, folder, mutant)
            for name, folder, mutant in (
                ("scripts/init.sql", "schemas", self.schema),
                ("docker-compose.yml", "compose", self.compose),
                ("Dockerfile", "dockerfiles", self.dockerfile),
                (".dockerignore", "ignores", self.dockerignore),
                (".gitignore", "ignores", self.gitignore),
            )
            if mutant
        ]

    @property
    def broken(self) -> str:
        """One line: what is wrong with it, from the mutant's own docstring or header."""
        if self.api:
            from .api import MUTANTS

            return (MUTANTS[self.api].__doc__ or "").strip()
        if self.go_bug:
            return f"the Go implementation with COUPON_MUTANT={self.go_bug}"
        for _, folder, mutant in self._changes:
            first = (HERE / folder / mutant).read_text().splitlines()[0]
            return first.split("MUTANT: ", 1)[-1]
        return f"scripts/init.sql with mode {self.schema_mode:o}"


SCHEMA = ("test_ac4_schema.py",)
STRESS = ("test_stress_scenarios.py",)
COMPOSE = ("test_ac2_compose.py",)
DOCKERFILE = ("test_ac3_dockerfile.py",)
FAULTS = "test_faults.py::test_"
CRASH = (FAULTS + "database_crash_mid_sale",)
PAUSE = (FAULTS + "database_pause_mid_sale",)
RESTART = (FAULTS + "api_restart_mid_sale",)
NETWORK = "test_network_faults.py::test_"
RECOVERY = (NETWORK + "serves_again_soon_after_each_fault",)
SECURITY = ("test_security.py",)
HOSTILE = ("test_hostile_input.py",)
AC1 = "test_ac1_startup.py::test_"
IMAGE = "test_ac3_image.py::test_"
RACES = ("test_races.py::test_concurrent_workloads_keep_the_invariants", "test_model.py")
SCALE = ("test_scale_out.py",)
SIZES = ("test_sizes.py",)

MUTANTS = [
    # story 1.2 AC4: the schema
    Mutant(
        "coupons-claimed-by-array",
        ("1.2-AC4.coupons",),
        SCHEMA,
        schema="coupons-claimed-by-array.sql",
    ),
    Mutant(
        "coupons-name-varchar-100",
        ("1.2-AC4.coupons",),
        SCHEMA,
        schema="coupons-name-varchar-100.sql",
    ),
    Mutant("claims-without-fk", ("1.2-AC4.claims",), SCHEMA, schema="claims-without-fk.sql"),
    Mutant("no-check-constraints", ("1.2-AC4.checks",), SCHEMA, schema="no-check-constraints.sql"),
    Mutant("no-unique-pair", ("1.2-AC4.unique",), SCHEMA, schema="no-unique-pair.sql"),
    Mutant("no-coupon-name-index", ("1.2-AC4.index",), SCHEMA, schema="no-coupon-name-index.sql"),
    Mutant("init-sql-mode-600", ("1.2-AC4.init-file",), SCHEMA, schema_mode=0o600),
    Mutant("init-sql-unparsable", ("1.2-AC4.init-file",), SCHEMA, schema="unparsable.sql"),
    # story 1.2 AC2: the compose file
    Mutant(
        "no-health-condition",
        ("1.2-AC2.depends-healthy",),
        COMPOSE,
        compose="no-health-condition.yml",
    ),
    Mutant(
        "pg-isready-without-d",
        ("1.2-AC2.healthcheck",),
        COMPOSE,
        compose="pg-isready-without-d.yml",
    ),
    Mutant(
        "healthcheck-single-dollar",
        ("1.2-AC2.healthcheck",),
        COMPOSE,
        compose="healthcheck-single-dollar.yml",
    ),
    Mutant("no-start-period", ("1.2-AC2.healthcheck",), COMPOSE, compose="no-start-period.yml"),
    Mutant("literal-password", ("1.2-AC2.env-vars",), COMPOSE, compose="literal-password.yml"),
    Mutant(
        "literal-api-credentials",
        ("1.2-AC2.env-vars",),
        COMPOSE,
        compose="literal-api-credentials.yml",
    ),
    Mutant("third-service", ("1.2-AC2.services",), COMPOSE, compose="third-service.yml"),
    Mutant("services-renamed", ("1.2-AC2.services",), COMPOSE, compose="services-renamed.yml"),
    Mutant(
        "two-databases-renamed",
        ("1.2-AC2.services",),
        COMPOSE,
        compose="two-databases-renamed.yml",
    ),
    Mutant("postgres-16", ("1.2-AC2.postgres-image",), COMPOSE, compose="postgres-16.yml"),
    Mutant("no-init-mount", ("1.2-AC2.init-mount",), COMPOSE, compose="no-init-mount.yml"),
    Mutant("api-port-8080", ("1.2-AC2.ports",), COMPOSE, compose="api-port-8080.yml"),
    Mutant("invalid-duration", ("1.2-AC2.valid",), COMPOSE, compose="invalid-duration.yml"),
    # story 1.2 AC3: the Dockerfile
    Mutant(
        "single-stage", ("1.2-AC3.multi-stage",), DOCKERFILE, dockerfile="single-stage.Dockerfile"
    ),
    Mutant(
        "debian-runtime", ("1.2-AC3.alpine",), DOCKERFILE, dockerfile="debian-runtime.Dockerfile"
    ),
    Mutant(
        "source-before-install",
        ("1.2-AC3.layer-cache",),
        DOCKERFILE,
        dockerfile="source-before-install.Dockerfile",
    ),
    Mutant(
        "go-without-cgo-disabled",
        ("1.2-AC3.cgo",),
        DOCKERFILE,
        dockerfile="go-without-cgo-disabled.Dockerfile",
        base=GO_STORY,
    ),
    Mutant(
        "go-unstripped",
        ("1.2-AC3.cgo",),
        DOCKERFILE,
        dockerfile="go-unstripped.Dockerfile",
        base=GO_STORY,
    ),
    Mutant(
        "relative-workdir",
        ("1.2-AC3.hadolint",),
        DOCKERFILE,
        dockerfile="relative-workdir.Dockerfile",
    ),
    # story 1.2 AC1, AC3 and AC4 on the running stack: the Go fixture built by Docker
    Mutant(
        "go-cgo-dynamic-image",
        ("1.2-AC3.image-static",),
        (IMAGE + "go_entry_binary_is_static",),
        dockerfile="go-without-cgo-disabled.Dockerfile",
        base=GO_STORY,
        stack="compose",
    ),
    Mutant(
        "go-runtime-on-builder",
        ("1.2-AC3.image-no-toolchain",),
        (IMAGE + "no_build_toolchain",),
        dockerfile="go-runtime-on-builder.Dockerfile",
        base=GO_STORY,
        stack="compose",
    ),
    Mutant(
        "go-ballast",
        ("1.2-AC3.image-size",),
        (IMAGE + "added_size_within_budget",),
        dockerfile="go-ballast.Dockerfile",
        base=GO_STORY,
        stack="compose",
    ),
    Mutant(
        "go-api-not-waiting",
        ("1.2-AC1.waits-for-db",),
        (AC1 + "api_started_after_postgres_was_healthy",),
        compose="go-api-not-waiting.yml",
        base=GO_STORY,
        stack="compose",
    ),
    Mutant(
        "go-api-exits",
        ("1.2-AC1.up",),
        (AC1 + "both_services_running",),
        compose="go-api-exits.yml",
        base=GO_STORY,
        stack="compose",
    ),
    Mutant(
        "go-postgres-on-5433",
        ("1.2-AC1.postgres-5432",),
        (AC1 + "postgres_on_5432_with_configured_credentials",),
        compose="go-postgres-on-5433.yml",
        base=GO_STORY,
        stack="compose",
    ),
    Mutant(
        "api-credentials-hard-coded",
        ("1.2-AC1.any-credentials",),
        (AC1 + "escaping_credentials_end_to_end_then_down_leaves_nothing",),
        compose="literal-api-credentials.yml",
        stack="compose",
    ),
    Mutant(
        "concatenated-dsn",
        ("1.2-AC1.any-credentials",),
        (AC1 + "escaping_credentials_on_the_local_stack",),
        api="concatenated-dsn",
    ),
    Mutant(
        "go-no-init-mount",
        ("1.2-AC4.auto-init",),
        (AC1 + "schema_exists_without_manual_step",),
        compose="go-no-init-mount.yml",
        base=GO_STORY,
        stack="compose",
    ),
    # the API contract
    Mutant("dies-at-start", ("stack.ready",), ("test_health.py",), api="dies-at-start"),
    Mutant("no-health", ("health.ok",), ("test_health.py",), api="no-health"),
    Mutant(
        "small-int-amounts",
        ("create.created",),
        ("test_create_coupon.py",),
        api="small-int-amounts",
    ),
    Mutant(
        "create-leaves-no-stock",
        ("create.created",),
        ("test_create_coupon.py",),
        api="create-leaves-no-stock",
    ),
    Mutant(
        "no-health-oversells",
        ("health.ok", "stress.scale-100", "invariant.1"),
        ("test_health.py", *STRESS),
        api="no-health-oversells",
    ),
    Mutant(
        "health-wrong-body", ("health.prefer-body",), ("test_health.py",), api="health-wrong-body"
    ),
    Mutant(
        "create-answers-200",
        ("create.created",),
        ("test_create_coupon.py",),
        api="create-answers-200",
    ),
    Mutant(
        "create-upserts", ("create.duplicate",), ("test_create_coupon.py",), api="create-upserts"
    ),
    Mutant(
        "create-check-then-insert",
        ("create.race",),
        ("test_create_coupon.py",),
        api="create-check-then-insert",
    ),
    Mutant(
        "names-case-insensitive",
        ("names.identity",),
        ("test_names.py",),
        api="names-case-insensitive",
    ),
    Mutant("names-trimmed", ("names.identity",), ("test_names.py",), api="names-trimmed"),
    Mutant("names-normalized", ("names.identity",), ("test_names.py",), api="names-normalized"),
    Mutant(
        "users-case-insensitive",
        ("users.identity",),
        ("test_names.py",),
        api="users-case-insensitive",
    ),
    Mutant("users-trimmed", ("users.identity",), ("test_names.py",), api="users-trimmed"),
    Mutant(
        "create-lax-types", ("create.invalid",), ("test_invalid_input.py",), api="create-lax-types"
    ),
    Mutant(
        "claim-not-stored",
        ("claim.success", "invariant.3"),
        ("test_claim.py", *STRESS),
        api="claim-not-stored",
    ),
    Mutant(
        "ack-on-unique-violation",
        ("claim.already", "stress.double-dip"),
        ("test_claim.py", *STRESS),
        api="ack-on-unique-violation",
    ),
    Mutant(
        "claim-ignores-stock",
        ("claim.out-of-stock",),
        ("test_claim.py",),
        api="claim-ignores-stock",
    ),
    Mutant("claim-unknown-500", ("claim.unknown",), ("test_claim.py",), api="claim-unknown-500"),
    Mutant(
        "claim-accepts-empty-user",
        ("claim.invalid",),
        ("test_invalid_input.py",),
        api="claim-accepts-empty-user",
    ),
    Mutant(
        "get-null-claimed-by", ("get.shape",), ("test_get_coupon.py",), api="get-null-claimed-by"
    ),
    Mutant("get-unknown-200", ("get.unknown",), ("test_get_coupon.py",), api="get-unknown-200"),
    Mutant("get-decodes-twice", ("get.names",), ("test_get_coupon.py",), api="get-decodes-twice"),
    Mutant("get-path-undecoded", ("get.names",), ("test_get_coupon.py",), api="get-path-undecoded"),
    Mutant(
        "errors-plain-text", ("errors.body",), ("test_invalid_input.py",), api="errors-plain-text"
    ),
    # concurrency: the stress scenarios and invariants
    Mutant(
        "oversell-claim",
        (
            "stress.flash-sale",
            "stress.scale-100",
            "stress.scale-200",
            "stress.scale-500",
            "invariant.1",
        ),
        STRESS,
        api="oversell-claim",
    ),
    Mutant(
        "own-schema-oversells",
        ("1.2-AC4.coupons", "stress.scale-100", "invariant.1"),
        (*SCHEMA, *STRESS),
        api="own-schema-oversells",
        schema="own-schema.sql",
    ),
    Mutant(
        "own-schema-forgets-claims",
        ("claim.success",),
        ("test_claim.py",),
        api="own-schema-forgets-claims",
        schema="own-schema.sql",
    ),
    Mutant(  # the hostile checks judge the refusals, and name errors.body for the body
        "own-schema-plain-errors",
        ("errors.body",),
        HOSTILE,
        api="own-schema-plain-errors",
        schema="own-schema.sql",
    ),
    Mutant(
        "own-schema-duplicate-overwrites",
        ("create.duplicate",),
        ("test_create_coupon.py",),
        api="own-schema-duplicate-overwrites",
        schema="own-schema.sql",
    ),
    Mutant(
        "stock-renamed-claims-elsewhere",
        ("claim.success", "invariant.3"),
        ("test_claim.py", *STRESS),
        api="stock-renamed-claims-elsewhere",
        schema="stock-renamed.sql",
    ),
    Mutant("get-first-10-claimants", ("invariant.4",), STRESS, api="get-first-10-claimants"),
    Mutant(
        "claim-holds-lock",
        ("stress.flash-sale",),
        ("test_stress_scenarios.py::test_scenario_outcome[flash-sale]",),
        api="claim-holds-lock",
    ),
    Mutant(
        "unlocked-eligibility-without-unique",
        ("invariant.2", "stress.double-dip"),
        STRESS,
        api="unlocked-eligibility",
        schema="no-unique-pair.sql",
    ),
    Mutant(
        "lock-timeout-under-sells",
        ("invariant.5",),
        STRESS,
        api="lock-timeout-as-sold-out",
    ),
    Mutant("one-coupon-per-user", ("invariant.6",), STRESS, api="one-coupon-per-user"),
    # concurrency, searched for by hypothesis (quick profile, without shrinking)
    Mutant("lost-update-oversell", ("races.workloads",), RACES, api="oversell-claim"),
    Mutant("split-transactions", ("races.workloads",), RACES, api="split-transactions"),
    Mutant("lock-timeout-as-sold-out", ("races.workloads",), RACES, api="lock-timeout-as-sold-out"),
    Mutant(
        "split-transactions-vs-model",
        ("races.model",),
        ("test_model.py",),
        api="split-transactions",
    ),
    Mutant(
        "stock-before-eligibility-races",
        ("claim.order",),
        ("test_races.py::test_concurrent_workloads_check_eligibility_first",),
        api="stock-before-eligibility",
    ),
    # security hygiene
    Mutant(
        "secret-literal", ("security.no-secret-literal",), SECURITY, compose="secret-literal.yml"
    ),
    Mutant(
        "dockerignore-keeps-env",
        ("security.env-ignored",),
        SECURITY,
        dockerignore="keeps-env.dockerignore",
    ),
    Mutant(
        "gitignore-commits-env",
        ("security.env-ignored",),
        SECURITY,
        gitignore="commits-env.gitignore",
    ),
    Mutant(
        "db-port-everywhere",
        ("security.db-port-loopback",),
        SECURITY,
        compose="db-port-everywhere.yml",
    ),
    Mutant("root-runtime", ("security.non-root",), SECURITY, dockerfile="root-runtime.Dockerfile"),
    # a request changes only the coupon it names (invariant 9), at every size (10)
    Mutant("claim-matches-as-pattern", ("invariant.9",), STRESS, api="claim-matches-as-pattern"),
    Mutant("claim-matches-case-folded", ("invariant.9",), STRESS, api="claim-matches-case-folded"),
    Mutant("claim-matches-prefix", ("invariant.9",), STRESS, api="claim-matches-prefix"),
    Mutant(
        "claim-matches-blank-padded", ("invariant.9",), STRESS, api="claim-matches-blank-padded"
    ),
    Mutant("claim-matches-trimmed", ("invariant.9",), STRESS, api="claim-matches-trimmed"),
    Mutant("get-first-1000-claimants", ("invariant.10",), SIZES, api="get-first-1000-claimants"),
    Mutant("names-counted-in-bytes", ("invariant.10",), SIZES, api="names-counted-in-bytes"),
    # faults and hostile input
    Mutant("wipes-at-start-up", ("faults.api-restart",), RESTART, api="wipes-at-start-up"),
    Mutant(
        "migrates-once",
        ("faults.api-restart",),
        RESTART,
        api="migrates-once",
        schema="no-tables.sql",
    ),
    Mutant("health-without-database", ("faults.db-crash",), CRASH, api="health-without-database"),
    Mutant("asynchronous-commit", ("faults.db-crash",), CRASH, api="asynchronous-commit"),
    Mutant("no-database-time-limit", ("faults.db-pause",), PAUSE, api="no-database-time-limit"),
    Mutant("ack-before-commit", ("faults.api-restart",), RESTART, api="ack-before-commit"),
    Mutant("slow-recovery", ("faults.recovery",), RECOVERY, api="slow-recovery"),
    Mutant(
        "retry-after-timeout",
        ("faults.db-latency",),
        (NETWORK + "database_latency_mid_sale",),
        api="retry-after-timeout",
    ),
    Mutant(
        "retry-after-reset",
        ("faults.db-reset",),
        (NETWORK + "database_connections_reset_mid_sale",),
        api="retry-after-reset",
    ),
    Mutant(
        "no-database-time-limit-blackhole",
        ("faults.db-blackhole",),
        (NETWORK + "database_blackhole_mid_sale",),
        api="no-database-time-limit",
    ),
    Mutant(
        "errors-plain-text-vs-openapi",
        ("hostile.openapi",),
        ("test_openapi_conformance.py",),
        api="errors-plain-text",
    ),
    Mutant("malformed-json-500", ("hostile.transport",), HOSTILE, api="malformed-json-500"),
    Mutant("create-lax-types-hostile", ("hostile.create",), HOSTILE, api="create-lax-types"),
    Mutant("get-unchecked-name", ("hostile.paths",), HOSTILE, api="get-unchecked-name"),
    Mutant(
        "claim-truncates-long-user", ("hostile.claim",), HOSTILE, api="claim-truncates-long-user"
    ),
    # scale-out: right as one process, wrong as several on one database (--instances 2)
    Mutant(
        "self-migrating-racy",
        ("scale.instances", "1.2-AC4.init-file"),
        (*SCALE, *SCHEMA),
        api="self-migrating-racy",
        schema="no-tables.sql",
    ),
    Mutant(
        "go-racy-migration-compose",
        ("scale.instances",),
        (*SCALE, AC1 + "schema_exists_without_manual_step"),
        compose="go-racy-migration.yml",
        schema="no-tables.sql",
        base=GO_FOREIGN,
        stack="compose",
    ),
    Mutant("in-process-lock", ("scale.instances",), SCALE, api="in-process-lock"),
    Mutant("stock-cached-per-process", ("scale.instances",), SCALE, api="stock-cached-per-process"),
    Mutant("claimed-set-in-memory", ("scale.instances",), SCALE, api="claimed-set-in-memory"),
    # the same classes of bug in foreign code: the Go implementation, each bug switched on
    Mutant(
        "go-racy-migration",
        ("scale.instances", "1.2-AC4.init-file"),
        (*SCALE, *SCHEMA),
        go_bug="racy-migration",
        base=GO_FOREIGN,
        schema="no-tables.sql",
    ),
    Mutant(
        "go-no-health",
        ("health.ok",),
        ("test_health.py", "test_claim.py"),
        go_bug="no-health",
        base=GO_FOREIGN,
    ),
    Mutant(
        "go-oversell",
        ("stress.scale-100", "invariant.1"),
        STRESS,
        go_bug="oversell",
        base=GO_FOREIGN,
    ),
    Mutant(
        "go-check-then-insert",
        ("create.race",),
        ("test_create_coupon.py",),
        go_bug="check-then-insert",
        base=GO_FOREIGN,
    ),
    Mutant(
        "go-case-insensitive-names",
        ("names.identity",),
        ("test_names.py",),
        go_bug="case-insensitive-names",
        base=GO_FOREIGN,
    ),
    Mutant(
        "go-concatenated-dsn",
        ("1.2-AC1.any-credentials",),
        (AC1 + "escaping_credentials_on_the_local_stack",),
        go_bug="concatenated-dsn",
        base=GO_FOREIGN,
    ),
    # preferred (SHOULD) rules: reported, never failing the run
    Mutant("claim-answers-201", ("claim.prefer-200",), ("test_claim.py",), api="claim-answers-201"),
    Mutant(
        "already-claimed-400", ("claim.prefer-409",), ("test_claim.py",), api="already-claimed-400"
    ),
    Mutant("sold-out-409", ("claim.prefer-400-sold-out",), ("test_claim.py",), api="sold-out-409"),
    Mutant(
        "unknown-coupon-400",
        ("claim.prefer-404-unknown",),
        ("test_claim.py",),
        api="unknown-coupon-400",
    ),
    Mutant(
        "stock-before-eligibility",
        ("claim.order",),
        ("test_claim.py",),
        api="stock-before-eligibility",
    ),
    Mutant(
        "health-500-when-down",
        ("health.prefer-503",),
        (FAULTS + "health_prefers_503_while_the_database_is_down",),
        api="health-500-when-down",
    ),
    Mutant("sold-out-404", ("claim.prefer-400-sold-out",), ("test_claim.py",), api="sold-out-404"),
    Mutant(
        "foreign-choices",
        (
            "claim.prefer-200",
            "claim.prefer-409",
            "claim.prefer-400-sold-out",
            "claim.prefer-404-unknown",
            "claim.order",
        ),
        ("test_claim.py",),
        api="foreign-choices",
    ),
    Mutant(
        "claimed-by-alphabetical",
        ("get.prefer-commit-order",),
        ("test_get_coupon.py",),
        api="claimed-by-alphabetical",
    ),
]
