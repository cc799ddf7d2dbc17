"""Command-line interface: parses arguments and calls plain functions, nothing more."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from autograder import exit_codes
from autograder.classroom.class_view_commands import add_class_view_commands
from autograder.course import Course, CourseError, open_course

FORMATS = ("text", "json", "markdown", "html")

EXIT_CODES = """exit codes:
  0  every submission was graded (whatever the scores)
  2  usage error, not a course folder, or a broken rubric.yaml (one line: file, key path, expectation);
     bad input to an instructor command (a gradebook or CSV, a grade) or an output that cannot be written
  3  a submission path that does not exist or is not a folder (the others are still graded)
  4  the sandbox could not start (use --no-sandbox to grade without bubblewrap)
  130  batch interrupted (Ctrl-C): the gradebook keeps every finished result; run it again to resume
"""
NO_BUBBLEWRAP = (
    "autograder: bubblewrap is not installed, so student code ran with reduced isolation "
    "(docs/THREAT_MODEL.md says what that does not protect); install it with "
    "`apt-get install bubblewrap`"
)


def submission_path(text: str) -> Path:
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty submission path")
    return Path(text)


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text}: must be 1 or more")
    return value


def add_grading_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """grade and batch: what an instructor runs on submissions."""
    grade = commands.add_parser(
        "grade",
        help="grade one or more submission folders",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    grade.add_argument(
        "submissions",
        nargs="+",
        type=submission_path,
        metavar="SUBMISSION",
        help="a folder holding lstm_gates.py, lstm_gradients.py, lstm_budget.py",
    )
    grade.add_argument(
        "--format", choices=FORMATS, default="text", help="how to render the results (default: text)"
    )
    grade.add_argument("--output", type=Path, help="write the rendering here instead of standard output")
    grade.add_argument(
        "--rubric", type=Path, default=None, help="rubric file (default: the course's rubric.yaml)"
    )
    grade.add_argument(
        "--live-frameworks",
        action="store_true",
        help="compute framework figures with torch and Keras now instead of the recorded file",
    )
    grade.add_argument("--no-sandbox", action="store_true", help="run the probe without bubblewrap")
    grade.add_argument("--summary", action="store_true", help="text format: one summary row per submission")
    grade.set_defaults(run=run_grade)

    batch = commands.add_parser(
        "batch",
        help="grade a whole class (a folder or zip of submissions), resumably, in parallel",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    batch.add_argument(
        "submissions",
        type=Path,
        metavar="SUBMISSIONS",
        help="a folder of per-student folders or notebooks, or a .zip of them",
    )
    batch.add_argument("--out", type=Path, default=Path("grading"), help="where the gradebook and exports go")
    batch.add_argument("--db", type=Path, help="gradebook file (default: OUT/gradebook.sqlite)")
    batch.add_argument("--jobs", type=positive_int, help="worker processes (default: one per core)")
    batch.add_argument("--dask-scheduler", metavar="ADDRESS", help="grade on this Dask cluster instead")
    batch.add_argument(
        "--rubric", type=Path, default=None, help="rubric file (default: the course's rubric.yaml)"
    )
    batch.add_argument("--no-sandbox", action="store_true", help="run the probes without bubblewrap")
    batch.add_argument("--no-progress", action="store_true", help="no progress bar")
    batch.add_argument("--plots", action="store_true", help="draw the gradient plot in every feedback.html")
    batch.set_defaults(run=run_batch_command)


def add_class_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """manual grades, exports, and grading inside Gradescope."""
    manual = commands.add_parser(
        "manual-grade", help="enter grades for manual items (the written explanation)"
    )
    manual.add_argument("--db", type=Path, required=True, help="the gradebook file `batch` wrote")
    manual.add_argument(
        "--import", dest="import_csv", type=Path, help="CSV with columns student,check_id,score[,comment]"
    )
    manual.add_argument(
        "entry", nargs="*", metavar="STUDENT CHECK SCORE", help="one grade, e.g. ada b.explanation 3.5"
    )
    manual.add_argument(
        "--comment", default="", help="a comment shown with the grade given as STUDENT CHECK SCORE"
    )
    manual.set_defaults(run=run_manual_grade)

    export = commands.add_parser(
        "export", help="rewrite the CSV, feedback files and class report from a gradebook"
    )
    export.add_argument("--db", type=Path, required=True, help="the gradebook file `batch` wrote")
    export.add_argument("--out", type=Path, required=True, help="where the exports go")
    export.add_argument("--plots", action="store_true", help="draw the gradient plot in every feedback.html")
    export.set_defaults(run=run_export)

    gradescope_run = commands.add_parser("gradescope-run", help="(inside Gradescope) grade the submission")
    gradescope_run.add_argument("--root", type=Path, default=Path("/autograder"), help="Gradescope's folder")
    gradescope_run.set_defaults(run=run_gradescope_run)


def add_authoring_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """what a course author runs: stubs, samples, releases, bundles, figures."""
    stub_cmd = commands.add_parser(
        "stubs",
        help="write exercises/ from solutions/ (the student stubs) and the README's contract table, "
        "or check they match",
    )
    stub_cmd.add_argument("--check", action="store_true", help="only report differences; exit 1 if any")
    stub_cmd.set_defaults(run=run_stubs)

    examples = commands.add_parser(
        "examples", help="write the derived sample submissions, or check they match"
    )
    examples.add_argument("--check", action="store_true", help="only report differences; exit 1 if any")
    examples.set_defaults(run=run_examples)

    nbgrader = commands.add_parser("nbgrader", help="write an nbgrader course (config and source notebook)")
    nbgrader.add_argument(
        "nbgrader_course", type=Path, metavar="COURSE_DIR", help="the nbgrader course folder to write"
    )
    nbgrader.add_argument(
        "--rubric", type=Path, default=None, help="rubric file (default: the course's rubric.yaml)"
    )
    nbgrader.add_argument(
        "--force", action="store_true", help="overwrite a config or source notebook that was edited"
    )
    nbgrader.set_defaults(run=run_nbgrader)

    release = commands.add_parser(
        "release", help="write the plain student release (stubs, public tests, README)"
    )
    release.add_argument("out", type=Path, metavar="OUT_DIR", help="an empty or new folder")
    release.set_defaults(run=run_release)

    gradescope = commands.add_parser("gradescope", help="build a Gradescope autograder bundle (zip)")
    gradescope.add_argument("zip", type=Path, metavar="OUT.zip", help="the bundle to write")
    gradescope.set_defaults(run=run_gradescope)

    frameworks = commands.add_parser(
        "frameworks", help="record (or check) the torch/Keras figures the rubric uses"
    )
    frameworks.add_argument(
        "--write", action="store_true", help="recompute live and rewrite the recorded file"
    )
    frameworks.add_argument(
        "--rubric", type=Path, default=None, help="rubric file (default: the course's rubric.yaml)"
    )
    frameworks.set_defaults(run=run_frameworks)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="autograder",
        description="Grade, package and release the LSTM fundamentals exercises.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--course",
        type=Path,
        default=None,
        metavar="DIR",
        help="the course folder: rubric.yaml, solutions/, exercises/ (default: the current directory)",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    add_grading_commands(commands)
    add_class_commands(commands)
    add_class_view_commands(commands)
    add_authoring_commands(commands)
    return parser


def course_of(args: argparse.Namespace) -> Course:
    return open_course(args.course, getattr(args, "rubric", None))


def run_grade(args: argparse.Namespace) -> int:
    from autograder import api
    from autograder.sandbox import bubblewrap_available

    sandbox = False if args.no_sandbox else None
    with api.early_sandbox(sandbox is None) as warm:
        course = course_of(args)
        gradable, problems = api.usable_paths(args.submissions)
        live = args.live_frameworks
        results = api.grade(gradable, course=course, live_frameworks=live, sandbox=sandbox, warm=warm)
    if results:
        text = api.render(results, args.format, summary=args.summary)
        if args.output:
            args.output.write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text if text.endswith("\n") else text + "\n")
    for result in results:
        if result.grader_error is not None:  # for the instructor running the command, not the student
            print(
                f"autograder: grader error on {result.submission}:\n{result.grader_error.traceback}",
                file=sys.stderr,
            )
    if results and sandbox is None and not bubblewrap_available():
        print(NO_BUBBLEWRAP, file=sys.stderr)
    for problem in problems:
        print(f"autograder: {problem}", file=sys.stderr)
    return 3 if problems else 0


def run_examples(args: argparse.Namespace) -> int:
    from autograder.authoring import examples

    course = course_of(args)
    if args.check:
        differences = examples.sample_differences(course)
        for difference in differences:
            print(difference, file=sys.stderr)
        return 1 if differences else 0
    for folder in examples.write_samples(course):
        print(f"wrote {folder}")
    return 0


def run_nbgrader(args: argparse.Namespace) -> int:
    from autograder.grading.grader import load_grader
    from autograder.platforms.notebooks import write_course

    grader = load_grader(course_of(args))
    changed = write_course(args.nbgrader_course, grader.rubric, grader.course, force=args.force)
    written = [str(path) for path, wrote in changed.items() if wrote]
    if written:
        print(f"wrote {' and '.join(written)}")
    else:
        print(f"nothing changed: {' and '.join(map(str, changed))} are up to date")
    print(f"next: cd {args.nbgrader_course} && nbgrader generate_assignment lstm_fundamentals")
    return 0


def run_release(args: argparse.Namespace) -> int:
    from autograder.authoring.release import write_release
    from autograder.grading.grader import load_grader

    grader = load_grader(course_of(args))
    files = write_release(args.out, grader.course, grader.rubric)  # an OSError: main's one line
    print(f"wrote {len(files)} files to {args.out}")
    return 0


def run_batch_command(args: argparse.Namespace) -> int:
    from autograder.classroom import commands

    return commands.grade_class(
        args.submissions,
        out=args.out,
        db=args.db,
        jobs=args.jobs,
        dask_scheduler=args.dask_scheduler,
        course=course_of(args),
        sandbox=False if args.no_sandbox else None,
        progress=not args.no_progress,
        plots=args.plots,
    )


def run_manual_grade(args: argparse.Namespace) -> int:
    from autograder.classroom.manual_grades import record_manual_grades

    count = record_manual_grades(args.db, args.entry, args.import_csv, args.comment)
    print(f"recorded {count} manual grade(s) in {args.db}")
    return 0


def run_export(args: argparse.Namespace) -> int:
    from autograder.classroom import commands

    commands.export_all(args.db, args.out, plots=args.plots)
    print(f"wrote exports to {args.out}")
    return 0


def run_gradescope(args: argparse.Namespace) -> int:
    from autograder.platforms.gradescope import build_bundle

    print(f"wrote {build_bundle(args.zip, course_of(args))}")
    return 0


def run_gradescope_run(args: argparse.Namespace) -> int:
    from autograder.platforms.gradescope import run_in_gradescope

    try:
        course = course_of(args)
    except CourseError:
        course = None  # still a results.json: the grader failed, not the student
    print(f"wrote {run_in_gradescope(args.root, course)}")
    return 0


def run_frameworks(args: argparse.Namespace) -> int:
    from autograder.frameworks import figures as framework_figures
    from autograder.grading.grader import framework_configurations, load_grader

    course = course_of(args)
    grader = load_grader(course, live_frameworks=True) if args.write else load_grader(course)
    if args.write:
        framework_figures.write_recorded(grader.ground.figures, course.figures_path)
        print(f"wrote {course.figures_path} ({grader.ground.figures.versions})")
        return 0
    missing = framework_figures.missing_configurations(
        framework_configurations(grader.rubric), grader.ground.figures
    )
    for key in missing:
        print(f"missing: {key}", file=sys.stderr)
    return 1 if missing else 0


def run_stubs(args: argparse.Namespace) -> int:
    from autograder.authoring import contract, stubs
    from autograder.grading.grader import load_course_rubric, recorded_figures

    course = course_of(args)
    rubric = load_course_rubric(course, recorded_figures(course))
    if args.check:
        problems = [
            f"{d.path}: {d.reason}" for d in stubs.stub_differences(course.solutions, course.exercises)
        ]
        readme = contract.readme_difference(course.readme, rubric)
        problems += [f"{course.readme}: {readme}"] if readme else []
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            print("run `autograder stubs` to regenerate the stubs and the README's contract", file=sys.stderr)
            return 1
        print(
            f"{course.exercises} and the README's contract are in sync with {course.solutions} and the rubric"
        )
        return 0
    for path in stubs.write_stubs(course.solutions, course.exercises):
        print(f"wrote {path}")
    if contract.write_readme_contract(course.readme, rubric):
        print(f"wrote the contract table in {course.readme}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except Exception as error:
        said = exit_codes.said(error)
        if said is None:
            raise
        code, line = said
        print(f"autograder: {line}", file=sys.stderr)
        return code
