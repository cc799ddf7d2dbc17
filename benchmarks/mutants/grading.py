"""The grader on the mutants, as an instructor runs it: each mutant becomes a submission folder
(the mutated module beside the two reference modules), and one `autograder batch` grades them all
in parallel; the scores come from the per-student results.json it exports."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from benchmarks.mutants.generate import MODULES


@dataclass(frozen=True)
class Grade:
    score: float  # over the automatic checks (the hand-graded explanation is not counted)
    max_score: float
    lost: tuple[str, ...]  # the automatic checks that lost points
    troubles: tuple[str, ...]  # crashed, hung, hit a limit (from the grader's own summary)

    @property
    def loses_points(self) -> bool:
        return bool(self.lost)


def write_submission(folder: Path, solutions: Path, module: str | None = None, source: str = "") -> Path:
    """A student's folder: the three modules, `module` replaced by `source` (none: the reference)."""
    folder.mkdir(parents=True)
    for name in MODULES:
        target = folder / f"{name}.py"
        if name == module:
            target.write_text(source, encoding="utf-8")
        else:
            shutil.copyfile(solutions / f"{name}.py", target)
    return folder


def grade_all(root: Path, submissions: Path, out: Path, *, jobs: int) -> dict[str, Grade]:
    """`autograder batch SUBMISSIONS` in the course `root`; a Grade per student folder."""
    command = [sys.executable, "-m", "autograder", "batch", str(submissions), "--out", str(out)]
    command += ["--no-progress", "--jobs", str(jobs)]
    done = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"autograder batch failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    return {
        folder.name: read_grade(json.loads((folder / "results.json").read_text(encoding="utf-8")))
        for folder in sorted((out / "feedback").iterdir())
        if (folder / "results.json").is_file()
    }


def read_grade(document: Mapping[str, object]) -> Grade:
    """A Grade from a student's results.json (the Gradescope format `autograder export` writes)."""
    tests = [t for t in document.get("tests", []) if isinstance(t, dict)]  # type: ignore[attr-defined]
    automatic = [t for t in tests if not t.get("extra_data", {}).get("manual", False)]
    extra = document.get("extra_data", {})
    troubles = extra.get("troubles", []) if isinstance(extra, dict) else []
    return Grade(
        score=sum(float(t["score"]) for t in automatic),
        max_score=sum(float(t["max_score"]) for t in automatic),
        lost=tuple(str(t["number"]) for t in automatic if float(t["score"]) < float(t["max_score"])),
        troubles=tuple(str(t) for t in troubles),
    )
