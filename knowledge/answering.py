"""Decide the reply to a message: answer first, ask only when topics really differ, statutes for the rest.

- small talk (谢谢, 好的, 拜拜) → a friendly line, never legal content;
- a probable entry → its answer, what the stated facts change, and at most two related entries;
- two strong entries of different topics → a choice, asked in words when facts.toml knows the
  question that tells them apart;
- a legal question no entry fits → one to three statute articles that may apply;
- anything else → a friendly "not my field" and what the bot can do.
Thresholds are tuned on knowledge/data/devset.toml only.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from knowledge.articles import ArticleIndex
from knowledge.facts import Facts, get_facts
from knowledge.faq import Entry
from knowledge.reply import Reply
from knowledge.retrieval import MAX_QUERY_CHARS, Hit, KnowledgeBase, SearchResult
from knowledge.smalltalk import SmallTalk, get_smalltalk
from knowledge.statutes import Statutes, get_statutes

LONG_MESSAGE = 30


@dataclass(frozen=True)
class Policy:
    """When to answer, ask, or fall back to statutes (tuned on the dev set)."""

    answer: float = 0.45  # confidence from which the top entry is answered directly
    ask_ratio: float = 0.80  # a runner-up of another topic this close to the top makes it a choice
    tie_ratio: float = 0.90  # a runner-up of the same topic but another rule this close is a tie: ask
    related_ratio: float = 0.55  # runners-up at least this close are shown as related questions
    max_related: int = 2
    offtopic_guard: float = 0.50  # without legal words, a match below this confidence is not trusted
    implied_guard: float = 0.55  # ... nor, in a short message, one whose legal words are only implied (爸 → 父母)
    wordless_guard: float = 0.60  # ... nor one with no legal word and no dispute ("风水先生说我家大门朝向不好")
    statute_min_score: float = 5.0  # an article must score this much to be offered
    statute_keep_ratio: float = 0.75  # further articles must score this share of the first
    near_weight: float = 0.5  # how much the articles around the closest entries' citations gain
    account_chars: int = 50  # from this length a message is an account: the law of the close entries leads
    law_vote: float = 1.0  # a law whose close entries together outscore those of the top entry's law ...
    law_lead: float = 0.75  # ... puts its best entry first when that scores this share of the top
    coverage_gap: float = 0.4  # a runner-up covering this much more of the question's legal words makes a choice
    long_ratio: float = 0.80  # in a long account many words fit many entries: any rule this close makes a choice
    fitting_answer: int = 1  # an account's answer adds at most this many articles of its law ...
    fitting_choice: int = 2  # a choice in an account shows this many articles of the leading law
    fitting_margin: float = 1.5  # ... when they score this much more than the best article the entry cites


DEFAULT_POLICY = Policy()


class Responder:
    """The knowledge base, the statute articles and the small-talk and fact rules, answering as one."""

    def __init__(self, kb: KnowledgeBase, statutes: Statutes | None = None, *, policy: Policy = DEFAULT_POLICY,
                 facts: Facts | None = None, smalltalk: SmallTalk | None = None,
                 articles: ArticleIndex | None = None) -> None:
        self.kb = kb
        self.policy = policy
        self.facts = facts or get_facts()
        self.smalltalk = smalltalk or get_smalltalk()
        self.articles = articles or ArticleIndex(statutes or get_statutes(), kb.analyzer, kb.entries)

    @classmethod
    def load(cls, faq_dir: Path | None = None, policy: Policy = DEFAULT_POLICY) -> Responder:
        """A responder over the FAQ files in faq_dir (default: the bundled ones)."""
        return cls(KnowledgeBase.load(faq_dir), policy=policy)

    def respond(self, text: str) -> Reply:
        """The reply plan for one message."""
        text = text[:MAX_QUERY_CHARS]
        group = self.smalltalk.classify(text)
        if group:
            return Reply("smalltalk", smalltalk=group)
        result = self.kb.search(text, k=5)
        if result.band == "low" or not result.hits:
            return self._fallback(text, result)
        words = sum(1 for weight in result.terms.values() if weight == 1.0)
        implied = result.legal and len(text) < LONG_MESSAGE
        guard = self.policy.implied_guard if implied else self.policy.offtopic_guard
        if not result.legal and not result.dispute:
            guard = max(guard, self.policy.wordless_guard)
        if not _names_legal_matter(text, result) and words >= 2 and result.confidence < guard:
            return Reply("offtopic", confidence=result.confidence)
        hits = self._distinct(result.hits)
        policy = self.policy
        account = len(text) >= policy.account_chars
        if account:
            hits = self._law_first(hits)
        top = hits[0]
        rivals = [h for h in hits[1:] if not _same_rule(h.entry, top.entry)]

        def ratio(hit: Hit) -> float:
            if len(text) >= LONG_MESSAGE:
                return min(policy.long_ratio, policy.ask_ratio)
            return policy.ask_ratio if hit.entry.topic != top.entry.topic else policy.tie_ratio

        close = [h for h in rivals if h.score >= ratio(h) * top.score]
        # The time given decides between near entries of one topic (agreement within or past 30 days),
        # not between topics: "去年" says nothing about whether a crash or a debt is asked about.
        timed = self.facts.states_deadline(top.entry, text) and all(h.entry.topic == top.entry.topic for h in close)
        # Another of the first three using clearly more of the question's legal words: ask, not answer.
        top_cover, *others = self.kb.coverage(result, [top.entry, *(h.entry for h in hits[1:3])])
        covered = any(share > top_cover + policy.coverage_gap for share in others)
        if not timed and (result.confidence < policy.answer or close or covered or self._bare_topic(result)):
            reply = self._choices(text, hits, result.confidence)
        else:
            reply = self._answer(text, hits, result.confidence)
        return self._fitting(text, result, reply) if account else reply

    def _fitting(self, text: str, result: SearchResult, reply: Reply) -> Reply:
        """In an account, the articles of the leading entry's law that fit the facts told best.

        The law is the account's subject (see _law_first); which of its articles decides the case
        depends on the facts, which an entry written for the common case may not cite. An answer adds
        the best article when its entry does not cite it and it fits clearly better than the entry's own
        (on the consultations tuned on, articles scoring up to 1.3 times the entry's own added nothing
        right); a choice, which shows only titles, shows
        the best articles of that law beside the options.
        """
        entry = reply.entries[0]
        law = _law(entry)
        if not self.articles.covers(law):
            return reply
        policy = self.policy
        words = self.articles.statute_words(text, result.terms)
        if reply.kind == "choices":
            found, _ = self.articles.fitting(words, law, policy.fitting_choice, min_score=policy.statute_min_score)
            return replace(reply, articles=tuple(found))
        found, own = self.articles.fitting(words, law, policy.fitting_answer, min_score=policy.statute_min_score,
                                           cited=entry.basis)
        better = tuple(a for a in found if a.cite not in entry.basis and a.score >= policy.fitting_margin * own)
        return replace(reply, articles=better) if better else reply

    def _answer(self, text: str, hits: Sequence[Hit], confidence: float) -> Reply:
        entry = hits[0].entry
        notes: list[str] = []
        overdue = self.facts.overdue_entry(entry, text, [h.entry.id for h in hits])
        if overdue is not None:
            hits = [next(h for h in hits if h.entry.id == overdue), *(h for h in hits if h.entry.id != overdue)]
            entry = hits[0].entry
        swap = self.facts.swap(entry.id, text)
        if swap is not None:
            entry = self.kb.entry(swap.target)
            notes.append(swap.note)
        notes += self.facts.notes(entry, text)
        # Related questions add something: not a variant resting on the answer's own article.
        related = [h.entry for h in hits[1:] if h.entry.id != entry.id and not _same_rule(h.entry, entry)
                   and h.score >= self.policy.related_ratio * hits[0].score][: self.policy.max_related]
        return Reply("answer", (entry, *related), notes=tuple(notes), confidence=confidence)

    def _choices(self, text: str, hits: Sequence[Hit], confidence: float) -> Reply:
        entries = tuple(h.entry for h in hits[:3])
        # The first option, too, is the rule of the case stated ("婚后买的房" → joint property, not 婚前).
        swap = self.facts.swap(entries[0].id, text)
        if swap is not None and swap.target in self.kb:
            target = self.kb.entry(swap.target)
            entries = (target, *(e for e in entries if e.id != target.id))[:3]
        question = self.facts.question_for([e.id for e in entries])
        return Reply("choices", entries, question=question, confidence=confidence)

    def _fallback(self, text: str, result: SearchResult) -> Reply:
        # A short message gets statutes only when it names a legal matter itself or tells of a dispute: a
        # small-talk marker (天气, 考试), an everyday word of the statutes (结婚请客) or a place that implies
        # one (村里修了新路) does not make it a legal question. A long account may still be one.
        short = len(text) < LONG_MESSAGE
        legal = _names_legal_matter(text, result) or (not short and bool(self.articles.everyday_words(text)))
        if not legal or (result.chat and short):
            return Reply("offtopic", confidence=result.confidence)
        policy = self.policy
        near = [(cite, hit.score / result.hits[0].score) for hit in result.hits for cite in hit.entry.basis]
        words = self.articles.statute_words(text, result.terms)
        articles = self.articles.search(words, 3, min_score=policy.statute_min_score,
                                        keep_ratio=policy.statute_keep_ratio, near=near,
                                        near_weight=policy.near_weight)
        if not articles:
            return Reply("unanswered", confidence=result.confidence)
        return Reply("statutes", articles=tuple(articles), confidence=result.confidence)

    def _law_first(self, hits: list[Hit]) -> list[Hit]:
        """In a long account, the law most of the close entries rest on comes first (the story's words
        scatter over many entries; the law they gather on is the account's subject)."""
        votes: dict[str, float] = {}
        for hit in hits:
            law = _law(hit.entry)
            votes[law] = votes.get(law, 0.0) + hit.score
        best = max(votes, key=lambda law: votes[law])
        top_law = _law(hits[0].entry)
        if best == top_law or votes[best] < self.policy.law_vote * votes[top_law]:
            return hits
        lead = next(h for h in hits if _law(h.entry) == best)
        if lead.score < self.policy.law_lead * hits[0].score:
            return hits
        return [lead, *(h for h in hits if h is not lead)]

    def _bare_topic(self, result: SearchResult) -> bool:
        """A bare topic word ("彩礼", "开车") says what about, not what is asked."""
        return result.band == "middle" and result.bare

    @staticmethod
    def _distinct(hits: Sequence[Hit]) -> list[Hit]:
        return list(hits)


def _names_legal_matter(text: str, result: SearchResult) -> bool:
    """Whether a message is about a legal matter: legal vocabulary, and in a short message a legal word
    of its own or a dispute told, not only a place or person that implies one ("村里修了新路")."""
    if len(text) >= LONG_MESSAGE:
        return result.legal
    return result.legal and (result.explicit or result.dispute)


def _law(entry: Entry) -> str:
    """The law of an entry's first citation (《民法典》第1062条 → 民法典)."""
    return entry.basis[0].split("》", 1)[0].lstrip("《")


def _same_rule(a: Entry, b: Entry) -> bool:
    """Entries resting on the same first article are variants of one rule, not different topics."""
    return a.basis[0] == b.basis[0]


@functools.cache
def get_responder() -> Responder:
    """The responder over the bundled files (knowledge/faq, the statutes): loaded once, never changed.

    What a process answers with is its `Knowledge` (below), which starts from this one.
    """
    from knowledge.retrieval import get_knowledge_base

    return Responder(get_knowledge_base())


class Knowledge:
    """What one process answers with: the bundled responder until the console's changes replace it.

    Built once where the process is composed (bot/app.py, `mingbai ask`), injected into handlers
    and the console as `knowledge`, and updated in place when the console's entries change
    (bot/kb_live.py), so every holder sees the change at once.
    """

    def __init__(self, seed: Responder) -> None:
        self.seed = seed
        self.responder = seed

    @property
    def kb(self) -> KnowledgeBase:
        """The entries answered from now."""
        return self.responder.kb

    def respond(self, text: str) -> Reply:
        """The reply plan for one message."""
        return self.responder.respond(text)

    def rebuild(self, entries: Sequence[Entry]) -> Responder:
        """A responder over these entries, keeping the statute index (CPU-bound: run it off the loop)."""
        from knowledge.analyzer import Analyzer
        from knowledge.lexicon import load_lexicon

        current = self.responder
        return Responder(KnowledgeBase(entries, Analyzer(load_lexicon()), current.kb.tuning), policy=current.policy,
                         articles=current.articles)

    def use(self, responder: Responder | None) -> None:
        """Answer from now on with this responder; None: with the bundled entries again."""
        self.responder = responder or self.seed
