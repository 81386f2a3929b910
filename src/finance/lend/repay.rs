//! Repayment schedules exact to the fen: 等额本息 (annuity), 等额本金 (equal principal),
//! 先息后本 (bullet), with an optional broken first period.

use crate::error::{Error, MoneyContext, Result};
use crate::finance::inputs::RepayMethod;
use crate::money::{round_half_away, Money};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// One line of a repayment schedule (amounts rounded to the fen).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScheduleLine {
    /// Period number, 1-based.
    pub period: u32,
    /// Balance at the start of the period.
    pub opening: Money,
    /// Total payment = interest + principal.
    pub payment: Money,
    /// Interest.
    pub interest: Money,
    /// Principal repaid.
    pub principal: Money,
    /// Balance after the payment.
    pub balance: Money,
}

/// A repayment schedule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Schedule {
    /// Method.
    pub method: RepayMethod,
    /// The loan.
    pub principal: Money,
    /// Annual rate.
    pub annual_rate: Decimal,
    /// Payments per year.
    pub periods_per_year: u32,
    /// Period rate r/m.
    pub period_rate: Decimal,
    /// Days of a broken first period, if any.
    pub first_period_days: Option<u32>,
    /// The level payment before rounding (annuity only).
    pub level_payment_exact: Option<Decimal>,
    /// The lines.
    pub lines: Vec<ScheduleLine>,
    /// Σ interest.
    pub total_interest: Money,
    /// Σ payments.
    pub total_payment: Money,
}

pub use crate::tvm::annuity_factor;

/// Builds a schedule exact to the fen (see the module doc for the rounding rules).
///
/// `periods` ≥ 1; `periods_per_year` one of 1, 2, 4, 12; `annual_rate` from 0 to 1.
pub fn schedule(
    principal: Money,
    annual_rate: Decimal,
    periods: u32,
    periods_per_year: u32,
    method: RepayMethod,
    first_period_days: Option<u32>,
) -> Result<Schedule> {
    if principal.is_negative() {
        return Err(Error::field("amount", principal, "must not be negative"));
    }
    if annual_rate.is_sign_negative() && !annual_rate.is_zero() || annual_rate > Decimal::ONE {
        return Err(Error::field(
            "rate",
            annual_rate.normalize(),
            "must be an annual rate from 0 to 1 (0.0435 = 4.35%)",
        ));
    }
    if !(1..=1200).contains(&periods) {
        return Err(Error::field("periods", periods, "must be from 1 to 1200"));
    }
    if ![1, 2, 4, 12].contains(&periods_per_year) {
        return Err(Error::field(
            "periods_per_year",
            periods_per_year,
            "must be 12, 4, 2 or 1",
        ));
    }
    let p = principal.round_fen();
    let i = annual_rate / Decimal::from(periods_per_year);
    let n = periods;
    let level = match method {
        RepayMethod::Annuity => {
            let af = annuity_factor(i, n)?;
            Some(p.amount() / af)
        }
        _ => None,
    };
    let level_r = level.map(|x| round_half_away(x, 2));
    let q = round_half_away(p.amount() / Decimal::from(n), 2);
    let mut bal = p.amount();
    let mut lines = Vec::with_capacity(n as usize);
    for k in 1..=n {
        let opening = bal;
        let regular_interest = round_half_away(opening * i, 2);
        let interest = match (k, first_period_days) {
            (1, Some(d)) => round_half_away(
                opening * annual_rate * Decimal::from(d) / Decimal::from(360),
                2,
            ),
            _ => regular_interest,
        };
        let mut principal_k = if k == n {
            bal
        } else {
            match method {
                RepayMethod::Annuity => level_r.unwrap_or(Decimal::ZERO) - regular_interest,
                RepayMethod::EqualPrincipal => q,
                RepayMethod::Bullet => Decimal::ZERO,
            }
        };
        principal_k = principal_k.max(Decimal::ZERO).min(bal);
        bal -= principal_k;
        lines.push(ScheduleLine {
            period: k,
            opening: Money::new(opening),
            payment: Money::new(principal_k + interest),
            interest: Money::new(interest),
            principal: Money::new(principal_k),
            balance: Money::new(bal),
        });
    }
    let total_interest = Money::checked_sum(lines.iter().map(|l| l.interest)).ctx("schedule")?;
    let total_payment = Money::checked_sum(lines.iter().map(|l| l.payment)).ctx("schedule")?;
    let total_principal = Money::checked_sum(lines.iter().map(|l| l.principal)).ctx("schedule")?;
    if total_principal != p {
        return Err(Error::Internal(format!(
            "schedule principal {total_principal} does not sum to the loan {p}"
        )));
    }
    Ok(Schedule {
        method,
        principal: p,
        annual_rate,
        periods_per_year,
        period_rate: i,
        first_period_days,
        level_payment_exact: level,
        lines,
        total_interest,
        total_payment,
    })
}
