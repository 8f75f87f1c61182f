"""The report page: one self-contained HTML file (styles, script and pictures inline; no
network), the scorecard with filters, each row's evidence, and the runs its checks judged
with a timeline of every violation found in them."""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

PASSING = {"PASS", "MET"}


@dataclass(frozen=True)
class RunShown:
    """A kept run, as a row shows it."""

    folder: str  # relative to the page
    test: str
    operations: int
    violations: list[str]
    timelines: list[str]  # SVG, one per violation that names operations
    note: str = ""  # what was left out


@dataclass(frozen=True)
class Row:
    id: str
    level: str  # MUST or SHOULD
    status: str
    text: str
    detail: str
    notes: list[str] = field(default_factory=list)
    tests: list[tuple[str, str, str]] = field(default_factory=list)  # (test, outcome, detail)
    runs: list[RunShown] = field(default_factory=list)


STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:1.5em;color:#111}
h1{font-size:1.4em;margin:0 0 .3em} .meta{color:#444;margin:.1em 0}
.filters{margin:1em 0;display:flex;gap:1em;flex-wrap:wrap;align-items:center}
.filters label{white-space:nowrap} #search{padding:.2em .4em;min-width:16em}
table{border-collapse:collapse;width:100%} td,th{border-bottom:1px solid #ddd;padding:.35em;
vertical-align:top;text-align:left} tr.row:target{outline:3px solid #2563eb}
.status{font-weight:700;white-space:nowrap;padding:.1em .4em;border-radius:3px}
.s-PASS,.s-MET{background:#dcfce7} .s-FAIL{background:#fee2e2;color:#991b1b}
.s-NOT-MET{background:#fef3c7} .s-BLOCKED{background:#e5e7eb;color:#7f1d1d}
.s-CUT-SHORT{background:#fef9c3} .s-SKIP{background:#f3f4f6;color:#555}
code{font-size:.92em} details{margin:.3em 0} summary{cursor:pointer;color:#1d4ed8}
.evidence{white-space:pre-wrap;font:12px/1.4 ui-monospace,monospace;background:#f9fafb;
padding:.4em;margin:.3em 0} .timeline{display:block;margin:.5em 0;background:#fff;
border:1px solid #ccc;max-width:100%;height:auto} .tl-title{font:bold 12px sans-serif}
.tl-note,.tl-lane{font:11px sans-serif;fill:#333} .tl-unknown{font:bold 11px sans-serif}
.hidden{display:none}
"""

SCRIPT = """
function applyFilters(){
  if(!document.getElementById('search')) return;  // a page without the scorecard
  const levels=new Set([...document.querySelectorAll('input[data-level]:checked')]
    .map(e=>e.dataset.level));
  const statuses=new Set([...document.querySelectorAll('input[data-status]:checked')]
    .map(e=>e.dataset.status));
  const text=document.getElementById('search').value.toLowerCase();
  let shown=0;
  for(const row of document.querySelectorAll('tr.row')){
    const ok=levels.has(row.dataset.level)&&statuses.has(row.dataset.status)&&
      (!text||row.textContent.toLowerCase().includes(text));
    row.classList.toggle('hidden',!ok); if(ok) shown++;
  }
  document.getElementById('shown').textContent=shown;
}
document.addEventListener('DOMContentLoaded',()=>{
  document.querySelectorAll('.filters input').forEach(e=>e.addEventListener('input',applyFilters));
  applyFilters();
  const target=location.hash&&document.getElementById(location.hash.slice(1));
  if(target) target.querySelectorAll('details').forEach(d=>d.open=true);
});
"""


def _status_class(status: str) -> str:
    return "s-" + status.replace(" ", "-")


def _filters(rows: list[Row]) -> str:
    statuses = sorted({row.status for row in rows})
    levels = "".join(
        f'<label><input type="checkbox" data-level="{level}" checked> {level}</label>'
        for level in ("MUST", "SHOULD")
    )
    boxes = "".join(
        f'<label><input type="checkbox" data-status="{escape(status)}" checked> '
        f'<span class="status {_status_class(status)}">{escape(status)}</span> '
        f"({sum(row.status == status for row in rows)})</label>"
        for status in statuses
    )
    return (
        f'<div class="filters">{levels} | {boxes} | <input id="search" type="search" '
        'placeholder="filter by text"> <span><span id="shown"></span> shown</span></div>'
    )


def _run(run: RunShown) -> str:
    found = (
        "".join(f'<div class="evidence">{escape(v)}</div>' for v in run.violations)
        or "<p>no violation</p>"
    )
    return (
        f'<div class="run"><p><b>{escape(run.test)}</b>: {run.operations} operation(s), '
        f'{len(run.violations)} violation(s); kept in <a href="{escape(run.folder)}/">'
        f"{escape(run.folder)}/</a> (history/ and state.json: "
        f"<code>coupon-acceptance check {escape(run.folder)}</code> judges it again)"
        f"{' — ' + escape(run.note) if run.note else ''}</p>"
        f"{found}{''.join(run.timelines)}</div>"
    )


def _row(row: Row) -> str:
    tests = "".join(
        f"<li><code>{escape(test)}</code>: {escape(outcome)}"
        + (f'<div class="evidence">{escape(detail)}</div>' if detail else "")
        + "</li>"
        for test, outcome, detail in row.tests
    )
    notes = "".join(f'<div class="evidence">{escape(note)}</div>' for note in row.notes)
    runs = "".join(_run(run) for run in row.runs)
    open_ = " open" if row.status not in PASSING and row.runs else ""
    evidence = (
        f"<details{open_}><summary>evidence: {len(row.tests)} check(s)"
        f"{f', {len(row.runs)} run(s) kept' if row.runs else ''}</summary>"
        f"<ul>{tests}</ul>{notes}{runs}</details>"
    )
    return (
        f'<tr class="row" id="{escape(row.id)}" data-level="{row.level}" '
        f'data-status="{escape(row.status)}"><td><span class="status '
        f'{_status_class(row.status)}">{escape(row.status)}</span></td>'
        f'<td><a href="#{escape(row.id)}"><code>{escape(row.id)}</code></a></td>'
        f"<td>{escape(row.text)}<br><small>{escape(row.detail[:600])}</small>{evidence}</td></tr>"
    )


def render_page(title: str, meta: list[str], rows: list[Row], sections: list[str] = ()) -> str:
    """The whole page; `sections` are HTML of their own, after the table (a load run's
    plots and violations)."""
    table = (
        _filters(rows)
        + "<table><thead><tr><th>status</th><th>criterion</th><th>what, and why</th></tr>"
        + "</thead><tbody>"
        + "".join(_row(row) for row in rows)
        + "</tbody></table>"
        if rows
        else ""
    )
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{STYLE}</style><script>{SCRIPT}</script>"
        f"</head><body><h1>{escape(title)}</h1>"
        + "".join(f'<p class="meta">{escape(line)}</p>' for line in meta)
        + table
        + "".join(sections)
        + "</body></html>\n"
    )
