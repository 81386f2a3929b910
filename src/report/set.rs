//! The report set of a case: from the stage results (评, and 保 贷 when they ran) to the
//! charts, the valuation report, the credit memo, the audit workbook and `results.json`
//! ([`build_set`]); `techval report` and `techval pipeline` both call it.

use super::assemble::{self, FinanceResults, ReportInputs};
use super::{ConcludedDistribution, Lang, ReportSet};
use crate::case::Case;
use crate::chart;
use crate::data::{DataProvenance, DealHistory};
use crate::envelope::Envelope;
use crate::error::{Error, Result};
use crate::finance::guarantee::{self, GuaranteePlan};
use crate::finance::lend::LoanOffer;
use crate::models::ModelBook;
use crate::money::group_thousands;
use crate::pipeline::LentValueSimulation;
use crate::valuation::market::{self, ComparableRow, MarketSummary};
use crate::valuation::reconcile::{ReconciledModel, Reconciliation};
use crate::valuation::uncertainty::{self, Sensitivity, SimSettings, SimulationSummary};
use crate::valuation::{Approach, Model, Valuation};
use serde::Serialize;

/// The body of `results.json` (after the [`crate::envelope::Envelope`], whose `seed` is the
/// concluded value's simulation): every stage result the reports show.
#[derive(Debug, Serialize)]
pub struct ReportDocument<'a> {
    /// The subject.
    pub subject: &'a crate::Subject,
    /// Purpose, when the case gives one.
    pub purpose: Option<crate::case::Purpose>,
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
    fn eval_checked(&self, x: &[f64]) -> (f64, bool) {
        self.0.eval_checked(x)
    }
    fn eval_block(
        &self,
        c: crate::valuation::Columns<'_>,
        values: &mut [f64],
        outside: &mut [bool],
    ) {
        self.0.eval_block(c, values, outside)
    }
}

/// What a report set is built from besides the stage results.
#[derive(Debug, Clone, Copy)]
pub struct SetSource<'a> {
    /// The case.
    pub case: &'a Case,
    /// The case file's name (or the bundled demo's path), for errors and the provenance.
    pub case_file: &'a str,
    /// The model book.
    pub models: &'a ModelBook,
    /// The deal history (when the case has a `[market]` section).
    pub deals: Option<&'a DealHistory>,
    /// Technology-market statistics for the market chart and where they came from.
    pub market_stats: (&'a [chart::TechMarketRow], &'a str),
}

/// How the report set is drawn.
#[derive(Debug, Clone, Copy)]
pub struct SetOptions {
    /// Language.
    pub lang: Lang,
    /// Conclude from this approach instead of the reconciled value (default: `[report].conclude`).
    pub conclude: Option<Approach>,
    /// Relative swing of each input in the tornado (0.1 = ±10 %).
    pub swing: f64,
    /// PNG resolution relative to the SVG size, 0.5 to 4.
    pub png_scale: f64,
}

/// Builds the report set of a case from its stage results: runs what only the reports need
/// (each approach's simulation for the ranges, the sensitivity of the concluded value, the
/// market comparables, the loss scenarios) and assembles the charts, reports, workbook and
/// `results.json`.
pub fn build_set(src: SetSource<'_>, st: StageResults<'_>, opts: SetOptions) -> Result<ReportSet> {
    let case = src.case;
    let label = src.case_file;
    let models = src.models;
    if !(0.5..=4.0).contains(&opts.png_scale) {
        return Err(Error::field(
            "--png-scale",
            opts.png_scale,
            "must be a number from 0.5 to 4 (PNG size relative to the SVG)",
        ));
    }
    let lang = opts.lang;
    let conclude = opts
        .conclude
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
    let market_outcome = match (&case.market, src.deals) {
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
    let (rows, stats_source) = src.market_stats;
    let stats_cite = format!(
        "{} ({})",
        lang.t("set.china_statistical_yearbook_on_science_and"),
        stats_source
    );
    let mut data = Vec::new();
    if let (Some(d), Some(m)) = (src.deals, &market_outcome) {
        let used = lang.f(
            if d.synthetic {
                "set.comparables_used_synthetic"
            } else {
                "set.comparables_used_real"
            },
            &[("n", &m.summary.n_used)],
        );
        data.push(
            lang.f(
                "set.deals_line",
                &[
                    (
                        "label",
                        &if d.synthetic {
                            lang.t("set.synthetic_deals_not_real_transactions")
                        } else {
                            lang.t("set.real_deals_from_public_records")
                        },
                    ),
                    ("source", &lang.core(&d.source)),
                    ("n", &d.len()),
                    ("provenance", &lang.core(&d.provenance)),
                    ("used", &used),
                    (
                        "note",
                        &d.note
                            .as_ref()
                            .map(|n| lang.f("set.deals_note", &[("note", &lang.core(n))]))
                            .unwrap_or_default(),
                    ),
                ],
            ),
        );
    }
    data.push(stats_cite.clone());
    let prov = assemble::provenance(
        label,
        &models.origin,
        distribution.as_ref().map(|d| d.1),
        data,
    );
    let doc = ReportDocument {
        subject: &case.subject,
        purpose: case.purpose,
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
    let results_json = Envelope::new("report", &models.origin)
        .case(label)
        .seed(distribution.as_ref().map(|d| d.1.seed))
        .data(match (src.deals, &market_outcome) {
            (Some(d), Some(_)) => Some(DataProvenance::of(d)),
            _ => None,
        })
        .wrap(doc)
        .to_json()?;
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
        market_stats: Some((rows, &stats_cite)),
        conclude,
        provenance: &prov,
        results_json,
        png_scale: opts.png_scale,
    };
    assemble::build(&inputs).map_err(|e| e.in_file(label))
}
