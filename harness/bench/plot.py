"""The benchmark as a picture: claims/s and p99 latency against concurrency, per shape."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from harness.steal import DISTURBED, disturbed

from .loads import Measurement
from .sale import SaleRun


def draw(measurements: list[Measurement], path: Path) -> None:
    shapes = sorted({m.shape for m in measurements})
    figure, axes = plt.subplots(2, len(shapes), figsize=(6 * len(shapes), 7), squeeze=False)
    for column, shape in enumerate(shapes):
        for generator in sorted({m.generator for m in measurements}):
            points = sorted(
                (m.clients, m.claims_per_s, m.p99_ms)
                for m in measurements
                if m.shape == shape and m.generator == generator
            )
            clients = [p[0] for p in points]
            axes[0][column].plot(clients, [p[1] for p in points], marker="o", label=generator)
            axes[1][column].plot(clients, [p[2] for p in points], marker="o", label=generator)
        axes[0][column].set_title(f"{shape}: claims/s (higher is better)")
        axes[1][column].set_title(f"{shape}: p99 latency, ms (lower is better)")
        for row in axes:
            row[column].set_xscale("log", base=2)
            row[column].set_xlabel("concurrent clients")
            row[column].grid(True, alpha=0.3)
        axes[0][column].legend(fontsize=8)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)


def draw_sale(runs: list[SaleRun], window_s: float, path: Path) -> None:
    """Claims/s over the sale's time, one line per generator and round: a claim path that
    slows as it sells falls to the right. Windows measured while the host stole more than
    `DISTURBED` of the CPU are ringed."""
    figure, axis = plt.subplots(figsize=(9, 5))
    styles = ["-", "--", ":", "-."]
    colours = {}
    ringed = False
    for run in runs:
        generator = run.measurement.generator
        colour = colours.setdefault(generator, f"C{len(colours)}")
        times = [window_s * (i + 1) for i in range(len(run.windows))]
        axis.plot(
            times,
            run.windows,
            marker="o",
            color=colour,
            linestyle=styles[(run.round - 1) % len(styles)],
            label=f"{generator}, round {run.round}",
        )
        ringed_windows = [
            (time, rate)
            for time, rate, share in zip(times, run.windows, run.steal, strict=False)
            if disturbed(share)
        ]
        if ringed_windows:
            axis.scatter(
                *zip(*ringed_windows, strict=True),
                s=160,
                facecolors="none",
                edgecolors="red",
                label=f"steal over {DISTURBED:.0%}" if not ringed else None,
            )
            ringed = True
    axis.set_title(f"the sale: claims/s per {window_s:g}-s window on a fresh database")
    axis.set_xlabel("seconds into the sale")
    axis.set_ylabel("claims/s")
    axis.set_ylim(bottom=0)
    axis.grid(True, alpha=0.3)
    axis.legend(fontsize=8)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
