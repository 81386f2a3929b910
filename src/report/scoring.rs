//! The scoring block of the valuation report and the credit memo: the dimension table, the
//! indicator table, the grade, vetoes, missing ratings, the gate and what the score drove, with
//! the radar chart. Formats the [`ScoreCard`]; computes nothing.

use super::html::{Figure, Table};
use super::Lang;
use crate::case::Scored;
use crate::chart::{self, Chart, RenderedChart};
use crate::scoring::ScoreCard;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

/// The scoring section as display text.
#[derive(Debug, Clone)]
pub struct ScoringBlock {
    /// Heading.
    pub heading: String,
    /// What the score is.
    pub intro: String,
    /// Total, grade, coverage.
    pub summary: String,
    /// Dimension scores.
    pub dimensions: Table,
    /// Every indicator.
    pub indicators: Table,
    /// Vetoes, missing ratings, gate, derived values.
    pub notes: Vec<String>,
    /// The radar chart.
    pub figures: Vec<Figure>,
}

fn num(d: Option<Decimal>) -> String {
    d.map_or("—".into(), |x| x.round_dp(2).normalize().to_string())
}

fn dim_name(lang: Lang, zh: &str, en: &str) -> String {
    match lang {
        Lang::Zh => zh.to_string(),
        Lang::En => en.to_string(),
    }
}

/// The radar of a score card; `median` adds the portfolio median as a second ring.
pub fn radar(card: &ScoreCard, name: &str, median: Option<Vec<Option<f64>>>, lang: Lang) -> Chart {
    let f = |d: Option<Decimal>| d.and_then(|x| x.to_f64());
    let mut rings = vec![chart::RadarRing {
        label: lang.t("scoring.chart.subject").to_string(),
        values: card.dimensions.iter().map(|d| f(d.score)).collect(),
    }];
    if let Some(m) = median {
        rings.push(chart::RadarRing {
            label: lang.t("scoring.chart.median").to_string(),
            values: m,
        });
    }
    Chart::Radar(chart::Radar {
        title: lang.f("scoring.chart.radar", &[("name", &name)]),
        axes: card
            .dimensions
            .iter()
            .map(|d| dim_name(lang, &d.name_zh, &d.name_en))
            .collect(),
        max: 100.0,
        rings,
    })
}

/// The block of a case's score.
pub fn block(s: &Scored, lang: Lang, charts: &[RenderedChart]) -> ScoringBlock {
    let c = &s.card;
    let model = dim_name(lang, &c.model_name_zh, &c.model_name_en);
    let scenario = dim_name(lang, &c.scenario_name_zh, &c.scenario_name_en);
    let dims = Table::new(
        &[
            lang.t("scoring.col.dimension"),
            lang.t("scoring.col.weight"),
            lang.t("scoring.col.score"),
            lang.t("scoring.col.rated"),
        ],
        &[false, true, true, true],
        c.dimensions
            .iter()
            .map(|d| {
                vec![
                    dim_name(lang, &d.name_zh, &d.name_en),
                    d.weight.normalize().to_string(),
                    num(d.score),
                    d.coverage.normalize().to_string(),
                ]
            })
            .collect(),
    );
    let inds = Table::new(
        &[
            lang.t("scoring.col.indicator"),
            lang.t("scoring.col.rating"),
            lang.t("scoring.col.weight"),
            lang.t("scoring.col.points"),
        ],
        &[false, true, true, true],
        c.lines
            .iter()
            .map(|l| {
                vec![
                    format!(
                        "{} ({})",
                        dim_name(lang, &l.name_zh, &l.name_en),
                        l.indicator
                    ),
                    num(l.rating),
                    l.weight.normalize().to_string(),
                    num(l.points),
                ]
            })
            .collect(),
    );
    let summary = match c.total {
        Some(t) => lang.f(
            "scoring.summary",
            &[
                ("total", &num(Some(t))),
                ("grade", &c.grade.map_or("—", |g| g.as_str())),
                ("coverage", &c.coverage.normalize()),
                ("floor", &c.coverage_floor.normalize()),
            ],
        ),
        None => lang.f(
            "scoring.below_coverage",
            &[
                ("coverage", &c.coverage.normalize()),
                ("floor", &c.coverage_floor.normalize()),
            ],
        ),
    };
    let mut notes = Vec::new();
    for v in &c.vetoes {
        notes.push(lang.f(
            "scoring.veto",
            &[
                ("reason", &dim_name(lang, &v.reason_zh, &v.reason_en)),
                ("fact", &v.fact),
            ],
        ));
    }
    if !c.missing.is_empty() {
        notes.push(lang.f(
            "scoring.missing",
            &[("n", &c.missing.len()), ("list", &c.missing.join(", "))],
        ));
    }
    if let Some(g) = &c.gate {
        let outcome = lang.t(&format!("scoring.gate.{}", g.outcome.as_str()));
        let mut t = lang.f("scoring.gate", &[("outcome", &outcome)]);
        for (zh, en) in &g.reasons {
            t.push('；');
            t.push_str(&dim_name(lang, zh, en));
        }
        notes.push(t);
    }
    for d in &s.derived {
        notes.push(lang.f(
            "scoring.derived",
            &[("path", &d.path), ("value", &d.value.normalize())],
        ));
    }
    ScoringBlock {
        heading: lang.f(
            "scoring.heading",
            &[("model", &model), ("scenario", &scenario)],
        ),
        intro: lang.f(
            "scoring.intro",
            &[
                ("tree", &model),
                ("lo", &c.scale.0),
                ("hi", &c.scale.1),
                (
                    "weights",
                    &lang.f(
                        "scoring.weights",
                        &[("file", &format!("models/scoring/{}.toml", c.model))],
                    ),
                ),
            ],
        ),
        summary,
        dimensions: dims,
        indicators: inds,
        notes,
        figures: charts
            .iter()
            .filter(|r| r.name == "score_radar")
            .map(Figure::of)
            .collect(),
    }
}
