"""Every step of every check belongs to one criterion: a contract check that takes a step
another row judges (a create, a first claim, /health, an error answer's body, the
statuses learned by a create and claims) declares it, `@pytest.mark.relies_on(...)`, and
is BLOCKED by that row when the step fails. This walks every check of tests/contract, finds
the steps it takes (through the helpers and fixtures it uses, in harness/races/steps.py
and its own module), and proves each is declared."""

from __future__ import annotations

import ast
from pathlib import Path

from harness import blocked

CONTRACT = Path(__file__).parents[2] / "tests" / "contract"

# What each shared step or fixture relies on. A module's own helpers and fixtures are
# followed to these.
CREATE, CLAIM = {blocked.CREATE_CREATED}, {blocked.CREATE_CREATED, blocked.CLAIM_SUCCESS}
STEPS = {
    "create_needed": CREATE,
    "create_coupons": CREATE,
    "stockless": CREATE,
    "claim_needed": CLAIM,
    "ErrorBodies": {blocked.ERRORS_BODY},
    "error_body_judged_elsewhere": {blocked.ERRORS_BODY},
    # fixtures of the plugin and of tests/contract/conftest.py
    "claim_statuses": CLAIM,  # learned by a create and two successful claims
    "long_run_stock": CREATE,
    "health_route": {blocked.HEALTH_OK},
    # a check judging its own coupons is BLOCKED by a changed bystander (judge.py)
    "apart": {blocked.OTHER_COUPONS},
    "judge_run": {blocked.OTHER_COUPONS},  # fault_load.py: a fault run judged, apart too
}


def roots_named(node: ast.AST) -> set[str]:
    """The roots a `Blocked(CONSTANT, ...)` in `node` names (constants of harness.blocked)."""
    found = set()
    for call in ast.walk(node):
        if isinstance(call, ast.Call) and getattr(call.func, "id", None) == "Blocked":
            first = call.args[0] if call.args else None
            if isinstance(first, ast.Name) and hasattr(blocked, first.id):
                found.add(getattr(blocked, first.id))
    return found


def names_used(node: ast.AST) -> set[str]:
    """Names called or read in `node`, and its parameters (the fixtures it asks for)."""
    used = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
    used |= {n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)}
    if isinstance(node, ast.FunctionDef):
        used |= {arg.arg for arg in node.args.args}
    return used


def steps_taken(source: str) -> dict[str, set[str]]:
    """Each top-level test function of a module: the roots of the steps it takes, through
    the module's helpers and fixtures (followed until nothing changes)."""
    tree = ast.parse(source)
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    roots = {name: roots_named(node) for name, node in functions.items()}
    uses = {name: names_used(node) for name, node in functions.items()}
    changed = True
    while changed:
        changed = False
        for name in functions:
            reached = set().union(
                *(STEPS.get(used, set()) | roots.get(used, set()) for used in uses[name])
            )
            if not reached <= roots[name]:
                roots[name] |= reached
                changed = True
    return {name: roots[name] for name in functions if name.startswith("test_")}


def declared(source: str) -> dict[str, set[str]]:
    """Each test function: the criteria its relies_on marks (its own, its module's) name."""
    tree = ast.parse(source)

    def marked(node: ast.AST) -> set[str]:
        return {
            arg.value
            for call in ast.walk(node)
            if isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and call.func.attr == "relies_on"
            for arg in call.args
            if isinstance(arg, ast.Constant)
        }

    module = set().union(
        *(
            marked(n)
            for n in tree.body
            if isinstance(n, ast.Assign)
            and any(getattr(t, "id", "") == "pytestmark" for t in n.targets)
        )
    )
    return {
        n.name: module | set().union(*(marked(d) for d in n.decorator_list))
        for n in tree.body
        if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")
    }


def undeclared(source: str) -> dict[str, set[str]]:
    said = declared(source)
    return {
        test: missing
        for test, roots in steps_taken(source).items()
        if (missing := roots - said[test])
    }


def test_every_check_declares_the_steps_it_takes() -> None:
    missing = {
        f"{path.name}::{test}": sorted(roots)
        for path in sorted(CONTRACT.glob("test_*.py"))
        for test, roots in undeclared(path.read_text()).items()
    }
    assert not missing, missing


def test_a_step_through_a_helper_or_a_fixture_must_be_declared() -> None:
    source = """
import pytest
from harness.blocked import GET_NAMES, Blocked

@pytest.fixture
def coupon(api):
    create_needed(api, "c", 1)

def helper(api):
    raise Blocked(GET_NAMES, "seen")

@pytest.mark.relies_on("create.created")
def test_declared(api, coupon):
    pass

def test_through_a_fixture(api, coupon):
    pass

def test_through_a_helper(api):
    helper(api)

@pytest.mark.relies_on("create.created")
def test_partly(api, claim_statuses):
    pass
"""
    assert undeclared(source) == {
        "test_through_a_fixture": {"create.created"},
        "test_through_a_helper": {"get.names"},
        "test_partly": {"claim.success"},
    }
