"""The words of the feedback: what each case, failure and diagnosis says. Every rendering (text,
Markdown, HTML, Gradescope's output) takes its sentences from here, so they agree.

Sizes are capped here too, so every rendering stays small whatever a result holds: a case's
feedback, a check's (a Gradescope test's `output`) and a whole result's (see `result_feedback`).
The student's own text was already cut and escaped where it entered the result
(`autograder.results.untrusted`); these caps hold even for a result that was not built that way."""

from __future__ import annotations

from autograder.results.model import (
    CaseOutcome,
    CheckOutcome,
    Failure,
    FailureKind,
    FormulaFinding,
    GraderError,
    Locus,
    SubmissionResult,
)
from autograder.results.untrusted import truncated

CASE_CHARS = 2_000  # one case's feedback
CHECK_CHARS = 8_000  # one check's: a Gradescope test's output
# A result's feedback in all: even as JSON with every character escaped (\uXXXX, 6 bytes), the
# Gradescope document stays well under its 1 MB.
RESULT_CHARS = 100_000


def failure_text(failure: Failure) -> str:
    kind, detail = failure.kind, truncated(failure.detail, CASE_CHARS)
    if kind is FailureKind.NOT_IMPLEMENTED:
        return "not implemented yet (it raises NotImplementedError)"
    if kind is FailureKind.RAISED:
        where = f" ({truncated(failure.where, CASE_CHARS)})" if failure.where else ""
        return f"raised {truncated(failure.exception, CASE_CHARS)}: {detail}{where}"
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
    return truncated("\n".join(_case_lines(case)), CASE_CHARS).split("\n")


def _case_lines(case: CaseOutcome) -> list[str]:
    if case.passed:
        return [f"✓ {case.label}"]
    message, hint = truncated(case.message, CASE_CHARS), truncated(case.hint, CASE_CHARS)
    said = message or (failure_text(case.failure) if case.failure else "wrong")
    if message and case.failure:
        said += f", instead: {failure_text(case.failure)}"
    lines = [f"✗ {case.label}: {said}" + (f". {hint}" if hint else "")]
    if case.locus is not None:
        lines.append("  " + locus_text(case.locus))
    return lines


# What each value of a gate table is made from: said when it is the first to leave the reference.
TABLE_EQUATIONS = {
    "f": "f_t = sigmoid(W_f [h_{t-1}, x_t] + b_f)",
    "i": "i_t = sigmoid(W_i [h_{t-1}, x_t] + b_i)",
    "c_tilde": "c~_t = tanh(W_c [h_{t-1}, x_t] + b_c)",
    "o": "o_t = sigmoid(W_o [h_{t-1}, x_t] + b_o)",
    "c": "C_t = f_t * C_{t-1} + i_t * c~_t",
    "h": "h_t = o_t * tanh(C_t)",
}


def locus_text(locus: Locus) -> str:
    if locus.along == "row" and locus.key == "last row":
        return (
            f"Your row k = T = {locus.step} already differs (unit {locus.unit}): it must be the gradient "
            "you were given for the last step, unchanged (and row k must hold step k)."
        )
    if locus.along == "row":
        return (
            f"Your rows agree with the reference from k = T down to k = {locus.step + 1}; row k = "
            f"{locus.step} is the first that does not (unit {locus.unit}): look at the step back from "
            f"k = {locus.step + 1} to k = {locus.step}."
        )
    if locus.along == "key":
        text = f"Your {locus.key!r} is the first value to leave the reference (unit {locus.unit})."
    else:
        text = (
            f"Your table first leaves the reference at step {locus.step}, {locus.key!r}, unit {locus.unit}."
        )
    if locus.right and locus.key in TABLE_EQUATIONS:
        right = ", ".join(repr(key) for key in locus.right)
        text += (
            f" {'At that step ' if locus.along == 'step' else ''}{right} still agree, so look at "
            f"{TABLE_EQUATIONS[locus.key]}"
            f"{' (or at the state carried from the step before)' if locus.step > 1 else ''}."
        )
    return text


def finding_text(finding: FormulaFinding) -> str:
    said = "; ".join(finding.differences)
    if not finding.student:
        return f"Your formula for {finding.subject}: {said}."
    return f"Your formula for {finding.subject} is {finding.student}; it should be {finding.truth}: {said}."


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
    lines += [finding_text(finding) for finding in outcome.findings]
    return lines


def check_feedback(outcome: CheckOutcome) -> str:
    return truncated("\n".join(check_lines(outcome)), CHECK_CHARS)


def result_feedback(result: SubmissionResult) -> dict[str, str]:
    """Each check's feedback by check id, in order, until the result's passes RESULT_CHARS; the
    checks after that say their feedback was left out."""
    feedback: dict[str, str] = {}
    left = RESULT_CHARS
    for outcome in result.outcomes:
        text = check_feedback(outcome)
        if len(text) > left:
            text = f"(feedback left out: this result's feedback passed {RESULT_CHARS} characters)"
        left = max(left - len(text), 0)
        feedback[outcome.check_id] = text
    return feedback


def grader_error_text(error: GraderError) -> str:
    """For the student: the grader failed, not their code (the traceback is for the instructor)."""
    return f"The autograder failed on this submission ({error.message}). Please tell your instructor."
