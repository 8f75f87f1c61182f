"""Database credentials the stacks are started with: random on every run, so an
implementation that hard-codes them fails; and, for a second start, ones that need quoting
or escaping in a URL or a DSN, so one that builds its connection string by concatenation
fails too (api-contract.md, Configuration)."""

from __future__ import annotations

import secrets

from .embedded_postgres import DbCredentials
from .ports import free_port

# No space in the user or database name: the story's own health check expands them
# unquoted in a shell (`pg_isready -U $${POSTGRES_USER} -d $${POSTGRES_DB}`).
_NEEDS_ESCAPING = "@:/#%?&"


def random_credentials() -> DbCredentials:
    token = secrets.token_hex(4)
    return DbCredentials(
        host="127.0.0.1",
        port=free_port(),
        user=f"coupon_{token}",
        password=secrets.token_urlsafe(12),
        dbname=f"coupon_db_{token}",
    )


def escaping_credentials() -> DbCredentials:
    """User, password and database name with every character a URL or a key=value DSN
    gives a meaning to; the password with spaces and both quotes as well."""
    token = secrets.token_hex(3)
    return DbCredentials(
        host="127.0.0.1",
        port=free_port(),
        user=f"u_{token}{_NEEDS_ESCAPING}",
        password=f"p {_NEEDS_ESCAPING} \"q\" 'q' {token}",
        dbname=f"db_{token}{_NEEDS_ESCAPING}",
    )
