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
    weak: frozenset[str] = frozenset()  # people and everyday things: legal only beside a legal word
    disputes: tuple[str, ...] = ()  # what marks a dispute (占, 赔, 不给): makes weak words legal again
    chat_patterns: tuple[str, ...] = ()  # regular expressions of everyday advice ("种啥好", "挣多少")
    errand_patterns: tuple[str, ...] = ()  # errands, good news and words as words ("法院几点上班", "真高兴")
    news_patterns: tuple[str, ...] = ()  # a matter told as ended well ("官司赢了", "主动还了"), asking nothing
    _correct_re: re.Pattern[str] | None = field(init=False, repr=False, compare=False)
    _phrase_keys: tuple[str, ...] = field(init=False, repr=False, compare=False)
    _phrases_by_first: dict[str, list[tuple[int, str]]] = field(init=False, repr=False, compare=False)
    _chat_re: re.Pattern[str] | None = field(init=False, repr=False, compare=False)
    _smalltalk_re: re.Pattern[str] | None = field(init=False, repr=False, compare=False)
    _dispute_re: re.Pattern[str] | None = field(init=False, repr=False, compare=False)
    _errand_re: re.Pattern[str] | None = field(init=False, repr=False, compare=False)
    _news_re: re.Pattern[str] | None = field(init=False, repr=False, compare=False)

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
        object.__setattr__(self, "_chat_re", _one_of(self.chat_patterns))
        object.__setattr__(self, "_errand_re", _one_of(self.errand_patterns))
        object.__setattr__(self, "_news_re", _one_of(self.news_patterns))
        object.__setattr__(self, "_smalltalk_re", _any_of(self.smalltalk))
        object.__setattr__(self, "_dispute_re", _any_of(self.disputes))

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

    def is_dispute(self, text: str) -> bool:
        """Whether the text says something was taken, owed, refused or done wrong (占, 欠, 不给, 打人 ...);
        a marker said not to have happened does not count ("从来不拖欠工资", "没有欠他的")."""
        if self._dispute_re is None:
            return False
        return any(not _negated(text, m.start()) for m in self._dispute_re.finditer(text))

    def is_smalltalk(self, text: str) -> bool:
        """Whether the text has a marker of small talk (weather, lottery, greetings, cooking ...)."""
        return self.mentions_chat(text) or self.asks_advice(text) or self.runs_errand(text)

    def mentions_chat(self, text: str) -> bool:
        """Whether the text has a small-talk word (天气, 彩票, 多少钱 ...)."""
        return self._smalltalk_re is not None and self._smalltalk_re.search(text) is not None

    def asks_advice(self, text: str) -> bool:
        """Whether the text asks for everyday advice in so many words ("用什么砖好", "多久换一次", "打不着火"):
        a practical question even beside a legal word, unless it tells of a dispute."""
        return self._chat_re is not None and self._chat_re.search(text) is not None

    def runs_errand(self, text: str) -> bool:
        """Whether the text asks about an errand or shares news, whatever institution it names ("法院几点上班",
        "结婚证照片要什么底色", "我表姐今天领结婚证了 真高兴"): not a legal question even beside 法院 or 合同."""
        return self._errand_re is not None and self._errand_re.search(text) is not None

    def tells_news(self, text: str) -> bool:
        """Whether the text tells of a matter that has ended well and asks nothing ("去年那场官司赢了 钱也拿到了",
        "欠我钱的那个人今天主动还了"): news to share, whatever dispute it once was. It must end on the good
        news ("补偿款发下来了 每亩才给五百" ends on the trouble), and neither ask ("赢了 他不给钱咋办") nor
        turn ("补发了 但是少了一千")."""
        if self._news_re is None or _ASKS.search(text) or _BUT.search(text):
            return False
        clauses = [c for c in _CLAUSE.split(text) if c]
        return bool(clauses) and self._news_re.search(clauses[-1]) is not None

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


# Any sign of a question: a question mark or particle, a question word, asking for help or a way, or a
# clause ending in 不 ("能拿到不").
_ASKS = re.compile(r"[？?吗呢么]|怎|咋|啥|什么|如何|能不能|可不可以|可以|该|要不要|会不会|是不是|有没有|行不行"
                   r"|中不中|算不算|多少|多久|多大|几|哪|谁|还是|咨询|请问|想问|问问|帮|不$|不[\s，,。？?]")

_CLAUSE = re.compile(r"[\s，,。.！!；;、~～…]+")
# A turn in the story: what follows the good news is the trouble ("工资补发了 但是少了一千").
_BUT = re.compile(r"但|可是|可他|却|不过|就是|只(给|发|还|赔|退)|还没|没(给|发|还|赔|到|退)|少(了|给|发|还|赔)|又|才"
                  r"|不(服|给|认|还|赔|让|管|同意|承认|履行|退)|反悔")


def _negated(text: str, start: int) -> bool:
    """Whether the word at start follows a negation (不拖欠, 没欠, 没有占)."""
    return text[max(0, start - 1):start] in ("不", "没") or text[max(0, start - 2):start] == "没有"


def _one_of(patterns: Iterable[str]) -> re.Pattern[str] | None:
    """One pattern matching where any of the regular expressions matches (None for none)."""
    patterns = list(patterns)
    return re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None


def _any_of(words: Iterable[str]) -> re.Pattern[str] | None:
    """One pattern finding any of the words in a text (None for no words)."""
    words = [w for w in words if w]
    return re.compile("|".join(map(re.escape, words))) if words else None


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
    patterns = data.get("smalltalk", {}).get("patterns", [])
    errands = data.get("smalltalk", {}).get("errands", [])
    news = data.get("smalltalk", {}).get("news", [])
    weak = data.get("weak", {}).get("words", [])
    disputes = data.get("weak", {}).get("disputes", [])
    return Lexicon(corrections, expansions, frozenset(map(str, stop)), tuple(map(str, smalltalk)),
                   frozenset(map(str, weak)), tuple(map(str, disputes)), tuple(map(str, patterns)),
                   tuple(map(str, errands)), tuple(map(str, news)))
