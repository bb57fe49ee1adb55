"""User-facing texts built from knowledge results (pure functions)."""

from __future__ import annotations

from collections.abc import Sequence

from knowledge.faq import Entry
from knowledge.reply import ArticleHit, Reply
from knowledge.retrieval import Hit
from knowledge.smalltalk import get_smalltalk
from knowledge.statutes import StatuteFound, StatuteResult

MAX_CHOICES = 3
HOTLINE = "12348公共法律服务热线"
MENU_HINT = "回复“帮助”看看我还能做什么。"
TOPICS = "婚姻家庭、继承、土地和宅基地、借钱欠款、欠薪和工伤、交通事故、邻里纠纷"


FITTING_HEADING = "根据您说的情况，可能适用的条文："


def format_answer(entry: Entry, related: Sequence[Entry] = (), notes: Sequence[str] = (),
                  articles: Sequence[ArticleHit] = ()) -> str:
    """Notes on the facts given, the entry's answer, its legal basis, articles that may fit the facts
    better, and up to two related questions."""
    text = ""
    if notes:
        text = "根据您说的情况：" + "\n".join(notes) + "\n\n"
    text += f"{entry.answer}\n\n法律依据：\n" + "\n".join(entry.basis)
    if articles:
        text += "\n\n" + _articles(articles)
    if related:
        shown = "；".join(f"回复{i} {e.title}" for i, e in enumerate(related, start=2))
        text += f"\n\n相关问题：{shown}"
    return text


def _articles(articles: Sequence[ArticleHit]) -> str:
    return FITTING_HEADING + "".join(f"\n{a.cite}\n{a.text}" for a in articles)


def format_choices(hits: Sequence[Hit] | Sequence[Entry], question: str = "",
                   articles: Sequence[ArticleHit] = ()) -> str:
    """A question that tells the candidates apart, or the plain numbered list of up to three; then the
    articles that may apply to the facts told."""
    entries = [h.entry if isinstance(h, Hit) else h for h in hits[:MAX_CHOICES]]
    numbers = "、".join(str(i) for i in range(1, len(entries) + 1))
    head = f"{question}回复{numbers}：" if question else f"您想问的是哪一个？回复{numbers}："
    lines = [head]
    lines += [f"{i}. {entry.title}" for i, entry in enumerate(entries, start=1)]
    if question:
        lines.append("也可以直接把情况说得具体一些。")
    if articles:
        lines.append("\n" + _articles(articles))
    return "\n".join(lines)


def format_statutes(reply: Reply, studio_name: str) -> str:
    """Articles that may apply, under a plain heading, and how to get a person to look at the case."""
    lines = ["没有找到完全对应的常见问题。下面这些法律规定可能和您的问题有关，供参考："]
    for article in reply.articles:
        lines.append(f"\n{article.cite}\n{article.text}")
    lines.append(
        f"\n具体怎么办要看细节，建议找人帮您看看：回复“申请调解”找镇里的{studio_name}；"
        f"拨打{HOTLINE}免费咨询；经济困难的可以申请法律援助。"
    )
    return "\n".join(lines)


def format_smalltalk(group: str) -> str:
    """A short friendly reply to small talk, and the menu hint."""
    return f"{get_smalltalk().reply(group)}\n{MENU_HINT}"


def format_offtopic() -> str:
    """A friendly reply to a message that is not a legal question."""
    return f"这个我帮不上忙，我只懂法律问题，比如{TOPICS}等。\n{MENU_HINT}"


def format_fallback(studio_name: str) -> str:
    """What to do when a legal question has no answer; never a made-up legal answer."""
    return (
        "这个问题我暂时回答不了。\n"
        f"我能解答{TOPICS}等常见法律问题，"
        "您可以换个说法再问一次。\n"
        "您还可以：\n"
        f"1. 拨打{HOTLINE}，免费咨询；\n"
        "2. 找本村的“法律明白人”帮忙；\n"
        f"3. 回复“申请调解”，由镇里的{studio_name}帮您调解。"
    )


def format_reply(reply: Reply, studio_name: str) -> str:
    """The text of a reply plan."""
    if reply.kind == "answer":
        return format_answer(reply.entries[0], reply.entries[1:], reply.notes, reply.articles)
    if reply.kind == "choices":
        return format_choices(reply.entries, reply.question, reply.articles)
    if reply.kind == "statutes":
        return format_statutes(reply, studio_name)
    if reply.kind == "smalltalk":
        return format_smalltalk(reply.smalltalk)
    if reply.kind == "offtopic":
        return format_offtopic()
    return format_fallback(studio_name)


def format_statute(result: StatuteResult) -> str:
    """An article's title and text, or the not-found message."""
    if not isinstance(result, StatuteFound):
        return result.message
    text = f"{result.title}\n{result.article.text}"
    if result.warning:
        text += f"\n\n（{result.warning}）"
    return text
