"""Settings read from the story's environment variables, validated once at startup."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

LOG_LEVELS = ("debug", "info", "warning", "error", "critical")
SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")


class SettingsError(ValueError):
    """One or more environment variables hold values the API cannot run with."""


@dataclass(frozen=True)
class Settings:
    server_host: str = "0.0.0.0"
    server_port: int = 3000
    server_workers: int = 1
    db_host: str = "localhost"
    db_port: int = 5432
    db_user: str = "postgres"
    db_password: str = "postgres"
    db_name: str = "coupon_db"
    db_sslmode: str = "prefer"
    db_pool_size: int = 10
    db_timeout: float = 5.0  # seconds any database call may take before a 503
    log_level: str = "info"

    def conninfo(self) -> dict[str, Any]:
        """Keyword arguments for psycopg: no string building, so no quoting bugs."""
        return {
            "host": self.db_host,
            "port": self.db_port,
            "user": self.db_user,
            "password": self.db_password,
            "dbname": self.db_name,
            "sslmode": self.db_sslmode,
            "application_name": "coupon-reference-api",
        }

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        problems: list[str] = []
        values: dict[str, Any] = {}
        for field, variable, parse in _FIELDS:
            raw = env.get(variable)
            if raw is None or raw == "":
                continue
            try:
                values[field] = parse(raw)
            except ValueError as exc:
                problems.append(f"{variable}={raw!r}: {exc}")
        if problems:
            raise SettingsError("invalid settings: " + "; ".join(problems))
        return cls(**values)


def _integer(low: int, high: int) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        try:
            value = int(raw.strip())
        except ValueError:
            raise ValueError(f"expected an integer from {low} to {high}") from None
        if not low <= value <= high:
            raise ValueError(f"expected an integer from {low} to {high}")
        return value

    return parse


def _seconds(low: float, high: float) -> Callable[[str], float]:
    def parse(raw: str) -> float:
        try:
            value = float(raw.strip())
        except ValueError:
            value = float("nan")
        if not low <= value <= high:  # NaN fails too
            raise ValueError(f"expected seconds from {low:g} to {high:g}")
        return value

    return parse


def _choice(options: tuple[str, ...]) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        value = raw.strip().lower()
        if value not in options:
            raise ValueError(f"expected one of {', '.join(options)}")
        return value

    return parse


def _text(raw: str) -> str:
    return raw


_FIELDS: tuple[tuple[str, str, Callable[[str], Any]], ...] = (
    ("server_host", "SERVER_HOST", _text),
    ("server_port", "SERVER_PORT", _integer(1, 65535)),
    ("server_workers", "SERVER_WORKERS", _integer(1, 64)),
    ("db_host", "DB_HOST", _text),
    ("db_port", "DB_PORT", _integer(1, 65535)),
    ("db_user", "DB_USER", _text),
    ("db_password", "DB_PASSWORD", _text),
    ("db_name", "DB_NAME", _text),
    ("db_sslmode", "DB_SSLMODE", _choice(SSL_MODES)),
    ("db_pool_size", "DB_POOL_SIZE", _integer(1, 1000)),
    ("db_timeout", "DB_TIMEOUT", _seconds(0.1, 3600)),
    ("log_level", "LOG_LEVEL", _choice(LOG_LEVELS)),
)
