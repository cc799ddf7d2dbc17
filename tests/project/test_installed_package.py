"""The package works installed, not only as an editable checkout: a plain (non-editable) install
grades the course in the current directory, and without a course it says so in one line."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PROJECT


def tracked_files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    if listed.returncode != 0:  # not a git checkout: everything but the virtual environment
        return [
            str(p.relative_to(PROJECT))
            for p in PROJECT.rglob("*")
            if p.is_file() and ".venv" not in p.parts and ".git" not in p.parts
        ]
    return [name for name in listed.stdout.split("\0") if name]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The package as `pip install .` puts it (a wheel's contents), in a folder of its own."""
    scratch = tmp_path_factory.mktemp("install")
    source = scratch / "source"
    for name in tracked_files():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(PROJECT / name, source / name)
    target = scratch / "site"
    command = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation"]
    result = subprocess.run(
        [*command, "--target", str(target), str(source)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert not (target / "autograder" / "__editable__").exists()
    return target


def run_installed(site: Path, cwd: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    # -P: the current directory is not put on sys.path, so a checkout there cannot stand in
    code = "import sys, autograder.cli as c; print(c.__file__, file=sys.stderr); sys.exit(c.main())"
    return subprocess.run(
        [sys.executable, "-P", "-c", code, *arguments],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(site)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_plain_install_grades_from_the_checkout_root(installed: Path) -> None:
    sample = "examples/submissions/full_marks_reference"
    result = run_installed(installed, PROJECT, "grade", sample, "--format", "json")
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stderr.splitlines()[0].startswith(str(installed)), "the checkout was imported"
    document = json.loads(result.stdout)
    assert document["score"] == document["max_score"] > 0


def test_outside_a_course_it_is_one_line_saying_so(installed: Path, tmp_path: Path) -> None:
    result = run_installed(
        installed, tmp_path, "grade", str(PROJECT / "examples" / "submissions" / "material_answer")
    )
    assert result.returncode == 2
    (line,) = result.stderr.splitlines()[1:]
    assert "not a course folder" in line and "--course" in line
