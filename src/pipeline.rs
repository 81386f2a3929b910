//! 评 → 保 → 贷 → 投 → 易: the pipeline is the composition of the stages, nothing more.
//!
//! ```text
//! evaluate ─▶ Evaluation { valuations, reconciliation, simulation of the value lent on }
//!   ─ finance::lending_value ─▶ LendingValue ─ guarantee::plan ─▶ GuaranteePlan
//!   ─ lend::offer ─▶ LoanOffer ─ invest::view ─▶ InvestmentView ─ trade::terms ─▶ TradeTerms
//! ```
//!
//! 评 runs every approach the case has; when more than one ran they are reconciled
//! (`valuation::reconcile`). When the value must be lent on its downside
//! ([`fin::downside_reason`]: the rulebook's `pledge.basis = "downside"` or a case with
//! `[simulation]`), 评 also simulates the value lent on — the reconciled value's distribution
//! ([`crate::valuation::reconcile::ReconciledModel`]) or the single approach's — with the case's
//! seed, sample count and chunk size, and takes its quantile ([`fin::pledge_quantile`]).
//!
//! Each stage function below takes the previous stage's typed result, so the standalone
//! commands (`techval guarantee|lend|invest|trade`) run exactly the same code as the pipeline.
//! No I/O here: the caller loads the case, model book, rulebook and tables.

use crate::case::Case;
use crate::error::{Error, Result};
use crate::evaluate;
use crate::finance::guarantee::{self, GuaranteePlan};
use crate::finance::inputs::FinanceInputs;
use crate::finance::invest::{self, InvestmentView};
use crate::finance::lend::{self, LoanOffer};
use crate::finance::rules::{LprTable, Rulebook, VcStageTable};
use crate::finance::trade::{self, TradeTerms};
use crate::finance::{self as fin, DownsideValue, PledgedItem};
use crate::models::ModelBook;
use crate::valuation::reconcile::{ReconciledPart, Reconciliation};
use crate::valuation::uncertainty::{SimSettings, ValueDistribution};
use crate::valuation::{Approach, Valuation};
use serde::Serialize;

/// What the finance stages read besides the case.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The model book (valuation).
    pub models: &'a ModelBook,
    /// The lending rulebook.
    pub rulebook: &'a Rulebook,
    /// The LPR table.
    pub lpr: &'a LprTable,
    /// The venture-return table.
    pub stages: &'a VcStageTable,
    /// Deal history for the market approach (when the case has a `[market]` section).
    pub deals: Option<&'a crate::data::DealHistory>,
}

/// The Monte Carlo run behind the downside value lent on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LentValueSimulation {
    /// What was simulated: `reconciled value` or `<approach> value`.
    pub of: String,
    /// Why ([`fin::downside_reason`]).
    pub reason: String,
    /// Where the pledge quantile came from ([`fin::pledge_quantile`]).
    pub quantile_source: String,
    /// The weights of the reconciled value and which approaches were sampled.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub composition: Vec<ReconciledPart>,
    /// The distribution: seed, samples, chunk size, every statistic, the pledge value.
    #[serde(flatten)]
    pub dist: ValueDistribution,
}

impl LentValueSimulation {
    /// The downside the lending stage uses (the pledge quantile's value, already money).
    pub fn downside(&self) -> DownsideValue {
        let m = &self.dist.money;
        DownsideValue {
            value: m.pledge_value,
            quantile: m.pledge_quantile,
            label: self.dist.stats.pledge.label.clone(),
            quantile_source: self.quantile_source.clone(),
            reason: self.reason.clone(),
            of: self.of.clone(),
            samples: self.dist.samples,
            seed: self.dist.seed,
            chunk_size: self.dist.chunk_size,
            mean: m.mean,
            p5: m.p5,
            p50: m.p50,
            p95: m.p95,
        }
    }
}

/// 评: every approach's result, their reconciliation, and the simulation of the value lent on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    /// One result per approach the case has.
    pub valuations: Vec<Valuation>,
    /// The concluded value, when more than one approach ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reconciliation: Option<Reconciliation>,
    /// The Monte Carlo run of the value lent on, when a downside is needed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub simulation: Option<LentValueSimulation>,
}

/// Every stage's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PipelineResult {
    /// 评: one result per approach the case has.
    pub valuations: Vec<Valuation>,
    /// 评: the concluded value, when more than one approach ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reconciliation: Option<Reconciliation>,
    /// 评: the Monte Carlo run of the value lent on, when a downside is needed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub simulation: Option<LentValueSimulation>,
    /// 保.
    pub guarantee: GuaranteePlan,
    /// 贷.
    pub loan: LoanOffer,
    /// 投.
    pub invest: InvestmentView,
    /// 易.
    pub trade: TradeTerms,
}

fn finance_of(case: &Case) -> FinanceInputs {
    case.finance.as_deref().cloned().unwrap_or_default()
}

/// 评: runs every approach the case has assumptions for ([`evaluate::run_approaches`]); the
/// market approach uses `deals`.
pub fn valuations(
    case: &Case,
    models: &ModelBook,
    deals: Option<&crate::data::DealHistory>,
) -> Result<Vec<Valuation>> {
    evaluate::run_approaches(case, models, &evaluate::available(case), deals)
}

/// 评: the valuations, their reconciliation when more than one approach ran, and — when the
/// value must be lent on its downside — the Monte Carlo run of the value lent on.
pub fn evaluate(case: &Case, ctx: &Context) -> Result<Evaluation> {
    let vals = valuations(case, ctx.models, ctx.deals)?;
    let reconciliation = evaluate::reconcile_all(case, ctx.models, &vals)?;
    let simulation =
        match fin::downside_reason(ctx.rulebook.pledge.basis, case.simulation.is_some()) {
            Some(reason) => Some(simulate_lent_value(
                case,
                ctx,
                &vals,
                reconciliation.as_ref(),
                reason,
            )?),
            None => None,
        };
    Ok(Evaluation {
        valuations: vals,
        reconciliation,
        simulation,
    })
}

/// Simulates the value lent on: the reconciled value when `rec` is given, else the one
/// approach's value. Settings: the case's `[simulation]` (or the defaults), with the pledge
/// quantile of [`fin::pledge_quantile`].
pub fn simulate_lent_value(
    case: &Case,
    ctx: &Context,
    vals: &[Valuation],
    rec: Option<&Reconciliation>,
    reason: String,
) -> Result<LentValueSimulation> {
    let spec = case.simulation.as_ref();
    let (q, quantile_source) = fin::pledge_quantile(
        ctx.rulebook.pledge.quantile.map(|d| d.0),
        spec.and_then(|s| s.pledge_quantile.map(|d| d.0)),
    );
    let mut settings = SimSettings::resolve(spec, None, None, None)?;
    settings.pledge_quantile = q;
    let ran: Vec<Approach> = vals.iter().map(|v| v.approach).collect();
    let compiled = evaluate::compile(case, ctx.models, &ran)?;
    if rec.is_none() && compiled.models.is_empty() {
        return Err(Error::Unsupported(format!(
            "{reason}, but the {} approach has no compiled model to simulate",
            vals.first().map_or("?", |v| v.approach.as_str())
        )));
    }
    let sim = compiled.simulate_value(rec, &settings, &reason)?;
    Ok(LentValueSimulation {
        of: sim.of,
        reason,
        quantile_source,
        composition: sim.composition,
        dist: sim.dist,
    })
}

/// 保: the lending value (see [`fin::lending_value`]) and the guarantee plan.
pub fn guarantee_stage(case: &Case, ev: &Evaluation, ctx: &Context) -> Result<GuaranteePlan> {
    let f = finance_of(case);
    let downside = ev.simulation.as_ref().map(LentValueSimulation::downside);
    let lv = fin::lending_value(
        &ev.valuations,
        ev.reconciliation.as_ref(),
        ctx.rulebook.pledge.basis,
        case.simulation.is_some(),
        downside.as_ref(),
    )?;
    let extra: Vec<PledgedItem> = f
        .pledges
        .iter()
        .map(|p| PledgedItem {
            name: p.name.clone(),
            kind: p.kind,
            value: p.value,
            grade: None,
        })
        .collect();
    guarantee::plan_graded(
        &lv,
        (&case.subject.id, case.subject.kind),
        case.scored.as_ref().and_then(|s| s.grade()),
        &extra,
        ctx.rulebook,
        f.loan.amount,
        f.loan.tenor_months,
    )
}

/// 贷: sizes, prices and schedules the loan on the guarantee plan.
pub fn lend_stage(case: &Case, plan: &GuaranteePlan, ctx: &Context) -> Result<LoanOffer> {
    let f = finance_of(case);
    lend::offer(
        plan,
        ctx.rulebook,
        ctx.lpr,
        f.borrower.as_ref(),
        &f.loan,
        case.subject.valuation_date,
    )
}

/// 投: prices the investment round given the loan offered.
pub fn invest_stage(
    case: &Case,
    offer: &LoanOffer,
    plan: &GuaranteePlan,
    ctx: &Context,
) -> Result<InvestmentView> {
    let f = finance_of(case);
    invest::view(
        offer,
        plan.lending_value.point_value,
        f.invest.as_ref(),
        ctx.stages,
    )
}

/// 易: reserve price, modes, offers and proceeds on the investment view.
pub fn trade_stage(case: &Case, view: &InvestmentView) -> Result<TradeTerms> {
    let f = finance_of(case);
    trade::terms(view, f.trade.as_ref())
}

/// Runs all five stages on a validated case.
pub fn run(case: &Case, ctx: &Context) -> Result<PipelineResult> {
    let ev = evaluate(case, ctx)?;
    let g = guarantee_stage(case, &ev, ctx)?;
    let l = lend_stage(case, &g, ctx)?;
    let i = invest_stage(case, &l, &g, ctx)?;
    let t = trade_stage(case, &i)?;
    Ok(PipelineResult {
        valuations: ev.valuations,
        reconciliation: ev.reconciliation,
        simulation: ev.simulation,
        guarantee: g,
        loan: l,
        invest: i,
        trade: t,
    })
}
