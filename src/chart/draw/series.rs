//! Charts over a value or time axis: the Monte Carlo histogram, the comparables scatter,
//! the loan schedule and the technology-market series.

use super::*;
use super::{BLUE, GRAY, ORANGE, PALETTE, RED};
use plotters::coord::Shift;
use plotters::style::text_anchor::{HPos, Pos, VPos};

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
    house_mesh(
        &mut chart.configure_mesh(),
        c,
        h.x_label.as_str(),
        Some(h.y_label.as_str()),
    )
    .disable_x_mesh()
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

/// Fractional year of a date (2021-07-02 → ≈ 2021.5).
pub(super) fn year_frac(d: chrono::NaiveDate) -> f64 {
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
    house_mesh(
        &mut chart.configure_mesh(),
        c,
        k.x_label.as_str(),
        Some(k.y_label.as_str()),
    )
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
    house_mesh(
        &mut chart.configure_mesh(),
        c,
        l.x_label.as_str(),
        Some(l.y_label.as_str()),
    )
    .disable_x_mesh()
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
    house_mesh(
        &mut chart.configure_mesh(),
        c,
        mk.x_label.as_str(),
        Some(mk.y_label.as_str()),
    )
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
