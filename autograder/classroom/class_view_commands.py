"""The instructor's class-view commands: `similarity`, `answer-groups` and `lms-export`. Each
parses its arguments and calls plain functions; bad input is one line and exit 2 (3 for a
SUBMISSIONS that is not a folder or a zip), never a traceback."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from autograder.classroom.code_similarity import THRESHOLD
from autograder.classroom.lms_export import PLATFORMS
from autograder.course import Course, open_course

# Every command's parser is built on each run of `autograder` (of `grade` too): what a command needs
# beyond its arguments (its error classes too) is imported when that command runs.

EXTRA = "pip install 'lstm-autograder[classview]'"


def add_class_view_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    similarity = commands.add_parser(
        "similarity",
        help="list suspiciously similar submissions (beside the class report in OUT)",
        description="Compare every submission with every other over normalised code (names, literals, "
        "layout and the released stubs left aside) and keep the pairs above the threshold in "
        "OUT/similarity.json; the class report in OUT shows them.",
    )
    similarity.add_argument(
        "submissions", type=Path, metavar="SUBMISSIONS", help="the class: a folder or zip"
    )
    similarity.add_argument("--out", type=Path, default=Path("grading"), help="where batch wrote its exports")
    similarity.add_argument("--db", type=Path, help="gradebook file (default: OUT/gradebook.sqlite)")
    similarity.add_argument(
        "--threshold",
        type=share,
        default=THRESHOLD,
        help=f"the share of a pair's distinctive code in common from which it is listed ({THRESHOLD:g})",
    )
    similarity.add_argument("--jobs", type=whole_number, help="worker processes (default: one per core)")
    similarity.add_argument("--rubric", type=Path, default=None, help="rubric file (default: the course's)")
    similarity.set_defaults(run=run_similarity)

    groups = commands.add_parser(
        "answer-groups",
        help="group the written answers to grade them once per group; import the graded CSV",
        description="Without --import: write OUT/answer_groups.html (read the groups) and "
        "OUT/answer_groups.csv (fill a group's '*' row, or a student's row for an exception). "
        "With --import: record every member's grade in the gradebook.",
    )
    groups.add_argument("--db", type=Path, required=True, help="the gradebook file `batch` wrote")
    groups.add_argument(
        "--out", type=Path, help="where the page and CSV go (default: the gradebook's folder)"
    )
    groups.add_argument("--check", help="the manual check to group (default: the one with concepts)")
    groups.add_argument("--import", dest="import_csv", type=Path, help="the filled answer_groups.csv")
    groups.add_argument("--rubric", type=Path, default=None, help="rubric file (default: the course's)")
    groups.set_defaults(run=run_answer_groups)

    lms = commands.add_parser("lms-export", help="write the grades as Canvas or Moodle imports them")
    lms.add_argument("--db", type=Path, required=True, help="the gradebook file `batch` wrote")
    lms.add_argument("--lms", choices=PLATFORMS, required=True, help="the platform to import into")
    lms.add_argument("--out", type=Path, required=True, help="the CSV file to write")
    lms.add_argument("--map", dest="mapping", type=Path, help="CSV: student, then the LMS's ids (see README)")
    lms.add_argument("--assignment", help="the assignment's name in the LMS (default: the rubric's)")
    lms.add_argument("--assignment-id", default="", help="Canvas: the existing assignment's id")
    lms.add_argument("--rubric", type=Path, default=None, help="rubric file (default: the course's)")
    lms.set_defaults(run=run_lms_export)


def share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: not a number") from None
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"{text}: expected a number above 0 and at most 1")
    return value


def whole_number(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a whole number, 1 or more")
    return int(text)


def _course(args: argparse.Namespace) -> Course:
    return open_course(args.course, args.rubric)


def _failed(error: Exception | str, code: int = 2) -> int:
    print(f"autograder: {error}", file=sys.stderr)
    return code


def run_similarity(args: argparse.Namespace) -> int:
    from autograder.classroom.intake import BatchInputError
    from autograder.classroom.similarity_store import SimilarityFileError

    try:
        from autograder.classroom import class_view_runs

        return class_view_runs.similarity(
            args.submissions, args.out, args.db, _course(args), args.threshold, args.jobs
        )
    except BatchInputError as error:
        return _failed(error, 3)
    except SimilarityFileError as error:
        return _failed(error)
    except ImportError as error:
        return _failed(f"similarity needs {error.name}: {EXTRA}")


def run_answer_groups(args: argparse.Namespace) -> int:
    from autograder.classroom.answer_groups import AnswerGroupError

    try:
        from autograder.classroom import class_view_runs

        if args.import_csv:
            return class_view_runs.import_groups(args.db, args.import_csv)
        return class_view_runs.answer_groups(args.db, args.out or args.db.parent, _course(args), args.check)
    except AnswerGroupError as error:
        return _failed(error)
    except ImportError as error:
        return _failed(f"answer-groups needs {error.name}: {EXTRA}")


def run_lms_export(args: argparse.Namespace) -> int:
    from autograder.classroom.lms_export import LmsExportError

    try:
        from autograder.classroom import class_view_runs

        return class_view_runs.lms_export(
            args.db, args.out, args.lms, args.mapping, args.assignment, args.assignment_id, _course(args)
        )
    except LmsExportError as error:
        return _failed(error)
