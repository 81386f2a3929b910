//! Time value of money: the discount factor and the annuity factor, once each, in `Decimal`
//! (audited money paths) and in `f64` (Monte Carlo, market statistics). Every module that
//! discounts — the income approach, the market approach's remaining-life factor, loan
//! schedules, trade offers, the synthetic generator — calls these.
//!
//! * Discount factor `v^t = 1/(1+r)^t`, `v = 1/(1+r)`, for a time `t ≥ 0` in periods
//!   (fractional allowed). Computed as a power of `v` so that long horizons at high rates cannot
//!   overflow: below `Decimal`'s 10⁻²⁸ the factor is 0 to that precision.
//! * Annuity factor `AF(r, n) = Σ_{t=1..n} v^t = (1 − v^n)/r` (`n` when `r = 0`): the present
//!   value of 1 a period for `n` periods, paid at the end of each period.
//! * The spreadsheet functions with numpy-financial's conventions: [`payments`] (`pmt`, `ipmt`,
//!   `ppmt`, `pv`, `fv`, `nper`, `rate`) and [`cashflows`] (`npv`, `irr`, `mirr`); their
//!   peer test vectors are in `tests/reference/`.

pub mod cashflows;
pub mod payments;

pub use cashflows::{irr, mirr, npv, npv_f64, xirr};
pub use payments::{
    fv, fv_f64, ipmt, ipmt_f64, nper, pmt, pmt_f64, ppmt, ppmt_f64, pv, pv_f64, rate,
    NewtonSettings, RateError, When,
};

use crate::error::{Error, Result};
use crate::money::MoneyError;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, MathematicalOps};

fn rate_error(r: Decimal) -> Error {
    Error::field(
        "discount rate",
        r.normalize(),
        "must be above -1 (-100 % a period)",
    )
}

/// The discount factor `v^t = 1/(1+r)^t` for a rate `r > −1` a period and a time `t ≥ 0`
/// periods (fractional allowed). A factor below `Decimal`'s precision (10⁻²⁸) is 0.
pub fn discount_factor(r: Decimal, t: Decimal) -> Result<Decimal> {
    let base = Decimal::ONE + r;
    if base <= Decimal::ZERO {
        return Err(rate_error(r));
    }
    if t < Decimal::ZERO {
        return Err(Error::Internal(format!("negative discount time {t}")));
    }
    let v = Decimal::ONE
        .checked_div(base)
        .ok_or_else(|| Error::money("1/(1+r)", MoneyError::Overflow("1/(1+r)")))?;
    let t = t.normalize();
    let out = if t.is_zero() {
        Some(Decimal::ONE)
    } else if t.fract().is_zero() {
        let n = t
            .to_u64()
            .ok_or_else(|| Error::Internal(format!("discount time {t} out of range")))?;
        v.checked_powu(n)
    } else {
        powd_memo(v, t)
    };
    match out {
        Some(f) => Ok(f),
        // v < 1: v^t only fails by underflowing below Decimal's 10^-28, so it is 0 to that
        // precision (a PV error below 10^-13 元 on the largest accepted amount).
        None if v < Decimal::ONE => Ok(Decimal::ZERO),
        None => Err(Error::money(
            "discount factor",
            MoneyError::Overflow("(1+r)^-t"),
        )),
    }
}

/// Entries of a thread's [`powd_memo`] before it is emptied.
const POWD_MEMO_CAP: usize = 4096;

/// `(v, t)` by representation → `v^t`.
type PowdMemo = std::collections::HashMap<([u8; 16], [u8; 16]), Option<Decimal>>;

thread_local! {
    static POWD_MEMO: std::cell::RefCell<PowdMemo> = std::cell::RefCell::new(PowdMemo::new());
}

/// `v^t` for a fractional `t` (`checked_powd`: ln and exp in 28-digit arithmetic, ~10 µs),
/// remembered per thread. A portfolio's rows mostly share a discount rate and the mid-year
/// times t − ½: the powers were 33 % of an income + cost portfolio's profile and 27 % of its
/// instructions went to `DecWide::checked_mul` inside them. A remembered result is the same
/// value (the audit trail shows all 28 digits of DF), where repeated multiplication and a square
/// root would differ in the last digits.
fn powd_memo(v: Decimal, t: Decimal) -> Option<Decimal> {
    // Keyed by representation, not value: 0.5 and 0.50 are equal Decimals, and the memo must
    // not answer for an input `checked_powd` might treat otherwise.
    let key = (v.serialize(), t.serialize());
    POWD_MEMO.with(|m| {
        if let Some(f) = m.borrow().get(&key) {
            return *f;
        }
        let f = v.checked_powd(t);
        let mut m = m.borrow_mut();
        if m.len() >= POWD_MEMO_CAP {
            m.clear();
        }
        m.insert(key, f);
        f
    })
}

/// The annuity factor `AF(r, n) = (1 − v^n)/r` (`n` when `r = 0`) for a rate `r > −1` a
/// period: the present value of 1 paid at the end of each of `n` periods.
pub fn annuity_factor(r: Decimal, n: u32) -> Result<Decimal> {
    if r.is_zero() {
        return Ok(Decimal::from(n));
    }
    let vn = discount_factor(r, Decimal::from(n))?;
    (Decimal::ONE - vn)
        .checked_div(r)
        .ok_or_else(|| Error::money("annuity factor", MoneyError::Overflow("(1 − v^n)/r")))
}

/// [`annuity_factor`] in `f64` for `n` periods (fractional allowed): `(1 − (1+r)^−n)/r`, `n`
/// when |r| < 10⁻¹².
pub fn annuity_factor_f64(r: f64, n: f64) -> f64 {
    if r.abs() < 1e-12 {
        n
    } else {
        (1.0 - (1.0 + r).powf(-n)) / r
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn discount_factor_values_and_limits() {
        let r = d("0.12");
        assert_eq!(
            crate::money::round_half_away(discount_factor(r, d("5")).unwrap(), 20),
            d("0.56742685571859939311")
        );
        let f = discount_factor(r, d("3.4")).unwrap().to_f64().unwrap();
        assert!((f - 1.12f64.powf(-3.4)).abs() < 1e-14);
        assert_eq!(discount_factor(r, Decimal::ZERO).unwrap(), Decimal::ONE);
        // 2^-100 underflows Decimal: 0, not an error.
        assert_eq!(
            discount_factor(Decimal::ONE, d("100")).unwrap(),
            Decimal::ZERO
        );
        assert!(discount_factor(Decimal::ONE, d("90")).unwrap() > Decimal::ZERO);
        assert!(discount_factor(d("-1"), d("1")).is_err());
        assert!(discount_factor(d("-1.5"), d("1")).is_err());
    }

    #[test]
    fn annuity_factor_is_the_sum_of_discount_factors() {
        let r = d("0.12");
        let af = annuity_factor(r, 5).unwrap();
        let mut sum = Decimal::ZERO;
        for t in 1..=5 {
            sum += discount_factor(r, Decimal::from(t)).unwrap();
        }
        assert!((af - sum).abs() < d("1e-24"), "{af} vs {sum}");
        assert!((af.to_f64().unwrap() - 3.604_776_202_3).abs() < 1e-9);
        assert!((annuity_factor_f64(0.12, 5.0) - 3.604_776_202_3).abs() < 1e-9);
        assert_eq!(annuity_factor(d("0.1"), 0).unwrap(), Decimal::ZERO);
        assert_eq!(annuity_factor(Decimal::ZERO, 7).unwrap(), Decimal::from(7));
        assert_eq!(annuity_factor_f64(0.0, 7.0), 7.0);
        // The textbook AF(10 %, 10) = 6.144567.
        assert!((annuity_factor_f64(0.10, 10.0) - 6.144_567_105_704_685).abs() < 1e-12);
    }
}
