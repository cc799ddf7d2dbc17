"""The exercises as one Jupyter notebook for nbgrader, built from the same single source.

Layout, per part of the rubric: a read-only statement (the module's docstring), a solution code
cell (the solution module with nbgrader's own `### BEGIN SOLUTION` markers around function bodies),
for part (b) an answers cell and a manually graded explanation cell, then one read-only autograded
test cell per rubric check whose grading call sits inside `### BEGIN HIDDEN TESTS`.

Notebooks are read and written as plain JSON (nbformat 4.5), without importing nbformat: that
keeps the per-submission grading path fast.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from autograder.authoring import stubs
from autograder.course import Course
from autograder.grading.grader import SubmissionError
from autograder.kinds import KINDS
from autograder.rubric.model import Check, Part, Rubric

ASSIGNMENT = "lstm_fundamentals"
ANSWER_NAMES = ("CONCEPT_ANSWERS", "EXPLANATION")
HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"


def grade_id(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", text)


def _cell(kind: str, source: str, nbgrader: Mapping[str, Any] | None = None) -> dict[str, Any]:
    cell: dict[str, Any] = {"cell_type": kind, "metadata": {}, "source": source}
    if nbgrader is not None:
        cell["metadata"]["nbgrader"] = {"schema_version": 3, "task": False, **nbgrader}
        cell["id"] = grade_id(str(nbgrader["grade_id"]))
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def _regions(source: str) -> list[tuple[int, int, str]]:
    """(start line, end line, indentation) of every solution region, markers included."""
    found, start, indent = [], -1, ""
    for number, line in enumerate(source.splitlines()):
        if line.strip() == stubs.BEGIN_MARK:
            start, indent = number, line[: len(line) - len(line.lstrip())]
        elif line.strip() == stubs.END_MARK:
            found.append((start, number, indent))
    return found


def notebook_code(source: str) -> tuple[str, dict[str, str]]:
    """The solution module as a notebook cell, and the answer constants it defines.

    Top-level solution regions (private helpers) cannot stay at the top level: nbgrader would turn
    them into a bare `raise NotImplementedError()`. They move into the solution region of every
    function that uses them, so the student's cell has none of them and the source still runs.
    """
    lines = source.splitlines()
    docstring = ast.get_docstring(ast.parse(source), clean=False) or ""
    top_level = [(s, e) for s, e, indent in _regions(source) if not indent]
    helpers: list[tuple[set[str], list[str]]] = []
    answers: dict[str, str] = {}
    drop: set[int] = set()
    for start, end in top_level:
        body = lines[start + 1 : end]
        drop.update(range(start, end + 1))
        names = stubs.top_level_names("\n".join(body))
        if names & set(ANSWER_NAMES):
            module = ast.parse("\n".join(body))
            for node in module.body:
                if isinstance(node, ast.Assign | ast.AnnAssign):
                    target = node.targets[0] if isinstance(node, ast.Assign) else node.target
                    if isinstance(target, ast.Name) and node.value is not None:
                        answers[target.id] = ast.get_source_segment("\n".join(body), node) or ""
        else:
            helpers.append((names, body))
    out: list[str] = []
    for number, line in enumerate(lines):
        if number in drop or line.strip().startswith(stubs.STUB_MARK):
            continue
        out.append(line)
        if line.strip() == stubs.BEGIN_MARK and line.startswith(" "):
            indent = line[: len(line) - len(line.lstrip())]
            end = next(e for s, e, _ in _regions(source) if s == number)
            region_text = "\n".join(lines[number + 1 : end])
            for names, body in helpers:
                if any(re.search(rf"\b{re.escape(name)}\b", region_text) for name in names):
                    out.extend(indent + text if text.strip() else "" for text in body)
    code = "\n".join(out)
    quoted = f'"""{docstring}"""'
    code = code.replace(quoted, "", 1).lstrip("\n")
    return re.sub(r"\n{3,}", "\n\n\n", code).rstrip() + "\n", answers


def _test_cell(check_id: str, name: str, points: float, function: str | None) -> dict[str, Any]:
    visible = f"# Check {check_id}: {name} ({points:g} points). It runs when your notebook is graded.\n"
    if function:
        visible += f"assert callable({function}), 'define {function} in the cell above and run it'\n"
    hidden = (
        f"from autograder.platforms.notebook_checks import run_check\n\nrun_check({check_id!r}, globals())\n"
    )
    source = f"{visible}{HIDDEN_BEGIN}\n{hidden}{HIDDEN_END}\n"
    nbgrader = {
        "grade": True,
        "solution": False,
        "locked": True,
        "grade_id": grade_id(check_id),
        "points": points,
    }
    return _cell("code", source, nbgrader)


LOCKED = {"grade": False, "solution": False, "locked": True}
ANSWER = {"grade": False, "solution": True, "locked": False}


def _check_cell(check: Check, answers: Mapping[str, str]) -> dict[str, Any]:
    """A manual item's graded answer cell, or the locked cell whose hidden part runs the check."""
    if check.manual:
        value = ast.literal_eval(answers.get(check.target, "x = ''").split("=", 1)[1].strip())
        graded = {"grade": True, "solution": True, "locked": False, "points": check.points}
        return _cell("markdown", str(value), {**graded, "grade_id": grade_id(check.id)})
    function = check.target if KINDS[check.kind].target_key == "function" else None
    return _test_cell(check.id, check.name, check.points, function)


def _part_cells(rubric: Rubric, part: Part, solution: str) -> list[dict[str, Any]]:
    """A part's statement, its code cell, the answer constants a check reads, then its checks."""
    code, answers = notebook_code(solution)
    statement = ast.get_docstring(ast.parse(solution)) or ""
    checks = [c for c in rubric.checks if c.part == part.id]
    cells = [
        _cell(
            "markdown",
            f"## {part.title}\n\n```text\n{statement}\n```",
            {**LOCKED, "grade_id": f"{part.id}_statement"},
        ),
        _cell("code", code, {**ANSWER, "grade_id": f"{part.id}_code"}),
    ]
    for check in checks:
        if not check.manual and KINDS[check.kind].target_key == "attribute" and check.target in answers:
            source = f"{stubs.BEGIN_MARK}\n{answers[check.target]}\n{stubs.END_MARK}\n"
            cells.append(_cell("code", source, {**ANSWER, "grade_id": f"{part.id}_answers"}))
    return cells + [_check_cell(check, answers) for check in checks]


def source_notebook(rubric: Rubric, course: Course) -> dict[str, Any]:
    """The instructor's nbgrader source notebook, with solutions and hidden checks."""
    intro = (
        "# LSTM fundamentals\n\nFill in the code cells of the three parts, run them, then run the check "
        "cells. Each check is graded when you submit; the written explanation is graded by hand."
    )
    cells = [_cell("markdown", intro, {**LOCKED, "grade_id": "intro"})]
    for part in rubric.parts:
        cells += _part_cells(
            rubric, part, (course.solutions / f"{part.module}.py").read_text(encoding="utf-8")
        )
    return {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


# nbgrader 0.9's autograde preprocessors, with Execute replaced by the sandboxed grading.
AUTOGRADE_PREPROCESSORS = (
    "autograder.platforms.nbgrader_sandbox.SandboxedGrade",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
)


def nbgrader_config(course: Course, course_id: str = "lstm-fundamentals") -> str:
    return (
        "# nbgrader configuration written by `autograder nbgrader`.\n"
        "import os\n\n"
        f"os.environ.setdefault('AUTOGRADER_COURSE', {str(course.root.resolve())!r})  # the checks' course\n"
        "c = get_config()  # noqa: F821\n"
        f"c.CourseDirectory.course_id = {course_id!r}\n"
        "c.ClearSolutions.code_stub = {\n"
        "    'python': '# YOUR CODE HERE\\nraise NotImplementedError(\"not implemented yet\")'\n"
        "}\n"
        "c.Execute.timeout = 120\n"
        "# Autograde grades in the sandbox (autograder.platforms.nbgrader_sandbox): nbgrader's Execute,\n"
        "# which would run the student's cells and then the test cells in one kernel, is replaced.\n"
        "c.Autograde.autograde_preprocessors = [\n"
        + "".join(f"    {name!r},\n" for name in AUTOGRADE_PREPROCESSORS)
        + "]\n"
    )


def course_files(target: Path, rubric: Rubric, course: Course) -> dict[Path, str]:
    """What a complete nbgrader course holds: its config, then the source notebook."""
    notebook = target / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    return {
        target / "nbgrader_config.py": nbgrader_config(course),
        notebook: json.dumps(source_notebook(rubric, course), indent=1) + "\n",
    }


def write_course(target: Path, rubric: Rubric, course: Course, *, force: bool = False) -> dict[Path, bool]:
    """Write a complete nbgrader course (`course_files`); returns each file and whether it changed.

    A file already there that differs from what would be written (an edited config or notebook) is
    kept, and nothing is written, unless `force`: a FileExistsError names the files. A file with the
    same content is left alone."""
    if target.exists() and not target.is_dir():
        raise FileExistsError(f"{target}: exists and is not a folder")
    files = course_files(target, rubric, course)
    changed = {path: _differs(path, text) for path, text in files.items()}
    edited = [str(path) for path in files if changed[path] and path.exists()]
    if edited and not force:
        raise FileExistsError(
            f"{' and '.join(edited)}: {'differs' if len(edited) == 1 else 'differ'} from what "
            "`autograder nbgrader` writes (edited?); give --force to overwrite"
        )
    for path, text in files.items():
        if changed[path]:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    return changed


def _differs(path: Path, text: str) -> bool:
    return not path.is_file() or path.read_bytes() != text.encode("utf-8")


MAX_NOTEBOOK_BYTES = 50 * 1024**2


def _ids(cell: Mapping[str, Any]) -> str:
    return str(cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", ""))


def read_notebook(path: Path) -> Any:
    """The JSON document of a notebook file; SubmissionError (one line) if it is larger than
    MAX_NOTEBOOK_BYTES, not UTF-8, not JSON, or nested too deeply to read."""
    try:
        if path.stat().st_size > MAX_NOTEBOOK_BYTES:
            raise SubmissionError(f"larger than {MAX_NOTEBOOK_BYTES} bytes")
        return json.loads(path.read_bytes().decode("utf-8"))
    except RecursionError:
        raise SubmissionError("nested too deeply") from None
    except UnicodeDecodeError as error:
        raise SubmissionError(f"not UTF-8 text (byte {error.start})") from None
    except json.JSONDecodeError as error:
        raise SubmissionError(f"not JSON ({error})") from None
    except OSError as error:
        raise SubmissionError(f"cannot be read ({error.strerror})") from None


def _shape_problem(cell: Any) -> str:
    """What in a cell is not the shape the grader reads, or ""."""
    if not isinstance(cell, dict):
        return "is not an object"
    metadata = cell.get("metadata", {})
    if not isinstance(metadata, dict):
        return "has metadata that is not an object"
    nbgrader = metadata.get("nbgrader", {})
    if not isinstance(nbgrader, dict):
        return "has nbgrader metadata that is not an object"
    if not isinstance(nbgrader.get("grade_id", ""), str) or not isinstance(cell.get("cell_type", ""), str):
        return "has a grade_id or a cell_type that is not text"
    source = cell.get("source", "")
    if not all(isinstance(s, str) for s in (source if isinstance(source, list) else [source])):
        return "has a source that is neither text nor a list of text"
    return ""


def notebook_cells(document: Any) -> list[dict[str, Any]]:
    """A notebook document's cells, each checked for the shape the grader reads; SubmissionError
    (one line) at the first thing that is not a notebook's shape."""
    if not isinstance(document, dict):
        raise SubmissionError("the document is not a JSON object")
    cells = document.get("cells", [])
    if not isinstance(cells, list):
        raise SubmissionError("its 'cells' is not a list")
    for number, cell in enumerate(cells, 1):
        problem = _shape_problem(cell)
        if problem:
            raise SubmissionError(f"cell {number} {problem}")
    return cells


def _module_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8") if path.is_file() else ""
    except (OSError, UnicodeDecodeError) as error:
        raise SubmissionError(f"{path.name}: not readable UTF-8 text ({error})") from None


def filled_notebook(
    notebook: Mapping[str, Any], submission: Path, parts: Sequence[tuple[str, str]]
) -> dict[str, Any]:
    """A copy of a (release) notebook whose student cells hold a submission folder's code;
    `parts` are the rubric's (part id, module) pairs. SubmissionError (one line) for a notebook
    that is not a notebook's shape or a module file that is not UTF-8 text."""
    try:
        filled: dict[str, Any] = json.loads(json.dumps(notebook))
    except (RecursionError, TypeError, ValueError) as error:
        raise SubmissionError(f"not a notebook ({type(error).__name__})") from None
    modules = {f"{part}_code": name for part, name in parts}
    explanation = _constant(_module_text(submission / "lstm_gradients.py"), "EXPLANATION")
    for cell in notebook_cells(filled):
        cell_id = _ids(cell)
        if cell_id in modules:
            cell["source"] = _module_text(submission / f"{modules[cell_id]}.py")
        elif cell_id == "b_answers":
            cell["source"] = "# CONCEPT_ANSWERS is defined in the code cell above.\n"
        elif cell_id == "b_explanation":
            cell["source"] = explanation or "YOUR ANSWER HERE"
    return filled


def _constant(source: str, name: str) -> str:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return ""
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                return ""
            return value if isinstance(value, str) else ""
    return ""


def _cell_text(cell: Mapping[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def submission_from_notebook(notebook_path: Path, target: Path, parts: Sequence[tuple[str, str]]) -> Path:
    """Turn a notebook submission into the three module files the grader expects.

    A notebook shares one namespace across cells, so part (b) sees part (a)'s names and part (c)
    sees both: the modules import each other's names to keep that meaning. IPython magics and shell
    escapes (lines starting with % or !) are dropped. Anything that is not a notebook of the shape
    read here (too large, not JSON, a cell that is not an object...) is a SubmissionError, one line.
    """
    cells = notebook_cells(read_notebook(notebook_path))
    by_part = dict(parts)
    chunks_of: dict[str, list[str]] = {module: [] for _, module in parts}
    explanations: dict[str, str] = {}
    for cell in cells:
        cell_id = _ids(cell)
        text = _cell_text(cell)
        if cell_id.endswith("_explanation") and cell_id[:1] in by_part:
            explanations[by_part[cell_id[0]]] = text
        elif (
            cell.get("cell_type") == "code"
            and cell_id[:1] in by_part
            and cell_id.endswith(("_code", "_answers"))
        ):
            kept = [line for line in text.splitlines() if not line.lstrip().startswith(("%", "!"))]
            chunks_of[by_part[cell_id[0]]].append("\n".join(kept))
    target.mkdir(parents=True, exist_ok=True)
    shared = "try:\n    from {0} import *  # noqa: F403\nexcept Exception:  # noqa: BLE001\n    pass\n"
    modules = [module for _, module in parts]
    preludes = {
        name: "".join(shared.format(m) for m in modules[:index]) for index, name in enumerate(modules)
    }
    for name, chunks in chunks_of.items():
        body = "\n\n".join(chunks)
        explanation = explanations.get(name, "")
        if explanation.strip() and explanation.strip() != "YOUR ANSWER HERE":
            body += f"\n\nEXPLANATION = {explanation!r}\n"
        if chunks:
            future = (
                "from __future__ import annotations\n" if "from __future__ import annotations" in body else ""
            )
            body = body.replace("from __future__ import annotations", "")
            _write_module(target / f"{name}.py", future + preludes[name] + body + "\n")
    return target


def _write_module(path: Path, text: str) -> None:
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # JSON can spell a lone surrogate ("\\udcff"); UTF-8 cannot
        raise SubmissionError("a cell holds a lone surrogate, which is not text") from None
    path.write_bytes(data)
