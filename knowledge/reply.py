"""What the bot decided to say to a question, before it is put into words (pure data)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from knowledge.faq import Entry

ReplyKind = Literal["answer", "choices", "statutes", "smalltalk", "offtopic", "unanswered"]
LEGAL_KINDS: frozenset[str] = frozenset({"answer", "choices", "statutes"})


@dataclass(frozen=True)
class ArticleHit:
    """One statute article offered when no FAQ entry fits, with its text cut to what matters."""

    cite: str  # 《民法典》第1245条
    text: str
    score: float = 0.0


@dataclass(frozen=True)
class Reply:
    """The plan of one reply.

    answer: entries[0] is the answer, entries[1:] at most two related entries;
    choices: entries are options of different topics, `question` asks what tells them apart;
    statutes: no entry fits a legal question, `articles` may apply;
    smalltalk / offtopic: a friendly reply and the menu hint, never a legal answer;
    unanswered: a legal question nothing fits: where to get a person.
    """

    kind: ReplyKind
    entries: tuple[Entry, ...] = ()
    articles: tuple[ArticleHit, ...] = ()  # statutes: the articles; answer or choice: articles that may apply
    notes: tuple[str, ...] = ()  # what the facts given change (time limits, before/after marriage ...)
    question: str = ""
    confidence: float = 0.0
    smalltalk: str = ""  # the small-talk group (thanks, greeting, ...)

    @property
    def band(self) -> str:
        """How the question log records it: high (answered), middle (choice), low (no entry), chat."""
        return {"answer": "high", "choices": "middle", "smalltalk": "chat"}.get(self.kind, "low")

    @property
    def legal(self) -> bool:
        """Whether the reply carries legal content (answer, choices or statutes)."""
        return self.kind in LEGAL_KINDS

    @property
    def citations(self) -> tuple[str, ...]:
        """First citation of each item shown, in order (entry basis or article)."""
        if self.kind == "statutes":
            return tuple(a.cite for a in self.articles)
        return tuple(e.basis[0] for e in self.entries)

    @property
    def first_citation(self) -> str | None:
        """The first citation the villager reads: the answer's, option 1's or the first article's."""
        cites = self.citations
        return cites[0] if cites else None

    @property
    def cited(self) -> tuple[str, ...]:
        """The articles the first reply names as law: an answer's legal basis and the articles shown under
        it; for a choice (titles only) option 1's first citation, as in first_citation, and the articles
        shown; the statute articles."""
        if not self.legal:
            return ()
        if self.kind == "statutes":
            return self.citations
        own = self.entries[0].basis if self.kind == "answer" else self.entries[0].basis[:1]
        return tuple(dict.fromkeys([*own, *(a.cite for a in self.articles)]))

    @property
    def entry_ids(self) -> tuple[str, ...]:
        """Ids of the entries shown."""
        return tuple(e.id for e in self.entries)
