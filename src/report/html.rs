//! HTML building blocks shared by the reports: the escaper of the templates, the A4
//! stylesheet, the table / figure values the templates render (`templates/macros.html`), and
//! the page (`templates/document.html`) that embeds the font subset covering every character of
//! the page.

use crate::chart::{self, font, RenderedChart};
use crate::error::{Error, Result};
use askama::Template;

pub use crate::chart::esc;

/// The stylesheet: screen layout close to the printed page, and an A4 print layout.
pub const CSS: &str = r#"
:root{--ink:#1d1d1f;--muted:#5f6368;--rule:#c9ced6;--accent:#1f3a5f;--band:#f3f5f8}
*{box-sizing:border-box}
html{background:#e9ecef}
body{font-family:FONT_STACK;color:var(--ink);font-size:10.5pt;line-height:1.65;margin:0}
main{background:#fff;max-width:210mm;margin:12px auto;padding:18mm 18mm 14mm}
h1{font-size:20pt;text-align:center;margin:6mm 0 2mm;letter-spacing:.04em}
.subtitle{text-align:center;color:var(--muted);margin:0 0 8mm}
h2{font-size:13pt;color:var(--accent);border-bottom:1.5px solid var(--accent);padding-bottom:1mm;margin:8mm 0 3mm;break-after:avoid}
h3{font-size:11pt;margin:5mm 0 2mm;break-after:avoid}
p{margin:1.5mm 0;text-align:justify}
table{border-collapse:collapse;width:100%;margin:2mm 0 4mm;font-size:9.5pt;break-inside:auto}
th,td{border:1px solid var(--rule);padding:1.2mm 2mm;vertical-align:top}
th{background:var(--band);font-weight:600;text-align:left}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.formula{font-family:"DejaVu Sans Mono",Consolas,monospace,FONT_STACK;font-size:8.5pt}
tr{break-inside:avoid}
.summary{border:1.5px solid var(--accent);background:var(--band);padding:3mm 5mm;margin:4mm 0}
.summary p{margin:.8mm 0}
.conclusion{font-size:11.5pt;border-left:4px solid #d62728;padding:2mm 4mm;background:#fdf3f3;margin:3mm 0}
.amount{font-weight:700}
figure{margin:4mm 0;break-inside:avoid;text-align:center}
figure svg{width:100%;height:auto;display:block}
figcaption{font-size:9pt;color:var(--muted);margin-top:1mm}
ul,ol{margin:1mm 0 2mm;padding-left:7mm}
li{margin:.6mm 0}
.muted{color:var(--muted)}
.sign{margin-top:10mm;display:grid;grid-template-columns:1fr 1fr;gap:4mm 10mm}
.appendix{break-before:page}
footer.prov{margin-top:10mm;border-top:1px solid var(--rule);padding-top:2mm;font-size:8pt;color:var(--muted);word-break:break-all}
@page{size:A4;margin:16mm 15mm 16mm 15mm}
@media print{html{background:#fff}main{margin:0;padding:0;max-width:none}a{color:inherit;text-decoration:none}}
"#;

/// The escaper of the report templates: the same five entities as [`esc`] (`&amp;` `&lt;`
/// `&gt;` `&quot;` `&#39;`), where askama's own uses numeric ones.
#[derive(Debug, Clone, Copy, Default)]
pub struct Escape;

impl askama::filters::Escaper for Escape {
    fn write_escaped_str<W: std::fmt::Write>(&self, mut dest: W, s: &str) -> std::fmt::Result {
        dest.write_str(&esc(s))
    }
}

/// One cell of a [`Table`]: its text and whether it is a number (right-aligned).
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// The text (escaped by the template).
    pub text: String,
    /// Right-align as a number.
    pub num: bool,
}

/// A table with a header row, as `templates/macros.html` renders it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    /// The header cells.
    pub head: Vec<Cell>,
    /// The body rows.
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// A table from its header, which columns are numbers, and its rows.
    pub fn new<H: AsRef<str>>(header: &[H], num: &[bool], rows: Vec<Vec<String>>) -> Table {
        let n = |i: usize| num.get(i).copied().unwrap_or(false);
        Table {
            head: header
                .iter()
                .enumerate()
                .map(|(i, h)| Cell {
                    text: h.as_ref().to_string(),
                    num: n(i),
                })
                .collect(),
            rows: rows
                .into_iter()
                .map(|r| {
                    r.into_iter()
                        .enumerate()
                        .map(|(i, text)| Cell { text, num: n(i) })
                        .collect()
                })
                .collect(),
        }
    }
}

/// A chart in a report: its inline SVG and caption.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// The SVG (already markup).
    pub svg: String,
    /// The caption (the chart's title).
    pub caption: String,
}

impl Figure {
    /// The figure of a rendered chart.
    pub fn of(c: &RenderedChart) -> Figure {
        Figure {
            svg: chart::inline_svg(&c.svg, c.name, &c.title),
            caption: c.title.clone(),
        }
    }
}

/// The visible text of an HTML page (tags, `<style>` and `<script>` removed, entities decoded).
pub fn visible_text(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        out.push_str(&crate::chart::xml_unescape(&rest[..i]));
        let tail = &rest[i..];
        let lower_start: String = tail
            .chars()
            .take(8)
            .collect::<String>()
            .to_ascii_lowercase();
        let skip_to = if lower_start.starts_with("<style") {
            tail.find("</style>").map(|p| p + 8)
        } else if lower_start.starts_with("<script") {
            tail.find("</script>").map(|p| p + 9)
        } else {
            tail.find('>').map(|p| p + 1)
        };
        match skip_to {
            Some(p) => {
                out.push(' ');
                rest = &tail[p..];
            }
            None => {
                rest = "";
            }
        }
    }
    out.push_str(&crate::chart::xml_unescape(rest));
    out
}

#[derive(Template)]
#[template(path = "document.html", config = "src/report/templates/askama.toml")]
struct Document<'a> {
    lang: &'a str,
    version: &'a str,
    title: &'a str,
    face: &'a str,
    css: &'a str,
    body: &'a str,
}

/// Wraps a page body into a complete, self-contained HTML document (`templates/document.html`):
/// the stylesheet and an `@font-face` holding the subset of the bundled font for every
/// character of the page.
pub fn document(lang_attr: &str, title: &str, body: &str) -> Result<String> {
    let text = format!("{title}\n{}", visible_text(body));
    let face = font::font_face_css(&text)?;
    let css = CSS.replace("FONT_STACK", font::CSS_FONT_STACK);
    let mut out = Document {
        lang: lang_attr,
        version: env!("CARGO_PKG_VERSION"),
        title,
        face: &face,
        css: &css,
        body,
    }
    .render()
    .map_err(|e| Error::Internal(format!("document template: {e}")))?;
    out.push('\n');
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_extracts_text() {
        assert_eq!(esc("a<b & \"c\"'"), "a&lt;b &amp; &quot;c&quot;&#39;");
        let t = visible_text(
            "<style>x{}</style><p>估值 &amp; <b>结论</b></p><svg><text>万元</text></svg>",
        );
        assert!(t.contains("估值 &"), "{t}");
        assert!(
            t.contains("结论") && t.contains("万元") && !t.contains("x{}"),
            "{t}"
        );
    }
}
