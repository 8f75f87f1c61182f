"""Helpers shared by the contract tests; the stack, client and database come from the plugin."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
import requests

from harness.inspect.init_sql import read_story_schema
from harness.inspect.schema_facts import Schema
from harness.plugin.profiles import use_suite_profile
from harness.races.tables import snapshot


def pytest_configure(config: pytest.Config) -> None:
    use_suite_profile(config)


@pytest.fixture(scope="session")
def story_schema() -> Schema:
    return read_story_schema()


@pytest.fixture
def unchanged_tables(db: psycopg.Connection) -> Callable[[], Any]:
    """`with unchanged_tables(): ...` fails if anything in coupons or claims changed."""

    @contextmanager
    def guard():
        before = snapshot(db)
        yield
        after = snapshot(db)
        assert after == before, (
            f"a rejected request changed the tables: coupons {len(before[0])} -> {len(after[0])} "
            f"rows, claims {len(before[1])} -> {len(after[1])} rows"
        )

    return guard


def error_text(response: requests.Response) -> str | None:
    """The text of a contract-conforming error body, or None when the body is not one."""
    try:
        body = response.json()
    except ValueError:
        return None
    if isinstance(body, dict) and isinstance(body.get("error"), str) and body["error"]:
        return body["error"]
    return None


def describe(response: requests.Response) -> str:
    request = response.request
    return f"{request.method} {request.path_url} -> {response.status_code} {response.text[:200]!r}"
