//! Bar charts on a category axis: the tornado, the football field and the loss sharing.

use super::*;
use super::{BLUE, INK, ORANGE, PALETTE, RED, TEAL};
use plotters::coord::Shift;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// A horizontal bar chart's frame: value axis `x` (万元), one category row per label from the
/// bottom (`labels[0]` lowest), `rows` segments in all (one more than the labels leaves a row on
/// top free), the mesh and the category labels drawn.
#[allow(clippy::too_many_arguments)]
pub(super) fn category_chart<'a, DB: DrawingBackend>(
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
    house_mesh(&mut chart.configure_mesh(), c, x_label, None)
        .disable_y_mesh()
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
pub(super) fn cat_area(c: &Ctx, labels: &[&str]) -> i32 {
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

/// Totals by group: bars from zero, largest on top, each labelled with its value.
pub(crate) fn totals<DB: DrawingBackend>(t: &Totals, root: &DrawingArea<DB, Shift>, c: &Ctx) -> R {
    let mut bars: Vec<&TotalBar> = t
        .bars
        .iter()
        .filter(|b| b.value.is_finite() && b.value >= 0.0)
        .collect();
    if bars.is_empty() {
        return Err("no totals to draw".into());
    }
    // Smallest at the bottom (row 0), largest on top; ties by label.
    bars.sort_by(|a, b| {
        a.value
            .total_cmp(&b.value)
            .then_with(|| b.label.cmp(&a.label))
    });
    let n = bars.len() as i32;
    let hi = bars.iter().map(|b| wan(b.value)).fold(0.0_f64, f64::max);
    let xhi = if hi > 0.0 { hi * 1.22 } else { 1.0 };
    let dp = dp_for(xhi);
    let labels: Vec<&str> = bars.iter().map(|b| b.label.as_str()).collect();
    let mut chart = category_chart(root, c, &t.title, &t.x_label, 0.0..xhi, n, &labels, dp)?;
    let m = c.pxu(5.0);
    chart
        .draw_series(bars.iter().enumerate().map(|(i, b)| {
            let i = i as i32;
            let mut r = Rectangle::new(
                [
                    (0.0, SegmentValue::Exact(i)),
                    (wan(b.value), SegmentValue::Exact(i + 1)),
                ],
                BLUE.filled(),
            );
            r.set_margin(m, m, 0, 0);
            r
        }))
        .map_err(pe)?;
    for (i, b) in bars.iter().enumerate() {
        let v = wan(b.value);
        let (px, py) = chart.backend_coord(&(v, SegmentValue::CenterOf(i as i32)));
        let text = match &b.note {
            Some(nt) => format!("{} {nt}", fmt_num(v, dp)),
            None => fmt_num(v, dp),
        };
        root.draw(&Text::new(
            text,
            (px + c.px(4.0), py),
            c.font(11.0).pos(Pos::new(HPos::Left, VPos::Center)),
        ))
        .map_err(pe)?;
    }
    Ok(())
}
