"""Grade a whole class: in parallel on any concurrent.futures.Executor, resumable, with progress.

Submissions are the entries of a folder (per-student folders, or notebooks) or of a zip of them
(`intake.py`: what counts as a submission, how a zip is extracted); the student id is the folder's
or the file's name. Each result goes into the gradebook the moment it comes back, so a killed run
loses nothing finished; a re-run grades only new or changed work. Nothing about one submission
stops the others: it gets a result saying why it could not be graded. Pool workers die with the
batch, whatever kills it.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import functools
import hashlib
import multiprocessing.util
import os
import signal
import sqlite3
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from contextlib import closing, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from autograder.classroom import gradebook
from autograder.classroom.intake import (
    BatchInputError,
    Intake,
    Submission,
    content_hash,
    discover,
    opened,
    printable,
)
from autograder.course import Course
from autograder.grading.grader import (
    Grader,
    SubmissionError,
    grade_or_fail,
    grader_failure_result,
    load_grader,
    unusable_submission_result,
)
from autograder.results.model import SubmissionResult
from autograder.sandbox import SandboxError, WarmSandbox

PR_SET_PDEATHSIG = 1  # linux/prctl.h
__all__ = [
    "BatchInputError",
    "BatchSummary",
    "Intake",
    "Submission",
    "content_hash",
    "discover",
    "grade_one",
    "grading_fingerprint",
    "opened",
    "results_kept",
    "run_batch",
]


@dataclass
class BatchSummary:
    graded: int = 0
    skipped: int = 0
    troubled: list[str] = field(default_factory=list)  # crashed, hung or hit a limit
    grader_errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.graded / self.seconds if self.seconds > 0 else 0.0


def grading_fingerprint(course: Course) -> str:
    """What decides a grade besides the submission: the rubric, the reference, the framework figures
    and the grader's version. Part of every gradebook key, so changing any of them regrades."""
    from autograder import __version__

    digest = hashlib.sha256(__version__.encode())
    for path in [course.rubric_path, course.figures_path, *sorted(course.solutions.glob("*.py"))]:
        digest.update(path.read_bytes() if path.is_file() else b"")
    return digest.hexdigest()[:16]


def results_kept(db: Path) -> int:
    """How many results the gradebook holds (0 if there is none yet); never creates one."""
    if not db.is_file():
        return 0
    try:
        with closing(sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True, timeout=30)) as connection:
            return int(connection.execute("SELECT COUNT(*) FROM results").fetchone()[0])
    except sqlite3.Error:
        return 0


def worker_start(parent: int) -> None:
    """A pool worker's first act: die (SIGKILL) when the batch does, however it died, which takes the
    worker's warm sandbox too (bubblewrap runs with --die-with-parent); and leave Ctrl-C to the batch,
    which stops its pool itself."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the batch died before the request took effect
        os._exit(1)


# The threads of one process (a thread pool's) fill the two caches below one at a time: loading a
# grader parses the solutions, and ast.parse is not thread-safe in Python 3.11.
_LOADING = threading.RLock()


@functools.cache
def _worker_grader(root: str, rubric: str) -> Grader:
    """One grader per worker process: loading it costs more than grading one submission."""
    return load_grader(Course(Path(root), Path(rubric)))


@functools.cache
def _worker_sandbox(root: str, rubric: str, process: int) -> WarmSandbox | None:
    """One warm sandbox per worker process when bubblewrap and root allow it (see WarmSandbox),
    with the rubric's time limits. Keyed by the process too: a pool forked from a process that
    holds one (a thread pool's, say) starts its own rather than talk to that process's sandbox."""
    try:
        sandbox = WarmSandbox(_worker_grader(root, rubric).limits)
    except SandboxError:
        return None
    # Pool workers leave through os._exit, which skips atexit: a multiprocessing finalizer still runs.
    multiprocessing.util.Finalize(sandbox, sandbox.close, exitpriority=10)
    atexit.register(sandbox.close)
    return sandbox


def grade_one(path: str, root: str, rubric: str, sandbox: bool | None, student: str = "") -> str:
    """Runs in a worker (a process of the pool or of a Dask cluster); returns the result as the
    gradebook's row (`gradebook.Row.to_text`), its JSON written once, here.
    A warm sandbox that died (whatever killed it) is replaced, and the submission tried once more;
    anything else that fails becomes this submission's result, never the batch's end."""
    with _LOADING:
        grader = _worker_grader(root, rubric)
    student = student or printable(Path(path).stem if Path(path).is_file() else Path(path).name)
    result: SubmissionResult | None = None
    for attempt in range(2):
        with _LOADING:
            warm = _worker_sandbox(root, rubric, os.getpid()) if sandbox is not False else None
        try:
            result = grade_or_fail(Path(path), grader, sandbox=sandbox, warm=warm)
            break
        except SubmissionError as error:
            result = unusable_submission_result(student, grader.rubric, printable(str(error)))
            break
        except SandboxError as error:
            if warm is not None:
                warm.close()
                _worker_sandbox.cache_clear()
            if attempt == 1 or warm is None:
                result = grader_failure_result(student, grader.rubric, error)
    assert result is not None
    return gradebook.Row.of(replace(result, submission=student)).to_text()


def grade_one_into(outbox: str, path: str, root: str, rubric: str, sandbox: bool | None, student: str) -> str:
    """`grade_one` in a worker of our own pool: the result goes to a file in `outbox` and only that
    file's name comes back. The answer is then one write to the pool's pipe, shorter than PIPE_BUF
    (atomic): a worker killed at any moment (Ctrl-C) never leaves half a message in the pipe, which
    would hang the pool forever."""
    try:
        document = grade_one(path, root, rubric, sandbox, student)
    except Exception as error:  # the grader could not even start: still this student's result
        document = gradebook.Row.of(grader_failure_result(student, None, error)).to_text()
    name = f"{uuid.uuid4().hex}.json"
    (Path(outbox) / name).write_text(document, encoding="utf-8")
    return name


ProgressHook = Callable[[int, int, BatchSummary], None]


@dataclass(frozen=True)
class _Workers:
    """Where submissions are graded: the executor given (answers are JSON documents), or a process
    pool of our own (answers are file names in `outbox`: see grade_one_into)."""

    executor: Executor
    outbox: Path | None = None

    def submit(self, submission: Submission, root: str, rubric: str, sandbox: bool | None) -> Future[str]:
        task = (str(submission.path), root, rubric, sandbox, submission.student)
        if self.outbox is None:
            return self.executor.submit(grade_one, *task)
        return self.executor.submit(grade_one_into, str(self.outbox), *task)

    def document(self, future: Future[str]) -> str:
        if self.outbox is None:
            return future.result()
        file = self.outbox / future.result()
        try:
            return file.read_text(encoding="utf-8")
        finally:
            file.unlink(missing_ok=True)


@contextmanager
def _workers(executor: Executor | None, jobs: int | None) -> Iterator[_Workers]:
    """The executor given, or a process pool of our own whose workers die with the batch. On any
    interruption (Ctrl-C) our own workers are killed at once, not after their submissions, and the
    pool is then shut down and its manager thread joined, so the interpreter's exit has nothing to
    wait for."""
    if executor is not None:
        yield _Workers(executor)
        return
    pool = ProcessPoolExecutor(max_workers=jobs, initializer=worker_start, initargs=(os.getpid(),))
    with tempfile.TemporaryDirectory(prefix="autograder-results-") as outbox:
        try:
            yield _Workers(pool, Path(outbox))
        except BaseException:
            for worker in list((getattr(pool, "_processes", None) or {}).values()):  # the pool's own
                with contextlib.suppress(OSError, ValueError):
                    worker.kill()
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        pool.shutdown(cancel_futures=True)


def _keep(
    connection: sqlite3.Connection,
    submission: Submission,
    result: SubmissionResult | gradebook.Row,
    summary: BatchSummary,
) -> None:
    """Record one result the moment it is known (committed before it is counted), and count it."""
    if isinstance(result, SubmissionResult):
        result = gradebook.Row.of(replace(result, submission=submission.student))
    # A grader error is kept so the student has a result now; the next run grades it again.
    gradebook.record(connection, submission.student, submission.content_hash, result)
    summary.graded += 1
    if result.grader_error:
        summary.grader_errors.append(submission.student)
    if result.troubled:
        summary.troubled.append(submission.student)


def run_batch(
    submissions: list[Submission],
    db: Path,
    *,
    course: Course,
    executor: Executor | None = None,
    jobs: int | None = None,
    sandbox: bool | None = None,
    on_progress: ProgressHook | None = None,
) -> BatchSummary:
    """Grade what the gradebook does not hold yet; record each result as it arrives. A submission
    with a `problem` is not sent to a worker: its result is that problem (an unusable file)."""
    grader = load_grader(course)  # a broken rubric stops the batch before any work starts
    root, rubric = str(course.root), str(course.rubric_path)
    summary = BatchSummary()
    started = time.perf_counter()

    def progress() -> None:
        summary.seconds = time.perf_counter() - started
        if on_progress:
            on_progress(summary.graded, len(todo), summary)

    with gradebook.connect(db) as connection:
        done = gradebook.known_hashes(connection)
        todo = [s for s in submissions if (s.student, s.content_hash) not in done]
        summary.skipped = len(submissions) - len(todo)
        for submission in (s for s in todo if s.problem):
            _keep(
                connection,
                submission,
                unusable_submission_result(submission.student, grader.rubric, submission.problem),
                summary,
            )
            progress()
        with _workers(executor, jobs) as workers:
            futures: dict[Future[str], Submission] = {
                workers.submit(s, root, rubric, sandbox): s for s in todo if not s.problem
            }
            for future in as_completed(futures):
                submission = futures[future]
                result: SubmissionResult | gradebook.Row
                try:
                    result = gradebook.Row.from_text(workers.document(future))
                except Exception as error:  # a lost worker: the student still gets a result
                    result = grader_failure_result(submission.student, grader.rubric, error)
                _keep(connection, submission, result, summary)
                progress()
    summary.seconds = time.perf_counter() - started
    return summary
