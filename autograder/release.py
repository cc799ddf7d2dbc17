"""The plain student release: the stubs, the public tests and a student README; nothing hidden."""

from __future__ import annotations

import shutil
from pathlib import Path

from autograder import layout

STUDENT_README = """# LSTM fundamentals: exercises

You will write three small Python modules about LSTMs:

| file | what you write |
|---|---|
| `exercises/lstm_gates.py` | part (a): `sigmoid`, `lstm_step`, `gate_table` |
| `exercises/lstm_gradients.py` | part (b): `cell_path_gradient`, `lstm_cell_gradients`, \
`rnn_hidden_gradients`, `CONCEPT_ANSWERS`, `EXPLANATION` |
| `exercises/lstm_budget.py` | part (c): `weight_shapes`, `num_parameters`, `training_memory` |

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

PUBLIC_TEST_FILES = (
    "conftest.py",
    "public_support.py",
    "test_lstm_gates.py",
    "test_lstm_gradients.py",
    "test_lstm_budget.py",
)


def write_release(target: Path) -> list[Path]:
    """Write the student bundle into `target` (which must not exist or be empty)."""
    if target.exists() and any(target.iterdir()):
        raise FileExistsError(f"{target} is not empty")
    written = []
    (target / "exercises").mkdir(parents=True)
    (target / "tests" / "public").mkdir(parents=True)
    for name in layout.EXERCISE_MODULES:
        written.append(
            Path(shutil.copyfile(layout.exercises_dir() / f"{name}.py", target / "exercises" / f"{name}.py"))
        )
    public = layout.project_root() / "tests" / "public"
    for name in PUBLIC_TEST_FILES:
        written.append(Path(shutil.copyfile(public / name, target / "tests" / "public" / name)))
    readme = target / "README.md"
    readme.write_text(STUDENT_README, encoding="utf-8")
    (target / "pytest.ini").write_text("[pytest]\ntestpaths = tests/public\naddopts = -p no:cacheprovider\n")
    return [*written, readme, target / "pytest.ini"]
