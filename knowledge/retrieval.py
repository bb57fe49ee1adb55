"""FAQ retrieval: BM25 over phrasings and answers, with a calibrated confidence band.

An entry's score adds three bm25s scores of the analysed question (see knowledge.analyzer):
its best single phrasing, all its phrasings as one document, and its answer. Confidence
grows with the top entry's best-phrasing score and shrinks with the share of question words
the FAQ never uses and with small-talk markers; the band thresholds come from the dev set.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from knowledge.analyzer import Analyzer, userdict_words
from knowledge.bm25 import StackedBM25, WeightedBM25
from knowledge.faq import Entry, load_entries
from knowledge.lexicon import load_lexicon
from knowledge.pinyin import PinyinCorrector, pinyin_key

Band = Literal["high", "middle", "low"]
# Longer messages are cut: WeChat text is at most ~2,000 bytes and voice at most a minute.
MAX_QUERY_CHARS = 500
# In an account of some length, the sentences that ask ("请问……？", "我该怎么办") say what is wanted;
# the story around them brings words of many entries.
ASKING_FROM_CHARS = 30
_SENTENCE_END = re.compile(r"[。！!；;\n]")
_ASKS = re.compile(r"[？?]|请问|想问|咨询|怎么办|我该|应该怎么|能不能|可不可以|可以吗")


def asking_part(text: str) -> str:
    """The asking sentences of a longer message ("" for a short one, or one that is all question)."""
    if len(text) < ASKING_FROM_CHARS:
        return ""
    sentences = [s for s in _SENTENCE_END.split(text) if s.strip()]
    asking = [s for s in sentences if _ASKS.search(s)]
    return "".join(asking) if 0 < len(asking) < len(sentences) else ""


@dataclass(frozen=True)
class Tuning:
    """Scoring weights and band thresholds, calibrated on knowledge/data/devset.toml."""

    k1: float = 1.2
    b: float = 0.75
    phrasing_weight: float = 1.0  # BM25 of the best single phrasing of an entry
    combined_weight: float = 1.0  # BM25 of all phrasings of an entry as one document
    answer_weight: float = 0.3  # BM25 of the answer
    expansion_weight: float = 0.6  # query weight of the words the lexicon adds
    homophone_weight: float = 0.8  # query weight of a legal word a real word sounds like (工商 → 工伤)
    total_share: float = 0.2  # part of the total score in the confidence strength
    scale: float = 6.0  # strength at which confidence is 0.5
    smalltalk_factor: float = 0.4  # confidence multiplier for questions with a small-talk marker
    high: float = 0.60  # confidence for a direct answer
    middle: float = 0.40  # confidence for offering choices; below it the question is off-topic
    margin: float = 0.70  # runner-up/top score ratio above which a high hit becomes a choice
    ask_weight: float = 1.5  # query weight multiplier of the words of an account's asking sentences


DEFAULT_TUNING = Tuning()


@dataclass(frozen=True)
class Hit:
    """One FAQ entry and its retrieval score."""

    entry: Entry
    score: float


@dataclass(frozen=True)
class SearchResult:
    """Ranked hits, their confidence in [0, 1] and the band the chat acts on."""

    band: Band
    hits: list[Hit]
    confidence: float
    terms: Mapping[str, float] = field(default_factory=dict)  # the analysed question: term → weight
    bare: bool = False  # only one or two legal words, all of one entry: a topic, not a question
    legal: bool = False  # the question uses legal vocabulary (and is not small talk)
    chat: bool = False  # the question has a marker of small talk (weather, health, school ...)
    dispute: bool = False  # the question tells of a dispute (占了, 不给, 被打): legal even without legal words
    explicit: bool = False  # a legal word is in the question itself, not only implied by a phrase (村里 → 村委会)


class KnowledgeBase:
    """The FAQ entries with their search index; build once, search many times."""

    def __init__(self, entries: Sequence[Entry], analyzer: Analyzer, tuning: Tuning = DEFAULT_TUNING) -> None:
        if not entries:
            raise ValueError("knowledge base has no entries")
        self._entries = tuple(entries)
        self._by_id = {e.id: e for e in self._entries}
        self.analyzer = analyzer
        self.tuning = tuning
        self._build()

    @classmethod
    def load(cls, faq_dir: Path | None = None, tuning: Tuning = DEFAULT_TUNING) -> KnowledgeBase:
        """Load FAQ files (default knowledge/faq) and the bundled lexicon; build the index."""
        return cls(load_entries(faq_dir), Analyzer(load_lexicon()), tuning)

    @property
    def entries(self) -> Sequence[Entry]:
        """All entries in file order."""
        return self._entries

    def __contains__(self, entry_id: object) -> bool:
        return entry_id in self._by_id

    def entry(self, entry_id: str) -> Entry:
        """The entry with this id; KeyError if there is none."""
        return self._by_id[entry_id]

    def _build(self) -> None:
        analyze = self.analyzer.analyze
        tuning = self.tuning
        phrasing_docs: list[list[str]] = []
        combined_docs: list[list[str]] = []
        answer_docs: list[list[str]] = []
        starts: list[int] = []
        df: Counter[str] = Counter()  # entry-level document frequency
        self._entry_terms: list[frozenset[str]] = []
        for entry in self._entries:
            starts.append(len(phrasing_docs))
            docs = [analyze(q) for q in entry.questions]
            phrasing_docs.extend(docs)
            combined_docs.append([t for doc in docs for t in doc])
            answer_docs.append(analyze(entry.answer))
            self._entry_terms.append(frozenset(combined_docs[-1]) | frozenset(answer_docs[-1]))
            df.update(self._entry_terms[-1])
        self._starts = np.asarray(starts, dtype=np.int64)
        self._phrasings = WeightedBM25(phrasing_docs, k1=tuning.k1, b=tuning.b)
        self._combined = WeightedBM25(combined_docs, k1=tuning.k1, b=tuning.b)
        self._answers = WeightedBM25(answer_docs, k1=tuning.k1, b=tuning.b)
        self._indexes = StackedBM25([self._phrasings, self._combined, self._answers])  # scored in one pass
        n = len(self._entries)
        self._idf = {t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in df.items()}
        self._idf_unknown = math.log(1 + (n + 0.5) / 0.5)
        # Homophone repair rewrites a span with an unknown token into a knowledge-base word,
        # and a span of known single characters only into a legal word.
        lexicon = self.analyzer.lexicon
        self._legal_terms = frozenset(userdict_words(legal_only=True) | lexicon.legal_terms)
        targets = {t for t in df if len(t) > 1}
        known = set(lexicon.stopwords) | set(df) | {w for w in lexicon.smalltalk if len(w) > 1}  # 保养 ≠ 抱养
        self.analyzer.corrector = PinyinCorrector(
            targets, known, self._legal_terms | lexicon.words, {t: float(c) for t, c in df.items()}
        )
        # Real words that sound like a legal word of the base (工商 → 工伤): the corrector leaves known
        # words alone, so the legal word is added beside them when the rest of the question fits it.
        self._sounds_like: dict[tuple[str, ...], str] = {}
        for term in sorted(self._legal_terms & set(df), key=lambda t: -df[t]):
            key = pinyin_key(term, loose=False) if 2 <= len(term) <= 4 else None
            if key is not None:
                self._sounds_like.setdefault(key, term)
        self._index_of = {e.id: i for i, e in enumerate(self._entries)}
        self._entries_with: dict[str, list[int]] = {}
        for index, terms in enumerate(self._entry_terms):
            for term in terms:
                self._entries_with.setdefault(term, []).append(index)

    def search(self, text: str, k: int = 3) -> SearchResult:
        """Rank entries for a question; band says whether to answer, offer choices or decline."""
        tuning = self.tuning
        tokens = self.analyzer.segment(text[:MAX_QUERY_CHARS], repair=True)
        content = list(dict.fromkeys(self.analyzer.content(tokens)))
        lexicon = self.analyzer.lexicon
        joined = "".join(tokens)
        implied = lexicon.expand(joined, tokens)  # legal words of colloquial phrases ("老爷子没了" → 继承)
        weights = dict.fromkeys(implied + self.analyzer.parts(tokens), tuning.expansion_weight)
        weights.update(dict.fromkeys(content, 1.0))
        for term in self._homophones(content):
            weights.setdefault(term, tuning.homophone_weight)
        dispute = lexicon.is_dispute(joined)
        # A chat marker ("多少钱", "推荐") says small talk unless the message tells of a dispute (被骗, 不给).
        # Asked for everyday advice in so many words: practical even beside a strong legal word ("宅基地上盖房子
        # 用什么砖好"), where a mere chat word is not ("一下雨水就流进我家院子" stays a legal question).
        # (news and notices are read in the message as written: its question mark, its "通知：")
        advice = (lexicon.runs_errand(joined) or lexicon.runs_errand(text) or lexicon.tells_news(text)
                  or (not dispute and lexicon.asks_advice(joined)))
        smalltalk = advice or (not dispute and lexicon.mentions_chat(joined))
        # Legal vocabulary, or a colloquial phrase the lexicon maps to it.
        legal_words = [t for t in content if t in self._legal_terms] + implied
        if not dispute:  # 女儿, 房子 alone say no legal matter
            legal_words = [t for t in legal_words if t not in lexicon.weak]
        legal = not advice and (len(legal_words) >= 2 or (bool(legal_words) and not smalltalk) or dispute)
        explicit = any(t in self._legal_terms for t in content)
        if not any(t in self._idf for t in weights):
            return SearchResult("low", [], 0.0, weights, legal=legal, chat=smalltalk, dispute=dispute,
                                explicit=explicit)
        phrasing, combined, answer = self._indexes.scores(self._stress_asking(text, weights))
        best_phrasing = np.maximum.reduceat(phrasing, self._starts)
        scores = tuning.phrasing_weight * best_phrasing
        scores += tuning.combined_weight * combined
        scores += tuning.answer_weight * answer
        order = _top(scores, max(k, 2))
        hits = [Hit(self._entries[i], float(scores[i])) for i in order if scores[i] > 0]
        if not hits:
            return SearchResult("low", [], 0.0, weights, legal=legal, chat=smalltalk, dispute=dispute,
                                explicit=explicit)
        confidence = self._confidence(content, float(best_phrasing[order[0]]), hits[0].score)
        bare = self._is_bare_keyword(content, order[0])
        strong = any(t in self._legal_terms and t not in lexicon.weak for t in content)
        if smalltalk and (confidence < tuning.high or not strong or advice):
            confidence *= tuning.smalltalk_factor  # damps weak matches only: "一下雨水就流进我家院子" stays
        elif bare:
            # "彩礼", "宅基地 继承": legal words only, all in the top entry: offer its topic's choices.
            confidence = max(confidence, tuning.middle)
        band = self._band(confidence, hits)
        if band == "high" and len(content) == 1 and len(content[0]) <= 3:
            band = "middle"  # a bare topic word ("开车", "彩礼") says what about, not what is asked
            bare = True
        return SearchResult(band, hits[:k], confidence, weights, bare and len(content) <= 2, legal, smalltalk, dispute,
                            explicit)

    def _stress_asking(self, text: str, weights: dict[str, float]) -> dict[str, float]:
        """The query weights to score with: an account's asking sentences weigh more than its story."""
        asked = asking_part(text[:MAX_QUERY_CHARS])
        if not asked:
            return weights
        stressed = set(self.analyzer.content(self.analyzer.segment(asked, repair=True)))
        return {t: w * self.tuning.ask_weight if t in stressed else w for t, w in weights.items()}

    def _homophones(self, content: list[str]) -> list[str]:
        """Legal words that a word of the question sounds like, where another word of it fits their entries."""
        found = []
        for token in content:
            if token in self._legal_terms or not 2 <= len(token) <= 4:
                continue
            key = pinyin_key(token, loose=False)
            term = self._sounds_like.get(key) if key else None
            if term is None or term == token:
                continue
            others = set(content) - {token}
            if any(others & self._entry_terms[i] for i in self._entries_with.get(term, ())):
                found.append(term)
        return found

    def coverage(self, result: SearchResult, entries: Sequence[Entry]) -> list[float]:
        """For each entry, the share (idf-weighted) of the question's legal words it uses; 1.0 without any."""
        legal = [(t, self._idf.get(t, 0.0)) for t in result.terms if t in self._legal_terms]
        total = sum(idf for _, idf in legal)
        shares = []
        for entry in entries:
            index = self._index_of.get(entry.id)
            if index is None:
                shares.append(0.0)
                continue
            terms = self._entry_terms[index]
            shares.append(sum(idf for t, idf in legal if t in terms) / total if total else 1.0)
        return shares

    def _is_bare_keyword(self, content: list[str], top: int) -> bool:
        terms = self._entry_terms[top]
        return bool(content) and all(t in self._legal_terms and t in terms for t in content)

    def _confidence(self, content: list[str], best_phrasing: float, total: float) -> float:
        """How strongly the top entry matches, damped by the share of words the FAQ never uses."""
        tuning = self.tuning
        weight = unknown = 0.0
        for term in content:
            idf = self._idf.get(term)
            if idf is None:
                idf = self._idf_unknown
                unknown += idf
            weight += idf
        known_share = 1.0 - unknown / weight if weight else 0.0
        strength = math.sqrt(known_share) * (best_phrasing + tuning.total_share * total)
        return strength / (strength + tuning.scale)

    def _band(self, confidence: float, hits: list[Hit]) -> Band:
        tuning = self.tuning
        if confidence < tuning.middle:
            return "low"
        if confidence >= tuning.high and (len(hits) < 2 or hits[1].score < tuning.margin * hits[0].score):
            return "high"
        return "middle"


def _top(scores: np.ndarray, k: int) -> list[int]:
    k = min(k, len(scores))
    part = np.argpartition(-scores, k - 1)[:k]
    return [int(i) for i in part[np.argsort(-scores[part], kind="stable")]]


@functools.cache
def get_knowledge_base() -> KnowledgeBase:
    """The process-wide knowledge base, loaded from knowledge/faq on first use."""
    return KnowledgeBase.load()
