"""Mutation benchmark: how many single-point mistakes in the reference the grader catches.

    python benchmarks/mutation.py [--sample N] [--seed S] [--jobs J] [--json PATH]

1. Mutates solutions/*.py (the code of the solution blocks and the functions they sit in) with
   AST operators, one change per mutant (benchmarks/mutants/operators.py); the answers the
   rubric grades by hand (its `manual` checks) are left alone.
2. Classifies each mutant with an oracle that never uses the grader: the mutated module against
   the reference on the contract's inputs (benchmarks/mutants/cases.py), in forked processes with
   time and memory limits. "real": some input gives another outcome; "equivalent": none does.
3. Grades the reference, the real and the equivalent mutants with one `autograder batch` (each a
   submission folder: the mutated module beside the two reference modules). A real mutant is
   caught if it loses a point on an automatic check; a point lost by the reference or by an
   equivalent mutant is a false fail.
4. Runs the public tests (tests/public) on every mutant: their kill rate on the real ones, and
   any failure on an equivalent one.

Prints the counts, both kill rates, the false fails and every survivor with an input on which it
differs; --json writes all of it as data. Not part of `make test` (a small sample is:
tests/project/test_mutation_sample.py).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="benchmarks/mutation.py",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--sample", type=positive_int, metavar="N", help="a random sample of N mutants (default: all)"
    )
    parser.add_argument(
        "--seed", type=int, default=0, metavar="S", help="the sample's random seed (default: 0)"
    )
    parser.add_argument(
        "--jobs",
        type=positive_int,
        default=os.cpu_count() or 2,
        metavar="J",
        help="processes at once (default: one per core)",
    )
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the results as JSON here")
    arguments = parser.parse_args(argv)
    if arguments.json is not None and arguments.json.is_dir():
        parser.error(f"--json {arguments.json}: is a folder; give a file name")
    return arguments


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    # One BLAS thread per process: the forked workers are the parallelism.
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(variable, "1")
    sys.path.insert(0, str(ROOT))
    from benchmarks.mutants.generate import all_mutants, hand_graded_names
    from benchmarks.mutants.pipeline import measure
    from benchmarks.mutants.report import render
    from benchmarks.mutants.results import to_json

    mutants_all = all_mutants(ROOT / "solutions", hand_graded_names(ROOT / "rubric.yaml"))
    chosen = mutants_all
    if arguments.sample is not None and arguments.sample < len(mutants_all):
        picked = sorted(random.Random(arguments.seed).sample(range(len(mutants_all)), arguments.sample))
        chosen = [mutants_all[i] for i in picked]
    with tempfile.TemporaryDirectory(prefix="mutation-") as scratch:
        try:
            run = measure(ROOT, chosen, len(mutants_all), Path(scratch), jobs=arguments.jobs)
        except RuntimeError as error:  # the grader or the public tests could not run at all
            print(f"benchmarks/mutation.py: {error}", file=sys.stderr)
            return 1
    print(render(run))
    if arguments.json is not None:
        arguments.json.parent.mkdir(parents=True, exist_ok=True)
        arguments.json.write_text(json.dumps(to_json(run), indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
