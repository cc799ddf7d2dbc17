"""The public tests (tests/public) run inside a student's notebook: numpy only, no pytest, no
autograder. The notebook embeds this file's source and the public tests' sources in one locked
cell; each check cell then calls `run_public_checks`, which prints the same "got X, expected Y"
messages and hints as `pytest tests/public` and fails the cell when a public check fails. The
notebook's names stand in for the modules (a notebook shares one namespace across its cells).
This module imports nothing of the grader: it must work where only numpy is installed.
"""

from __future__ import annotations

import inspect
import sys
import types
from collections.abc import Callable, Iterator, Mapping
from typing import Any


class PublicCheckError(AssertionError):
    """What `pytest.fail` raises in the notebook."""


def _fail(message: str, pytrace: bool = True) -> None:
    raise PublicCheckError(message)


def _fixture(function: Any = None, **_: Any) -> Any:
    def mark(target: Any) -> Any:
        target.public_fixture = True
        return target

    return mark(function) if callable(function) else mark


def _parametrize(names: Any, values: Any, **_: Any) -> Callable[[Any], Any]:
    def mark(target: Any) -> Any:
        target.public_parameters = [*getattr(target, "public_parameters", []), (names, list(values))]
        return target

    return mark


def stand_in_pytest() -> types.ModuleType:
    """The few parts of pytest the public tests use."""
    module = types.ModuleType("pytest")
    module.fail = _fail  # type: ignore[attr-defined]
    module.fixture = _fixture  # type: ignore[attr-defined]
    module.mark = types.SimpleNamespace(parametrize=_parametrize)  # type: ignore[attr-defined]
    module.FixtureRequest = module.Parser = object  # type: ignore[attr-defined]
    return module


def load(name: str, source: str) -> types.ModuleType:
    module = types.ModuleType(name)
    sys.modules[name] = module
    exec(compile(source, f"<public {name}>", "exec"), module.__dict__)
    return module


def _shown(value: Any) -> str:
    return (
        str(value)
        if isinstance(value, str | int | float)
        else getattr(value, "__name__", type(value).__name__)
    )


def _cases(function: Any) -> Iterator[tuple[dict[str, Any], str]]:
    """Each set of parametrized arguments of a test, with its label."""
    combos: list[tuple[dict[str, Any], str]] = [({}, "")]
    for names, values in getattr(function, "public_parameters", []):
        keys = [n.strip() for n in names.split(",")] if isinstance(names, str) else list(names)
        rows = [v if len(keys) > 1 else (v,) for v in values]
        combos = [
            ({**given, **dict(zip(keys, row, strict=True))}, f"{label}[{'-'.join(map(_shown, row))}]")
            for given, label in combos
            for row in rows
        ]
    yield from combos


def _arguments(function: Any, given: dict[str, Any], tests: types.ModuleType, student: Any) -> dict[str, Any]:
    arguments = {}
    for name in inspect.signature(function).parameters:
        fixture = getattr(tests, name, None)
        if name in given:
            arguments[name] = given[name]
        elif callable(fixture) and getattr(fixture, "public_fixture", False):
            arguments[name] = fixture()
        else:  # gates, grads, budget: the notebook's own names
            arguments[name] = student
    return arguments


def run_public_checks(
    sources: Mapping[str, str], test_module: str, namespace: Mapping[str, Any], only: str = ""
) -> int:
    """Run one public test module (its tests naming `only`, if any do) against the notebook's names;
    print a line per failed check; raise AssertionError (the cell fails) if any failed. Returns how
    many passed."""
    saved = {name: sys.modules.get(name) for name in ("pytest", "public_support")}
    sys.modules["pytest"] = stand_in_pytest()
    try:
        load("public_support", sources["public_support"])
        tests = load(test_module, sources[test_module])
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module
    student = types.SimpleNamespace(**namespace)
    passed, failed = 0, []
    chosen = [n for n in vars(tests) if n.startswith("test_") and only and only in n]
    for name, function in vars(tests).items():
        if not name.startswith("test_") or not callable(function) or (chosen and name not in chosen):
            continue
        for given, label in _cases(function):
            try:
                function(**_arguments(function, given, tests, student))
                passed += 1
            except Exception as error:  # a failed check, or the student's code failing in it
                shown = (
                    str(error) if isinstance(error, PublicCheckError) else f"{type(error).__name__}: {error}"
                )
                failed.append(f"✗ {name}{label}: {shown}")
    print(f"public checks of {test_module}: {passed} passed, {len(failed)} failed")
    for line in failed:
        print(line)
    if failed:
        raise AssertionError(f"{len(failed)} public check(s) failed: see the lines above")
    return passed
