//! Income approach (收益法): V = Σ_{t=1..n} K_t·B_t·DF_t.
//!
//! Methods ([`IncomeMethod`]): profit split (利润分成), revenue split (收入分成), relief from
//! royalty with tax and optional tax amortisation benefit, MPEEM (multi-period excess earnings),
//! with-and-without. The split rate K is given, or set by 三分法 / 四分法, 约当投资分成法 or
//! 综合评价法 (scoring inside the industry range of `models/royalty_ranges.toml`), with an
//! optional yearly decay. The discount rate comes from [`crate::valuation::discount`].
//!
//! Conventions (stated once, used by both the audited `Decimal` path [`value`] and the fast
//! `f64` path [`IncomePlan`]):
//! * **Horizon.** n = min(remaining legal term, economic life), capped at 100 years. The legal
//!   term runs from `subject.filing_date` for the statutory years of the kind
//!   (`models/legal_terms.toml`): expiry = filing date + years (the calendar anniversary);
//!   software copyright runs from `subject.publication_date` to 31 December of the 50th year.
//!   The remaining term at the valuation date is the number of whole years to expiry plus the
//!   rest as days over the days of that last (partial) year. Kinds without a statutory term
//!   (know-how, achievements, trademarks) use the economic life alone.
//! * **Periods.** Period t = 1 … ⌊n⌋ are full years after the valuation date; when n has a
//!   fraction f > 0, one more period of length f follows, and its stream is taken pro rata
//!   (B × f). Discount time: end-year t (full) and k + f (partial, after k full years);
//!   mid-year t − ½ and k + f/2.
//! * **Streams.** `revenue[i]` / `profit[i]` / `with_without` are years 1, 2, …; past the list
//!   the last year grows by `growth` a year (required when the horizon can run past the list).
//!   Every period's stream is multiplied by `stream_scale` (default 1).
//! * **Split rate.** K_1 comes from `[income.split]` on its natural basis (given: `basis`,
//!   default profit; 三分法 / 四分法 / 约当投资: profit; 综合评价法: sales) and is converted to the
//!   basis the stream needs: K_sales = K_profit × margin, K_profit = K_sales / margin (an error
//!   when `margin` is missing). `round_dp` then rounds the converted K_1 (half away from zero),
//!   and K_t = K_1 × (1 − decay)^(t−1).
//! * **Per-period rate** (the `rate` of a [`crate::valuation::PeriodRow`], so that attributable = base × rate):
//!   profit / revenue split K_t; relief from royalty K_t × (1 − T); MPEEM the excess-earnings
//!   margin EBIT·(1 − T) − Σ balance·(return on + return of); with-and-without 1 (the base is the
//!   difference of the two cash flows).
//! * **TAB** (relief from royalty, `royalty.tab = true`): TAB = 1/(1 − T·AF(r, N)/N), AF the
//!   annuity factor of the same convention, N = `royalty.tab_life` (a period a law or the contract
//!   fixes) or the jurisdiction's minimum tax amortisation life (`models/tax.toml`: 10 years).
//! * **Rounding.** Everything is computed at full `Decimal` precision; the value is rounded to
//!   the fen, half away from zero, at the end (period rows stay unrounded).

mod audited;
mod eval;
mod horizon;
mod plan;
mod schema;
mod split;
#[cfg(test)]
mod tests;

pub use horizon::{legal_term, LegalTerm};
pub use plan::{validate, IncomePlan, MAX_YEARS};
pub use schema::*;

use crate::audit::AuditTrail;
use crate::error::Result;
use crate::models::ModelBook;
use crate::subject::Subject;
use crate::valuation::Valuation;

/// Values the subject by the income approach: every intermediate number is an audit step, the
/// value is rounded to the fen (half away from zero) at the end.
pub fn value(a: &IncomeAssumptions, s: &Subject, m: &ModelBook) -> Result<Valuation> {
    let plan = IncomePlan::compile(a, s, m)?;
    plan.value_decimal(s, m, AuditTrail::new())
}

/// [`value`] without the audit trail (the same value and warnings; the trail and the period
/// table are empty): for batch work that keeps only the figures, such as a portfolio row.
pub fn value_figures(a: &IncomeAssumptions, s: &Subject, m: &ModelBook) -> Result<Valuation> {
    let plan = IncomePlan::compile(a, s, m)?;
    plan.value_decimal(s, m, AuditTrail::muted())
}
