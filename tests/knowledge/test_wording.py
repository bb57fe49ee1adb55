"""The shared reader of numerals, counts, dates and reports in helpers' words (no database)."""

from __future__ import annotations

import datetime as dt

import cn2an
import pytest

from knowledge.numerals import parse_int
from knowledge.wording.accuracy import TARGET_FULLY_RIGHT, evaluate_part
from knowledge.wording.dates import find_date, parse_date
from knowledge.wording.errors import ParseError
from knowledge.wording.numbers import Count, parse_count_reading, read_count, to_int
from knowledge.wording.reading import read_report

TODAY = dt.date(2026, 11, 26)  # a Thursday
VILLAGES = ["江湾村", "石桥村", "新塘村", "柳溪村"]
FORMS = ["法治公开课", "入户走访", "小板凳会议", "送法下乡", "以案释法", "法律咨询", "普法讲座"]


@pytest.mark.parametrize(("text", "value"), [
    ("三百五", 350), ("二八七", 287), ("一万五", 15000), ("两千", 2000), ("1.5万", 15000), ("1百", 100),
    ("1百2十", 120), ("一千零七十九", 1079), ("45", 45), ("４５", 45),
])
def test_numerals_agree_with_cn2an(text: str, value: int) -> None:
    assert to_int(text) == value
    assert to_int(text) == int(cn2an.cn2an(text.replace("４５", "45"), "smart"))


def test_article_numbers_read_the_same_way() -> None:
    assert parse_int("三百五") == 350 and parse_int("一千二百六十") == 1260 and parse_int("七十一千") is None


@pytest.mark.parametrize(("text", "count"), [
    ("四十多", Count(40, True)), ("一百来", Count(100, True)), ("三四十", Count(30, True)), ("十几", Count(10, True)),
    ("上百", Count(100, True)), ("约200", Count(200, True)), ("60左右", Count(60, True)), ("三百五", Count(350)),
])
def test_rough_counts_give_the_lower_figure_marked(text: str, count: Count) -> None:
    assert read_count(text) == count


def test_form_answers_keep_limits_and_marks() -> None:
    assert parse_count_reading("四十多人", "participants") == Count(40, True)
    assert parse_count_reading("三百五", "participants") == Count(350)
    for bad, word in (("-3", "负数"), ("9000", "太大"), ("很多", "整数"), ("4.5", "整数")):
        with pytest.raises(ParseError, match=word):
            parse_count_reading(bad, "participants")


@pytest.mark.parametrize(("text", "expected"), [
    ("今天", TODAY), ("昨天", dt.date(2026, 11, 25)), ("前天", dt.date(2026, 11, 24)),
    ("上周三", dt.date(2026, 11, 18)),
    ("周五", dt.date(2026, 11, 20)), ("5.12", dt.date(2026, 5, 12)), ("5月12号", dt.date(2026, 5, 12)),
    ("12号", dt.date(2026, 11, 12)), ("28号", dt.date(2026, 10, 28)), ("十一月二十号", dt.date(2026, 11, 20)),
    ("上个月15号", dt.date(2026, 10, 15)),
])
def test_dates_relative_to_a_fixed_today(text: str, expected: dt.date) -> None:
    assert parse_date(text, now=TODAY) == expected


def test_a_future_date_is_never_taken() -> None:
    with pytest.raises(ParseError, match="未来"):
        parse_date("明天", now=TODAY)
    mention = find_date("12月1日在石桥村讲座", now=TODAY)
    assert mention is not None and mention.value is None and "未来" in mention.problem


def _read(text: str) -> dict[str, object]:
    r = read_report(text, villages=VILLAGES, home_village="江湾村", forms=FORMS, today=TODAY)
    return {"is_report": r.is_report, **r.fields(), "note": r.village_note}


def test_a_report_in_free_words() -> None:
    got = _read("昨天在新堂村开了个院坝会 讲村规民约 来了二十来个人 发了三十份资料")
    assert got == {"is_report": True, "kind": "publicity", "date": "2026-11-25", "village": "新塘村",
                   "form": "小板凳会议", "six_target": "", "theme": "村规民约", "participants": 20, "materials": 30,
                   "consultations": 0, "approx": ["participants"], "note": "新堂村"}


def test_own_village_by_default_and_training_at_town_level() -> None:
    assert _read("今天上门走访十二户 宣传反诈")["village"] == "江湾村"
    assert _read("今天上门走访十二户 宣传反诈")["note"] == "default"
    training = _read("前天去县里参加了人民调解培训")
    assert (training["kind"], training["village"], training["form"], training["theme"]) == (
        "training", "", "", "人民调解")


@pytest.mark.parametrize("text", ["你好", "老公家暴怎么办", "昨天在石桥村被狗咬了 要赔多少钱",
                                  "村里的普法讲座什么时候开", "我们村三百多户人家，宅基地怎么分才合法"])
def test_questions_and_greetings_are_not_reports(text: str) -> None:
    assert not _read(text)["is_report"]


def test_held_out_part_meets_its_targets() -> None:
    result = evaluate_part("holdout")
    assert result.reports >= 100 and result.non_reports >= 25
    assert result.fully_right_share >= TARGET_FULLY_RIGHT and result.carded == []


def test_long_runs_of_digits_are_not_numbers_and_do_not_hang() -> None:
    assert to_int("1" * 5000 + "x") is None and to_int("一" * 40) is None
    assert not _read("一" * 5000 + "人")["is_report"]
