import datetime as dt

import pytest

from knowledge.lawdb import LawDB
from knowledge.replies import format_statute
from knowledge.statutes import (
    StatuteFound,
    StatuteNotFound,
    get_statutes,
    looks_like_statute_query,
    lookup,
    verify_citation,
)


@pytest.mark.parametrize(
    ("query", "law", "label"),
    [
        ("民法典第1127条", "民法典", "第1127条"),
        ("人民调解法33条", "人民调解法", "第33条"),
        ("治安管理处罚法第五十一条", "治安管理处罚法", "第51条"),
        ("民法典 第一千零七十九条", "民法典", "第1079条"),
        ("劳动合同法第82条", "劳动合同法", "第82条"),
        ("《中华人民共和国民法典》第一千一百二十七条", "民法典", "第1127条"),
        ("帮我查一下民法典第1127条", "民法典", "第1127条"),
        ("治安法51条", "治安管理处罚法", "第51条"),
        ("治安处罚法第82条", "治安管理处罚法", "第82条"),
        ("劳动法第四十四条", "劳动法", "第44条"),
        ("村委会组织法第35条", "村民委员会组织法", "第35条"),
        ("妇女法第55条", "妇女权益保障法", "第55条"),
        ("土地承包法第31条", "农村土地承包法", "第31条"),
        ("刑法第287条之二", "刑法", "第287条之二"),
        ("民法典1127", "民法典", "第1127条"),
    ],
)
def test_lookup_finds_article(query: str, law: str, label: str) -> None:
    result = lookup(query)
    assert isinstance(result, StatuteFound), result
    assert result.law_name == law
    assert result.article.label == label
    assert result.article.text
    assert looks_like_statute_query(query)


def test_renumbered_public_security_law() -> None:
    # 治安管理处罚法 as revised in 2025 (in force 2026-01-01): 殴打他人 moved to §51, 赌博 to §82.
    beating = lookup("治安管理处罚法第51条")
    assert isinstance(beating, StatuteFound)
    assert "殴打" in beating.article.text
    gambling = lookup("治安管理处罚法第82条")
    assert isinstance(gambling, StatuteFound)
    assert "赌博" in gambling.article.text


def test_village_committee_law_2025() -> None:
    result = lookup("村民委员会组织法第35条")
    assert isinstance(result, StatuteFound)
    assert "村务公开" in result.article.text


def test_sub_article_is_distinguished() -> None:
    base = lookup("刑法第287条")
    second = lookup("刑法第二百八十七条之二")
    assert isinstance(base, StatuteFound) and isinstance(second, StatuteFound)
    assert base.article.text != second.article.text
    assert "技术支持" in second.article.text


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ("不存在法第1条", "没有找到《不存在法》"),
        ("民法典第1261条", "没有找到《民法典》第1261条"),
        ("治安管理处罚法第145条", "第1条至第144条"),
        ("婚姻法第32条", "废止"),
        ("工伤保险条例第14条", "没有找到"),
    ],
)
def test_lookup_not_found(query: str, fragment: str) -> None:
    result = lookup(query)
    assert isinstance(result, StatuteNotFound)
    assert fragment in result.message
    assert format_statute(result) == result.message


@pytest.mark.parametrize("text", ["彩礼", "我爹走了没留遗嘱 老房子咋分", "劳动合同法规定加班费怎么算",
                                  "按劳动合同法2倍工资", "第1127条", "你好", "被骗了有什么办法第一时间追回",
                                  "请解释第3条", "我今年第3次被打了", "他说按村规第5条要罚我"])
def test_not_statute_queries(text: str) -> None:
    assert not looks_like_statute_query(text)


@pytest.mark.parametrize("text", ["不存在法第1条", "婚姻法第32条", "工伤保险条例第14条",
                                  "按照劳动合同法第82条能要双倍工资吗"])
def test_statute_queries_routed_even_when_not_found(text: str) -> None:
    assert looks_like_statute_query(text)


def test_stale_criminal_law_article_is_flagged() -> None:
    result = lookup("刑法第390条")
    assert isinstance(result, StatuteFound)
    assert "修正案（十二）" in result.warning
    assert result.warning in format_statute(result)


def test_format_statute_found() -> None:
    text = format_statute(lookup("民法典第1127条"))
    assert text.startswith("《民法典》第1127条\n")
    assert "第一顺序：配偶、子女、父母" in text


def test_in_force_version_selection() -> None:
    db = get_statutes().db
    # DB fault: the 2018 农村土地承包法 is marked 已废止 but is in force.
    land = db.current("中华人民共和国农村土地承包法")
    assert land is not None and land.version_date == "2018-12-29"
    # Two versions stored: the newest one in force on the day wins.
    day = dt.date(2026, 11, 26)
    arbitration = db.current("中华人民共和国仲裁法", day)
    assert arbitration is not None and arbitration.version_date == "2025-09-12"
    # A revision passed but not yet effective leaves the old version in force until then.
    farming = db.current("中华人民共和国农业法", day)
    assert farming is not None and farming.version_date == "2012-12-28"
    later = db.current("中华人民共和国农业法", dt.date(2027, 1, 1))
    assert later is not None and later.version_date == "2026-08-28"
    # Repealed with no in-force version.
    assert db.current("中华人民共和国环境保护法") is None


def test_database_is_read_only() -> None:
    db = LawDB()
    try:
        with pytest.raises(Exception, match=r"readonly|read-only"):
            db._conn.execute("CREATE TABLE x (y INTEGER)")
    finally:
        db.close()


@pytest.mark.parametrize(
    "cite",
    ["《民法典》第1127条", "《治安管理处罚法》第51条", "《农村土地承包法》第31条", "《刑法》第287条之二",
     "《人民调解法》第33条", "《村民委员会组织法》第35条"],
)
def test_verify_good_citations(cite: str) -> None:
    assert verify_citation(cite).ok


@pytest.mark.parametrize(
    ("cite", "code"),
    [
        ("《民法典》第1261条", "out_of_range"),
        ("《治安管理处罚法》第145条", "out_of_range"),
        ("《不存在法》第1条", "unknown_law"),
        ("《婚姻法》第32条", "not_in_force"),
        ("《环境保护法》第6条", "not_in_force"),
        ("《刑法》第287条之九", "no_such_article"),
        ("《中华人民共和国民法典》第1127条", "format"),
        ("《治安法》第51条", "format"),
        ("民法典第1127条", "format"),
        ("《民法典》第一千一百二十七条", "format"),
        ("《某某省某某条例》第3条", "not_reviewed"),
        ("《最高人民法院关于不存在问题的解释》第1条", "not_reviewed"),
    ],
)
def test_verify_bad_citations(cite: str, code: str) -> None:
    check = verify_citation(cite)
    assert not check.ok
    assert check.code == code
    assert check.reason


def test_articles_carry_the_chapter_they_stand_under() -> None:
    statutes = get_statutes()
    law = statutes.db.current("中华人民共和国民法典")
    assert law is not None
    by_number = {a.number: a for a in statutes.db.articles(law)}
    assert "医疗损害责任" in by_number[1218].heading
    assert "相邻关系" in by_number[290].heading
