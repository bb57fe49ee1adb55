"""Text analysis shared by indexing and search: normalise, repair, segment, expand."""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from pathlib import Path

import jieba

from knowledge.lexicon import DATA_DIR, Lexicon
from knowledge.pinyin import PinyinCorrector

jieba.setLogLevel(logging.WARNING)  # its import sets DEBUG: no "Building prefix dict" lines in commands' output

USERDICT_PATH = DATA_DIR / "userdict.txt"
# A count of things ("十二个", "两百块", "三头") tells how many, not what about: it is no topic word. Spans
# of time and ages ("三年", "30天", "八岁") stay: time limits and age thresholds turn on them.
_COUNT = re.compile(r"[零〇一二两三四五六七八九十百千万亿\d.]+[个块元斤亩次人层间头只件条]")
_NOT_TEXT = re.compile(r"[^\u4e00-\u9fffa-z0-9]+")


def normalize(text: str) -> str:
    """Full-width to half-width, lower case, punctuation to spaces (digits stay: 12348, 30天)."""
    text = unicodedata.normalize("NFKC", text).lower()
    return _NOT_TEXT.sub(" ", text).strip()


@functools.lru_cache(maxsize=4)
def legal_tokenizer(userdict: Path = USERDICT_PATH) -> jieba.Tokenizer:
    """A private jieba tokenizer with the legal user dictionary, built once per dictionary."""
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    tokenizer.load_userdict(str(userdict))
    return tokenizer


def userdict_words(userdict: Path = USERDICT_PATH, *, legal_only: bool = False) -> set[str]:
    """Words of a jieba user dictionary ("word freq tag" lines, no comments: jieba reads every line).

    Tag gen marks everyday words listed only to be segmented whole (微信, not 微 信); with
    legal_only they are left out and the rest is the legal vocabulary.
    """
    words = set()
    for line in userdict.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if parts and not (legal_only and parts[-1] == "gen"):
            words.add(parts[0])
    return words


class Analyzer:
    """Turns a question or an FAQ phrasing into BM25 terms."""

    def __init__(self, lexicon: Lexicon, userdict: Path = USERDICT_PATH) -> None:
        self.lexicon = lexicon
        self.tokenizer = legal_tokenizer(userdict)
        self.corrector: PinyinCorrector | None = None

    def segment(self, text: str, *, repair: bool = False) -> list[str]:
        """Normalised, corrected tokens including stopwords; repair also fixes homophones."""
        text = self.lexicon.correct(normalize(text))
        tokens: list[str] = []
        for chunk in text.split():
            tokens.extend(self.tokenizer.cut(chunk, HMM=False))
        if repair and self.corrector is not None:
            tokens = self.corrector.correct(tokens)
        return tokens

    def content(self, tokens: list[str]) -> list[str]:
        """Tokens that are not stopwords."""
        stop = self.lexicon.stopwords
        return [t for t in tokens if t not in stop and not _COUNT.fullmatch(t)]

    def expansions(self, tokens: list[str]) -> list[str]:
        """Lexicon words for colloquial phrases, plus dictionary words inside long tokens."""
        return self.lexicon.expand("".join(tokens), tokens) + self.parts(tokens)

    def parts(self, tokens: list[str]) -> list[str]:
        """Dictionary words inside long tokens, like jieba's search mode: 赡养父母 also says 赡养 and
        父母, 宅基地证 also 宅基地."""
        found = []
        freq = self.tokenizer.FREQ
        for token in tokens:
            if len(token) < 3 or token in self.lexicon.stopwords:
                continue
            for size in (2, 3):
                for start in range(len(token) - size + 1):
                    part = token[start:start + size]
                    if part != token and freq.get(part):
                        found.append(part)
        return found

    def analyze(self, text: str, *, repair: bool = False) -> list[str]:
        """Content tokens followed by expansions: the terms of an indexed document."""
        tokens = self.segment(text, repair=repair)
        return self.content(tokens) + self.expansions(tokens)
