"""The one error of reading words."""

from __future__ import annotations


class ParseError(ValueError):
    """Input that cannot be understood; the message is polite Chinese for the user."""
