"""User-facing texts built from knowledge results (pure functions)."""

from __future__ import annotations

from collections.abc import Sequence

from knowledge.faq import Entry
from knowledge.retrieval import Hit
from knowledge.statutes import StatuteFound, StatuteResult

MAX_CHOICES = 3


def format_answer(entry: Entry) -> str:
    """The entry's answer followed by its legal basis, one citation a line."""
    return f"{entry.answer}\n\n法律依据：\n" + "\n".join(entry.basis)


def format_choices(hits: Sequence[Hit]) -> str:
    """A numbered list of up to three candidate questions for the user to pick from."""
    shown = list(hits[:MAX_CHOICES])
    numbers = "、".join(str(i) for i in range(1, len(shown) + 1))
    lines = [f"您想问的是哪一个？回复{numbers}："]
    lines += [f"{i}. {hit.entry.title}" for i, hit in enumerate(shown, start=1)]
    return "\n".join(lines)


def format_fallback(studio_name: str) -> str:
    """What to do when the knowledge base has no answer; never a made-up legal answer."""
    return (
        "这个问题我暂时回答不了。\n"
        "我能解答婚姻家庭、继承、土地和宅基地、借钱欠款、欠薪和工伤、交通事故、邻里纠纷等常见法律问题，"
        "您可以换个说法再问一次。\n"
        "您还可以：\n"
        "1. 拨打12348法律援助热线，免费咨询；\n"
        "2. 找本村的“法律明白人”帮忙；\n"
        f"3. 回复“申请调解”，由镇里的{studio_name}帮您调解。"
    )


def format_statute(result: StatuteResult) -> str:
    """An article's title and text, or the not-found message."""
    if not isinstance(result, StatuteFound):
        return result.message
    text = f"{result.title}\n{result.article.text}"
    if result.warning:
        text += f"\n\n（{result.warning}）"
    return text
