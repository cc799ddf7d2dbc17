"""Gradescope: the autograder bundle (setup.sh, run_autograder) and what runs inside it."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from autograder.course import Course
from autograder.grading.grader import (
    SubmissionError,
    grade_or_fail,
    grader_failure_result,
    load_grader,
    unusable_submission_result,
)
from autograder.reports.gradescope import to_gradescope

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
set -euo pipefail
apt-get update
apt-get install -y python3 python3-venv python3-pip bubblewrap
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install --upgrade pip
/autograder/venv/bin/pip install /autograder/source  # a plain install: the course is passed in
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission: it grades /autograder/submission and writes
# /autograder/results/results.json. AUTOGRADER_ROOT and AUTOGRADER_PYTHON let a test stand in.
set -uo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
PYTHON="${AUTOGRADER_PYTHON:-$ROOT/venv/bin/python}"
exec "$PYTHON" -m autograder --course "$ROOT/source" gradescope-run --root "$ROOT"
"""

BUNDLED = ("pyproject.toml", "README.md", "rubric.yaml", "autograder", "solutions", "exercises")
# the package and the course (rubric, reference, stubs) in one folder, /autograder/source


def build_bundle(target: Path, course: Course) -> Path:
    """The zip to upload as a Gradescope autograder: this package's source and the course beside it."""
    package = Path(__file__).resolve().parents[1]
    sources = {"autograder": package, "pyproject.toml": package.parent / "pyproject.toml"}
    for entry in ("README.md", "rubric.yaml", "solutions", "exercises"):
        sources[entry] = course.root / entry
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, text in (("setup.sh", SETUP_SH), ("run_autograder", RUN_AUTOGRADER)):
            info = zipfile.ZipInfo(name)
            info.external_attr = 0o100755 << 16
            bundle.writestr(info, text)
        for entry, path in sources.items():
            files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
            for file in files:
                if "__pycache__" not in file.parts and not file.is_symlink():
                    relative = entry if file == path else f"{entry}/{file.relative_to(path)}"
                    bundle.write(file, f"source/{relative}")
    return target


def find_submission(folder: Path, modules: tuple[str, ...]) -> Path:
    """The folder holding the modules (Gradescope may nest uploads one level), or a lone notebook.
    Links are never followed: a linked folder or file is not the student's upload."""
    if folder.is_symlink() or not folder.is_dir():
        return folder
    nested = sorted(p for p in folder.iterdir() if p.is_dir() and not p.is_symlink())
    for candidate in (folder, *nested):
        if any((candidate / f"{name}.py").is_file() for name in modules):
            return candidate
    notebooks = sorted(p for p in folder.glob("*.ipynb") if not p.is_symlink())
    notebooks += sorted(p for sub in nested for p in sub.glob("*.ipynb") if not p.is_symlink())
    return notebooks[0] if len(notebooks) == 1 else folder


def run_in_gradescope(root: Path, course: Course | None) -> Path:
    """Grade root/submission; always write root/results/results.json, even when grading fails."""
    results = root / "results" / "results.json"
    results.parent.mkdir(parents=True, exist_ok=True)
    rubric = None
    try:
        if course is None:
            raise RuntimeError("no course folder beside the autograder (expected /autograder/source)")
        grader = load_grader(course)
        rubric = grader.rubric
        result = grade_or_fail(find_submission(root / "submission", rubric.modules), grader)
    except SubmissionError as error:
        result = unusable_submission_result("submission", rubric, str(error))
    except Exception as error:  # Gradescope must always get a results file
        result = grader_failure_result("submission", rubric, error)
    results.write_text(json.dumps(to_gradescope(result), indent=1), encoding="utf-8")
    return results
