from knowledge.faq import Entry
from knowledge.replies import format_answer, format_choices, format_fallback
from knowledge.retrieval import Hit


def entry(entry_id: str, title: str) -> Entry:
    basis = ("《民法典》第1127条", "《民法典》第1128条")
    return Entry(entry_id, "继承", (title, "别的说法"), "按法定继承办理。", basis)


def test_format_answer() -> None:
    text = format_answer(entry("a", "没有遗嘱遗产谁继承"))
    assert text == "按法定继承办理。\n\n法律依据：\n《民法典》第1127条\n《民法典》第1128条"


def test_format_choices_uses_first_phrasing() -> None:
    hits = [Hit(entry(str(i), f"问题{i}"), 1.0) for i in range(1, 5)]
    assert format_choices(hits) == "您想问的是哪一个？回复1、2、3：\n1. 问题1\n2. 问题2\n3. 问题3"


def test_format_choices_two() -> None:
    hits = [Hit(entry(str(i), f"问题{i}"), 1.0) for i in range(1, 3)]
    assert format_choices(hits).startswith("您想问的是哪一个？回复1、2：\n1. 问题1\n2. 问题2")


def test_format_fallback() -> None:
    text = format_fallback("老洪调解工作室")
    for fragment in ("12348", "法律明白人", "申请调解", "老洪调解工作室", "婚姻家庭", "交通事故"):
        assert fragment in text
    assert "法律依据" not in text


def test_hotline_is_named_the_public_legal_service_line() -> None:
    text = format_fallback("老洪调解工作室")
    assert "12348公共法律服务热线" in text and "法律援助热线" not in text


def test_answer_with_related_questions_and_notes() -> None:
    text = format_answer(entry("a", "没有遗嘱遗产谁继承"), [entry("b", "问题二"), entry("c", "问题三")], ["已过三年。"])
    assert text.startswith("根据您说的情况：已过三年。\n\n按法定继承办理。")
    assert text.endswith("相关问题：回复2 问题二；回复3 问题三")


def test_choices_asked_in_words() -> None:
    hits = [Hit(entry(str(i), f"问题{i}"), 1.0) for i in range(1, 3)]
    text = format_choices(hits, "房子是结婚前买的，还是结婚后买的？")
    assert text.startswith("房子是结婚前买的，还是结婚后买的？回复1、2：\n1. 问题1\n2. 问题2")
