"""The mutation benchmark's parts: where to mutate (`sites`), how (`operators`), the mutants
(`generate`), the oracle that says which mutants change behaviour (`cases`, `behaviour`, `oracle`),
the grader and the public tests run on them (`grading`, `public_tests`), and the report (`report`).
Run it with `python benchmarks/mutation.py`."""
