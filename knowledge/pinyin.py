"""Homophone repair: map misheard or mistyped spans onto known words by their pinyin."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable, Mapping

from pypinyin import lazy_pinyin

_FUZZY_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"))
_FUZZY_FINALS = (("ang", "an"), ("eng", "en"), ("ing", "in"))


@functools.lru_cache(maxsize=8192)
def char_pinyin(char: str) -> str:
    """Toneless default reading of one Chinese character; '' for anything else."""
    if not "\u4e00" <= char <= "\u9fff":
        return ""
    return lazy_pinyin(char)[0]


@functools.lru_cache(maxsize=2048)
def fuzzy(syllable: str) -> str:
    """Fold the confusions of southern accents and voice input (zh/z, ang/an, ...)."""
    for long, short in _FUZZY_INITIALS:
        if syllable.startswith(long):
            syllable = short + syllable[len(long):]
            break
    for long, short in _FUZZY_FINALS:
        if syllable.endswith(long):
            return syllable[: -len(long)] + short
    return syllable


def pinyin_key(word: str, *, loose: bool) -> tuple[str, ...] | None:
    """Syllables of a Chinese word (folded when loose); None if it has other characters."""
    syllables = [char_pinyin(ch) for ch in word]
    if not all(syllables):
        return None
    return tuple(fuzzy(s) for s in syllables) if loose else tuple(syllables)


class PinyinCorrector:
    """Replace token spans that are not known words but sound like one (宅机地 → 宅基地)."""

    def __init__(self, targets: Iterable[str], known: Iterable[str] = (), legal: Iterable[str] = (),
                 weight: Mapping[str, float] | None = None, *, max_chars: int = 4) -> None:
        targets = frozenset(targets)
        legal = frozenset(legal)
        # Known words are never rewritten; targets are the words a span may be rewritten to;
        # legal words may also replace a run of known single characters (法律援住 → 法律援助).
        self.vocabulary = targets | legal | frozenset(known)
        self.max_chars = max_chars
        self._exact: dict[tuple[str, ...], str] = {}
        self._loose: dict[tuple[str, ...], str] = {}
        self._legal = legal
        weight = weight or {}
        ranked = sorted(targets | legal, key=lambda w: (w not in legal, -weight.get(w, 0.0), w))
        for word in ranked:
            if not 2 <= len(word) <= max_chars:
                continue
            exact = pinyin_key(word, loose=False)
            if exact is None:
                continue
            self._exact.setdefault(exact, word)
            if len(word) >= 3:
                loose = pinyin_key(word, loose=True)
                if loose is not None:
                    self._loose.setdefault(loose, word)

    def _match(self, span: str, keys: list[tuple[str, ...]]) -> str | None:
        """The vocabulary word the span sounds like; `keys` are its tokens' syllables (pinyin_key)."""
        key = tuple(itertools.chain.from_iterable(keys))
        word = self._exact.get(key)
        if word is None and len(span) >= 3:
            word = self._loose.get(tuple(fuzzy(s) for s in key))
        return word if word != span else None

    def correct(self, tokens: list[str]) -> list[str]:
        """Return tokens with homophone spans replaced by vocabulary words, longest span first."""
        keys = [pinyin_key(t, loose=False) for t in tokens]  # a span's syllables are its tokens' in a row
        known = [t in self.vocabulary for t in tokens]
        out: list[str] = []
        i = 0
        while i < len(tokens):
            for j in reversed(self._ends(tokens, keys, known, i)):
                word = self._replacement(tokens[i:j], keys[i:j], all(known[i:j]))  # type: ignore[arg-type]
                if word is not None:
                    out.append(word)
                    i = j
                    break
            else:
                out.append(tokens[i])
                i += 1
        return out

    def _ends(self, tokens: list[str], keys: list[tuple[str, ...] | None], known: list[bool], i: int) -> list[int]:
        """Where a span starting at token i may end: 2 to max_chars characters, every token with a reading,
        and not one known word alone (known words are never rewritten)."""
        ends = []
        chars = 0
        for j in range(i, len(tokens)):
            chars += len(tokens[j])
            if chars > self.max_chars or keys[j] is None:
                break
            if chars >= 2 and not (j == i and known[i]):
                ends.append(j + 1)
        return ends

    def _replacement(self, span_tokens: list[str], keys: list[tuple[str, ...]], known_only: bool) -> str | None:
        """The word a span becomes, if any; `known_only`: every token of it is a known word."""
        span = "".join(span_tokens)
        if span in self.vocabulary:
            return None
        if known_only and (len(span) < 3 or sum(len(t) == 1 for t in span_tokens) < 2):
            return None  # "菜里" must not become "彩礼"
        word = self._match(span, keys)
        # A run of known characters ("分到地" stays, not "分到底") or a single dictionary word the
        # knowledge base does not use ("负责任" stays, not "负责人") may only become a legal word.
        strict = known_only or len(span_tokens) == 1
        if word is None or (strict and word not in self._legal):
            return None
        return word
