"""A notebook handed in as a submission, read as the exercise modules the grader runs.

Any notebook a student might hand in: nbgrader-shaped (its code cells carry the grade ids of
`autograder nbgrader`'s notebook) or not (correct code pasted into a fresh notebook: each code cell
goes to the module whose contract names it defines), nbformat 4 or 3. Anything that is not a
notebook of a shape read here is a SubmissionError, one line.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from autograder.grading.grader import SubmissionError

MAX_NOTEBOOK_BYTES = 50 * 1024**2


def cell_grade_id(cell: Mapping[str, Any]) -> str:
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


def module_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8") if path.is_file() else ""
    except (OSError, UnicodeDecodeError) as error:
        raise SubmissionError(f"{path.name}: not readable UTF-8 text ({error})") from None


def _cell_text(cell: Mapping[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def upgraded(document: Any) -> Any:
    """An nbformat 3 document (cells inside worksheets, code in "input") in nbformat 4's shape;
    any other document as it is."""
    if not isinstance(document, dict) or "worksheets" not in document:
        return document
    worksheets = document["worksheets"]
    if not isinstance(worksheets, list) or not all(isinstance(w, dict) for w in worksheets):
        raise SubmissionError("its 'worksheets' is not a list of objects")
    cells = []
    for cell in (c for w in worksheets for c in (w.get("cells") or [])):
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            cell = {**cell, "source": cell.get("input", "")}
        elif isinstance(cell, dict) and cell.get("cell_type") == "heading":
            cell = {**cell, "cell_type": "markdown"}
        cells.append(cell)
    return {"cells": cells, "metadata": {}, "nbformat": 4}


def _defined_names(code: str) -> set[str]:
    """The names a cell defines at its top level (functions, classes, assignments)."""
    try:
        body = ast.parse(code).body
    except (SyntaxError, ValueError, RecursionError):  # still find what it means to define
        found = re.findall(r"^(?:def|class)\s+(\w+)|^(\w+)\s*[:=]", code, flags=re.M)
        return {name for pair in found for name in pair if name}
    names = set()
    for node in body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names


def _code(cell: Mapping[str, Any]) -> str:
    """A code cell's text without IPython magics and shell escapes: unindented lines starting with
    % or ! (an indented one continues a statement, such as `% (a, b)` in a long format)."""
    kept = [line for line in _cell_text(cell).splitlines() if not line.startswith(("%", "!"))]
    return "\n".join(kept)


def _chunks_by_grade_id(
    cells: list[dict[str, Any]], parts: Sequence[tuple[str, str]]
) -> dict[str, list[str]]:
    """The code of an nbgrader-shaped notebook, by module: cells named by `autograder nbgrader`."""
    by_part = dict(parts)
    chunks_of: dict[str, list[str]] = {module: [] for _, module in parts}
    for cell in cells:
        cell_id = cell_grade_id(cell)
        if cell_id.endswith("_explanation") and cell_id[:1] in by_part:
            text = _cell_text(cell).strip()
            if text and text != "YOUR ANSWER HERE":
                chunks_of[by_part[cell_id[0]]].append(f"EXPLANATION = {text!r}")
        elif (
            cell.get("cell_type") == "code"
            and cell_id[:1] in by_part
            and cell_id.endswith(("_code", "_answers"))
        ):
            chunks_of[by_part[cell_id[0]]].append(_code(cell))
    return chunks_of


def _chunks_by_contract(
    cells: list[dict[str, Any]], contract: Mapping[str, Sequence[str]]
) -> dict[str, list[str]]:
    """The code of any other notebook, by module: a code cell goes to the module whose contract
    names it defines; a cell that defines none (imports, helpers) goes to every module."""
    chunks_of: dict[str, list[str]] = {module: [] for module in contract}
    for cell in (c for c in cells if c.get("cell_type") == "code"):
        code = _code(cell)
        defined = _defined_names(code)
        owners = [module for module, names in contract.items() if defined & set(names)]
        for module in owners or list(contract):
            chunks_of[module].append(code)
    return chunks_of


def submission_from_notebook(
    notebook_path: Path,
    target: Path,
    parts: Sequence[tuple[str, str]],
    contract: Mapping[str, Sequence[str]] | None = None,
) -> Path:
    """Turn a notebook submission into the module files the grader expects.

    A notebook shares one namespace across cells, so part (b) sees part (a)'s names and part (c)
    sees both: the modules import each other's names to keep that meaning. `contract` (module ->
    its public names) lets a notebook without nbgrader's cell ids be read too. Anything that is not
    a notebook of a shape read here is a SubmissionError, one line.
    """
    cells = notebook_cells(upgraded(read_notebook(notebook_path)))
    chunks_of = _chunks_by_grade_id(cells, parts)
    if not any(chunks_of.values()) and contract:
        defined = set().union(*(_defined_names(_code(c)) for c in cells if c.get("cell_type") == "code"))
        wanted = [name for names in contract.values() for name in names]
        if not defined & set(wanted):
            raise SubmissionError(f"no code cell defines any of {', '.join(wanted)}")
        chunks_of = _chunks_by_contract(cells, contract)
    target.mkdir(parents=True, exist_ok=True)
    shared = "try:\n    from {0} import *  # noqa: F403\nexcept Exception:  # noqa: BLE001\n    pass\n"
    modules = [module for _, module in parts]
    for index, name in enumerate(modules):
        body = "\n\n".join(chunks_of.get(name, []))
        if body:
            future = (
                "from __future__ import annotations\n" if "from __future__ import annotations" in body else ""
            )
            body = body.replace("from __future__ import annotations", "")
            prelude = "".join(shared.format(m) for m in modules[:index])
            _write_module(target / f"{name}.py", future + prelude + body + "\n")
    return target


def _write_module(path: Path, text: str) -> None:
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # JSON can spell a lone surrogate ("\\udcff"); UTF-8 cannot
        raise SubmissionError("a cell holds a lone surrogate, which is not text") from None
    path.write_bytes(data)
