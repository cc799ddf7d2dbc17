"""The recorded framework figures: they cover the rubric and agree with torch and Keras live."""

from __future__ import annotations

from autograder import layout
from autograder.framework_figures import compute_live, load_recorded, missing_configurations
from autograder.rubric import load_rubric


def test_recorded_figures_cover_every_configuration_the_rubric_uses() -> None:
    rubric = load_rubric(layout.project_root() / "rubric.yaml")
    assert missing_configurations(rubric, load_recorded()) == []


def test_recorded_figures_agree_with_the_frameworks_live() -> None:
    rubric = load_rubric(layout.project_root() / "rubric.yaml")
    live, recorded = compute_live(rubric), load_recorded()
    assert live.counts == recorded.counts
    assert live.memory == recorded.memory
    assert live.versions == recorded.versions, "frameworks changed: run `autograder frameworks --write`"


def test_reference_agrees_with_the_recorded_figures() -> None:
    from autograder.reference import load_reference

    budget = load_reference("lstm_budget")
    recorded = load_recorded()
    rubric = load_rubric(layout.project_root() / "rubric.yaml")
    for check in rubric.checks:
        for case in check.cases:
            if check.kind == "parameter_count":
                args = {k: v for k, v in case.items() if k != "label"}
                assert budget.num_parameters(**args) == recorded.parameter_count(**args)
