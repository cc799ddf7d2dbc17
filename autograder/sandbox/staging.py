"""What a probe gets to see: a copy of the submission's exercise modules and of the probe's own
files, readable by the unprivileged user the student code runs as."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Sequence
from pathlib import Path

PROBE_PACKAGE = Path(__file__).resolve().parent.parent / "probe"
RUNNER_FILES = (
    "wire_format.py",
    "progress.py",
    "runner.py",
    "warm_runner.py",
    "tracebacks.py",
    "strays.py",
)  # all the probe imports of ours: stdlib and numpy besides
MAX_SOURCE_BYTES = 1_000_000
# The first line of a stand-in for a module a zip could not give (classroom/intake.py): the module
# is unusable for the reason that follows. A student writing it harms only their own module.
STAND_IN = b"# autograder stand-in: "


def write_stand_in(target: Path, reason: str) -> bool:
    """A module a zip could not give (classroom/intake.py) becomes a stand-in that `read_module`
    reads as unusable for the reason: only its checks fail, saying why. False for a file that is not
    a module or that exists, or if it cannot be written."""
    try:
        if target.suffix != ".py" or target.exists():
            return False
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(STAND_IN + reason.encode("utf-8") + b"\n")
    except OSError:
        return False
    return True


def read_module(source: Path) -> bytes | str | None:
    """The bytes of a submitted module, or why it cannot be used, or None when it is missing.

    Opened without following a link (the file itself, or the submission folder holding it), read
    from the descriptor that was checked to be a regular file, and never more than the size limit,
    so neither a link to the reference nor a huge sparse file gets further than this."""
    if source.parent.is_symlink():
        return "the submission folder is a symbolic link"
    try:
        fd = os.open(source, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        return None
    except OSError as error:
        return (
            "it is a symbolic link" if error.errno == errno.ELOOP else f"it cannot be read ({error.strerror})"
        )
    with os.fdopen(fd, "rb") as opened:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return "it is not a regular file"
        data = opened.read(MAX_SOURCE_BYTES + 1)
    if len(data) > MAX_SOURCE_BYTES:
        return f"it is larger than {MAX_SOURCE_BYTES} bytes"
    if data.startswith(STAND_IN):
        return data[len(STAND_IN) :].decode("utf-8", errors="replace").strip()[:500]
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        return f"it is not UTF-8 text (byte {error.start})"
    return data


def stage_submission(submission: Path, target: Path, modules: Sequence[str]) -> dict[str, str]:
    """Copy the modules' files (`NAME.py`) into `target`; return, by module name, why any file
    present was not used.

    A file that cannot be used is replaced by one line raising ImportError with the reason, so
    the checks that need it fail saying why. A missing file stays missing.
    """
    bad = [name for name in modules if not name.isidentifier()]
    if bad:
        raise ValueError(f"not module names: {bad!r}")
    target.mkdir(parents=True)
    unusable: dict[str, str] = {}
    for name in modules:
        content = read_module(submission / f"{name}.py")
        if isinstance(content, str):
            unusable[name] = content
            message = f"{name}.py was not used: {content}"
            (target / f"{name}.py").write_text(f"raise ImportError({message!r})\n", encoding="utf-8")
        elif content is not None:
            (target / f"{name}.py").write_bytes(content)
    return unusable


def stage_runner(target: Path) -> Path:
    """A copy of the probe's own files as `autograder/probe/` (empty package files, nothing else
    of the grader: no rubric, no reference, no checks). Returns the runner script."""
    package = target / "autograder" / "probe"
    package.mkdir(parents=True)
    (target / "autograder" / "__init__.py").write_text("", encoding="utf-8")
    (package / "__init__.py").write_text("", encoding="utf-8")
    for name in RUNNER_FILES:
        (package / name).write_text((PROBE_PACKAGE / name).read_text(encoding="utf-8"), encoding="utf-8")
    return package / "runner.py"


def make_readable(top: Path) -> None:
    """Folders 0755 and files 0644 under `top`, for the unprivileged probe."""
    top.chmod(0o755)
    for path in top.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
