"""Gradescope: the autograder bundle (setup.sh, run_autograder) and what runs inside it."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from autograder import layout
from autograder.grading import grade_submission, load_grader
from autograder.results import to_gradescope

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
set -euo pipefail
apt-get update
apt-get install -y python3 python3-venv python3-pip bubblewrap
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install --upgrade pip
/autograder/venv/bin/pip install -e /autograder/source
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission: it grades /autograder/submission and writes
# /autograder/results/results.json. AUTOGRADER_ROOT and AUTOGRADER_PYTHON let a test stand in.
set -uo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
PYTHON="${AUTOGRADER_PYTHON:-$ROOT/venv/bin/python}"
exec "$PYTHON" -m autograder gradescope-run --root "$ROOT"
"""

BUNDLED = ("pyproject.toml", "README.md", "rubric.yaml", "autograder", "solutions", "exercises")


def build_bundle(target: Path) -> Path:
    """The zip to upload as a Gradescope autograder."""
    root = layout.project_root()
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, text in (("setup.sh", SETUP_SH), ("run_autograder", RUN_AUTOGRADER)):
            info = zipfile.ZipInfo(name)
            info.external_attr = 0o100755 << 16
            bundle.writestr(info, text)
        for entry in BUNDLED:
            path = root / entry
            files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
            for file in files:
                if "__pycache__" not in file.parts:
                    bundle.write(file, f"source/{file.relative_to(root)}")
    return target


def find_submission(folder: Path) -> Path:
    """The folder holding the modules (Gradescope may nest uploads one level), or a lone notebook."""
    for candidate in (folder, *sorted(p for p in folder.iterdir() if p.is_dir())):
        if any((candidate / f"{name}.py").is_file() for name in layout.EXERCISE_MODULES):
            return candidate
    notebooks = sorted(folder.rglob("*.ipynb"))
    return notebooks[0] if len(notebooks) == 1 else folder


def run_in_gradescope(root: Path) -> Path:
    """Grade root/submission; always write root/results/results.json, even when grading fails."""
    results = root / "results" / "results.json"
    results.parent.mkdir(parents=True, exist_ok=True)
    try:
        grader = load_grader()
        document = to_gradescope(grade_submission(find_submission(root / "submission"), grader))
    except Exception as error:  # Gradescope must always get a results file
        document = {
            "score": 0,
            "output": f"The autograder failed: {type(error).__name__}: {error}. Please tell your instructor.",
            "tests": [],
        }
    results.write_text(json.dumps(document, indent=1), encoding="utf-8")
    return results
