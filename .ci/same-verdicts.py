"""Exits 1 unless two scorecards (--scorecard-json files) give every criterion the same
status: the installed command's run against the repository's own. With --judged-in-both,
only the criteria both runs judged (neither SKIP nor absent): the local stack's verdicts
against the compose stack's, which alone judges the compose file's start-up and image."""

import json
import sys
from pathlib import Path

arguments = sys.argv[1:]
judged_in_both = "--judged-in-both" in arguments
paths = [argument for argument in arguments if not argument.startswith("--")][:2]
first, second = (json.loads(Path(path).read_text()) for path in paths)


def status(card: dict, criterion: str) -> str | None:
    return card.get(criterion, {}).get("status")


criteria = sorted(first.keys() | second.keys())
if judged_in_both:
    criteria = [
        c for c in criteria if {status(first, c), status(second, c)}.isdisjoint({None, "SKIP"})
    ]
differ = [c for c in criteria if status(first, c) != status(second, c)]
for criterion in differ:
    a, b = status(first, criterion), status(second, criterion)
    print(f"{criterion}: {a} in {paths[0]}, {b} in {paths[1]}")
print(f"{len(criteria)} criteria compared, {len(differ)} with another verdict")
sys.exit(1 if differ or not criteria else 0)
