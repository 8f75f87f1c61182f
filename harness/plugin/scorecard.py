"""One verdict per criterion, gathered from the outcomes of the tests that prove it.

A check that could not be judged because something it depends on failed first (the stack
did not come up, say) is BLOCKED, naming that root cause: never a pass, never a failure of
its own. The root cause is one FAIL, on its own criterion."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from .criteria import CATALOGUE, Criterion

Outcome = Literal["passed", "failed", "skipped", "blocked", "cut short"]
ROOT_CAUSE_TEST = "(root cause)"  # the test name a root cause is recorded under


@dataclass
class Verdict:
    criterion: Criterion
    passed: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (test, evidence)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (test, reason)
    blocked: list[tuple[str, str]] = field(default_factory=list)  # (test, root cause)
    cut_short: list[tuple[str, str]] = field(default_factory=list)  # (test, what was judged)
    notes: list[str] = field(default_factory=list)  # what a test measured, shown as is

    @property
    def status(self) -> str:
        must = self.criterion.level == "MUST"
        if self.failed:
            return "FAIL" if must else "NOT MET"
        if self.blocked:
            return "BLOCKED"
        if self.cut_short:
            return "CUT SHORT"
        if self.passed:
            return "PASS" if must else "MET"
        return "SKIP"

    @property
    def detail(self) -> str:
        """The one line that explains the status: the evidence of a failure, or why skipped."""
        if self.failed:
            # A test's own evidence says more than a root cause recorded for others.
            test, evidence = min(self.failed, key=lambda failure: failure[0] == ROOT_CAUSE_TEST)
            more = f" (+{len(self.failed) - 1} more)" if len(self.failed) > 1 else ""
            return f"{evidence} [{test}]{more}"
        if self.blocked:
            return "; ".join(sorted({cause for _, cause in self.blocked}))
        if self.cut_short:
            by_reason: dict[str, list[str]] = {}
            for test, judged in self.cut_short:
                by_reason.setdefault(judged, []).append(test)
            return "; ".join(
                f"{judged} [{tests[0]}]" + (f" (+{len(tests) - 1} more)" if len(tests) > 1 else "")
                for judged, tests in by_reason.items()
            )
        if self.skipped and not self.passed:
            return "; ".join(sorted({reason for _, reason in self.skipped}))
        note = f", {len(self.skipped)} skipped" if self.skipped else ""
        return f"{len(self.passed)} test(s) passed{note}"


class Scorecard:
    def __init__(self) -> None:
        self.verdicts: dict[str, Verdict] = {}

    def record(
        self,
        criterion_id: str,
        test: str,
        outcome: Outcome,
        detail: str = "",
        notes: list[str] | None = None,
    ) -> None:
        verdict = self.verdicts.setdefault(criterion_id, Verdict(CATALOGUE[criterion_id]))
        verdict.notes.extend(notes or [])
        if outcome == "passed":
            verdict.passed.append(test)
        elif outcome == "failed":
            verdict.failed.append((test, detail))
        elif outcome == "blocked":
            verdict.blocked.append((test, detail))
        elif outcome == "cut short":
            verdict.cut_short.append((test, detail))
        else:
            verdict.skipped.append((test, detail))

    def rows(self, level: str) -> list[Verdict]:
        order = list(CATALOGUE)
        chosen = [v for v in self.verdicts.values() if v.criterion.level == level]
        return sorted(chosen, key=lambda v: order.index(v.criterion.id))

    @property
    def must_unmet(self) -> int:
        """Required rows failed, or cut short before their verdict was reached."""
        return sum(1 for v in self.rows("MUST") if v.status in ("FAIL", "CUT SHORT"))

    def summary(self) -> str:
        counts: dict[str, int] = {}
        for verdict in self.verdicts.values():
            counts[verdict.status] = counts.get(verdict.status, 0) + 1
        return ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))

    def to_json(self) -> dict[str, dict[str, str]]:
        return {
            cid: {
                "level": v.criterion.level,
                "status": v.status,
                "detail": v.detail,
                "notes": v.notes,
            }
            for cid, v in self.verdicts.items()
        }

    def render_text(self) -> list[str]:
        lines: list[str] = []
        for level, title in (("MUST", "required (MUST)"), ("SHOULD", "preferred (SHOULD)")):
            rows = self.rows(level)
            if not rows:
                continue
            lines.append(f"{title}:")
            id_width = max(len(v.criterion.id) for v in rows)
            status_width = max(7, *(len(v.status) for v in rows))
            for v in rows:
                indent = f"  {'':<{status_width}} {'':<{id_width}}  "
                lines.append(
                    f"  {v.status:<{status_width}} {v.criterion.id:<{id_width}}  {v.criterion.text}"
                )
                if v.status not in ("PASS", "MET"):
                    lines.append(f"{indent}-> {v.detail}")
                lines.extend(f"{indent}{note}" for note in v.notes)
        lines.append(f"criteria: {self.summary()}")
        return lines

    def render_markdown(self, stack_description: str | None, project: Path | None = None) -> str:
        out = ["## Coupon API contract scorecard", ""]
        if stack_description:
            out += [f"Stack: `{stack_description}`", ""]
        if project:
            out += [f"Project: `{project}`", ""]
        for level, title in (("MUST", "Required (MUST)"), ("SHOULD", "Preferred (SHOULD)")):
            rows = self.rows(level)
            if not rows:
                continue
            out += [
                f"### {title}",
                "",
                "| status | criterion | what | detail |",
                "|---|---|---|---|",
            ]
            for v in rows:
                icon = {
                    "PASS": "✅",
                    "MET": "✅",
                    "FAIL": "❌",
                    "NOT MET": "⚠️",
                    "BLOCKED": "⛔",
                    "CUT SHORT": "⏱️",
                }.get(v.status, "⏭️")
                detail = v.detail.replace("|", "\\|").replace("\n", " ")
                out.append(
                    f"| {icon} {v.status} | `{v.criterion.id}` | {v.criterion.text} | {detail} |"
                )
            out.append("")
        out.append(f"**{self.summary()}**")
        return "\n".join(out) + "\n"
