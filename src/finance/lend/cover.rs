//! The DSCR cap and the borrower's annualised cost.
//!
//! * **DSCR cap**: the largest loan whose peak annual debt service under the chosen repayment
//!   method stays within `CFADS / DSCR_min`: `L = CFADS / DSCR_min / f`, `f` the peak over the
//!   loan's years of Σ (principal + interest) a year per 元 borrowed, computed exactly on the
//!   unrounded schedule of 1 元 (year y holds periods y·m + 1 … (y+1)·m):
//!   * 等额本息 (annuity): every payment `i/(1 − (1+i)^−n)`, so `f = m·i/(1 − (1+i)^−n)` for a
//!     loan of at least a year — `L = CFADS/DSCR_min/m × AF(i, n)`;
//!   * 等额本金 (equal principal): payment k is `1/n + (1 − (k−1)/n)·i`; the first year is the
//!     peak;
//!   * 先息后本 (bullet): interest `i` each period and the principal with the last one, so the last
//!     year is the peak (`interest_and_principal`, the default); a rulebook whose programme
//!     refinances at maturity may say `loan.dscr_bullet = "interest_only"` (then `f = m·i`).
//! * **年化利率** (annualised cost): the internal rate of the borrower's dated cash flows — the
//!   loan received net of the fees paid at drawdown, then each payment less the subsidy (贴息)
//!   received with it — as an effective annual rate (`(1 + i)^m − 1` for regular periods; the
//!   dates of a broken first period are taken as they fall) and as a nominal rate `m × i`
//!   (the 年化利率 of a monthly-rate quote). The simple ratio (interest + fees − subsidy) /
//!   Σ balance-years is kept beside it, labelled as such.

use crate::error::{Error, Result};
use crate::finance::inputs::RepayMethod;
use crate::finance::rules::DscrBullet;
use crate::money::MoneyError;
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use rust_decimal::Decimal;

/// The peak annual debt service per 元 of principal, `f`, and the year (0-based) it falls in.
pub fn peak_debt_service(
    method: RepayMethod,
    period_rate: Decimal,
    periods: u32,
    per_year: u32,
    bullet: DscrBullet,
) -> Result<(Decimal, u32)> {
    let n = Decimal::from(periods);
    let i = period_rate;
    let level = if i.is_zero() {
        Decimal::ONE / n
    } else {
        let af = crate::tvm::annuity_factor(i, periods)?;
        Decimal::ONE
            .checked_div(af)
            .ok_or_else(|| Error::money("DSCR cap", MoneyError::DivisionByZero("AF")))?
    };
    let mut years: Vec<Decimal> = vec![Decimal::ZERO; periods.div_ceil(per_year) as usize];
    for k in 1..=periods {
        let opening = match method {
            RepayMethod::EqualPrincipal => Decimal::ONE - Decimal::from(k - 1) / n,
            _ => Decimal::ONE,
        };
        let pay = match method {
            RepayMethod::Annuity => level,
            RepayMethod::EqualPrincipal => Decimal::ONE / n + opening * i,
            RepayMethod::Bullet => {
                let principal = if k == periods && bullet == DscrBullet::InterestAndPrincipal {
                    Decimal::ONE
                } else {
                    Decimal::ZERO
                };
                i + principal
            }
        };
        years[((k - 1) / per_year) as usize] += pay;
    }
    let (y, f) = years
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(&a.0)))
        .map(|(y, f)| (y as u32, *f))
        .unwrap_or((0, Decimal::ZERO));
    Ok((f, y))
}

/// The peak annual debt service of a rounded schedule (year y = lines y·m + 1 … (y+1)·m); a
/// bullet loan under `interest_only` leaves the final principal out, as the cap does.
pub fn peak_rounded_service(
    s: &super::Schedule,
    per_year: u32,
    method: RepayMethod,
    bullet: DscrBullet,
) -> Decimal {
    let last = s.lines.len();
    s.lines
        .chunks(per_year.max(1) as usize)
        .enumerate()
        .map(|(y, c)| {
            c.iter()
                .enumerate()
                .map(|(j, l)| {
                    let is_last = y * per_year as usize + j + 1 == last;
                    if method == RepayMethod::Bullet
                        && bullet == DscrBullet::InterestOnly
                        && is_last
                    {
                        l.interest.amount()
                    } else {
                        l.payment.amount()
                    }
                })
                .sum::<Decimal>()
        })
        .max()
        .unwrap_or(Decimal::ZERO)
}

/// The borrower's annualised cost from the dated cash flows `(time in years, amount)`: the
/// effective annual rate and the nominal rate `m × ((1 + eff)^(1/m) − 1)`; `None` when the flows
/// have no internal rate (no loan).
pub fn annualised_cost(flows: &[(f64, Decimal)], per_year: u32) -> Option<(Decimal, Decimal)> {
    let f: Vec<(f64, f64)> = flows
        .iter()
        .map(|(t, v)| (*t, v.to_f64().unwrap_or(f64::NAN)))
        .collect();
    let eff = crate::tvm::xirr(&f)?;
    let m = f64::from(per_year);
    let nominal = m * ((1.0 + eff).powf(1.0 / m) - 1.0);
    // A rate, not money: kept to 10 decimals (1e-8 of a percentage point).
    let dec = |x: f64| Decimal::from_f64(x).map(|d| crate::money::round_half_away(d, 10));
    Some((dec(eff)?, dec(nominal)?))
}
