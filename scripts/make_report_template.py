"""Writes models/report/templates/section.docx, the docxtpl template of the report section, in the 公文 layout.

GB/T 9704-2012: A4; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm; body 仿宋_GB2312 三号 (16 pt)
on a 22-line grid (28.95 pt exactly), first line indented two characters; title 方正小标宋简体 二号 centred;
headings 黑体 (一、), 楷体_GB2312 (（一）), 仿宋_GB2312 bold (1.) and 仿宋_GB2312 (（1）); page numbers
"— 1 —" in 宋体 四号 at the foot. The Chinese fonts are named as each style's eastAsia font (what Word and
LibreOffice read for CJK text; LibreOffice falls back to an installed CJK font such as Noto when the GB2312
fonts are missing); theme fonts and heading colours of python-docx's default template are removed. The
East Asian language is zh-CN everywhere (document defaults, every style, the theme font language, which
python-docx's default template sets to ja-JP), and the font table names each 公文 font with its Noto CJK SC
alternative and the GB2312 charset instead of the template's Japanese fonts (ＭＳ 明朝, ＭＳ ゴシック), so a
renderer without the 公文 fonts picks Simplified Chinese glyphs.

Run after changing the layout: .venv/bin/python scripts/make_report_template.py
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

OUT = Path(__file__).resolve().parents[1] / "models" / "report" / "templates" / "section.docx"
BODY_FONT, LATIN_FONT = "仿宋_GB2312", "Times New Roman"
TITLE_FONT = "方正小标宋简体"
HEADINGS = {1: ("黑体", False), 2: ("楷体_GB2312", False), 3: ("仿宋_GB2312", True), 4: ("仿宋_GB2312", False)}
LINE = Pt(28.95)  # 22 lines on the 225 mm type area
BODY_SIZE, TITLE_SIZE, TABLE_SIZE, PAGE_NO_SIZE = Pt(16), Pt(22), Pt(12), Pt(14)


def set_fonts(rpr_owner: Any, east_asia: str, latin: str = LATIN_FONT) -> None:
    """Name the fonts explicitly (no theme fonts) and mark the text as Simplified Chinese."""
    rpr = rpr_owner.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    for tag in ("w:color", "w:lang"):
        for el in rpr.findall(qn(tag)):
            rpr.remove(el)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    rpr.append(lang)


def paragraph_style(doc: Any, name: str, *, east_asia: str = BODY_FONT, size: Pt = BODY_SIZE, bold: bool = False,
                    align: Any = WD_ALIGN_PARAGRAPH.JUSTIFY, indent: bool = True, exact: bool = True) -> Any:
    """A style with every font, size and spacing set on it (nothing inherited from the English defaults)."""
    styles = doc.styles
    style = styles[name] if name in [s.name for s in styles] else styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.font.size = size
    style.font.bold = bold
    style.font.italic = False
    set_fonts(style.element, east_asia)
    fmt = style.paragraph_format
    fmt.alignment = align
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.first_line_indent = Pt(32) if indent else Pt(0)
    fmt.left_indent = Pt(0)
    if exact:
        fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, LINE
    else:
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    fmt.keep_with_next = name.startswith("Heading")
    return style


def page_number_footer(section: Any) -> None:
    """'— 1 —' centred at the foot of every page."""
    p = section.footer.paragraphs[0]
    p.style = paragraph_style(section.part.document, "页码", east_asia="宋体", size=PAGE_NO_SIZE,
                              align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, exact=False)
    p.add_run("— ")
    run = p.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)
    p.add_run(" —")


def table(doc: Any, columns: tuple[str, ...], loop: str) -> None:
    """A docxtpl table: a header row, then one row repeated for every item of `loop`."""
    t = doc.add_table(rows=4, cols=len(columns))
    t.style = "Table Grid"
    for row in t.rows:
        for cell in row.cells:
            cell.paragraphs[0].style = doc.styles["表格文字"]
    for i, name in enumerate(columns):
        cell = t.rows[0].cells[i]
        cell.paragraphs[0].text = name
        cell.paragraphs[0].runs[0].bold = True
    t.rows[1].cells[0].paragraphs[0].text = f"{{%tr for row in {loop} %}}"
    for i in range(len(columns)):
        t.rows[2].cells[i].paragraphs[0].text = f"{{{{ row[{i}] }}}}"
    t.rows[3].cells[0].paragraphs[0].text = "{%tr endfor %}"


def main() -> None:
    """Build and save the template."""
    from models.report.docx import TOWN_COLUMNS, VILLAGE_COLUMNS

    doc = Document()
    # The document defaults: no theme (Calibri/Cambria) fonts anywhere.
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr_default = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = rpr_default.find(qn("w:rFonts"))
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]
    fonts.set(qn("w:ascii"), LATIN_FONT)
    fonts.set(qn("w:hAnsi"), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), BODY_FONT)
    fonts.set(qn("w:cs"), LATIN_FONT)
    for lang in rpr_default.findall(qn("w:lang")):
        lang.set(qn("w:eastAsia"), "zh-CN")  # python-docx's default says en-US

    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance, section.footer_distance = Mm(15), Mm(25)

    paragraph_style(doc, "Normal")
    paragraph_style(doc, "公文标题", east_asia=TITLE_FONT, size=TITLE_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER,
                    indent=False, exact=False)
    for level, (font, bold) in HEADINGS.items():
        paragraph_style(doc, f"Heading {level}", east_asia=font, bold=bold)
    paragraph_style(doc, "表格文字", size=TABLE_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, exact=False)
    paragraph_style(doc, "附表标题", east_asia="黑体", align=WD_ALIGN_PARAGRAPH.LEFT, indent=False)
    paragraph_style(doc, "图", align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, exact=False)

    def p(text: str, style: str = "Normal") -> None:
        doc.add_paragraph(text, style=style)

    p("{%p if show_title %}")
    p("{{ title }}", "公文标题")
    p("")
    p("{%p endif %}")
    p("{%p for s in sections %}")
    p("{%p if s.level == 1 %}")
    p("{{ s.heading }}", "Heading 1")
    p("{%p elif s.level == 2 %}")
    p("{{ s.heading }}", "Heading 2")
    p("{%p elif s.level == 3 %}")
    p("{{ s.heading }}", "Heading 3")
    p("{%p else %}")
    p("{{ s.heading }}", "Heading 4")
    p("{%p endif %}")
    p("{%p for para in s.paragraphs %}")
    p("{{ para }}")
    p("{%p endfor %}")
    p("{%p endfor %}")
    p("{%p if towns %}")
    p("附表1　各乡镇对比", "附表标题")
    table(doc, TOWN_COLUMNS, "towns")
    p("{%p endif %}")
    p("{%p if villages %}")
    p("{{ village_table_title }}", "附表标题")
    table(doc, VILLAGE_COLUMNS, "villages")
    p("{%p endif %}")
    p("{{ chart_months }}", "图")
    p("{{ chart_types }}", "图")
    page_number_footer(section)
    keep = {"Normal", "Default Paragraph Font", "Normal Table", "No List", "Table Grid", "公文标题", "表格文字",
            "附表标题", "图", "页码", *(f"Heading {n}" for n in HEADINGS)}
    for style in list(doc.styles):  # the English defaults (Calibri/Cambria, blue headings) go
        if style.name not in keep:
            style.element.getparent().remove(style.element)
        else:
            for link in style.element.findall(qn("w:link")):  # to the removed "Heading 1 Char" styles
                style.element.remove(link)
    latent = doc.styles.element.find(qn("w:latentStyles"))
    if latent is not None:
        doc.styles.element.remove(latent)
    doc.core_properties.language = "zh-CN"
    doc.core_properties.title = "法治建设工作情况"
    doc.core_properties.author = "mingbai"
    doc.save(str(OUT))
    chinese_font_table(OUT)
    print(f"wrote {OUT}")


def chinese_font_table(path: Path) -> None:
    """Give the saved package the 公文 font table and a zh-CN theme font language (python-docx offers neither)."""
    from make_case_templates import FONT_TABLE  # the same table as the mediation papers'

    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    settings = parts["word/settings.xml"].decode()
    settings = re.sub(r"<w:themeFontLang [^>]*/>", "", settings)
    parts["word/settings.xml"] = settings.replace(
        "</w:settings>", '<w:themeFontLang w:val="en-US" w:eastAsia="zh-CN"/></w:settings>').encode()
    parts["word/fontTable.xml"] = FONT_TABLE.encode()
    # Word 2010's copy of the English default styles (Calibri, en-US, theme fonts): not ours, dropped
    del parts["word/stylesWithEffects.xml"]
    for name, pattern in (("word/_rels/document.xml.rels", r"<Relationship [^>]*stylesWithEffects\.xml\"/>"),
                          ("[Content_Types].xml", r"<Override [^>]*stylesWithEffects\.xml\"[^>]*/>")):
        text, n = re.subn(pattern, "", parts[name].decode())
        assert n == 1, name
        parts[name] = text.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))  # reproducible bytes
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)


if __name__ == "__main__":
    main()
