"""What the class-view commands do, callable without a command line (tests call these): each
checks its input, writes its files and prints one summary line; exit code 0."""

from __future__ import annotations

import sys
from pathlib import Path

from autograder.classroom import gradebook
from autograder.classroom.answer_group_grades import import_group_grades, write_groups_csv
from autograder.classroom.answer_groups import class_answers, group_answers, manual_check, rubric_concepts
from autograder.classroom.class_view import ANSWER_GROUPS_PAGE, REPORT_HTML, write_class_report
from autograder.classroom.export import output_folder, write_own
from autograder.classroom.lms_export import (
    canvas_csv,
    identities_for,
    lms_grades,
    moodle_csv,
    read_mapping,
)
from autograder.classroom.similarity_check import find_similar
from autograder.classroom.similarity_store import FILE_NAME, report_json
from autograder.course import Course
from autograder.grading.grader import load_course_rubric, recorded_figures
from autograder.reports.answer_groups_page import render_answer_groups
from autograder.results.model import SubmissionResult

ANSWER_GROUPS_CSV = "answer_groups.csv"


def _results(db: Path) -> dict[str, SubmissionResult]:
    with gradebook.open_existing(db) as connection:
        return gradebook.latest_results(connection)


def similarity(
    submissions: Path, out: Path, db: Path | None, course: Course, threshold: float, jobs: int | None
) -> int:
    """Compare the class, keep OUT/similarity.json, and rewrite the class report if OUT has one."""
    db = db or out / "gradebook.sqlite"
    exclude = (out, db)
    report = find_similar(submissions, course, threshold=threshold, jobs=jobs, exclude=exclude)
    output_folder(out)
    write_own(out / FILE_NAME, report_json(report))
    where = f"kept in {out / FILE_NAME}"
    if db.is_file():
        with gradebook.open_existing(db) as connection:
            rows = gradebook.graded_rows(connection)
            results = gradebook.latest_results(connection)
        current = {row["student"]: row["content_hash"] for row in sorted(rows, key=lambda r: r["graded_at"])}
        where = f"shown in {write_class_report(results, out, current)}"
    print(
        f"{report.students} programs compared: {report.pair_count} pairs at or above {report.threshold:g} "
        f"in {len(report.clusters)} groups; {where}"
    )
    return 0


def answer_groups(db: Path, out: Path, course: Course, check_id: str | None) -> int:
    """Group the answers; write the page and the CSV to fill (and relink the report in OUT)."""
    rubric = load_course_rubric(course, recorded_figures(course))
    check = manual_check(rubric.checks, check_id)
    concepts = rubric_concepts(check)
    results = _results(db)
    groups = group_answers(class_answers(results, check.id, concepts))
    output_folder(out)
    csv_path = write_groups_csv(groups, check.id, out / ANSWER_GROUPS_CSV)
    write_own(out / ANSWER_GROUPS_PAGE, render_answer_groups(groups, check, concepts, csv_path.name))
    if (out / REPORT_HTML).is_file():
        write_class_report(results, out)
    answers = sum(len(group.answers) for group in groups)
    print(
        f"{answers} answers to {check.id} in {len(groups)} groups: read {out / ANSWER_GROUPS_PAGE}, "
        f"fill {csv_path}, then `autograder answer-groups --db {db} --import {csv_path}`"
    )
    return 0


def import_groups(db: Path, csv_path: Path) -> int:
    count = import_group_grades(db, csv_path)
    print(f"recorded {count} manual grade(s) in {db}")
    return 0


def lms_export(
    db: Path,
    out: Path,
    platform: str,
    mapping_path: Path | None,
    assignment: str | None,
    assignment_id: str,
    course: Course,
) -> int:
    mapping = read_mapping(mapping_path) if mapping_path else None
    results = _results(db)
    name = assignment or load_course_rubric(course, recorded_figures(course)).assignment
    grades = lms_grades(results, name)
    identities = identities_for(list(grades.scores), platform, mapping, mapping_path)
    text = (
        canvas_csv(grades, identities, assignment_id)
        if platform == "canvas"
        else moodle_csv(grades, identities)
    )
    if out.parent != Path():
        output_folder(out.parent)
    write_own(out, text)
    print(f"wrote {out}: {len(grades.scores)} students for {platform}, out of {grades.points:g} points")
    if grades.ungraded:
        print(
            f"autograder: note: {len(grades.ungraded)} student(s) have a manual item not graded yet "
            f"(such as {grades.ungraded[0]}); their totals leave it out",
            file=sys.stderr,
        )
    return 0
