//! HTML building blocks shared by the reports: escaping, the A4 stylesheet, tables, and the
//! final assembly that embeds the font subset covering every character of the page.

use crate::chart::font;
use crate::error::Result;

/// Escapes text for HTML element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            _ => o.push(c),
        }
    }
    o
}

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

/// A table with a header row; `num[i]` right-aligns column i. Cells are escaped.
pub fn table(header: &[&str], num: &[bool], rows: &[Vec<String>]) -> String {
    let mut o = String::from("<table><thead><tr>");
    for (i, h) in header.iter().enumerate() {
        let cls = if num.get(i).copied().unwrap_or(false) {
            " class=\"num\""
        } else {
            ""
        };
        o.push_str(&format!("<th{cls}>{}</th>", esc(h)));
    }
    o.push_str("</tr></thead><tbody>");
    for r in rows {
        o.push_str("<tr>");
        for (i, c) in r.iter().enumerate() {
            let cls = if num.get(i).copied().unwrap_or(false) {
                " class=\"num\""
            } else {
                ""
            };
            o.push_str(&format!("<td{cls}>{}</td>", esc(c)));
        }
        o.push_str("</tr>");
    }
    o.push_str("</tbody></table>");
    o
}

/// A two-column key/value table.
pub fn kv_table(rows: &[(&str, String)]) -> String {
    let mut o = String::from("<table><tbody>");
    for (k, v) in rows {
        o.push_str(&format!(
            "<tr><th style=\"width:30%\">{}</th><td>{}</td></tr>",
            esc(k),
            esc(v)
        ));
    }
    o.push_str("</tbody></table>");
    o
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

/// Wraps a page body into a complete, self-contained HTML document: the stylesheet and an
/// `@font-face` holding the subset of the bundled font for every character of the page.
pub fn document(lang_attr: &str, title: &str, body: &str) -> Result<String> {
    let text = format!("{title}\n{}", visible_text(body));
    let face = font::font_face_css(&text)?;
    let css = CSS.replace("FONT_STACK", font::CSS_FONT_STACK);
    Ok(format!(
        "<!DOCTYPE html>\n<html lang=\"{lang_attr}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"techval {}\">\n<title>{}</title>\n\
         <style>{face}</style>\n<style>{css}</style>\n</head>\n<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION"),
        esc(title)
    ))
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
