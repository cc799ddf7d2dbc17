"""One warm sandbox grades one student after another: nothing one leaves behind reaches the next.
The red team's attacks on the sandbox's cleanup and on the memory every child inherits: a daemon
that kills its own child and then stops (or kills) every process of the unprivileged user, which
once hung the grader forever or zeroed the next student; a student who scans the memory it
inherited for the previous student's printed text, which the runner once parsed there."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import PROJECT

from autograder.grading.grader import Grader, grade_submission
from autograder.sandbox import WarmSandbox

REFERENCE = PROJECT / "examples" / "submissions" / "full_marks_reference"

DAEMON = """

import os as _os, signal as _signal, time as _time
def _daemon():
    if _os.fork():
        return
    _os.setsid()
    if _os.fork():
        _os._exit(0)
    try:
        _os.kill(-1, _signal.SIGKILL)  # this submission's own child, before its stray check
    except OSError:
        pass
    end = _time.monotonic() + 60
    while _time.monotonic() < end:
        try:
            _os.kill(-1, _signal.{signal})  # every other process of the unprivileged user
        except OSError:
            pass
    _os._exit(0)
_daemon()
_time.sleep(1.0)
"""

SECRET = "SECRET-ALICE-" + "answer-key-4f2a9c"
OWNER = '\n\nprint("SECRET-ALICE-" + "answer-key-4f2a9c")\n'
READER = """

def _scan():
    import ctypes, re
    marker = "".join(["SECRET", "-ALICE-"]).encode()
    found = set()
    for line in open("/proc/self/maps"):
        fields = line.split()
        if len(fields) < 2 or not fields[1].startswith("rw"):
            continue
        start, end = (int(x, 16) for x in fields[0].split("-"))
        if end - start > 512 * 1024 * 1024:
            continue
        try:
            data = ctypes.string_at(start, end - start)
        except Exception:
            continue
        at = data.find(marker)
        while at >= 0 and len(found) < 5:
            text = re.match(rb"[A-Za-z0-9-]+", data[at : at + 60]).group().decode()
            if len(text) > len(marker):
                found.add(text)
            at = data.find(marker, at + 1)
    return sorted(found)


_LEAKED = _scan()
_original_sigmoid = sigmoid


def sigmoid(x):  # noqa: F811
    if _LEAKED:
        raise RuntimeError("read from the previous submission: " + " | ".join(_LEAKED))
    return _original_sigmoid(x)
"""


def submission(tmp_path: Path, name: str, added: str) -> Path:
    folder = tmp_path / name
    shutil.copytree(REFERENCE, folder)
    with (folder / "lstm_gates.py").open("a", encoding="utf-8") as module:
        module.write(added)
    return folder


def score(path: Path, grader: Grader, warm: WarmSandbox) -> float:
    result = grade_submission(path, grader, warm=warm)
    return sum(outcome.score for outcome in result.outcomes)


def full_marks(grader: Grader) -> float:
    return sum(check.points for check in grader.rubric.checks if not check.manual)


@pytest.mark.parametrize("signal", ["SIGSTOP", "SIGKILL"])
def test_a_daemon_that_stops_or_kills_the_cleanup_never_reaches_the_next_student(
    tmp_path: Path, grader: Grader, fresh_warm_sandbox: WarmSandbox, signal: str
) -> None:
    warm = fresh_warm_sandbox
    attacker = submission(tmp_path, "attacker", DAEMON.format(signal=signal))
    score(attacker, grader, warm)  # returns: the cleanup cannot be stopped by the daemon
    for _ in range(2):
        assert score(REFERENCE, grader, warm) == full_marks(grader)


def test_a_child_cannot_read_the_previous_students_output_in_the_memory_it_inherits(
    tmp_path: Path, grader: Grader, fresh_warm_sandbox: WarmSandbox
) -> None:
    warm = fresh_warm_sandbox
    owner, reader = submission(tmp_path, "owner", OWNER), submission(tmp_path, "reader", READER)
    for _ in range(2):
        score(owner, grader, warm)
        result = grade_submission(reader, grader, warm=warm)
        said = repr(result)
        assert SECRET not in said and "read from the previous submission" not in said
        assert sum(outcome.score for outcome in result.outcomes) == full_marks(grader)
