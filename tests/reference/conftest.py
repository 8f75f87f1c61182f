"""A real PostgreSQL with the project's schema, and a CouponStore on it, for the tests of
the reference API's SQL."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.stacks.embedded_postgres import DbCredentials
from harness.stacks.local import embedded_database
from reference_api.settings import Settings
from reference_api.store import CouponStore

PROJECT_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def database() -> Iterator[DbCredentials]:
    with embedded_database(PROJECT_DIR) as postgres:
        yield postgres.credentials


@pytest.fixture(scope="module")
def loop() -> Iterator[asyncio.Runner]:
    """One event loop for the module, so the store's pool outlives each example."""
    with asyncio.Runner() as runner:
        yield runner


@pytest.fixture(scope="module")
def store(database: DbCredentials, loop: asyncio.Runner) -> Iterator[CouponStore]:
    settings = Settings(
        db_host=database.host,
        db_port=database.port,
        db_user=database.user,
        db_password=database.password,
        db_name=database.dbname,
        db_pool_size=4,
    )
    store = CouponStore(settings)
    loop.run(store.open())
    loop.run(store.pool.wait())
    yield store
    loop.run(store.close())
