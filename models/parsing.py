"""Dates and counts as helpers type them, for every door (chat, guided form, API, ledger import).

The reading itself is knowledge.wording's, so "三百五" is 350 and "上周三" the same day everywhere;
this module keeps the names the services and the import have always used.
"""

from __future__ import annotations

from knowledge.wording.dates import DATE_HINT, EARLIEST, TZ, check_date, parse_date, today
from knowledge.wording.errors import ParseError
from knowledge.wording.numbers import COUNT_LABELS, MAX_COUNTS, check_count, parse_count

__all__ = ["COUNT_LABELS", "DATE_HINT", "EARLIEST", "MAX_COUNTS", "TZ", "ParseError", "check_count", "check_date",
           "parse_count", "parse_date", "today"]
