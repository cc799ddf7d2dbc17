"""Grade a whole class: in parallel on any concurrent.futures.Executor, resumable, with progress.

Submissions are the entries of a folder (per-student folders, or notebooks) or of a zip of them;
the student id is the folder's or the file's name. Each result goes into the gradebook the moment
it comes back, so a killed run loses nothing finished; a re-run grades only new or changed work.
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import multiprocessing.util
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from autograder.classroom import gradebook
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
from autograder.results.serialize import result_from_json, result_to_json
from autograder.sandbox import SandboxError, WarmSandbox

MAX_ZIP_BYTES = 2 * 1024**3


class BatchInputError(ValueError):
    """A SUBMISSIONS argument that is neither a folder nor a readable zip."""


@dataclass(frozen=True)
class Submission:
    student: str
    path: Path
    content_hash: str


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


def content_hash(path: Path) -> str:
    digest = hashlib.sha256()
    files = (
        [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file() and not p.is_symlink())
    )
    for file in files:
        digest.update(str(file.relative_to(path) if path.is_dir() else file.name).encode() + b"\0")
        digest.update(file.read_bytes() + b"\0")
    return digest.hexdigest()


def grading_fingerprint(course: Course) -> str:
    """What decides a grade besides the submission: the rubric, the reference, the framework figures
    and the grader's version. Part of every gradebook key, so changing any of them regrades."""
    from autograder import __version__

    digest = hashlib.sha256(__version__.encode())
    for path in [course.rubric_path, course.figures_path, *sorted(course.solutions.glob("*.py"))]:
        digest.update(path.read_bytes() if path.is_file() else b"")
    return digest.hexdigest()[:16]


def discover(folder: Path, fingerprint: str = "") -> list[Submission]:
    """One submission per sub-folder or notebook; hidden entries are ignored. A folder and a
    notebook with the same name would be one student: both are graded, the notebook as NAME.ipynb."""
    entries = sorted(p for p in folder.iterdir() if not p.name.startswith((".", "__")))
    found = [p for p in entries if (p.is_dir() and not p.is_symlink()) or p.suffix == ".ipynb"]
    folders = {p.name for p in found if p.is_dir()}
    submissions = []
    for path in found:
        student = path.name if path.is_dir() or path.stem in folders else path.stem
        submissions.append(Submission(student, path, f"{content_hash(path)}-{fingerprint}"))
    return submissions


@contextmanager
def opened(source: Path, modules: tuple[str, ...] = ()) -> Iterator[Path]:
    """The folder of submissions: `source` itself, or a zip safely extracted to a temporary folder."""
    if source.is_dir():
        yield source
        return
    if not source.is_file() or not zipfile.is_zipfile(source):
        raise BatchInputError(f"{source}: expected a folder of submissions or a .zip of them")
    with tempfile.TemporaryDirectory(prefix="batch-") as scratch, zipfile.ZipFile(source) as archive:
        root = Path(scratch).resolve()
        if sum(info.file_size for info in archive.infolist()) > MAX_ZIP_BYTES:
            raise BatchInputError(f"{source}: unpacks to more than {MAX_ZIP_BYTES} bytes")
        for info in archive.infolist():
            target = (root / info.filename).resolve()
            is_link = (info.external_attr >> 16) & 0o170000 == 0o120000
            if not target.is_relative_to(root) or is_link:
                continue  # a path out of the folder, or a symbolic link: not extracted
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(archive.read(info))
        top = [p for p in root.iterdir() if not p.name.startswith((".", "__"))]
        yield (
            top[0]
            if len(top) == 1 and top[0].is_dir() and not any((top[0] / f"{m}.py").exists() for m in modules)
            else root
        )


@functools.cache
def _worker_grader(root: str, rubric: str) -> Grader:
    """One grader per worker process: loading it costs more than grading one submission."""
    return load_grader(Course(Path(root), Path(rubric)))


@functools.cache
def _worker_sandbox(root: str, rubric: str) -> WarmSandbox | None:
    """One warm sandbox per worker process when bubblewrap and root allow it (see WarmSandbox),
    with the rubric's time limits."""
    try:
        sandbox = WarmSandbox(_worker_grader(root, rubric).limits)
    except SandboxError:
        return None
    # Pool workers leave through os._exit, which skips atexit: a multiprocessing finalizer still runs.
    multiprocessing.util.Finalize(sandbox, sandbox.close, exitpriority=10)
    atexit.register(sandbox.close)
    return sandbox


def grade_one(path: str, root: str, rubric: str, sandbox: bool | None) -> str:
    """Runs in a worker (a process of the pool or of a Dask cluster); returns the result as JSON.
    A warm sandbox that died (whatever killed it) is replaced, and the submission tried once more;
    anything else that fails becomes this submission's result, never the batch's end."""
    grader = _worker_grader(root, rubric)
    student = Path(path).stem if Path(path).is_file() else Path(path).name
    result: SubmissionResult | None = None
    for attempt in range(2):
        warm = _worker_sandbox(root, rubric) if sandbox is not False else None
        try:
            result = grade_or_fail(Path(path), grader, sandbox=sandbox, warm=warm)
            break
        except SubmissionError as error:
            result = unusable_submission_result(student, grader.rubric, str(error))
            break
        except SandboxError as error:
            if warm is not None:
                warm.close()
                _worker_sandbox.cache_clear()
            if attempt == 1 or warm is None:
                result = grader_failure_result(student, grader.rubric, error)
    assert result is not None
    return result_to_json(result)


ProgressHook = Callable[[int, int, BatchSummary], None]


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
    """Grade what the gradebook does not hold yet; record each result as it arrives."""
    grader = load_grader(course)  # a broken rubric stops the batch before any work starts
    root, rubric = str(course.root), str(course.rubric_path)
    summary = BatchSummary()
    started = time.perf_counter()
    with gradebook.connect(db) as connection:
        done = gradebook.known_hashes(connection)
        todo = [s for s in submissions if (s.student, s.content_hash) not in done]
        summary.skipped = len(submissions) - len(todo)
        own = executor is None
        pool: Executor = executor or ProcessPoolExecutor(max_workers=jobs)
        try:
            futures: dict[Future[str], Submission] = {
                pool.submit(grade_one, str(s.path), root, rubric, sandbox): s for s in todo
            }
            for future in as_completed(futures):
                submission = futures[future]
                try:
                    result = result_from_json(future.result())
                except Exception as error:  # a lost worker: the student still gets a result
                    result = grader_failure_result(submission.student, grader.rubric, error)
                result = replace(result, submission=submission.student)
                if result.grader_error is not None:
                    summary.grader_errors.append(submission.student)
                # A grader error is kept so the student has a result now; the next run grades it again.
                gradebook.record(connection, submission.student, submission.content_hash, result)
                summary.graded += 1
                if result.troubles:
                    summary.troubled.append(submission.student)
                summary.seconds = time.perf_counter() - started
                if on_progress:
                    on_progress(summary.graded, len(todo), summary)
        finally:
            if own:
                pool.shutdown(cancel_futures=True)
    summary.seconds = time.perf_counter() - started
    return summary
