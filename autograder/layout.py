"""Where the project's own folders are, found from this package's location."""

from __future__ import annotations

from pathlib import Path

EXERCISE_MODULES = ("lstm_gates", "lstm_gradients", "lstm_budget")


def project_root() -> Path:
    """The repository root: the folder holding `autograder/`, `solutions/` and `rubric.yaml`."""
    return Path(__file__).resolve().parent.parent


def solutions_dir() -> Path:
    return project_root() / "solutions"


def exercises_dir() -> Path:
    return project_root() / "exercises"
