"""The pytest plugin: options, fixtures, criterion markers, hypothesis profiles and the
scorecard. Loaded only where asked for (`-p harness.plugin`: this repository's pytest
settings and the suite's own suite.ini, which `coupon-acceptance` runs with), never by an
entry point that every pytest run of an environment would load."""

from __future__ import annotations

from contextlib import ExitStack

import pytest

from ..stacks.termination import sigterm_as_interrupt
from . import fixtures
from .budgets import RunBudget
from .criteria import lookup
from .options import add_options, check_options
from .profiles import register_profiles
from .reporter import ScorecardReporter, criteria_of

MARKERS = {
    "static": "checks artifacts (files) only; needs no running stack",
    "runtime": "needs a running stack (API + database)",
    "image": "needs a Docker engine to build or inspect images",
    "faults": "needs control of the stack to inject faults",
    "slow": "takes more than a few seconds",
    "early": "runs before the other checks (the stress scenarios, bounded by --answer-within)",
    "ac(id, ...)": "proves story 1.2 acceptance criteria, e.g. ac('1.2-AC4.unique')",
    "contract(id, ...)": "proves API contract rules, e.g. contract('claim.already')",
    "relies_on(id, ...)": "takes steps those criteria judge (a create, a first claim, /health): "
    "when one fails, the check is BLOCKED by that criterion",
}


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


@pytest.hookimpl(tryfirst=True)  # before hypothesis' plugin loads --hypothesis-profile
def pytest_configure(config: pytest.Config) -> None:
    for marker, text in MARKERS.items():
        config.addinivalue_line("markers", f"{marker}: {text}")
    check_options(config)
    register_profiles()
    # SIGTERM tears the stack down and writes the report so far, as Ctrl-C does.
    on_sigterm = ExitStack()
    on_sigterm.enter_context(sigterm_as_interrupt())
    config.add_cleanup(on_sigterm.close)
    config.pluginmanager.register(ScorecardReporter(config), "coupon-scorecard")
    config.pluginmanager.register(RunBudget(config.getoption("run_budget")), "coupon-run-budget")
    config.pluginmanager.register(fixtures, "coupon-fixtures")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        relied_on = [cid for mark in item.iter_markers("relies_on") for cid in mark.args]
        for criterion_id in [*criteria_of(item), *relied_on]:
            try:
                lookup(criterion_id)
            except KeyError as exc:
                raise pytest.UsageError(f"{item.nodeid}: {exc.args[0]}") from None
    # Among the suite's checks (other tests keep their places), the stress scenarios
    # (marked `early`: bounded by --answer-within, and what says why a slow implementation
    # is slow) run first, the modules that search last: each search may use its whole
    # budget, so what the run's budget leaves unstarted is more searching.
    searching = {
        item.parent for item in items if "search_budget" in getattr(item, "fixturenames", ())
    }
    slots = [index for index, item in enumerate(items) if criteria_of(item)]
    checks = sorted(
        (items[index] for index in slots),
        key=lambda item: 0 if item.get_closest_marker("early") else 1 + (item.parent in searching),
    )
    for index, item in zip(slots, checks, strict=True):
        items[index] = item
