"""Colloquial-to-legal lexicon (knowledge/data/lexicon.toml)."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
LEXICON_PATH = DATA_DIR / "lexicon.toml"


@dataclass(frozen=True)
class Lexicon:
    """Corrections (replace), expansions (add words) and stopwords (drop)."""

    corrections: dict[str, str] = field(default_factory=dict)
    expansions: dict[str, tuple[str, ...]] = field(default_factory=dict)
    stopwords: frozenset[str] = frozenset()
    smalltalk: tuple[str, ...] = ()
    _correct_re: re.Pattern[str] | None = field(init=False, repr=False, compare=False)
    _phrase_keys: tuple[str, ...] = field(init=False, repr=False, compare=False)
    _phrases_by_first: dict[str, list[tuple[int, str]]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        keys = sorted(self.corrections, key=len, reverse=True)
        pattern = re.compile("|".join(map(re.escape, keys))) if keys else None
        object.__setattr__(self, "_correct_re", pattern)
        # Single characters (娃, 爹, 狗) only count as whole tokens, longer keys as substrings.
        object.__setattr__(self, "_phrase_keys", tuple(k for k in self.expansions if len(k) > 1))
        by_first: dict[str, list[tuple[int, str]]] = {}  # the phrase keys by first character, with their rank
        for rank, key in enumerate(self._phrase_keys):
            by_first.setdefault(key[0], []).append((rank, key))
        object.__setattr__(self, "_phrases_by_first", by_first)

    def correct(self, text: str) -> str:
        """Replace known misspellings and homophones (离昏 → 离婚)."""
        if self._correct_re is None:
            return text
        return self._correct_re.sub(lambda m: self.corrections[m.group()], text)

    def expand(self, text: str, tokens: Iterable[str]) -> list[str]:
        """Legal words implied by colloquial phrases in text and by single-character tokens."""
        extra: list[str] = []
        # only keys starting with a character of the text can occur in it; taken in the keys' order
        found = sorted(k for ch in set(text) for k in self._phrases_by_first.get(ch, ()) if k[1] in text)
        for _, key in found:
            extra.extend(self.expansions[key])
        for token in tokens:
            if len(token) == 1 and token in self.expansions:
                extra.extend(self.expansions[token])
        return extra

    def is_smalltalk(self, text: str) -> bool:
        """Whether the text has a marker of small talk (weather, lottery, greetings, cooking ...)."""
        return any(marker in text for marker in self.smalltalk)

    @property
    def words(self) -> set[str]:
        """Every word of the lexicon, colloquial and legal (for the pinyin index)."""
        return self.legal_terms | {w for w in self.expansions if len(w) > 1}

    @property
    def legal_terms(self) -> set[str]:
        """The words the lexicon corrects or expands to: legal vocabulary."""
        result = set(self.corrections.values())
        for targets in self.expansions.values():
            result.update(targets)
        return {w for w in result if len(w) > 1}


def load_lexicon(path: Path | None = None) -> Lexicon:
    """Read lexicon.toml; raise ValueError on malformed sections."""
    data = tomllib.loads((path or LEXICON_PATH).read_text(encoding="utf-8"))
    corrections = {str(k): str(v) for k, v in data.get("correct", {}).items()}
    expansions: dict[str, tuple[str, ...]] = {}
    for key, value in data.get("expand", {}).items():
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"lexicon expand[{key!r}] must be a list of strings")
        expansions[str(key)] = tuple(value)
    stop = data.get("stop", {}).get("words", [])
    smalltalk = data.get("smalltalk", {}).get("words", [])
    return Lexicon(corrections, expansions, frozenset(map(str, stop)), tuple(map(str, smalltalk)))
