"""`autograder batch`: nothing about one submission stops the others, and the batch's processes go
when it goes. Odd folder and file names, deep and huge folders, hostile zips, malformed notebooks,
the output folder inside the class folder, SIGKILL and Ctrl-C; then properties over random trees
and random zips (discovery and extraction never raise, never escape, never follow a link)."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import unicodedata
import uuid
import warnings
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from conftest import PROJECT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_batch import SAMPLES, committed_rows, make_class, wait_until

from autograder.classroom import batch, gradebook
from autograder.cli import main
from autograder.course import Course
from autograder.grading.grader import Grader, SubmissionError, grade_submission
from autograder.results.model import FailureKind
from autograder.sandbox.staging import read_module

MODULES = tuple(p.stem for p in sorted((PROJECT / "solutions").glob("*.py")))
FULL_MARKS = 36.0  # full_marks_reference, before the manually graded explanation


def batch_args(submissions: Path, out: Path, *extra: str) -> list[str]:
    return ["--course", str(PROJECT), "batch", str(submissions), "--out", str(out), "--no-progress", *extra]


def totals(out: Path) -> dict[str, float]:
    with (out / "grades.csv").open(newline="", encoding="utf-8") as source:
        return {row["student"]: float(row["total"]) for row in csv.DictReader(source)}


def grader_errors(out: Path) -> str:
    """The grader's own failures of the last run, for an assertion's message."""
    log = out / "grader_errors.log"
    return log.read_text(encoding="utf-8")[-3000:] if log.is_file() else ""


def copy_sample(target: Path, sample: str = "full_marks_reference") -> Path:
    shutil.copytree(SAMPLES / sample, target)
    return target


# --- odd student folders ------------------------------------------------------------------------


def deep_chain(top: Path, depth: int) -> Path:
    path = top
    for _ in range(depth):
        path = path / "d"
        path.mkdir()
    return path


def remove_chain(top: Path, depth: int) -> None:
    """Remove a chain of `depth` folders bottom up (shutil.rmtree recurses once per level)."""
    for level in range(depth, 0, -1):
        shutil.rmtree(top.joinpath(*["d"] * level), ignore_errors=True)


def odd_class(folder: Path) -> dict[str, Path]:
    """A class of full-marks submissions in every awkward folder the red team found; by expected id."""
    folder.mkdir()
    students = {
        "plain": copy_sample(folder / "plain"),
        "bad\\xff": copy_sample(Path(os.fsdecode(os.fsencode(folder) + b"/bad\xff"))),
        "José": copy_sample(folder / unicodedata.normalize("NFD", "José")),  # as macOS writes it
        "odd_file": copy_sample(folder / "odd_file"),
        "deep": copy_sample(folder / "deep"),
        "sparse": copy_sample(folder / "sparse"),
    }
    for name in (b"/notes\xff.txt", b"/helper\xff.py"):
        Path(os.fsdecode(os.fsencode(students["odd_file"]) + name)).write_bytes(b"x = 1\n")
    deep_chain(students["deep"], 1100)
    with (students["sparse"] / "dataset.bin").open("wb") as sparse:
        sparse.truncate(20 * 1024**3)  # 20 GB, no block written
    return students


def test_odd_student_folders_are_all_graded_under_utf8_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    students = odd_class(tmp_path / "class")
    try:
        assert main(batch_args(tmp_path / "class", tmp_path / "out", "--jobs", "2")) == 0
    finally:
        remove_chain(students["deep"], 1100)
    assert "6 graded" in capsys.readouterr().out
    assert totals(tmp_path / "out") == {student: FULL_MARKS for student in students}, grader_errors(
        tmp_path / "out"
    )


def read_bytes_so_far() -> int:
    text = Path("/proc/self/io").read_text()
    return int(re.search(r"^rchar: (\d+)$", text, re.M)[1])  # type: ignore[index]


def test_the_content_hash_reads_only_what_grading_reads(tmp_path: Path) -> None:
    student = copy_sample(tmp_path / "class" / "ada")
    with (student / "dataset.bin").open("wb") as sparse:
        sparse.truncate(20 * 1024**3)
    before = read_bytes_so_far()
    (first,) = batch.discover(tmp_path / "class")
    assert read_bytes_so_far() - before < 10_000_000, "the 20 GB file was read"
    (student / "dataset.bin").write_bytes(b"changed")
    (student / "notes.txt").write_text("a file grading never reads")
    assert batch.discover(tmp_path / "class")[0].content_hash == first.content_hash
    (student / "lstm_budget.py").write_text("# changed\n" + (student / "lstm_budget.py").read_text())
    assert batch.discover(tmp_path / "class")[0].content_hash != first.content_hash


def test_an_accented_name_is_utf8_whatever_the_file_system_encoding(tmp_path: Path) -> None:
    copy_sample(tmp_path / "class" / "José")
    script = "import sys; from pathlib import Path; from autograder.classroom import batch\n"
    script += "print(ascii([s.student for s in batch.discover(Path(sys.argv[1]))]))"
    ascii_locale = {**os.environ, "LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}
    run = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "class")],
        env=ascii_locale,
        capture_output=True,
        text=True,
        check=True,
        cwd=PROJECT,
    )
    assert run.stdout.strip() == ascii(["José"])


@pytest.mark.parametrize("inside", ["grading", "."])
def test_the_output_folder_inside_the_class_is_not_a_student(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], inside: str
) -> None:
    submissions = make_class(tmp_path / "class", ("full_marks_reference", "material_answer"))
    out = submissions / inside
    assert main(batch_args(submissions, out)) == 0
    assert not grader_errors(out), grader_errors(out)
    assert main(batch_args(submissions, out)) == 0  # the gradebook and feedback/ are now in the class
    assert "2 submissions: 0 graded" in capsys.readouterr().out.splitlines()[-2]
    assert sorted(totals(out)) == ["full_marks_reference", "material_answer"]


def test_a_link_in_the_output_is_never_written_through(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With the output in the class folder, a student's folder named `feedback` holding a link
    named after another student must not redirect that student's feedback files."""
    submissions = make_class(tmp_path / "class", ("full_marks_reference",))
    shutil.copytree(SAMPLES / "material_answer", submissions / "feedback")
    victim = tmp_path / "victim"
    victim.mkdir()
    (submissions / "feedback" / "full_marks_reference").symlink_to(victim, target_is_directory=True)
    assert main(batch_args(submissions, submissions, "--jobs", "1")) == 0
    assert list(victim.iterdir()) == []
    assert (submissions / "feedback" / "full_marks_reference" / "results.json").is_file()
    assert "'feedback': holds exercise files but is where the exports go" in capsys.readouterr().err


def test_a_pipe_named_like_a_notebook_is_that_students_problem(tmp_path: Path) -> None:
    submissions = make_class(tmp_path / "class", ("full_marks_reference",))
    os.mkfifo(submissions / "alice.ipynb")
    found = {s.student: s.problem for s in batch.discover(submissions, modules=MODULES)}
    assert found == {"alice": "it is not a regular file", "full_marks_reference": ""}


# --- zips -----------------------------------------------------------------------------------------


def files_of(student: str, sample: str = "full_marks_reference", sep: str = "/") -> list[tuple[str, bytes]]:
    return [(f"{student}{sep}{f.name}", f.read_bytes()) for f in sorted((SAMPLES / sample).iterdir())]


def write_zip(path: Path, entries: list[tuple[str, bytes]]) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate entries some tests want
        with zipfile.ZipFile(path, "w") as archive:
            for name, data in entries:
                archive.writestr(name, data)
    return path


def rename_entry(data: bytes, old: bytes, new: bytes, *, utf8_flag: bool) -> bytes:
    """Rename an entry in place (same length) in its local header and the central directory, with
    or without the UTF-8 flag: names zipfile itself never writes."""
    out = bytearray(data.replace(old, new))
    for signature, flags_at, size_at, name_at in ((b"PK\x03\x04", 6, 26, 30), (b"PK\x01\x02", 8, 28, 46)):
        start = out.find(signature)
        while start >= 0:
            size = struct.unpack_from("<H", out, start + size_at)[0]
            if utf8_flag and new in out[start + name_at : start + name_at + size]:
                out[start + flags_at + 1] |= 0x08
            start = out.find(signature, start + 4)
    return bytes(out)


def students_in(archive: Path) -> tuple[list[str], tuple[str, ...], dict[str, str]]:
    """The students discovered in a zip, the extraction's notes, and each student's problem."""
    with batch.opened(archive, MODULES) as got:
        found = batch.discover(got.folder, modules=MODULES, damaged=got.damaged)
        return [s.student for s in found], got.notes, {s.student: s.problem for s in found if s.problem}


def test_zip_wrapper_folders_are_descended_to_the_students(tmp_path: Path) -> None:
    nested = [(f"2024/section1/{n}", d) for n, d in files_of("ada") + files_of("bob")]
    assert students_in(write_zip(tmp_path / "a.zip", [*nested, ("__MACOSX/2024/._ada", b"")]))[0] == [
        "ada",
        "bob",
    ]
    assert students_in(write_zip(tmp_path / "b.zip", files_of("ada")))[0] == ["ada"]  # one student


def test_zip_backslashes_are_separators(tmp_path: Path) -> None:
    entries = files_of("ada", sep="\\") + files_of("bob", sep="\\")
    assert students_in(write_zip(tmp_path / "a.zip", entries))[0] == ["ada", "bob"]
    wrapped = [(f"class\\{name}", data) for name, data in entries]
    assert students_in(write_zip(tmp_path / "b.zip", wrapped))[0] == ["ada", "bob"]


def test_zip_duplicates_keep_the_first_and_say_so(tmp_path: Path) -> None:
    first = files_of("ada")
    entries = [*first, (first[0][0], b"second copy"), *files_of("bob"), ("bob", b"a file over a folder")]
    archive = write_zip(tmp_path / "a.zip", entries)
    with batch.opened(archive, MODULES) as got:
        assert (got.folder / first[0][0]).read_bytes() == first[0][1]
        assert [s.student for s in batch.discover(got.folder, modules=MODULES)] == ["ada", "bob"]
        assert len(got.notes) == 2 and all("duplicate" in note for note in got.notes)


def test_zip_entries_with_bad_names_are_left_out_and_the_rest_extracted(tmp_path: Path) -> None:
    entries = [
        *files_of("ada"),
        *files_of("JosXX"),
        ("carl/" + "x" * 300 + ".py", b"x = 1"),
        ("carl/XYZZY.py", b"x = 1"),
        ("../escaped.py", b""),
        ("/absolute.py", b""),
        ("C:\\windows.py", b""),
        *files_of("carl"),
    ]
    data = write_zip(tmp_path / "plain.zip", entries).read_bytes()
    data = rename_entry(data, b"JosXX", "José".encode(), utf8_flag=False)  # UTF-8 without the flag
    data = rename_entry(data, b"XYZZY", b"X\xff\xfeYY", utf8_flag=True)  # flagged UTF-8, and it is not
    (tmp_path / "bad.zip").write_bytes(data)
    students, notes, problems = students_in(tmp_path / "bad.zip")
    assert students == ["José", "ada", "carl"] and problems == {}
    assert len(notes) == 5 and all("not extracted" in note and "\n" not in note for note in notes)
    assert not (tmp_path / "escaped.py").exists()


def test_one_students_thousands_of_files_do_not_crowd_out_the_others(tmp_path: Path) -> None:
    from autograder.classroom.intake import MAX_ENTRIES, MAX_FOLDER_ENTRIES

    junk = [(f"aaa_junk/d{index}.txt", b"") for index in range(MAX_ENTRIES + 1)]  # more than a zip may give
    with zipfile.ZipFile(tmp_path / "class.zip", "w") as archive:
        for name, data in [*junk, *files_of("zoe")]:
            archive.writestr(name, data)
    students, notes, problems = students_in(tmp_path / "class.zip")
    assert students == ["aaa_junk", "zoe"] and problems == {}
    assert notes == (
        f"entries past {MAX_FOLDER_ENTRIES} in one folder or {MAX_ENTRIES} in all: not extracted",
    )


def test_an_oversized_module_in_a_zip_fails_only_its_own_part(tmp_path: Path) -> None:
    huge = [(n, b"#" * (70 * 1024**2) if n.endswith("lstm_gates.py") else d) for n, d in files_of("partial")]
    with zipfile.ZipFile(tmp_path / "class.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in [*files_of("ada"), *huge]:
            archive.writestr(name, data)
    out = tmp_path / "out"
    assert main(batch_args(tmp_path / "class.zip", out, "--jobs", "1")) == 0
    results = json.loads((out / "feedback" / "partial" / "results.json").read_text())
    tests = [test for test in results["tests"] if not test["extra_data"]["manual"]]
    failed = {test["number"].split(".")[0] for test in tests if test["status"] == "failed"}
    assert failed == {"a"} and "larger than" in json.dumps(results)
    assert totals(out)["ada"] == results["max_score"]


def test_a_corrupt_zip_entry_fails_only_that_module(tmp_path: Path) -> None:
    bob = [(n, d + b"\n# MARKER\n" if n.endswith("lstm_gates.py") else d) for n, d in files_of("bob")]
    data = write_zip(tmp_path / "a.zip", files_of("ada") + bob).read_bytes()
    (tmp_path / "a.zip").write_bytes(data.replace(b"# MARKER", b"# MARKEX"))  # the CRC no longer matches
    students, notes, problems = students_in(tmp_path / "a.zip")
    assert students == ["ada", "bob"] and len(notes) == 1 and problems == {}
    with batch.opened(tmp_path / "a.zip", MODULES) as got:  # only that module stands for its reason
        reason = read_module(got.folder / "bob" / "lstm_gates.py")
        assert isinstance(reason, str) and reason.startswith("not extracted from the zip: a corrupt")
        assert (got.folder / "bob" / "lstm_budget.py").read_bytes() == dict(bob)["bob/lstm_budget.py"]
    (tmp_path / "cut.zip").write_bytes(data[: len(data) // 2])  # no directory left: not a zip at all
    with pytest.raises(batch.BatchInputError, match=r"^.*cut\.zip: expected a folder .*\(.*\)$"):
        students_in(tmp_path / "cut.zip")


def test_a_hostile_class_zip_is_graded_student_by_student(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], course: Course
) -> None:
    dora = [(n, d + b"\n# MARKER\n" if n.endswith("lstm_gates.py") else d) for n, d in files_of("dora")]
    entries = [
        *files_of("ada"),
        (files_of("ada")[0][0], b"raise SystemExit('a second copy')"),
        *files_of("bob", sep="\\"),
        *files_of("JosXX"),
        ("carl/XYZZY.py", b"x = 1"),
        *files_of("carl"),
        *dora,
    ]
    data = write_zip(tmp_path / "plain.zip", [(f"2024/section1/{n}", d) for n, d in entries]).read_bytes()
    data = rename_entry(data, b"JosXX", "José".encode(), utf8_flag=False)
    data = rename_entry(data, b"XYZZY", b"X\xff\xfeYY", utf8_flag=True)
    (tmp_path / "class.zip").write_bytes(data.replace(b"# MARKER", b"# MARKEX"))
    assert main(batch_args(tmp_path / "class.zip", tmp_path / "out")) == 0
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 3 and all(line.startswith("autograder: ") for line in err)
    scores = totals(tmp_path / "out")
    assert scores == {"ada": 36.0, "bob": 36.0, "carl": 36.0, "dora": scores["dora"], "José": 36.0}
    with gradebook.connect(tmp_path / "out" / "gradebook.sqlite") as connection:
        dora_result = gradebook.latest_results(connection)["dora"]
    assert dora_result.troubles == (FailureKind.UNUSABLE_FILE,)  # her corrupt lstm_gates.py, and only it
    assert {o.part for o in dora_result.outcomes if o.status == "failed"} == {"a"}


# --- notebooks -----------------------------------------------------------------------------------

NOT_NOTEBOOKS: dict[str, Any] = {
    "cell_is_text": {"cells": ["print(1)"], "metadata": {}, "nbformat": 4, "nbformat_minor": 5},
    "metadata_is_a_list": {"cells": [{"cell_type": "code", "metadata": [], "source": "x = 1"}]},
    "nbgrader_is_text": {"cells": [{"cell_type": "code", "metadata": {"nbgrader": "a_code"}, "source": ""}]},
    "grade_id_is_a_list": {"cells": [{"metadata": {"nbgrader": {"grade_id": ["a_code"]}}}]},
    "source_is_an_object": {"cells": [{"cell_type": "code", "source": {"text": "x"}}]},
    "cells_is_an_object": {"cells": {"0": {}}},
    "document_is_a_list": [],
    "lone_surrogate": {
        "cells": [{"cell_type": "code", "metadata": {"nbgrader": {"grade_id": "a_code"}}, "source": "\udcff"}]
    },
}


def not_notebooks(folder: Path) -> Path:
    folder.mkdir()
    for name, document in NOT_NOTEBOOKS.items():
        (folder / f"{name}.ipynb").write_text(json.dumps(document))
    (folder / "deeply_nested.ipynb").write_text(
        '{"cells": [{"metadata": ' + "[" * 100_000 + "]" * 100_000 + "}]}"
    )
    (folder / "not_utf8.ipynb").write_bytes(b'{"cells": "\xff"}')
    (folder / "not_json.ipynb").write_text("{cells")
    return folder


def test_a_malformed_notebook_is_one_line_submission_error(tmp_path: Path, grader: Grader) -> None:
    for path in sorted(not_notebooks(tmp_path / "class").iterdir()):
        with pytest.raises(SubmissionError) as raised:
            grade_submission(path, grader, sandbox=False)
        assert str(raised.value).startswith(f"{path}: not a readable notebook: "), path.name
        assert "\n" not in str(raised.value)


def test_a_malformed_notebook_in_a_batch_is_unusable_and_not_retried(tmp_path: Path, course: Course) -> None:
    found = batch.discover(not_notebooks(tmp_path / "class"))
    db = tmp_path / "gb.sqlite"
    with ThreadPoolExecutor(max_workers=2) as pool:
        first = batch.run_batch(found, db, course=course, executor=pool, sandbox=False)
    with gradebook.connect(db) as connection:
        results = gradebook.latest_results(connection)
    errors = {s: r.grader_error.message for s, r in results.items() if r.grader_error is not None}
    assert first.graded == len(found) == 11 and errors == {}
    assert {r.troubles for r in results.values()} == {(FailureKind.UNUSABLE_FILE,)}
    with ThreadPoolExecutor(max_workers=2) as pool:
        second = batch.run_batch(found, db, course=course, executor=pool, sandbox=False)
    assert second.graded == 0 and second.skipped == len(found)


# --- the batch's processes -----------------------------------------------------------------------


def stat_of(pid: int) -> tuple[int, str, int] | None:
    """(parent pid, state, start time) of a process, or None once it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return int(fields[1]), fields[0], int(fields[19])


def pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def descendants(root: int) -> dict[int, int]:
    """Every process below `root`, by pid, with its start time (a reused pid is another process)."""
    table = {pid: info for pid in pids() if (info := stat_of(pid)) is not None}
    found: dict[int, int] = {}
    frontier = [root]
    while frontier:
        parent = frontier.pop()
        for pid, (ppid, _, start) in table.items():
            if ppid == parent and pid not in found:
                found[pid] = start
                frontier.append(pid)
    return found


def running(processes: dict[int, int]) -> list[int]:
    """Those still running: not gone, not a zombie, not a new process under a reused pid."""
    alive = []
    for pid, start in processes.items():
        info = stat_of(pid)
        if info is not None and info[1] != "Z" and info[2] == start:
            alive.append(pid)
    return alive


def carrying(variable: bytes) -> dict[int, int]:
    """Running processes whose environment holds `variable` (NAME=VALUE): the batch's, by inheritance."""
    found = {}
    for pid in pids():
        try:
            environment = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        except OSError:
            continue
        info = stat_of(pid)
        if variable in environment and info is not None and info[1] != "Z":
            found[pid] = info[2]
    return found


def start_batch(submissions: Path, out: Path, marker: str, **pipes: Any) -> subprocess.Popen[str]:
    """The batch in its own session, its temporary folders under OUT/tmp: a killed batch or worker
    cannot clean its own, and pytest removes these."""
    name, value = marker.split("=")
    (out / "tmp").mkdir(parents=True)
    return subprocess.Popen(
        [sys.executable, "-m", "autograder", *batch_args(submissions, out, "--jobs", "2")],
        env={**os.environ, name: value, "TMPDIR": str(out / "tmp")},
        cwd=PROJECT,
        start_new_session=True,
        text=True,
        **pipes,
    )


def end_leftovers(process: subprocess.Popen[str], processes: dict[int, int]) -> None:
    """Kill, by pid, whatever this test started that is still running (only after a failure)."""
    if process.poll() is None:
        process.kill()
        process.wait()
    for pid in running(processes):
        os.kill(pid, signal.SIGKILL)


def test_sigkill_of_the_batch_ends_its_workers_and_sandboxes(tmp_path: Path) -> None:
    submissions = make_class(tmp_path / "class", ("full_marks_reference", "material_answer"), copies=8)
    db = tmp_path / "out" / "gradebook.sqlite"
    marker = f"AUTOGRADER_TEST_BATCH={uuid.uuid4().hex}"
    process = start_batch(submissions, tmp_path / "out", marker, stdout=subprocess.DEVNULL)
    tree: dict[int, int] = {}
    try:
        assert wait_until(lambda: committed_rows(db) >= 1 or process.poll() is not None, 600)
        assert process.poll() is None, "the batch ended before it could be killed"
        tree = descendants(process.pid)
        workers = carrying(marker.encode())
        assert len(workers) >= 3, "the batch and its two workers carry the marker"
        tree.update(workers)
        process.kill()
        process.wait()
        gone = wait_until(lambda: not running(tree) and not carrying(marker.encode()), 120)
        left = {pid: Path(f"/proc/{pid}/cmdline").read_bytes()[:120] for pid in running(tree)}
        assert gone, f"still running two minutes after the batch was killed: {left}"
    finally:
        end_leftovers(process, tree)


def test_ctrl_c_ends_in_one_line_and_a_rerun_resumes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    submissions = make_class(tmp_path / "class", ("full_marks_reference", "material_answer"), copies=8)
    out, db = tmp_path / "out", tmp_path / "out" / "gradebook.sqlite"
    marker = f"AUTOGRADER_TEST_BATCH={uuid.uuid4().hex}"
    process = start_batch(submissions, out, marker, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    tree: dict[int, int] = {}
    try:
        assert wait_until(lambda: committed_rows(db) >= 1 or process.poll() is not None, 600)
        tree = {**descendants(process.pid), **carrying(marker.encode())}
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the whole group
        stdout, stderr = process.communicate(timeout=300)
        assert process.returncode == 130, stderr
        lines = stderr.strip().splitlines()
        assert len(lines) == 1, stderr
        match = re.fullmatch(
            r"autograder: interrupted; (\d+) result\(s\) are kept in (.+): "
            r"the same command again resumes, grading only the rest",
            lines[0],
        )
        assert match and match[2] == str(db) and stdout == "", stderr
        kept = int(match[1])
        assert 1 <= kept == committed_rows(db) < 16
        assert wait_until(lambda: not running(tree), 120), "the workers outlived the interrupted batch"
    finally:
        end_leftovers(process, tree)
    assert main(batch_args(submissions, out)) == 0
    summary = capsys.readouterr().out
    assert f"{16 - kept} graded" in summary and f"{kept} already in the gradebook" in summary


# --- properties ----------------------------------------------------------------------------------

NAME = st.one_of(
    st.binary(min_size=1, max_size=20).filter(
        lambda b: b"/" not in b and b"\0" not in b and b not in (b".", b"..")
    ),
    st.sampled_from([b"lstm_gates.py", b"lstm_budget.py", b"ada", b"ada.ipynb", b".hidden", b"__MACOSX"]),
)
LEAF = st.one_of(
    st.tuples(st.just("file"), st.binary(max_size=64)),
    st.sampled_from([("fifo",), ("link_to_file",), ("link_to_fifo",), ("link_to_folder",)]),
    st.tuples(st.just("chain"), st.integers(1, 150)),
)
NODE = st.recursive(
    LEAF, lambda inner: st.tuples(st.just("folder"), st.dictionaries(NAME, inner, max_size=4)), max_leaves=10
)


def build(folder: bytes, tree: dict[bytes, Any], outside: bytes) -> None:
    for name, node in tree.items():
        path = folder + b"/" + name
        kind = node[0]
        if kind == "folder":
            os.mkdir(path)
            build(path, node[1], outside)
        elif kind == "file":
            Path(os.fsdecode(path)).write_bytes(node[1])
        elif kind == "fifo":
            os.mkfifo(path)
        elif kind == "chain":
            os.mkdir(path)
            deep_chain(Path(os.fsdecode(path)), node[1])
        else:
            target = {"link_to_file": b"/secret.py", "link_to_fifo": b"/pipe", "link_to_folder": b""}[kind]
            os.symlink(outside + target, path)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(NAME, NODE, max_size=6))
def test_discovery_never_raises_never_follows_a_link_and_stays_bounded(tree: dict[bytes, Any]) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        top = Path(scratch)
        outside, folder = top / "outside", top / "class"
        outside.mkdir()
        folder.mkdir()
        (outside / "secret.py").write_text("SECRET = 1\n")
        os.mkfifo(outside / "pipe")
        build(os.fsencode(folder), tree, os.fsencode(outside))
        found = batch.discover(folder, modules=MODULES)
        assert len(found) <= len(tree)
        assert len({s.student for s in found}) == len(found)
        for submission in found:
            assert submission.path.parent == folder
            assert submission.student.isprintable() and submission.student.encode("utf-8")
            if submission.path.is_symlink():
                assert submission.problem == "it is a symbolic link (not followed)"
        (outside / "secret.py").write_text("SECRET = 2\n")  # what a followed link would see
        assert [s.content_hash for s in batch.discover(folder, modules=MODULES)] == [
            s.content_hash for s in found
        ]


SEGMENT = st.one_of(
    st.sampled_from(
        ["..", ".", "", "ada", "bob", "lstm_gates.py", "x.ipynb", "C:", "__MACOSX", "José", "x" * 300]
    ),
    st.text(max_size=10),
)
ENTRY = st.tuples(
    st.lists(SEGMENT, min_size=1, max_size=5),
    st.sampled_from(["/", "\\"]),
    st.sampled_from(["file", "file", "folder", "link", "outside"]),
    st.binary(max_size=100),
)


def hostile_zip(path: Path, entries: list[tuple[list[str], str, str, bytes]], outside: Path) -> int:
    """Write the entries (duplicates included); returns how many there are."""
    with warnings.catch_warnings(), zipfile.ZipFile(path, "w") as archive:
        warnings.simplefilter("ignore")
        for parts, separator, kind, data in entries:
            name = separator.join(parts) + (separator if kind == "folder" else "")
            info = zipfile.ZipInfo(f"{outside}/{name}" if kind == "outside" else name or "empty")
            if kind == "link":
                info.external_attr = 0o120777 << 16
                data = str(outside).encode()
            archive.writestr(info, data)
    return len(entries)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(ENTRY, max_size=12).map(lambda entries: entries + entries[:2]),
    st.one_of(st.none(), st.tuples(st.integers(0, 10_000), st.binary(min_size=1, max_size=8))),
)
def test_extraction_never_raises_never_escapes_and_makes_no_link(
    entries: list[tuple[list[str], str, str, bytes]], damage: tuple[int, bytes] | None
) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        top = Path(scratch)
        archive, workspace, outside = top / "class.zip", top / "workspace", top / "outside"
        workspace.mkdir()
        outside.mkdir()
        count = hostile_zip(archive, entries, outside)
        if damage is not None:
            data = bytearray(archive.read_bytes())
            offset = damage[0] % len(data)
            data[offset : offset + len(damage[1])] = damage[1]
            archive.write_bytes(bytes(data))
        try:
            with batch.opened(archive, MODULES, workspace=workspace) as got:
                assert got.folder.is_relative_to(workspace.resolve())
                for where, folders, files in os.walk(workspace):
                    assert not any(os.path.islink(os.path.join(where, name)) for name in folders + files)
                found = batch.discover(got.folder, modules=MODULES, damaged=got.damaged)
                assert len(found) <= count and len(got.notes) <= count
                assert all(s.path.parent == got.folder and s.student.isprintable() for s in found)
        except batch.BatchInputError as error:
            assert "\n" not in str(error)
        assert sorted(os.listdir(top)) == ["class.zip", "outside", "workspace"]
        assert os.listdir(outside) == [] and os.listdir(workspace) == []
