"""A stack somebody else runs: the suite only needs its URL and its database DSN."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

from .stack import Stack, StackError, wait_for_api
from .waiting import NotReady


@contextmanager
def external_stack(api_urls: list[str], dsn: str, timeout: float) -> Iterator[Stack]:
    """`api_urls`: one per instance of the API, all on the database of `dsn`."""
    urls = tuple(url.rstrip("/") for url in api_urls)
    for url in urls:
        try:
            wait_for_api(url, timeout=timeout)
        except NotReady as exc:
            raise StackError(f"--api-url {url}: {exc}") from None
    try:
        psycopg.connect(dsn, connect_timeout=5).close()
    except psycopg.Error as exc:
        raise StackError(f"--dsn: cannot connect: {str(exc).strip().splitlines()[0]}") from None
    yield Stack(
        kind="external",
        api_urls=urls,
        dsn=dsn,
        description=f"external: API, {len(urls)} instance(s) at {', '.join(urls)}",
    )
