"""The citation format used in FAQ basis lines: 《民法典》第1127条, 《刑法》第287条之二."""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.numerals import parse_int, to_chinese

CITATION_RE = re.compile(
    r"《(?P<law>[^《》\s]+)》第(?P<num>[1-9]\d*)条(?:之(?P<sub>[一二三四五六七八九十]+))?"
)


@dataclass(frozen=True)
class Citation:
    """A parsed citation: law name as written, article number, optional 之N."""

    law: str
    number: int
    sub: int | None = None

    def __str__(self) -> str:
        sub = f"之{to_chinese(self.sub)}" if self.sub else ""
        return f"《{self.law}》第{self.number}条{sub}"


def parse_citation(text: str) -> Citation | None:
    """Parse exactly one citation in house format; None if the text does not match."""
    match = CITATION_RE.fullmatch(text.strip())
    if match is None:
        return None
    sub = parse_int(match["sub"]) if match["sub"] else None
    return Citation(match["law"], int(match["num"]), sub)
