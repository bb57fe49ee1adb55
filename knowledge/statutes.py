"""Statute lookup for chat ("民法典第1127条") and verification of FAQ citations."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from knowledge.cite import Citation, parse_citation
from knowledge.lawdb import PRC, Article, Law, LawDB
from knowledge.numerals import parse_int
from knowledge.reviewed import ReviewedCitation, load_reviewed

# Colloquial and abbreviated names → the short name used in citations.
ALIASES: dict[str, str] = {
    "治安法": "治安管理处罚法", "治安处罚法": "治安管理处罚法", "治安管理法": "治安管理处罚法",
    "村委会组织法": "村民委员会组织法", "村组法": "村民委员会组织法", "村委会法": "村民委员会组织法",
    "村民委员会法": "村民委员会组织法",
    "妇女法": "妇女权益保障法", "妇女权益法": "妇女权益保障法", "妇女保障法": "妇女权益保障法",
    "妇保法": "妇女权益保障法",
    "老年人法": "老年人权益保障法", "老年法": "老年人权益保障法", "老年人保障法": "老年人权益保障法",
    "老年人权益法": "老年人权益保障法",
    "消法": "消费者权益保护法", "消保法": "消费者权益保护法", "消费者法": "消费者权益保护法",
    "消费者保护法": "消费者权益保护法", "消费者权益法": "消费者权益保护法",
    "道交法": "道路交通安全法", "交通安全法": "道路交通安全法", "交通法": "道路交通安全法",
    "道路交通法": "道路交通安全法",
    "反家暴法": "反家庭暴力法", "家暴法": "反家庭暴力法", "家庭暴力法": "反家庭暴力法",
    "反诈法": "反电信网络诈骗法", "反诈骗法": "反电信网络诈骗法", "反电诈法": "反电信网络诈骗法",
    "土地承包法": "农村土地承包法", "承包法": "农村土地承包法",
    "土地法": "土地管理法", "土管法": "土地管理法",
    "劳动仲裁法": "劳动争议调解仲裁法", "调解仲裁法": "劳动争议调解仲裁法",
    "劳动争议仲裁法": "劳动争议调解仲裁法",
    "劳合法": "劳动合同法",
    "民诉法": "民事诉讼法", "刑诉法": "刑事诉讼法", "行诉法": "行政诉讼法",
    "社保法": "社会保险法", "未保法": "未成年人保护法", "未成年人法": "未成年人保护法",
    "调解法": "人民调解法", "人民调解委员会法": "人民调解法",
    "援助法": "法律援助法", "法援法": "法律援助法",
    "食安法": "食品安全法", "食品法": "食品安全法",
    "个保法": "个人信息保护法", "个人信息法": "个人信息保护法",
    "安生法": "安全生产法", "残疾人法": "残疾人保障法", "义教法": "义务教育法",
    "民法": "民法典", "民典": "民法典",
}

# Laws folded into 民法典 on 2021-01-01; a citation of them is out of date.
REPEALED: dict[str, str] = {
    name: "已于2021年1月1日废止，相关规定见《民法典》"
    for name in ("婚姻法", "继承法", "合同法", "物权法", "侵权责任法", "民法总则", "民法通则",
                 "担保法", "收养法")
}

# 刑法 articles rewritten by 刑法修正案（十二） (in force 2024-03-01); laws.db still has the old text.
STALE_ARTICLES: dict[str, tuple[frozenset[int], str]] = {
    "刑法": (
        frozenset({165, 166, 169, 387, 390, 391, 393}),
        "本条已被《刑法修正案（十二）》修改（2024年3月1日施行），以上为修改前的条文，请以最新文本为准。",
    ),
}

# Regulations and judicial interpretations: not in laws.db, accepted only when reviewed.
_SECONDARY_SOURCE = re.compile(r"(^最高人民(法院|检察院)|条例$|规定$|解释|办法$|意见$|规则$|细则$)")

CheckCode = Literal[
    "ok", "format", "unknown_law", "not_in_force", "out_of_range", "no_such_article", "not_reviewed"
]


@dataclass(frozen=True)
class CitationCheck:
    """Outcome of verifying one citation; reason is empty when ok."""

    cite: str
    code: CheckCode
    reason: str = ""

    @property
    def ok(self) -> bool:
        """True when the citation was verified."""
        return self.code == "ok"


@dataclass(frozen=True)
class StatuteFound:
    """An article found for a chat lookup."""

    law_name: str
    article: Article
    warning: str = ""

    @property
    def title(self) -> str:
        """《民法典》第1127条."""
        return f"《{self.law_name}》{self.article.label}"


@dataclass(frozen=True)
class StatuteNotFound:
    """A lookup that found nothing, with a message for the user."""

    query: str
    message: str


StatuteResult = StatuteFound | StatuteNotFound


@dataclass(frozen=True)
class _Resolved:
    law: Law | None
    short_name: str
    problem: str = ""
    code: CheckCode = "ok"


_NUM = r"\d+|[零〇一二两三四五六七八九十百千]+"
_LAW = r"[\u4e00-\u9fff（）()]{0,40}?(?:法典|法|条例|规定|解释|办法)"
_QUERY = re.compile(
    rf"《?(?P<law>{_LAW})》?\s*(?:第\s*(?P<num1>{_NUM})\s*(?P<tiao1>条)?|(?P<num2>{_NUM})\s*(?P<tiao2>条))"
    rf"(?:\s*之\s*(?P<sub>\d+|[一二三四五六七八九十]+))?"
)
# A message that is only a law name and a number ("民法典1127", "治安法 51").
_BARE = re.compile(rf"《?(?P<law>{_LAW})》?\s*(?P<num2>{_NUM})")
# An unknown name is still taken for a law when the message says 第N条 and the name ends like one.
_LAW_LIKE = re.compile(r"[\u4e00-\u9fff（）]{1,30}(?:法典|法|条例)")
_LEADING_NOISE = re.compile(
    r"^(?:请问|麻烦|帮我|给我|我想|想|查询|查一下|查下|查查|查|看一下|看看|看下|搜一下|搜|一下|的)+"
)


class Statutes:
    """Law-name resolution, lookup and citation verification over one LawDB."""

    def __init__(self, db: LawDB, reviewed: dict[str, ReviewedCitation] | None = None) -> None:
        self.db = db
        self.reviewed = reviewed if reviewed is not None else load_reviewed()
        self._reviewed_laws = {c.law for c in map(parse_citation, self.reviewed) if c is not None}

    def resolve(self, name: str) -> _Resolved:
        """Map a law name as written (short, full, alias) to its in-force version."""
        short = _normalize_name(name)
        short = ALIASES.get(short, short)
        if short in REPEALED:
            return _Resolved(None, short, f"《{short}》{REPEALED[short]}", "not_in_force")
        full = short if short.startswith("全国人民代表大会") else PRC + short
        versions = self.db.versions(full)
        if not versions:
            if _SECONDARY_SOURCE.search(short) or short in self._reviewed_laws:
                return _Resolved(None, short, f"《{short}》不在法律数据库中（行政法规或司法解释）", "not_reviewed")
            return _Resolved(None, short, f"没有名为《{short}》的法律", "unknown_law")
        law = self.db.current(full)
        if law is None:
            status = versions[0].status
            return _Resolved(None, short, f"《{short}》已不是现行有效的法律（数据库状态：{status}）", "not_in_force")
        return _Resolved(law, short)

    def is_known_name(self, name: str) -> bool:
        """Whether a name resolves to anything we can talk about (law, repealed law, reviewed source)."""
        resolved = self.resolve(name)
        return resolved.code != "unknown_law"

    def verify(self, cite: str) -> CitationCheck:
        """Verify a basis line: in-force national law and existing article, or a reviewed citation."""
        cite = cite.strip()
        parsed = parse_citation(cite)
        if parsed is None:
            return CitationCheck(cite, "format", "格式应为《法律简称》第N条（阿拉伯数字，可带“之二”）")
        resolved = self.resolve(parsed.law)
        if resolved.law is None:
            if resolved.code == "not_reviewed":
                if cite in self.reviewed:
                    return CitationCheck(cite, "ok")
                return CitationCheck(cite, "not_reviewed", resolved.problem + "，且未列入 knowledge/reviewed")
            return CitationCheck(cite, resolved.code, resolved.problem)
        if parsed.law != resolved.short_name:
            return CitationCheck(cite, "format", f"法律名称请写作《{resolved.short_name}》")
        return self._check_article(cite, resolved.law, parsed)

    def _check_article(self, cite: str, law: Law, parsed: Citation) -> CitationCheck:
        if self.db.article(law, parsed.number, parsed.sub) is not None:
            return CitationCheck(cite, "ok")
        low, high = self.db.article_range(law)
        if not low <= parsed.number <= high:
            return CitationCheck(
                cite, "out_of_range", f"《{law.short_name}》（{law.version_date}）只有第{low}条至第{high}条"
            )
        return CitationCheck(cite, "no_such_article", f"《{law.short_name}》（{law.version_date}）没有这一条")

    def lookup(self, text: str) -> StatuteResult:
        """Find the article a chat message asks for; a StatuteNotFound explains what is missing."""
        query = _parse_query(text)
        if query is None:
            return StatuteNotFound(text.strip(), "没有看懂要查哪一条。请这样发：民法典第1127条、人民调解法33条。")
        resolved = self._resolve_in_text(query.law_text)
        if resolved.law is None:
            return StatuteNotFound(query.text, _not_found_law(resolved))
        if not query.number:
            return StatuteNotFound(query.text, "条文序号没有看懂，请用“第1127条”或“第一千一百二十七条”这样的写法。")
        article = self.db.article(resolved.law, query.number, query.sub)
        if article is None:
            low, high = self.db.article_range(resolved.law)
            label = f"第{query.number}条" + (f"之{query.sub_text}" if query.sub else "")
            return StatuteNotFound(
                query.text, f"没有找到《{resolved.short_name}》{label}。这部法律现行文本共第{low}条至第{high}条。"
            )
        stale, note = STALE_ARTICLES.get(resolved.short_name, (frozenset(), ""))
        return StatuteFound(resolved.short_name, article, note if query.number in stale else "")

    def is_statute_query(self, text: str) -> bool:
        """Whether a message asks for an article of a known law, or says 第N条 after a law-like name."""
        query = _parse_query(text)
        if query is None:
            return False
        if self._names_source(self._resolve_in_text(query.law_text)):
            return True
        name = _LEADING_NOISE.sub("", _normalize_name(query.law_text))
        return query.explicit and _LAW_LIKE.fullmatch(name) is not None

    def _names_source(self, resolved: _Resolved) -> bool:
        """A law of the database (in force or not) or a regulation someone reviewed."""
        return resolved.code in ("ok", "not_in_force") or (
            resolved.code == "not_reviewed" and resolved.short_name in self._reviewed_laws
        )

    def _resolve_in_text(self, law_text: str) -> _Resolved:
        """Resolve the longest suffix of the captured text that names a source ("帮我查民法典")."""
        cleaned = _normalize_name(law_text)
        for start in range(len(cleaned)):
            resolved = self.resolve(cleaned[start:])
            if self._names_source(resolved):
                return resolved
        # Nothing known: report on the name without leading chatter ("帮我查不存在法" → 不存在法).
        return self.resolve(_LEADING_NOISE.sub("", cleaned) or cleaned)


def _normalize_name(name: str) -> str:
    name = re.sub(r"\s+", "", name).strip("《》<>")
    name = name.replace("(", "（").replace(")", "）")
    return name.removeprefix(PRC)


def _not_found_law(resolved: _Resolved) -> str:
    if resolved.code == "unknown_law":
        return f"没有找到《{resolved.short_name}》。请检查法律名称，例如：民法典、劳动合同法、治安管理处罚法。"
    if resolved.code == "not_reviewed":
        return (f"没有找到《{resolved.short_name}》的条文：本地法条库只收录国家法律，"
                "行政法规和司法解释请到国家法律法规数据库（flk.npc.gov.cn）查询。")
    return f"没有找到现行有效的条文：{resolved.problem}。"


@dataclass(frozen=True)
class _Query:
    text: str
    law_text: str
    number: int | None
    sub: int | None
    sub_text: str
    explicit: bool  # 条 was written


def _parse_query(text: str) -> _Query | None:
    query = text.strip()
    match = _QUERY.search(query) or _BARE.fullmatch(query)
    if match is None:
        return None
    groups = match.groupdict()
    sub_text = groups.get("sub") or ""
    return _Query(
        text=query,
        law_text=match["law"],
        number=parse_int(groups.get("num1") or groups.get("num2") or ""),
        sub=parse_int(sub_text) if sub_text else None,
        sub_text=sub_text,
        explicit=bool(groups.get("tiao1") or groups.get("tiao2")),
    )


def looks_like_statute_query(text: str) -> bool:
    """Whether a chat message asks for a specific article ("治安法51条", "民法典第一千零七十九条")."""
    return get_statutes().is_statute_query(text)


@functools.cache
def get_statutes() -> Statutes:
    """Process-wide Statutes over the bundled laws.db and knowledge/reviewed."""
    return Statutes(LawDB())


def open_statutes(db_path: Path | None = None, reviewed_dir: Path | None = None) -> Statutes:
    """A fresh Statutes instance (tests, tools)."""
    return Statutes(LawDB(db_path), load_reviewed(reviewed_dir))


def lookup(text: str) -> StatuteResult:
    """Look up an article for a chat message with the shared instance."""
    return get_statutes().lookup(text)


def verify_citation(cite: str) -> CitationCheck:
    """Verify one basis line with the shared instance."""
    return get_statutes().verify(cite)
