"""A stack somebody else runs: the suite only needs its URL and its database DSN."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

from .stack import Stack, StackError, wait_for_api
from .waiting import NotReady


@contextmanager
def external_stack(api_url: str, dsn: str, timeout: float) -> Iterator[Stack]:
    api_url = api_url.rstrip("/")
    try:
        wait_for_api(api_url, timeout=timeout)
    except NotReady as exc:
        raise StackError(f"--api-url {api_url}: {exc}") from None
    try:
        psycopg.connect(dsn, connect_timeout=5).close()
    except psycopg.Error as exc:
        raise StackError(f"--dsn: cannot connect: {str(exc).strip().splitlines()[0]}") from None
    yield Stack(
        kind="external", api_url=api_url, dsn=dsn, description=f"external: API at {api_url}"
    )
