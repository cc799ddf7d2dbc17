"""What the command line says, and which exit code it gives, for an error a command raised.

Each command imports what it needs when it runs (`autograder grade` never loads the gradebook or the
authoring tools), so an error class is looked up only among the modules already loaded: an error
can come from no other.
"""

from __future__ import annotations

import sys

USAGE_ERRORS = (
    ("autograder.authoring.stubs", "MarkerError"),
    ("autograder.rubric.model", "RubricError"),
    ("autograder.course", "CourseError"),
    ("autograder.classroom.gradebook", "GradebookError"),
    ("autograder.classroom.manual_grades", "ManualGradeError"),
)
SUBMISSION_ERRORS = (("autograder.grading.grader", "SubmissionError"),)
SANDBOX_ERRORS = (("autograder.sandbox.probe_run", "SandboxError"),)


def loaded(classes: tuple[tuple[str, str], ...]) -> tuple[type[BaseException], ...]:
    """Those of the (module, class name) pairs whose module is loaded."""
    return tuple(getattr(sys.modules[module], name) for module, name in classes if module in sys.modules)


def said(error: Exception) -> tuple[int, str] | None:
    """The exit code and the one line for `error`; None for an error that is a bug (a traceback)."""
    if isinstance(error, loaded(USAGE_ERRORS)):
        return 2, str(error)
    if isinstance(error, loaded(SUBMISSION_ERRORS)):
        return 3, str(error)
    if isinstance(error, loaded(SANDBOX_ERRORS)):
        return 4, f"{error} (use --no-sandbox to grade without bubblewrap)"
    if isinstance(error, OSError):  # an output that cannot be written: a read-only folder, a full disk
        return 2, os_error_text(error)
    return None


def os_error_text(error: OSError) -> str:
    """The error in one line: "PATH: No space left on device", or its own message."""
    if error.filename is not None and error.strerror:
        return f"{error.filename}: {error.strerror}"
    return " ".join(str(error).split())
