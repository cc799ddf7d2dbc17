"""The hidden reference solutions, loaded as modules without touching `sys.path` or `sys.modules`."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any


def load_module(path: Path, module_name: str) -> ModuleType:
    """Execute the Python file at `path` as a fresh module called `module_name`."""
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass(frozen=True)
class References:
    """The reference modules of a course, by module name."""

    modules: Mapping[str, ModuleType]

    def function(self, module: str, name: str) -> Callable[..., Any]:
        return getattr(self.modules[module], name)  # type: ignore[no-any-return]

    # The LSTM exercises' three modules, for the variants that build on them.
    @property
    def gates(self) -> ModuleType:
        return self.modules["lstm_gates"]

    @property
    def grads(self) -> ModuleType:
        return self.modules["lstm_gradients"]

    @property
    def budget(self) -> ModuleType:
        return self.modules["lstm_budget"]


def load_references(solutions: Path, modules: Sequence[str]) -> References:
    return References({name: load_module(solutions / f"{name}.py", f"reference_{name}") for name in modules})
