"""The catalogue of what the suite proves: story 1.2's criteria and the API contract's rules.

Each test names the criteria it proves with `@pytest.mark.ac(...)` or
`@pytest.mark.contract(...)`; the scorecard has one row per criterion. MUST rules fail
the run; SHOULD rules are reported as "preferred" and never fail it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Level = Literal["MUST", "SHOULD"]


@dataclass(frozen=True)
class Criterion:
    id: str
    text: str
    level: Level = "MUST"


_STORY = [
    Criterion(
        "1.2-AC1.up",
        "`docker compose up --build` from a clean state builds and starts both services",
    ),
    Criterion(
        "1.2-AC1.postgres-5432", "PostgreSQL listens on 5432 and accepts the configured credentials"
    ),
    Criterion(
        "1.2-AC1.waits-for-db", "the api container starts only after postgres reports healthy"
    ),
    Criterion(
        "1.2-AC1.any-credentials", "the stack works with any user, password and database name"
    ),
    Criterion("1.2-AC1.down-clean", "`down -v` leaves no container, network or volume behind"),
    Criterion("1.2-AC2.services", "exactly two services: postgres and api"),
    Criterion("1.2-AC2.postgres-image", "postgres uses the postgres:15-alpine image"),
    Criterion(
        "1.2-AC2.healthcheck", "pg_isready -U $${USER} -d $${DB} health check, with start_period"
    ),
    Criterion("1.2-AC2.depends-healthy", "api depends on postgres with condition: service_healthy"),
    Criterion("1.2-AC2.env-vars", "DB connection settings are ${VARIABLES}, never literals"),
    Criterion("1.2-AC2.init-mount", "scripts/init.sql mounted into /docker-entrypoint-initdb.d/"),
    Criterion("1.2-AC2.ports", "ports 5432 (postgres) and 3000 (api) published"),
    Criterion(
        "1.2-AC2.valid", "`docker compose config` accepts the file and reads it as the suite does"
    ),
    Criterion("1.2-AC3.multi-stage", "multi-stage build: the runtime stage copies from a builder"),
    Criterion("1.2-AC3.alpine", "the runtime stage's base image is alpine"),
    Criterion("1.2-AC3.layer-cache", "dependency manifest copied and installed before the source"),
    Criterion("1.2-AC3.cgo", 'a Go builder builds with CGO_ENABLED=0 and -ldflags "-w -s"'),
    Criterion("1.2-AC3.image-alpine", "the built runtime image is Alpine Linux"),
    Criterion("1.2-AC3.image-no-toolchain", "the runtime image holds no compiler (gcc, cc, go)"),
    Criterion("1.2-AC3.image-size", "the runtime image adds less than the budget to its base"),
    Criterion(
        "1.2-AC3.image-static", "a Go entry binary is a static ELF (no interpreter, no libraries)"
    ),
    Criterion("1.2-AC3.hadolint", "hadolint finds no error in the Dockerfile", "SHOULD"),
    Criterion("1.2-AC4.auto-init", "the schema exists after `up`, without any manual step"),
    Criterion(
        "1.2-AC4.coupons", "coupons(name PK, amount, remaining_amount, created_at), exact types"
    ),
    Criterion("1.2-AC4.claims", "claims(id PK, user_id, coupon_name FK, created_at), exact types"),
    Criterion("1.2-AC4.checks", "CHECK amount > 0 and remaining_amount >= 0"),
    Criterion("1.2-AC4.unique", "UNIQUE(user_id, coupon_name) on claims"),
    Criterion("1.2-AC4.index", "index idx_claims_coupon_name on claims(coupon_name)"),
    Criterion(
        "1.2-AC4.init-file",
        "scripts/init.sql exists, is mode 644, parses, and declares tables (their columns "
        "judged by the rows above)",
    ),
]

_CONTRACT = [
    Criterion(
        "stack.ready",
        "the stack comes up: the database with the project's schema, then the API answering "
        "HTTP within --startup-timeout (on compose: 1.2-AC1.up)",
    ),
    Criterion("health.ok", "GET /health answers 200 while the database answers"),
    Criterion(
        "health.prefer-body",
        'GET /health answers {"status": "healthy"} (the contract\'s body)',
        "SHOULD",
    ),
    Criterion(
        "health.prefer-503",
        "GET /health answers 503 (rather than another 5xx) while the database is down",
        "SHOULD",
    ),
    Criterion("create.created", "POST /api/coupons answers 201; remaining_amount starts at amount"),
    Criterion("create.duplicate", "a second create of one name answers 409, the first unchanged"),
    Criterion(
        "create.race",
        "creates of one name sent at once: exactly one 201, the rest 409, never a 5xx, the "
        "winner's amount kept",
    ),
    Criterion(
        "names.identity",
        "names differing only in case, whitespace or unicode normalization are distinct "
        "coupons, each round-tripping exactly through create, claim and GET",
    ),
    Criterion(
        "users.identity",
        "user ids differing only in case, whitespace or unicode normalization are distinct "
        "users, each eligible for a claim of their own and listed unchanged in claimed_by",
    ),
    Criterion("create.invalid", "invalid create bodies answer 400 {error} and store nothing"),
    Criterion("claim.success", "a claim with stock answers 200 or 201 and is stored"),
    Criterion("claim.already", "a second claim by one user is rejected (409 or 400)"),
    Criterion("claim.out-of-stock", "a claim on a sold-out coupon is rejected (400..409)"),
    Criterion("claim.unknown", "a claim on an unknown coupon is rejected (404, or 400)"),
    Criterion("claim.invalid", "invalid claim bodies answer 400 {error} and store nothing"),
    Criterion("get.shape", "GET answers exactly name, amount, remaining_amount, claimed_by"),
    Criterion("get.unknown", "GET of an unknown name answers 404 {error}"),
    Criterion("get.names", "names with spaces, unicode and percent-encoding round-trip"),
    Criterion("errors.body", "every error answer is JSON {error: text}"),
    Criterion("invariant.1", "remaining_amount = amount - claims, never negative"),
    Criterion("invariant.2", "no user holds two claims on one coupon"),
    Criterion("invariant.3", "every 2xx has exactly one claims row, every 4xx none"),
    Criterion("invariant.4", "GET claimed_by is exactly the users with a claims row"),
    Criterion("invariant.5", "no lost sales: out of stock only once `amount` claims succeeded"),
    Criterion("invariant.6", "already claimed only after a successful claim by that user"),
    Criterion(
        "invariant.7",
        "an acknowledged create or claim is never lost: its coupon, and its claims row, are "
        "in the tables afterwards",
    ),
    Criterion(
        "invariant.9",
        "a request changes only the coupon it names: coupons beside a run's own, named as "
        "near misses of them, stay exactly as created",
    ),
    Criterion(
        "invariant.10",
        "every rule at every size: a coupon of 2,000 claimers listed whole, names and user "
        "ids of 255 characters, multi-byte ones too",
    ),
    Criterion(
        "hostile.create",
        "any create body: never 5xx; accepted exactly when valid; refused ones change nothing",
    ),
    Criterion(
        "hostile.claim",
        "any claim body: never 5xx; a new user's on an open coupon accepted; malformed ones "
        "refused, changing nothing",
    ),
    Criterion("hostile.paths", "any coupon name in the path: never 5xx; a 4xx has an error body"),
    Criterion(
        "hostile.transport",
        "wrong content types, empty, huge and nested bodies: 4xx with an error body",
    ),
    Criterion(
        "faults.db-crash",
        "PostgreSQL crashes mid-sale: /health never 200 (a 5xx) while down, recovery without a "
        "restart, "
        "every acknowledged claim kept (invariant 7)",
    ),
    Criterion(
        "faults.db-pause",
        "PostgreSQL paused mid-sale: every request answered in bounded time (--answer-within), "
        "recovery without a restart, every acknowledged claim kept",
    ),
    Criterion(
        "faults.db-latency",
        "the network to PostgreSQL 50 ms slower each way mid-sale: every request answered "
        "within --answer-within, every acknowledged claim kept, recovery after",
    ),
    Criterion(
        "faults.db-reset",
        "connections to PostgreSQL reset mid-statement, mid-sale: every request answered "
        "within --answer-within, no claim doubled, lost or oversold by a retry, recovery after",
    ),
    Criterion(
        "faults.db-blackhole",
        "the network to PostgreSQL a blackhole mid-sale (connections accepted, nothing "
        "answered) for longer than --answer-within: every request answered within it, "
        "every acknowledged claim kept, recovery after",
    ),
    Criterion(
        "faults.recovery",
        "the API serves again within --recover-within seconds (default 5) of the database "
        "accepting connections or the network healing, after each fault",
        "SHOULD",
    ),
    Criterion(
        "faults.api-restart",
        "the API restarted (SIGTERM) mid-sale: nothing half-done, every acknowledged claim kept",
    ),
    Criterion(
        "security.no-secret-literal",
        "no password, secret, token or key is a literal in the compose file",
    ),
    Criterion(
        "security.env-ignored",
        ".env is ignored by git and kept out of the Docker build context",
        "SHOULD",
    ),
    Criterion("security.non-root", "the runtime image runs as a non-root user", "SHOULD"),
    Criterion(
        "security.db-port-loopback",
        "PostgreSQL's port published on loopback only: on every interface it is development "
        "only (story 1.2, rule 5)",
        "SHOULD",
    ),
    Criterion(
        "hostile.openapi",
        "schemathesis on the project's openapi.yaml: no 5xx, no answer outside the schema",
        "SHOULD",
    ),
    Criterion(
        "scale.instances",
        "run as several instances started together on one database: every one comes up, "
        "and claims of one coupon spread over them keep invariants 1-6 (invariant 8: no "
        "rule rests on one process's memory)",
    ),
    Criterion("races.workloads", "random concurrent workloads (hypothesis) keep invariants 1-6"),
    Criterion("races.model", "a sequential model of create/claim/get agrees with the live API"),
    Criterion(
        "stress.flash-sale",
        "50 users on stock 5: exactly 5 successes, 45 out of stock, each within --answer-within",
    ),
    Criterion(
        "stress.double-dip",
        "10 requests of one user: exactly 1 success, 9 rejections, each within --answer-within",
    ),
    Criterion(
        "stress.scale-100",
        "100 users on stock 10: 10 successes, every request answered within --answer-within",
    ),
    Criterion(
        "stress.scale-200",
        "200 users on stock 20: 20 successes, every request answered within --answer-within",
    ),
    Criterion(
        "stress.scale-500",
        "500 users on stock 50: 50 successes, every request answered within --answer-within",
    ),
    Criterion("claim.prefer-200", "a successful claim answers 200", "SHOULD"),
    Criterion("claim.prefer-409", "an already-claimed rejection answers 409", "SHOULD"),
    Criterion("claim.prefer-400-sold-out", "out of stock answers 400 with an error body", "SHOULD"),
    Criterion("claim.prefer-404-unknown", "a claim on an unknown coupon answers 404", "SHOULD"),
    Criterion("claim.order", "eligibility is checked before stock", "SHOULD"),
    Criterion("get.prefer-commit-order", "claimed_by lists users in commit order", "SHOULD"),
]

CATALOGUE: dict[str, Criterion] = {c.id: c for c in _STORY + _CONTRACT}


def lookup(criterion_id: str) -> Criterion:
    try:
        return CATALOGUE[criterion_id]
    except KeyError:
        raise KeyError(
            f"unknown criterion {criterion_id!r}; known: {', '.join(CATALOGUE)}"
        ) from None
