from pathlib import Path

import pytest

from knowledge.checking import check_basis
from knowledge.faq import MAX_ANSWER_CHARS, Entry, FaqError, load_entries
from knowledge.statutes import get_statutes, open_statutes

QUESTIONS = 'questions = ["没有遗嘱遗产谁来继承", "我爹走了没留遗嘱，老房子怎么分"]'
GOOD = '''
[[entry]]
id = "inherit-order"
topic = "继承"
questions = ["没有遗嘱遗产谁来继承", "我爹走了没留遗嘱，老房子怎么分"]
answer = """没有遗嘱的，按法定继承办理。"""
basis = ["《民法典》第1127条"]
'''


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_loads_entries(tmp_path: Path) -> None:
    write(tmp_path, "a.toml", GOOD)
    [entry] = load_entries(tmp_path)
    assert entry.id == "inherit-order"
    assert entry.questions[1] == "我爹走了没留遗嘱，老房子怎么分"
    assert entry.title == "没有遗嘱遗产谁来继承"
    assert entry.basis == ("《民法典》第1127条",)
    assert entry.source == "a.toml"


def problems(tmp_path: Path) -> str:
    with pytest.raises(FaqError) as info:
        load_entries(tmp_path)
    return str(info.value)


def test_duplicate_id_names_both_files(tmp_path: Path) -> None:
    write(tmp_path, "a.toml", GOOD)
    write(tmp_path, "b.toml", GOOD)
    message = problems(tmp_path)
    assert "b.toml [inherit-order]: duplicate id (also in a.toml)" in message


def test_long_answer(tmp_path: Path) -> None:
    write(tmp_path, "a.toml", GOOD.replace("没有遗嘱的，按法定继承办理。", "长" * (MAX_ANSWER_CHARS + 1)))
    assert f"a.toml [inherit-order]: answer has {MAX_ANSWER_CHARS + 1} characters" in problems(tmp_path)


def test_answer_at_limit_is_fine(tmp_path: Path) -> None:
    write(tmp_path, "a.toml", GOOD.replace("没有遗嘱的，按法定继承办理。", "长" * MAX_ANSWER_CHARS))
    assert len(load_entries(tmp_path)[0].answer) == MAX_ANSWER_CHARS


@pytest.mark.parametrize(
    "bad",
    ["民法典第1127条", "《民法典》第一千一百二十七条", "《民法典》1127条", "《民法典》第1127条第2款", "《民法典》"],
)
def test_basis_format(tmp_path: Path, bad: str) -> None:
    write(tmp_path, "a.toml", GOOD.replace("《民法典》第1127条", bad))
    message = problems(tmp_path)
    assert "a.toml [inherit-order]: basis" in message
    assert bad in message


def test_sub_article_basis_allowed(tmp_path: Path) -> None:
    write(tmp_path, "a.toml", GOOD.replace("《民法典》第1127条", "《刑法》第287条之二"))
    assert load_entries(tmp_path)[0].basis == ("《刑法》第287条之二",)


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        (QUESTIONS, "questions = []", "questions"),
        (QUESTIONS, 'questions = ["", "x"]', "questions"),
        ('basis = ["《民法典》第1127条"]', "basis = []", "basis"),
        ('topic = "继承"', "", "topic"),
        ('id = "inherit-order"', 'id = "Inherit Order"', "id must be"),
    ],
)
def test_field_errors(tmp_path: Path, old: str, new: str, fragment: str) -> None:
    write(tmp_path, "a.toml", GOOD.replace(old, new))
    message = problems(tmp_path)
    assert "a.toml" in message and fragment in message


def test_invalid_toml_names_file(tmp_path: Path) -> None:
    write(tmp_path, "broken.toml", "[[entry]\nid = ")
    assert "broken.toml: cannot parse" in problems(tmp_path)


def test_all_problems_reported_together(tmp_path: Path) -> None:
    write(tmp_path, "a.toml", GOOD.replace("《民法典》第1127条", "bad") + GOOD.replace("继承", ""))
    with pytest.raises(FaqError) as info:
        load_entries(tmp_path)
    assert len(info.value.problems) >= 2


def fake_entry(*basis: str) -> Entry:
    return Entry("fake", "测试", ("问题",), "回答", basis, "fake.toml")


def test_check_basis_catches_made_up_citations() -> None:
    # Proves the whole-knowledge-base citation test would fail on invented citations.
    fakes = ["《民法典》第1261条", "《治安管理处罚法》第145条", "《不存在法》第1条"]
    failures = check_basis([fake_entry("《民法典》第1127条", *fakes)])
    assert [f.cite for f in failures] == fakes
    assert all(f.file == "fake.toml" and f.entry_id == "fake" for f in failures)


def test_unreviewed_regulation_fails_until_reviewed(tmp_path: Path) -> None:
    cite = "《工伤保险条例》第14条"
    empty = tmp_path / "none"
    empty.mkdir()
    statutes = open_statutes(reviewed_dir=empty)
    assert [f.cite for f in check_basis([fake_entry(cite)], statutes)] == [cite]
    reviewed = tmp_path / "reviewed"
    reviewed.mkdir()
    write(reviewed, "x.toml", f'[[citation]]\ncite = "{cite}"\nsource = "国务院令第586号"\nchecked = "2026-11-26"\n')
    statutes = open_statutes(reviewed_dir=reviewed)
    assert check_basis([fake_entry(cite)], statutes) == []
    # A reviewed entry does not vouch for other articles of the same regulation.
    assert statutes.verify("《工伤保险条例》第99条").code == "not_reviewed"


def test_whole_knowledge_base_citations_verify() -> None:
    entries = load_entries()
    assert len(entries) >= 100
    failures = check_basis(entries, get_statutes())
    assert failures == [], "\n".join(map(str, failures))
