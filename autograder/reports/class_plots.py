"""The class report's plots, drawn once per report as inline PNG (base64): the report stays one
file that needs nothing else to show them."""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from typing import Any

from autograder.classroom.item_analysis import EASY_FACILITY, HARD_FACILITY, ItemStats


def _png(figure: Any) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def distribution_png(scores: Sequence[float], max_score: float) -> str:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7, 3.5), dpi=100)
    axes = figure.subplots()
    axes.hist(
        list(scores),
        bins=min(20, max(5, len(scores))),
        range=(0, max_score or 1),
        color="#4c78a8",
        edgecolor="white",
    )
    axes.set_xlabel("score")
    axes.set_ylabel("students")
    axes.set_title(f"Score distribution ({len(scores)} submissions)")
    return _png(figure)


def facility_discrimination_png(items: Sequence[ItemStats]) -> str:
    """Each check at (facility, discrimination), labelled; the bands of the flags shaded. A check
    whose discrimination is undefined (everyone alike) is drawn at 0, hollow."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7, 4.5), dpi=100)
    axes = figure.subplots()
    axes.axvspan(EASY_FACILITY, 1.02, color="#f2cf5b", alpha=0.25, lw=0)
    axes.axvspan(-0.02, HARD_FACILITY, color="#e45756", alpha=0.15, lw=0)
    axes.axhspan(-1.05, 0, color="#e45756", alpha=0.08, lw=0)
    axes.axhline(0, color="#888888", lw=0.8)
    for item in items:
        defined = item.discrimination is not None
        y = item.discrimination if item.discrimination is not None else 0.0
        axes.scatter(
            [item.facility],
            [y],
            s=36,
            color="#4c78a8" if defined else "white",
            edgecolors="#4c78a8",
            zorder=3,
        )
        axes.annotate(
            item.check_id, (item.facility, y), fontsize=7, xytext=(4, 3), textcoords="offset points"
        )
    axes.set_xlim(-0.02, 1.02)
    axes.set_ylim(-1.05, 1.05)
    axes.set_xlabel("facility (mean fraction of the points)")
    axes.set_ylabel("discrimination (item-rest r)")
    axes.set_title("Item analysis: each check")
    return _png(figure)
