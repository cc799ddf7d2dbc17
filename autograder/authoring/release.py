"""The plain student release: the stubs, the public tests and a student README; nothing hidden."""

from __future__ import annotations

import shutil
from pathlib import Path

from autograder.authoring.contract import contract_table
from autograder.course import Course
from autograder.rubric.model import Rubric

STUDENT_README = """# LSTM fundamentals: exercises

You will write a small Python module per part:

{contract}

Each file starts with the problem statement. Replace every `raise NotImplementedError(...)` with your code.

## Set up (once)

You need Python 3.11 or newer, numpy and pytest:

```bash
python3 -m venv .venv
.venv/bin/pip install numpy pytest
```

## Check your work

```bash
.venv/bin/pytest tests/public
```

Every test fails with "not implemented yet" until you write the function it checks; after that, a
failing test says what your function returned, what was expected, and gives a hint.

## What is graded

The public tests are a first check, not the grade. Your submission is graded on more inputs
(including the worked question: input size 100, hidden size 64, batch 32) and on hidden checks of
the same functions; wrong answers get feedback that names the mistake. The concept questions are
graded by their letter, and `EXPLANATION` is read and graded by hand. Submit the three files in
`exercises/`.
"""


def write_release(target: Path, course: Course, rubric: Rubric) -> list[Path]:
    """Write the student bundle into `target` (which must not exist or be empty): the stubs, the
    public tests (every .py file of the course's tests/public) and a README. A `target` that is a
    file or a folder with something in it is a FileExistsError (one line); a write that fails (a
    read-only folder, a full disk) is the OSError it raised."""
    if target.exists() and not target.is_dir():
        raise FileExistsError(f"{target}: exists and is not a folder")
    if target.exists() and any(target.iterdir()):
        raise FileExistsError(f"{target}: is not empty (give an empty or new folder)")
    written = []
    (target / "exercises").mkdir(parents=True)
    (target / "tests" / "public").mkdir(parents=True)
    for name in rubric.modules:
        written.append(
            Path(shutil.copyfile(course.exercises / f"{name}.py", target / "exercises" / f"{name}.py"))
        )
    for test in sorted(course.public_tests.glob("*.py")):
        written.append(Path(shutil.copyfile(test, target / "tests" / "public" / test.name)))
    readme = target / "README.md"
    readme.write_text(STUDENT_README.format(contract=contract_table(rubric)), encoding="utf-8")
    (target / "pytest.ini").write_text(
        "[pytest]\ntestpaths = tests/public\naddopts = -p no:cacheprovider\n", encoding="utf-8"
    )
    return [*written, readme, target / "pytest.ini"]
