"""An HTTP answer as evidence: written out whole for a failing check's message (long runs
of one character shortened), and the contract's error body read from it."""

from __future__ import annotations

import re

import requests


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
    """The request and its answer, whole but for long runs of one character, so a failing
    example says exactly what was sent and what came back."""
    request = response.request
    body = request.body.decode(errors="replace") if isinstance(request.body, bytes) else ""
    sent = f" {compact(body)}" if body else ""
    return (
        f"{request.method} {request.path_url}{sent} -> {response.status_code} "
        f"{compact(response.text)}"
    )


_RUN = re.compile(r"(.)\1{15,}", re.DOTALL)


def compact(text: str, limit: int = 600) -> str:
    """repr(text) as a Python expression, each run of 16 or more of one character written
    as `'x' * 256`: `'{"user_id": "' + 'x' * 256 + '"}'`."""
    shown = (
        " + ".join(
            repr(piece) if i % 2 == 0 else f"{piece[0]!r} * {len(piece)}"
            for i, piece in enumerate(_split_runs(text))
            if piece
        )
        or "''"
    )
    return shown if len(shown) <= limit else f"{shown[:limit]}... ({len(text)} characters)"


def _split_runs(text: str) -> list[str]:
    """Alternating: text without long runs, a long run, text, a run, ..."""
    pieces, start = [], 0
    for match in _RUN.finditer(text):
        pieces += [text[start : match.start()], match.group(0)]
        start = match.end()
    return [*pieces, text[start:]]
