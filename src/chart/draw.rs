//! Drawing the charts on any plotters backend (SVG or bitmap), at a pixel scale `s`.

use super::font::{text_width, FAMILY};
use super::input::*;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

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

/// Monte Carlo histogram.
pub(crate) fn histogram<DB: DrawingBackend>(
    h: &McHistogram,
    root: &DrawingArea<DB, Shift>,
    c: &Ctx,
) -> R {
    let bins: Vec<(f64, f64, u64)> = h
        .bins
        .iter()
        .filter(|b| b.lo.is_finite() && b.hi.is_finite() && b.hi >= b.lo)
        .map(|b| (wan(b.lo), wan(b.hi), b.count))
        .collect();
    let n: u64 = bins.iter().map(|b| b.2).sum();
    if bins.is_empty() || n == 0 {
        return Err("no histogram bins with paths to draw".into());
    }
    let marks: Vec<f64> = [h.p5, h.p50, h.p95]
        .into_iter()
        .chain(h.pledge.as_ref().map(|m| m.value))
        .filter(|v| v.is_finite())
        .map(wan)
        .collect();
    // A degenerate distribution (one bin of zero width) is drawn 1 % of its value wide.
    let bins: Vec<(f64, f64, f64)> = bins
        .iter()
        .map(|(lo, hi, k)| {
            let (lo, hi) = if hi > lo {
                (*lo, *hi)
            } else {
                let w = lo.abs().max(1.0) * 0.005;
                (lo - w, hi + w)
            };
            (lo, hi, *k as f64 / n as f64 * 100.0)
        })
        .collect();
    let ymax = bins.iter().map(|b| b.2).fold(0.0, f64::max).max(1e-9) * 1.32;
    let (xlo, xhi) = span(
        bins.iter()
            .flat_map(|b| [b.0, b.1])
            .chain(marks.iter().copied()),
        0.04,
    )
    .ok_or("no finite bins to draw")?;
    let dp = dp_for(xhi - xlo);
    let mut chart = ChartBuilder::on(root)
        .caption(&h.title, c.font(18.0))
        .margin(c.px(14.0))
        .x_label_area_size(c.px(48.0))
        .y_label_area_size(c.px(60.0))
        .build_cartesian_2d(xlo..xhi, 0.0..ymax)
        .map_err(pe)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .bold_line_style(GRID)
        .light_line_style(WHITE)
        .x_desc(h.x_label.as_str())
        .y_desc(h.y_label.as_str())
        .label_style(c.font(12.0))
        .axis_desc_style(c.font(13.0))
        .x_label_formatter(&|v| fmt_num(*v, dp))
        .y_label_formatter(&|v| fmt_num(*v, 1))
        .draw()
        .map_err(pe)?;
    chart
        .draw_series(bins.iter().map(|(lo, hi, sh)| {
            let mut r = Rectangle::new([(*lo, 0.0), (*hi, *sh)], BLUE.mix(0.75).filled());
            r.set_margin(0, 0, 0, c.px(0.6).max(1) as u32);
            r
        }))
        .map_err(pe)?;
    let marks3 = [
        ("P5", h.p5, 0.96),
        ("P50", h.p50, 0.88),
        ("P95", h.p95, 0.96),
    ];
    for (name, v, at) in marks3 {
        if !v.is_finite() {
            continue;
        }
        let x = wan(v);
        chart
            .draw_series(DashedLineSeries::new(
                vec![(x, 0.0), (x, ymax * (at - 0.045))],
                c.px(6.0),
                c.px(4.0),
                NAVY.stroke_width(c.pxu(1.5)),
            ))
            .map_err(pe)?;
        chart
            .draw_series(std::iter::once(Text::new(
                format!("{name} {}", fmt_num(x, dp)),
                (x, ymax * at),
                c.font_c(12.0, NAVY)
                    .pos(Pos::new(HPos::Center, VPos::Center)),
            )))
            .map_err(pe)?;
    }
    if let Some(m) = &h.pledge {
        if m.value.is_finite() {
            let x = wan(m.value);
            chart
                .draw_series(LineSeries::new(
                    vec![(x, 0.0), (x, ymax * 0.74)],
                    RED.stroke_width(c.pxu(2.0)),
                ))
                .map_err(pe)?;
            // The label sits on a white plate so that the percentile lines do not cross it.
            let label = format!("{} {}", m.label, fmt_num(x, dp));
            let (px, py) = chart.backend_coord(&(x, ymax * 0.78));
            let (hw, hh) = (c.width(&label, 12.0) / 2 + c.px(4.0), c.px(9.0));
            root.draw(&Rectangle::new(
                [(px - hw, py - hh), (px + hw, py + hh)],
                WHITE.filled(),
            ))
            .map_err(pe)?;
            root.draw(&Text::new(
                label,
                (px, py),
                c.font_c(12.0, RED)
                    .pos(Pos::new(HPos::Center, VPos::Center)),
            ))
            .map_err(pe)?;
        }
    }
    Ok(())
}

/// A horizontal bar chart's frame: value axis `x` (万元), one category row per label from the
/// bottom (`labels[0]` lowest), `rows` segments in all (one more than the labels leaves a row on
/// top free), the mesh and the category labels drawn.
#[allow(clippy::too_many_arguments)]
fn category_chart<'a, DB: DrawingBackend>(
    root: &'a DrawingArea<DB, Shift>,
    c: &Ctx,
    title: &str,
    x_label: &str,
    x: std::ops::Range<f64>,
    rows: i32,
    labels: &[&str],
    dp: usize,
) -> Result<CatChart<'a, DB>, String> {
    let mut chart = ChartBuilder::on(root)
        .caption(title, c.font(18.0))
        .margin(c.px(14.0))
        .x_label_area_size(c.px(48.0))
        .y_label_area_size(cat_area(c, labels))
        .build_cartesian_2d(x, (0..(rows - 1).max(1)).into_segmented())
        .map_err(pe)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .bold_line_style(GRID)
        .light_line_style(WHITE)
        .x_desc(x_label)
        .label_style(c.font(12.0))
        .axis_desc_style(c.font(13.0))
        .x_label_formatter(&|v| fmt_num(*v, dp))
        .y_labels(rows.max(1) as usize)
        .y_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) => labels
                .get(usize::try_from(*i).unwrap_or(usize::MAX))
                .map_or(String::new(), |s| s.to_string()),
            _ => String::new(),
        })
        .draw()
        .map_err(pe)?;
    Ok(chart)
}

type CatChart<'a, DB> = ChartContext<
    'a,
    DB,
    Cartesian2d<
        plotters::coord::types::RangedCoordf64,
        plotters::coord::ranged1d::SegmentedCoord<plotters::coord::types::RangedCoordi32>,
    >,
>;

/// Label-area width for category labels.
fn cat_area(c: &Ctx, labels: &[&str]) -> i32 {
    labels
        .iter()
        .map(|l| c.width(l, 12.0))
        .max()
        .unwrap_or(0)
        .max(c.px(40.0))
        + c.px(16.0)
}

/// Tornado of input swings.
pub(crate) fn tornado<DB: DrawingBackend>(
    t: &Tornado,
    root: &DrawingArea<DB, Shift>,
    c: &Ctx,
) -> R {
    let mut bars: Vec<&TornadoBar> = t
        .bars
        .iter()
        .filter(|b| b.value_low.is_finite() && b.value_high.is_finite())
        .collect();
    if bars.is_empty() || !t.base.is_finite() {
        return Err("no finite input swings to draw".into());
    }
    bars.sort_by(|a, b| {
        let sa = (a.value_high - a.value_low).abs();
        let sb = (b.value_high - b.value_low).abs();
        sa.total_cmp(&sb)
    });
    let n = bars.len() as i32;
    let base = wan(t.base);
    let (xlo, xhi) = span(
        bars.iter()
            .flat_map(|b| [wan(b.value_low), wan(b.value_high)])
            .chain([base]),
        0.18,
    )
    .ok_or("no finite input swings to draw")?;
    let dp = dp_for(xhi - xlo);
    let labels: Vec<&str> = bars.iter().map(|b| b.label.as_str()).collect();
    let mut chart = category_chart(root, c, &t.title, &t.x_label, xlo..xhi, n, &labels, dp)?;
    let m = c.pxu(7.0);
    for (side, color, legend_text) in [
        (0, BLUE, t.legend.0.as_str()),
        (1, ORANGE, t.legend.1.as_str()),
    ] {
        chart
            .draw_series(bars.iter().enumerate().map(|(i, b)| {
                let v = wan(if side == 0 { b.value_low } else { b.value_high });
                let i = i as i32;
                let mut r = Rectangle::new(
                    [
                        (base, SegmentValue::Exact(i)),
                        (v, SegmentValue::Exact(i + 1)),
                    ],
                    color.filled(),
                );
                r.set_margin(m, m, 0, 0);
                r
            }))
            .map_err(pe)?
            .label(legend_text)
            .legend(rect_legend(c, color));
        for (i, b) in bars.iter().enumerate() {
            let (v, note) = if side == 0 {
                (wan(b.value_low), &b.low_note)
            } else {
                (wan(b.value_high), &b.high_note)
            };
            let left = v < base || (v == base && side == 0);
            let text = match note {
                Some(nt) => format!("{} ({nt})", fmt_num(v, dp)),
                None => fmt_num(v, dp),
            };
            let (px, _) = chart.backend_coord(&(v, SegmentValue::CenterOf(i as i32)));
            let (_, py) = chart.backend_coord(&(v, SegmentValue::CenterOf(i as i32)));
            let dx = if left { -c.px(4.0) } else { c.px(4.0) };
            let anchor = if left { HPos::Right } else { HPos::Left };
            root.draw(&Text::new(
                text,
                (px + dx, py),
                c.font(11.0).pos(Pos::new(anchor, VPos::Center)),
            ))
            .map_err(pe)?;
        }
    }
    chart
        .draw_series(std::iter::once(PathElement::new(
            vec![
                (base, SegmentValue::Exact(0)),
                (base, SegmentValue::Exact(n)),
            ],
            INK.stroke_width(c.pxu(1.5)),
        )))
        .map_err(pe)?;
    legend(&mut chart, c, SeriesLabelPosition::LowerRight)
}

/// Football field: approach ranges and the concluded value.
pub(crate) fn football<DB: DrawingBackend>(
    f: &FootballField,
    root: &DrawingArea<DB, Shift>,
    c: &Ctx,
) -> R {
    let bars: Vec<&RangeBar> = f
        .bars
        .iter()
        .filter(|b| b.low.is_finite() && b.high.is_finite())
        .collect();
    if bars.is_empty() {
        return Err("no approach values to draw".into());
    }
    // Top to bottom in the input order; one extra row on top for the concluded value's label.
    let n = bars.len() as i32;
    let row = |i: usize| n - 1 - i as i32;
    let (xlo, xhi) = span(
        bars.iter()
            .flat_map(|b| [wan(b.low), wan(b.high)])
            .chain(bars.iter().filter_map(|b| b.point.map(wan)))
            .chain(f.concluded.as_ref().map(|m| wan(m.value))),
        0.25,
    )
    .ok_or("no approach values to draw")?;
    let xlo = if xlo < 0.0 && bars.iter().all(|b| b.low >= 0.0) {
        0.0
    } else {
        xlo
    };
    let dp = dp_for(xhi - xlo);
    let labels: Vec<&str> = bars.iter().rev().map(|b| b.label.as_str()).collect();
    let mut chart = category_chart(root, c, &f.title, &f.x_label, xlo..xhi, n + 1, &labels, dp)?;
    let m = c.pxu(12.0);
    let min_w = (xhi - xlo) * 0.004;
    let ranges = bars.iter().any(|b| (b.high - b.low).abs() >= 0.005);
    if ranges {
        chart
            .draw_series(bars.iter().enumerate().map(|(i, b)| {
                let (a, z) = (wan(b.low), wan(b.high).max(wan(b.low) + min_w));
                let mut r = Rectangle::new(
                    [
                        (a, SegmentValue::Exact(row(i))),
                        (z, SegmentValue::Exact(row(i) + 1)),
                    ],
                    TEAL.mix(0.85).filled(),
                );
                r.set_margin(m, m, 0, 0);
                r
            }))
            .map_err(pe)?
            .label(f.legend.1.as_str())
            .legend(rect_legend(c, TEAL));
    }
    chart
        .draw_series(bars.iter().enumerate().filter_map(|(i, b)| {
            b.point.filter(|p| p.is_finite()).map(|p| {
                Circle::new(
                    (wan(p), SegmentValue::CenterOf(row(i))),
                    c.px(6.0),
                    NAVY.filled(),
                )
            })
        }))
        .map_err(pe)?
        .label(f.legend.0.as_str())
        .legend({
            let r = c.px(5.0);
            move |(x, y)| Circle::new((x + r, y), r, NAVY.filled())
        });
    for (i, b) in bars.iter().enumerate() {
        let y = SegmentValue::CenterOf(row(i));
        let (lx, py) = chart.backend_coord(&(wan(b.low), y.clone()));
        let (hx, _) = chart.backend_coord(&(wan(b.high), y.clone()));
        let same = (b.high - b.low).abs() < 0.005;
        if same {
            let v = b.point.unwrap_or(b.low);
            root.draw(&Text::new(
                fmt_num(wan(v), dp),
                (hx + c.px(10.0), py),
                c.font(12.0).pos(Pos::new(HPos::Left, VPos::Center)),
            ))
            .map_err(pe)?;
        } else {
            root.draw(&Text::new(
                fmt_num(wan(b.low), dp),
                (lx - c.px(5.0), py),
                c.font(11.0).pos(Pos::new(HPos::Right, VPos::Center)),
            ))
            .map_err(pe)?;
            root.draw(&Text::new(
                fmt_num(wan(b.high), dp),
                (hx + c.px(5.0), py),
                c.font(11.0).pos(Pos::new(HPos::Left, VPos::Center)),
            ))
            .map_err(pe)?;
            if let Some(p) = b.point.filter(|p| p.is_finite()) {
                let (px, _) = chart.backend_coord(&(wan(p), y));
                root.draw(&Text::new(
                    fmt_num(wan(p), dp),
                    (px, py - c.px(10.0)),
                    c.font_c(11.0, NAVY)
                        .pos(Pos::new(HPos::Center, VPos::Bottom)),
                ))
                .map_err(pe)?;
            }
        }
    }
    if let Some(cm) = f.concluded.as_ref().filter(|m| m.value.is_finite()) {
        let x = wan(cm.value);
        chart
            .draw_series(DashedLineSeries::new(
                vec![(x, SegmentValue::Exact(0)), (x, SegmentValue::CenterOf(n))],
                c.px(6.0),
                c.px(4.0),
                RED.stroke_width(c.pxu(2.0)),
            ))
            .map_err(pe)?;
        let (px, py) = chart.backend_coord(&(x, SegmentValue::CenterOf(n)));
        root.draw(&Text::new(
            format!("{} {}", cm.label, fmt_num(x, dp)),
            (px, py),
            c.font_c(13.0, RED)
                .pos(Pos::new(HPos::Center, VPos::Bottom)),
        ))
        .map_err(pe)?;
    }
    legend(&mut chart, c, SeriesLabelPosition::UpperRight)
}

/// Fractional year of a date (2021-07-02 → ≈ 2021.5).
fn year_frac(d: chrono::NaiveDate) -> f64 {
    use chrono::Datelike;
    let days = if d.leap_year() { 366.0 } else { 365.0 };
    f64::from(d.year()) + f64::from(d.ordinal0()) / days
}

/// Comparables: adjusted price against deal date, by region.
pub(crate) fn comparables<DB: DrawingBackend>(
    k: &Comparables,
    root: &DrawingArea<DB, Shift>,
    c: &Ctx,
) -> R {
    let pts: Vec<&ComparablePoint> = k
        .points
        .iter()
        .filter(|p| p.adjusted_price.is_finite())
        .collect();
    if pts.is_empty() {
        return Err("no comparables to draw".into());
    }
    let (xlo, xhi) =
        span(pts.iter().map(|p| year_frac(p.date)), 0.06).ok_or("no comparables to draw")?;
    let (ylo, yhi) = span(
        pts.iter()
            .map(|p| wan(p.adjusted_price))
            .chain(k.subject.as_ref().map(|m| wan(m.value))),
        0.15,
    )
    .ok_or("no comparables to draw")?;
    let ylo = if ylo < 0.0 && pts.iter().all(|p| p.adjusted_price >= 0.0) {
        0.0
    } else {
        ylo
    };
    let dp = dp_for(yhi - ylo);
    let monthly = xhi - xlo < 3.0;
    let mut chart = ChartBuilder::on(root)
        .caption(&k.title, c.font(18.0))
        .margin(c.px(14.0))
        .x_label_area_size(c.px(48.0))
        .y_label_area_size(c.px(64.0))
        .build_cartesian_2d(xlo..xhi, ylo..yhi)
        .map_err(pe)?;
    chart
        .configure_mesh()
        .bold_line_style(GRID)
        .light_line_style(WHITE)
        .x_desc(k.x_label.as_str())
        .y_desc(k.y_label.as_str())
        .label_style(c.font(12.0))
        .axis_desc_style(c.font(13.0))
        .x_label_formatter(&|v| {
            if monthly {
                let y = v.floor();
                let m = ((v - y) * 12.0).floor() as i32 + 1;
                format!("{:.0}-{m:02}", y)
            } else {
                format!("{:.0}", v.round())
            }
        })
        .x_labels(if monthly {
            8
        } else {
            ((xhi - xlo).ceil() as usize).clamp(2, 12)
        })
        .y_label_formatter(&|v| fmt_num(*v, dp))
        .draw()
        .map_err(pe)?;
    let mut regions: Vec<&str> = Vec::new();
    for p in &pts {
        if !regions.contains(&p.region.as_str()) {
            regions.push(&p.region);
        }
    }
    for (ri, region) in regions.iter().enumerate() {
        let color = PALETTE[ri % PALETTE.len()];
        let r = c.px(5.0);
        chart
            .draw_series(pts.iter().filter(|p| p.region == *region).map(|p| {
                Circle::new(
                    (year_frac(p.date), wan(p.adjusted_price)),
                    r,
                    color.filled(),
                )
            }))
            .map_err(pe)?
            .label(*region)
            .legend(move |(x, y)| Circle::new((x + r, y), r, color.filled()));
    }
    if let Some(m) = k.subject.as_ref().filter(|m| m.value.is_finite()) {
        let y = wan(m.value);
        chart
            .draw_series(DashedLineSeries::new(
                vec![(xlo, y), (xhi, y)],
                c.px(6.0),
                c.px(4.0),
                NAVY.stroke_width(c.pxu(1.5)),
            ))
            .map_err(pe)?;
        let (px, py) = chart.backend_coord(&(xhi, y));
        root.draw(&Text::new(
            format!("{} {}", m.label, fmt_num(y, dp)),
            (px - c.px(4.0), py - c.px(4.0)),
            c.font_c(12.0, NAVY)
                .pos(Pos::new(HPos::Right, VPos::Bottom)),
        ))
        .map_err(pe)?;
    }
    legend(&mut chart, c, SeriesLabelPosition::UpperLeft)
}

/// Loan schedule: principal and interest stacked, balance line on the right axis.
pub(crate) fn loan<DB: DrawingBackend>(
    l: &LoanSchedule,
    root: &DrawingArea<DB, Shift>,
    c: &Ctx,
) -> R {
    let ps: Vec<&LoanPeriod> = l
        .periods
        .iter()
        .filter(|p| p.principal.is_finite() && p.interest.is_finite() && p.balance.is_finite())
        .collect();
    if ps.is_empty() {
        return Err("no schedule periods to draw".into());
    }
    let first = ps.iter().map(|p| p.period).min().unwrap_or(1);
    let last = ps.iter().map(|p| p.period).max().unwrap_or(1);
    let ymax = ps
        .iter()
        .map(|p| wan(p.principal + p.interest))
        .fold(0.0, f64::max)
        .max(1e-9)
        * 1.25;
    let bmax = ps
        .iter()
        .map(|p| wan(p.balance))
        .fold(0.0, f64::max)
        .max(1e-9)
        * 1.12;
    let xr = (f64::from(first) - 0.6)..(f64::from(last) + 0.6);
    let dp = dp_for(ymax);
    let dp2 = dp_for(bmax);
    let mut chart = ChartBuilder::on(root)
        .caption(&l.title, c.font(18.0))
        .margin(c.px(14.0))
        .x_label_area_size(c.px(48.0))
        .y_label_area_size(c.px(64.0))
        .right_y_label_area_size(c.px(72.0))
        .build_cartesian_2d(xr.clone(), 0.0..ymax)
        .map_err(pe)?
        .set_secondary_coord(xr, 0.0..bmax);
    let nper = (last - first + 1) as usize;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .bold_line_style(GRID)
        .light_line_style(WHITE)
        .x_desc(l.x_label.as_str())
        .y_desc(l.y_label.as_str())
        .label_style(c.font(12.0))
        .axis_desc_style(c.font(13.0))
        .x_labels(nper.min(13))
        .x_label_formatter(&|v| {
            if (v - v.round()).abs() < 1e-6 {
                format!("{:.0}", v)
            } else {
                String::new()
            }
        })
        .y_label_formatter(&|v| fmt_num(*v, dp))
        .draw()
        .map_err(pe)?;
    chart
        .configure_secondary_axes()
        .y_desc(l.y2_label.as_str())
        .label_style(c.font(12.0))
        .axis_desc_style(c.font(13.0))
        .y_label_formatter(&|v| fmt_num(*v, dp2))
        .draw()
        .map_err(pe)?;
    let half = if nper > 60 { 0.5 } else { 0.36 };
    chart
        .draw_series(ps.iter().map(|p| {
            let x = f64::from(p.period);
            Rectangle::new(
                [(x - half, 0.0), (x + half, wan(p.principal))],
                NAVY.mix(0.85).filled(),
            )
        }))
        .map_err(pe)?
        .label(l.legend[0].as_str())
        .legend(rect_legend(c, NAVY));
    chart
        .draw_series(ps.iter().map(|p| {
            let x = f64::from(p.period);
            Rectangle::new(
                [
                    (x - half, wan(p.principal)),
                    (x + half, wan(p.principal + p.interest)),
                ],
                ORANGE.mix(0.9).filled(),
            )
        }))
        .map_err(pe)?
        .label(l.legend[1].as_str())
        .legend(rect_legend(c, ORANGE));
    let w = c.pxu(2.0);
    chart
        .draw_secondary_series(LineSeries::new(
            ps.iter().map(|p| (f64::from(p.period), wan(p.balance))),
            RED.stroke_width(w),
        ))
        .map_err(pe)?
        .label(l.legend[2].as_str())
        .legend(line_legend(c, RED, w));
    if nper <= 40 {
        chart
            .draw_secondary_series(ps.iter().map(|p| {
                Circle::new(
                    (f64::from(p.period), wan(p.balance)),
                    c.px(3.0),
                    RED.filled(),
                )
            }))
            .map_err(pe)?;
    }
    legend(&mut chart, c, SeriesLabelPosition::UpperRight)
}

/// Loss sharing: stacked bars per scenario, one colour per party.
pub(crate) fn loss_sharing<DB: DrawingBackend>(
    s: &LossSharing,
    root: &DrawingArea<DB, Shift>,
    c: &Ctx,
) -> R {
    let sc: Vec<&LossScenario> = s
        .scenarios
        .iter()
        .filter(|x| x.amounts.iter().all(|a| a.is_finite() && *a >= 0.0))
        .collect();
    if sc.is_empty() || s.parties.is_empty() {
        return Err("no loss scenarios to draw".into());
    }
    let n = sc.len() as i32;
    let row = |i: usize| n - 1 - i as i32;
    let labels: Vec<&str> = sc.iter().rev().map(|x| x.label.as_str()).collect();
    // Room on the right of the longest bar for the legend, so that it covers no bar.
    let legend_px = s
        .parties
        .iter()
        .map(|p| c.width(p, 12.0))
        .max()
        .unwrap_or(0)
        + c.px(60.0);
    let plot_px = (root.dim_in_pixel().0 as i32 - cat_area(c, &labels) - c.px(28.0)).max(1);
    let free = (1.0 - f64::from(legend_px) / f64::from(plot_px)).clamp(0.3, 0.95);
    let xmax = sc
        .iter()
        .map(|x| wan(x.amounts.iter().sum::<f64>()))
        .fold(0.0, f64::max)
        .max(1e-9)
        * 1.03
        / free;
    let dp = dp_for(xmax);
    let mut chart = category_chart(root, c, &s.title, &s.x_label, 0.0..xmax, n, &labels, dp)?;
    let m = c.pxu(10.0);
    for (pi, party) in s.parties.iter().enumerate() {
        let color = PALETTE[pi % PALETTE.len()];
        let segs: Vec<(i32, f64, f64)> = sc
            .iter()
            .enumerate()
            .map(|(i, x)| {
                let a: f64 = x.amounts.iter().take(pi).sum();
                let b = a + x.amounts.get(pi).copied().unwrap_or(0.0);
                (row(i), wan(a), wan(b))
            })
            .collect();
        chart
            .draw_series(segs.iter().map(|(r, a, b)| {
                let mut rect = Rectangle::new(
                    [
                        (*a, SegmentValue::Exact(*r)),
                        (*b, SegmentValue::Exact(*r + 1)),
                    ],
                    color.filled(),
                );
                rect.set_margin(m, m, 0, 0);
                rect
            }))
            .map_err(pe)?
            .label(party.as_str())
            .legend(rect_legend(c, color));
        for (r, a, b) in segs {
            let text = fmt_num(b - a, dp);
            let (xa, py) = chart.backend_coord(&(a, SegmentValue::CenterOf(r)));
            let (xb, _) = chart.backend_coord(&(b, SegmentValue::CenterOf(r)));
            if b > a && xb - xa > c.width(&text, 11.0) + c.px(6.0) {
                root.draw(&Text::new(
                    text,
                    ((xa + xb) / 2, py),
                    c.font_c(11.0, WHITE)
                        .pos(Pos::new(HPos::Center, VPos::Center)),
                ))
                .map_err(pe)?;
            }
        }
    }
    legend(&mut chart, c, SeriesLabelPosition::UpperRight)
}

/// Technology-contract value by province and year.
pub(crate) fn market<DB: DrawingBackend>(
    mk: &MarketStats,
    root: &DrawingArea<DB, Shift>,
    c: &Ctx,
) -> R {
    let yi = |v: f64| v / 1e8;
    let series: Vec<&MarketSeries> = mk.series.iter().filter(|s| !s.points.is_empty()).collect();
    let (xlo, xhi) = span(
        series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| f64::from(p.0))),
        0.02,
    )
    .ok_or("no market statistics to draw")?;
    let ymax = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| yi(p.1)))
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max)
        .max(1e-9)
        * 1.08;
    let dp = dp_for(ymax);
    let area = if mk.source.is_some() {
        let (top, _) = root.split_vertically(root.dim_in_pixel().1 as i32 - c.px(22.0));
        top
    } else {
        root.clone()
    };
    let mut chart = ChartBuilder::on(&area)
        .caption(&mk.title, c.font(18.0))
        .margin(c.px(14.0))
        .x_label_area_size(c.px(44.0))
        .y_label_area_size(c.px(64.0))
        .build_cartesian_2d(xlo..xhi, 0.0..ymax)
        .map_err(pe)?;
    chart
        .configure_mesh()
        .bold_line_style(GRID)
        .light_line_style(WHITE)
        .x_desc(mk.x_label.as_str())
        .y_desc(mk.y_label.as_str())
        .label_style(c.font(12.0))
        .axis_desc_style(c.font(13.0))
        .x_labels(((xhi - xlo).round() as usize).clamp(2, 12))
        .x_label_formatter(&|v| format!("{:.0}", v.round()))
        .y_label_formatter(&|v| fmt_num(*v, dp))
        .draw()
        .map_err(pe)?;
    for (i, s) in series.iter().enumerate() {
        let color = if s.highlight {
            RED
        } else {
            PALETTE[i % PALETTE.len()]
        };
        let color = if color == RED && !s.highlight {
            GRAY
        } else {
            color
        };
        let w = if s.highlight { c.pxu(3.5) } else { c.pxu(1.6) };
        chart
            .draw_series(LineSeries::new(
                s.points
                    .iter()
                    .filter(|p| p.1.is_finite())
                    .map(|p| (f64::from(p.0), yi(p.1))),
                color.stroke_width(w),
            ))
            .map_err(pe)?
            .label(s.label.as_str())
            .legend(line_legend(c, color, w));
        let r = if s.highlight { c.px(3.5) } else { c.px(2.5) };
        chart
            .draw_series(
                s.points
                    .iter()
                    .filter(|p| p.1.is_finite())
                    .map(|p| Circle::new((f64::from(p.0), yi(p.1)), r, color.filled())),
            )
            .map_err(pe)?;
    }
    legend(&mut chart, c, SeriesLabelPosition::UpperLeft)?;
    if let Some(src) = &mk.source {
        let (_, h) = root.dim_in_pixel();
        root.draw(&Text::new(
            src.clone(),
            (c.px(16.0), h as i32 - c.px(8.0)),
            c.font_c(11.0, GRAY).pos(Pos::new(HPos::Left, VPos::Bottom)),
        ))
        .map_err(pe)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::fmt_num;

    #[test]
    fn numbers_group_thousands() {
        assert_eq!(fmt_num(1234567.891, 2), "1,234,567.89");
        assert_eq!(fmt_num(-1234.5, 0), "-1,235");
        assert_eq!(fmt_num(-0.001, 1), "0.0");
        assert_eq!(fmt_num(999.0, 1), "999.0");
    }
}
