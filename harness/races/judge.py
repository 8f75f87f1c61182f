"""A run's verdict: its history and final state through the checker. The final state is
read from the tables, the stock from GET where coupons lacks the story's columns; where the
claims cannot be read as the story's, it is what GET shows, the violations found there
still count, and the rest is blocked by the schema."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import psycopg

from ..blocked import OTHER_COUPONS, Blocked
from .checker import Violation, check
from .client import ApiClient
from .history import CouponState, Operation
from .kept import KeptRun, offer
from .tables import read_coupon, state_from_view


@dataclass(frozen=True)
class Judgement:
    violations: list[Violation]
    states: dict[str, CouponState | None]
    blocked: Blocked | None = None  # the tables could not be read: judged from GET alone

    def broken(self, rule: str | None = None) -> list[Violation]:
        """The violations that fail the run (of one rule, if given); preferred rules not,
        nor, unless asked for by name, those a row of its own judges (`apart`)."""
        return [
            v
            for v in self.violations
            if not v.preferred and (v.rule == rule if rule else v.rule != OTHER_COUPONS)
        ]

    def apart(self) -> Blocked | None:
        """A coupon beside the run's that changed (invariant 9), as that row's finding: a
        check that judges its own coupons' rules is BLOCKED by it once those held."""
        changed = [v for v in self.violations if v.rule == OTHER_COUPONS]
        return Blocked(OTHER_COUPONS, str(changed[0])[:500]) if changed else None


def views_of(api: ApiClient, names: Iterable[str]) -> dict[str, Any]:
    """Each coupon as GET answers it: its JSON, or the raw text when it is not JSON."""
    views = {}
    for name in names:
        response = api.get(name)
        try:
            views[name] = response.json()
        except ValueError:
            views[name] = response.text
    return views


def view_later(api: ApiClient, name: str) -> Callable[[], Any]:
    """GET's body for `name`, fetched only when asked for (where the tables make it needless,
    it never is)."""
    return lambda: views_of(api, [name])[name]


def judge(history: list[Operation], names: list[str], dsn: str, views: dict[str, Any]) -> Judgement:
    """The verdict, also offered to whoever keeps runs (kept.py)."""
    blocked = None
    try:
        with psycopg.connect(dsn) as conn:
            states = {name: read_coupon(conn, name, lambda n=name: views.get(n)) for name in names}
    except Blocked as unreadable:
        blocked = unreadable
        states = {name: state_from_view(name, views.get(name)) for name in names}
    judgement = Judgement(check(history, states, views), states, blocked)
    offer(KeptRun(history, states, views, judgement.violations, blocked and str(blocked)))
    return judgement
