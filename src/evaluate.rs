//! 评 on a whole case: which approaches the case has, running them, reconciling them, and the
//! one Monte Carlo path shared by `techval value --simulate`, `techval sensitivity`,
//! `techval report` and `techval pipeline`.
//!
//! This layer sits above the computing core: it reads a [`Case`] and hands each approach its own
//! section (`[income]`, `[cost]`, `[market]`), so that `valuation/` never sees the case file.
//! No I/O here either: the caller loads the case, the model book and the deal history.
//!
//! ```text
//! Case ─ run_approaches ─▶ [Valuation] ─ reconcile ─▶ Option<Reconciliation>
//!      ─ compile ─▶ Compiled (one f64 Model per approach, correlations split over them)
//!        ─ simulate_each ─▶ [SimulationSummary]      (each approach's distribution)
//!        ─ simulate_value ─▶ ValueSimulation          (the reconciled value, or the one approach)
//! ```

use crate::case::Case;
use crate::data::DealHistory;
use crate::error::{Error, Result};
use crate::models::ModelBook;
use crate::valuation::reconcile::{self, ReconciledPart, ReconciledSimulation, Reconciliation};
use crate::valuation::uncertainty::{
    self, Correlation, SimSettings, SimulationSummary, ValueDistribution,
};
use crate::valuation::{cost, income, market, Approach, Model, Valuation};

/// The approaches a case has assumptions for, in the order income, cost, market
/// ([`Case::approaches`]).
pub fn available(case: &Case) -> Vec<Approach> {
    case.approaches()
}

/// Runs the requested approaches on a validated case, in the order given. An approach the case
/// has no assumptions for is an error naming the missing section.
///
/// The market approach values against `deals` (the validated deal history, loaded outside the
/// core); without it, `Approach::Market` is an error saying so.
pub fn run_approaches(
    case: &Case,
    models: &ModelBook,
    which: &[Approach],
    deals: Option<&DealHistory>,
) -> Result<Vec<Valuation>> {
    let missing = |section: &str, flag: &str| {
        Error::field(
            section,
            "",
            format!("the case has no [{section}] section for --approach {flag}"),
        )
    };
    let mut out = Vec::new();
    for a in which {
        match a {
            Approach::Income => {
                let inc = case
                    .income
                    .as_ref()
                    .ok_or_else(|| missing("income", "income"))?;
                out.push(income::value(inc, &case.subject, models)?);
            }
            Approach::Cost => {
                let c = case.cost.as_ref().ok_or_else(|| missing("cost", "cost"))?;
                out.push(cost::value(c, &case.subject, models)?);
            }
            Approach::Market => {
                let m = case
                    .market
                    .as_ref()
                    .ok_or_else(|| missing("market", "market"))?;
                let d = deals.ok_or_else(|| {
                    Error::Unsupported("the market approach needs a deal history (--deals)".into())
                })?;
                out.push(market::value(m, &case.subject, models, d)?);
            }
        }
    }
    Ok(out)
}

/// The reconciliation of the valuations, when more than one approach ran (weights by the case's
/// purpose or its `[reconcile]` section).
pub fn reconcile_all(
    case: &Case,
    models: &ModelBook,
    vals: &[Valuation],
) -> Result<Option<Reconciliation>> {
    if vals.len() < 2 {
        return Ok(None);
    }
    reconcile::reconcile(
        vals,
        case.purpose,
        case.reconcile.as_ref(),
        &models.reconcile,
    )
    .map(Some)
}

/// The compiled `f64` model of an approach, when that approach has one (income and cost; the
/// market approach is a query over deals, not a model of inputs).
pub fn compile_model(
    case: &Case,
    models: &ModelBook,
    approach: Approach,
) -> Result<Option<Box<dyn Model>>> {
    Ok(match approach {
        Approach::Cost => match &case.cost {
            Some(c) => Some(Box::new(cost::CostPlan::compile(c, &case.subject, models)?)),
            None => None,
        },
        Approach::Income => match &case.income {
            Some(inc) => Some(Box::new(income::IncomePlan::compile(
                inc,
                &case.subject,
                models,
            )?)),
            None => None,
        },
        Approach::Market => None,
    })
}

/// The compiled models of the approaches asked for, with the case's correlations split over
/// them; approaches without a compiled model are listed in the notes.
pub struct Compiled {
    /// (approach, model) for the approaches that have one.
    pub models: Vec<(Approach, Box<dyn Model>)>,
    /// The case's `[[simulation.correlation]]` entries, one list per model.
    pub correlations: Vec<Vec<Correlation>>,
    /// Approaches left out, and why.
    pub notes: Vec<String>,
}

/// Compiles the model of each approach in `which` and splits the case's correlations over them
/// (errors name the correlation entry).
pub fn compile(case: &Case, book: &ModelBook, which: &[Approach]) -> Result<Compiled> {
    let mut models = Vec::new();
    let mut notes = Vec::new();
    for a in which {
        match compile_model(case, book, *a)? {
            Some(m) => models.push((*a, m)),
            None => notes.push(format!(
                "{} ({}): no compiled model for Monte Carlo / sensitivity yet; left out",
                a.as_str(),
                a.name_zh()
            )),
        }
    }
    let refs: Vec<(Approach, &dyn Model)> = models.iter().map(|(a, m)| (*a, m.as_ref())).collect();
    let corr = case
        .simulation
        .as_ref()
        .map(|s| s.correlation.as_slice())
        .unwrap_or(&[]);
    let correlations = uncertainty::assign_correlations(corr, &refs)?;
    Ok(Compiled {
        models,
        correlations,
        notes,
    })
}

impl Compiled {
    /// (approach, model) references.
    pub fn refs(&self) -> Vec<(Approach, &dyn Model)> {
        self.models.iter().map(|(a, m)| (*a, m.as_ref())).collect()
    }

    /// The compiled model of one approach.
    pub fn model(&self, a: Approach) -> Option<&dyn Model> {
        self.models
            .iter()
            .find(|(x, _)| *x == a)
            .map(|(_, m)| m.as_ref())
    }

    /// One simulation per compiled model, each with its share of the correlations.
    pub fn simulate_each(&self, settings: &SimSettings) -> Result<Vec<SimulationSummary>> {
        let mut out = Vec::new();
        for ((a, m), c) in self.models.iter().zip(&self.correlations) {
            out.push(uncertainty::summarize(*a, m.as_ref(), c, settings)?);
        }
        Ok(out)
    }

    /// The distribution of the reconciled value (the weighted approaches,
    /// [`reconcile::ReconciledModel`]) with these settings.
    pub fn simulate_reconciled(
        &self,
        rec: &Reconciliation,
        settings: &SimSettings,
    ) -> Result<ReconciledSimulation> {
        reconcile::simulate_reconciled(rec, &self.refs(), &self.correlations, settings)
    }

    /// The distribution of the value a decision rests on: the reconciled value when `rec` is
    /// given (the weighted approaches, [`reconcile::ReconciledModel`]), else the first compiled
    /// approach's value. `why` says why it is simulated (shown in errors and results).
    pub fn simulate_value(
        &self,
        rec: Option<&Reconciliation>,
        settings: &SimSettings,
        why: &str,
    ) -> Result<ValueSimulation> {
        match rec {
            Some(r) => {
                let rs = self.simulate_reconciled(r, settings)?;
                Ok(ValueSimulation {
                    of: "reconciled value".into(),
                    composition: rs.composition,
                    dist: rs.dist,
                })
            }
            None => {
                let (a, m) = self.models.first().ok_or_else(|| {
                    Error::Unsupported(format!(
                        "{why}, but no approach has a compiled model to simulate"
                    ))
                })?;
                let c = self.correlations.first().map(Vec::as_slice).unwrap_or(&[]);
                Ok(ValueSimulation {
                    of: format!("{} value", a.as_str()),
                    composition: Vec::new(),
                    dist: uncertainty::distribution(m.as_ref(), c, settings)?,
                })
            }
        }
    }
}

/// The simulated distribution of a concluded value.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueSimulation {
    /// What was simulated: `reconciled value` or `<approach> value`.
    pub of: String,
    /// The weights of the reconciled value and which approaches were sampled (empty for one
    /// approach).
    pub composition: Vec<ReconciledPart>,
    /// The distribution: seed, samples, chunk size, every statistic, the pledge value.
    pub dist: ValueDistribution,
}
