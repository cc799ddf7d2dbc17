"""Each student's code as the similarity check reads it: the exercise modules of a submission
folder, or of a notebook read as those modules, through the same boundary as grading (no link
followed, bounded reads, a notebook's shape checked). A submission that cannot be read is left
out of the comparison with its reason, never the check's end."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from autograder.classroom.intake import Submission
from autograder.grading.grader import SubmissionError
from autograder.sandbox.staging import read_module


@dataclass(frozen=True)
class Program:
    """One student's modules, by name (missing ones left out), as text."""

    student: str
    sources: Mapping[str, str]
    content_hash: str  # the submission's, as the gradebook keys it (without the grading fingerprint)


def read_program(
    submission: Submission, parts: Sequence[tuple[str, str]], contract: Mapping[str, Sequence[str]]
) -> Program | str:
    """The submission's program, or why it cannot be read. `parts` are the rubric's (part id,
    module) and `contract` its module -> public names, as a notebook is read by them."""
    modules = [module for _, module in parts]
    if submission.problem:
        return submission.problem
    digest = submission.content_hash.split("-")[0]
    if submission.path.is_dir():
        return _folder_program(submission.student, submission.path, modules, digest)
    from autograder.platforms.notebook_submissions import submission_from_notebook

    with tempfile.TemporaryDirectory(prefix="similarity-") as scratch:
        try:
            folder = submission_from_notebook(submission.path, Path(scratch), parts, contract)
        except SubmissionError as error:
            return f"not a readable notebook: {error}"
        return _folder_program(submission.student, folder, modules, digest)


def _folder_program(student: str, folder: Path, modules: Sequence[str], digest: str) -> Program | str:
    sources: dict[str, str] = {}
    for module in modules:
        data = read_module(folder / f"{module}.py")
        if isinstance(data, bytes):
            sources[module] = data.decode("utf-8")
        elif isinstance(data, str):
            return f"{module}.py: {data}"
    if not sources:
        return "none of the exercise modules is there"
    return Program(student, sources, digest)
