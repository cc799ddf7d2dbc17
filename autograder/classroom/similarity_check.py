"""`autograder similarity`: compare every submission of a class with every other (see
code_similarity.py for how), and keep what the class report shows: the pairs above the
threshold, the groups they link, and the most similar pairs' matching code side by side.

Run once per class, apart from `batch` (it reads the code, not the results), in parallel over
the machine's cores; its result is kept as similarity.json beside the class report."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from autograder.classroom import code_similarity as similarity
from autograder.classroom.code_sources import Program, read_program
from autograder.classroom.intake import Submission, discover, opened
from autograder.course import Course
from autograder.results.untrusted import untrusted_text

SHOWN_PAIRS = 20  # pairs shown side by side in the report
CONTEXT_LINES = 2  # lines around the matching ones
SHOWN_LINES = 40  # lines of one side at most
LINE_CHARS = 160  # characters of one line at most
CHUNK = 50  # submissions per task of a worker


@dataclass(frozen=True)
class Excerpt:
    """Lines of one side: (line number, text, part of the match); line 0 marks a gap."""

    student: str
    module: str
    lines: tuple[tuple[int, str, bool], ...]


@dataclass(frozen=True)
class SideBySide:
    pair: similarity.SimilarPair
    left: Excerpt
    right: Excerpt


@dataclass(frozen=True)
class SimilarityReport:
    students: int  # programs compared
    threshold: float
    common_limit: int  # a fingerprint more programs have than this is common code
    pair_count: int  # pairs found (`pairs` may hold only the most similar of them)
    pairs: tuple[similarity.SimilarPair, ...]
    clusters: tuple[tuple[str, ...], ...]
    side_by_side: tuple[SideBySide, ...]
    left_out: Mapping[str, str]  # student -> why their code was not compared
    hashes: Mapping[str, str]  # student -> the content hash of the code compared


def find_similar(
    source: Path,
    course: Course,
    *,
    threshold: float = similarity.THRESHOLD,
    jobs: int | None = None,
    exclude: Sequence[Path] = (),
) -> SimilarityReport:
    """Compare the class in `source` (a folder or zip of submissions, as `batch` reads it);
    intake.BatchInputError for a source that is neither."""
    from autograder.grading.grader import load_course_rubric, recorded_figures

    rubric = load_course_rubric(course, recorded_figures(course))
    parts = tuple((part.id, part.module) for part in rubric.parts)
    contract = {module: tuple(names) for module, names in rubric.contract.items()}
    stubs = [path.read_text(encoding="utf-8") for path in sorted(course.exercises.glob("*.py"))]
    boilerplate = similarity.boilerplate_hashes(stubs)
    with opened(source, rubric.modules) as intake:
        found = discover(intake.folder, modules=rubric.modules, exclude=exclude, damaged=intake.damaged)
        read = _fingerprinted(found, parts, contract, boilerplate, jobs)
        programs = {student: prints for student, (_, prints) in read.items() if prints is not None}
        pairs = similarity.similar_pairs(programs, threshold=threshold)
        by_student = {s.student: s for s in found}
        own = similarity.distinctive(programs, similarity.common_limit(len(programs)))
        shown = tuple(
            _side_by_side(pair, by_student, parts, contract, programs, own)
            for pair in _representatives(pairs)
        )
    return SimilarityReport(
        students=len(programs),
        threshold=threshold,
        common_limit=similarity.common_limit(len(programs)),
        pair_count=len(pairs),
        pairs=tuple(pairs),
        clusters=tuple(tuple(group) for group in similarity.clusters(pairs)),
        side_by_side=shown,
        left_out={s: why for s, (why, prints) in read.items() if prints is None},
        hashes={s: why for s, (why, prints) in read.items() if prints is not None},
    )


Read = dict[str, tuple[str, similarity.Fingerprints | None]]  # student -> (hash or why not, prints)


def _fingerprinted(
    found: Sequence[Submission],
    parts: tuple[tuple[str, str], ...],
    contract: Mapping[str, tuple[str, ...]],
    boilerplate: frozenset[int],
    jobs: int | None,
) -> Read:
    """Every submission's fingerprints (or why there are none), on `jobs` processes."""
    chunks = [list(found[start : start + CHUNK]) for start in range(0, len(found), CHUNK)]
    workers = min(jobs or os.cpu_count() or 1, len(chunks))
    read: Read = {}
    if workers <= 1:
        for chunk in chunks:
            read.update(fingerprint_chunk(chunk, parts, contract, boilerplate))
        return read
    with ProcessPoolExecutor(max_workers=workers) as pool:
        tasks = [pool.submit(fingerprint_chunk, chunk, parts, contract, boilerplate) for chunk in chunks]
        for task in tasks:
            read.update(task.result())
    return read


def fingerprint_chunk(
    chunk: Sequence[Submission],
    parts: tuple[tuple[str, str], ...],
    contract: Mapping[str, tuple[str, ...]],
    boilerplate: frozenset[int],
) -> Read:
    """Runs in a worker: each submission's fingerprints, or why it cannot be read."""
    read: Read = {}
    for submission in chunk:
        program = read_program(submission, parts, contract)
        if isinstance(program, str):
            read[submission.student] = (program, None)
            continue
        modules = [similarity.normalised_module(name, text) for name, text in program.sources.items()]
        read[submission.student] = (program.content_hash, similarity.fingerprints(modules, boilerplate))
    return read


def _representatives(pairs: Sequence[similarity.SimilarPair]) -> list[similarity.SimilarPair]:
    """The pairs to show: the most similar pair of each group first, then the next ones."""
    seen: set[str] = set()
    first: list[similarity.SimilarPair] = []
    rest: list[similarity.SimilarPair] = []
    for pair in pairs:
        (rest if pair.a in seen or pair.b in seen else first).append(pair)
        seen.update((pair.a, pair.b))
    return (first + rest)[:SHOWN_PAIRS]


def _side_by_side(
    pair: similarity.SimilarPair,
    submissions: Mapping[str, Submission],
    parts: tuple[tuple[str, str], ...],
    contract: Mapping[str, tuple[str, ...]],
    programs: Mapping[str, similarity.Fingerprints],
    own: Mapping[str, frozenset[int]],
) -> SideBySide:
    """The module where the pair shares most of its distinctive fingerprints (of all of them,
    for programs with none), each side's matching lines in it."""
    a, b = programs[pair.a], programs[pair.b]
    shared = (own[pair.a] & own[pair.b]) or (a.hashes & b.hashes)
    counts: dict[str, int] = {}
    for value in shared:
        counts[a.places[value][0]] = counts.get(a.places[value][0], 0) + 1
    module = max(sorted(counts), key=lambda name: counts[name]) if counts else ""
    values = [v for v in shared if a.places[v][0] == module and b.places[v][0] == module]
    return SideBySide(
        pair,
        _excerpt(pair.a, module, [a.places[v][1] for v in values], submissions[pair.a], parts, contract),
        _excerpt(pair.b, module, [b.places[v][1] for v in values], submissions[pair.b], parts, contract),
    )


def _excerpt(
    student: str,
    module: str,
    starts: Sequence[int],
    submission: Submission,
    parts: tuple[tuple[str, str], ...],
    contract: Mapping[str, tuple[str, ...]],
) -> Excerpt:
    program = read_program(submission, parts, contract)
    if not isinstance(program, Program) or module not in program.sources:
        return Excerpt(student, module, ())
    text = program.sources[module]
    lines = similarity.normalised_module(module, text).lines
    matched = {line for start in starts for line in lines[start : start + similarity.K]}
    source_lines = text.splitlines()
    wanted = sorted(
        {n for line in matched for n in range(line - CONTEXT_LINES, line + CONTEXT_LINES + 1)}
        & set(range(1, len(source_lines) + 1))
    )
    shown: list[tuple[int, str, bool]] = []
    for number in wanted[:SHOWN_LINES]:
        if shown and number != shown[-1][0] + 1:
            shown.append((0, "", False))
        line = untrusted_text(source_lines[number - 1], LINE_CHARS)
        shown.append((number, line, number in matched))
    return Excerpt(student, module, tuple(shown))
