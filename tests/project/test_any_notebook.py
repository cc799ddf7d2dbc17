"""Any notebook a student might hand in is graded: nbgrader-shaped or not, nbformat 4 or 3;
otherwise one line saying what is missing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conftest import PROJECT

from autograder.api import grade
from autograder.course import Course
from autograder.reports.feedback import check_feedback
from autograder.results.model import FailureKind

REFERENCE = PROJECT / "examples" / "submissions" / "full_marks_reference"
MODULES = ("lstm_gates", "lstm_gradients", "lstm_budget")


def code_cell(source: str) -> dict[str, Any]:
    return {"cell_type": "code", "metadata": {}, "source": source, "outputs": [], "execution_count": None}


def pasted_cells() -> list[dict[str, Any]]:
    """The reference pasted into a fresh notebook: an import cell, then a cell per module, with
    a markdown note and a magic between them, as a student's notebook looks."""
    cells: list[dict[str, Any]] = [
        {"cell_type": "markdown", "metadata": {}, "source": "# My LSTM homework"},
        code_cell("%matplotlib inline\nimport numpy as np"),
    ]
    for module in MODULES:
        cells.append(code_cell((REFERENCE / f"{module}.py").read_text(encoding="utf-8")))
    return cells


def write(path: Path, document: dict[str, Any]) -> Path:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def v4(cells: list[dict[str, Any]]) -> dict[str, Any]:
    return {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def test_a_notebook_without_nbgrader_metadata_gets_full_marks(tmp_path: Path, course: Course) -> None:
    (result,) = grade([write(tmp_path / "pasted.ipynb", v4(pasted_cells()))], course=course)
    assert result.score == result.max_score, [
        check_feedback(o) for o in result.outcomes if o.status == "failed"
    ]


def test_everything_in_one_cell_gets_full_marks(tmp_path: Path, course: Course) -> None:
    source = "\n\n".join((REFERENCE / f"{module}.py").read_text(encoding="utf-8") for module in MODULES)
    source = source.replace("from __future__ import annotations", "")
    (result,) = grade([write(tmp_path / "one_cell.ipynb", v4([code_cell(source)]))], course=course)
    assert result.score == result.max_score, [
        check_feedback(o) for o in result.outcomes if o.status == "failed"
    ]


def test_an_nbformat_3_notebook_gets_full_marks(tmp_path: Path, course: Course) -> None:
    cells = []
    for cell in pasted_cells():
        if cell["cell_type"] == "code":
            cells.append({"cell_type": "code", "input": cell["source"], "language": "python", "outputs": []})
        else:
            cells.append({"cell_type": "heading", "level": 1, "source": cell["source"]})
    document = {"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": [{"cells": cells}]}
    (result,) = grade([write(tmp_path / "old.ipynb", document)], course=course)
    assert result.score == result.max_score, [
        check_feedback(o) for o in result.outcomes if o.status == "failed"
    ]


def test_a_notebook_defining_nothing_says_what_is_missing(tmp_path: Path, course: Course) -> None:
    cells = [{"cell_type": "markdown", "metadata": {}, "source": "I did not do it"}, code_cell("x = 1")]
    (result,) = grade([write(tmp_path / "empty.ipynb", v4(cells))], course=course)
    assert result.score == 0
    (reason,) = {f.detail for o in result.outcomes for f in o.failures}
    assert reason.count("\n") == 0 and "no code cell defines any of sigmoid, lstm_step" in reason
    assert all(f.kind is FailureKind.UNUSABLE_FILE for o in result.outcomes for f in o.failures)


def test_a_part_left_out_fails_only_that_part(tmp_path: Path, course: Course) -> None:
    cells = [c for c in pasted_cells() if "def num_parameters" not in "".join(c["source"])]
    (result,) = grade([write(tmp_path / "two_parts.ipynb", v4(cells))], course=course)
    failed = {o.part for o in result.outcomes if o.status == "failed"}
    assert failed == {"c"}


def test_a_percent_continuation_line_is_code_not_a_magic(tmp_path: Path, course: Course) -> None:
    cells = pasted_cells()
    budget = cells[-1]
    old = 'raise ValueError(f"convention must be one of {CONVENTIONS}, got {convention!r}")'
    assert old in budget["source"]
    budget["source"] = budget["source"].replace(
        old,
        'raise ValueError("convention must be one of %s, got %r"\n            % (CONVENTIONS, convention))',
    )
    (result,) = grade([write(tmp_path / "percent.ipynb", v4(cells))], course=course)
    assert result.score == result.max_score, [
        check_feedback(o) for o in result.outcomes if o.status == "failed"
    ]
