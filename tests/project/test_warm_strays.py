"""The stray check between two calls of a warm sandbox's child: its one-question common case (no
other process in the pid namespace) and its guarantee (nothing a call started, orphaned or not,
is alive when the next call starts; nothing is left after the submission)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import PROJECT, start_warm_sandbox

from autograder.course import open_course
from autograder.grading.grader import Grader, load_grader
from autograder.sandbox import WarmSandbox

MARKER = "4242.7319"  # the sleepers' argument: seconds, and a name to find them by

ORPHAN_MAKER = f"""

def weight_shapes(*args, **kwargs):
    import os
    if os.fork() == 0:  # the middle process: starts the sleeper, then leaves it an orphan
        if os.fork() == 0:
            os.execv("/usr/bin/sleep", ["sleep", "{MARKER}"])
        os._exit(0)
    os.wait()
    return {{}}


def num_parameters(*args, **kwargs):
    import os
    try:
        os.kill(-1, 0)
    except ProcessLookupError:
        return -2  # alone in the namespace
    for pid in os.listdir("/proc"):
        try:
            if "{MARKER}" in open(f"/proc/{{pid}}/cmdline").read():
                return 42240  # the sleeper of the last call is still alive
        except OSError:
            pass
    return -1
"""


@pytest.fixture(scope="module")
def grader() -> Grader:
    return load_grader(open_course(PROJECT))


@pytest.fixture(scope="module")
def warm(grader: Grader) -> Iterator[WarmSandbox]:
    sandbox = start_warm_sandbox(grader)
    yield sandbox
    sandbox.close()


def plan_entries(grader: Grader, name: str, count: int) -> list[dict[str, Any]]:
    """The first `count` calls of function `name` in the grader's plan (each with its own id)."""
    calls = [call for call in grader.plan if call["name"] == name and call.get("args") is not None]
    assert len(calls) >= count
    return calls[:count]


def live_sleepers() -> list[str]:
    """Processes on the whole machine running the sleeper, zombies aside."""
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                cmdline = Path(f"/proc/{entry.name}/cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if MARKER in cmdline:
                found.append(f"{entry.name}: {cmdline}")
    return found


def submission(tmp_path: Path) -> Path:
    folder = tmp_path / "orphans"
    shutil.copytree(PROJECT / "examples" / "submissions" / "full_marks_reference", folder)
    with (folder / "lstm_budget.py").open("a", encoding="utf-8") as module:
        module.write(ORPHAN_MAKER)
    return folder


def values(warm: WarmSandbox, grader: Grader, folder: Path, calls: list[dict[str, Any]]) -> list[Any]:
    run = warm.probe(folder, calls, grader.rubric.modules)
    return [run.outcomes[call["id"]].get("value") for call in calls]


def test_a_call_alone_sees_no_other_process(tmp_path: Path, grader: Grader, warm: WarmSandbox) -> None:
    """The runner is the namespace's init: a child that started nothing is alone, and the stray
    check after its calls is one kill(-1, 0)."""
    calls = plan_entries(grader, "num_parameters", 2)
    assert values(warm, grader, submission(tmp_path), calls) == [-2, -2]


def test_an_orphan_a_call_left_is_gone_before_the_next_call(
    tmp_path: Path, grader: Grader, warm: WarmSandbox
) -> None:
    calls = [*plan_entries(grader, "weight_shapes", 1), *plan_entries(grader, "num_parameters", 2)]
    found = values(warm, grader, submission(tmp_path), calls)
    assert found[0] == {"__dict__": {}}
    assert found[1:] in ([-1, -1], [-1, -2], [-2, -2]), "the sleeper outlived the call that started it"
    assert live_sleepers() == []
