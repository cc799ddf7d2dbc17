"""What a cell of a CSV the grader writes may hold: text a spreadsheet shows, never evaluates."""

from __future__ import annotations


def inert(text: str) -> str:
    """A cell a spreadsheet shows as text, never evaluates: a student's folder named `=HYPERLINK(...)`
    or `+1+2` gets a leading apostrophe (the OWASP advice against CSV injection)."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
