"""A self-contained HTML page for one submission: score, checks per part, gate tables, gradient curves.

Every string taken from the result is escaped: feedback quotes student code and output.
Pure function: takes a result, returns the page; matplotlib is imported only when a plot is drawn.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from autograder.reports.feedback import grader_error_text, result_feedback
from autograder.results.model import (
    CheckOutcome,
    GateTableEvidence,
    GradientCurvesEvidence,
    SubmissionResult,
)
from autograder.results.model import number_text as _num
from autograder.results.model import score_text as _score
from autograder.results.model import status_text as _status

_CSS = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 70em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #bbb; padding: 0.25em 0.5em; vertical-align: top; text-align: left; }
td.num { text-align: right; font-family: monospace; }
pre { white-space: pre-wrap; margin: 0; font-size: 0.9em; }
tr.passed td.status { color: #1a7f37; } tr.failed td.status { color: #cf222e; }
tr.manual td.status { color: #9a6700; }
td.first-wrong { background: #ffd7d5; outline: 2px solid #cf222e; font-weight: bold; }
.gates { display: flex; gap: 2em; flex-wrap: wrap; overflow-x: auto; }
.score { font-size: 1.3em; }
"""


SHOWN_STEPS = 64  # of a gate table: its rows (a student's table may hold a million empty ones)
SHOWN_UNITS = 8


def _sig4(value: Any) -> str:
    try:
        return f"{float(value):.4g}"
    except (TypeError, ValueError):
        return escape(str(value))


def _checks_table(outcomes: Sequence[CheckOutcome], feedback: Mapping[str, str]) -> str:
    rows = []
    for o in outcomes:
        misconceptions = escape(", ".join(o.misconceptions))
        rows.append(
            f'<tr class="{escape(o.status)}"><td>{escape(o.name)}</td><td class="num">{_score(o)}</td>'
            f'<td class="status">{escape(_status(o))}</td><td>{misconceptions}</td>'
            f"<td><pre>{escape(feedback[o.check_id])}</pre></td></tr>"
        )
    head = "<tr><th>Check</th><th>Score</th><th>Status</th><th>Misconceptions</th><th>Feedback</th></tr>"
    return f"<table>{head}{''.join(rows)}</table>"


def _gate_grid(title: str, keys: Sequence[str], table: Mapping[str, Any], mark: tuple[int, str, int]) -> str:
    """One gate table: a row per step, for each key its unit values; `mark` is (step, key, unit).
    At most SHOWN_STEPS steps and SHOWN_UNITS units of each key, whatever the table holds."""
    every = {k: table.get(k) or [] for k in keys}
    columns = {k: [list(row)[:SHOWN_UNITS] for row in rows[:SHOWN_STEPS]] for k, rows in every.items()}
    steps = max((len(rows) for rows in columns.values()), default=0)
    left_out = max((len(rows) for rows in every.values()), default=0) - steps
    units = {k: max((len(row) for row in rows), default=0) for k, rows in columns.items()}
    head1 = "".join(f'<th colspan="{max(units[k], 1)}">{escape(k)}</th>' for k in keys)
    head2 = "".join(f"<th>{u}</th>" for k in keys for u in range(max(units[k], 1)))
    body = [
        f"<tr><th>{t + 1}</th>{''.join(_gate_cells(t + 1, keys, columns, units, mark))}</tr>"
        for t in range(steps)
    ]
    if left_out > 0:
        width = 1 + sum(max(n, 1) for n in units.values())
        body.append(f'<tr><th colspan="{width}">… and {left_out} more steps</th></tr>')
    return (
        f"<div><h4>{escape(title)}</h4><table><tr><th rowspan=2>step</th>{head1}</tr>"
        f"<tr>{head2}</tr>{''.join(body)}</table></div>"
    )


def _gate_cells(
    step: int,
    keys: Sequence[str],
    columns: Mapping[str, list[list[Any]]],
    units: Mapping[str, int],
    mark: tuple[int, str, int],
) -> list[str]:
    """The cells of one step's row (each key escaped once per row, not once per cell)."""
    cells = []
    for k in keys:
        rows = columns[k]
        row = rows[step - 1] if step <= len(rows) else []
        where = f'" data-step="{step}" data-key="{escape(k)}" data-unit="'
        marked = mark[2] if mark[0] == step and mark[1] == k else -1
        width = max(units[k], 1)
        texts = [_sig4(value) for value in row[:width]] + ["&mdash;"] * (width - len(row))
        cells += [
            f'<td class="{"num first-wrong" if u == marked else "num"}{where}{u}">{text}</td>'
            for u, text in enumerate(texts)
        ]
    return cells


def _gate_section(name: str, gate: GateTableEvidence) -> str:
    keys = list(gate.keys)
    wrong = gate.first_wrong
    mark = (wrong.step, wrong.key, wrong.unit) if wrong else (0, "", -1)
    case = escape(gate.case)
    if gate.student is None:
        sentence = f"Case “{case}”: your code produced no usable gate table; the reference is shown alone."
    elif wrong:
        sentence = (
            f"Case “{case}”: your table first leaves the reference at step {mark[0]}, "
            f"gate {escape(mark[1])}, unit {mark[2]}."
        )
    else:
        sentence = f"Case “{case}”: your table agrees with the reference."
    grids = [] if gate.student is None else [_gate_grid("Your table", keys, gate.student, mark)]
    grids.append(_gate_grid("Reference", keys, gate.reference, (0, "", -1)))
    return (
        f"<section><h3>Gate table: {escape(name)}</h3><p>{sentence}</p>"
        f"<div class=gates>{''.join(grids)}</div></section>"
    )


def _positive(values: Sequence[Any] | None, n: int) -> list[float]:
    out = []
    for v in list(values or [])[:n]:
        try:
            x = float(v)
        except (TypeError, ValueError):
            x = math.nan
        out.append(x if math.isfinite(x) else math.nan)
    return out


def _curves_png(curves: GradientCurvesEvidence) -> str:
    """The gradient-norm plot as a base64 PNG."""
    # A Figure of its own (no pyplot): the process-wide backend and figure registry stay untouched.
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    k = [int(x) for x in curves.k]
    series = [
        ("your LSTM: ‖dL/dC_k‖", _positive(curves.student_lstm, len(k)), "o-"),
        ("reference LSTM: ‖dL/dC_k‖", _positive(curves.reference_lstm, len(k)), "s--"),
        ("vanilla RNN: ‖dL/dh_k‖", _positive(curves.reference_rnn, len(k)), "^:"),
    ]
    positives = [y for _, ys, _ in series for y in ys if y > 0]
    floor = min(positives) / 10 if positives else 1e-12
    fig = Figure(figsize=(7, 4), dpi=100)
    ax = fig.subplots()
    for label, ys, style in series:
        if ys:
            clipped = [y if math.isnan(y) else max(y, floor) for y in ys]
            ax.plot(k[: len(ys)], clipped, style, label=label)
    ax.set_yscale("log")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("k")
    ax.set_ylabel("gradient norm")
    ax.legend()
    ax.grid(True, which="both", alpha=0.3)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _curves_section(name: str, curves: GradientCurvesEvidence) -> str:
    note = "" if curves.student_lstm is not None else "<p>Your code produced no gradient curve.</p>"
    return (
        f"<section><h3>Gradient flow: {escape(name)}</h3><p>Case “{escape(curves.case)}”.</p>{note}"
        f'<img alt="gradient norms against k" src="data:image/png;base64,{_curves_png(curves)}"></section>'
    )


def render_html(
    result: SubmissionResult, *, plots: bool = True, feedback: Mapping[str, str] | None = None
) -> str:
    """The feedback page for one submission, with its CSS inline and every result string escaped.

    `plots=False` leaves out the gradient-flow plot (about 0.1 s of matplotlib per page), for
    exports of a whole class; `feedback`: `result_feedback(result)`, if the caller has it already."""
    title = f"Feedback: {escape(result.submission)}"
    body = [
        f"<h1>{title}</h1>",
        f'<p class="score">Score: <strong>{_num(result.score)}/{_num(result.max_score)}</strong></p>',
        f"<p>Isolation: {escape(result.isolation)}</p>",
    ]
    notes = list(result.notes)
    if result.grader_error is not None:
        notes.insert(0, grader_error_text(result.grader_error))
    if notes:
        body.append("<ul>" + "".join(f"<li>{escape(n)}</li>" for n in notes) + "</ul>")
    feedback = result_feedback(result) if feedback is None else feedback
    for part, outcomes in result.by_part().items():
        body += [f"<h2>Part {escape(part)}</h2>", _checks_table(outcomes, feedback)]
    for o in result.outcomes:
        for evidence in o.evidence:
            if isinstance(evidence, GateTableEvidence):
                body.append(_gate_section(o.name, evidence))
            elif plots and isinstance(evidence, GradientCurvesEvidence):
                body.append(_curves_section(o.name, evidence))
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f"<style>{_CSS}</style></head>\n<body>\n" + "\n".join(body) + "\n</body></html>\n"
    )
