"""Exits 1 unless two scorecards (--scorecard-json files) give every criterion the same
status: the installed command's run against the repository's own."""

import json
import sys
from pathlib import Path

paths = sys.argv[1:3]
first, second = (json.loads(Path(path).read_text()) for path in paths)


def status(card: dict, criterion: str) -> str | None:
    return card.get(criterion, {}).get("status")


differ = [c for c in sorted(first.keys() | second.keys()) if status(first, c) != status(second, c)]
for criterion in differ:
    a, b = status(first, criterion), status(second, criterion)
    print(f"{criterion}: {a} in {paths[0]}, {b} in {paths[1]}")
print(f"{len(first)} criteria, {len(differ)} with another verdict")
sys.exit(1 if differ or not first else 0)
