//! 保 贷 投 易 — guarantee, lend, invest, trade: the finance chain after evaluation.
//!
//! Every stage consumes the previous stage's typed result and carries its own audit trail:
//!
//! ```text
//! Valuation ──lending_value──▶ LendingValue ──guarantee::plan──▶ GuaranteePlan
//!   ──lend::offer──▶ LoanOffer ──invest::view──▶ InvestmentView ──trade::terms──▶ TradeTerms
//! ```
//!
//! The rules (pledge rates, caps, rate rule, fees, risk-sharing splits, subsidies) come from a
//! [`rules::Rulebook`]; the 1-year / 5-year LPR from a dated [`rules::LprTable`]. Both are
//! plain typed values: parsing them from `models/` is I/O and lives in `crate::rulebook`.
//! Nothing in this module reads files or prints.
//!
//! All money is [`Money`] (rust_decimal); amounts shown as results are rounded to the fen
//! (half away from zero) at the points each function documents.

pub mod guarantee;
pub mod inputs;
pub mod invest;
pub mod lend;
pub mod rules;
pub mod trade;

use crate::audit::{AuditTrail, AuditValue};
use crate::error::{Error, Result};
use crate::money::Money;
use crate::subject::IpKind;
use crate::valuation::{Approach, Valuation};
use rules::ValueBasis;
use serde::{Deserialize, Serialize};

/// The value the lending stages use ("value to lend on") and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LendingValue {
    /// The value pledge rates apply to, rounded to the fen.
    pub value: Money,
    /// Point (appraised) or downside value.
    pub basis: ValueBasis,
    /// The approach whose value was taken.
    pub approach: Approach,
    /// The method within the approach.
    pub method: String,
    /// The appraised point value of that approach (equal to `value` when `basis = point`).
    pub point_value: Money,
    /// Why this value was chosen, in words.
    pub note: String,
}

/// Chooses the value to lend on — the ONE place where this choice is made.
///
/// * The point value comes from the income approach when the case has one (the value a
///   pledge appraisal normally concludes on); otherwise from the cost approach, then the market
///   approach, in that order. No reconciliation function exists yet; when one does, its
///   concluded value belongs here, ahead of the single approaches.
/// * `basis = point` lends on that value. `basis = downside` lends on `downside` (the Monte Carlo
///   downside value, e.g. P5 or P10), which the caller passes in; when it is `None`, the
///   rulebook cannot be honoured and this is an error (never a silent fallback to the point).
pub fn lending_value(
    valuations: &[Valuation],
    basis: ValueBasis,
    downside: Option<Money>,
) -> Result<LendingValue> {
    let order = [Approach::Income, Approach::Cost, Approach::Market];
    let chosen = order
        .iter()
        .find_map(|a| valuations.iter().find(|v| v.approach == *a))
        .ok_or_else(|| {
            Error::Unsupported("no valuation result to lend on (the case ran no approach)".into())
        })?;
    let why = match chosen.approach {
        Approach::Income => "income approach value (preferred for pledge lending)".to_string(),
        a => format!(
            "{} value: the case has no income-approach result",
            a.as_str()
        ),
    };
    match basis {
        ValueBasis::Point => Ok(LendingValue {
            value: chosen.value.round_fen(),
            basis,
            approach: chosen.approach,
            method: chosen.method.clone(),
            point_value: chosen.value.round_fen(),
            note: why,
        }),
        ValueBasis::Downside => {
            let d = downside.ok_or_else(|| {
                Error::Unsupported(
                    "the rulebook lends on the downside value (pledge.basis = \"downside\"), but no \
                     downside value is available (the Monte Carlo stage did not run); use a \
                     rulebook with pledge.basis = \"point\""
                        .into(),
                )
            })?;
            if d.is_negative() {
                return Err(Error::field("downside value", d, "must not be negative"));
            }
            Ok(LendingValue {
                value: d.round_fen(),
                basis,
                approach: chosen.approach,
                method: chosen.method.clone(),
                point_value: chosen.value.round_fen(),
                note: format!("downside value (Monte Carlo); point value from the {why}"),
            })
        }
    }
}

/// One piece of IP pledged for a loan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PledgedItem {
    /// Label (the subject's id or the case's name for an extra pledge).
    pub name: String,
    /// Kind of IP (selects the pledge rate).
    pub kind: IpKind,
    /// The value pledge rates apply to, in 元.
    pub value: Money,
}

/// Records the lending value as the first step of a stage's trail.
pub(crate) fn audit_lending_value(tr: &mut AuditTrail, lv: &LendingValue) {
    tr.record(
        "lending_value",
        "value to lend on (finance::lending_value)",
        vec![
            AuditValue::text("approach", lv.approach.as_str()),
            AuditValue::text("method", lv.method.clone()),
            AuditValue::text("basis", lv.basis.as_str()),
            AuditValue::money("point_value", lv.point_value),
            AuditValue::text("note", lv.note.clone()),
        ],
        AuditValue::money("V", lv.value),
    );
}
