"""Editing the knowledge base in the console: validation with the citation checker, merging the
console's changes over the TOML seed, TOML export, and grouping unanswered questions (pure functions).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from typing import Any

from knowledge.analyzer import Analyzer
from knowledge.faq import _ID, MAX_ANSWER_CHARS, Entry
from knowledge.statutes import Statutes, get_statutes

GROUP_SIMILARITY = 0.5  # share of words two questions must share to be grouped


def entry_from_form(entry_id: str, topic: str, questions: str | Sequence[str], answer: str,
                    basis: str | Sequence[str], statutes: Statutes | None = None) -> tuple[Entry | None, list[str]]:
    """An entry from the console's form (one phrasing / citation a line), or the problems in Chinese.

    Every citation goes through the statute checker: an article that does not exist in the version
    in force today, or a repealed law, is refused with the checker's reason.
    """
    problems: list[str] = []
    entry_id = entry_id.strip()
    if not _ID.fullmatch(entry_id) or len(entry_id) > 64:
        problems.append("编号只能用小写字母、数字和连字符，例如 lf-divorce-new（不超过64个字符）。")
    topic = topic.strip()
    if not topic or len(topic) > 32:
        problems.append("请填写主题（不超过32个字）。")
    phrasings = _lines(questions)
    if not phrasings:
        problems.append("请至少填写一种问法。")
    answer = answer.strip()
    if not answer:
        problems.append("请填写答案。")
    elif len(answer) > MAX_ANSWER_CHARS:
        problems.append(f"答案有{len(answer)}个字，最多{MAX_ANSWER_CHARS}个字，请精简。")
    cites = _lines(basis)
    if not cites:
        problems.append("请至少填写一条法律依据，例如《民法典》第1127条。")
    checker = statutes or get_statutes()
    for cite in cites:
        check = checker.verify(cite)
        if not check.ok:
            problems.append(f"法律依据“{cite}”不能用：{check.reason}。")
    if problems:
        return None, problems
    return Entry(entry_id, topic, tuple(phrasings), answer, tuple(cites), "console"), []


def _lines(value: str | Sequence[str]) -> list[str]:
    items = value.splitlines() if isinstance(value, str) else list(value)
    return list(dict.fromkeys(item.strip() for item in items if item.strip()))


def entry_data(entry: Entry) -> dict[str, Any]:
    """An entry as stored in the console's table and the audit (JSON-friendly)."""
    data = asdict(entry)
    data.pop("source", None)
    data["questions"], data["basis"] = list(entry.questions), list(entry.basis)
    return data


def merge(seed: Iterable[Entry], changed: Iterable[Mapping[str, Any]]) -> list[Entry]:
    """The seed entries with the console's rows applied: a row replaces the entry of its id, adds a
    new one, or (retired) removes it."""
    entries = {e.id: e for e in seed}
    for row in changed:
        if row.get("retired"):
            entries.pop(str(row["id"]), None)
            continue
        entries[str(row["id"])] = Entry(str(row["id"]), str(row["topic"]), tuple(row["questions"]), str(row["answer"]),
                                        tuple(row["basis"]), "console")
    return list(entries.values())


def to_toml(entries: Iterable[Entry]) -> str:
    """The entries as FAQ TOML ([[entry]] id, topic, questions, answer, basis), loadable as a seed file."""
    out = ["# Exported from the console's knowledge base; load it as a file in knowledge/faq/.", ""]
    for entry in entries:
        out += [
            "[[entry]]",
            f"id = {_string(entry.id)}",
            f"topic = {_string(entry.topic)}",
            "questions = [" + ", ".join(map(_string, entry.questions)) + "]",
            f"answer = {_string(entry.answer)}",
            "basis = [" + ", ".join(map(_string, entry.basis)) + "]",
            "",
        ]
    return "\n".join(out)


def _string(text: str) -> str:
    # A JSON string is a TOML basic string: the same escapes (\" \\ \n \uXXXX).
    return json.dumps(text, ensure_ascii=False)


def group_questions(questions: Sequence[str], analyzer: Analyzer) -> list[list[str]]:
    """Questions grouped by shared words (each joins the first group it shares GROUP_SIMILARITY of its
    words with), largest group first; duplicates count in their group."""
    groups: list[tuple[set[str], list[str]]] = []
    for question in questions:
        words = set(analyzer.content(analyzer.segment(question)))
        for terms, members in groups:
            union = terms | words
            if union and len(terms & words) / len(union) >= GROUP_SIMILARITY:
                members.append(question)
                terms |= words
                break
        else:
            groups.append((set(words), [question]))
    return sorted((members for _, members in groups), key=len, reverse=True)
