"""The values an option may take, checked as it is parsed: a bad one is a usage error
naming the option (argparse's and pytest's), before anything starts."""

from __future__ import annotations

import argparse
from pathlib import Path
from urllib.parse import urlsplit

import psycopg


def existing_folder(value: str) -> Path:
    path = Path(value).expanduser()
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"{value}: no such folder")
    return path


def folder_to_write(value: str) -> Path:
    """A folder to write into: one that exists, or that can be made (not a file)."""
    path = Path(value).expanduser()
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{value}: a file, not a folder")
    return path


def existing_file(value: str) -> Path:
    path = Path(value).expanduser()
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"{value}: no such file")
    return path


def http_url(value: str) -> str:
    """An API's base URL: http or https, a host, no query."""
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 (a port that is not a number raises here)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{value!r}: not a URL ({exc})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
        raise argparse.ArgumentTypeError(
            f"{value!r}: not an API's base URL (http://HOST:PORT, as http://127.0.0.1:3000)"
        )
    return value


def libpq_dsn(value: str) -> str:
    """A PostgreSQL connection string, as libpq parses it (key=value or a URI)."""
    try:
        psycopg.conninfo.conninfo_to_dict(value)
    except psycopg.ProgrammingError as exc:
        said = str(exc).strip().splitlines()[0]
        raise argparse.ArgumentTypeError(f"{value!r}: not a DSN libpq reads ({said})") from None
    return value


def positive_int(value: str) -> int:
    number = _number(value, int)
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value}: at least 1")
    return number


def positive_number(value: str) -> float:
    number = _number(value, float)
    if not number > 0:
        raise argparse.ArgumentTypeError(f"{value}: a number above 0")
    return number


def number_or_zero(value: str) -> float:
    """A limit, 0 meaning none."""
    number = _number(value, float)
    if not number >= 0:
        raise argparse.ArgumentTypeError(f"{value}: a number above 0, or 0 for no limit")
    return number


def _number(value: str, kind: type[int] | type[float]) -> int | float:
    try:
        number = kind(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r}: not a number") from None
    if number != number or number in (float("inf"), float("-inf")):  # NaN, infinities
        raise argparse.ArgumentTypeError(f"{value}: not a finite number")
    return number
