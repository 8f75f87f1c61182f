"""One root cause, one failure: what a check raises when it cannot be judged because
something it depends on failed first (the stack did not come up; the tables cannot be read
as the story's schema). Any part of the harness may raise it.

The plugin's reporter records the root cause once, as a FAIL of its own criterion (`root`), and
every check that raised `Blocked` as BLOCKED by it, with what was observed."""

from __future__ import annotations


class Blocked(Exception):
    def __init__(self, root: str, observed: str, detail: str = "", held: str = "") -> None:
        super().__init__(f"blocked by {root}: {observed}" + (f" ({held})" if held else ""))
        self.root = root  # the criterion that fails for it, e.g. "stack.ready"
        self.observed = observed  # one line: what was seen
        self.detail = detail  # what shows it, printed once (a log tail)
        self.held = held  # what the blocked check could judge, and found to hold

    def having_held(self, held: str) -> Blocked:
        """The same cause, raised by a check after what it could judge held."""
        return Blocked(self.root, self.observed, self.detail, held)
