//! 评 → 保 → 贷 → 投 → 易: the pipeline is the composition of the stages, nothing more.
//!
//! ```text
//! valuation::run_approaches ─▶ Vec<Valuation>
//!   ─ finance::lending_value ─▶ LendingValue ─ guarantee::plan ─▶ GuaranteePlan
//!   ─ lend::offer ─▶ LoanOffer ─ invest::view ─▶ InvestmentView ─ trade::terms ─▶ TradeTerms
//! ```
//!
//! Each stage function below takes the previous stage's typed result, so the standalone
//! commands (`techval guarantee|lend|invest|trade`) run exactly the same code as the pipeline.
//! No I/O here: the caller loads the case, model book, rulebook and tables.

use crate::case::Case;
use crate::error::Result;
use crate::finance::guarantee::{self, GuaranteePlan};
use crate::finance::inputs::FinanceInputs;
use crate::finance::invest::{self, InvestmentView};
use crate::finance::lend::{self, LoanOffer};
use crate::finance::rules::{LprTable, Rulebook, VcStageTable};
use crate::finance::trade::{self, TradeTerms};
use crate::finance::{self as fin, PledgedItem};
use crate::models::ModelBook;
use crate::money::Money;
use crate::valuation::{self, Valuation};
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
    /// The Monte Carlo downside value, when one was computed (for `pledge.basis = downside`).
    pub downside: Option<Money>,
}

/// Every stage's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PipelineResult {
    /// 评: one result per approach the case has.
    pub valuations: Vec<Valuation>,
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
    case.finance.clone().unwrap_or_default()
}

/// 评: runs every approach the case has assumptions for (`valuation::run_approaches`).
pub fn valuations(case: &Case, models: &ModelBook) -> Result<Vec<Valuation>> {
    valuation::run_approaches(case, models, &valuation::available(case))
}

/// 保: the lending value (see [`fin::lending_value`]) and the guarantee plan.
pub fn guarantee_stage(case: &Case, vals: &[Valuation], ctx: &Context) -> Result<GuaranteePlan> {
    let f = finance_of(case);
    let lv = fin::lending_value(vals, ctx.rulebook.pledge.basis, ctx.downside)?;
    let extra: Vec<PledgedItem> = f
        .pledges
        .iter()
        .map(|p| PledgedItem {
            name: p.name.clone(),
            kind: p.kind,
            value: p.value,
        })
        .collect();
    guarantee::plan(
        &lv,
        (&case.subject.id, case.subject.kind),
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
    let vals = valuations(case, ctx.models)?;
    let g = guarantee_stage(case, &vals, ctx)?;
    let l = lend_stage(case, &g, ctx)?;
    let i = invest_stage(case, &l, &g, ctx)?;
    let t = trade_stage(case, &i)?;
    Ok(PipelineResult {
        valuations: vals,
        guarantee: g,
        loan: l,
        invest: i,
        trade: t,
    })
}
