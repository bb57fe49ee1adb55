import pytest

from knowledge.analyzer import Analyzer, normalize
from knowledge.lexicon import Lexicon, load_lexicon
from knowledge.pinyin import PinyinCorrector, fuzzy
from knowledge.retrieval import KnowledgeBase, get_knowledge_base


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return get_knowledge_base().analyzer


def test_normalize() -> None:
    assert normalize("  宅基地，能卖吗？？ABC１２３ ") == "宅基地 能卖吗 abc123"


def test_lexicon_corrects_and_expands() -> None:
    lexicon = Lexicon({"离昏": "离婚"}, {"欠钱": ("借款",), "娃": ("子女",)}, frozenset({"吗"}), ("天气",))
    assert lexicon.correct("离昏了娃归谁") == "离婚了娃归谁"
    assert lexicon.expand("他欠钱不还", ["他", "欠钱", "不", "还"]) == ["借款"]
    assert lexicon.expand("娃娃亲", ["娃娃亲"]) == []  # single characters only as whole tokens
    assert lexicon.expand("我家娃", ["我家", "娃"]) == ["子女"]
    assert lexicon.is_smalltalk("今天天气好")


def test_bundled_lexicon_loads() -> None:
    lexicon = load_lexicon()
    assert lexicon.corrections["宅机地"] == "宅基地"
    assert "借款" in lexicon.expansions["欠钱"]
    assert "我想问一下" in lexicon.stopwords
    assert lexicon.is_smalltalk("双色球开奖")


@pytest.mark.parametrize(
    ("text", "word"),
    [("宅机地能卖吗", "宅基地"), ("法律援住怎么申请", "法律援助"), ("医院不给复印并历", "病历"),
     ("赌搏被抓", "赌博"), ("高控抛物砸人", "高空抛物"), ("被够咬了", "被狗咬")],
)
def test_homophones_repaired(analyzer: Analyzer, text: str, word: str) -> None:
    assert word in analyzer.segment(text, repair=True)


@pytest.mark.parametrize(
    ("text", "kept"),
    [("娃没分到地", "地"), ("菜里有只蟑螂", "菜"), ("我想离开这里", "离开"), ("孩子在外地工作", "工作")],
)
def test_real_words_not_rewritten(analyzer: Analyzer, text: str, kept: str) -> None:
    assert kept in analyzer.segment(text, repair=True)


def test_fillers_dropped(analyzer: Analyzer) -> None:
    content = analyzer.content(analyzer.segment("我想问一下那个就是离婚的话彩礼要退吗", repair=True))
    assert "离婚" in content and "彩礼" in content
    assert not {"我想问一下", "那个", "就是", "吗"} & set(content)


def test_subwords_of_long_tokens(analyzer: Analyzer) -> None:
    assert "赡养" in analyzer.expansions(["赡养父母"])


def test_fuzzy_pinyin() -> None:
    assert fuzzy("zhang") == "zan"
    assert fuzzy("sheng") == "sen"
    corrector = PinyinCorrector(["宅基地"], known=["能", "卖", "吗"])
    assert corrector.correct(["宅", "机", "地", "能", "卖"]) == ["宅基地", "能", "卖"]


def test_private_tokenizer_leaves_global_jieba_alone() -> None:
    import jieba

    assert get_knowledge_base().analyzer.tokenizer is not jieba.dt
    assert isinstance(get_knowledge_base(), KnowledgeBase)


def test_counts_of_things_are_no_topic_words_but_times_and_ages_are(analyzer: Analyzer) -> None:
    content = analyzer.content(analyzer.segment("母猪下了十二个崽 借了两百块 三年前 孩子八岁 打12348"))
    assert "十二个" not in content and "两百块" not in content
    assert {"三年", "12348"} <= set(content)
    assert any("八岁" in t or t == "岁" for t in content)


def test_a_count_alone_matches_no_entry() -> None:
    from knowledge.answering import get_responder

    assert not get_responder().respond("我家母猪下了十二个崽").legal
