from pathlib import Path

import pytest

from knowledge.retrieval import KnowledgeBase, get_knowledge_base

# Colloquial questions (not FAQ phrasings) and the entry each must find first.
SAMPLE = [
    ("我爹走了没留遗嘱 老房子和存款咋分", "im-inherit-legal-order"),
    ("宅机地能卖给别人吗", "lf-homestead-sell"),
    ("包工头跑了 我们的工钱找谁要", "im-wage-foreman-fled"),
    ("离昏了娃才一岁归谁", "lf-custody-under-two"),
    ("老公喝了酒就打我 我该找谁", "lf-dv-help-now"),
    ("他借了我三万块钱 一直拖着不还", "im-loan-collect"),
    ("在厂里干活手被机器压了 算不算工伤", "im-injury-workplace"),
    ("邻居家的狗把我儿子咬了 谁赔", "tp-dog-who-liable"),
    ("订婚给了彩礼 没领证就黄了 能要回来吗", "lf-bride-price-not-registered"),
    ("打架把人打成轻伤 会不会坐牢", "tp-fight-serious-crime"),
    ("有人打电话说是公安局的 让我把钱转到安全账户", "tp-scam-fake-police"),
    ("调解协议签了对方不认账 协议管用吗", "tp-mediation-agreement-effect"),
    ("那个我想问一下就是村里的账我们能不能去查啊", "lf-village-finance"),
    ("没签劳动合同能要两倍工资不", "im-labor-no-contract-double"),
]

OFF_TOPIC = ["你好", "今天天气怎么样", "今天吃啥", "双色球今晚开奖号码是多少", "讲个笑话", "谢谢",
             "你是机器人吗", "红烧肉怎么做", "", "？？？", "12345"]


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return get_knowledge_base()


@pytest.mark.parametrize(("question", "expected"), SAMPLE)
def test_sample_questions(kb: KnowledgeBase, question: str, expected: str) -> None:
    result = kb.search(question)
    assert result.band in ("high", "middle"), (result.band, result.confidence)
    assert result.hits[0].entry.id == expected, [h.entry.id for h in result.hits]
    assert 0.0 < result.confidence <= 1.0


@pytest.mark.parametrize("question", OFF_TOPIC)
def test_off_topic_is_low(kb: KnowledgeBase, question: str) -> None:
    assert kb.search(question).band == "low"


def test_result_shape(kb: KnowledgeBase) -> None:
    result = kb.search("彩礼", k=3)
    assert len(result.hits) == 3
    assert [h.score for h in result.hits] == sorted((h.score for h in result.hits), reverse=True)
    assert len(kb.search("彩礼", k=5).hits) == 5
    assert kb.search("彩礼").band != "high"  # several 彩礼 entries fit: offer a choice


@pytest.mark.parametrize("word", ["彩礼", "宅基地", "工伤", "抚养费", "离婚"])
def test_bare_legal_keyword_offers_choices(kb: KnowledgeBase, word: str) -> None:
    result = kb.search(word)
    assert result.band == "middle"
    assert len(result.hits) == 3


@pytest.mark.parametrize("word", ["开车", "上班", "吃饭", "微信", "老人"])
def test_one_word_is_never_a_direct_answer(kb: KnowledgeBase, word: str) -> None:
    assert kb.search(word).band != "high"


def test_long_voice_text_is_cut_not_slow(kb: KnowledgeBase) -> None:
    result = kb.search("那个就是我想问一下 " * 200 + "包工头跑了工资找谁要")
    assert result.band in ("high", "middle", "low")


def test_entry_lookup(kb: KnowledgeBase) -> None:
    first = kb.entries[0]
    assert kb.entry(first.id) is first
    with pytest.raises(KeyError):
        kb.entry("no-such-entry")
    assert len({e.id for e in kb.entries}) == len(kb.entries) >= 100


def test_get_knowledge_base_is_cached() -> None:
    assert get_knowledge_base() is get_knowledge_base()


def test_load_from_directory(tmp_path: Path) -> None:
    (tmp_path / "x.toml").write_text(
        '[[entry]]\nid = "a"\ntopic = "继承"\nquestions = ["没有遗嘱遗产谁继承"]\n'
        'answer = "按法定继承。"\nbasis = ["《民法典》第1127条"]\n\n'
        '[[entry]]\nid = "b"\ntopic = "借贷"\nquestions = ["借钱不还怎么办"]\n'
        'answer = "可以起诉。"\nbasis = ["《民法典》第675条"]\n',
        encoding="utf-8",
    )
    small = KnowledgeBase.load(tmp_path)
    assert [e.id for e in small.entries] == ["a", "b"]
    assert small.search("欠我钱不还").hits[0].entry.id == "b"


def test_coverage_is_the_share_of_legal_words_an_entry_uses() -> None:
    from knowledge.retrieval import get_knowledge_base

    kb = get_knowledge_base()
    result = kb.search("离婚后孩子的抚养费不给怎么办")
    support = kb.entry("lf-child-support-unpaid")
    dogs = kb.entry("tp-dog-who-liable")
    on_support, on_dogs = kb.coverage(result, [support, dogs])
    assert 0.0 <= on_dogs < on_support <= 1.0
    assert kb.coverage(kb.search("今天天气怎么样"), [dogs]) == [1.0]  # no legal word: nothing to miss
