"""Small talk (谢谢, 在吗, 好的, 拜拜 ...): recognised as a whole message, answered kindly, never legally."""

from __future__ import annotations

import functools
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.lexicon import DATA_DIR

SMALLTALK_PATH = DATA_DIR / "smalltalk.toml"
MAX_SMALLTALK_CHARS = 16
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)


@dataclass(frozen=True)
class SmallTalk:
    """Phrase groups with their replies, and the filler characters around them."""

    groups: dict[str, tuple[tuple[str, ...], str]]
    filler: frozenset[str]
    _pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _group_of: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        group_of = {p.lower(): name for name, (ps, _) in reversed(list(self.groups.items())) for p in ps}
        phrases = sorted(group_of, key=len, reverse=True)
        object.__setattr__(self, "_pattern", re.compile("|".join(map(re.escape, phrases))))
        object.__setattr__(self, "_group_of", group_of)

    def classify(self, text: str) -> str | None:
        """The group of a message that is only small talk, else None."""
        raw = unicodedata.normalize("NFKC", text).strip().lower()
        if not raw or len(raw) > MAX_SMALLTALK_CHARS:
            return None
        found = self._pattern.findall(raw)
        rest = _PUNCT.sub("", self._pattern.sub(" ", raw))
        if not found or any(ch not in self.filler for ch in rest):
            return None
        return self._group_of[found[0]]

    def reply(self, group: str) -> str:
        """The group's reply text."""
        return self.groups[group][1]


def load_smalltalk(path: Path | None = None) -> SmallTalk:
    """Read smalltalk.toml."""
    data = tomllib.loads((path or SMALLTALK_PATH).read_text(encoding="utf-8"))
    groups = {name: (tuple(map(str, g["phrases"])), str(g["reply"])) for name, g in data.get("group", {}).items()}
    return SmallTalk(groups, frozenset(str(data.get("filler", ""))))


@functools.cache
def get_smalltalk() -> SmallTalk:
    """The bundled small-talk table."""
    return load_smalltalk()
