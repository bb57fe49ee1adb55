import json
from pathlib import Path

import pytest

from knowledge.answering import Responder, get_responder
from knowledge.cite import parse_citation
from knowledge.evaluation import CONSULT_PATH, JUDGE_PATH, DevCase, load_devset, main, score
from knowledge.faq import Entry
from knowledge.lawbench import lawbench_cites, load_lawbench, score_lawbench
from knowledge.reply import ArticleHit, Reply
from knowledge.statutes import get_statutes


@pytest.fixture(scope="module")
def responder() -> Responder:
    return get_responder()


def first_cite_of(responder: Responder):  # type: ignore[no-untyped-def]
    return lambda entry_id: responder.kb.entry(entry_id).basis[0]


def test_devset_size_and_ids(responder: Responder) -> None:
    devset = load_devset(known_ids={e.id for e in responder.kb.entries})
    assert len(devset) >= 300
    assert sum(case.off_topic for case in devset) >= 40
    assert len({case.question for case in devset}) == len(devset)
    faq_phrasings = {q for e in responder.kb.entries for q in e.questions}
    assert not [c.question for c in devset if c.question in faq_phrasings and c.kind != "word"]


def test_judge_set_is_large_varied_and_cites_real_articles(responder: Responder) -> None:
    judge = load_devset(JUDGE_PATH)
    legal = [c for c in judge if not c.off_topic]
    assert len(legal) >= 150 and len(judge) - len(legal) >= 30
    assert {"colloquial", "dialect", "typo", "voice", "short", "smalltalk", "off"} <= {c.kind for c in judge}
    assert all(c.cites for c in legal)
    statutes = get_statutes()
    for cite in {cite for c in legal for cite in c.cites}:
        check = statutes.verify(cite)
        # Judicial interpretations are checked against /work/shared/laws, not the statute database.
        assert check.ok or cite.startswith("《最高人民法院"), (cite, check.reason)
    faq_phrasings = {q for e in responder.kb.entries for q in e.questions}
    assert not [c.question for c in judge if c.question in faq_phrasings]


def test_tuning_sets_cite_real_articles(responder: Responder) -> None:
    statutes = get_statutes()
    consult = load_devset(CONSULT_PATH)
    assert len(consult) >= 40 and all(c.cites and len(c.question) >= 40 for c in consult)
    cited = {cite for case in [*load_devset(), *consult] for cite in case.cites}
    for cite in cited:
        check = statutes.verify(cite)
        assert check.ok or cite.startswith("《最高人民法院"), (cite, check.reason)


def test_dev_set_meets_the_tuned_targets(responder: Responder) -> None:
    cases = load_devset(known_ids={e.id for e in responder.kb.entries})
    m = score("dev", responder.respond, cases, first_cite_of(responder), timing=False)
    assert m.rate(m.first_hit) >= 0.90
    assert m.rate(m.direct_right, m.direct) >= 0.95
    assert m.rate(m.direct) >= 0.70  # answer first: most questions get an answer, not a menu
    assert m.off_answered == 0


def entry(entry_id: str, cite: str) -> Entry:
    return Entry(entry_id, "t", (entry_id,), "answer", (cite,))


def test_scoring_by_citation_and_off_topic() -> None:
    replies = {
        "a": Reply("answer", (entry("x", "《民法典》第1条"), entry("y", "《民法典》第2条"))),
        "b": Reply("choices", (entry("y", "《民法典》第2条"), entry("x", "《民法典》第1条"))),
        "c": Reply("statutes", articles=(ArticleHit("《民法典》第3条", "..."),)),
        "d": Reply("answer", (entry("z", "《民法典》第9条"),)),
        "e": Reply("smalltalk", smalltalk="thanks"),
    }
    cases = [
        DevCase("a", cites=("《民法典》第1条",)),  # direct and right
        DevCase("b", cites=("《民法典》第1条",)),  # right only in second place
        DevCase("c", cites=("《民法典》第3条",)),  # right article from the statutes
        DevCase("d", expected="off-topic"),  # off-topic given a legal answer
        DevCase("e", expected="off-topic"),
    ]
    m = score("t", replies.__getitem__, cases, lambda _: None, timing=False)
    assert (m.legal, m.direct, m.direct_right, m.first_hit, m.top3) == (3, 1, 1, 2, 3)
    assert (m.off_handled, m.off_answered, m.statutes, m.choices) == (1, 1, 1, 1)


def test_lawbench_citations_skip_repealed_and_out_of_scope(tmp_path: Path) -> None:
    cites, repealed = lawbench_cites("回答:……法律依据:《中华人民共和国民法典》第一千零七十九条……"
                                     "《中华人民共和国婚姻法》第三十二条《中华人民共和国公司法》第三条")
    assert cites == ["《民法典》第1079条"] and repealed
    path = tmp_path / "lb.json"
    path.write_text(json.dumps([
        {"question": "被邻居家的狗咬了怎么办", "answer": "法律依据:《中华人民共和国民法典》第一千二百四十五条"},
        {"question": "离婚财产怎么分", "answer": "法律依据:《中华人民共和国婚姻法》第三十九条"},
        {"question": "公司注册", "answer": "法律依据:《中华人民共和国公司法》第三条"},
    ], ensure_ascii=False), encoding="utf-8")
    loaded = load_lawbench(path)
    assert (len(loaded[0]), loaded[1], loaded[2]) == (1, 3, 1)
    m = score_lawbench(lambda q: Reply("answer", (entry("d", "《民法典》第1245条"),)), loaded)
    assert (m.cases, m.same_law, m.same_article) == (1, 1, 1)
    for consultation in loaded[0]:
        assert all(parse_citation(c) for c in consultation.cites)


def test_main_prints_each_set(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "dev.toml"
    path.write_text(
        '[[case]]\nq = "包工头跑了工资找谁要"\ncite = ["《保障农民工工资支付条例》第30条"]\nkind = "colloquial"\n\n'
        '[[case]]\nq = "今天天气怎么样"\nexpected = "off-topic"\nkind = "off"\n',
        encoding="utf-8",
    )
    assert main(["--devset", str(path), "--misses"]) == 0
    out = capsys.readouterr().out
    assert "dev.toml: 2 questions (1 legal, 1 off-topic" in out
    assert "first reply right" in out and "off-topic handled" in out and "by kind" in out


def test_cited_counts_what_the_first_reply_names_and_no_more() -> None:
    own = Entry("own", "t", ("q",), "answer", ("《民法典》第1062条", "《民法典》第1087条"))
    other = entry("other", "《民法典》第1063条")
    extra = (ArticleHit("《民法典》第1092条", "..."),)
    answer = Reply("answer", (own, other), articles=extra)
    assert answer.cited == ("《民法典》第1062条", "《民法典》第1087条", "《民法典》第1092条")  # not the related entry
    choice = Reply("choices", (own, other), articles=extra)
    assert choice.cited == ("《民法典》第1062条", "《民法典》第1092条")  # titles show no basis: option 1's first only
    assert Reply("offtopic", articles=extra).cited == ()
    cases = [DevCase("a", cites=("《民法典》第1087条",)), DevCase("b", cites=("《民法典》第1087条",))]
    m = score("t", {"a": answer, "b": choice}.__getitem__, cases, lambda _: None, timing=False)
    assert (m.first_hit, m.cited) == (0, 1)


def test_lawbench_counts_an_article_named_in_the_first_reply(tmp_path: Path) -> None:
    path = tmp_path / "lb.json"
    path.write_text(json.dumps([
        {"question": "离婚时他转移了存款", "answer": "法律依据:《中华人民共和国民法典》第一千零九十二条"},
    ], ensure_ascii=False), encoding="utf-8")
    reply = Reply("choices", (entry("d", "《民法典》第1087条"),), articles=(ArticleHit("《民法典》第1092条", "..."),))
    m = score_lawbench(lambda q: reply, load_lawbench(path))
    assert (m.same_law, m.same_article, m.article_cited) == (1, 0, 1)
