//! The valuation report (资产评估报告) as self-contained HTML.
//!
//! Structure (《资产评估执业准则——资产评估报告》, CAS 2018): summary; 一 委托人及其他报告使用人;
//! 二 评估目的; 三 评估对象和评估范围; 四 价值类型; 五 评估基准日; 六 评估依据; 七 评估方法;
//! 八 评估程序实施过程和情况; 九 评估假设; 十 评估结论 (with the amount in capital numerals);
//! 十一 特别事项说明; 十二 评估报告使用限制说明; 十三 评估报告日 and signatures; appendices with
//! the period tables and every audit step; a footer with the provenance.
//!
//! The page is the template `templates/valuation_report.html`; this module fills its
//! [`ValuationView`] with the texts (from the message catalogue, `messages.toml`) and the
//! numbers. Numbers come from the [`Valuation`]s and the [`Conclusion`] as given; this module
//! formats them and computes nothing.

use super::html::{Figure, Table};
use super::{capital, ConcludedDistribution, Conclusion, ConclusionBasis, Lang, Provenance};
use crate::audit::{AuditValue, Unit};
use crate::case::{Case, Purpose, ReportInfo, ValueType};
use crate::chart::{self, RenderedChart};
use crate::error::{Error, Result};
use crate::money::{group_thousands, round_half_away, Money};
use crate::valuation::market::MarketOutcome;
use crate::valuation::reconcile::Reconciliation;
use crate::valuation::uncertainty::{Sensitivity, SimulationSummary, ValueDistribution};
use crate::valuation::{Approach, Valuation};
use askama::Template;
use rust_decimal::Decimal;

/// Everything a valuation report shows.
#[derive(Debug, Clone, Copy)]
pub struct ValuationReportInput<'a> {
    /// Language.
    pub lang: Lang,
    /// The case (subject, assumptions, `[report]`).
    pub case: &'a Case,
    /// The approaches performed.
    pub valuations: &'a [Valuation],
    /// Approaches not performed and why.
    pub not_performed: &'a [(Approach, String)],
    /// The concluded value.
    pub conclusion: &'a Conclusion,
    /// The reconciliation of the approaches, when more than one ran.
    pub reconciliation: Option<&'a Reconciliation>,
    /// Monte Carlo of each approach.
    pub simulations: &'a [SimulationSummary],
    /// Monte Carlo of the concluded value.
    pub distribution: Option<ConcludedDistribution<'a>>,
    /// Sensitivity of the concluded value.
    pub sensitivity: Option<&'a Sensitivity>,
    /// The market approach's comparables.
    pub market: Option<&'a MarketOutcome>,
    /// Charts to show (rendered; placed by kind).
    pub charts: &'a [RenderedChart],
    /// Footer provenance.
    pub provenance: &'a Provenance,
    /// Warnings to list under 特别事项说明.
    pub warnings: &'a [String],
}

/// `2,483,646.93`.
fn yuan(m: Money) -> String {
    group_thousands(m.amount(), 2)
}

/// A decimal text shortened to `dp` places for display (text passes through).
fn short(s: &str, dp: u32) -> String {
    match s.parse::<Decimal>() {
        Ok(d) => round_half_away(d, dp).normalize().to_string(),
        Err(_) => s.to_string(),
    }
}

fn f2(x: f64) -> String {
    chart::draw::fmt_num(x, 2)
}

/// An audit value for display: money to the fen with separators, numbers to 6 places.
pub fn show_value(v: &AuditValue, lang: Lang) -> String {
    match v.unit {
        Unit::Yuan => match v.value.parse::<Decimal>() {
            Ok(d) => format!("{} {}", group_thousands(d, 2), lang.t("common.yuan")),
            Err(_) => v.value.clone(),
        },
        Unit::Rate | Unit::Number => short(&v.value, 6),
        Unit::Years => format!("{} {}", short(&v.value, 4), lang.t("common.years")),
        Unit::Text => v.value.clone(),
    }
}

/// The items of a catalogue list (`report.basis.1`, `report.basis.2`, … up to the first gap).
fn items(lang: Lang, key: &str) -> Vec<String> {
    (1..)
        .map(|i| format!("{key}.{i}"))
        .take_while(|k| {
            super::i18n::catalogue()
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

/// Everything the valuation report template shows, as display text.
#[derive(Debug, Clone)]
pub struct ValuationView {
    /// Document title.
    pub title: String,
    /// Firm and report number.
    pub subtitle: String,
    /// Heading of the summary box.
    pub summary_title: String,
    /// The summary box.
    pub summary: Vec<(String, String)>,
    /// The thirteen section headings.
    pub h: Vec<String>,
    /// 一: client, owner, other users.
    pub users: Vec<(String, String)>,
    /// 二.
    pub purpose: String,
    /// 三: the sentence and the subject's details.
    pub scope: String,
    /// 三: the subject's details.
    pub subject: Vec<(String, String)>,
    /// 四.
    pub value_type: String,
    /// 五.
    pub date_text: String,
    /// 六.
    pub basis: Vec<String>,
    /// 七: introduction.
    pub methods_intro: String,
    /// 七: each approach performed.
    pub approaches: Vec<ApproachBlock>,
    /// 七: each approach not performed, with the reason.
    pub not_performed: Vec<String>,
    /// 八.
    pub procedure: Vec<String>,
    /// 九.
    pub assumptions: Vec<String>,
    /// 十: the conclusion sentence.
    pub conclusion: String,
    /// 十: value by approach.
    pub values: Table,
    /// 十: why this conclusion.
    pub reason: String,
    /// 十: the reconciliation.
    pub reconciliation: Option<ReconciliationBlock>,
    /// 十: the football-field chart.
    pub football: Vec<Figure>,
    /// 十: the Monte Carlo table.
    pub distribution: Option<DistributionBlock>,
    /// 十: the histogram and tornado charts.
    pub result_charts: Vec<Figure>,
    /// 十一.
    pub special: Vec<String>,
    /// 十二.
    pub limits: Vec<String>,
    /// 十三: the report date line.
    pub report_date: String,
    /// 十三: firm (seal).
    pub firm: String,
    /// 十三: appraisers (signatures).
    pub appraisers: String,
    /// Appendix heading.
    pub appendix_title: String,
    /// The appendix tables of each approach.
    pub appendix: Vec<AppendixBlock>,
    /// The sensitivity appendix.
    pub sensitivity: Option<SensitivityBlock>,
    /// The comparables appendix.
    pub comparables: Option<ComparablesBlock>,
    /// Heading of the appendix charts.
    pub appendix_charts_title: String,
    /// Charts in the appendix (market statistics).
    pub appendix_charts: Vec<Figure>,
    /// The provenance line.
    pub footer: String,
}

#[derive(Template)]
#[template(
    path = "valuation_report.html",
    config = "src/report/templates/askama.toml"
)]
struct Page<'a> {
    v: &'a ValuationView,
}

fn figures(charts: &[RenderedChart], name: &str) -> Vec<Figure> {
    charts
        .iter()
        .filter(|c| c.name == name)
        .map(Figure::of)
        .collect()
}

fn purpose_text(lang: Lang, case: &Case, client: &str) -> String {
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

fn basis_list(lang: Lang, vals: &[Valuation]) -> Vec<String> {
    let mut v = items(lang, "report.basis");
    let mut sources: Vec<&str> = Vec::new();
    for val in vals {
        for st in &val.audit.steps {
            if let Some(s) = st.source.as_deref() {
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

/// The key formulas of a valuation: the formula of each non-indexed step, once.
fn key_formulas(v: &Valuation) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in &v.audit.steps {
        if s.name.contains('[') || s.formula.starts_with("round") {
            continue;
        }
        if !out.contains(&s.formula) {
            out.push(s.formula.clone());
        }
    }
    out
}

fn audit_table(v: &Valuation, lang: Lang) -> Table {
    let rows = v
        .audit
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let inputs = s
                .inputs
                .iter()
                .map(|iv| format!("{} = {}", iv.name, show_value(iv, lang)))
                .collect::<Vec<_>>()
                .join(lang.t("common.list_sep"));
            vec![
                (i + 1).to_string(),
                s.name.clone(),
                s.formula.clone(),
                inputs,
                format!("{} = {}", s.value.name, show_value(&s.value, lang)),
                s.source.clone().unwrap_or_default(),
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

fn period_table(v: &Valuation, lang: Lang) -> Table {
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

fn market_block(m: &MarketOutcome, lang: Lang, charts: &[RenderedChart]) -> MarketBlock {
    let s = &m.summary;
    let opt = |x: Option<f64>| x.map_or("—".to_string(), f2);
    let row = |k: &str, v: String| (lang.t(k).to_string(), v);
    MarketBlock {
        rows: vec![
            row(
                "report.market.level",
                format!("{} ({})", s.level, s.level_name),
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

fn reconciliation_block(r: &Reconciliation, lang: Lang) -> ReconciliationBlock {
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
                ("source", &r.weights_source),
                ("value", &yuan(r.concluded_value)),
                ("flag", &flag),
            ],
        ),
        notes: r.notes.clone(),
    }
}

fn distribution_block(
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
        notes: d.dist.notes.clone(),
    }
}

fn sensitivity_block(s: &Sensitivity, lang: Lang) -> SensitivityBlock {
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
            .map(|k| format!("{}: {}", k.input, k.reason))
            .collect(),
    }
}

fn comparables_block(m: &MarketOutcome, lang: Lang) -> ComparablesBlock {
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
                c.transaction_type.clone(),
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

/// Fills the view of the valuation report.
pub fn view(inp: &ValuationReportInput<'_>) -> Result<ValuationView> {
    let lang = inp.lang;
    let case = inp.case;
    let s = &case.subject;
    let info: ReportInfo = case.report.clone().unwrap_or_default();
    let client = info.client.clone().unwrap_or_else(|| s.owner.clone());
    let vt = info.value_type.unwrap_or(ValueType::MarketValue);
    let (vt_name, vt_def) = match lang {
        Lang::Zh => vt.zh(),
        Lang::En => vt.en(),
    };
    let kind = lang.kind(s.kind);
    let title = lang.f(
        "report.title",
        &[("owner", &s.owner), ("name", &s.name), ("kind", &kind)],
    );
    let concl = inp.conclusion;
    let amount = yuan(concl.value);
    let capital = capital::capital_yuan(concl.value)?;
    let chosen = match &concl.basis {
        ConclusionBasis::Selected { approach, method } => {
            format!("{}（{}）", lang.approach(*approach), lang.method(method))
        }
        ConclusionBasis::Reconciled { description } => description.clone(),
    };
    let date = s.valuation_date.to_string();
    let kv = |k: &str, v: String| (lang.t(k).to_string(), v);

    let summary = vec![
        kv("report.sum.client", client.clone()),
        kv("report.sum.subject", format!("{kind}“{}”", s.name)),
        kv(
            "report.sum.purpose",
            case.purpose
                .map(|p| match lang {
                    Lang::Zh => p.name_zh().to_string(),
                    Lang::En => format!("{p:?}"),
                })
                .unwrap_or_else(|| lang.t("report.sum.value_advice").into()),
        ),
        kv("report.sum.value_type", vt_name.into()),
        kv("report.sum.valuation_date", date.clone()),
        kv("report.sum.approach", chosen.clone()),
        kv(
            "report.sum.conclusion",
            lang.f(
                "report.sum.conclusion_value",
                &[("amount", &amount), ("capital", &capital)],
            ),
        ),
    ];

    let other_users = info.other_users.clone().unwrap_or_else(|| {
        let by_law = lang.t("report.users.by_law");
        if case.purpose == Some(Purpose::PledgeFinancing) {
            format!("{}{by_law}", lang.t("report.users.pledgee"))
        } else {
            by_law.to_string()
        }
    });
    let users = vec![
        kv("report.sum.client", client.clone()),
        kv("report.users.owner", s.owner.clone()),
        kv("report.users.other", other_users),
    ];

    let mut subject = vec![
        kv("report.subj.title", s.name.clone()),
        kv("report.subj.kind", kind.into()),
    ];
    if let Some(r) = &s.registration_no {
        subject.push(kv("report.subj.registration_no", r.clone()));
    }
    if let Some(d) = s.filing_date {
        subject.push(kv("report.subj.filing_date", d.to_string()));
    }
    if let Some(d) = s.grant_date {
        subject.push(kv("report.subj.grant_date", d.to_string()));
    }
    subject.push(kv("report.subj.owner", s.owner.clone()));
    subject.push(kv("report.subj.industry", s.industry.clone()));
    subject.push(kv(
        "report.subj.region",
        match lang {
            Lang::Zh => crate::subject::region_zh(s.region_en())
                .unwrap_or(&s.region)
                .to_string(),
            Lang::En => s.region_en().to_string(),
        },
    ));
    if let Some(d) = &s.description {
        subject.push(kv("report.subj.description", d.clone()));
    }

    let approaches = inp
        .valuations
        .iter()
        .map(|v| ApproachBlock {
            heading: format!("{}：{}", lang.approach(v.approach), lang.method(&v.method)),
            formulas: key_formulas(v),
            market: match (v.approach, inp.market) {
                (Approach::Market, Some(m)) => Some(market_block(m, lang, inp.charts)),
                _ => None,
            },
            value_text: lang.f("report.methods.value", &[("value", &yuan(v.value))]),
        })
        .collect();
    let not_performed = inp
        .not_performed
        .iter()
        .map(|(a, why)| {
            lang.f(
                "report.methods.not_used",
                &[("approach", &lang.approach(*a)), ("why", why)],
            )
        })
        .collect();

    let mut assumptions = items(lang, "report.assumption");
    assumptions.extend(info.assumptions.iter().cloned());

    let conclusion = lang.f(
        "report.conclusion",
        &[
            ("kind", &kind),
            ("name", &s.name),
            ("date", &date),
            ("value_type", &vt_name),
            ("value_type_lower", &vt_name.to_lowercase()),
            ("amount", &amount),
            ("capital", &capital),
        ],
    );
    let values = Table::new(
        &[
            lang.t("report.col.approach"),
            lang.t("report.col.method"),
            lang.t("report.col.value"),
            lang.t("report.col.value_wan"),
        ],
        &[false, false, true, true],
        inp.valuations
            .iter()
            .map(|v| {
                vec![
                    lang.approach(v.approach).to_string(),
                    lang.method(&v.method),
                    yuan(v.value),
                    v.value.display_wan(),
                ]
            })
            .collect(),
    );
    let reason = concl
        .reason
        .clone()
        .or(info.conclusion_reason.clone())
        .unwrap_or_else(|| match &concl.basis {
            ConclusionBasis::Selected { .. } => lang.f(
                "report.reason.selected",
                &[
                    ("chosen", &chosen),
                    ("value_type", &vt_name),
                    ("value_type_lower", &vt_name.to_lowercase()),
                ],
            ),
            ConclusionBasis::Reconciled { .. } => lang.t("report.reason.reconciled").into(),
        });

    let mut special: Vec<String> = info.special_matters.clone();
    for v in inp.valuations {
        for w in &v.warnings {
            special.push(format!("{}：{w}", lang.approach(v.approach)));
        }
    }
    special.extend(inp.warnings.iter().cloned());
    special.push(lang.t("report.special.traceable").into());
    if case.purpose == Some(Purpose::PledgeFinancing) {
        special.push(lang.t("report.special.disposal").into());
    }

    let rdate = info
        .report_date
        .map(|d| d.to_string())
        .unwrap_or_else(|| lang.t("report.sign.blank_date").into());
    let names = if info.appraisers.is_empty() {
        "________  ________".to_string()
    } else {
        info.appraisers.join("  ")
    };

    let appendix = inp
        .valuations
        .iter()
        .enumerate()
        .map(|(i, v)| AppendixBlock {
            heading: format!(
                "{} {}. {}（{}）",
                lang.t("report.appendix.table"),
                i + 1,
                lang.approach(v.approach),
                lang.method(&v.method)
            ),
            periods: (!v.periods.is_empty()).then(|| period_table(v, lang)),
            audit: audit_table(v, lang),
        })
        .collect();

    let mut result_charts = figures(inp.charts, "mc_histogram");
    result_charts.extend(figures(inp.charts, "tornado"));

    Ok(ValuationView {
        subtitle: [
            info.firm.clone().unwrap_or_default(),
            info.report_no.clone().unwrap_or_default(),
        ]
        .iter()
        .filter(|x| !x.is_empty())
        .cloned()
        .collect::<Vec<_>>()
        .join(" · "),
        title,
        summary_title: lang.t("report.sum.title").into(),
        summary,
        h: (1..=13)
            .map(|i| lang.t(&format!("report.h.{i}")).to_string())
            .collect(),
        users,
        purpose: purpose_text(lang, case, &client),
        scope: lang.f(
            "report.scope",
            &[("owner", &s.owner), ("kind", &kind), ("name", &s.name)],
        ),
        subject,
        value_type: lang.f(
            "report.value_type",
            &[("name", &vt_name), ("definition", &vt_def)],
        ),
        date_text: lang.f("report.date_text", &[("date", &date)]),
        basis: basis_list(lang, inp.valuations),
        methods_intro: lang.t("report.methods.intro").into(),
        approaches,
        not_performed,
        procedure: items(lang, "report.procedure"),
        assumptions,
        conclusion,
        values,
        reason,
        reconciliation: inp.reconciliation.map(|r| reconciliation_block(r, lang)),
        football: figures(inp.charts, "football_field"),
        distribution: inp
            .distribution
            .as_ref()
            .map(|d| distribution_block(d, inp.simulations, inp.reconciliation.is_some(), lang)),
        result_charts,
        special,
        limits: items(lang, "report.limit"),
        report_date: lang.f("report.sign.date", &[("date", &rdate)]),
        firm: lang.f(
            "report.sign.firm",
            &[(
                "firm",
                &info
                    .firm
                    .clone()
                    .unwrap_or_else(|| "________________".into()),
            )],
        ),
        appraisers: lang.f("report.sign.appraisers", &[("names", &names)]),
        appendix_title: lang.t("report.appendix.title").into(),
        appendix,
        sensitivity: inp.sensitivity.map(|s| sensitivity_block(s, lang)),
        comparables: inp.market.map(|m| comparables_block(m, lang)),
        appendix_charts_title: lang.t("report.appendix.charts").into(),
        appendix_charts: figures(inp.charts, "market_stats"),
        footer: inp.provenance.line(lang),
    })
}

/// Renders the valuation report as a complete HTML document.
pub fn render(inp: &ValuationReportInput<'_>) -> Result<String> {
    let v = view(inp)?;
    // askama drops the template file's final line break; the body ends with one.
    let body = Page { v: &v }
        .render()
        .map_err(|e| Error::Internal(format!("valuation report template: {e}")))?
        + "\n";
    super::html::document(inp.lang.html_lang(), &v.title, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_lists_have_their_items() {
        assert_eq!(items(Lang::Zh, "report.basis").len(), 3);
        assert_eq!(items(Lang::En, "report.procedure").len(), 6);
        assert_eq!(items(Lang::Zh, "report.assumption").len(), 6);
        assert_eq!(items(Lang::En, "report.limit").len(), 5);
    }
}
