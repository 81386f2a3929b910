//! Drawing the charts on any plotters backend (SVG or bitmap), at a pixel scale `s`.

use super::font::{text_width, FAMILY};
use super::input::*;
use plotters::chart::MeshStyle;
use plotters::coord::ranged1d::ValueFormatter;
use plotters::prelude::*;

/// Palette (Tableau 10 hues, dark navy for reference marks).
pub(crate) const NAVY: RGBColor = RGBColor(0x1F, 0x3A, 0x5F);
const BLUE: RGBColor = RGBColor(0x4C, 0x78, 0xA8);
const ORANGE: RGBColor = RGBColor(0xF5, 0x85, 0x18);
const RED: RGBColor = RGBColor(0xD6, 0x27, 0x28);
const TEAL: RGBColor = RGBColor(0x72, 0xB7, 0xB2);
const GREEN: RGBColor = RGBColor(0x54, 0xA2, 0x4B);
const YELLOW: RGBColor = RGBColor(0xE0, 0xB0, 0x2E);
const PURPLE: RGBColor = RGBColor(0xB2, 0x79, 0xA2);
const BROWN: RGBColor = RGBColor(0x9D, 0x75, 0x5D);
const GRAY: RGBColor = RGBColor(0x79, 0x70, 0x6E);
const PINK: RGBColor = RGBColor(0xFF, 0x9D, 0xA6);
const PALETTE: [RGBColor; 10] = [
    BLUE, ORANGE, GREEN, RED, PURPLE, TEAL, YELLOW, BROWN, PINK, GRAY,
];
const GRID: RGBColor = RGBColor(0xE3, 0xE3, 0xE3);
const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);

type R = Result<(), String>;

fn pe<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// Scale context: every pixel constant is multiplied by `s`.
pub(crate) struct Ctx {
    pub s: f64,
}

impl Ctx {
    fn px(&self, v: f64) -> i32 {
        (v * self.s).round() as i32
    }
    fn pxu(&self, v: f64) -> u32 {
        (v * self.s).round().max(1.0) as u32
    }
    /// A text style of nominal size `size` (the SVG font-size is size / 1.24, as plotters does).
    fn font(&self, size: f64) -> TextStyle<'static> {
        (FAMILY, size * self.s).into_font().color(&INK)
    }
    fn font_c(&self, size: f64, c: RGBColor) -> TextStyle<'static> {
        (FAMILY, size * self.s).into_font().color(&c)
    }
    /// Width in pixels of `t` drawn at nominal size `size`.
    fn width(&self, t: &str, size: f64) -> i32 {
        (text_width(t, size * self.s / 1.24)).ceil() as i32
    }
}

fn wan(v: f64) -> f64 {
    v / 10_000.0
}

/// `1,234.5` with `dp` decimals.
pub fn fmt_num(v: f64, dp: usize) -> String {
    if !v.is_finite() {
        return String::new();
    }
    // Half away from zero (f64::round), as money is rounded elsewhere; `{:.N}` alone rounds
    // half to even.
    let k = 10f64.powi(dp as i32);
    let s = format!("{:.*}", dp, (v.abs() * k).round() / k);
    let (int, frac) = s.split_once('.').map_or((s.as_str(), ""), |(a, b)| (a, b));
    let mut g = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            g.push(',');
        }
        g.push(ch);
    }
    let neg = v < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0');
    format!(
        "{}{}{}{}",
        if neg { "-" } else { "" },
        g,
        if frac.is_empty() { "" } else { "." },
        frac
    )
}

/// Decimals that make ticks of a range of width `w` distinct.
fn dp_for(w: f64) -> usize {
    if w >= 50.0 {
        0
    } else if w >= 5.0 {
        1
    } else {
        2
    }
}

/// A padded range containing every value.
fn span(vals: impl IntoIterator<Item = f64>, pad: f64) -> Option<(f64, f64)> {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for v in vals.into_iter().filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return None;
    }
    let w = if hi > lo {
        hi - lo
    } else {
        lo.abs().max(1.0) * 0.1
    };
    Some((lo - w * pad, hi + w * pad))
}

fn legend<'a, DB: DrawingBackend + 'a, X: Ranged, Y: Ranged>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
    c: &Ctx,
    pos: SeriesLabelPosition,
) -> R {
    chart
        .configure_series_labels()
        .label_font(c.font(12.0))
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK.mix(0.25))
        .position(pos)
        .margin(c.px(8.0))
        .legend_area_size(c.px(22.0))
        .draw()
        .map_err(pe)
}

/// The house style of a chart's mesh — light grid, white minor lines, axis captions and label
/// fonts — shared by every cartesian chart; the caller adds its formatters and draws.
fn house_mesh<'m, 'a, 'b, X, Y, XT, YT, DB>(
    m: &'m mut MeshStyle<'a, 'b, X, Y, DB>,
    c: &Ctx,
    x_desc: &str,
    y_desc: Option<&str>,
) -> &'m mut MeshStyle<'a, 'b, X, Y, DB>
where
    X: Ranged<ValueType = XT> + ValueFormatter<XT>,
    Y: Ranged<ValueType = YT> + ValueFormatter<YT>,
    DB: DrawingBackend,
{
    m.bold_line_style(GRID)
        .light_line_style(WHITE)
        .x_desc(x_desc)
        .label_style(c.font(12.0))
        .axis_desc_style(c.font(13.0));
    if let Some(y) = y_desc {
        m.y_desc(y);
    }
    m
}

fn rect_legend(c: &Ctx, color: RGBColor) -> impl Fn((i32, i32)) -> Rectangle<(i32, i32)> {
    let h = c.px(5.0);
    let w = c.px(14.0);
    move |(x, y)| Rectangle::new([(x, y - h), (x + w, y + h)], color.filled())
}

fn line_legend(
    c: &Ctx,
    color: RGBColor,
    width: u32,
) -> impl Fn((i32, i32)) -> PathElement<(i32, i32)> {
    let w = c.px(18.0);
    move |(x, y)| PathElement::new(vec![(x, y), (x + w, y)], color.stroke_width(width))
}

mod bars;
mod radar;
mod series;
#[cfg(test)]
mod tests;

pub(crate) use bars::*;
pub(crate) use radar::*;
pub(crate) use series::*;
