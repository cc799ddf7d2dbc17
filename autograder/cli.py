"""Command-line interface: parses arguments and calls plain functions, nothing more."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from autograder import layout, stubs
from autograder.grading import SubmissionError as SubmissionPathError
from autograder.rubric import RubricError
from autograder.sandbox import SandboxError

FORMATS = ("text", "json", "markdown", "html")


EXIT_CODES = """exit codes:
  0  every submission was graded (whatever the scores)
  2  usage error, or a broken rubric.yaml (the message names file, key path and expectation)
  3  a submission path that does not exist or is not a folder
  4  the sandbox could not start (use --no-sandbox to grade without bubblewrap)
"""


def submission_path(text: str) -> Path:
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty submission path")
    return Path(text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="autograder",
        description="Grade, package and release the LSTM fundamentals exercises.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    stub_cmd = commands.add_parser(
        "stubs", help="write exercises/ from solutions/ (the student stubs), or check they match"
    )
    stub_cmd.add_argument("--check", action="store_true", help="only report differences; exit 1 if any")
    stub_cmd.add_argument(
        "--solutions", type=Path, default=layout.solutions_dir(), help="reference solutions folder"
    )
    stub_cmd.add_argument(
        "--exercises", type=Path, default=layout.exercises_dir(), help="stubs folder to write"
    )
    stub_cmd.set_defaults(run=run_stubs)

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
        "--rubric", type=Path, default=layout.project_root() / "rubric.yaml", help="rubric file"
    )
    grade.add_argument(
        "--live-frameworks",
        action="store_true",
        help="compute framework figures with torch and Keras now instead of the recorded file",
    )
    grade.add_argument("--no-sandbox", action="store_true", help="run the probe without bubblewrap")
    grade.add_argument("--summary", action="store_true", help="text format: one summary row per submission")
    grade.set_defaults(run=run_grade)

    examples = commands.add_parser(
        "examples", help="write the derived sample submissions, or check they match"
    )
    examples.add_argument("--check", action="store_true", help="only report differences; exit 1 if any")
    examples.add_argument(
        "--target",
        type=Path,
        default=layout.project_root() / "examples" / "submissions",
        help="folder of sample submissions",
    )
    examples.set_defaults(run=run_examples)

    nbgrader = commands.add_parser("nbgrader", help="write an nbgrader course (config and source notebook)")
    nbgrader.add_argument("course", type=Path, metavar="COURSE_DIR", help="the course folder to write")
    nbgrader.add_argument(
        "--rubric", type=Path, default=layout.project_root() / "rubric.yaml", help="rubric file"
    )
    nbgrader.set_defaults(run=run_nbgrader)

    release = commands.add_parser(
        "release", help="write the plain student release (stubs, public tests, README)"
    )
    release.add_argument("out", type=Path, metavar="OUT_DIR", help="an empty or new folder")
    release.set_defaults(run=run_release)

    frameworks = commands.add_parser(
        "frameworks", help="record (or check) the torch/Keras figures the rubric uses"
    )
    frameworks.add_argument(
        "--write", action="store_true", help="recompute live and rewrite the recorded file"
    )
    frameworks.add_argument(
        "--rubric", type=Path, default=layout.project_root() / "rubric.yaml", help="rubric file"
    )
    frameworks.set_defaults(run=run_frameworks)
    return parser


def run_grade(args: argparse.Namespace) -> int:
    from autograder import api

    text = api.grade_and_render(
        args.submissions,
        rubric=args.rubric,
        output_format=args.format,
        live_frameworks=args.live_frameworks,
        sandbox=False if args.no_sandbox else None,
        summary=args.summary,
    )
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def run_examples(args: argparse.Namespace) -> int:
    from autograder import examples

    if args.check:
        differences = examples.sample_differences(args.target)
        for difference in differences:
            print(difference, file=sys.stderr)
        return 1 if differences else 0
    for folder in examples.write_samples(args.target):
        print(f"wrote {folder}")
    return 0


def run_nbgrader(args: argparse.Namespace) -> int:
    from autograder.notebooks import write_course
    from autograder.rubric import load_rubric

    notebook = write_course(args.course, load_rubric(args.rubric))
    print(f"wrote {args.course / 'nbgrader_config.py'} and {notebook}")
    print(f"next: cd {args.course} && nbgrader generate_assignment lstm_fundamentals")
    return 0


def run_release(args: argparse.Namespace) -> int:
    from autograder.release import write_release

    try:
        files = write_release(args.out)
    except FileExistsError as error:
        print(f"autograder: {error}", file=sys.stderr)
        return 2
    print(f"wrote {len(files)} files to {args.out}")
    return 0


def run_frameworks(args: argparse.Namespace) -> int:
    from autograder import framework_figures
    from autograder.rubric import load_rubric

    rubric = load_rubric(args.rubric)
    if args.write:
        figures = framework_figures.compute_live(rubric)
        framework_figures.write_recorded(figures)
        print(f"wrote {framework_figures.RECORDED_PATH} ({figures.versions})")
        return 0
    missing = framework_figures.missing_configurations(rubric, framework_figures.load_recorded())
    for key in missing:
        print(f"missing: {key}", file=sys.stderr)
    return 1 if missing else 0


def run_stubs(args: argparse.Namespace) -> int:
    if args.check:
        differences = stubs.stub_differences(args.solutions, args.exercises)
        for difference in differences:
            print(f"{difference.path}: {difference.reason}", file=sys.stderr)
        if differences:
            print("run `autograder stubs` to regenerate the stubs", file=sys.stderr)
            return 1
        print(f"{args.exercises} is in sync with {args.solutions}")
        return 0
    for path in stubs.write_stubs(args.solutions, args.exercises):
        print(f"wrote {path}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except (stubs.MarkerError, RubricError) as error:
        print(f"autograder: {error}", file=sys.stderr)
        return 2
    except SubmissionPathError as error:
        print(f"autograder: {error}", file=sys.stderr)
        return 3
    except SandboxError as error:
        print(f"autograder: {error} (use --no-sandbox to grade without bubblewrap)", file=sys.stderr)
        return 4
