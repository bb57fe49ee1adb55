"""The fake WeChat API the tests talk to: the runtime stand-in in bot/wechat/fake.py (also `mingbai fake-wechat`)."""

from bot.wechat.fake import FakeWeChat, describe_message

__all__ = ["FakeWeChat", "describe_message"]
