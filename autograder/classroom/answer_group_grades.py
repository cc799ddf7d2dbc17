"""Grading answer groups through a CSV: a score on a group's row is every member's grade, a score
on a student's row is that student's own (an exception to the group's), and both go into the
gradebook as manual grades, checked as `manual-grade --import` checks them (all or nothing).

The file `answer-groups` writes, one row per group (student `*`) followed by its members:

    group,student,check_id,score,comment,concepts,answer
    G1,*,b.explanation,,,cell_path_is_forget_gate; can_still_vanish,(the group's first answer)
    G1,ada,b.explanation,,,cell_path_is_forget_gate; can_still_vanish,(ada's answer)

Read back the way `manual-grade` reads a CSV (UTF-8 with or without a byte-order mark, comma,
semicolon or tab); only group, student, check_id, score and comment are read.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from autograder.classroom import gradebook
from autograder.classroom.answer_groups import AnswerGroup
from autograder.classroom.csv_cells import inert
from autograder.classroom.export import write_own
from autograder.classroom.manual_grades import Entry, ManualGradeError, roster, validated

HEADER = ("group", "student", "check_id", "score", "comment", "concepts", "answer")
READ = ("group", "student", "check_id", "score")
WHOLE_GROUP = "*"
ANSWER_CHARS = 2000  # of an answer in the CSV (the HTML page shows it all)


@dataclass(frozen=True)
class GroupRow:
    group: str
    student: str
    check_id: str
    score: str
    comment: str
    row: int


def groups_csv(groups: Sequence[AnswerGroup], check_id: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for group in groups:
        concepts = "; ".join(group.concepts) or "(none)"
        first = group.answers[0].text if group.answers else ""
        writer.writerow([group.id, WHOLE_GROUP, check_id, "", "", concepts, inert(first[:ANSWER_CHARS])])
        for answer in group.answers:
            writer.writerow(
                [
                    group.id,
                    inert(answer.student),
                    check_id,
                    "",
                    "",
                    concepts,
                    inert(answer.text[:ANSWER_CHARS]),
                ]
            )
    return out.getvalue()


def write_groups_csv(groups: Sequence[AnswerGroup], check_id: str, path: Path) -> Path:
    write_own(path, groups_csv(groups, check_id))
    return path


def import_group_grades(db: Path, path: Path) -> int:
    """Every member's grade from the CSV, checked, then written in one transaction; how many.
    ManualGradeError (nothing written) names the file and row of the first problem."""
    entries = list(expanded(list(read_group_rows(path)), path))
    if not entries:
        raise ManualGradeError(f"{path}: no score in it: fill the score of a group's '*' row or a student's")
    with gradebook.open_existing(db) as connection:
        rows = validated(entries, roster(connection), db)
        gradebook.set_manual_grades(connection, rows)
    return len(rows)


def expanded(rows: Sequence[GroupRow], path: Path) -> Iterator[Entry]:
    """One entry per graded student: their own score if given, else their group's."""
    whole: dict[str, GroupRow] = {}
    for row in (r for r in rows if r.student == WHOLE_GROUP):
        if row.group in whole:
            raise ManualGradeError(f"{path}: row {row.row}: group {row.group!r} has a second '*' row")
        whole[row.group] = row
    seen: dict[str, GroupRow] = {}
    for row in (r for r in rows if r.student != WHOLE_GROUP):
        if row.student in seen:
            raise ManualGradeError(
                f"{path}: row {row.row}: {row.student!r} is listed twice (also row {seen[row.student].row})"
            )
        seen[row.student] = row
        group = whole.get(row.group)
        if row.score:
            yield Entry(row.student, row.check_id, row.score, row.comment, path, row.row)
        elif group is not None and group.score:
            check_id = row.check_id or group.check_id
            yield Entry(row.student, check_id, group.score, row.comment or group.comment, path, group.row)


def read_group_rows(path: Path) -> Iterator[GroupRow]:
    text = _text(path)
    first_line = text.splitlines()[0] if text.strip() else ""
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: dict[str, int] = {}
    number = 0
    try:
        for number, row in enumerate(reader, 1):
            if number == 1:
                names = [cell.strip().lower() for cell in row]
                missing = [column for column in READ if column not in names]
                if missing:
                    raise ManualGradeError(
                        f"{path}: row 1: no column {missing[0]!r} (expected {','.join(HEADER)})"
                    )
                header = {name: names.index(name) for name in (*READ, "comment") if name in names}
            elif any(cell.strip() for cell in row):
                yield _row(path, number, header, row)
    except csv.Error as error:
        raise ManualGradeError(f"{path}: row {number + 1}: {error}") from None
    if not header:
        raise ManualGradeError(f"{path}: empty (expected {','.join(HEADER)})")


def _row(path: Path, number: int, header: dict[str, int], row: list[str]) -> GroupRow:
    values = {name: row[index].strip() if index < len(row) else "" for name, index in header.items()}
    for column in ("group", "student"):
        if not values[column]:
            raise ManualGradeError(f"{path}: row {number}: no {column}")
    student = values["student"]
    if student.startswith("'") and inert(student[1:]) == student:  # written inert by groups_csv
        student = student[1:]
    return GroupRow(
        values["group"], student, values["check_id"], values["score"], values.get("comment", ""), number
    )


def _text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except OSError as error:
        raise ManualGradeError(f"{path}: cannot read it: {error.strerror or error}") from None
    except UnicodeDecodeError as error:
        raise ManualGradeError(
            f"{path}: not UTF-8 text (byte at offset {error.start}); save it as CSV UTF-8"
        ) from None
