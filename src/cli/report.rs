//! `techval report`: run the stages on a case and write the report set into a folder:
//! `report.html` (the valuation report, self-contained), `credit_memo.html` (when the case has
//! `[finance]`), `workbook.xlsx` (live formulas), `results.json` (every number the reports show,
//! with its audit trail) and `charts/<name>.svg` + `.png`. Every file is written atomically.
//!
//! `techval pipeline` writes the same set beside `pipeline.json` (see [`build_set`]).

use super::finance::Loaded;
use crate::chart;
use crate::finance::guarantee::{self, GuaranteePlan};
use crate::finance::lend::LoanOffer;
use crate::models::ModelBook;
use crate::money::group_thousands;
use crate::pipeline::{self, LentValueSimulation};
use crate::report::assemble::{self, FinanceResults, ReportInputs};
use crate::report::ConcludedDistribution;
use crate::report::{Lang, ReportSet};
use crate::valuation::market::{self, ComparableRow, MarketSummary};
use crate::valuation::reconcile::{ReconciledModel, Reconciliation};
use crate::valuation::uncertainty::{self, Sensitivity, SimSettings, SimulationSummary};
use crate::valuation::{Approach, Model, Valuation};
use clap::{Args, ValueEnum};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Report language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LangArg {
    /// 中文.
    Zh,
    /// English.
    En,
}

impl From<LangArg> for Lang {
    fn from(l: LangArg) -> Lang {
        match l {
            LangArg::Zh => Lang::Zh,
            LangArg::En => Lang::En,
        }
    }
}

/// Approach to conclude from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ConcludeArg {
    /// 收益法.
    Income,
    /// 成本法.
    Cost,
    /// 市场法.
    Market,
}

impl From<ConcludeArg> for Approach {
    fn from(c: ConcludeArg) -> Approach {
        match c {
            ConcludeArg::Income => Approach::Income,
            ConcludeArg::Cost => Approach::Cost,
            ConcludeArg::Market => Approach::Market,
        }
    }
}

/// Report options shared by `techval report` and `techval pipeline`.
#[derive(Debug, Args, Clone)]
pub struct ReportOptions {
    /// Report language.
    #[arg(long, value_enum, default_value_t = LangArg::Zh)]
    pub lang: LangArg,
    /// Technology-market statistics CSV for the market chart (default: the shipped
    /// datasets/tech_market_by_province.csv, compiled in).
    #[arg(long, value_name = "FILE")]
    pub market_stats: Option<PathBuf>,
    /// Conclude from this approach's value instead of the reconciled value (default:
    /// [report].conclude, else the reconciled value when several approaches ran).
    #[arg(long, value_enum)]
    pub conclude: Option<ConcludeArg>,
    /// Relative swing of each input in the tornado (0.1 = ±10 %).
    #[arg(long, default_value_t = 0.1, value_name = "X")]
    pub swing: f64,
    /// PNG resolution relative to the SVG size (0.5 to 4).
    #[arg(long, default_value_t = 1.5, value_name = "X")]
    pub png_scale: f64,
}

/// Arguments of `techval report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Case, rulebook (for the credit memo, written when the case has a [finance] section)
    /// and deal history.
    #[command(flatten)]
    pub source: super::finance::CaseSource,
    /// Output folder (default: reports/<case id>/).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Report options.
    #[command(flatten)]
    pub opts: ReportOptions,
}

/// The JSON written as `results.json`: every stage result the reports show.
#[derive(Debug, Serialize)]
pub struct ReportDocument<'a> {
    /// techval version.
    pub techval_version: &'static str,
    /// The case file (or the bundled demo's path).
    pub case_file: &'a str,
    /// Where the model book came from.
    pub models: &'a str,
    /// The subject.
    pub subject: &'a crate::Subject,
    /// Purpose, when the case gives one.
    pub purpose: Option<crate::case::Purpose>,
    /// Master seed of the concluded value's simulation (null when none ran).
    pub seed: Option<u64>,
    /// Where the market approach's deal data came from (synthetic or not).
    #[serde(rename = "data_provenance", skip_serializing_if = "Option::is_none")]
    pub deals: Option<super::deals::DataProvenance>,
    /// One result per approach.
    pub valuations: &'a [Valuation],
    /// The reconciliation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reconciliation: Option<&'a Reconciliation>,
    /// Monte Carlo of the concluded value (what was simulated, the distribution).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub simulation: Option<ConcludedJson<'a>>,
    /// Monte Carlo of each approach.
    #[serde(skip_serializing_if = "<[SimulationSummary]>::is_empty")]
    pub simulations: &'a [SimulationSummary],
    /// Sensitivity of the concluded value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sensitivity: Option<&'a Sensitivity>,
    /// The market approach's statistics and comparables.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub market: Option<MarketJson<'a>>,
    /// 保: the guarantee plan (when the finance stages ran).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guarantee: Option<&'a GuaranteePlan>,
    /// 贷: the loan offer (when the finance stages ran).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loan: Option<&'a LoanOffer>,
}

/// The concluded distribution in `results.json`.
#[derive(Debug, Serialize)]
pub struct ConcludedJson<'a> {
    /// What was simulated.
    pub of: &'a str,
    /// The distribution.
    #[serde(flatten)]
    pub dist: &'a uncertainty::ValueDistribution,
}

/// The market approach in `results.json`.
#[derive(Debug, Serialize)]
pub struct MarketJson<'a> {
    /// Statistics.
    pub summary: &'a MarketSummary,
    /// The comparables, most similar first.
    pub comparables: &'a [ComparableRow],
}

/// The stage results the report set is built from (what `pipeline::run` produced, or the
/// evaluation alone).
#[derive(Debug, Clone, Copy)]
pub struct StageResults<'a> {
    /// 评: the valuations.
    pub valuations: &'a [Valuation],
    /// 评: their reconciliation.
    pub reconciliation: Option<&'a Reconciliation>,
    /// 评: the Monte Carlo run of the value lent on.
    pub simulation: Option<&'a LentValueSimulation>,
    /// 保 and 贷, when they ran.
    pub finance: Option<(&'a GuaranteePlan, &'a LoanOffer)>,
}

fn concluded_model<'m>(
    rec: Option<&Reconciliation>,
    compiled: &'m [(Approach, Box<dyn Model>)],
    conclude: Option<Approach>,
) -> crate::Result<Option<Box<dyn Model + 'm>>> {
    let refs: Vec<(Approach, &'m dyn Model)> =
        compiled.iter().map(|(a, m)| (*a, m.as_ref())).collect();
    match (conclude, rec) {
        (None, Some(r)) => Ok(Some(Box::new(ReconciledModel::new(r, &refs)?))),
        (want, _) => {
            let pick = refs
                .iter()
                .find(|(a, _)| want.is_none_or(|w| w == *a))
                .map(|(_, m)| *m);
            Ok(pick.map(|m| Box::new(Borrowed(m)) as Box<dyn Model>))
        }
    }
}

/// A borrowed model as a boxed one.
struct Borrowed<'m>(&'m dyn Model);

impl Model for Borrowed<'_> {
    fn inputs(&self) -> &[crate::valuation::PlanInput] {
        self.0.inputs()
    }
    fn eval(&self, x: &[f64]) -> f64 {
        self.0.eval(x)
    }
    fn domain_error(&self, x: &[f64]) -> Option<String> {
        self.0.domain_error(x)
    }
}

/// Builds the report set of a loaded case from its stage results: runs what only the reports
/// need (each approach's simulation for the ranges, the sensitivity of the concluded value, the
/// market comparables, the loss scenarios) and assembles the charts, reports and workbook.
pub fn build_set(
    ld: &Loaded,
    models: &ModelBook,
    st: StageResults<'_>,
    opts: &ReportOptions,
) -> anyhow::Result<ReportSet> {
    let case = &ld.case;
    let label = ld.case_file.as_str();
    if !(0.5..=4.0).contains(&opts.png_scale) {
        return Err(crate::Error::field(
            "--png-scale",
            opts.png_scale,
            "must be a number from 0.5 to 4 (PNG size relative to the SVG)",
        )
        .into());
    }
    let lang: Lang = opts.lang.into();
    let conclude = opts
        .conclude
        .map(Approach::from)
        .or(case.report.as_ref().and_then(|r| r.conclude));
    let ev = st;
    let ran: Vec<Approach> = ev.valuations.iter().map(|v| v.approach).collect();
    let compiled = crate::evaluate::compile(case, models, &ran).map_err(|e| e.in_file(label))?;
    // Each approach's distribution (ranges of the football field), with the case's settings.
    let simulations: Vec<SimulationSummary> = match &case.simulation {
        Some(spec) => {
            let settings = SimSettings::resolve(Some(spec), None, None, None)?;
            compiled
                .simulate_each(&settings)
                .map_err(|e| e.in_file(label))?
        }
        None => Vec::new(),
    };
    let distribution = match conclude {
        Some(a) => simulations
            .iter()
            .find(|s| s.approach == a)
            .map(|s| (format!("{} value", a.as_str()), &s.dist)),
        None => ev.simulation.map(|s| (s.of.clone(), &s.dist)),
    };
    let sensitivity = match concluded_model(ev.reconciliation, &compiled.models, conclude)
        .map_err(|e| e.in_file(label))?
    {
        Some(m) => Some(uncertainty::sensitivity(m.as_ref(), opts.swing)?),
        None => None,
    };
    let market_outcome = match (&case.market, &ld.deals) {
        (Some(m), Some(d)) if ran.contains(&Approach::Market) => {
            Some(market::evaluate(m, &case.subject, models, d).map_err(|e| e.in_file(label))?)
        }
        _ => None,
    };
    let finance = match st.finance {
        Some((plan, offer)) => {
            let mut scenarios = Vec::new();
            let w = &offer.guarantee.waterfall;
            if !w.loss.is_zero() {
                scenarios.push((
                    match lang {
                        Lang::Zh => format!("违约损失 {} 元", group_thousands(w.loss.amount(), 2)),
                        Lang::En => {
                            format!("Loss at default {}", group_thousands(w.loss.amount(), 2))
                        }
                    },
                    w.clone(),
                ));
            }
            if !offer.amount.is_zero() && offer.amount != w.loss {
                scenarios.push((
                    match lang {
                        Lang::Zh => {
                            format!("本金全损 {} 元", group_thousands(offer.amount.amount(), 2))
                        }
                        Lang::En => {
                            format!("Total loss {}", group_thousands(offer.amount.amount(), 2))
                        }
                    },
                    guarantee::waterfall(&plan.terms, offer.amount)?,
                ));
            }
            Some(FinanceResults {
                plan,
                offer,
                scenarios,
            })
        }
        None => None,
    };
    let (rows, stats_source) = match &opts.market_stats {
        Some(p) => (chart::read_tech_market_csv(p)?, p.display().to_string()),
        None => (
            chart::parse_tech_market_csv(
                crate::data::stats::TECH_MARKET_CSV.0,
                crate::data::stats::TECH_MARKET_CSV.1,
            )?,
            crate::data::stats::TECH_MARKET_CSV.0.to_string(),
        ),
    };
    let stats_cite = format!(
        "{} ({})",
        lang.t("set.china_statistical_yearbook_on_science_and"),
        stats_source
    );
    let mut data = Vec::new();
    if let (Some(d), Some(_)) = (&ld.deals, &market_outcome) {
        data.push(format!(
            "{}{} ({} deals, {})",
            if d.synthetic {
                lang.t("set.synthetic_deals_not_real_transactions")
            } else {
                ""
            },
            d.source,
            d.len(),
            d.provenance
        ));
    }
    data.push(stats_cite.clone());
    let prov = assemble::provenance(
        label,
        &models.origin,
        distribution.as_ref().map(|d| d.1),
        data,
    );
    let doc = ReportDocument {
        techval_version: env!("CARGO_PKG_VERSION"),
        case_file: label,
        models: &models.origin,
        subject: &case.subject,
        purpose: case.purpose,
        seed: distribution.as_ref().map(|d| d.1.seed),
        deals: match (&ld.deals, &market_outcome) {
            (Some(d), Some(_)) => Some(super::deals::DataProvenance::of(d)),
            _ => None,
        },
        valuations: ev.valuations,
        reconciliation: ev.reconciliation,
        simulation: distribution
            .as_ref()
            .map(|(of, d)| ConcludedJson { of, dist: d }),
        simulations: &simulations,
        sensitivity: sensitivity.as_ref(),
        market: market_outcome.as_ref().map(|m| MarketJson {
            summary: &m.summary,
            comparables: &m.comparables,
        }),
        guarantee: st.finance.map(|f| f.0),
        loan: st.finance.map(|f| f.1),
    };
    let mut results_json = serde_json::to_string_pretty(&doc)?;
    results_json.push('\n');
    let inputs = ReportInputs {
        lang,
        case,
        valuations: ev.valuations,
        reconciliation: if conclude.is_none() {
            ev.reconciliation
        } else {
            None
        },
        simulations: &simulations,
        distribution: distribution
            .as_ref()
            .map(|(of, d)| ConcludedDistribution { of, dist: d }),
        sensitivity: sensitivity.as_ref(),
        market: market_outcome.as_ref(),
        finance,
        market_stats: Some((&rows, &stats_cite)),
        conclude,
        provenance: &prov,
        results_json,
        png_scale: opts.png_scale,
    };
    Ok(assemble::build(&inputs).map_err(|e| e.in_file(label))?)
}

/// Writes the set into `dir` and prints what was written.
pub fn write_set(set: &ReportSet, dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let written = set.write(dir)?;
    for w in &set.warnings {
        eprintln!("warning: {w}");
    }
    Ok(written)
}

/// Runs `techval report`.
pub fn run(a: ReportArgs, models: &ModelBook, models_dir: Option<&Path>) -> anyhow::Result<()> {
    let t0 = Instant::now();
    let ld = a.source.load(models, models_dir)?;
    let ctx = ld.ctx(models);
    let ev = pipeline::evaluate(&ld.case, &ctx).map_err(|e| ld.in_case(e))?;
    let finance = if ld.case.finance.is_some() {
        let g = pipeline::guarantee_stage(&ld.case, &ev, &ctx).map_err(|e| ld.in_case(e))?;
        let l = pipeline::lend_stage(&ld.case, &g, &ctx).map_err(|e| ld.in_case(e))?;
        Some((g, l))
    } else {
        None
    };
    let set = build_set(
        &ld,
        models,
        StageResults {
            valuations: &ev.valuations,
            reconciliation: ev.reconciliation.as_ref(),
            simulation: ev.simulation.as_ref(),
            finance: finance.as_ref().map(|(g, l)| (g, l)),
        },
        &a.opts,
    )?;
    let dir = a
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("reports").join(&ld.case.subject.id));
    let written = write_set(&set, &dir)?;
    println!(
        "wrote {} files to {} in {} ms",
        written.len(),
        dir.display(),
        t0.elapsed().as_millis()
    );
    for p in &written {
        println!("  {}", p.display());
    }
    Ok(())
}
