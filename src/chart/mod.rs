//! Charts with plotters: SVG as the master format, PNG beside it, Chinese text in both without
//! any system font.
//!
//! A chart is a [`Chart`] value holding one of the plain input structs of [`input`] (numbers
//! already computed, labels already translated). [`render_svg`] draws it as SVG text;
//! [`standalone_svg`] embeds the font subset the SVG needs (see [`font`]) so the file shows the
//! same glyphs in any browser; [`render_png`] rasterises it with the bundled font.
//!
//! Text in SVG stays text: plotters writes `<text font-family="TechvalSans">`; the embedded
//! `@font-face` supplies that family (chosen over converting text to paths: smaller files, text
//! that can be searched and copied, one mechanism shared with the HTML report). Inside an HTML
//! report the inline SVGs carry no font of their own: the page embeds one subset for all text.
//!
//! Rendering is fast: the font is parsed once per process, and a chart draws in milliseconds.

pub mod draw;
pub mod font;
pub mod input;
pub mod raster;

pub use input::*;

use crate::error::{Error, Result};
use plotters::prelude::*;

/// Size of a chart in SVG pixels (CSS px); PNGs are drawn at `scale` times this.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChartSize {
    /// Width, px.
    pub width: u32,
    /// Height, px.
    pub height: u32,
}

impl Default for ChartSize {
    fn default() -> Self {
        ChartSize {
            width: 880,
            height: 480,
        }
    }
}

/// One chart and its data.
#[derive(Debug, Clone, PartialEq)]
pub enum Chart {
    /// Monte Carlo histogram with P5 / P50 / P95 and the pledge value.
    McHistogram(McHistogram),
    /// Tornado of input swings.
    Tornado(Tornado),
    /// Range of each approach and the concluded value.
    FootballField(FootballField),
    /// Comparables: adjusted price against date, by region.
    Comparables(Comparables),
    /// Loan schedule: principal and interest stacked, balance line.
    LoanSchedule(LoanSchedule),
    /// Loss sharing among bank, guarantors and pool.
    LossSharing(LossSharing),
    /// Technology-contract value by province and year.
    MarketStats(MarketStats),
    /// Totals by group (a portfolio by industry or province); its file stem is its own.
    Totals(Totals),
    /// A subject's dimension scores (and the portfolio median) on a radar.
    Radar(Radar),
    /// Score against value (a portfolio); its file stem is its own.
    Scatter(Scatter),
}

/// The file stems of the charts of a case's report set (see [`Chart::name`]; a [`Totals`] chart
/// names its own).
pub const CHART_NAMES: [&str; 8] = [
    "mc_histogram",
    "tornado",
    "football_field",
    "comparables",
    "loan_schedule",
    "loss_sharing",
    "market_stats",
    "score_radar",
];

impl Chart {
    /// File stem and HTML id: `mc_histogram`, `tornado`, `football_field`, `comparables`,
    /// `loan_schedule`, `loss_sharing`, `market_stats`.
    pub fn name(&self) -> &'static str {
        match self {
            Chart::McHistogram(_) => "mc_histogram",
            Chart::Tornado(_) => "tornado",
            Chart::FootballField(_) => "football_field",
            Chart::Comparables(_) => "comparables",
            Chart::LoanSchedule(_) => "loan_schedule",
            Chart::LossSharing(_) => "loss_sharing",
            Chart::MarketStats(_) => "market_stats",
            Chart::Totals(t) => t.name,
            Chart::Radar(_) => "score_radar",
            Chart::Scatter(t) => t.name,
        }
    }

    /// The chart's title.
    pub fn title(&self) -> &str {
        match self {
            Chart::McHistogram(c) => &c.title,
            Chart::Tornado(c) => &c.title,
            Chart::FootballField(c) => &c.title,
            Chart::Comparables(c) => &c.title,
            Chart::LoanSchedule(c) => &c.title,
            Chart::LossSharing(c) => &c.title,
            Chart::MarketStats(c) => &c.title,
            Chart::Totals(c) => &c.title,
            Chart::Radar(c) => &c.title,
            Chart::Scatter(c) => &c.title,
        }
    }

    /// The size this chart draws best at: bar charts grow with their number of bars.
    pub fn preferred_size(&self) -> ChartSize {
        let bars = |n: usize, per: u32| ChartSize {
            width: 880,
            height: (150 + per * n as u32).clamp(240, 640),
        };
        match self {
            Chart::Tornado(c) => bars(c.bars.len(), 56),
            Chart::FootballField(c) => bars(c.bars.len() + 1, 64),
            Chart::LossSharing(c) => bars(c.scenarios.len(), 64),
            Chart::Totals(c) => bars(c.bars.len(), 34),
            Chart::Radar(_) => ChartSize {
                width: 880,
                height: 520,
            },
            _ => ChartSize::default(),
        }
    }

    fn draw_on<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, plotters::coord::Shift>,
        s: f64,
    ) -> std::result::Result<(), String> {
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let c = draw::Ctx { s };
        match self {
            Chart::McHistogram(x) => draw::histogram(x, root, &c),
            Chart::Tornado(x) => draw::tornado(x, root, &c),
            Chart::FootballField(x) => draw::football(x, root, &c),
            Chart::Comparables(x) => draw::comparables(x, root, &c),
            Chart::LoanSchedule(x) => draw::loan(x, root, &c),
            Chart::LossSharing(x) => draw::loss_sharing(x, root, &c),
            Chart::MarketStats(x) => draw::market(x, root, &c),
            Chart::Totals(x) => draw::totals(x, root, &c),
            Chart::Radar(x) => draw::radar(x, root, &c),
            Chart::Scatter(x) => draw::scatter(x, root, &c),
        }?;
        root.present().map_err(|e| e.to_string())
    }

    fn err(&self, e: String) -> Error {
        Error::Unsupported(format!("chart {}: {e}", self.name()))
    }
}

/// Draws the chart as SVG text (no embedded font; see [`standalone_svg`]).
pub fn render_svg(chart: &Chart, size: ChartSize) -> Result<String> {
    font::ensure_registered()?;
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (size.width, size.height)).into_drawing_area();
        chart.draw_on(&root, 1.0).map_err(|e| chart.err(e))?;
    }
    Ok(out)
}

/// Draws the chart as a PNG, `scale` times the SVG size (e.g. 1.5 for sharper text).
pub fn render_png(chart: &Chart, size: ChartSize, scale: f64) -> Result<Vec<u8>> {
    font::ensure_registered()?;
    let scale = if scale.is_finite() {
        scale.clamp(0.5, 4.0)
    } else {
        1.0
    };
    let w = (f64::from(size.width) * scale).round() as u32;
    let h = (f64::from(size.height) * scale).round() as u32;
    let mut rgb = vec![0u8; (w as usize) * (h as usize) * 3];
    {
        let root = raster::PngBackend::with_buffer(&mut rgb, (w, h)).into_drawing_area();
        chart.draw_on(&root, scale).map_err(|e| chart.err(e))?;
    }
    encode_png(&rgb, w, h)
}

/// Encodes an RGB8 buffer as PNG.
pub fn encode_png(rgb: &[u8], w: u32, h: u32) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        // Default (zlib level 6): Best spent 80 % of a report's time in deflate for files
        // only slightly smaller.
        enc.set_compression(png::Compression::Default);
        let mut wr = enc
            .write_header()
            .map_err(|e| Error::Internal(format!("png: {e}")))?;
        wr.write_image_data(rgb)
            .map_err(|e| Error::Internal(format!("png: {e}")))?;
    }
    Ok(out)
}

/// The text of every `<text>` element of an SVG (XML entities decoded), one per line.
pub fn svg_text(svg: &str) -> String {
    let mut out = String::new();
    let mut rest = svg;
    while let Some(i) = rest.find("<text") {
        rest = &rest[i..];
        let Some(gt) = rest.find('>') else { break };
        let body = &rest[gt + 1..];
        let Some(end) = body.find("</text>") else {
            break;
        };
        out.push_str(&xml_unescape(&body[..end]));
        out.push('\n');
        rest = &body[end..];
    }
    out
}

/// Escapes text for HTML element content and attribute values (HTML, SVG and XML alike).
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

/// Decodes the five XML entities and numeric character references.
pub fn xml_unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let Some(semi) = tail.find(';').filter(|p| *p <= 10) else {
            out.push('&');
            rest = &tail[1..];
            continue;
        };
        let ent = &tail[1..semi];
        let ch = match ent {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => ent
                .strip_prefix("#x")
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| ent.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match ch {
            Some(c) => {
                out.push(c);
                rest = &tail[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The SVG with a `<style>` holding the `@font-face` subset for its text, so that it shows the
/// bundled font in any viewer.
pub fn standalone_svg(svg: &str) -> Result<String> {
    let css = font::font_face_css(&svg_text(svg))?;
    let at = svg
        .find("<svg")
        .and_then(|i| svg[i..].find('>').map(|j| i + j + 1))
        .ok_or_else(|| Error::Internal("SVG without an <svg> element".into()))?;
    let mut out = String::with_capacity(svg.len() + css.len() + 32);
    out.push_str(&svg[..at]);
    out.push_str("\n<defs><style>");
    out.push_str(&css);
    out.push_str("</style></defs>");
    out.push_str(&svg[at..]);
    Ok(out)
}

/// The SVG for inlining in HTML: no XML declaration, scalable (`width="100%"`, viewBox kept),
/// with an `id` and an accessible title.
pub fn inline_svg(svg: &str, id: &str, title: &str) -> String {
    let body = match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg,
    };
    let Some(gt) = body.find('>') else {
        return body.to_string();
    };
    let open = &body[..gt];
    let open = replace_attr(open, "width", "100%");
    let open = remove_attr(&open, "height");
    format!(
        "{open} id=\"chart-{id}\" role=\"img\" aria-label=\"{}\">{}",
        esc(title),
        &body[gt + 1..]
    )
}

fn replace_attr(tag: &str, name: &str, value: &str) -> String {
    let key = format!(" {name}=\"");
    match tag.find(&key) {
        Some(i) => {
            let start = i + key.len();
            match tag[start..].find('"') {
                Some(j) => format!("{}{}{}", &tag[..start], value, &tag[start + j..]),
                None => tag.to_string(),
            }
        }
        None => tag.to_string(),
    }
}

fn remove_attr(tag: &str, name: &str) -> String {
    let key = format!(" {name}=\"");
    match tag.find(&key) {
        Some(i) => {
            let start = i + key.len();
            match tag[start..].find('"') {
                Some(j) => format!("{}{}", &tag[..i], &tag[start + j + 1..]),
                None => tag.to_string(),
            }
        }
        None => tag.to_string(),
    }
}

/// One chart rendered in every form: bare SVG (for inlining), standalone SVG, PNG.
#[derive(Debug, Clone)]
pub struct RenderedChart {
    /// File stem, e.g. `football_field`.
    pub name: &'static str,
    /// Title.
    pub title: String,
    /// SVG without font (inline in HTML; the page supplies the font).
    pub svg: String,
    /// SVG with its font subset embedded (written as `charts/<name>.svg`).
    pub svg_standalone: String,
    /// PNG at the requested scale (written as `charts/<name>.png`).
    pub png: Vec<u8>,
}

/// Renders a chart as SVG (bare and standalone) and PNG at its
/// [preferred size](Chart::preferred_size).
pub fn render_all(chart: &Chart, png_scale: f64) -> Result<RenderedChart> {
    let size = chart.preferred_size();
    let svg = render_svg(chart, size)?;
    let svg_standalone = standalone_svg(&svg)?;
    let png = render_png(chart, size, png_scale)?;
    Ok(RenderedChart {
        name: chart.name(),
        title: chart.title().to_string(),
        svg,
        svg_standalone,
        png,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svg_text_extracts_and_unescapes() {
        let s = r#"<svg a="1"><text x="1">A &amp; B</text><rect/><text>估值 &lt;1&#x4E07;</text></svg>"#;
        assert_eq!(svg_text(s), "A & B\n估值 <1万\n");
    }

    #[test]
    fn inline_svg_is_scalable_with_id() {
        let s = r#"<svg width="880" height="480" viewBox="0 0 880 480" xmlns="http://www.w3.org/2000/svg"><rect/></svg>"#;
        let t = inline_svg(s, "x", "T<");
        assert!(
            t.starts_with(r#"<svg width="100%" viewBox="0 0 880 480""#),
            "{t}"
        );
        assert!(
            t.contains(r#"id="chart-x" role="img" aria-label="T&lt;">"#),
            "{t}"
        );
    }
}
