//! The report set of one case from the stages' results: which charts, which report, which
//! workbook sheets.
//!
//! [`build`] takes what the stages produced — the valuations, their reconciliation, the Monte
//! Carlo distributions, the sensitivity of the concluded value, the market approach's
//! comparables, the guarantee plan and the loan offer — and maps each into the charts and the
//! reports that show it. Like the rest of `report/` it computes nothing: every number is one a
//! stage produced (its JSON is written beside the reports as `results.json`).

use super::credit::{self, CreditMemo};
use super::valuation as vr;
use super::{ConcludedDistribution, Conclusion, Lang, Provenance, ReportSet};
use crate::case::Case;
use crate::chart::{self, Chart};
use crate::error::Result;
use crate::finance::guarantee::{GuaranteePlan, Waterfall};
use crate::finance::lend::LoanOffer;
use crate::valuation::market::MarketOutcome;
use crate::valuation::reconcile::Reconciliation;
use crate::valuation::uncertainty::{Sensitivity, SimulationSummary, ValueDistribution};
use crate::valuation::{Approach, Valuation};

/// The finance stages a credit memo shows.
#[derive(Debug, Clone)]
pub struct FinanceResults<'a> {
    /// 保: the guarantee plan.
    pub plan: &'a GuaranteePlan,
    /// 贷: the loan offer.
    pub offer: &'a LoanOffer,
    /// Loss waterfalls to tabulate and chart (label, waterfall).
    pub scenarios: Vec<(String, Waterfall)>,
}

/// Everything the report set of one case shows.
#[derive(Debug, Clone)]
pub struct ReportInputs<'a> {
    /// Language of the reports and charts.
    pub lang: Lang,
    /// The case.
    pub case: &'a Case,
    /// The approaches performed.
    pub valuations: &'a [Valuation],
    /// Their reconciliation, when more than one ran.
    pub reconciliation: Option<&'a Reconciliation>,
    /// Monte Carlo of each approach (the ranges of the football field).
    pub simulations: &'a [SimulationSummary],
    /// Monte Carlo of the concluded value (the histogram).
    pub distribution: Option<ConcludedDistribution<'a>>,
    /// Sensitivity of the concluded value (the tornado).
    pub sensitivity: Option<&'a Sensitivity>,
    /// The market approach's comparables.
    pub market: Option<&'a MarketOutcome>,
    /// Guarantee and loan, for the credit memo.
    pub finance: Option<FinanceResults<'a>>,
    /// Technology-market statistics and their citation, for the market chart.
    pub market_stats: Option<(&'a [chart::TechMarketRow], &'a str)>,
    /// The approach to conclude from instead of the reconciled value.
    pub conclude: Option<Approach>,
    /// Footer provenance (seed, samples, data).
    pub provenance: &'a Provenance,
    /// `results.json`: the stages' results as JSON (every number the reports show).
    pub results_json: String,
    /// PNG resolution relative to the SVG size.
    pub png_scale: f64,
}

fn pct_of(v: f64) -> String {
    chart::draw::fmt_num(v * 100.0, 2) + "%"
}

/// Text for a tornado end: a fraction as a percentage, an amount in 万 (Chinese) or millions /
/// thousands (English), else the number.
fn input_note(path: &str, v: f64, lang: Lang) -> String {
    let is_rate = path.contains("discount.")
        || path.contains("split.")
        || path.ends_with("growth")
        || path.ends_with("rate")
        || path.ends_with("obsolescence");
    let is_score = path.contains(".scores.") || path.ends_with("stream_scale");
    if is_rate && !is_score {
        pct_of(v)
    } else if v.abs() >= 1000.0 {
        match lang {
            Lang::Zh => chart::draw::fmt_num(v / 10_000.0, 1) + "万",
            Lang::En if v.abs() >= 1e6 => chart::draw::fmt_num(v / 1e6, 2) + "m",
            Lang::En => chart::draw::fmt_num(v / 1e3, 1) + "k",
        }
    } else {
        chart::draw::fmt_num(v, 3)
    }
}

/// The tornado bars shown (the widest `n`).
pub const TORNADO_BARS: usize = 10;

/// The charts of the report set, in the order they appear.
pub fn charts(
    inp: &ReportInputs<'_>,
    conclusion: &Conclusion,
    memo: Option<&CreditMemo>,
) -> Vec<Chart> {
    let lang = inp.lang;
    let mut out = Vec::new();
    // Football field: each approach's P5–P95 where simulated, else its point value.
    let mut bars: Vec<chart::RangeBar> = inp
        .valuations
        .iter()
        .map(|v| {
            let x = v.value.to_f64();
            let sim = inp.simulations.iter().find(|s| s.approach == v.approach);
            let (lo, hi) = match sim {
                Some(s) => (
                    s.dist.stats.percentile("P5").unwrap_or(x),
                    s.dist.stats.percentile("P95").unwrap_or(x),
                ),
                None => (x, x),
            };
            chart::RangeBar {
                label: lang.approach(v.approach).to_string(),
                low: lo,
                high: hi,
                point: Some(x),
            }
        })
        .collect();
    if let Some(d) = &inp.distribution {
        if inp.reconciliation.is_some() {
            bars.push(chart::RangeBar {
                label: lang.t("set.chart.concluded_weighted").to_string(),
                low: d.dist.stats.percentile("P5").unwrap_or(f64::NAN),
                high: d.dist.stats.percentile("P95").unwrap_or(f64::NAN),
                point: Some(conclusion.value.to_f64()),
            });
        }
    }
    if !bars.is_empty() {
        out.push(Chart::FootballField(chart::FootballField {
            title: lang.t("set.chart.football_title").to_string(),
            x_label: lang.t("set.chart.value_wan").to_string(),
            bars,
            concluded: Some(chart::Marker {
                label: lang.t("set.chart.concluded").to_string(),
                value: conclusion.value.to_f64(),
            }),
            legend: (
                lang.t("set.chart.point").to_string(),
                lang.t("set.chart.mc_range").to_string(),
            ),
        }));
    }
    if let Some(d) = &inp.distribution {
        let s = &d.dist.stats;
        let pledge_label = lang.f("set.chart.pledge", &[("label", &s.pledge.label)]);
        out.push(Chart::McHistogram(chart::McHistogram {
            title: lang.f(
                "set.chart.mc_title",
                &[("samples", &d.dist.samples), ("of", &d.of)],
            ),
            x_label: lang.t("set.chart.appraised_wan").to_string(),
            y_label: lang.t("set.chart.share_paths").to_string(),
            bins: s.histogram.clone(),
            p5: s.percentile("P5").unwrap_or(f64::NAN),
            p50: s.percentile("P50").unwrap_or(f64::NAN),
            p95: s.percentile("P95").unwrap_or(f64::NAN),
            pledge: Some(chart::Marker {
                label: pledge_label,
                value: s.pledge.value,
            }),
        }));
    }
    if let Some(sens) = inp.sensitivity {
        let bars: Vec<chart::TornadoBar> = sens
            .tornado
            .iter()
            .take(TORNADO_BARS)
            .map(|b| chart::TornadoBar {
                label: lang.input(&b.input),
                value_low: b.value_at_low_input,
                value_high: b.value_at_high_input,
                low_note: Some(input_note(&b.input, b.low_input, lang)),
                high_note: Some(input_note(&b.input, b.high_input, lang)),
            })
            .collect();
        if !bars.is_empty() {
            let sw = chart::draw::fmt_num(sens.swing * 100.0, 0);
            out.push(Chart::Tornado(chart::Tornado {
                title: lang.f("set.chart.tornado_title", &[("swing", &sw)]),
                x_label: lang.t("set.chart.appraised_wan").to_string(),
                base: sens.base_value,
                legend: (
                    lang.t("set.chart.input_lowered").to_string(),
                    lang.t("set.chart.input_raised").to_string(),
                ),
                bars,
            }));
        }
    }
    if let Some(m) = inp.market {
        let points: Vec<chart::ComparablePoint> = m
            .comparables
            .iter()
            .filter(|c| c.kept)
            .filter_map(|c| {
                let date = chrono::NaiveDate::parse_from_str(&c.date, "%Y-%m-%d").ok()?;
                let region = match lang {
                    Lang::Zh => crate::subject::region_zh(&c.region)
                        .unwrap_or(&c.region)
                        .to_string(),
                    Lang::En => c.region.clone(),
                };
                Some(chart::ComparablePoint {
                    date,
                    adjusted_price: c.adjusted_yuan,
                    region,
                })
            })
            .collect();
        if !points.is_empty() {
            out.push(Chart::Comparables(chart::Comparables {
                title: lang.t("set.chart.comparables_title").to_string(),
                x_label: lang.t("set.chart.deal_date").to_string(),
                y_label: lang.t("set.chart.adjusted_wan").to_string(),
                points,
                subject: Some(chart::Marker {
                    label: lang.t("set.chart.market_median").to_string(),
                    value: m.valuation.value.to_f64(),
                }),
            }));
        }
    }
    if let Some(m) = memo {
        out.extend(credit::memo_charts(m, lang));
    }
    if let Some((rows, source)) = inp.market_stats {
        let series = chart::market_series(
            rows,
            chart::Flow::Outflow,
            5,
            Some(inp.case.subject.region_en()),
            lang == Lang::Zh,
        );
        if !series.is_empty() {
            out.push(Chart::MarketStats(chart::MarketStats {
                title: lang.t("set.chart.market_stats_title").to_string(),
                x_label: lang.t("set.chart.year").to_string(),
                y_label: lang.t("set.chart.value_yi").to_string(),
                series,
                source: Some(format!("{}{source}", lang.t("set.source"))),
            }));
        }
    }
    if let Some(s) = &inp.case.scored {
        out.push(super::scoring::radar(
            &s.card,
            &inp.case.subject.name,
            None,
            lang,
        ));
    }
    out
}

/// The approaches not performed (the case gives no assumptions for them), with the reason in the language.
pub fn not_performed(vals: &[Valuation], lang: Lang) -> Vec<(Approach, String)> {
    [Approach::Income, Approach::Market, Approach::Cost]
        .into_iter()
        .filter(|a| !vals.iter().any(|v| v.approach == *a))
        .map(|a| {
            let why = match a {
                Approach::Market => lang.t("set.not_performed.market").to_string(),
                _ => lang.f("set.not_performed.other", &[("section", &a.as_str())]),
            };
            (a, why)
        })
        .collect()
}

/// Builds the report set: charts (SVG + PNG), the valuation report, the credit memo when the
/// finance stages ran, the workbook and the results JSON.
pub fn build(inp: &ReportInputs<'_>) -> Result<ReportSet> {
    let lang = inp.lang;
    let conclusion = Conclusion::of(inp.valuations, inp.reconciliation, inp.conclude, lang)?;
    let memo = inp
        .finance
        .as_ref()
        .map(|f| CreditMemo::from_stages(inp.case, f.plan, f.offer, &f.scenarios, lang));
    let charts = charts(inp, &conclusion, memo.as_ref());
    let rendered = super::render_charts(&charts, inp.png_scale)?;
    let mut warnings = Vec::new();
    let s = &inp.case.subject;
    let subject_text = format!(
        "{} {} {}",
        s.name,
        s.owner,
        s.description.clone().unwrap_or_default()
    );
    if let Some(w) = super::glyph_warning(lang.t("set.subject_details"), &subject_text, lang)? {
        warnings.push(w);
    }
    let not_performed = not_performed(inp.valuations, lang);
    let html = vr::render(&vr::ValuationReportInput {
        lang,
        case: inp.case,
        valuations: inp.valuations,
        not_performed: &not_performed,
        conclusion: &conclusion,
        reconciliation: inp.reconciliation,
        simulations: inp.simulations,
        distribution: inp.distribution,
        sensitivity: inp.sensitivity,
        market: inp.market,
        charts: &rendered,
        provenance: inp.provenance,
        warnings: &warnings,
    })?;
    let credit_html = match &memo {
        Some(m) => Some(credit::render(m, lang, &rendered, inp.provenance)?),
        None => None,
    };
    let xlsx = super::xlsx::workbook(&super::xlsx::WorkbookInput {
        case: inp.case,
        valuations: inp.valuations,
        conclusion: &conclusion,
        reconciliation: inp.reconciliation,
        distribution: inp.distribution,
        market: inp.market,
        offer: inp.finance.as_ref().map(|f| f.offer),
        provenance: inp.provenance,
        lang,
    })?;
    Ok(ReportSet {
        html,
        credit_html,
        xlsx,
        results_json: inp.results_json.clone(),
        charts: rendered,
        warnings,
    })
}

/// The report's provenance line: version, case, models, seed and draws of the concluded value's
/// simulation, data files.
pub fn provenance(
    case_file: &str,
    models: &str,
    distribution: Option<&ValueDistribution>,
    data: Vec<String>,
) -> Provenance {
    Provenance {
        techval_version: env!("CARGO_PKG_VERSION").into(),
        case_file: case_file.into(),
        models: models.into(),
        seed: distribution.map(|d| d.seed),
        draws: distribution.map(|d| d.samples),
        data,
    }
}
