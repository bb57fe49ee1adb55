"""The reply plan: answer first, choices between topics, statutes, small talk, facts."""

from pathlib import Path

import pytest

from knowledge.answering import Responder, get_responder
from knowledge.facts import get_facts, time_ago
from knowledge.replies import format_reply
from knowledge.retrieval import KnowledgeBase
from knowledge.statutes import get_statutes

SMALL_FAQ = (
    '[[entry]]\nid = "inherit"\ntopic = "继承"\nquestions = ["没有遗嘱遗产谁继承", "老人走了没留遗嘱 东西咋分"]\n'
    'answer = "按法定继承。"\nbasis = ["《民法典》第1127条"]\n\n'
    '[[entry]]\nid = "loan"\ntopic = "借贷"\nquestions = ["借钱不还怎么办", "欠钱不还咋整"]\n'
    'answer = "可以起诉。"\nbasis = ["《民法典》第675条"]\n'
)


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Responder:
    folder: Path = tmp_path_factory.mktemp("faq")
    (folder / "x.toml").write_text(SMALL_FAQ, encoding="utf-8")
    return Responder(KnowledgeBase.load(folder))


def test_a_legal_question_no_entry_fits_gets_real_articles(small: Responder) -> None:
    reply = small.respond("协议离婚怎么办手续")
    assert reply.kind == "statutes"
    assert reply.citations[0] == "《民法典》第1076条"
    statutes = get_statutes()
    for article in reply.articles:
        assert statutes.verify(article.cite).ok
        full = statutes.lookup(article.cite).article.text  # type: ignore[union-attr]
        assert all(part in full for part in article.text.split("……") if part)  # cut, never written
    text = format_reply(reply, "江湾镇调解工作室")
    assert "可能和您的问题有关" in text and "12348公共法律服务热线" in text and "江湾镇调解工作室" in text
    assert "法律援助" in text


def test_small_talk_and_off_topic_get_no_legal_content(small: Responder) -> None:
    for text in ("谢谢你啊", "在吗", "好的", "中不中", "拜拜", "👍"):
        assert small.respond(text).kind == "smalltalk", text
    for text in ("手机怎么截图", "今天天气咋样", "玉米啥时候追肥"):
        reply = small.respond(text)
        assert not reply.legal, (text, reply)
        assert "回答不了" not in format_reply(reply, "x")


def test_media_placeholders_typed_or_pasted_are_small_talk(small: Responder) -> None:
    # WeChat shows a picture or a voice note as "[图片]" / "[语音]" when it is copied as text.
    for text in ("[图片]", "[语音]", "[动画表情]", "[转账]", "图片"):
        reply = small.respond(text)
        assert reply.kind == "smalltalk" and reply.smalltalk == "media", text
    assert small.respond("发在网上的图片被人盗用了 能告他吗").kind != "smalltalk"


def test_answer_first_with_related_questions() -> None:
    reply = get_responder().respond("邻居家的狗把我咬了 他家不管")
    assert reply.kind == "answer" and reply.entries[0].topic == "饲养动物伤人"
    assert 1 <= len(reply.entries) <= 3
    assert len({e.id for e in reply.entries}) == len(reply.entries)


def test_a_house_bought_after_marriage_gets_the_joint_property_rule() -> None:
    reply = get_responder().respond("婚后买的房子只写了男方的名字 离婚了女方能分吗")
    assert reply.kind == "answer"
    assert reply.first_citation == "《民法典》第1062条"  # joint property, never the 婚前 rule (第1063条)
    assert reply.entries[0].id != "lf-property-premarital-house"
    swapped = get_responder().respond("结婚后买的房 房本只写他名字 离婚咋分")
    assert swapped.kind == "answer" and swapped.first_citation == "《民法典》第1062条"


def test_a_house_bought_before_marriage_and_lived_in_after_keeps_the_premarital_rule() -> None:
    facts = get_responder().facts
    # Both cases named: the swap to the joint-property rule does not fire on "婚后" alone.
    assert facts.swap("lf-property-premarital-house", "他结婚前自己全款买的房子 婚后我们一直住在里面") is None
    assert facts.swap("lf-property-premarital-house", "婚后买的房子 只写了他的名字") is not None
    # Both named: the case named nearer to the purchase decides.
    assert facts.swap("lf-property-premarital-house", "结婚后，买房首付用的是我婚前的存款") is not None
    assert facts.swap("lf-property-premarital-house", "房子是婚前买的 婚后一起还贷") is None


def test_a_choice_offers_the_rule_of_the_case_stated_first() -> None:
    from knowledge.retrieval import Hit

    responder = get_responder()
    kb = responder.kb
    hits = [Hit(kb.entry(i), 10.0 - n) for n, i in enumerate(
        ["lf-property-premarital-house", "mc2-house-bought-after-marriage-his-name", "mr-premarital-debt"])]
    reply = responder._choices("婚后买的房和车 离婚能分一半吗", hits, 0.5)
    assert reply.entries[0].id == "lf-property-joint" and len(reply.entries) == 3


@pytest.mark.parametrize(("text", "days"), [
    ("半年前在村里签的调解协议", 182), ("五年前借给他钱", 1825), ("去年被狗咬了", 365),
    ("都过去三年多了", 1096), ("过了两个月一分没给", 60), ("一年半以前", 547), ("工地干了半年", None),
])
def test_time_ago(text: str, days: int | None) -> None:
    ago = time_ago(text)
    assert (ago.days if ago else None) == days


def test_deadlines_say_which_case_applies() -> None:
    responder = get_responder()
    old = responder.respond("五年前借给邻居两万块钱 写了借条 他一直不还")
    assert old.kind == "answer" and old.notes and "超过了三年诉讼时效" in old.notes[0]
    assert old.first_citation == "《民法典》第188条"  # the limitation entry answers, not "no IOU"
    recent = responder.respond("半年前借给邻居两万块钱 写了借条 他一直不还")
    assert recent.kind == "answer" and any("还在三年诉讼时效内" in n for n in recent.notes)
    assert recent.first_citation == "《民法典》第675条"  # with an IOU: how to collect, not "no IOU"


def test_fact_rules_cite_articles_in_force() -> None:
    statutes = get_statutes()
    cites = get_facts().citations()
    assert "《人民调解法》第32条" in cites and "《民法典》第188条" in cites
    for cite in cites:
        assert statutes.verify(cite).ok, cite


def test_a_missing_contract_or_iou_is_addressed() -> None:
    from knowledge.faq import Entry

    facts = get_facts()
    loan = Entry("im-loan-collect", "借贷", ("q",), "a", ("《民法典》第675条",))
    notes = facts.notes(loan, "借给他五千块钱没写借条 他不认了")
    assert notes and "《民事诉讼法》第66条" in notes[0]
    covered = Entry("im-loan-oral-no-iou", "借贷", ("q",), "a", ("《民法典》第668条",))
    assert facts.notes(covered, "借给他五千块钱没写借条 他不认了") == []  # the entry says it already
    wage = Entry("im-wage-factory", "欠薪", ("q",), "a", ("《劳动法》第50条",))
    assert any("《劳动合同法》第7条" in n for n in facts.notes(wage, "厂里三个月没发工资 我也没签合同"))


def test_family_house_and_chat_words_alone_get_no_legal_answer() -> None:
    responder = get_responder()
    for text in ("女儿过生日送啥好", "手机银行怎么转账", "车子保养一次多少钱", "你几岁了", "房子装修好了 啥时候搬家好"):
        assert not responder.respond(text).legal, text
    # The same words in a dispute stay a legal question.
    for text in ("我家的房子被别人占着不走", "俺儿子十四岁在外面打了人 家长要赔钱不", "玩牌九被警察逮住了 要罚多少钱"):
        assert responder.respond(text).legal, text


def test_chat_words_are_not_read_as_legal_homophones() -> None:
    terms = get_responder().kb.search("车子保养一次多少钱").terms
    assert "抱养" not in terms and "收养" not in terms


def test_a_told_dispute_is_legal_even_without_legal_words() -> None:
    responder = get_responder()
    assert responder.respond("卖化肥的说能增产一倍 结果啥用没有 还不给退").legal
    for text in ("承包鱼塘养什么鱼好", "律师一个月挣多少", "借我点钱呗", "我今天很伤心 告诉我怎么办"):
        assert not responder.respond(text).legal, text


def test_errands_and_good_news_naming_an_institution_get_no_legal_content() -> None:
    responder = get_responder()
    for text in ("法院几点上班", "去法院要坐几路车", "结婚证照片要什么颜色的底", "合同两个字怎么写",
                 "我表姐今天领结婚证了 真高兴", "电视上那个离婚官司最后判了没"):
        assert not responder.respond(text).legal, text
    # The same institutions in a question about the law stay legal.
    for text in ("法院判了他不执行怎么办", "合同没到期房东就要收房", "老板让我们天天加班到半夜 合法吗"):
        assert responder.respond(text).legal, text


def test_news_feelings_and_praise_get_no_legal_content_unless_a_dispute_is_told() -> None:
    responder = get_responder()
    for text in ("今天路口又出车祸了 好吓人", "老伴走了半年了 心里还是空落落的", "老板人不错 从来不拖欠工资",
                 "今年土地流转费涨了 每亩多给一百", "我家大孙子今天订婚了", "我儿子在法院上班 工作忙不忙",
                 "我爸是老党员 今年七十了", "新农合一年交多少钱"):
        assert not responder.respond(text).legal, text
    for text in ("老板人不错 就是拖欠了三个月工资", "今天结婚了 彩礼还没给完 女方家要退婚", "听说有人偷了村里的电缆",
                 "下大雨隔壁的水都往俺院子里灌", "被人拉进一个炒股群 让我往里投钱 现在人跑了"):
        assert responder.respond(text).legal, text


def test_a_matter_told_as_settled_is_news_unless_it_asks_or_turns() -> None:
    responder = get_responder()
    for text in ("借给表哥的钱他今天主动还了", "那场官司打赢了 赔偿也拿到了", "拖欠的工钱老板都补发了",
                 "我家的低保批下来了 松了口气", "房子过户的手续办完了 总算踏实了", "两家签了调解协议 都很满意"):
        reply = responder.respond(text)
        assert not reply.legal and reply.kind != "answer", (text, reply.kind)
    # Asked about, or followed by the trouble, the same matter is a legal question.
    for text in ("官司打赢了 他还是不给钱怎么办", "拖欠的工钱补发了 但是少了一千", "征地补偿款发下来了 每亩才给三百",
                 "调解协议签好了 他又反悔了", "借的钱还了一半 剩下的不还了"):
        assert responder.respond(text).legal, text


def test_notices_ads_and_wishes_passed_on_get_no_legal_answer() -> None:
    responder = get_responder()
    for text in ("通知：后天下午两点在村委会召开党员大会", "转发一下：防范电信诈骗 不听不信不转账",
                 "低价贷款 不看征信 详情电话联系", "祝各位调解员身体健康 工作顺利"):
        reply = responder.respond(text)
        assert reply.kind not in ("answer", "statutes"), (text, reply.kind)
    # A notice the villager asks about is a question ("通知书" is no notice passed on).
    assert responder.respond("收到法院的通知书 让我下周去开庭 我该准备啥").legal


def test_errands_for_papers_and_everyday_trouble_get_no_legal_answer() -> None:
    responder = get_responder()
    for text in ("驾驶证过期了去哪换", "医保卡怎么激活", "社保大厅在什么地方", "家里蟑螂多怎么办", "水龙头冻住了咋整",
                 "分期买手机划算还是一次付清划算"):
        reply = responder.respond(text)
        assert reply.kind not in ("answer", "statutes"), (text, reply.kind, [e.id for e in reply.entries])
    # The same papers and places in a dispute, or a legal service's office, stay legal questions.
    for text in ("身份证丢了 被人冒用办了贷款", "水管冻裂了 把楼下淹了 要赔吗", "法律援助中心在哪"):
        assert responder.respond(text).legal, text


def test_a_message_without_any_legal_word_needs_more_confidence_to_be_answered() -> None:
    from dataclasses import replace

    from knowledge.answering import DEFAULT_POLICY, Responder

    kb = get_responder().kb
    text = "风水先生说我家大门朝向不好"
    result = kb.search(text)
    assert not result.legal and not result.dispute
    assert DEFAULT_POLICY.offtopic_guard <= result.confidence < DEFAULT_POLICY.wordless_guard
    assert Responder(kb, policy=replace(DEFAULT_POLICY, wordless_guard=0.0)).respond(text).kind == "answer"
    assert get_responder().respond(text).kind == "offtopic"
    assert get_responder().respond("在集上被人打了一顿").kind == "answer"  # a dispute told needs no legal word


def test_a_bare_number_is_small_talk_not_a_legal_topic() -> None:
    responder = get_responder()
    for text in ("1", "3", "12"):
        assert responder.respond(text).kind == "smalltalk", text


def test_a_dispute_word_said_not_to_have_happened_is_no_dispute() -> None:
    lexicon = get_responder().kb.analyzer.lexicon
    assert not lexicon.is_dispute("从来不拖欠工资")
    assert not lexicon.is_dispute("我没有欠过谁")
    assert lexicon.is_dispute("我没欠他钱 他非说我欠他的")  # the second 欠 is said to have happened
    assert lexicon.is_dispute("他不给钱")


def test_a_short_message_needs_a_legal_word_of_its_own_for_statutes() -> None:
    responder = get_responder()
    # 村里 implies 村委会, 结婚 is a word of the statutes: neither makes a remark a legal question.
    for text in ("村里修了新路 真方便", "结婚请客摆多少桌合适", "隔壁起新房 真气派"):
        reply = responder.respond(text)
        assert reply.kind not in ("statutes", "answer"), (text, reply.kind)
    # A damage told is a dispute even without a legal word.
    assert responder.respond("隔壁起新房打桩 把我家墙震出裂缝了").legal


def test_an_accounts_asking_sentences_weigh_more_than_its_story() -> None:
    from knowledge.retrieval import asking_part

    account = "我在县城一家手机店买了一部新手机，用了几天发现是翻新机。请问我能要求退一赔三吗？"
    assert asking_part(account) == "请问我能要求退一赔三吗？"
    assert asking_part("卖车没过户 出了事故谁赔") == ""  # short: no story to weigh against
    assert asking_part("房东不退押金怎么办？我该找谁？") == ""  # all question: nothing to stress
    kb = get_responder().kb
    weights = {"翻新机": 1.0, "退一赔三": 1.0}
    stressed = kb._stress_asking(account, weights)
    assert stressed["退一赔三"] > stressed["翻新机"] == 1.0


def test_in_a_long_account_the_law_most_close_entries_rest_on_leads() -> None:
    from knowledge.answering import Responder
    from knowledge.faq import Entry
    from knowledge.retrieval import Hit

    def hit(entry_id: str, cite: str, score: float) -> Hit:
        return Hit(Entry(entry_id, "t", ("q",), "a", (cite,)), score)

    responder = get_responder()
    story = [hit("a", "《治安管理处罚法》第50条", 10.0), hit("b", "《民法典》第1064条", 9.0),
             hit("c", "《民法典》第1062条", 6.0)]
    assert [h.entry.id for h in Responder._law_first(responder, story)] == ["b", "a", "c"]
    lone = [hit("a", "《治安管理处罚法》第50条", 10.0), hit("b", "《民法典》第1064条", 7.0),
            hit("c", "《民法典》第1062条", 2.0)]
    assert [h.entry.id for h in Responder._law_first(responder, lone)] == ["a", "b", "c"]


ACCOUNT = ("我在网上买了一台饲料粉碎机，收到货用了一个星期就坏了，联系卖家说要我自己出运费寄回去修，"
           "请问我能不能要求退货？运费谁出？")


def _real_cut(article_cite: str, text: str) -> bool:
    full = "".join(get_statutes().lookup(article_cite).article.text.split())  # type: ignore[union-attr]
    return all("".join(part.split()) in full for part in text.split("……") if part)  # cut, never written


def test_a_choice_in_an_account_shows_the_articles_of_its_law_that_fit_the_facts() -> None:
    reply = get_responder().respond(ACCOUNT)
    assert reply.kind == "choices"
    law = reply.entries[0].basis[0].split("》")[0] + "》"
    assert 1 <= len(reply.articles) <= 2
    assert all(a.cite.startswith(law) and get_statutes().verify(a.cite).ok for a in reply.articles)
    assert all(_real_cut(a.cite, a.text) for a in reply.articles)
    assert "《消费者权益保护法》第25条" in reply.cited  # 网购 seven days: the article deciding this case
    text = format_reply(reply, "x")
    assert "可能适用的条文" in text and reply.articles[0].cite in text
    # What counts as cited: option 1's first citation (as for first_citation) and the articles shown.
    assert set(reply.cited) == {reply.entries[0].basis[0], *(a.cite for a in reply.articles)}


def test_short_questions_and_well_cited_answers_get_no_extra_articles() -> None:
    responder = get_responder()
    short = responder.respond("网上买的东西坏了能退吗")
    assert not short.articles
    account = responder.respond("邻居家养了一条大狗，平时不拴绳，上周我家孩子放学路过时被狗咬伤，"
                                "打了狂犬疫苗花了两千多，邻居说孩子逗狗才被咬的，不愿意赔，请问邻居要担责任吗？")
    assert account.kind == "answer" and "《民法典》第1245条" in account.entries[0].basis
    assert not account.articles  # its entry already cites the article that decides it
    assert account.cited == account.entries[0].basis
    assert "可能适用的条文" not in format_reply(account, "x")


def test_an_answer_adds_only_an_article_its_entry_does_not_cite() -> None:
    responder = get_responder()
    for text in (ACCOUNT, "我丈夫结婚前自己全款在县城买了一套房子，婚后我们一直住在里面，装修是我娘家出的钱。"
                 "现在要离婚，他说房子是他婚前的个人财产，请问我有份吗？"):
        reply = responder.respond(text)
        if reply.kind == "answer":
            assert len(reply.articles) <= 1
            assert not set(a.cite for a in reply.articles) & set(reply.entries[0].basis)


def test_every_named_time_and_unit_is_read() -> None:
    from knowledge.facts import _NAMED, _UNIT_DAYS

    for word in _NAMED:
        assert time_ago(f"钱是{word}借的") is not None, word
    for unit in _UNIT_DAYS:
        assert time_ago(f"借了三{unit}了") is not None, unit
    assert time_ago("邻居占了我家的宅基地怎么办") is None
