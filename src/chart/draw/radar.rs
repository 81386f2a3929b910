//! Radar (dimension scores against the portfolio median) and score-vs-value scatter.

use super::*;
use plotters::coord::Shift;

pub(crate) fn radar<DB: DrawingBackend>(k: &Radar, root: &DrawingArea<DB, Shift>, c: &Ctx) -> R {
    let n = k.axes.len();
    if n < 3 || k.max.is_nan() || k.max <= 0.0 {
        return Err("a radar needs at least three axes".into());
    }
    let (w, h) = root.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    root.draw(&Text::new(
        k.title.clone(),
        ((w - c.width(&k.title, 18.0)) / 2, c.px(12.0)),
        c.font(18.0),
    ))
    .map_err(pe)?;
    let cx = w / 2;
    let rad = f64::from(
        (h / 2 - c.px(70.0))
            .min(w / 2 - c.px(160.0))
            .max(c.px(40.0)),
    );
    // An odd number of axes leaves the bottom short of the radius: centre the figure's height.
    let drop = if n % 2 == 1 {
        rad * (1.0 - (std::f64::consts::PI / n as f64).cos()) / 2.0
    } else {
        0.0
    };
    let cy = h / 2 + c.px(14.0) + drop.round() as i32;
    let at = |i: usize, f: f64| {
        let a = -std::f64::consts::FRAC_PI_2 + 2.0 * std::f64::consts::PI * i as f64 / n as f64;
        (
            cx + (rad * f * a.cos()).round() as i32,
            cy + (rad * f * a.sin()).round() as i32,
        )
    };
    // Grid: rings at 20 %, 40 % … and the spokes.
    for step in 1..=5 {
        let f = f64::from(step) / 5.0;
        let mut pts: Vec<(i32, i32)> = (0..n).map(|i| at(i, f)).collect();
        pts.push(pts[0]);
        root.draw(&PathElement::new(pts, GRID.stroke_width(c.pxu(1.0))))
            .map_err(pe)?;
        let (x, y) = at(0, f);
        let label = fmt_num(k.max * f, 0);
        root.draw(&Text::new(
            label,
            (x + c.px(4.0), y - c.px(6.0)),
            c.font_c(10.0, GRAY),
        ))
        .map_err(pe)?;
    }
    for (i, name) in k.axes.iter().enumerate() {
        root.draw(&PathElement::new(
            vec![(cx, cy), at(i, 1.0)],
            GRID.stroke_width(c.pxu(1.0)),
        ))
        .map_err(pe)?;
        let (x, y) = at(i, 1.12);
        let tw = c.width(name, 13.0);
        let x = if x < cx - c.px(8.0) {
            x - tw
        } else if x > cx + c.px(8.0) {
            x
        } else {
            x - tw / 2
        };
        root.draw(&Text::new(name.clone(), (x, y - c.px(7.0)), c.font(13.0)))
            .map_err(pe)?;
    }
    for (ri, ring) in k.rings.iter().enumerate() {
        let color = PALETTE[ri % PALETTE.len()];
        let mut pts: Vec<(i32, i32)> = ring
            .values
            .iter()
            .enumerate()
            .map(|(i, v)| at(i, v.unwrap_or(0.0).clamp(0.0, k.max) / k.max))
            .collect();
        if pts.is_empty() {
            continue;
        }
        if ri == 0 {
            root.draw(&Polygon::new(pts.clone(), color.mix(0.18).filled()))
                .map_err(pe)?;
        }
        pts.push(pts[0]);
        root.draw(&PathElement::new(
            pts.clone(),
            color.stroke_width(c.pxu(if ri == 0 { 2.5 } else { 1.8 })),
        ))
        .map_err(pe)?;
        for (i, p) in pts.iter().take(n).enumerate() {
            let filled = ring.values.get(i).copied().flatten().is_some();
            let style = if filled {
                color.filled()
            } else {
                color.stroke_width(c.pxu(1.5))
            };
            root.draw(&Circle::new(*p, c.px(4.0), style)).map_err(pe)?;
        }
        // Legend, top left.
        let ly = c.px(44.0) + c.px(20.0) * ri as i32;
        root.draw(&Rectangle::new(
            [(c.px(16.0), ly - c.px(5.0)), (c.px(30.0), ly + c.px(5.0))],
            color.filled(),
        ))
        .map_err(pe)?;
        root.draw(&Text::new(
            ring.label.clone(),
            (c.px(36.0), ly - c.px(7.0)),
            c.font(12.0),
        ))
        .map_err(pe)?;
    }
    Ok(())
}

pub(crate) fn scatter<DB: DrawingBackend>(
    k: &Scatter,
    root: &DrawingArea<DB, Shift>,
    c: &Ctx,
) -> R {
    let pts = || {
        k.groups
            .iter()
            .flat_map(|g| g.points.iter())
            .filter(|(x, y)| x.is_finite() && y.is_finite() && *y > 0.0)
    };
    if pts().next().is_none() {
        return Err("no points to draw".into());
    }
    let ylo = pts().map(|p| wan(p.1)).fold(f64::INFINITY, f64::min) * 0.8;
    let yhi = pts().map(|p| wan(p.1)).fold(f64::NEG_INFINITY, f64::max) * 1.25;
    let mut chart = ChartBuilder::on(root)
        .caption(&k.title, c.font(18.0))
        .margin(c.px(14.0))
        .x_label_area_size(c.px(48.0))
        .y_label_area_size(c.px(72.0))
        .build_cartesian_2d(0.0..100.0, (ylo..yhi).log_scale())
        .map_err(pe)?;
    house_mesh(
        &mut chart.configure_mesh(),
        c,
        k.x_label.as_str(),
        Some(k.y_label.as_str()),
    )
    .x_label_formatter(&|v| format!("{v:.0}"))
    .y_label_formatter(&|v| fmt_num(*v, if *v < 10.0 { 1 } else { 0 }))
    .draw()
    .map_err(pe)?;
    for (gi, g) in k.groups.iter().enumerate() {
        let color = PALETTE[gi % PALETTE.len()];
        let r = c.px(3.0);
        chart
            .draw_series(
                g.points
                    .iter()
                    .filter(|(x, y)| x.is_finite() && y.is_finite() && *y > 0.0)
                    .map(|(x, y)| Circle::new((*x, wan(*y)), r, color.mix(0.7).filled())),
            )
            .map_err(pe)?
            .label(g.label.as_str())
            .legend(move |(x, y)| Circle::new((x + r, y), r, color.filled()));
    }
    legend(&mut chart, c, SeriesLabelPosition::UpperLeft)
}
