"""Loads the student's modules for the public tests.

By default the modules come from `exercises/` beside `tests/`; `--submission DIR` points the
tests at another folder (the project's own suite uses it to run them on the reference).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--submission",
        default=None,
        help="folder holding lstm_gates.py, lstm_gradients.py, lstm_budget.py (default: exercises/)",
    )


@pytest.fixture(scope="session")
def submission_dir(request: pytest.FixtureRequest) -> Path:
    given = request.config.getoption("--submission")
    return Path(given) if given else Path(__file__).resolve().parents[2] / "exercises"


def _load(folder: Path, name: str) -> ModuleType:
    path = folder / f"{name}.py"
    if not path.is_file():
        pytest.fail(f"{path} does not exist: the tests need your {name}.py there", pytrace=False)
    spec = importlib.util.spec_from_file_location(f"student_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as error:  # a student's module may fail in any way on import
        pytest.fail(f"importing {path} failed: {type(error).__name__}: {error}", pytrace=False)
    return module


@pytest.fixture(scope="session")
def gates(submission_dir: Path) -> ModuleType:
    return _load(submission_dir, "lstm_gates")


@pytest.fixture(scope="session")
def grads(submission_dir: Path) -> ModuleType:
    return _load(submission_dir, "lstm_gradients")


@pytest.fixture(scope="session")
def budget(submission_dir: Path) -> ModuleType:
    return _load(submission_dir, "lstm_budget")
