"""Free text at every door (API, console, chat, imports): what a stored text may contain."""

from __future__ import annotations

import re
from typing import Any

# Control characters (C0 but tab and newline, DEL, C1), and what XML 1.0 cannot hold: unpaired surrogates
# (JSON can carry them) and the non-characters U+FFFE/U+FFFF. Any of them in a stored name or summary
# would break every .docx of the case for good (python-docx and lxml refuse them), and NUL breaks PostgreSQL.
_DROP = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def clean_text(value: str) -> str:
    """The text with CR LF / CR as LF and every other control character removed; tabs and newlines stay."""
    if value.isprintable():  # the common case: nothing to do (isprintable is False for \n, \t too)
        return value
    return _DROP.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def clean_json(value: Any) -> Any:
    """clean_text applied to every string (keys too) of a parsed JSON document."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [clean_json(v) for v in value]
    if isinstance(value, dict):
        return {clean_text(k) if isinstance(k, str) else k: clean_json(v) for k, v in value.items()}
    return value
