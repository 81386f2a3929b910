#!/usr/bin/env bash
# Rebuilds assets/fonts/NotoSansSC-techval.ttf: a subset of Noto Sans CJK SC Regular
# (SIL Open Font License 1.1) covering GB2312 and the symbols techval draws.
#
# Source: Debian package `fonts-noto-cjk` (bookworm: 1:20220127+repack1-1, font version 2.004),
#         file NotoSansCJK-Regular.ttc, face index 2 ("Noto Sans CJK SC").
# Tools:  fontTools (pip install fonttools; built with 4.68.0): pyftsubset + cu2qu.
#
# Steps:
#  1. apt-get download fonts-noto-cjk (the .deb only: nothing is installed system-wide, so the
#     machine stays without CJK fonts and the tests prove the bundled font is enough);
#  2. the code points: every character of GB2312 (7,445 = 6,763 hanzi + 682 symbols) plus
#     ASCII, Latin-1, General Punctuation, CJK Symbols and Punctuation, Halfwidth and
#     Fullwidth Forms, Arrows, Mathematical Operators;
#  3. pyftsubset: no layout features, no hinting, all name records kept (copyright + licence);
#  4. CFF → TrueType (glyf) outlines with cu2qu (tolerance 1 unit of 1000): techval subsets
#     the font again at run time for the @font-face it embeds in SVG and HTML, and TrueType
#     glyf is simple to subset exactly;
#  5. vertical metrics: hhea/typo ascender 1000, descender −240 (sum 1.24 em), because plotters
#     writes SVG font-size = size / 1.24 while ab_glyph scales a glyph to size = ascender −
#     descender; with a 1.24 em line the PNG and the SVG draw text at the same size.
#
# Usage: bash assets/fonts/build-font.sh        (needs apt-get, python3 with fonttools)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
python3 -c 'import fontTools' 2>/dev/null || pip install fonttools
apt-get download fonts-noto-cjk
dpkg-deb -x fonts-noto-cjk_*.deb x
ttc="x/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"

python3 - <<'PY'
cps = set()
for hi in range(0xA1, 0xF8):
    for lo in range(0xA1, 0xFF):
        try:
            cps.add(ord(bytes([hi, lo]).decode("gb2312")))
        except UnicodeDecodeError:
            pass
assert len(cps) == 7445, len(cps)
for lo, hi in [(0x20, 0x7F), (0xA0, 0x100), (0x2000, 0x2070), (0x2190, 0x2270),
               (0x3000, 0x3040), (0xFF00, 0xFF66)]:
    cps |= set(range(lo, hi))
open("unicodes.txt", "w").write("\n".join("U+%04X" % c for c in sorted(cps)))
PY

pyftsubset "$ttc" --font-number=2 --unicodes-file=unicodes.txt --layout-features='' \
  --no-hinting --name-IDs='*' --name-languages='*' --name-legacy \
  --drop-tables+=BASE,GSUB,GPOS,GDEF,vhea,vmtx,VORG --output-file=sc-cff.otf

python3 - <<'PY'
from fontTools.ttLib import TTFont, newTable
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
f = TTFont("sc-cff.otf", recalcTimestamp=False)
gs, order = f.getGlyphSet(), f.getGlyphOrder()
glyf = newTable("glyf"); glyf.glyphOrder = order; glyf.glyphs = {}
for n in order:
    pen = TTGlyphPen(gs)
    gs[n].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
    glyf.glyphs[n] = pen.glyph()
del f["CFF "]
f["glyf"] = glyf
f["loca"] = newTable("loca")
m = f["maxp"]; m.tableVersion = 0x00010000
for a in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
          "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
    setattr(m, a, 0)
m.maxZones = 1
f["head"].glyphDataFormat = 0
f["post"].formatType = 3.0
f["hhea"].ascent, f["hhea"].descent, f["hhea"].lineGap = 1000, -240, 0
os2 = f["OS/2"]
os2.sTypoAscender, os2.sTypoDescender, os2.sTypoLineGap = 1000, -240, 0
f.sfntVersion = "\x00\x01\x00\x00"
f.save("NotoSansSC-techval.ttf")
PY

cp NotoSansSC-techval.ttf "$here/NotoSansSC-techval.ttf"
ls -l "$here/NotoSansSC-techval.ttf"
sha256sum "$here/NotoSansSC-techval.ttf"
