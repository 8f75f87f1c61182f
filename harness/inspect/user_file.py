"""A user's file as text, or one line saying why it cannot be read: the one way every
reader of a project's files opens them (a folder where the file belongs, no permission,
a symlink loop, bytes that are not UTF-8)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


def read_user_text(path: Path, error: type[Exception]) -> str:
    """The file's text; raises `error("FILE[:LINE]: what is wrong")` when it has none."""
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise error(f"{path}: a folder, not a file") from None
    except FileNotFoundError:
        raise error(f"{path} does not exist") from None
    except OSError as exc:
        raise error(f"{path}: unreadable ({exc.strerror or exc})") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise error(f"{path}:{line}: not UTF-8 text (byte 0x{data[exc.start]:02x})") from None


def read_lenient_text(path: Path) -> str | None:
    """The text of a file whose odd bytes are not the reader's to judge (.env, ignore
    files): None where there is no readable file."""
    try:
        return path.read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return None


def read_user_yaml(path: Path, error: type[Exception]) -> Any:
    """The file's YAML document (any shape: the reader judges it); raises `error` as
    read_user_text does, or with where the parser stopped and why."""
    text = read_user_text(path, error)
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise error(f"{path}: not valid YAML: {_yaml_problem(exc)}") from None
    except (ValueError, RecursionError) as exc:  # a date like 2001-13-01; nesting past limits
        raise error(f"{path}: not valid YAML: {str(exc).splitlines()[0]}") from None


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """On one line, where the parser stopped and why (its own message spans several)."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return f"line {mark.line + 1}, column {mark.column + 1}: {problem}" if mark else problem
