"""The recorded framework figures: they cover the rubric and agree with torch and Keras live."""

from __future__ import annotations

from autograder.course import Course
from autograder.frameworks.figures import compute_live, load_recorded, missing_configurations
from autograder.grading.grader import Grader, framework_configurations


def test_recorded_figures_cover_every_configuration_the_rubric_uses(grader: Grader, course: Course) -> None:
    needed = framework_configurations(grader.rubric)
    assert needed, "the rubric uses framework figures"
    assert missing_configurations(needed, load_recorded(course.figures_path)) == []


def test_recorded_figures_agree_with_the_frameworks_live(grader: Grader, course: Course) -> None:
    needed = framework_configurations(grader.rubric)
    live = compute_live(needed, grader.ground.references.budget.weight_shapes)
    recorded = load_recorded(course.figures_path)
    assert live.counts == recorded.counts
    assert live.memory == recorded.memory
    assert live.versions == recorded.versions, "frameworks changed: run `autograder frameworks --write`"


def test_reference_agrees_with_the_recorded_figures(grader: Grader, course: Course) -> None:
    budget = grader.ground.references.budget
    recorded = load_recorded(course.figures_path)
    compared = 0
    for check in grader.rubric.checks:
        for case in check.cases:
            if check.kind == "parameter_count":
                args = {k: v for k, v in case.items() if k != "label"}
                assert budget.num_parameters(**args) == recorded.parameter_count(**args)
                compared += 1
    assert compared > 0
