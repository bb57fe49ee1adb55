"""Which Noto CJK face a PDF's Chinese text was set in: Japanese or Simplified Chinese.

`pdffonts` cannot tell: the faces of a Noto CJK collection share one CFF table named after the JP face, so
every embedded subset is called NotoSerifCJKjp-… or NotoSansCJKjp-…. The glyphs themselves differ: where
the JP and SC forms of a character differ (直, 今, 令, 角, 骨 …) each face maps it to its own CID. This
reads the CIDs of the subsets LibreOffice embeds (Type 1, eexec-encrypted, glyphs named cidNNNNN) and counts
those that only the JP face or only the SC face of the installed collection uses.

    .venv/bin/python scripts/pdf_cjk_faces.py FILE.pdf [...]
    (soffice --headless --convert-to pdf FILE.docx first)

Prints per file and embedded font: the glyphs, JP-only, SC-only. Needs fontTools (installed with
matplotlib) and fonts-noto-cjk.
"""

from __future__ import annotations

import re
import sys
import zlib
from pathlib import Path

NOTO = Path("/usr/share/fonts/opentype/noto")


def _eexec(data: bytes, key: int = 55665) -> bytes:
    out = bytearray()
    for c in data:
        out.append(c ^ (key >> 8))
        key = ((c + key) * 52845 + 22719) & 0xFFFF
    return bytes(out[4:])


def pdf_cids(path: Path) -> dict[str, set[str]]:
    """The glyph names (cidNNNNN) of each embedded Type 1 font program of a PDF, by font name."""
    data = path.read_bytes()
    out: dict[str, set[str]] = {}
    for m in re.finditer(rb"\d+ 0 obj(.*?)endobj", data, re.S):
        body = m.group(1)
        if b"/Length1" not in body or b"stream" not in body:
            continue
        try:
            program = zlib.decompress(body.split(b"stream", 1)[1].lstrip(b"\r\n"))
        except zlib.error:
            continue
        name = re.search(rb"/FontName\s*/(\S+)", program)
        start = program.find(b"eexec")
        if name is None or start < 0:
            continue
        start += 5
        while program[start:start + 1] in (b"\r", b"\n", b" "):
            start += 1
        glyphs = re.findall(rb"/(cid\d+) \d+ (?:RD|-\|)", _eexec(program[start:]))
        out.setdefault(name.group(1).decode(), set()).update(g.decode() for g in glyphs)
    return out


def face_only_cids() -> dict[tuple[str, str], tuple[set[str], set[str]]]:
    """(family, weight) -> (CIDs only the JP face maps to, CIDs only the SC face maps to)."""
    from fontTools.ttLib import TTCollection

    out = {}
    for family in ("Serif", "Sans"):
        for weight in ("Regular", "Bold"):
            path = NOTO / f"Noto{family}CJK-{weight}.ttc"
            if not path.exists():
                continue
            faces = {f["name"].getDebugName(6): set(f.getBestCmap().values())
                     for f in TTCollection(str(path), lazy=True).fonts}
            jp = faces[f"Noto{family}CJKjp-{weight}"]
            sc = faces[f"Noto{family}CJKsc-{weight}"]
            out[(family, weight)] = (jp - sc, sc - jp)
    return out


def main() -> int:
    """Print the counts for each PDF given."""
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    only = face_only_cids()
    for arg in sys.argv[1:]:
        parts = []
        for font, cids in sorted(pdf_cids(Path(arg)).items()):
            family = "Serif" if "Serif" in font else "Sans"
            weight = "Bold" if "Bold" in font else "Regular"
            if (family, weight) not in only or "CJK" not in font:
                continue
            jp, sc = only[(family, weight)]
            parts.append(f"{family}-{weight}: {len(cids)} glyphs, JP-only {len(cids & jp)}, SC-only {len(cids & sc)}")
        print(f"{arg}: " + ("; ".join(parts) or "no Noto CJK subset found"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
