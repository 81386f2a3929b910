//! The score part of the portfolio report: the score-vs-value scatter, the radar of the best
//! scored subject against the portfolio median, the grade counts and the shortlist table.

use super::yuan;
use crate::chart::{self, Chart};
use crate::portfolio::batch::RowResult;
use crate::portfolio::score::ScoreSummary;
use crate::report::html::Table;
use crate::report::Lang;

fn f64_of(d: rust_decimal::Decimal) -> f64 {
    rust_decimal::prelude::ToPrimitive::to_f64(&d).unwrap_or(f64::NAN)
}

/// The scatter (score against value, one group per grade) and the radar of the shortlist's
/// first subject with the portfolio median as its second ring.
pub fn charts(rows: &[RowResult], s: &ScoreSummary, lang: Lang) -> Vec<Chart> {
    let mut groups: Vec<chart::ScatterGroup> = ["A", "B", "C", "D"]
        .iter()
        .map(|g| chart::ScatterGroup {
            label: lang.f("scoring.chart.grade", &[("g", g)]),
            points: Vec::new(),
        })
        .collect();
    for r in rows {
        let Some(sc) = &r.score else { continue };
        let (Some(t), Some(g)) = (sc.total, sc.grade) else {
            continue;
        };
        let i = match g.as_str() {
            "A" => 0,
            "B" => 1,
            "C" => 2,
            _ => 3,
        };
        groups[i].points.push((f64_of(t), r.value.to_f64()));
    }
    let mut out = vec![Chart::Scatter(chart::Scatter {
        name: "portfolio_score_value",
        title: lang.t("scoring.chart.scatter").into(),
        x_label: lang.t("scoring.chart.x").into(),
        y_label: lang.t("scoring.chart.y").into(),
        groups,
    })];
    if let Some(best) = s
        .shortlist
        .first()
        .and_then(|b| rows.iter().find(|r| r.id == b.id))
    {
        if let Some(sc) = &best.score {
            let axes = sc
                .dimensions
                .iter()
                .map(|(id, _)| lang.name("dimension", id))
                .collect();
            out.push(Chart::Radar(chart::Radar {
                title: lang.f("scoring.chart.radar", &[("name", &best.name)]),
                axes,
                max: 100.0,
                rings: vec![
                    chart::RadarRing {
                        label: best.id.clone(),
                        values: sc.dimensions.iter().map(|(_, v)| v.map(f64_of)).collect(),
                    },
                    chart::RadarRing {
                        label: lang.t("scoring.chart.median").into(),
                        values: s
                            .dimension_medians
                            .iter()
                            .map(|(_, v)| v.map(f64_of))
                            .collect(),
                    },
                ],
            }));
        }
    }
    out
}

/// The grade counts as one line (`A 359 · B 282 · …`), the vetoes and gate outcomes.
pub fn grade_line(s: &ScoreSummary, lang: Lang) -> String {
    let mut parts: Vec<String> = s
        .by_grade
        .iter()
        .map(|(g, n)| {
            let g = if g == "ungraded" {
                lang.t("scoring.chart.ungraded").to_string()
            } else {
                g.clone()
            };
            format!("{g} {n}")
        })
        .collect();
    parts.push(lang.f("portfolio.score.vetoed", &[("n", &s.vetoed)]));
    for (o, n) in &s.by_gate {
        parts.push(format!("{} {n}", lang.t(&format!("scoring.gate.{o}"))));
    }
    parts.join(" · ")
}

/// The shortlist by score.
pub fn shortlist(s: &ScoreSummary, lang: Lang) -> Table {
    Table::new(
        &[
            lang.t("portfolio.score.rank"),
            lang.t("portfolio.col.id"),
            lang.t("portfolio.col.name"),
            lang.t("portfolio.score.total"),
            lang.t("portfolio.score.grade"),
            lang.t("portfolio.col.value"),
            lang.t("portfolio.col.pledge_value"),
        ],
        &[true, false, false, true, false, true, true],
        s.shortlist
            .iter()
            .map(|r| {
                vec![
                    r.score_rank.to_string(),
                    r.id.clone(),
                    r.name.clone(),
                    r.score.round_dp(2).normalize().to_string(),
                    r.grade.clone(),
                    yuan(r.value),
                    yuan(r.pledge_value),
                ]
            })
            .collect(),
    )
}
