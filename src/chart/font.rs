//! The bundled CJK font: registration with plotters, glyph coverage, and per-document subsets.
//!
//! `assets/fonts/NotoSansSC-techval.ttf` (Noto Sans CJK SC, SIL OFL 1.1; see
//! `assets/fonts/README.md`) is compiled into the binary. It serves three ways:
//!
//! * **PNG**: plotters rasterises text through its `ab_glyph` backend with this font, registered
//!   once under [`FAMILY`] by [`ensure_registered`]. No system font is ever looked up.
//! * **SVG and HTML**: plotters writes `<text>` elements; a browser draws them with the
//!   `@font-face` that [`font_face_css`] builds: a subset of the bundled font holding exactly the
//!   characters the document uses (TrueType, base64 in a `data:` URL). Text stays text
//!   (searchable, selectable) and the file stays small (a chart's subset is a few kB).
//! * **Coverage**: [`missing_glyphs`] lists characters the font has no glyph for, so a label
//!   that would show as an empty box is caught (tests run it over every chart and report label;
//!   the report command warns at run time).
//!
//! The subsetter is a small exact TrueType (`glyf`) subsetter: it keeps `.notdef`, the glyphs of
//! the requested characters (and components of composite glyphs), renumbers them, and writes
//! `cmap` (format 4), `glyf`, `loca`, `hmtx`, `hhea`, `maxp`, `head`, `OS/2`, `name` and `post`.
//! The `name` table, with the copyright and licence records the OFL asks to keep, is copied whole.

use crate::error::{Error, Result};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::OnceLock;

/// The bundled font file (TrueType outlines, ≈ 2 MB).
pub static FONT_BYTES: &[u8] = include_bytes!("../../assets/fonts/NotoSansSC-techval.ttf");

/// The family name charts use: the key under which plotters knows the font, and the
/// `font-family` of the embedded `@font-face`.
pub const FAMILY: &str = "TechvalSans";

/// The CSS font stack of HTML reports: the embedded subset first, then common CJK system fonts.
pub const CSS_FONT_STACK: &str = "\"TechvalSans\", \"Noto Sans CJK SC\", \"Source Han Sans SC\", \"PingFang SC\", \"Microsoft YaHei\", sans-serif";

/// Registers the bundled font with plotters (once per process; later calls are free).
pub fn ensure_registered() -> Result<()> {
    static DONE: OnceLock<std::result::Result<(), String>> = OnceLock::new();
    DONE.get_or_init(|| {
        use plotters::style::FontStyle;
        for style in [FontStyle::Normal, FontStyle::Bold] {
            plotters::style::register_font(FAMILY, style, FONT_BYTES)
                .map_err(|_| "the bundled font could not be parsed".to_string())?;
        }
        Ok(())
    })
    .clone()
    .map_err(Error::Internal)
}

/// Parsed tables of the bundled font, built once.
struct FontIndex {
    cmap: HashMap<u32, u16>,
    /// Advance width per glyph, font units.
    advances: Vec<u16>,
    units_per_em: u16,
}

fn index() -> Result<&'static FontIndex> {
    static IX: OnceLock<std::result::Result<FontIndex, String>> = OnceLock::new();
    IX.get_or_init(|| {
        let f = Sfnt::parse(FONT_BYTES).map_err(|e| format!("bundled font: {e}"))?;
        let cmap = f.cmap().map_err(|e| format!("bundled font: {e}"))?;
        let m = f.metrics().map_err(|e| format!("bundled font: {e}"))?;
        Ok(FontIndex {
            cmap,
            advances: m.hmetrics.iter().map(|h| h.0).collect(),
            units_per_em: m.units_per_em,
        })
    })
    .as_ref()
    .map_err(|e| Error::Internal(e.clone()))
}

/// The characters of `text` the bundled font has no glyph for, each once, in order of first
/// appearance. Control characters (line breaks, tabs) are not drawn and are never reported.
pub fn missing_glyphs(text: &str) -> Result<Vec<char>> {
    let ix = index()?;
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for c in text.chars() {
        if c.is_control() || !seen.insert(c) {
            continue;
        }
        if ix.cmap.get(&(c as u32)).is_none_or(|g| *g == 0) {
            out.push(c);
        }
    }
    Ok(out)
}

/// Width of `text` in pixels at font size `px` (em size), from the bundled font's advances;
/// characters without a glyph count as one em. Used to size label areas.
pub fn text_width(text: &str, px: f64) -> f64 {
    let Ok(ix) = index() else {
        return text.chars().count() as f64 * px;
    };
    let upem = f64::from(ix.units_per_em.max(1));
    text.chars()
        .map(|c| {
            ix.cmap
                .get(&(c as u32))
                .and_then(|g| ix.advances.get(usize::from(*g)))
                .map_or(px, |a| f64::from(*a) / upem * px)
        })
        .sum()
}

/// A TrueType font holding `.notdef` and the glyphs of `chars` (those the bundled font has).
pub fn subset(chars: &BTreeSet<char>) -> Result<Vec<u8>> {
    let f = Sfnt::parse(FONT_BYTES).map_err(|e| Error::Internal(format!("bundled font: {e}")))?;
    f.subset(chars)
        .map_err(|e| Error::Internal(format!("font subset: {e}")))
}

/// A CSS `@font-face` rule for [`FAMILY`] embedding the subset of the bundled font that covers
/// `text` (base64 TrueType in a `data:` URL).
pub fn font_face_css(text: &str) -> Result<String> {
    let chars: BTreeSet<char> = text.chars().filter(|c| !c.is_control()).collect();
    let bytes = subset(&chars)?;
    Ok(format!(
        "@font-face{{font-family:\"{FAMILY}\";font-style:normal;font-weight:400;src:url(\"data:font/ttf;base64,{}\") format(\"truetype\");}}",
        base64(&bytes)
    ))
}

/// Standard base64 (RFC 4648, with padding).
pub fn base64(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for ch in bytes.chunks(3) {
        let b = [
            ch[0],
            ch.get(1).copied().unwrap_or(0),
            ch.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let idx = |s: u32| char::from(T[((n >> s) & 63) as usize]);
        out.push(idx(18));
        out.push(idx(12));
        out.push(if ch.len() > 1 { idx(6) } else { '=' });
        out.push(if ch.len() > 2 { idx(0) } else { '=' });
    }
    out
}

// ---------------------------------------------------------------------------------------------
// A minimal sfnt (TrueType) reader and subsetter.

/// A parsed table directory over the font bytes.
struct Sfnt<'a> {
    tables: BTreeMap<[u8; 4], &'a [u8]>,
}

/// Horizontal metrics and header fields needed for subsetting.
struct Metrics {
    units_per_em: u16,
    /// (advance, lsb) per glyph.
    hmetrics: Vec<(u16, i16)>,
    long_loca: bool,
    num_glyphs: u16,
}

fn rd16(b: &[u8], at: usize) -> std::result::Result<u16, String> {
    b.get(at..at + 2)
        .map(|s| u16::from_be_bytes([s[0], s[1]]))
        .ok_or_else(|| format!("truncated at byte {at}"))
}

fn rd32(b: &[u8], at: usize) -> std::result::Result<u32, String> {
    b.get(at..at + 4)
        .map(|s| u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
        .ok_or_else(|| format!("truncated at byte {at}"))
}

fn checksum(b: &[u8]) -> u32 {
    let mut sum = 0u32;
    for ch in b.chunks(4) {
        let mut w = [0u8; 4];
        w[..ch.len()].copy_from_slice(ch);
        sum = sum.wrapping_add(u32::from_be_bytes(w));
    }
    sum
}

impl<'a> Sfnt<'a> {
    fn parse(data: &'a [u8]) -> std::result::Result<Sfnt<'a>, String> {
        if rd32(data, 0)? != 0x0001_0000 {
            return Err("not a TrueType (glyf) font".into());
        }
        let n = usize::from(rd16(data, 4)?);
        let mut tables = BTreeMap::new();
        for i in 0..n {
            let rec = 12 + 16 * i;
            let tag: [u8; 4] = data
                .get(rec..rec + 4)
                .and_then(|s| <[u8; 4]>::try_from(s).ok())
                .ok_or("truncated table directory")?;
            let off = rd32(data, rec + 8)? as usize;
            let len = rd32(data, rec + 12)? as usize;
            let t = data
                .get(off..off + len)
                .ok_or_else(|| format!("table {} out of bounds", String::from_utf8_lossy(&tag)))?;
            tables.insert(tag, t);
        }
        Ok(Sfnt { tables })
    }

    fn table(&self, tag: &[u8; 4]) -> std::result::Result<&'a [u8], String> {
        self.tables
            .get(tag)
            .copied()
            .ok_or_else(|| format!("no {} table", String::from_utf8_lossy(tag)))
    }

    /// The Unicode cmap (format 4 or 12 subtables of platform 3 or 0).
    fn cmap(&self) -> std::result::Result<HashMap<u32, u16>, String> {
        let t = self.table(b"cmap")?;
        let n = usize::from(rd16(t, 2)?);
        let mut best: Option<usize> = None;
        for i in 0..n {
            let pid = rd16(t, 4 + 8 * i)?;
            let eid = rd16(t, 6 + 8 * i)?;
            let off = rd32(t, 8 + 8 * i)? as usize;
            let fmt = rd16(t, off)?;
            if (pid == 3 && (eid == 1 || eid == 10) || pid == 0) && (fmt == 4 || fmt == 12) {
                // Prefer format 12 (full Unicode) when present.
                if best.is_none() || fmt == 12 {
                    best = Some(off);
                }
            }
        }
        let off = best.ok_or("no Unicode cmap subtable")?;
        let mut map = HashMap::new();
        match rd16(t, off)? {
            4 => {
                let segx2 = usize::from(rd16(t, off + 6)?);
                let ends = off + 14;
                let starts = ends + segx2 + 2;
                let deltas = starts + segx2;
                let ranges = deltas + segx2;
                for s in 0..segx2 / 2 {
                    let end = u32::from(rd16(t, ends + 2 * s)?);
                    let start = u32::from(rd16(t, starts + 2 * s)?);
                    let delta = rd16(t, deltas + 2 * s)?;
                    let ro = usize::from(rd16(t, ranges + 2 * s)?);
                    if start > end {
                        continue;
                    }
                    for c in start..=end {
                        if c == 0xFFFF {
                            continue;
                        }
                        let g = if ro == 0 {
                            (c as u16).wrapping_add(delta)
                        } else {
                            let at = ranges + 2 * s + ro + 2 * (c - start) as usize;
                            let g = rd16(t, at)?;
                            if g == 0 {
                                0
                            } else {
                                g.wrapping_add(delta)
                            }
                        };
                        if g != 0 {
                            map.insert(c, g);
                        }
                    }
                }
            }
            _ => {
                let groups = rd32(t, off + 12)? as usize;
                for g in 0..groups {
                    let at = off + 16 + 12 * g;
                    let (s, e, gid) = (rd32(t, at)?, rd32(t, at + 4)?, rd32(t, at + 8)?);
                    for c in s..=e.min(s.saturating_add(0x10_0000)) {
                        let id = gid + (c - s);
                        if let Ok(id) = u16::try_from(id) {
                            if id != 0 {
                                map.insert(c, id);
                            }
                        }
                    }
                }
            }
        }
        Ok(map)
    }

    fn metrics(&self) -> std::result::Result<Metrics, String> {
        let head = self.table(b"head")?;
        let hhea = self.table(b"hhea")?;
        let maxp = self.table(b"maxp")?;
        let hmtx = self.table(b"hmtx")?;
        let num_glyphs = rd16(maxp, 4)?;
        let n_long = usize::from(rd16(hhea, 34)?).max(1);
        let mut hmetrics = Vec::with_capacity(usize::from(num_glyphs));
        let mut last_adv = 0;
        for g in 0..usize::from(num_glyphs) {
            if g < n_long {
                last_adv = rd16(hmtx, 4 * g)?;
                hmetrics.push((last_adv, rd16(hmtx, 4 * g + 2)? as i16));
            } else {
                let lsb = rd16(hmtx, 4 * n_long + 2 * (g - n_long)).unwrap_or(0) as i16;
                hmetrics.push((last_adv, lsb));
            }
        }
        Ok(Metrics {
            units_per_em: rd16(head, 18)?,
            hmetrics,
            long_loca: rd16(head, 50)? == 1,
            num_glyphs,
        })
    }

    fn glyph_data(&self, m: &Metrics, gid: u16) -> std::result::Result<&'a [u8], String> {
        let loca = self.table(b"loca")?;
        let glyf = self.table(b"glyf")?;
        let g = usize::from(gid);
        let (a, b) = if m.long_loca {
            (rd32(loca, 4 * g)? as usize, rd32(loca, 4 * g + 4)? as usize)
        } else {
            (
                2 * usize::from(rd16(loca, 2 * g)?),
                2 * usize::from(rd16(loca, 2 * g + 2)?),
            )
        };
        if b < a {
            return Err(format!("glyph {gid}: bad loca"));
        }
        glyf.get(a..b)
            .ok_or_else(|| format!("glyph {gid} out of bounds"))
    }

    /// Component glyph ids of a composite glyph, with the byte offsets of their ids.
    fn components(data: &[u8]) -> std::result::Result<Vec<(usize, u16)>, String> {
        if data.len() < 10 || (rd16(data, 0)? as i16) >= 0 {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        let mut at = 10;
        loop {
            let flags = rd16(data, at)?;
            let gid = rd16(data, at + 2)?;
            out.push((at + 2, gid));
            at += 4;
            at += if flags & 0x0001 != 0 { 4 } else { 2 };
            if flags & 0x0008 != 0 {
                at += 2;
            } else if flags & 0x0040 != 0 {
                at += 4;
            } else if flags & 0x0080 != 0 {
                at += 8;
            }
            if flags & 0x0020 == 0 {
                break;
            }
        }
        Ok(out)
    }

    fn subset(&self, chars: &BTreeSet<char>) -> std::result::Result<Vec<u8>, String> {
        let cmap = self.cmap()?;
        let m = self.metrics()?;
        // New glyph order: .notdef, then glyphs by character order (so consecutive characters get
        // consecutive ids and cmap segments stay few), then composite components.
        let mut order: Vec<u16> = vec![0];
        let mut new_id: HashMap<u16, u16> = HashMap::from([(0, 0)]);
        let mut char_map: Vec<(u32, u16)> = Vec::new();
        for c in chars {
            let Some(&g) = cmap.get(&(*c as u32)) else {
                continue;
            };
            if g >= m.num_glyphs || (*c as u32) > 0xFFFF {
                continue;
            }
            let id = *new_id.entry(g).or_insert_with(|| {
                order.push(g);
                (order.len() - 1) as u16
            });
            char_map.push((*c as u32, id));
        }
        let mut i = 0;
        while i < order.len() {
            let data = self.glyph_data(&m, order[i])?;
            for (_, comp) in Sfnt::components(data)? {
                if comp < m.num_glyphs && !new_id.contains_key(&comp) {
                    order.push(comp);
                    new_id.insert(comp, (order.len() - 1) as u16);
                }
            }
            i += 1;
        }
        let n = order.len();
        // glyf + loca (long offsets, glyphs padded to 4 bytes).
        let mut glyf = Vec::new();
        let mut loca = Vec::with_capacity(4 * (n + 1));
        for &g in &order {
            loca.extend_from_slice(&(glyf.len() as u32).to_be_bytes());
            let data = self.glyph_data(&m, g)?;
            let start = glyf.len();
            glyf.extend_from_slice(data);
            for (at, comp) in Sfnt::components(data)? {
                let id = new_id.get(&comp).copied().unwrap_or(0);
                glyf[start + at..start + at + 2].copy_from_slice(&id.to_be_bytes());
            }
            while glyf.len() % 4 != 0 {
                glyf.push(0);
            }
        }
        loca.extend_from_slice(&(glyf.len() as u32).to_be_bytes());
        // hmtx: all long metrics.
        let mut hmtx = Vec::with_capacity(4 * n);
        for &g in &order {
            let (adv, lsb) = m.hmetrics.get(usize::from(g)).copied().unwrap_or((0, 0));
            hmtx.extend_from_slice(&adv.to_be_bytes());
            hmtx.extend_from_slice(&lsb.to_be_bytes());
        }
        let set16 = |t: &mut Vec<u8>, at: usize, v: u16| -> std::result::Result<(), String> {
            t.get_mut(at..at + 2)
                .ok_or_else(|| format!("table too short to set byte {at}"))?
                .copy_from_slice(&v.to_be_bytes());
            Ok(())
        };
        let mut hhea = self.table(b"hhea")?.to_vec();
        set16(&mut hhea, 34, n as u16)?;
        let mut maxp = self.table(b"maxp")?.to_vec();
        set16(&mut maxp, 4, n as u16)?;
        let mut head = self.table(b"head")?.to_vec();
        set16(&mut head, 50, 1)?;
        head.get_mut(8..12)
            .ok_or("head too short")?
            .copy_from_slice(&[0; 4]);
        let mut os2 = self.table(b"OS/2")?.to_vec();
        let first = char_map.iter().map(|c| c.0).filter(|c| *c > 0).min();
        let last = char_map.iter().map(|c| c.0).max();
        set16(&mut os2, 64, first.unwrap_or(0x20) as u16)?;
        set16(&mut os2, 66, last.unwrap_or(0x20) as u16)?;
        let mut post = self.table(b"post")?.to_vec();
        post.truncate(32);
        if post.len() == 32 {
            post[0..4].copy_from_slice(&0x0003_0000u32.to_be_bytes());
        }
        let cmap_t = build_cmap4(&char_map);
        let name = self.table(b"name")?.to_vec();

        let tables: Vec<([u8; 4], Vec<u8>)> = vec![
            (*b"OS/2", os2),
            (*b"cmap", cmap_t),
            (*b"glyf", glyf),
            (*b"head", head),
            (*b"hhea", hhea),
            (*b"hmtx", hmtx),
            (*b"loca", loca),
            (*b"maxp", maxp),
            (*b"name", name),
            (*b"post", post),
        ];
        Ok(write_sfnt(tables))
    }
}

/// A cmap table with one format-4 subtable, referenced for (0, 3) and (3, 1).
fn build_cmap4(char_map: &[(u32, u16)]) -> Vec<u8> {
    // Segments: maximal runs of consecutive characters with consecutive glyph ids.
    let mut segs: Vec<(u16, u16, u16)> = Vec::new(); // (start, end, delta)
    for &(c, g) in char_map {
        let c = c as u16;
        let delta = g.wrapping_sub(c);
        match segs.last_mut() {
            Some(s) if s.1.wrapping_add(1) == c && s.2 == delta => s.1 = c,
            _ => segs.push((c, c, delta)),
        }
    }
    segs.push((0xFFFF, 0xFFFF, 1));
    let segx2 = (2 * segs.len()) as u16;
    let mut search = 1u16;
    let mut sel = 0u16;
    while 2 * search <= segs.len() as u16 {
        search *= 2;
        sel += 1;
    }
    search *= 2;
    let mut sub = Vec::new();
    let len = 16 + 8 * segs.len();
    for v in [
        4u16,
        len as u16,
        0,
        segx2,
        search,
        sel,
        segx2.wrapping_sub(search),
    ] {
        sub.extend_from_slice(&v.to_be_bytes());
    }
    for s in &segs {
        sub.extend_from_slice(&s.1.to_be_bytes());
    }
    sub.extend_from_slice(&0u16.to_be_bytes());
    for s in &segs {
        sub.extend_from_slice(&s.0.to_be_bytes());
    }
    for s in &segs {
        sub.extend_from_slice(&s.2.to_be_bytes());
    }
    for _ in &segs {
        sub.extend_from_slice(&0u16.to_be_bytes());
    }
    let mut t = Vec::new();
    for v in [0u16, 2, 0, 3] {
        t.extend_from_slice(&v.to_be_bytes());
    }
    t.extend_from_slice(&20u32.to_be_bytes());
    for v in [3u16, 1] {
        t.extend_from_slice(&v.to_be_bytes());
    }
    t.extend_from_slice(&20u32.to_be_bytes());
    t.extend_from_slice(&sub);
    t
}

/// Writes a TrueType file from tables sorted by tag; fixes `head.checkSumAdjustment`.
fn write_sfnt(tables: Vec<([u8; 4], Vec<u8>)>) -> Vec<u8> {
    let n = tables.len() as u16;
    let mut es = 0u16;
    while (1u16 << (es + 1)) <= n {
        es += 1;
    }
    let sr = 16 * (1u16 << es);
    let mut out = Vec::new();
    out.extend_from_slice(&0x0001_0000u32.to_be_bytes());
    for v in [n, sr, es, 16 * n - sr] {
        out.extend_from_slice(&v.to_be_bytes());
    }
    let mut offset = 12 + 16 * tables.len();
    let mut head_at = None;
    for (tag, data) in &tables {
        out.extend_from_slice(tag);
        out.extend_from_slice(&checksum(data).to_be_bytes());
        out.extend_from_slice(&(offset as u32).to_be_bytes());
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        if tag == b"head" {
            head_at = Some(offset);
        }
        offset += data.len().div_ceil(4) * 4;
    }
    for (_, data) in &tables {
        out.extend_from_slice(data);
        while out.len() % 4 != 0 {
            out.push(0);
        }
    }
    if let Some(h) = head_at {
        let adj = 0xB1B0_AFBAu32.wrapping_sub(checksum(&out));
        out[h + 8..h + 12].copy_from_slice(&adj.to_be_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (i, o) in cases {
            assert_eq!(base64(i.as_bytes()), o);
        }
    }

    #[test]
    fn bundled_font_covers_gb2312_samples_and_reports_missing() {
        assert!(
            missing_glyphs("评估结论：贰佰肆拾捌万元 ¥ × ÷ ≤ ≥ % · – — β₁")
                .unwrap()
                .iter()
                .all(|c| *c == '₁')
        );
        // U+4E28 丨 is outside GB2312? No: pick characters surely absent: an Extension B hanzi
        // and a Hangul syllable.
        assert_eq!(missing_glyphs("a𠀀b한").unwrap(), vec!['𠀀', '한']);
        assert!(missing_glyphs("line\nbreak\t").unwrap().is_empty());
    }

    #[test]
    fn subset_keeps_glyphs_and_metrics_of_requested_chars() {
        let chars: BTreeSet<char> = "估值 Value 12,345.67 万元".chars().collect();
        let sub = subset(&chars).unwrap();
        let s = Sfnt::parse(&sub).unwrap();
        let cm = s.cmap().unwrap();
        let sm = s.metrics().unwrap();
        let full = Sfnt::parse(FONT_BYTES).unwrap();
        let fcm = full.cmap().unwrap();
        let fm = full.metrics().unwrap();
        assert_eq!(cm.len(), chars.len());
        for c in &chars {
            let g = cm[&(*c as u32)];
            let fg = fcm[&(*c as u32)];
            assert_eq!(
                sm.hmetrics[usize::from(g)],
                fm.hmetrics[usize::from(fg)],
                "{c}"
            );
            let a = s.glyph_data(&sm, g).unwrap();
            let b = full.glyph_data(&fm, fg).unwrap();
            assert_eq!(&a[..b.len()], b, "outline of {c}");
        }
        assert!(!cm.contains_key(&('x' as u32)));
        assert!(sub.len() < 20_000, "subset is {} bytes", sub.len());
        assert_eq!(checksum(&sub), 0xB1B0_AFBA, "whole-file checksum");
    }
}
