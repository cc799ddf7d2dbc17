"""The only place student code runs: a separate, limited process (see sandbox.py).

    python -I runner.py SUBMISSION_DIR RESULT_FD [LIBRARY_DIR ...] < plan.json

The plan lists calls: {"id", "module", "name", "args", "kwargs", "timeout"}; "name" is a function
to call, or with "args" null an attribute to read; a call with "sweep" (a list of keyword-argument
dicts) calls the function at each, for diagnosis. Each outcome is written as one JSON line to
RESULT_FD, a file the grader opened, never stdout: what the student prints goes to a bounded buffer
(and file descriptors 1 and 2 point at /dev/null), so printing cannot forge a result. The plan
holds inputs only: expected values never enter this process.
"""

from __future__ import annotations

import builtins
import contextlib
import importlib.util
import io
import json
import os
import signal
import sys
import time
import warnings
from collections.abc import Callable
from types import FrameType, ModuleType
from typing import Any

if __name__ == "__main__":  # inside the sandbox: find our own package, then numpy
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    sys.path.extend(sys.argv[4:] if sys.argv[1:2] == ["--serve"] else sys.argv[3:])

from autograder.probe import tracebacks, wire_format
from autograder.probe.strays import UNPRIVILEGED, end_strays

OUTPUT_LIMIT = 4096


class CallTimeout(BaseException):
    """Raised by the alarm inside a call that runs past its time."""


class BoundedBuffer(io.StringIO):
    """Keeps only the first OUTPUT_LIMIT characters a student prints."""

    def write(self, text: str) -> int:
        room = OUTPUT_LIMIT - self.tell()
        if room > 0:
            super().write(text[:room])
        return len(text)


class MissingNameError(AttributeError):
    """The submission does not define a name the plan asks for (or lacks the whole module)."""


# Captured before any student code runs, and compared by identity: an exception class the student
# defines with a built-in's name is not that built-in.
BUILTIN_EXCEPTIONS = tuple(
    value for value in vars(builtins).values() if isinstance(value, type) and issubclass(value, BaseException)
)


def error_kind(error: BaseException) -> str:
    """What the grader should make of an exception (it affects only this call's own outcome)."""
    if isinstance(error, CallTimeout):
        return "timeout"
    if isinstance(error, MissingNameError):
        return "missing"
    if isinstance(error, NotImplementedError):
        return "not_implemented"
    if isinstance(error, MemoryError):
        return "limit"
    return "raised"


BUILTIN_EXCEPTION_IDS = frozenset(map(id, BUILTIN_EXCEPTIONS))  # the classes live as long as the process


def lineage(error: BaseException) -> str:
    """The built-in exception classes `error` is an instance of, most specific first."""
    return ",".join(cls.__name__ for cls in type(error).__mro__ if id(cls) in BUILTIN_EXCEPTION_IDS)


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    raise CallTimeout


def load_student_module(folder: str, name: str) -> ModuleType:
    path = os.path.join(folder, f"{name}.py")
    if not os.path.isfile(path):
        raise MissingNameError(f"{name}.py is missing from the submission")
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # so that lstm_gradients may `import lstm_gates`
    spec.loader.exec_module(module)
    return module


def _text_of(render: Callable[[], Any], limit: int, keep_end: bool = False) -> str:
    """What a student's object says of itself, cut to `limit` characters (its text may be huge,
    or not a str, or raise)."""
    try:
        text = render()
    except BaseException:
        return "<could not be shown>"
    if type(text) is not str:
        return "<could not be shown>"
    return text[-limit:] if keep_end else text[:limit]


def describe_error(error: BaseException) -> dict[str, str]:
    """The error of one call, every field cut short (the grader bounds them again)."""

    def formatted() -> str:
        lines = tracebacks.format_exception(error)
        return "".join(line for line in lines if "autograder/probe/runner.py" not in line)

    return {
        "type": _text_of(lambda: type(error).__name__, 200),
        "kind": error_kind(error),
        "lineage": lineage(error),
        "message": _text_of(lambda: str(error), 500),
        "traceback": _text_of(formatted, 1500, keep_end=True),
    }


def timeout_error(message: str) -> dict[str, str]:
    return {"type": "Timeout", "kind": "timeout", "lineage": "", "message": message, "traceback": ""}


Lookup = Callable[[str, str], Any]  # (module, name) -> the student's object


def module_lookup(folder: str) -> Lookup:
    """Find names in the submission's modules, importing each on first use (inside a call, so an
    import that crashes or hangs is that call's outcome)."""
    modules: dict[str, Any] = {}

    def lookup(module_name: str, name: str) -> Any:
        if module_name not in modules:
            try:
                modules[module_name] = load_student_module(folder, module_name)
            except BaseException as error:
                modules[module_name] = error
        module = modules[module_name]
        if isinstance(module, MissingNameError | CallTimeout):
            raise module  # a missing module, or an import that ran past its time: said as such
        if isinstance(module, BaseException):
            raise ImportError(f"importing {module_name}.py failed: {type(module).__name__}: {module}")
        try:
            return getattr(module, name)
        except AttributeError:
            raise MissingNameError(f"{module_name}.py does not define {name}") from None

    return lookup


def run_call(call: dict[str, Any], lookup: Lookup) -> dict[str, Any]:
    """Run one planned call; its outcome (value or error) as plain data."""
    started = time.perf_counter()
    captured = BoundedBuffer()
    saved = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = captured
    outcome: dict[str, Any] = {"id": call["id"]}
    signal.setitimer(signal.ITIMER_REAL, float(call["timeout"]))
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            target = lookup(call["module"], call["name"])
            if call.get("sweep") is not None:
                value = run_sweep(target, wire_format.decode(call["sweep"]))
            elif call.get("args") is None:
                value = target
            else:
                args = wire_format.decode(call["args"])  # a fresh value each time: the call's own
                kwargs = wire_format.decode(call.get("kwargs") or {"__dict__": {}})
                value = target(*args, **kwargs)
            encoded = wire_format.encode(value)
        signal.setitimer(signal.ITIMER_REAL, 0)
        outcome.update(ok=True, value=encoded, warnings=[str(w.message)[:200] for w in caught[:5]])
    except CallTimeout:
        outcome.update(ok=False, error=timeout_error(wire_format.TIME_LIMIT_PASSED))
    except BaseException as error:
        signal.setitimer(signal.ITIMER_REAL, 0)
        outcome.update(ok=False, error=describe_error(error))
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        sys.stdout, sys.stderr = saved
    outcome["stdout"] = captured.getvalue()
    outcome["seconds"] = round(time.perf_counter() - started, 4)
    return outcome


def run_sweep(target: Callable[..., Any], points: list[Any]) -> list[Any]:
    """A diagnostic sweep: the same function at many keyword arguments, under one time limit.
    Each point gives ["ok", value] or ["error", kind]; a point's value that the wire cannot carry
    is that point's error, not the sweep's."""
    found: list[Any] = []
    for kwargs in points:
        try:
            value = target(**kwargs)  # each point decoded apart: its values are its own
            wire_format.encode(value)
            found.append(["ok", value])
        except Exception as error:
            found.append(["error", error_kind(error)])
    return found


def install_alarm() -> Any:
    """Make SIGALRM raise CallTimeout; returns the previous handler."""
    return signal.signal(signal.SIGALRM, _on_alarm)


# Imported before dropping root: outside bubblewrap the runtime may sit where nobody cannot read.
PRELOADED = (
    *("math", "cmath", "decimal", "fractions", "itertools", "functools", "collections", "heapq"),
    *("bisect", "array", "typing", "dataclasses", "enum", "numbers", "operator", "copy", "random"),
    *("statistics", "string", "re", "textwrap", "time", "json"),
    *("numpy.typing", "numpy.linalg", "numpy.random", "numpy.fft"),
)


def preload() -> None:
    for name in PRELOADED:
        importlib.import_module(name)


def become_unprivileged() -> None:
    os.setgroups([])
    os.setgid(UNPRIVILEGED)
    os.setuid(UNPRIVILEGED)


KEY_SPEC_USER_KEYRING, KEY_SPEC_USER_SESSION_KEYRING, KEYCTL_CLEAR = -4, -5, 7
PR_SET_DUMPABLE = 4
MS_NOSUID, MS_NODEV, MS_REMOUNT = 2, 4, 32
TMP_INODES = 4096  # files and folders in the private /tmp


def c_library() -> Any:
    """The C library, with the functions the probe calls already looked up: a warm runner does
    this once, and each child it forks calls them without loading anything."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for name in ("syscall", "unshare", "mount", "prctl"):
        getattr(libc, name)  # a CDLL keeps each function it has looked up
    return libc


def clear_keyrings(libc: Any = None) -> None:
    """Kernel keyrings belong to the user id, not to a namespace: empty nobody's before its code
    runs, so nothing a previous submission stored there can be read."""
    import ctypes

    libc = libc or c_library()
    keyctl = 250 if os.uname().machine == "x86_64" else 219  # the syscall number: x86_64, else aarch64
    for keyring in (KEY_SPEC_USER_KEYRING, KEY_SPEC_USER_SESSION_KEYRING):
        libc.syscall(ctypes.c_long(keyctl), ctypes.c_long(KEYCTL_CLEAR), ctypes.c_long(keyring))


def limit_private_tmp() -> None:
    """Under bubblewrap (as root) /tmp is the probe's own tmpfs, bounded in bytes by bubblewrap:
    bound its inodes too, so that files by the hundred thousand cannot pin kernel memory that the
    memory limit does not count. Never done elsewhere: a remount changes the file system itself."""
    size = os.environ.pop("AUTOGRADER_PRIVATE_TMP", "")
    if not size.isdigit():
        return
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    options = f"size={size},nr_inodes={TMP_INODES},mode=1777".encode()
    if libc.mount(b"tmpfs", b"/tmp", b"tmpfs", MS_REMOUNT | MS_NOSUID | MS_NODEV, options) != 0:
        raise OSError(ctypes.get_errno(), "remounting the private /tmp failed")


def drop_privileges() -> None:
    """Student code never runs as root: as root, a process ignores RLIMIT_NPROC and may signal or
    write anything. The grader starts the probe as root only to build its namespaces."""
    if os.geteuid() != 0:
        return
    limit_private_tmp()
    preload()
    opened = open_import_folders()
    become_unprivileged()
    reach_import_folders(opened)
    clear_keyrings()


def open_import_folders() -> dict[str, int]:
    """While still root: a descriptor for each import folder. Without bubblewrap the interpreter
    may live where the unprivileged user cannot pass (a Python under /root): through these the
    student's code can still import any standard module, and read nothing else there."""
    opened = {}
    for entry in sys.path:
        with contextlib.suppress(OSError):
            opened[entry] = os.open(entry or ".", os.O_RDONLY | os.O_DIRECTORY)
    return opened


def reach_import_folders(opened: dict[str, int]) -> None:
    """After dropping privileges: import folders the user cannot reach are read through their
    descriptors (`/proc/self/fd/N`, which needs the process to be dumpable to be its own)."""
    blocked = [
        entry for entry in sys.path if entry in opened and not os.access(entry or ".", os.R_OK | os.X_OK)
    ]
    for fd in (fd for entry, fd in opened.items() if entry not in blocked):
        os.close(fd)
    if not blocked:
        return
    import ctypes

    ctypes.CDLL(None).prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)
    sys.path[:] = [f"/proc/self/fd/{opened[e]}" if e in blocked else e for e in sys.path]
    sys.path_importer_cache.clear()


def run_plan(folder: str, calls: list[dict[str, Any]], results: Any) -> None:
    """Run the calls in order, writing one outcome line each to `results`."""
    lookup = module_lookup(folder)
    timed_out: set[tuple[str, str]] = set()
    for call in calls:
        target = (call["module"], call["name"])
        if target in timed_out:  # one hang per function is enough to know
            message = "skipped: an earlier call of this function ran past its time limit"
            outcome: dict[str, Any] = {"id": call["id"], "ok": False, "error": timeout_error(message)}
        else:
            outcome = run_call(call, lookup)
            if outcome.get("error", {}).get("kind") == "timeout":
                timed_out.add(target)
        end_strays()
        results.write(wire_format.outcome_line(outcome))
        results.flush()


def silence_standard_streams() -> None:
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)


def main() -> None:
    folder, result_fd = sys.argv[1], int(sys.argv[2])
    plan = json.load(sys.stdin)
    results = os.fdopen(result_fd, "w", encoding="utf-8")
    silence_standard_streams()
    install_alarm()
    sys.dont_write_bytecode = True
    drop_privileges()
    run_plan(folder, plan["calls"], results)
    results.close()
    os._exit(0)  # skip interpreter teardown: atexit hooks of student code do not run


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        from autograder.probe.warm_runner import serve

        serve()
    else:
        main()
