"""Every FAIL says what was seen: no assertion of the contract suite is bare (a FAIL that
reads `assert 400 == 201` tells an implementer nothing), and one on an HTTP status names
the request and its answer (`describe`). A step another row owns goes through
harness/races/steps.py instead, which BLOCKS with the same evidence."""

from __future__ import annotations

import ast
from pathlib import Path

CONTRACT = Path(__file__).parents[2] / "tests" / "contract"


def unexplained(source: str) -> list[str]:
    """The assertions of `source` whose failure would not say what was seen: bare ones, and
    those on a status whose message neither describes the answer nor is a text made so."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Assert):
            continue
        test = ast.unparse(node.test)
        if node.msg is None:
            found.append(f"{node.lineno}: assert {test}")
        elif (
            ".status_code" in test
            and "describe(" not in ast.unparse(node.msg)
            and not isinstance(node.msg, ast.Name)  # a message made with describe above it
        ):
            found.append(f"{node.lineno}: assert {test}, {ast.unparse(node.msg)}")
    return found


def test_every_assertion_of_the_suite_says_what_was_seen() -> None:
    found = {
        path.name: lines
        for path in sorted(CONTRACT.glob("*.py"))
        if (lines := unexplained(path.read_text()))
    }
    assert not found, found


def test_bare_and_silent_status_assertions_are_found() -> None:
    source = (
        "assert api.create(name, 5).status_code == 201\n"
        "assert response.status_code == 200, 'wrong status'\n"
        "assert response.status_code == 200, describe(response)\n"
        "assert response.status_code == 200, refused\n"
    )
    assert [line.split(":")[0] for line in unexplained(source)] == ["1", "2"]
