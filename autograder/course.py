"""The course a command works on: a folder holding rubric.yaml, solutions/, exercises/ and the
sample submissions. It is passed in (`--course DIR`, default the current directory), never found
from this package's location, so the package works the same installed or from a checkout.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograder.frameworks.figures import RECORDED_NAME


class CourseError(ValueError):
    """A folder that is not a course; the message is one line saying what is missing."""


@dataclass(frozen=True)
class Course:
    root: Path
    rubric_path: Path

    @property
    def solutions(self) -> Path:
        return self.root / "solutions"

    @property
    def exercises(self) -> Path:
        return self.root / "exercises"

    @property
    def samples(self) -> Path:
        return self.root / "examples" / "submissions"

    @property
    def public_tests(self) -> Path:
        return self.root / "tests" / "public"

    @property
    def readme(self) -> Path:
        return self.root / "README.md"

    @property
    def figures_path(self) -> Path:
        return self.solutions / RECORDED_NAME


def open_course(root: Path | None = None, rubric: Path | None = None) -> Course:
    """The course at `root` (default: the current directory), checked to be one."""
    folder = Path.cwd() if root is None else root
    rubric_path = rubric if rubric is not None else folder / "rubric.yaml"
    if not folder.is_dir():
        raise CourseError(f"{folder}: no such course folder")
    if not (folder / "solutions").is_dir() or not rubric_path.is_file():
        raise CourseError(
            f"{folder}: not a course folder (expected rubric.yaml and solutions/ in it): "
            "run from a course checkout or pass --course DIR"
        )
    return Course(folder, rubric_path)


def _parameters(node: ast.FunctionDef) -> tuple[tuple[str, ...], tuple[str, ...]]:
    arguments = node.args
    positional = [*arguments.posonlyargs, *arguments.args]
    with_default = {a.arg for a in positional[len(positional) - len(arguments.defaults) :]}
    with_default |= {
        a.arg for a, d in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True) if d is not None
    }
    names = tuple(a.arg for a in [*positional, *arguments.kwonlyargs])
    return names, tuple(name for name in names if name not in with_default)


def read_solution_facts(solutions: Path, modules: Sequence[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Each solution module's student-facing functions (those its stub keeps, with their
    parameters) and the solution's literal constants, read from source without running it. A
    module that cannot be read is left out."""
    from autograder.authoring.stubs import MarkerError, make_stub
    from autograder.kinds.base import Signature

    signatures: dict[str, dict[str, Signature]] = {}
    constants: dict[str, dict[str, Any]] = {}
    for module in modules:
        try:
            source = (solutions / f"{module}.py").read_text(encoding="utf-8")
            tree, stub = ast.parse(source), ast.parse(make_stub(source))
        except (OSError, SyntaxError, UnicodeDecodeError, ValueError, MarkerError):
            continue
        signatures[module] = {
            node.name: Signature(*_parameters(node))
            for node in stub.body
            if isinstance(node, ast.FunctionDef)
        }
        constants[module] = {}
        for node in tree.body:
            if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Name):
                        constants[module][target.id] = _literal(node.value)
    return signatures, constants


def _literal(node: ast.expr) -> Any:
    try:
        return ast.literal_eval(node)
    except (ValueError, SyntaxError, TypeError, RecursionError):
        return None


def declared_modules(rubric_data: Any) -> list[str]:
    """The modules a rubric's parts name, read leniently (before validation) to find the solutions."""
    parts = rubric_data.get("parts") if isinstance(rubric_data, Mapping) else None
    if not isinstance(parts, list):
        return []
    return [str(p["module"]) for p in parts if isinstance(p, Mapping) and isinstance(p.get("module"), str)]
