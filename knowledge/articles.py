"""Search the articles of the laws in scope, for legal questions no FAQ entry fits.

Each article is indexed by its own text (from laws.db, the version in force today) and, with a
smaller weight, by the phrasings of the FAQ entries that cite it, so that villagers' words reach
the statute's words. Texts are never written here: what is shown is the article as stored, cut to
the sentences that carry the question's words.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import knowledge.analyzer as analyzer_module
from knowledge.analyzer import USERDICT_PATH, Analyzer
from knowledge.bm25 import WeightedBM25
from knowledge.cite import parse_citation
from knowledge.faq import Entry
from knowledge.lawdb import PRC
from knowledge.lexicon import DATA_DIR, LEXICON_PATH
from knowledge.reply import ArticleHit
from knowledge.statutes import STALE_ARTICLES, Statutes

# National laws a village question may touch, in laws.db; regulations and judicial
# interpretations are not in it and are reached through FAQ entries only.
SCOPE_LAWS: tuple[str, ...] = (
    "民法典", "劳动合同法", "劳动法", "道路交通安全法", "土地管理法", "农村土地承包法", "人民调解法",
    "反家庭暴力法", "法律援助法", "消费者权益保护法", "食品安全法", "老年人权益保障法", "劳动争议调解仲裁法",
    "妇女权益保障法", "村民委员会组织法", "治安管理处罚法", "社会保险法", "反电信网络诈骗法", "产品质量法",
    "未成年人保护法", "农村集体经济组织法", "种子法", "动物防疫法", "民事诉讼法", "农村土地承包经营纠纷调解仲裁法",
    "刑法",
)
MAX_SHOWN_CHARS = 160
STATUTE_TERMS_PATH = DATA_DIR / "statute_terms.toml"
TERM_WEIGHT = 0.6  # query weight of the statute words an everyday word adds
_SENTENCE = re.compile(r"[^。；\n]+[。；]?")
# Articles that only define terms, set dates or delegate rules say nothing a villager can use.
_BOILERPLATE = re.compile(
    r"^(本法自|本法所称|本法下列用语|本条例自|国务院.{0,12}根据本法|省、自治区、直辖市.{0,20}根据本法)"
)


# The chapter and section an article stands under (第六章 医疗损害责任) say its subject in a few words.
HEADING_WEIGHT = 0.5
_CHAPTER_NO = re.compile(r"第[零〇一二三四五六七八九十百]+[编分章节]")
NEIGHBOURHOOD = 12  # articles this close to one an FAQ entry cites share its subject


@dataclass(frozen=True)
class _Doc:
    cite: str
    law: str
    number: int
    text: str
    heading: str = ""


class ArticleIndex:
    """BM25 over the articles in scope; `search` returns the best articles for weighted terms."""

    def __init__(self, statutes: Statutes, analyzer: Analyzer, entries: Iterable[Entry] = (),
                 laws: Sequence[str] = SCOPE_LAWS, *, phrasing_weight: float = 0.5,
                 heading_weight: float = HEADING_WEIGHT) -> None:
        self.analyzer = analyzer
        self.phrasing_weight = phrasing_weight
        self.heading_weight = heading_weight
        terms = tomllib.loads(STATUTE_TERMS_PATH.read_text(encoding="utf-8")).get("terms", {})
        self._everyday = {str(k): tuple(map(str, v)) for k, v in terms.items()}
        by_cite: dict[str, list[str]] = {}
        for entry in entries:
            for cite in entry.basis:
                by_cite.setdefault(cite, []).extend(entry.questions)
        docs: list[_Doc] = []
        for name in laws:
            law = statutes.db.current(PRC + name)
            if law is None:
                continue
            stale = STALE_ARTICLES.get(name, (frozenset(), ""))[0]
            for article in statutes.db.articles(law):
                if article.number in stale or _BOILERPLATE.match(article.text):
                    continue
                docs.append(_Doc(f"《{name}》{article.label}", name, article.number, article.text, article.heading))
        self._docs = docs
        self._position = {d.cite: i for i, d in enumerate(docs)}
        laws_seen = {name: i for i, name in enumerate(dict.fromkeys(d.law for d in docs))}
        self._law_index = laws_seen
        self._law_of = np.asarray([laws_seen[d.law] for d in docs], dtype=np.int32)
        self._number_of = np.asarray([d.number for d in docs], dtype=np.int32)
        analyze = analyzer.analyze
        self._text = WeightedBM25(_cached_terms(analyzer, [d.text for d in docs]), k1=1.2, b=0.75)
        headings = {h: analyze(_CHAPTER_NO.sub("", h)) for h in {d.heading for d in docs}}
        self._headings = WeightedBM25([headings[d.heading] for d in docs], k1=1.2, b=0.75)
        self._phrasings = WeightedBM25([[t for q in by_cite.get(d.cite, ()) for t in analyze(q)] for d in docs],
                                       k1=1.2, b=0.75)

    def __len__(self) -> int:
        return len(self._docs)

    def covers(self, law: str) -> bool:
        """Whether the articles of this law are indexed (regulations and interpretations are not)."""
        return law in self._law_index

    def fitting(self, weights: Mapping[str, float], law: str, k: int, *, min_score: float,
                cited: Sequence[str] = ()) -> tuple[list[ArticleHit], float]:
        """Up to k articles of one law that fit the terms best (each reaching min_score), and the best
        score among the `cited` articles (0 when none is indexed). Within one law the chapter an article
        stands under also counts (heading_weight): a short question no entry fits is not ranked by it,
        as chapter words alone (动物, 合同) would make a topic of a farming or shopping question."""
        raw = self.scores(weights)
        if self.heading_weight:
            raw = raw + self.heading_weight * self._headings.scores(weights)
        scores = np.where((self._law_of == self._law_index.get(law, -1)) & (raw >= min_score), raw, 0.0)
        top = [int(i) for i in np.argsort(-scores, kind="stable")[:k] if scores[i] > 0]
        own = [float(raw[self._position[c]]) for c in cited if c in self._position]
        terms = [t for t in weights if len(t) > 1]
        hits = [ArticleHit(self._docs[i].cite, cut_text(self._docs[i].text, terms), float(scores[i])) for i in top]
        return hits, max(own, default=0.0)

    def scores(self, weights: Mapping[str, float], near: Sequence[tuple[str, float]] = (),
               near_weight: float = 1.0) -> np.ndarray:
        """One score per article; `near` (citation, weight) raises the articles around those cited.

        The FAQ entries that come closest to a question cite articles on its subject even when none
        fits; the articles around them (same law, within NEIGHBOURHOOD) are where to look.
        """
        scores = self._text.scores(weights) + self.phrasing_weight * self._phrasings.scores(weights)
        return self._boost(scores, near, near_weight) if near else scores

    def statute_words(self, text: str, weights: Mapping[str, float]) -> dict[str, float]:
        """The question's terms plus the statute words its everyday words stand for."""
        out = dict(weights)
        for word in self.everyday_words(text):
            out.setdefault(word, TERM_WEIGHT)
        return out

    def everyday_words(self, text: str) -> list[str]:
        """The statute words the everyday words of a text stand for (狗 → 饲养, 动物)."""
        return [word for key, words in self._everyday.items() if key in text for word in words]

    def _boost(self, scores: np.ndarray, near: Sequence[tuple[str, float]], near_weight: float) -> np.ndarray:
        if near:
            prior = np.zeros(len(self._docs), dtype=np.float32)
            for cite, weight in near:
                parsed = parse_citation(cite)
                law = self._law_index.get(parsed.law) if parsed else None
                if parsed is None or law is None:
                    continue
                distance = np.abs(self._number_of - parsed.number)
                mask = (self._law_of == law) & (distance <= NEIGHBOURHOOD)
                prior[mask] = np.maximum(prior[mask], weight * (1.0 - distance[mask] / (NEIGHBOURHOOD + 1)))
            scores = scores * (1.0 + near_weight * prior)
        return scores

    def search(self, weights: Mapping[str, float], k: int = 3, *, min_score: float = 0.0,
               keep_ratio: float = 0.6, near: Sequence[tuple[str, float]] = (),
               near_weight: float = 1.0) -> list[ArticleHit]:
        """Up to k articles whose own score (before the boost) reaches min_score, best boosted first,
        each scoring at least keep_ratio of the first."""
        raw = self.scores(weights)
        scores = self._boost(raw, near, near_weight)
        scores = np.where(raw >= min_score, scores, 0.0)
        top = np.argsort(-scores, kind="stable")[:k]
        if not len(top) or scores[top[0]] <= 0:
            return []
        best = float(scores[top[0]])
        terms = [t for t in weights if len(t) > 1]
        return [ArticleHit(self._docs[i].cite, cut_text(self._docs[i].text, terms), float(scores[i]))
                for i in top if scores[i] >= keep_ratio * best]


CACHE_VERSION = "1"


def cache_dir() -> Path:
    """Where analysed article texts are kept between starts ($MINGBAI_CACHE_DIR or ~/.cache/mingbai)."""
    env = os.environ.get("MINGBAI_CACHE_DIR")
    return Path(env) if env else Path.home() / ".cache" / "mingbai"


def _cached_terms(analyzer: Analyzer, texts: list[str]) -> list[list[str]]:
    """Analysed texts, from a cache keyed by the texts, the lexicon, the dictionary and the analyser's code.

    Analysing the ~4,000 articles takes seconds (jieba); the cache makes a start take milliseconds.
    A cache that cannot be read or written is ignored.
    """
    digest = hashlib.sha256(CACHE_VERSION.encode())
    for path in (LEXICON_PATH, USERDICT_PATH, Path(analyzer_module.__file__)):
        digest.update(path.read_bytes())
    digest.update(repr(sorted(analyzer.lexicon.corrections.items())).encode())
    for text in texts:
        digest.update(text.encode())
    path = cache_dir() / f"articles-{digest.hexdigest()[:24]}.pickle"
    try:
        cached = pickle.loads(path.read_bytes())
        if isinstance(cached, list) and len(cached) == len(texts):
            return cached
    except (OSError, pickle.UnpicklingError, EOFError):
        pass
    terms = [analyzer.analyze(text) for text in texts]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(pickle.dumps(terms, protocol=pickle.HIGHEST_PROTOCOL))
        tmp.replace(path)
    except OSError:
        pass
    return terms


def cut_text(text: str, terms: Sequence[str], limit: int = MAX_SHOWN_CHARS) -> str:
    """The article's first sentence and the sentences holding the question's words, within limit."""
    text = text.strip()
    if len(text) <= limit:
        return text
    sentences = [s.strip() for s in _SENTENCE.findall(text) if s.strip()]
    if not sentences:
        return text[:limit] + "……"
    chosen = [0]
    ranked = sorted(range(1, len(sentences)), key=lambda i: -sum(t in sentences[i] for t in terms))
    for i in ranked:
        if not any(t in sentences[i] for t in terms):
            break
        chosen.append(i)
    out = ""
    last = -1
    for i in sorted(chosen):
        piece = sentences[i]
        if len(out) + len(piece) > limit:
            if not out:
                out = piece[:limit]
            break
        out += ("……" if last >= 0 and i != last + 1 else "") + piece
        last = i
    return out + ("……" if last < len(sentences) - 1 else "")
