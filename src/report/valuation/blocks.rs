//! The parts of the valuation report below its sections: the tables (periods, audit trail,
//! reconciliation, Monte Carlo, sensitivity, comparables) and the texts built from the
//! catalogue.

use crate::audit::{AuditValue, Unit};
use crate::case::{Case, Purpose};
use crate::chart::{self, RenderedChart};
use crate::money::{group_thousands, round_half_away, Money};
use crate::report::html::{Figure, Table};
use crate::report::{ConcludedDistribution, Lang};
use crate::valuation::market::MarketOutcome;
use crate::valuation::reconcile::Reconciliation;
use crate::valuation::uncertainty::{Sensitivity, SimulationSummary, ValueDistribution};
use crate::valuation::Valuation;
use rust_decimal::Decimal;

/// `2,483,646.93`.
pub(super) fn yuan(m: Money) -> String {
    group_thousands(m.amount(), 2)
}

/// A decimal text shortened to `dp` places for display (text passes through).
pub(super) fn short(s: &str, dp: u32) -> String {
    match s.parse::<Decimal>() {
        Ok(d) => round_half_away(d, dp).normalize().to_string(),
        Err(_) => s.to_string(),
    }
}

pub(super) fn f2(x: f64) -> String {
    chart::draw::fmt_num(x, 2)
}

/// An audit value for display: money to the fen with separators, numbers to 6 places, text in
/// the report language (the core's words through [`Lang::core`], regions by name).
pub fn show_value(v: &AuditValue, lang: Lang) -> String {
    match v.unit {
        Unit::Yuan => match v.value.parse::<Decimal>() {
            Ok(d) => format!("{} {}", group_thousands(d, 2), lang.t("common.yuan")),
            Err(_) => v.value.clone(),
        },
        Unit::Rate | Unit::Number => short(&v.value, 6),
        Unit::Years => format!("{} {}", short(&v.value, 4), lang.t("common.years")),
        Unit::Text => match (lang, v.name.as_str()) {
            (Lang::Zh, "region" | "province") => crate::subject::region_zh(&v.value)
                .unwrap_or(&v.value)
                .to_string(),
            // The market factors left unadjusted (`tech, life`), by name.
            (_, n) if n.starts_with("not_adjusted") && v.value != "none" => v
                .value
                .split(", ")
                .map(|f| lang.name("factor", f))
                .collect::<Vec<_>>()
                .join(lang.t("common.list_sep_short")),
            _ => lang.core(&v.value).into_owned(),
        },
    }
}

/// The items of a catalogue list (`report.basis.1`, `report.basis.2`, … up to the first gap).
pub(super) fn items(lang: Lang, key: &str) -> Vec<String> {
    (1..)
        .map(|i| format!("{key}.{i}"))
        .take_while(|k| {
            crate::report::i18n::catalogue()
                .get(k.split_once('.').map_or("", |x| x.0))
                .is_some_and(|g| g.contains_key(k.split_once('.').map_or("", |x| x.1)))
        })
        .map(|k| lang.t(&k).to_string())
        .collect()
}

/// One approach under 七 评估方法.
#[derive(Debug, Clone)]
pub struct ApproachBlock {
    /// `收益法：销售收入分成法`.
    pub heading: String,
    /// The key formulas (each non-indexed audit formula, once).
    pub formulas: Vec<String>,
    /// The comparables summary and chart (market approach).
    pub market: Option<MarketBlock>,
    /// `按该方法评估的价值为人民币 … 元，计算过程见附件。`
    pub value_text: String,
}

/// The market approach's summary under 七.
#[derive(Debug, Clone)]
pub struct MarketBlock {
    /// Selection level, counts, median, weighted mean, quartiles, range.
    pub rows: Vec<(String, String)>,
    /// The low-confidence note, when fewer comparables than required were left.
    pub low_confidence: Option<String>,
    /// The comparables chart.
    pub figures: Vec<Figure>,
}

/// The reconciliation under 十.
#[derive(Debug, Clone)]
pub struct ReconciliationBlock {
    /// Approach, value, stated and applied weight.
    pub table: Table,
    /// Where the weights came from, the weighted value, the disagreement flag.
    pub text: String,
    /// The reconciliation's notes.
    pub notes: Vec<String>,
}

/// The Monte Carlo table under 十.
#[derive(Debug, Clone)]
pub struct DistributionBlock {
    /// What was simulated and how.
    pub intro: String,
    /// Statistics of the concluded value and of each approach.
    pub table: Table,
    /// The distribution's notes.
    pub notes: Vec<String>,
}

/// One appendix table set: the period table (income approach) and the audit trail.
#[derive(Debug, Clone)]
pub struct AppendixBlock {
    /// `附表 1. 收益法（销售收入分成法）`.
    pub heading: String,
    /// The period table, when the method has one.
    pub periods: Option<Table>,
    /// Every audit step.
    pub audit: Table,
}

/// The sensitivity appendix.
#[derive(Debug, Clone)]
pub struct SensitivityBlock {
    /// Heading.
    pub heading: String,
    /// What was varied.
    pub intro: String,
    /// The tornado rows.
    pub table: Table,
    /// Inputs left out, `path: why`.
    pub skipped: Vec<String>,
}

/// The comparables appendix.
#[derive(Debug, Clone)]
pub struct ComparablesBlock {
    /// Heading.
    pub heading: String,
    /// Every comparable with its factors.
    pub table: Table,
}

pub(super) fn figures(charts: &[RenderedChart], name: &str) -> Vec<Figure> {
    charts
        .iter()
        .filter(|c| c.name == name)
        .map(Figure::of)
        .collect()
}

pub(super) fn purpose_text(lang: Lang, case: &Case, client: &str) -> String {
    let s = &case.subject;
    let key = match case.purpose {
        Some(Purpose::PledgeFinancing) => "report.purpose_text.pledge_financing",
        Some(Purpose::Transfer) => "report.purpose_text.transfer",
        Some(Purpose::Licensing) => "report.purpose_text.licensing",
        Some(Purpose::Investment) => "report.purpose_text.investment",
        Some(Purpose::EquityContribution) => "report.purpose_text.equity_contribution",
        None => "report.purpose_text.none",
    };
    lang.f(
        key,
        &[
            ("client", &client),
            ("kind", &lang.kind(s.kind)),
            ("name", &s.name),
        ],
    )
}

pub(super) fn basis_list(lang: Lang, vals: &[Valuation]) -> Vec<String> {
    let mut v = items(lang, "report.basis");
    let mut sources: Vec<String> = Vec::new();
    for val in vals {
        for st in &val.audit.steps {
            if let Some(s) = st.source.as_deref() {
                let s = lang.core(s).into_owned();
                if !sources.contains(&s) {
                    sources.push(s);
                }
            }
        }
    }
    v.push(if sources.is_empty() {
        lang.t("report.pricing").to_string()
    } else {
        lang.f(
            "report.pricing_with",
            &[("sources", &sources.join(lang.t("common.list_sep")))],
        )
    });
    v
}

/// The key formulas of a valuation in the report language: the formula of each non-indexed
/// step, once.
pub(super) fn key_formulas(v: &Valuation, lang: Lang) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in &v.audit.steps {
        if s.name.contains('[') || s.formula.starts_with("round") {
            continue;
        }
        let f = lang.core(&s.formula).into_owned();
        if !out.contains(&f) {
            out.push(f);
        }
    }
    out
}

pub(super) fn audit_table(v: &Valuation, lang: Lang) -> Table {
    let rows = v
        .audit
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let inputs = s
                .inputs
                .iter()
                .map(|iv| format!("{} = {}", lang.core(&iv.name), show_value(iv, lang)))
                .collect::<Vec<_>>()
                .join(lang.t("common.list_sep"));
            vec![
                (i + 1).to_string(),
                s.name.clone(),
                lang.core(&s.formula).into_owned(),
                inputs,
                format!(
                    "{} = {}",
                    lang.core(&s.value.name),
                    show_value(&s.value, lang)
                ),
                s.source
                    .as_deref()
                    .map(|x| lang.core(x).into_owned())
                    .unwrap_or_default(),
            ]
        })
        .collect();
    Table::new(
        &[
            "#",
            lang.t("report.col.step"),
            lang.t("report.col.formula"),
            lang.t("report.col.inputs"),
            lang.t("report.col.result"),
            lang.t("report.col.source"),
        ],
        &[true, false, false, false, true, false],
        rows,
    )
}

pub(super) fn period_table(v: &Valuation, lang: Lang) -> Table {
    let rows = v
        .periods
        .iter()
        .map(|r| {
            vec![
                r.period.to_string(),
                short(&r.t, 4),
                yuan(r.base),
                short(&r.rate, 6),
                yuan(r.attributable),
                short(&r.discount_factor, 6),
                yuan(r.pv),
            ]
        })
        .collect();
    Table::new(
        &[
            lang.t("report.col.period"),
            lang.t("report.col.t"),
            lang.t("report.col.base"),
            lang.t("report.col.rate"),
            lang.t("report.col.attributable"),
            lang.t("report.col.discount_factor"),
            lang.t("report.col.pv"),
        ],
        &[true; 7],
        rows,
    )
}

pub(super) fn market_block(m: &MarketOutcome, lang: Lang, charts: &[RenderedChart]) -> MarketBlock {
    let s = &m.summary;
    let opt = |x: Option<f64>| x.map_or("—".to_string(), f2);
    let row = |k: &str, v: String| (lang.t(k).to_string(), v);
    MarketBlock {
        rows: vec![
            row(
                "report.market.level",
                lang.f(
                    "report.market.level_value",
                    &[("level", &s.level), ("name", &lang.core(&s.level_name))],
                ),
            ),
            row(
                "report.market.counts",
                format!("{} / {} / {}", s.n_found, s.n_selected, s.n_used),
            ),
            row("report.market.median", opt(s.median)),
            row("report.market.weighted_mean", opt(s.weighted_mean)),
            row(
                "report.market.iqr",
                format!("{} – {}", opt(s.q1), opt(s.q3)),
            ),
            row(
                "report.market.range",
                format!("{} – {}", opt(s.min), opt(s.max)),
            ),
        ],
        low_confidence: s
            .low_confidence
            .then(|| lang.t("report.market.low_confidence").to_string()),
        figures: figures(charts, "comparables"),
    }
}

pub(super) fn reconciliation_block(r: &Reconciliation, lang: Lang) -> ReconciliationBlock {
    let rows = r
        .approaches
        .iter()
        .map(|w| {
            vec![
                lang.approach(w.approach).to_string(),
                yuan(w.value),
                round_half_away(w.stated_weight, 4).normalize().to_string(),
                round_half_away(w.weight, 6).normalize().to_string(),
            ]
        })
        .collect();
    let ratio = r.ratio.map_or("—".into(), |x| x.normalize().to_string());
    let flag = if r.disagree {
        lang.f(
            "report.rec.disagree",
            &[
                ("factor", &r.disagreement_factor.normalize()),
                ("ratio", &ratio),
            ],
        )
    } else {
        String::new()
    };
    ReconciliationBlock {
        table: Table::new(
            &[
                lang.t("report.col.approach"),
                lang.t("report.col.value"),
                lang.t("report.col.stated_weight"),
                lang.t("report.col.weight"),
            ],
            &[false, true, true, true],
            rows,
        ),
        text: lang.f(
            "report.rec.text",
            &[
                ("source", &lang.core(&r.weights_source)),
                ("value", &yuan(r.concluded_value)),
                ("flag", &flag),
            ],
        ),
        notes: r.notes.iter().map(|n| lang.core(n).into_owned()).collect(),
    }
}

pub(super) fn distribution_block(
    d: &ConcludedDistribution<'_>,
    sims: &[SimulationSummary],
    rec: bool,
    lang: Lang,
) -> DistributionBlock {
    let mut header: Vec<String> = vec![lang.t("report.col.statistic").into()];
    let mut cols: Vec<&ValueDistribution> = vec![d.dist];
    header.push(lang.f("report.dist.concluded", &[("of", &d.of)]));
    for s in sims {
        // The concluded value of a single approach is that approach's own simulation.
        if s.dist.seed == d.dist.seed
            && s.dist.samples == d.dist.samples
            && s.dist.stats.mean == d.dist.stats.mean
        {
            continue;
        }
        header.push(lang.f(
            "report.dist.approach",
            &[("approach", &lang.approach(s.approach))],
        ));
        cols.push(&s.dist);
    }
    let money = |m: Money| yuan(m);
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut row = |name: String, f: &dyn Fn(&ValueDistribution) -> String| {
        let mut r = vec![name];
        r.extend(cols.iter().map(|c| f(c)));
        rows.push(r);
    };
    row(lang.t("report.dist.mean").into(), &|c| money(c.money.mean));
    row(lang.t("report.dist.sd").into(), &|c| f2(c.stats.sd));
    row(lang.t("report.dist.se").into(), &|c| f2(c.stats.std_error));
    for l in ["P5", "P10", "P25", "P50", "P75", "P90", "P95"] {
        row(l.into(), &|c| match l {
            "P5" => money(c.money.p5),
            "P10" => money(c.money.p10),
            "P50" => money(c.money.p50),
            "P90" => money(c.money.p90),
            "P95" => money(c.money.p95),
            _ => c.stats.percentile(l).map_or("—".into(), f2),
        });
    }
    row(
        lang.f(
            "report.dist.pledge",
            &[("label", &d.dist.stats.pledge.label)],
        ),
        &|c| money(c.money.pledge_value),
    );
    let h: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut num = vec![false];
    num.extend(cols.iter().map(|_| true));
    DistributionBlock {
        intro: lang.f(
            "report.dist.intro",
            &[
                ("samples", &d.dist.samples),
                ("seed", &d.dist.seed),
                ("chunk", &d.dist.chunk_size),
                (
                    "what",
                    &if rec {
                        lang.t("report.dist.what_reconciled")
                    } else {
                        lang.t("report.dist.what_value")
                    },
                ),
                ("of", &d.of),
                ("label", &d.dist.stats.pledge.label),
            ],
        ),
        table: Table::new(&h, &num, rows),
        notes: d
            .dist
            .notes
            .iter()
            .map(|n| lang.core(n).into_owned())
            .collect(),
    }
}

pub(super) fn sensitivity_block(s: &Sensitivity, lang: Lang) -> SensitivityBlock {
    let rows = s
        .tornado
        .iter()
        .map(|b| {
            vec![
                format!("{}（{}）", lang.input(&b.input), b.input),
                chart::draw::fmt_num(b.point, 6),
                f2(b.value_at_low_input),
                f2(b.value_at_high_input),
                f2(b.swing),
            ]
        })
        .collect();
    let sw = chart::draw::fmt_num(s.swing * 100.0, 0);
    SensitivityBlock {
        heading: lang.t("report.appendix.sensitivity").into(),
        intro: lang.f(
            "report.sens.intro",
            &[("swing", &sw), ("base", &f2(s.base_value))],
        ),
        table: Table::new(
            &[
                lang.t("report.col.input_field"),
                lang.t("report.col.point"),
                &lang.f("report.col.value_low", &[("swing", &sw)]),
                &lang.f("report.col.value_high", &[("swing", &sw)]),
                lang.t("report.col.swing"),
            ],
            &[false, true, true, true, true],
            rows,
        ),
        skipped: s
            .skipped
            .iter()
            .map(|k| {
                lang.f(
                    "report.sens.skipped",
                    &[("input", &k.input), ("reason", &lang.core(&k.reason))],
                )
            })
            .collect(),
    }
}

pub(super) fn comparables_block(m: &MarketOutcome, lang: Lang) -> ComparablesBlock {
    let x = |v: f64| chart::draw::fmt_num(v, 4);
    let rows = m
        .comparables
        .iter()
        .map(|c| {
            vec![
                c.deal_id.clone(),
                c.date.clone(),
                match lang {
                    Lang::Zh => crate::subject::region_zh(&c.region)
                        .unwrap_or(&c.region)
                        .to_string(),
                    Lang::En => c.region.clone(),
                },
                match (
                    lang,
                    crate::vocab::TransactionType::parse(&c.transaction_type),
                ) {
                    (Lang::Zh, Some(t)) => t.name_zh().to_string(),
                    _ => c.transaction_type.clone(),
                },
                f2(c.price_yuan),
                x(c.f_tech),
                x(c.f_time),
                x(c.f_region),
                x(c.f_terms),
                x(c.f_scale),
                x(c.f_life),
                f2(c.adjusted_yuan),
                x(c.similarity),
                lang.t(if c.kept {
                    "report.comp.kept"
                } else {
                    "report.comp.outlier"
                })
                .into(),
            ]
        })
        .collect();
    let cols = [
        "deal",
        "date",
        "region",
        "type",
        "price",
        "tech",
        "time",
        "region",
        "terms",
        "scale",
        "life",
        "adjusted",
        "similarity",
        "used",
    ]
    .map(|c| lang.t(&format!("report.comp.{c}")));
    ComparablesBlock {
        heading: lang.t("report.appendix.comparables").into(),
        table: Table::new(
            &cols,
            &[
                false, false, false, false, true, true, true, true, true, true, true, true, true,
                false,
            ],
            rows,
        ),
    }
}
