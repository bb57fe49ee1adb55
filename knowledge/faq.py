"""FAQ entries: loading and validating knowledge/faq/*.toml."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from knowledge.cite import parse_citation

FAQ_DIR = Path(__file__).resolve().parent / "faq"
MAX_ANSWER_CHARS = 600
_ID = re.compile(r"[a-z0-9][a-z0-9-]*")


class FaqError(ValueError):
    """One or more FAQ files are invalid; the message lists every problem by file and id."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("invalid FAQ data:\n" + "\n".join(f"  - {p}" for p in self.problems))


@dataclass(frozen=True)
class Entry:
    """One question-and-answer entry."""

    id: str
    topic: str
    questions: tuple[str, ...]
    answer: str
    basis: tuple[str, ...]
    source: str = ""

    @property
    def title(self) -> str:
        """The first phrasing, used as the entry's title in choice lists."""
        return self.questions[0]


def load_entries(faq_dir: Path | None = None) -> list[Entry]:
    """Load and validate every *.toml in faq_dir (default knowledge/faq); raise FaqError."""
    folder = faq_dir or FAQ_DIR
    entries: list[Entry] = []
    problems: list[str] = []
    for path in sorted(folder.glob("*.toml")):
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            problems.append(f"{path.name}: cannot parse: {exc}")
            continue
        rows = data.get("entry", [])
        if not isinstance(rows, list):
            problems.append(f"{path.name}: 'entry' must be an array of tables ([[entry]])")
            continue
        for index, row in enumerate(rows):
            entry, row_problems = _parse_entry(row, path.name, index)
            problems.extend(row_problems)
            if entry is not None:
                entries.append(entry)
    problems.extend(_duplicate_ids(entries))
    if problems:
        raise FaqError(problems)
    return entries


def _parse_entry(row: object, file: str, index: int) -> tuple[Entry | None, list[str]]:
    if not isinstance(row, dict):
        return None, [f"{file} entry #{index + 1}: not a table"]
    entry_id = row.get("id")
    where = f"{file} [{entry_id}]" if isinstance(entry_id, str) and entry_id else f"{file} entry #{index + 1}"
    problems: list[str] = []
    if not isinstance(entry_id, str) or not _ID.fullmatch(entry_id):
        problems.append(f"{where}: id must be lowercase letters, digits and hyphens")
    topic = row.get("topic")
    if not isinstance(topic, str) or not topic.strip():
        problems.append(f"{where}: topic is missing")
    questions = _strings(row.get("questions"))
    if not questions:
        problems.append(f"{where}: questions must be a non-empty list of non-empty strings")
    answer = row.get("answer")
    if not isinstance(answer, str) or not answer.strip():
        problems.append(f"{where}: answer is missing")
    elif len(answer.strip()) > MAX_ANSWER_CHARS:
        problems.append(f"{where}: answer has {len(answer.strip())} characters (max {MAX_ANSWER_CHARS})")
    basis = _strings(row.get("basis"))
    if not basis:
        problems.append(f"{where}: basis must be a non-empty list of citations")
    for cite in basis or ():
        if parse_citation(cite) is None:
            problems.append(f"{where}: basis {cite!r} is not in the form 《法律简称》第N条")
    if problems:
        return None, problems
    assert isinstance(entry_id, str) and isinstance(topic, str) and isinstance(answer, str)
    assert questions is not None and basis is not None
    return Entry(entry_id, topic.strip(), questions, answer.strip(), basis, file), []


def _strings(value: object) -> tuple[str, ...] | None:
    if not isinstance(value, list) or not value:
        return None
    if not all(isinstance(item, str) and item.strip() for item in value):
        return None
    return tuple(item.strip() for item in value)


def _duplicate_ids(entries: Iterable[Entry]) -> list[str]:
    seen: dict[str, str] = {}
    problems: list[str] = []
    for entry in entries:
        if entry.id in seen:
            problems.append(f"{entry.source} [{entry.id}]: duplicate id (also in {seen[entry.id]})")
        else:
            seen[entry.id] = entry.source
    return problems
