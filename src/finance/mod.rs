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
use crate::valuation::reconcile::Reconciliation;
use crate::valuation::uncertainty::DEFAULT_PLEDGE_QUANTILE;
use crate::valuation::{Approach, Valuation};
use rules::ValueBasis;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The Monte Carlo downside of the value lent on, as the pipeline computed it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DownsideValue {
    /// The simulated value at `quantile`, rounded to the fen (the simulation's money boundary).
    pub value: Money,
    /// The quantile (0.1 = P10).
    pub quantile: f64,
    /// Its label (`P10`).
    pub label: String,
    /// Where the quantile came from (rulebook, case, or the default).
    pub quantile_source: String,
    /// Why a downside was computed ([`downside_reason`]).
    pub reason: String,
    /// What was simulated: `reconciled value` or `<approach> value`.
    pub of: String,
    /// Number of paths.
    pub samples: u64,
    /// Master seed.
    pub seed: u64,
    /// Paths per chunk (the result depends on seed, samples and chunk size, not on threads).
    pub chunk_size: u64,
    /// Simulated mean.
    pub mean: Money,
    /// P5.
    pub p5: Money,
    /// P50.
    pub p50: Money,
    /// P95.
    pub p95: Money,
}

/// The value the lending stages use ("value to lend on") and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LendingValue {
    /// The value pledge rates apply to, rounded to the fen.
    pub value: Money,
    /// Point (appraised) or downside value.
    pub basis: ValueBasis,
    /// The approach whose value was taken; `None` (JSON `null`) when the point value is the
    /// reconciled value of several approaches.
    pub approach: Option<Approach>,
    /// The method within the approach, or `reconciled (income 0.666667 + cost 0.333333)`.
    pub method: String,
    /// True when the point value is the reconciled (concluded) value.
    pub reconciled: bool,
    /// The appraised point value (equal to `value` when `basis = point`).
    pub point_value: Money,
    /// The Monte Carlo downside, when one was used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub downside: Option<DownsideValue>,
    /// True when the downside exceeded the point value and the point value was lent on.
    #[serde(default)]
    pub capped_at_point: bool,
    /// Why this value was chosen, in words.
    pub note: String,
}

/// The rule [`lending_value`] applies, in words (written into the pipeline JSON).
pub const LENDING_RULE: &str = "point value = the reconciled (concluded) value when more than one approach ran, else the one approach's value; when the rulebook's pledge.basis is \"downside\" or the case has a [simulation] section, the value lent on is the Monte Carlo downside of that same value at the rulebook's pledge.quantile, else the case's simulation.pledge_quantile, else P10 (seed, samples and chunk size from the case's [simulation] or the defaults), capped at the point value; otherwise the point value";

/// Why the value lent on must be a Monte Carlo downside, or `None` when the point value is
/// lent on: the rulebook's `pledge.basis = "downside"` (the lender demands it) and/or a
/// `[simulation]` section in the case (the appraiser states the value's distribution and its
/// pledge value).
pub fn downside_reason(basis: ValueBasis, case_has_simulation: bool) -> Option<String> {
    match (basis, case_has_simulation) {
        (ValueBasis::Downside, true) => Some(
            "the rulebook lends on the downside (pledge.basis = downside) and the case has a [simulation] section"
                .into(),
        ),
        (ValueBasis::Downside, false) => {
            Some("the rulebook lends on the downside (pledge.basis = downside)".into())
        }
        (ValueBasis::Point, true) => Some(
            "the case has a [simulation] section: its downside (pledge) value is lent on".into(),
        ),
        (ValueBasis::Point, false) => None,
    }
}

/// The quantile of the downside value and where it came from: the rulebook's
/// `pledge.quantile` (the lender's policy) when set, else the case's
/// `simulation.pledge_quantile`, else [`DEFAULT_PLEDGE_QUANTILE`] (P10).
pub fn pledge_quantile(rulebook: Option<Decimal>, case: Option<Decimal>) -> (f64, String) {
    use rust_decimal::prelude::ToPrimitive;
    match (rulebook.and_then(|q| q.to_f64()), case.and_then(|q| q.to_f64())) {
        (Some(q), _) => (q, "rulebook pledge.quantile".into()),
        (None, Some(q)) => (q, "case simulation.pledge_quantile".into()),
        (None, None) => (
            DEFAULT_PLEDGE_QUANTILE,
            "default (P10): neither the rulebook (pledge.quantile) nor the case (simulation.pledge_quantile) sets one".into(),
        ),
    }
}

/// Chooses the value to lend on — the ONE place where this choice is made.
///
/// 1. **Point value.** When more than one approach ran, the reconciled (concluded) value of
///    `reconciliation` (weights from the case's `[reconcile]` or `models/reconcile_weights.toml`
///    by purpose; `valuation::reconcile`); it must then be given. When one approach ran, its
///    value.
/// 2. **Downside.** When [`downside_reason`] says so — the rulebook's `pledge.basis =
///    "downside"`, or a case with a `[simulation]` section — the value lent on is the Monte
///    Carlo downside `downside` of that same value (the reconciled value's distribution when
///    reconciled), at the quantile [`pledge_quantile`] chooses (rulebook, else case, else P10).
///    The caller runs the simulation (seed, sample count and chunk size from the case's
///    `[simulation]` or the defaults) and passes it in; when it is `None`, that is an error,
///    never a silent fallback to the point value.
/// 3. **Cap.** Never more than the point value: min(downside, point), with `capped_at_point`
///    set when the cap binds (a downside above the appraisal is not lent on).
///
/// Otherwise the point value is lent on (`basis = point`).
pub fn lending_value(
    valuations: &[Valuation],
    reconciliation: Option<&Reconciliation>,
    basis: ValueBasis,
    case_has_simulation: bool,
    downside: Option<&DownsideValue>,
) -> Result<LendingValue> {
    let (point, approach, method, reconciled, why) = match valuations {
        [] => {
            return Err(Error::Unsupported(
                "no valuation result to lend on (the case ran no approach)".into(),
            ))
        }
        [one] => (
            one.value.round_fen(),
            Some(one.approach),
            one.method.clone(),
            false,
            format!(
                "the {} value (the only approach that ran)",
                one.approach.as_str()
            ),
        ),
        _ => {
            let r = reconciliation.ok_or_else(|| {
                Error::Internal(
                    "lending_value: several approaches ran but no reconciliation was given".into(),
                )
            })?;
            let parts: Vec<String> = r
                .approaches
                .iter()
                .map(|a| {
                    format!(
                        "{} {}",
                        a.approach.as_str(),
                        crate::money::round_half_away(a.weight, 6).normalize()
                    )
                })
                .collect();
            (
                r.concluded_value.round_fen(),
                None,
                format!("reconciled ({})", parts.join(" + ")),
                true,
                format!(
                    "the reconciled value of {} approaches (weights from {})",
                    r.approaches.len(),
                    r.weights_source
                ),
            )
        }
    };
    let Some(reason) = downside_reason(basis, case_has_simulation) else {
        return Ok(LendingValue {
            value: point,
            basis: ValueBasis::Point,
            approach,
            method,
            reconciled,
            point_value: point,
            downside: None,
            capped_at_point: false,
            note: format!("point value: {why}"),
        });
    };
    let d = downside.ok_or_else(|| {
        Error::Unsupported(format!(
            "{reason}, but no downside value is available (the Monte Carlo stage did not run); \
             use a rulebook with pledge.basis = \"point\" and a case without [simulation]"
        ))
    })?;
    if d.value.is_negative() {
        return Err(Error::field(
            format!("downside value ({})", d.label),
            d.value,
            "must not be negative: the simulated value can fall below 0; narrow the distributions",
        ));
    }
    let capped = d.value > point;
    let value = if capped { point } else { d.value.round_fen() };
    let mut note = format!(
        "downside value {} of the {} ({} paths, seed {}, chunk size {}): {reason}; point value: {why}",
        d.label, d.of, d.samples, d.seed, d.chunk_size
    );
    if capped {
        note.push_str("; the downside exceeds the point value, so the point value is lent on");
    }
    Ok(LendingValue {
        value,
        basis: ValueBasis::Downside,
        approach,
        method,
        reconciled,
        point_value: point,
        downside: Some(d.clone()),
        capped_at_point: capped,
        note,
    })
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
    /// Its score grade (`[scoring]`), for a rulebook that tiers the pledge rate by grade.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grade: Option<crate::scoring::Grade>,
}

/// Records the lending value as the first step of a stage's trail.
pub(crate) fn audit_lending_value(tr: &mut AuditTrail, lv: &LendingValue) {
    tr.record(
        "lending_value",
        "V = point value (reconciled when several approaches ran), or min(downside, point) when lending on the downside (finance::lending_value)",
        {
            let mut v = vec![
                AuditValue::text(
                    "approach",
                    lv.approach.map_or("reconciled", |a| a.as_str()),
                ),
                AuditValue::text("method", lv.method.clone()),
                AuditValue::text("basis", lv.basis.as_str()),
                AuditValue::money("point_value", lv.point_value),
            ];
            if let Some(d) = &lv.downside {
                v.push(AuditValue::money(format!("downside {}", d.label), d.value));
                v.push(AuditValue::text(
                    "simulation",
                    format!(
                        "{} paths, seed {}, chunk size {}",
                        d.samples, d.seed, d.chunk_size
                    ),
                ));
            }
            v.push(AuditValue::text("note", lv.note.clone()));
            v
        },
        AuditValue::money("V", lv.value),
    );
}
