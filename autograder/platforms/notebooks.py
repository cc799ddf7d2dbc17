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
from autograder.platforms.notebook_submissions import cell_grade_id, module_text, notebook_cells
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


def _test_cell(
    check_id: str, name: str, points: float, function: str | None, public: str | None
) -> dict[str, Any]:
    visible = f"# Check {check_id}: {name} ({points:g} points). It is graded when you submit;\n"
    if function and public:
        visible += f"# first, the public checks of {function} (run the public checks cell once):\n"
        visible += f"run_public_checks(PUBLIC_SOURCES, {public!r}, globals(), only={function!r})\n"
    elif function:
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


def public_test_sources(course: Course) -> dict[str, str]:
    """The course's public tests (tests/public, but its pytest conftest) by module name: the one
    source of the checks a student sees, in pytest and in the notebook."""
    folder = course.public_tests
    return {
        p.stem: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.py")) if p.stem != "conftest"
    }


def public_checks_cell(sources: Mapping[str, str]) -> str:
    """A locked cell defining `run_public_checks` and the public tests' sources (numpy only)."""
    runner = (Path(__file__).parent / "public_checks_runner.py").read_text(encoding="utf-8")
    return f"{runner}\n\nPUBLIC_SOURCES = {json.dumps(dict(sources), indent=1)}\n"


LOCKED = {"grade": False, "solution": False, "locked": True}
ANSWER = {"grade": False, "solution": True, "locked": False}


def _check_cell(check: Check, answers: Mapping[str, str], public: str | None) -> dict[str, Any]:
    """A manual item's graded answer cell, or the locked cell whose hidden part runs the check."""
    if check.manual:
        value = ast.literal_eval(answers.get(check.target, "x = ''").split("=", 1)[1].strip())
        graded = {"grade": True, "solution": True, "locked": False, "points": check.points}
        return _cell("markdown", str(value), {**graded, "grade_id": grade_id(check.id)})
    function = check.target if KINDS[check.kind].target_key == "function" else None
    return _test_cell(check.id, check.name, check.points, function, public)


def _part_cells(
    rubric: Rubric, part: Part, solution: str, public_sources: Mapping[str, str]
) -> list[dict[str, Any]]:
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
    public = f"test_{part.module}" if f"test_{part.module}" in public_sources else None
    return cells + [_check_cell(check, answers, public) for check in checks]


def source_notebook(rubric: Rubric, course: Course) -> dict[str, Any]:
    """The instructor's nbgrader source notebook, with solutions and hidden checks."""
    intro = (
        "# LSTM fundamentals\n\nFill in the code cells of the three parts, run them, then run the check "
        "cells. Each check is graded when you submit; the written explanation is graded by hand."
    )
    sources = public_test_sources(course)
    cells = [_cell("markdown", intro, {**LOCKED, "grade_id": "intro"})]
    if sources:
        cells.append(_cell("code", public_checks_cell(sources), {**LOCKED, "grade_id": "public_checks"}))
    for part in rubric.parts:
        solution = (course.solutions / f"{part.module}.py").read_text(encoding="utf-8")
        cells += _part_cells(rubric, part, solution, sources)
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
    explanation = _constant(module_text(submission / "lstm_gradients.py"), "EXPLANATION")
    for cell in notebook_cells(filled):
        cell_id = cell_grade_id(cell)
        if cell_id in modules:
            cell["source"] = module_text(submission / f"{modules[cell_id]}.py")
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
