"""A violation drawn as a timeline (SVG, inline in the report page): a lane per process,
each operation a bar from when it was sent to when it was answered, the operations that
prove the violation outlined, with those overlapping them around.

Outcomes differ in colour *and* shape, so the picture reads in greyscale too: ok is a
solid bar, fail a hatched one, unknown (no answer) a dashed outline with a `?`. Hand-drawn:
a lane chart with a tooltip per bar is a few lines of SVG, and needs no plot library in
the contract suite's environment."""

from __future__ import annotations

from html import escape

from ..races.checker import Violation
from ..races.history import Operation

MAX_DRAWN = 150  # operations drawn; more would not be read, and would slow the page
TOP, LEFT, WIDTH = 46, 64, 900
LANES_HEIGHT = 540  # lanes share it, each 8 to 18 px

DEFS = """<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse"
 patternTransform="rotate(45)"><rect width="6" height="6" fill="#fde2e2"/>
<line x1="0" y1="0" x2="0" y2="6" stroke="#b91c1c" stroke-width="2.5"/></pattern></defs>"""

# fill, stroke, dash: by outcome
LOOK = {
    "ok": ("#15803d", "#14532d", ""),
    "fail": ("url(#hatch)", "#b91c1c", ""),
    "info": ("#f3f4f6", "#4b5563", "4 3"),
}


def overlapping(violation: Violation, history: list[Operation]) -> list[Operation]:
    """The violation's operations and those of its coupons in flight at the same time."""
    proving = list(violation.operations)
    if not proving:
        return []
    start = min(op.invoked for op in proving)
    end = max(op.completed for op in proving)
    coupons = {op.coupon for op in proving}
    around = [
        op for op in history if op.coupon in coupons and op.invoked <= end and op.completed >= start
    ]
    seen = set(map(id, proving))
    return proving + [op for op in around if id(op) not in seen]


def timeline_svg(violation: Violation, history: list[Operation]) -> str:
    """The SVG of one violation; '' when it names no operation (a state-only finding)."""
    ops = overlapping(violation, history)
    if not ops:
        return ""
    proving = set(map(id, violation.operations))
    drawn = sorted(ops[:MAX_DRAWN], key=lambda op: (op.process, op.invoked))
    left_out = len(ops) - len(drawn)
    lanes = sorted({op.process for op in drawn})
    lane_of = {process: index for index, process in enumerate(lanes)}
    start = min(op.invoked for op in drawn)
    span = max(op.completed for op in drawn) - start or 1e-6

    def x(t: float) -> float:
        return LEFT + (t - start) / span * (WIDTH - LEFT - 10)

    lane = max(8, min(18, LANES_HEIGHT // len(lanes)))
    height = TOP + lane * len(lanes) + 34
    title = f"{violation.rule}: {violation.message}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" width="{WIDTH}" '
        f'height="{height}" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{escape(title)}">',
        DEFS,
        f'<text x="4" y="16" class="tl-title">{escape(title[:150])}</text>',
        f'<text x="4" y="34" class="tl-note">{len(violation.operations)} operation(s) prove '
        f"it (outlined), {sum(id(op) not in proving for op in drawn)} overlap them"
        + (f"; {left_out} more overlapping not drawn" if left_out else "")
        + f"; {span * 1000:.1f} ms shown</text>",
    ]
    for process, index in lane_of.items():
        if lane >= 12 or index % 2 == 0:  # every other label where lanes are thin
            y = TOP + index * lane
            parts.append(f'<text x="4" y="{y + lane - 4}" class="tl-lane">p{process}</text>')
    for op in drawn:
        y = TOP + lane_of[op.process] * lane + 1
        x0, x1 = x(op.invoked), x(op.completed)
        fill, stroke, dash = LOOK[op.type]
        outline = ' stroke-width="3"' if id(op) in proving else ' stroke-width="1"'
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<rect x="{x0:.1f}" y="{y}" width="{max(x1 - x0, 3):.1f}" height="{lane - 3}" '
            f'fill="{fill}" stroke="{stroke}"{outline}{dashes} class="op op-{op.type}">'
            f"<title>{escape(str(op))}</title></rect>"
        )
        if op.type == "info":
            parts.append(f'<text x="{x0 + 2:.1f}" y="{y + lane - 4}" class="tl-unknown">?</text>')
    legend_y = height - 10
    parts.append(
        f'<text x="4" y="{legend_y}" class="tl-note">legend: solid = ok, hatched = refused '
        "(fail), dashed with ? = no answer (unknown); thick outline = proves the violation"
        "</text></svg>"
    )
    return "\n".join(parts)
