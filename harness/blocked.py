"""One root cause, one failure: what a check raises when it cannot be judged because
something it depends on failed first (the stack did not come up; the tables cannot be read
as the story's schema; a create, a first claim or an error body a check needs on its way,
which another row judges). Any part of the harness may raise it.

The plugin's reporter records the root cause once, as a FAIL of its own criterion (`root`), and
every check that raised `Blocked` as BLOCKED by it, with what was observed."""

from __future__ import annotations

# The criteria other checks are blocked by, each spelled here once (criteria.py holds
# their texts; tests/integration/test_root_causes.py that each is in its catalogue).
STACK_READY = "stack.ready"  # the stack came up (local and external)
COMPOSE_UP = "1.2-AC1.up"  # the compose stack came up
COMPOSE_FILE = "1.2-AC2.valid"  # the compose file exists and reads
DOCKERFILE = "1.2-AC3.multi-stage"  # the Dockerfile exists and has a FROM
INIT_FILE = "1.2-AC4.init-file"  # scripts/init.sql exists, parses and declares tables
COUPONS_TABLE = "1.2-AC4.coupons"  # the coupons table as the story's
CLAIMS_TABLE = "1.2-AC4.claims"  # the claims table as the story's
HEALTH_OK = "health.ok"  # GET /health answers 200: a step no other row owns
GET_NAMES = "get.names"
CREATE_CREATED = "create.created"  # a create answers 201 and gives the coupon its stock
CLAIM_SUCCESS = "claim.success"  # a claim with stock answers 2xx
ERRORS_BODY = "errors.body"  # an error answer's body is JSON {"error": text}
# The rows that judge whether a request is refused at all (errors.body judges the body of
# a refusal, and is blocked by these where there was none).
CREATE_DUPLICATE = "create.duplicate"
CREATE_INVALID = "create.invalid"
CLAIM_ALREADY = "claim.already"
CLAIM_OUT_OF_STOCK = "claim.out-of-stock"
CLAIM_UNKNOWN = "claim.unknown"
CLAIM_INVALID = "claim.invalid"
GET_UNKNOWN = "get.unknown"
OTHER_COUPONS = "invariant.9"  # a request changes only the coupon it names
ROOTS = (
    STACK_READY,
    COMPOSE_UP,
    COMPOSE_FILE,
    DOCKERFILE,
    INIT_FILE,
    COUPONS_TABLE,
    CLAIMS_TABLE,
    HEALTH_OK,
    GET_NAMES,
    CREATE_CREATED,
    CLAIM_SUCCESS,
    ERRORS_BODY,
    CREATE_DUPLICATE,
    CREATE_INVALID,
    CLAIM_ALREADY,
    CLAIM_OUT_OF_STOCK,
    CLAIM_UNKNOWN,
    CLAIM_INVALID,
    GET_UNKNOWN,
    OTHER_COUPONS,
)


class Blocked(Exception):
    def __init__(self, root: str, observed: str, detail: str = "", held: str = "") -> None:
        super().__init__(f"blocked by {root}: {observed}" + (f" ({held})" if held else ""))
        self.root = root  # the criterion that fails for it, e.g. "stack.ready"
        self.observed = observed  # one line: what was seen
        self.detail = detail  # what shows it, printed once (a log tail)
        self.held = held  # what the blocked check could judge, and found to hold

    def having_held(self, held: str) -> Blocked:
        """The same cause, raised by a check after what it could judge held."""
        return Blocked(self.root, self.observed, self.detail, held)
