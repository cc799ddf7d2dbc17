"""Fixtures for the project's own tests: the reference modules, loaded once."""

from __future__ import annotations

from types import ModuleType

import pytest

from autograder.reference import load_reference


@pytest.fixture(scope="session")
def ref_gates() -> ModuleType:
    return load_reference("lstm_gates")


@pytest.fixture(scope="session")
def ref_grads() -> ModuleType:
    return load_reference("lstm_gradients")


@pytest.fixture(scope="session")
def ref_budget() -> ModuleType:
    return load_reference("lstm_budget")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens", action="store_true", help="rewrite tests/project/goldens/ from the current grader"
    )
