"""What a .docx must say for a renderer to pick Simplified Chinese faces: zh-CN as the East Asian language
of the defaults, every style and every run that names one; only 公文 fonts as East Asian fonts, each in the
font table with its Noto CJK SC alternative and the GB2312 charset; no Japanese language or fonts."""

from __future__ import annotations

import io
import zipfile
from xml.etree import ElementTree as ET

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# 公文 font -> the fonts-noto-cjk face a renderer without it should take
GONGWEN = {"仿宋_GB2312": "Noto Serif CJK SC", "楷体_GB2312": "Noto Serif CJK SC",
           "方正小标宋简体": "Noto Serif CJK SC", "宋体": "Noto Serif CJK SC", "黑体": "Noto Sans CJK SC"}


def check_chinese_fonts(data: bytes) -> set[str]:
    """Assert the rules above for a .docx; return the East Asian fonts it names."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        parts = {n: z.read(n).decode() for n in z.namelist() if n.startswith("word/") and n.endswith(".xml")}
    assert not [n for n, xml in parts.items() if "ja-JP" in xml], "a part marks text as Japanese"
    styles = ET.fromstring(parts["word/styles.xml"])
    default = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
    assert default is not None and default.get(f"{W}eastAsia") == "zh-CN", "document default language"
    named: set[str] = set()
    for name, xml in parts.items():
        if "theme" in name:
            continue
        root = ET.fromstring(xml)
        for lang in root.iter(f"{W}lang"):
            assert lang.get(f"{W}eastAsia", "zh-CN") == "zh-CN", (name, lang.attrib)
        for fonts in root.iter(f"{W}rFonts"):
            assert not [k for k in fonts.attrib if "theme" in k.lower()], (name, fonts.attrib)  # no theme fonts
            if fonts.get(f"{W}eastAsia") and name != "word/fontTable.xml":
                named.add(fonts.get(f"{W}eastAsia", ""))
    assert named and named <= set(GONGWEN), named
    for style in styles.iter(f"{W}style"):
        if style.get(f"{W}type") == "paragraph":  # a paragraph style says zh-CN or inherits it from the defaults
            lang = style.find(f"{W}rPr/{W}lang")
            assert lang is None or lang.get(f"{W}eastAsia") == "zh-CN", style.get(f"{W}styleId")
    table = {f.get(f"{W}name"): f for f in ET.fromstring(parts["word/fontTable.xml"]).iter(f"{W}font")}
    assert not [n for n in table if n and ("ＭＳ" in n or "MS " in n)], "Japanese fonts in the font table"
    for font in named:
        entry = table.get(font)
        assert entry is not None, f"{font} not in the font table"
        alt, charset = entry.find(f"{W}altName"), entry.find(f"{W}charset")
        assert alt is not None and alt.get(f"{W}val") == GONGWEN[font], font
        assert charset is not None and charset.get(f"{W}val") == "86", font  # GB2312
    settings = ET.fromstring(parts["word/settings.xml"]).find(f"{W}themeFontLang")
    assert settings is None or settings.get(f"{W}eastAsia") == "zh-CN"
    return named
