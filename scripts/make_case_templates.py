"""Write the docxtpl templates of the mediation papers (reports/templates/mediation/*.docx).

Run after changing a paper's layout: `.venv/bin/python scripts/make_case_templates.py`. The packages are
written from scratch (no python-docx default template): A4, GB/T 9704-2012 margins (top 37 mm, bottom
35 mm, left 28 mm, right 26 mm), body 仿宋_GB2312 三号 on a 28 pt grid, headings 黑体 / 楷体_GB2312, titles
方正小标宋简体 二号, page numbers "— 1 —" in 宋体 四号. Every style names its East Asian font; the font
table gives each 公文 font a Noto CJK SC alternative and the GB2312 charset, and the language is zh-CN,
so LibreOffice falls back to Noto Serif/Sans CJK SC where the 公文 fonts are not installed.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

OUT = Path(__file__).resolve().parent.parent / "reports" / "templates" / "mediation"
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
MM = 56.693  # twips per millimetre

FONTS = {  # 公文 font -> (fallback, family)
    "仿宋_GB2312": ("Noto Serif CJK SC", "modern"),
    "黑体": ("Noto Sans CJK SC", "modern"),
    "楷体_GB2312": ("Noto Serif CJK SC", "modern"),
    "方正小标宋简体": ("Noto Serif CJK SC", "roman"),
    "宋体": ("Noto Serif CJK SC", "roman"),
}


def _rfonts(east: str) -> str:
    return (f'<w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="{east}" '
            f'w:cs="Times New Roman"/>')


def _pstyle(sid: str, name: str, east: str, size: int, *, jc: str = "both", indent: bool = False,
            bold: bool = False, line: int = 560, before: int = 0, after: int = 0, keep: bool = False,
            outline: int | None = None) -> str:
    ppr = f'<w:spacing w:before="{before}" w:after="{after}" w:line="{line}" w:lineRule="exact"/>'
    if indent:
        ppr += '<w:ind w:firstLineChars="200" w:firstLine="640"/>'
    else:
        ppr += '<w:ind w:firstLine="0"/>'
    ppr += f'<w:jc w:val="{jc}"/>'
    if keep:
        ppr = '<w:keepNext/>' + ppr
    if outline is not None:
        ppr += f'<w:outlineLvl w:val="{outline}"/>'
    rpr = _rfonts(east) + ('<w:b/><w:bCs/>' if bold else '') + '<w:color w:val="000000"/>'
    rpr += f'<w:sz w:val="{size}"/><w:szCs w:val="{size}"/><w:lang w:val="zh-CN" w:eastAsia="zh-CN"/>'
    default = ' w:default="1"' if sid == "Normal" else ""
    based = "" if sid == "Normal" else '<w:basedOn w:val="Normal"/>'
    return (f'<w:style w:type="paragraph"{default} w:styleId="{sid}"><w:name w:val="{name}"/>{based}'
            f'<w:qFormat/><w:pPr>{ppr}</w:pPr><w:rPr>{rpr}</w:rPr></w:style>')


STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles {W}>
<w:docDefaults><w:rPrDefault><w:rPr>{_rfonts("仿宋_GB2312")}<w:kern w:val="2"/><w:sz w:val="32"/><w:szCs w:val="32"/>
<w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/></w:rPr></w:rPrDefault>
<w:pPrDefault><w:pPr><w:widowControl w:val="0"/><w:spacing w:line="560" w:lineRule="exact"/><w:jc w:val="both"/></w:pPr>
</w:pPrDefault></w:docDefaults>
{_pstyle("Normal", "正文", "仿宋_GB2312", 32)}
{_pstyle("Body", "公文正文", "仿宋_GB2312", 32, indent=True)}
{_pstyle("Title", "公文标题", "方正小标宋简体", 44, jc="center", line=700, before=0, after=280, outline=0)}
{_pstyle("Subtitle", "发文机关", "方正小标宋简体", 32, jc="center", line=560)}
{_pstyle("DocNumber", "文号", "仿宋_GB2312", 32, jc="center", after=280)}
{_pstyle("Heading1", "一级标题", "黑体", 32, keep=True, outline=1, indent=True)}
{_pstyle("Heading2", "二级标题", "楷体_GB2312", 32, keep=True, outline=2, indent=True)}
{_pstyle("Right", "右对齐", "仿宋_GB2312", 32, jc="right")}
{_pstyle("Sign", "落款", "仿宋_GB2312", 32, jc="left")}
{_pstyle("Cell", "表格文字", "仿宋_GB2312", 28, jc="left", line=400)}
{_pstyle("CellHead", "表格标题", "黑体", 28, jc="center", line=400)}
{_pstyle("Cover", "封面大字", "方正小标宋简体", 52, jc="center", line=900, before=600, after=600)}
{_pstyle("Footer", "页脚", "宋体", 28, jc="center", line=300)}
<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont"><w:name w:val="Default Paragraph Font"/>
<w:uiPriority w:val="1"/><w:semiHidden/></w:style>
<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/>
<w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/>
<w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>
<w:style w:type="table" w:styleId="Grid"><w:name w:val="公文表格"/><w:basedOn w:val="TableNormal"/><w:tblPr>
<w:tblBorders><w:top w:val="single" w:sz="6" w:space="0" w:color="000000"/><w:left w:val="single" w:sz="6" w:space="0" w:color="000000"/>
<w:bottom w:val="single" w:sz="6" w:space="0" w:color="000000"/><w:right w:val="single" w:sz="6" w:space="0" w:color="000000"/>
<w:insideH w:val="single" w:sz="6" w:space="0" w:color="000000"/><w:insideV w:val="single" w:sz="6" w:space="0" w:color="000000"/>
</w:tblBorders></w:tblPr></w:style>
</w:styles>"""

FONT_TABLE = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:fonts {W}>
""" + "".join(
    f'<w:font w:name="{name}"><w:altName w:val="{alt}"/><w:charset w:val="86"/><w:family w:val="{fam}"/>'
    f'<w:pitch w:val="variable"/></w:font>' for name, (alt, fam) in FONTS.items()
) + """<w:font w:name="Times New Roman"><w:charset w:val="00"/><w:family w:val="roman"/><w:pitch w:val="variable"/></w:font>
</w:fonts>"""

SETTINGS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:settings {W}><w:defaultTabStop w:val="420"/><w:characterSpacingControl w:val="compressPunctuation"/>
<w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat>
<w:themeFontLang w:val="en-US" w:eastAsia="zh-CN"/></w:settings>"""

FOOTER = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:ftr {W}><w:p><w:pPr><w:pStyle w:val="Footer"/></w:pPr><w:r><w:t xml:space="preserve">— </w:t></w:r>
<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>
<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>
<w:r><w:t xml:space="preserve"> —</w:t></w:r></w:p></w:ftr>"""

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>
<Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/>
<Override PartName="/word/fontTable.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml"/>
<Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/>
<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>
</Types>"""

ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>
</Relationships>"""

DOC_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings" Target="settings.xml"/>
<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable" Target="fontTable.xml"/>
<Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer1.xml"/>
</Relationships>"""


def _core(title: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
 xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{escape(title)}</dc:title><dc:language>zh-CN</dc:language>
<dc:creator>mingbai</dc:creator></cp:coreProperties>"""


def _sect() -> str:
    return (f'<w:sectPr><w:footerReference w:type="default" r:id="rId4"/>'
            f'<w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="{round(37 * MM)}" w:right="{round(26 * MM)}" '
            f'w:bottom="{round(35 * MM)}" w:left="{round(28 * MM)}" w:header="851" w:footer="{round(18 * MM)}" '
            f'w:gutter="0"/><w:docGrid w:type="linesAndChars" w:linePitch="560" w:charSpace="0"/></w:sectPr>')


def para(text: str, style: str = "Body") -> str:
    """One paragraph of a style; jinja tags stay as written (docxtpl reads them from the text)."""
    return (f'<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr><w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r>'
            '</w:p>')


def tag(text: str) -> str:
    """A docxtpl paragraph tag ({%p ... %}), removed with its paragraph when rendered."""
    return para(text, "Normal")


def page_break() -> str:
    """Start a new page."""
    return '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'


def table(rows: list[Any], widths: list[int]) -> str:
    """A bordered table; a row is a list of cells, or ("for", "x in xs", cells) for a docxtpl row loop.
    A cell is text, or (text, span) to merge columns, or (text, span, "head")."""
    total = sum(widths)
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    out = [f'<w:tbl><w:tblPr><w:tblStyle w:val="Grid"/><w:tblW w:w="{total}" w:type="dxa"/>'
           f'<w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid>{grid}</w:tblGrid>']

    def tr(cells: list[Any]) -> str:
        xs, col = [], 0
        for c in cells:
            text, span, kind = (c, 1, "") if isinstance(c, str) else (c[0], c[1], c[2] if len(c) > 2 else "")
            w = sum(widths[col:col + span])
            col += span
            merge = f'<w:gridSpan w:val="{span}"/>' if span > 1 else ""
            style = "CellHead" if kind == "head" else "Cell"
            xs.append(f'<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/>{merge}<w:vAlign w:val="center"/></w:tcPr>'
                      f'{para(text, style)}</w:tc>')
        return '<w:tr><w:trPr><w:trHeight w:val="560"/></w:trPr>' + "".join(xs) + "</w:tr>"

    def tag_row(text: str) -> str:
        return (f'<w:tr><w:tc><w:tcPr><w:tcW w:w="{total}" w:type="dxa"/><w:gridSpan w:val="{len(widths)}"/>'
                f'</w:tcPr>{para(text, "Cell")}</w:tc></w:tr>')

    for row in rows:
        if isinstance(row, tuple) and row[0] == "for":
            out.append(tag_row("{%tr for " + row[1] + " %}"))
            out.append(tr(row[2]))
            out.append(tag_row("{%tr endfor %}"))
        else:
            out.append(tr(row))
    out.append("</w:tbl>")
    return "".join(out)


def heading_block(title: str) -> str:
    """The committee's name, the paper's title and the case number."""
    return para("{{ committee }}", "Subtitle") + para(title, "Title") + para("{{ number }}", "DocNumber")


def party_block() -> str:
    """Each party on its own line with every detail, then its agent, if any."""
    return (tag("{%p for p in parties %}") + para("{{ p.line }}") + tag("{%p if p.agent %}") + para("{{ p.agent }}")
            + tag("{%p endif %}") + tag("{%p endfor %}"))


def lines(var: str) -> str:
    """A multi-line text, one paragraph per line."""
    return tag("{%p for line in " + var + " %}") + para("{{ line }}") + tag("{%p endfor %}")


def signatures(who: str) -> str:
    """Signature lines of the parties (and, if asked, the mediators and the recorder)."""
    out = tag("{%p for p in parties %}") + para("{{ p.side_label }}（签名、盖章或按指印）：{{ p.name }}　＿＿＿＿＿＿", "Sign")
    out += tag("{%p endfor %}")
    if "mediators" in who:
        out += para("人民调解员（签名）：{{ mediators }}　＿＿＿＿＿＿", "Sign")
    if "recorder" in who:
        out += para("记录人（签名）：{{ recorder }}　＿＿＿＿＿＿", "Sign")
    return out


BODY_W = 9242  # text width in twips: 210 - 28 - 26 = 156 mm


def papers() -> dict[str, tuple[str, str]]:
    """kind -> (title, document body XML)."""
    p: dict[str, tuple[str, str]] = {}
    p["cover"] = ("卷宗封面", "".join([
        para("{{ committee }}", "Subtitle"), para("人民调解卷宗", "Cover"),
        table([
            [("案　　号", 1, "head"), "{{ number }}"], [("登 记 号", 1, "head"), "{{ reg_number }}"],
            [("案　　由", 1, "head"), "{{ case_type }}纠纷"], [("当 事 人", 1, "head"), "{{ party_names }}"],
            [("调 解 员", 1, "head"), "{{ mediators }}"], [("调解结果", 1, "head"), "{{ outcome }}"],
            [("受理日期", 1, "head"), "{{ accepted_on }}"], [("结案日期", 1, "head"), "{{ closed_on }}"],
            [("归档日期", 1, "head"), "{{ archived_on }}"], [("保管期限", 1, "head"), "{{ keep_years }}"],
            [("立 卷 人", 1, "head"), "{{ filer }}"],
        ], [2400, BODY_W - 2400]),
    ]))
    p["contents"] = ("卷内目录", "".join([
        para("卷内目录", "Title"), para("{{ number }}", "DocNumber"),
        table([[("序号", 1, "head"), ("文件名称", 1, "head"), ("日期", 1, "head"), ("页数", 1, "head"),
                ("备注", 1, "head")],
               ("for", "row in contents", ["{{ row.n }}", "{{ row.title }}", "{{ row.date }}", "{{ row.pages }}",
                                           "{{ row.note }}"])],
              [800, 4000, 2700, 800, BODY_W - 8300]),
    ]))
    p["application"] = ("人民调解申请书", "".join([
        heading_block("人民调解申请书"), party_block(),
        para("申请事项：请求{{ committee }}对申请人与被申请人之间的{{ case_type }}纠纷进行调解。"),
        para("事实和理由：", "Heading1"), lines("summary"),
        para("{{ application_note }}"),
        para("此致", "Sign"), para("{{ committee }}", "Sign"),
        para("申请人（签名或按指印）：{{ applicants }}　＿＿＿＿＿＿", "Right"), para("{{ registered_on }}", "Right"),
    ]))
    p["registration"] = ("人民调解受理登记表", "".join([
        heading_block("人民调解受理登记表"),
        table([
            [("登记号", 1, "head"), "{{ reg_number }}", ("调解案号", 1, "head"), "{{ number }}"],
            [("登记日期", 1, "head"), "{{ registered_on }}", ("案件来源", 1, "head"), "{{ source }}"],
            [("纠纷类型", 1, "head"), "{{ case_type }}", ("纠纷发生地", 1, "head"), "{{ village }}"],
            ("for", "p in parties", [("{{ p.side_label }}", 1, "head"), ("{{ p.line_short }}", 3)]),
            [("纠纷简要情况", 1, "head"), ("{{ summary_text }}", 3)],
            [("受理意见", 1, "head"), ("{{ decision }}", 3)],
            [("调解员", 1, "head"), ("{{ mediators_detail }}", 3)],
            [("登记人", 1, "head"), "{{ registrar }}", ("受理日期", 1, "head"), "{{ accepted_on }}"],
        ], [1800, 2821, 1800, BODY_W - 6421]),
    ]))
    p["decline"] = ("不予受理通知书", "".join([
        heading_block("不予受理通知书"),
        para("{{ applicants }}：", "Sign"),
        para("你（单位）于{{ registered_on }}申请调解的与{{ respondents }}之间的{{ case_type }}纠纷，经审查，"
             "因{{ decline_reason }}，本委员会决定不予受理。{{ decline_note }}"),
        para("你（单位）可以依法通过其他途径解决：向有关行政机关申请处理，依照约定申请仲裁，或者向人民法院提起诉讼。"
             "需要法律帮助的，可以拨打12348公共法律服务热线。"),
        para("特此通知。"), para("{{ committee }}（印章）", "Right"), para("{{ closed_on }}", "Right"),
    ]))
    p["rights"] = ("人民调解当事人权利义务告知书", "".join([
        heading_block("人民调解当事人权利义务告知书"),
        para("{{ party_names }}："),
        para("人民调解委员会依照《中华人民共和国人民调解法》，在当事人自愿、平等的基础上进行调解，不收取任何费用。"
             "为保障当事人的合法权益，现将当事人在人民调解活动中享有的权利和履行的义务告知如下："),
        para("一、当事人享有下列权利（《中华人民共和国人民调解法》第二十三条）", "Heading1"),
        para("（一）选择或者接受人民调解员；"), para("（二）接受调解、拒绝调解或者要求终止调解；"),
        para("（三）要求调解公开进行或者不公开进行；"), para("（四）自主表达意愿、自愿达成调解协议。"),
        para("二、当事人履行下列义务（《中华人民共和国人民调解法》第二十四条）", "Heading1"),
        para("（一）如实陈述纠纷事实；"), para("（二）遵守调解现场秩序，尊重人民调解员；"),
        para("（三）尊重对方当事人行使权利。"),
        para("三、其他事项", "Heading1"),
        para("人民调解员与本纠纷有利害关系或者可能影响公正调解的，当事人可以要求其回避。"
             "经调解达成的调解协议，具有法律约束力，当事人应当按照约定履行（《中华人民共和国人民调解法》第三十一条）。"
             "调解不成的，当事人可以依法通过仲裁、行政、司法等途径维护自己的权利（《中华人民共和国人民调解法》第二十六条）。"),
        para("以上内容已告知，当事人已知悉。", "Sign"), signatures("parties"),
        para("告知人：{{ mediators }}", "Sign"), para("{{ accepted_on }}", "Right"),
    ]))
    p["investigation"] = ("调查记录", "".join([
        heading_block("调查记录"),
        tag("{%p for r in investigations %}"),
        para("时间：{{ r.date }}　地点：{{ r.place }}", "Sign"),
        para("被调查人：{{ r.interviewee }}", "Sign"),
        para("调查人：{{ r.investigators }}　记录人：{{ r.recorder }}", "Sign"),
        para("调查内容：", "Heading1"),
        tag("{%p for line in r.lines %}"), para("{{ line }}"), tag("{%p endfor %}"),
        para("被调查人（签名或按指印）：＿＿＿＿＿＿　调查人（签名）：＿＿＿＿＿＿", "Sign"),
        tag("{%p endfor %}"),
    ]))
    p["session"] = ("调解笔录", "".join([
        heading_block("调解笔录"),
        tag("{%p for r in sessions %}"),
        para("时间：{{ r.date }}　地点：{{ r.place }}", "Sign"),
        para("参加人：{{ r.participants }}", "Sign"),
        para("人民调解员：{{ mediators }}　记录人：{{ r.recorder }}", "Sign"),
        para("调解情况：", "Heading1"),
        tag("{%p for line in r.lines %}"), para("{{ line }}"), tag("{%p endfor %}"),
        para("以上笔录经当事人阅读（已向当事人宣读），确认无误。", "Sign"),
        tag("{%p for p in parties %}"),
        para("{{ p.side_label }}（签名或按指印）：{{ p.name }}　＿＿＿＿＿＿", "Sign"),
        tag("{%p endfor %}"),
        para("人民调解员（签名）：{{ mediators }}　＿＿＿＿＿＿", "Sign"),
        para("记录人（签名）：{{ r.recorder }}　＿＿＿＿＿＿", "Sign"),
        tag("{%p endfor %}"),
    ]))
    p["agreement"] = ("人民调解协议书", "".join([
        heading_block("人民调解协议书"), party_block(),
        para("{{ superseded_note }}"),
        para("一、纠纷的主要事实、争议事项", "Heading1"), lines("facts"), para("争议事项：{{ issues }}"),
        para("二、各方当事人的责任", "Heading1"), lines("responsibility"),
        para("三、经人民调解委员会调解，当事人自愿达成如下协议", "Heading1"), lines("terms"),
        tag("{%p if amount %}"), para("涉及金额：人民币{{ amount }}元。"), tag("{%p endif %}"),
        para("四、履行方式、时限", "Heading1"), para("履行方式：{{ performance }}；履行期限：{{ perform_by }}。"),
        para("本协议自各方当事人签名、盖章或者按指印，人民调解员签名并加盖人民调解委员会印章之日起生效。"
             "本协议一式{{ copies }}份，当事人各执一份，人民调解委员会留存一份。"),
        para("经人民调解委员会调解达成的调解协议，具有法律约束力，当事人应当按照约定履行"
             "（《中华人民共和国人民调解法》第三十一条）。双方当事人认为有必要的，可以自本协议生效之日起三十日内"
             "共同向人民法院申请司法确认（《中华人民共和国人民调解法》第三十三条）。"),
        signatures("parties mediators"),
        para("{{ committee }}（印章）", "Right"), para("{{ effective_on }}", "Right"),
    ]))
    p["oral"] = ("口头调解协议登记表", "".join([
        heading_block("口头调解协议登记表"),
        table([
            [("登记号", 1, "head"), "{{ reg_number }}", ("纠纷类型", 1, "head"), "{{ case_type }}"],
            ("for", "p in parties", [("{{ p.side_label }}", 1, "head"), ("{{ p.line_short }}", 3)]),
            [("纠纷简要情况", 1, "head"), ("{{ facts_text }}", 3)],
            [("口头协议内容", 1, "head"), ("{{ terms_text }}", 3)],
            [("履行方式、期限", 1, "head"), ("{{ performance }}；{{ perform_by }}", 3)],
            [("达成日期", 1, "head"), "{{ effective_on }}", ("人民调解员", 1, "head"), "{{ mediators }}"],
            [("登记人", 1, "head"), "{{ recorder }}", ("登记日期", 1, "head"), "{{ effective_on }}"],
        ], [1800, 2821, 1800, BODY_W - 6421]),
        para("{{ superseded_note }}"),
        para("本协议系当事人在人民调解委员会主持下以口头方式达成，自各方当事人达成协议之日起生效"
             "（《中华人民共和国人民调解法》第三十条），人民调解员已记录协议内容（第二十八条）。"
             "当事人应当按照约定履行（第三十一条）。"),
    ]))
    p["confirmation_guide"] = ("司法确认申请引导", "".join([
        heading_block("司法确认申请引导"),
        para("{{ party_names }}："),
        para("你们于{{ effective_on }}在本委员会主持下达成的书面调解协议已经生效。双方当事人认为有必要的，"
             "可以自调解协议生效之日起三十日内，即{{ deadline }}前，共同向人民法院申请司法确认"
             "（《中华人民共和国人民调解法》第三十三条）。"),
        para("一、向哪个法院申请", "Heading1"),
        para("调解组织自行开展调解的，向当事人住所地、标的物所在地、调解组织所在地的基层人民法院提出"
             "（《中华人民共和国民事诉讼法》第二百零五条）。"),
        para("二、带什么材料", "Heading1"),
        para("司法确认申请书、调解协议书、双方当事人的身份证明，以及与调解协议相关的财产权利证明等材料；"
             "双方当事人应当共同到场或者按法院要求提交。"),
        para("三、确认以后", "Heading1"),
        para("人民法院裁定调解协议有效，一方当事人拒绝履行或者未全部履行的，对方当事人可以向人民法院申请执行；"
             "裁定驳回申请的，当事人可以通过调解方式变更原调解协议或者达成新的调解协议，也可以向人民法院提起诉讼"
             "（《中华人民共和国民事诉讼法》第二百零六条）。"),
        para("需要帮助的，请联系本委员会或拨打12348公共法律服务热线。"),
        para("{{ committee }}", "Right"), para("{{ effective_on }}", "Right"),
    ]))
    p["follow_up"] = ("回访记录", "".join([
        heading_block("人民调解回访记录"),
        table([
            [("回访日期", 1, "head"), ("履行情况", 1, "head"), ("当事人意见", 1, "head"), ("回访人", 1, "head"),
             ("情况说明", 1, "head")],
            ("for", "v in follow_ups", ["{{ v.date }}", "{{ v.performed }}", "{{ v.satisfied }}", "{{ v.by }}",
                                         "{{ v.note }}"]),
        ], [1800, 1500, 1500, 1500, BODY_W - 6300]),
        para("回访人（签名）：＿＿＿＿＿＿", "Sign"),
    ]))
    p["closing"] = ("人民调解结案报告", "".join([
        heading_block("人民调解结案报告"),
        para("一、基本情况", "Heading1"),
        para("{{ number }}，{{ case_type }}纠纷，{{ source }}，登记号{{ reg_number }}，{{ registered_on }}登记，"
             "{{ accepted_on }}受理。当事人：{{ party_names }}。人民调解员：{{ mediators_detail }}。"),
        para("二、纠纷简要情况", "Heading1"), lines("summary"),
        para("三、调解经过", "Heading1"),
        tag("{%p for line in history %}"), para("{{ line }}"), tag("{%p endfor %}"),
        para("四、调解结果", "Heading1"), para("{{ outcome_text }}"),
        tag("{%p for line in agreements_text %}"), para("{{ line }}"), tag("{%p endfor %}"),
        para("五、履行及回访情况", "Heading1"), para("{{ follow_up_text }}"),
        para("报告人：{{ mediators }}", "Right"), para("{{ closed_on }}", "Right"),
    ]))
    return p


def build(kind: str, title: str, body: str) -> bytes:
    """One template package."""
    import io

    document = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document {W} {R}><w:body>'
                f'{body}{_sect()}</w:body></w:document>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in [("[Content_Types].xml", CONTENT_TYPES), ("_rels/.rels", ROOT_RELS),
                           ("word/document.xml", document), ("word/_rels/document.xml.rels", DOC_RELS),
                           ("word/styles.xml", STYLES), ("word/settings.xml", SETTINGS),
                           ("word/fontTable.xml", FONT_TABLE), ("word/footer1.xml", FOOTER),
                           ("docProps/core.xml", _core(title))]:
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))  # reproducible bytes
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return buf.getvalue()


def main() -> None:
    """Write every template."""
    OUT.mkdir(parents=True, exist_ok=True)
    for kind, (title, body) in papers().items():
        (OUT / f"{kind}.docx").write_bytes(build(kind, title, body))
        print(f"{OUT / kind}.docx  {title}")


if __name__ == "__main__":
    main()
