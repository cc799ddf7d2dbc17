"""The words of the feedback: what each case, failure and diagnosis says. Every rendering (text,
Markdown, HTML, Gradescope's output) takes its sentences from here, so they agree."""

from __future__ import annotations

from autograder.results.model import CaseOutcome, CheckOutcome, Failure, FailureKind, GraderError


def failure_text(failure: Failure) -> str:
    kind, detail = failure.kind, failure.detail
    if kind is FailureKind.NOT_IMPLEMENTED:
        return "not implemented yet (it raises NotImplementedError)"
    if kind is FailureKind.RAISED:
        return f"raised {failure.exception}: {detail}" + (f" ({failure.where})" if failure.where else "")
    if kind is FailureKind.TIMED_OUT:
        return detail if detail.startswith("skipped") else f"timed out: {detail}"
    if kind is FailureKind.UNREADABLE_VALUE:
        return f"returned a value that could not be read back: {detail}"
    if kind is FailureKind.LIMIT_HIT:
        return f"hit a limit: {detail}" if detail else "hit a limit"
    if kind is FailureKind.GRADER_ERROR:
        return f"not graded: the grader failed ({detail})"
    return detail or kind.value  # probe died, missing, unusable file, forged: the detail says it


def case_lines(case: CaseOutcome) -> list[str]:
    if case.passed:
        return [f"✓ {case.label}"]
    said = case.message or (failure_text(case.failure) if case.failure else "wrong")
    if case.message and case.failure:
        said += f", instead: {failure_text(case.failure)}"
    lines = [f"✗ {case.label}: {said}" + (f". {case.hint}" if case.hint else "")]
    if case.locus is not None:
        lines.append(
            f"  Your table first leaves the reference at step {case.locus.step}, "
            f"gate {case.locus.key!r}, unit {case.locus.unit}."
        )
    return lines


def manual_lines(outcome: CheckOutcome) -> list[str]:
    if outcome.not_graded is not None:
        lines = [f"Your answer could not be read: {failure_text(outcome.not_graded)}"]
    elif not outcome.answer.strip():
        lines = ["No explanation written yet."]
    else:
        lines = [f"Your explanation ({len(outcome.answer.split())} words) will be graded by hand."]
        lines += [f"Hint: {hint}" for hint in outcome.hints]
    if outcome.manual_grade is not None and outcome.manual_grade.comment:
        lines.append(f"Grader's comment: {outcome.manual_grade.comment}")
    return lines


def check_lines(outcome: CheckOutcome) -> list[str]:
    """The feedback of one check, a line each: cases, then the mistakes named."""
    if outcome.manual:
        return manual_lines(outcome)
    if outcome.not_graded is not None:
        return [failure_text(outcome.not_graded)]
    lines = [line for case in outcome.cases for line in case_lines(case)]
    lines += [f"Diagnosis ({d.misconception}): {d.feedback}" for d in outcome.diagnoses]
    return lines


def check_feedback(outcome: CheckOutcome) -> str:
    return "\n".join(check_lines(outcome))


def grader_error_text(error: GraderError) -> str:
    """For the student: the grader failed, not their code (the traceback is for the instructor)."""
    return f"The autograder failed on this submission ({error.message}). Please tell your instructor."
