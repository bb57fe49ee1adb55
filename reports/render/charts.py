"""Charts for the docx and the dashboard (matplotlib, Agg), with a CJK font from Debian's packages."""

from __future__ import annotations

import io
import subprocess
from functools import cache
from pathlib import Path

from queries.figures import ReportFigures

# Debian's fonts-noto-cjk; other CJK fonts are found through fontconfig (`fc-list :lang=zh`).
KNOWN_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)
MISSING_FONT = "未找到中文字体，图表无法显示汉字。请安装：apt-get install -y fonts-noto-cjk"


@cache
def cjk_font_path() -> str:
    """The file of a CJK font; ReportError with the install command when there is none."""
    for path in KNOWN_FONTS:
        if Path(path).is_file():
            return path
    try:
        out = subprocess.run(
            ["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        out = ""
    for line in sorted(out.splitlines()):
        path = line.split(":", 1)[0].strip()
        if path and Path(path).is_file():
            return path
    from reports.render import ReportError

    raise ReportError(MISSING_FONT)


@cache
def _pyplot():  # type: ignore[no-untyped-def]
    """pyplot on Agg with the CJK font registered (once: reading the font collection takes a while)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib import pyplot as plt

    path = cjk_font_path()
    font_manager.fontManager.addfont(path)
    name = font_manager.FontProperties(fname=path).get_name()
    plt.rcParams["font.family"] = [name]
    plt.rcParams["axes.unicode_minus"] = False
    return plt


def _png(fig) -> bytes:  # type: ignore[no-untyped-def]
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)  # fixed margins: no layout pass, no second drawing for a tight box
    _pyplot().close(fig)
    return buf.getvalue()


def events_by_month(f: ReportFigures) -> bytes:
    """A bar chart (PNG) of outreach events per month of the period."""
    plt = _pyplot()
    months = f.period.months()
    values = [f.activities.by_month.get(m, 0) for m in months]
    labels = [f"{int(m[5:])}月" if len(months) <= 12 else m for m in months]
    fig, ax = plt.subplots(figsize=(7, 3.2))
    fig.subplots_adjust(left=0.09, right=0.98, top=0.9, bottom=0.25 if len(months) > 12 else 0.1)
    ax.bar(labels, values, color="#2f6f9f")
    ax.set_title(f"{f.town}{f.village or ''}{f.period.label}普法宣传活动（按月）")
    ax.set_ylabel("次数")
    for i, v in enumerate(values):
        if v:
            ax.annotate(str(v), (i, v), ha="center", va="bottom", fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    if len(labels) > 12:
        ax.tick_params(axis="x", rotation=60, labelsize=7)
    return _png(fig)


def disputes_by_type(f: ReportFigures) -> bytes:
    """A horizontal bar chart (PNG) of disputes per type, largest on top."""
    plt = _pyplot()
    items = sorted(((k, v) for k, v in f.disputes.by_type.items() if v), key=lambda kv: (kv[1], kv[0]))
    height = max(2.4, 0.35 * len(items) + 1)
    fig, ax = plt.subplots(figsize=(7, height))
    fig.subplots_adjust(left=0.17, right=0.95, top=1 - 0.35 / height, bottom=0.55 / height)
    if items:
        ax.barh([k for k, _ in items], [v for _, v in items], color="#b5562b")
        for i, (_, v) in enumerate(items):
            ax.annotate(str(v), (v, i), ha="left", va="center", fontsize=8, xytext=(3, 0), textcoords="offset points")
    else:
        ax.text(0.5, 0.5, "本期无矛盾纠纷", ha="center", va="center", transform=ax.transAxes)
        ax.set_yticks([])
    ax.set_title(f"{f.town}{f.village or ''}{f.period.label}矛盾纠纷（按类型）")
    ax.set_xlabel("件数")
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)
