import re
from pathlib import Path

import pytest

from knowledge.cite import parse_citation
from knowledge.numerals import to_chinese
from knowledge.reviewed import ReviewedError, load_reviewed

# ../shared/laws beside the repository holds the official texts (not shipped with the project).
SHARED_LAWS = Path(__file__).resolve().parents[2].parent / "shared" / "laws"


def test_reviewed_files_load() -> None:
    reviewed = load_reviewed()
    for cite, row in reviewed.items():
        assert parse_citation(cite) is not None
        assert row.source and row.checked


def test_reviewed_rejects_bad_rows(tmp_path: Path) -> None:
    row = '[[citation]]\ncite = "工伤保险条例第14条"\nsource = "s"\nchecked = "2026-11-26"\n'
    (tmp_path / "x.toml").write_text(row, encoding="utf-8")
    with pytest.raises(ReviewedError, match=r"x\.toml citation #1"):
        load_reviewed(tmp_path)
    (tmp_path / "x.toml").write_text('[[citation]]\ncite = "《工伤保险条例》第14条"\n', encoding="utf-8")
    with pytest.raises(ReviewedError, match="source and checked"):
        load_reviewed(tmp_path)


@pytest.mark.skipif(not SHARED_LAWS.is_dir(), reason="shared/laws not available")
def test_reviewed_articles_exist_in_shared_texts() -> None:
    files = {p.name.split("(")[0].removesuffix(".md"): p for p in SHARED_LAWS.glob("*.md")}
    missing = []
    for cite in load_reviewed():
        parsed = parse_citation(cite)
        assert parsed is not None
        # the shared file names the Civil Code by its short title: 适用《民法典》 for 适用〈中华人民共和国民法典〉
        path = files.get(parsed.law) or files.get(parsed.law.replace("〈中华人民共和国民法典〉", "《民法典》"))
        if path is None:
            continue  # a source the shared texts do not include; reviewed by hand only
        label = f"第{to_chinese(parsed.number)}条" + (f"之{to_chinese(parsed.sub)}" if parsed.sub else "")
        if not re.search(rf"^\s*(\*\*)?{label}(\*\*)?[\s　]", path.read_text(encoding="utf-8"), re.MULTILINE):
            missing.append(cite)
    assert missing == []
