"""A connection pool that is back within a fraction of a second of its database.

psycopg_pool replaces a lost connection with retries 1, 2, 4, 8 ... s apart: after a
database crash and restart the API served again 12 s later, while PostgreSQL accepted
connections within 1 s (docs/performance.md). Here the first connection error starts one
probe in this process: a single connection attempt at a time, the next after a jittered
wait doubling from 0.05 s to at most 0.25 s. Meanwhile every request fails at once
(`DatabaseUnreachable`) instead of waiting DB_TIMEOUT for a connection that cannot come.
Once a probe connects, the current pool is tried; if it cannot serve, a fresh pool is
opened and put in its place, and the old one is closed in the background (a connection
still out is closed when it comes back). No pool internals are touched: a pool is only
opened, used and closed."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import psycopg
from psycopg_pool import AsyncConnectionPool, PoolTimeout

log = logging.getLogger("reference_api")

FIRST_WAIT = 0.05  # seconds before the second probe; it doubles up to LONGEST_WAIT
LONGEST_WAIT = 0.25
TRY_CURRENT_POOL = 0.05  # seconds the current pool has to lend a working connection
CONNECTION_LOST = (psycopg.OperationalError, PoolTimeout)


class DatabaseUnreachable(psycopg.OperationalError):
    """The database was lost and no probe has reached it since."""


class RecoveringPool:
    def __init__(self, conninfo: str = "", *, kwargs: dict, size: int, timeout: float) -> None:
        self.conninfo, self.kwargs = conninfo, kwargs
        self.size, self.timeout = size, timeout
        self.pool = self._new_pool()
        self._recovery: asyncio.Task | None = None
        self._closing: set[asyncio.Task] = set()

    def _new_pool(self) -> AsyncConnectionPool:
        return AsyncConnectionPool(
            self.conninfo,
            kwargs=self.kwargs,
            min_size=self.size,
            max_size=self.size,
            timeout=self.timeout,
            open=False,
        )

    async def open(self) -> None:
        # wait=False: the API starts even while the database is still coming up,
        # and /health says so until it answers.
        await self.pool.open(wait=False)

    async def wait(self) -> None:
        """Until the pool holds all its connections (for tests that want a warm pool)."""
        await self.pool.wait(timeout=self.timeout)

    async def close(self) -> None:
        if self._recovery:
            self._recovery.cancel()
        await self.pool.close()

    @property
    def reconnecting(self) -> bool:
        return self._recovery is not None and not self._recovery.done()

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[psycopg.AsyncConnection]:
        if self.reconnecting:
            raise DatabaseUnreachable("the database is unreachable; reconnecting")
        try:
            async with self.pool.connection() as conn:
                yield conn
        except CONNECTION_LOST:
            self.lost()
            raise

    def lost(self) -> None:
        """A connection failed or none came: make sure a probe is under way."""
        if not self.reconnecting:
            self._recovery = asyncio.get_running_loop().create_task(self._recover())

    async def _recover(self) -> None:
        wait = FIRST_WAIT
        while not (await self._database_answers() and await self._serving()):
            await asyncio.sleep(random.uniform(wait / 2, wait))
            wait = min(wait * 2, LONGEST_WAIT)

    async def _database_answers(self) -> bool:
        try:
            async with asyncio.timeout(self.timeout):
                conn = await psycopg.AsyncConnection.connect(self.conninfo, **self.kwargs)
            await conn.close()
            return True
        except (psycopg.Error, TimeoutError, OSError):
            return False

    async def _serving(self) -> bool:
        """The current pool lends a working connection, or a fresh one is in its place."""
        try:
            async with self.pool.connection(timeout=TRY_CURRENT_POOL) as conn:
                await conn.execute("")
            return True
        except CONNECTION_LOST:
            pass
        fresh = self._new_pool()
        try:
            await fresh.open(wait=True, timeout=self.timeout)
        except PoolTimeout:
            await fresh.close()
            return False
        old, self.pool = self.pool, fresh
        log.info("connection pool replaced after losing the database")
        closing = asyncio.get_running_loop().create_task(old.close())
        self._closing.add(closing)
        closing.add_done_callback(self._closing.discard)
        return True
