"""Fixtures for the project's own tests: the course (this checkout), its grader and the reference
modules, loaded once."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from autograder.course import Course, open_course
from autograder.grading.grader import Grader, load_grader
from autograder.sandbox import WarmSandbox, bubblewrap_available

PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def course() -> Course:
    return open_course(PROJECT)


@pytest.fixture(scope="session")
def grader(course: Course) -> Grader:
    return load_grader(course)


@pytest.fixture(scope="session")
def ref_gates(grader: Grader) -> ModuleType:
    return grader.ground.references.gates


@pytest.fixture(scope="session")
def ref_grads(grader: Grader) -> ModuleType:
    return grader.ground.references.grads


@pytest.fixture(scope="session")
def ref_budget(grader: Grader) -> ModuleType:
    return grader.ground.references.budget


def copy_course(target: Path) -> Course:
    """A copy of this course's authored files (rubric, README, solutions, stubs, public tests) to edit."""
    target.mkdir(parents=True, exist_ok=True)
    for name in ("rubric.yaml", "README.md"):
        shutil.copy(PROJECT / name, target / name)
    for folder in ("solutions", "exercises", "tests/public"):
        shutil.copytree(PROJECT / folder, target / folder, ignore=shutil.ignore_patterns("__pycache__"))
    return open_course(target)


@pytest.fixture
def course_copy(tmp_path: Path) -> Course:
    return copy_course(tmp_path / "course")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens", action="store_true", help="rewrite tests/project/goldens/ from the current grader"
    )


def start_warm_sandbox(grader: Grader) -> WarmSandbox:
    """A warm sandbox with the grader's limits (root and bubblewrap, as CI has; a failure otherwise)."""
    if os.geteuid() != 0 or not bubblewrap_available():
        pytest.fail("the warm sandbox needs root and bubblewrap (CI has both)")
    return WarmSandbox(grader.limits)


@pytest.fixture()
def fresh_warm_sandbox(grader: Grader) -> Iterator[WarmSandbox]:
    """A warm sandbox of its own for one test."""
    sandbox = start_warm_sandbox(grader)
    yield sandbox
    sandbox.close()
