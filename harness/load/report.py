"""The load run's one screen: locust's figures per endpoint and outcome, then the verdict."""

from __future__ import annotations

import csv
from pathlib import Path

from harness.races.checker import Violation
from harness.races.history import Operation


def endpoint_rows(results: Path) -> list[dict[str, str]]:
    path = results / "locust_stats.csv"
    if not path.exists():
        return []
    with path.open() as rows:
        return list(csv.DictReader(rows))


def summary(
    rows: list[dict[str, str]], history: list[Operation], violations: list[Violation], touched: int
) -> str:
    lines = [
        f"{'endpoint / outcome':<24}{'requests':>10}{'failures':>10}{'req/s':>9}"
        f"{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}"
    ]
    for row in rows:
        lines.append(
            f"{row['Name']:<24}{row['Request Count']:>10}{row['Failure Count']:>10}"
            f"{float(row['Requests/s']):>9.1f}{row['50%']:>8}{row['95%']:>8}{row['99%']:>8}"
        )
    ok = sum(op.type == "ok" for op in history)
    lines.append(f"claims recorded: {len(history)} ({ok} ok); coupons checked: {touched}")
    lines.append(
        "invariants: all hold"
        if not violations
        else f"invariants: {len(violations)} VIOLATION(S)\n  "
        + "\n  ".join(str(v) for v in violations[:10])
    )
    return "\n".join(lines)
