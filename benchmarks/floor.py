"""The floor: the same submissions' student calls, timed alone in one warm process.

    python benchmarks/floor.py PLAN SUBMISSIONS RESULTS START   (run by throughput.py)

One Python process, numpy imported once, no sandbox, no watchdog, no result channel: for each
submission in turn, its modules are imported (as the probe imports them: from the file, on the first
call that needs them) and every call of the grader's plan is made on inputs decoded once, as the
warm sandbox does. What is timed, in processor seconds of this thread: the import of the student's
modules, the student's calls, and apart from both the wire work the warm probe does around them
(copying the inputs, encoding the results). Only the bundled samples are run here, so running them outside a
sandbox is safe; one of them ends its process (`os._exit`): the parent starts a fresh process at
the next submission, and the calls made before the end are kept.

Each call's times go to RESULTS as one JSON line, written as soon as the call returns.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
STAGES = ("import", "calls", "wire_probe")


def timed(action: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, float]:
    """What `action(*args, **kwargs)` returns (or the exception it raised), and the processor
    seconds it took."""
    started = time.thread_time()
    try:
        value = action(*args, **kwargs)
    except BaseException as error:  # a student's exception is a value here
        value = error
    return value, time.thread_time() - started


def copied_inputs(decoded: tuple[Any, Any]) -> tuple[Any, Any]:
    """A call's inputs as the warm probe gives them: one copy of what it decoded once
    (`wire_format.copy_decoded`, as the warm child's decoder makes it)."""
    from autograder.probe import wire_format

    args, kwargs = decoded
    return wire_format.copy_decoded(args), wire_format.copy_decoded(kwargs)


def grade_alone(
    folder: Path, plan: list[dict[str, Any]], inputs: list[tuple[Any, Any]], out: Any, index: int
) -> None:
    """Every planned call on one submission; one line of times per call."""
    from autograder.probe import wire_format
    from autograder.probe.runner import load_student_module

    for name in {call["module"] for call in plan}:
        sys.modules.pop(name, None)
    loaded: dict[str, Any] = {}
    for call, decoded in zip(plan, inputs, strict=True):
        spent = dict.fromkeys(STAGES, 0.0)
        module = call["module"]
        if module not in loaded:
            loaded[module], spent["import"] = timed(load_student_module, str(folder), module)
        target = getattr(loaded[module], call["name"], None)
        value = target
        if call.get("args") is not None:
            (args, kwargs), spent["wire_probe"] = timed(copied_inputs, decoded)
            value, spent["calls"] = timed(target, *args, **kwargs)  # type: ignore[arg-type]
        spent["wire_probe"] += timed(wire_format.encode, value)[1]
        out.write(json.dumps({"index": index, **spent}) + "\n")
        out.flush()


def main() -> None:
    sys.path.insert(0, str(ROOT))
    plan_file, submissions_file, results_file, start = sys.argv[1:5]
    plan = json.loads(Path(plan_file).read_text())
    folders = [Path(line) for line in Path(submissions_file).read_text().splitlines()]
    from autograder.probe import wire_format

    inputs = [
        (wire_format.decode(call["args"]), wire_format.decode(call.get("kwargs") or {"__dict__": {}}))
        if call.get("args") is not None
        else ((), {})
        for call in plan["calls"]
    ]
    warnings.simplefilter("ignore")
    sys.stdout = sys.stderr = io.StringIO()  # what the students print stays here
    with open(results_file, "a", encoding="utf-8") as out:
        for index in range(int(start), len(folders)):
            grade_alone(folders[index], plan["calls"], inputs, out, index)
            sys.stdout.truncate(0)


def floor_seconds(
    plan: list[dict[str, Any]], folders: Sequence[Path], scratch: Path
) -> list[dict[str, float]]:
    """Per submission, the processor seconds of its import, its calls and the probe's wire work,
    measured alone (a fresh process after one that ended itself, from the next submission on)."""
    plan_file, submissions_file, results = (
        scratch / "plan.json",
        scratch / "floor.txt",
        scratch / "floor.jsonl",
    )
    plan_file.write_text(json.dumps({"calls": plan}))
    submissions_file.write_text("".join(f"{folder}\n" for folder in folders))
    results.write_text("")
    start = 0
    while start < len(folders):
        command = [sys.executable, __file__, str(plan_file), str(submissions_file), str(results), str(start)]
        subprocess.run(command, check=False, capture_output=True)
        done = [json.loads(line)["index"] for line in results.read_text().splitlines()]
        start = max(max(done, default=-1) + 1, start + 1)  # past one that ended before any call
    per: list[dict[str, float]] = [dict.fromkeys(STAGES, 0.0) for _ in folders]
    for line in results.read_text().splitlines():
        times = json.loads(line)
        for stage in STAGES:
            per[times["index"]][stage] += times[stage]
    return per


if __name__ == "__main__":
    main()
