# Two commands: `make demo` grades the bundled sample submissions, `make test` runs every test.
# Both create .venv and install what they need on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test bench

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	# torch first, pinned: this version installs a CPU build; anything else pulls CUDA packages.
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -e '.[test,frameworks,nbgrader,dask,classview]'
	touch $(STAMP)

demo: setup
	$(BIN)/autograder grade examples/submissions/* --summary
	$(BIN)/autograder grade examples/submissions/material_answer

test: setup
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python benchmarks/student_loop.py
	$(BIN)/python benchmarks/grade_one.py
