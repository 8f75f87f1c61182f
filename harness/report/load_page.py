"""A load run's page: its figures, throughput and latency over time (matplotlib, drawn as
SVG into the page), and a timeline of each violation; the run's state kept beside its
histories so that `coupon-acceptance check` can judge it again."""

from __future__ import annotations

import io
from collections import defaultdict
from html import escape
from pathlib import Path

from ..races.history import Operation
from ..races.kept import KeptRun
from .keeper import show
from .page import render_page


def per_second(
    history: list[Operation],
) -> tuple[list[int], dict[str, list[int]], list[float], list[float]]:
    """Seconds since the first answer; answers per second by outcome; p50 and p99 latency
    (ms) of the answers of each second."""
    if not history:
        return [], {}, [], []
    start = min(op.completed for op in history)
    seconds = int(max(op.completed for op in history) - start) + 1
    counts = {kind: [0] * seconds for kind in ("ok", "fail", "info")}
    latencies: dict[int, list[float]] = defaultdict(list)
    for op in history:
        second = int(op.completed - start)
        counts[op.type][second] += 1
        latencies[second].append((op.completed - op.invoked) * 1000)

    def quantile(values: list[float], q: float) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0

    xs = list(range(seconds))
    return (
        xs,
        counts,
        [quantile(latencies[s], 0.5) for s in xs],
        [quantile(latencies[s], 0.99) for s in xs],
    )


def plots_svg(history: list[Operation]) -> str:
    """Claims answered per second (by outcome) and their latency, as one SVG."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    xs, counts, p50, p99 = per_second(history)
    figure, (rate, latency) = plt.subplots(2, 1, figsize=(9, 5.5), sharex=True)
    styles = {"ok": ("#15803d", "-"), "fail": ("#b91c1c", "--"), "info": ("#4b5563", ":")}
    for kind, values in counts.items():
        color, line = styles[kind]
        rate.plot(xs, values, line, color=color, label=kind)
    rate.set_ylabel("claims answered / s")
    rate.legend(title="outcome", loc="upper right")
    latency.plot(xs, p50, "-", color="#1d4ed8", label="p50")
    latency.plot(xs, p99, "--", color="#7c3aed", label="p99")
    latency.set_ylabel("latency, ms")
    latency.set_xlabel("seconds since the first answer")
    latency.legend(loc="upper right")
    figure.tight_layout()
    out = io.StringIO()
    figure.savefig(out, format="svg")
    plt.close(figure)
    svg = out.getvalue()
    return svg[svg.index("<svg") :]


def write_load_report(
    results: Path, run: KeptRun, summary: str, title: str = "Coupon API load run"
) -> Path:
    """state.json beside the histories the locust processes wrote, and index.html."""
    run.write(results, with_history=False)
    shown = show(run, ".", "the load run")
    timelines = "".join(shown.timelines)
    violations = "".join(f'<div class="evidence">{escape(v)}</div>' for v in shown.violations)
    sections = [
        f'<h2>Figures</h2><div class="evidence">{escape(summary)}</div>',
        f"<h2>Over time ({len(run.history)} claims)</h2>{plots_svg(run.history)}",
        f"<h2>Violations ({len(run.violations)})</h2>"
        + (violations or "<p>none: every invariant held</p>")
        + (f"<p>{escape(shown.note)}</p>" if shown.note else "")
        + timelines,
        "<p>Kept here: <code>history/</code> (every claim's answer) and <code>state.json</code> "
        "(what the history was judged against): <code>coupon-acceptance check "
        f"{escape(str(results))}</code> judges it again.</p>",
    ]
    page = results / "index.html"
    page.write_text(render_page(title, [f"results: {results}"], [], sections))
    return page
