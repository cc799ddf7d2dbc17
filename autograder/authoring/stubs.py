"""Derive the student stubs in `exercises/` from the reference solutions: one source.

A solution file marks what the student must write, in the spirit of nbgrader:

    ### BEGIN SOLUTION
    ...reference code...
    ### END SOLUTION

An indented region (a function body) becomes `raise NotImplementedError("not implemented yet")`
at the same indentation. A region at the top level (a private helper, a solution-only import, a
constant) is dropped. A line `### STUB: text` is a comment in the solution and becomes `text` in
the stub: that is how a stub gets blank constants such as `EXPLANATION = ""`.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

BEGIN_MARK = "### BEGIN SOLUTION"
END_MARK = "### END SOLUTION"
STUB_MARK = "### STUB:"
NOT_IMPLEMENTED = 'raise NotImplementedError("not implemented yet")'


class MarkerError(ValueError):
    """A solution file whose solution markers do not pair up."""


@dataclass(frozen=True)
class StubDifference:
    """An exercise file that does not match what its solution file produces."""

    path: Path
    reason: str


def make_stub(source: str, filename: str = "<solution>") -> str:
    """The student version of one solution file's text."""
    out: list[str] = []
    region_start: int | None = None
    for number, line in enumerate(source.splitlines(), start=1):
        stripped = line.strip()
        indent = line[: len(line) - len(line.lstrip())]
        if stripped == BEGIN_MARK:
            if region_start is not None:
                raise MarkerError(
                    f"{filename}:{number}: {BEGIN_MARK} inside the region opened at line {region_start}"
                )
            region_start = number
            if indent:
                out.append(f"{indent}# YOUR CODE HERE")
                out.append(f"{indent}{NOT_IMPLEMENTED}")
        elif stripped == END_MARK:
            if region_start is None:
                raise MarkerError(f"{filename}:{number}: {END_MARK} with no {BEGIN_MARK} before it")
            region_start = None
        elif region_start is not None:
            continue
        elif stripped.startswith(STUB_MARK):
            out.append(indent + stripped[len(STUB_MARK) :].removeprefix(" "))
        else:
            out.append(line)
    if region_start is not None:
        raise MarkerError(f"{filename}:{region_start}: {BEGIN_MARK} is never closed")
    return _collapse_blank_runs("\n".join(out)) + "\n"


def _collapse_blank_runs(text: str) -> str:
    """Dropping a top-level region leaves blank lines behind; keep at most two in a row."""
    lines: list[str] = []
    for line in text.splitlines():
        if not line.strip() and len(lines) >= 2 and not lines[-1].strip() and not lines[-2].strip():
            continue
        lines.append(line.rstrip())
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines)


def expected_stubs(solutions: Path) -> dict[str, str]:
    """File name -> stub text, for every solution module in `solutions`."""
    return {
        path.name: make_stub(path.read_text(encoding="utf-8"), str(path))
        for path in sorted(solutions.glob("*.py"))
    }


def write_stubs(solutions: Path, exercises: Path) -> list[Path]:
    """Write (or rewrite) every stub; return the files written."""
    exercises.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in expected_stubs(solutions).items():
        target = exercises / name
        target.write_text(text, encoding="utf-8")
        written.append(target)
    return written


def stub_differences(solutions: Path, exercises: Path) -> list[StubDifference]:
    """Every way `exercises` differs from what `solutions` produces (empty when in sync)."""
    expected = expected_stubs(solutions)
    differences = []
    for name, text in expected.items():
        target = exercises / name
        if not target.is_file():
            differences.append(StubDifference(target, "missing"))
        elif target.read_text(encoding="utf-8") != text:
            differences.append(StubDifference(target, "differs from the stub its solution produces"))
    for extra in sorted(exercises.glob("*.py")):
        if extra.name not in expected:
            differences.append(StubDifference(extra, "has no solution file"))
    return differences


def top_level_names(source: str) -> set[str]:
    """Functions, classes and assigned names defined at the top level of `source`."""
    names = set()
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names
