"""Load the hidden reference solutions as modules, without touching `sys.path` or `sys.modules`."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from autograder import layout


def load_module(path: Path, module_name: str) -> ModuleType:
    """Execute the Python file at `path` as a fresh module called `module_name`."""
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_reference(name: str, solutions: Path | None = None) -> ModuleType:
    """The reference module `name` (one of layout.EXERCISE_MODULES)."""
    if name not in layout.EXERCISE_MODULES:
        raise ValueError(f"unknown exercise module {name!r}; expected one of {layout.EXERCISE_MODULES}")
    folder = layout.solutions_dir() if solutions is None else solutions
    return load_module(folder / f"{name}.py", f"reference_{name}")
