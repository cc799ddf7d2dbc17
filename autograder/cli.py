"""Command-line interface: parses arguments and calls plain functions, nothing more."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from autograder import layout, stubs


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="autograder",
        description="Grade, package and release the LSTM fundamentals exercises.",
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
    return parser


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
    except stubs.MarkerError as error:
        print(f"autograder: {error}", file=sys.stderr)
        return 2
