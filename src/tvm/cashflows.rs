//! Cash-flow functions: `npv`, `irr`, `mirr`, with numpy-financial's conventions (`values[0]`
//! falls at t = 0, unlike Excel's NPV which discounts it one period).
//!
//! * `npv(r, v) = Σ_t v_t / (1+r)^t`, t = 0, 1, …
//! * `irr(v)`: the rate r > −1 with `npv(r, v) = 0`. With g = 1 + r the condition is the
//!   polynomial `v_0·g^(N−1) + v_1·g^(N−2) + … + v_(N−1) = 0`; its roots are the eigenvalues of
//!   the companion matrix (nalgebra's Schur decomposition, as numpy's `roots`). Of the real
//!   roots with r ≥ −1: the only one; else, when they differ in sign, those of the sign the
//!   flows favour (non-negative when Σ inflows ≥ |Σ outflows|); the smallest in magnitude.
//! * `mirr(v, f, i) = (|npv(i, v⁺)| / |npv(f, v⁻)|)^(1/(N−1))·(1+i) − 1`.

use crate::error::{Error, Result};
use crate::money::MoneyError;
use nalgebra::DMatrix;
use rust_decimal::{Decimal, MathematicalOps};

/// The net present value `Σ_t v_t/(1+r)^t`, t = 0, 1, … (Decimal, for money).
pub fn npv(rate: Decimal, values: &[Decimal]) -> Result<Decimal> {
    let base = Decimal::ONE + rate;
    if base.is_zero() {
        return Err(Error::money("npv", MoneyError::DivisionByZero("1 + r")));
    }
    let mut sum = Decimal::ZERO;
    for (t, v) in values.iter().enumerate() {
        let g = base
            .checked_powu(t as u64)
            .ok_or_else(|| Error::money("npv", MoneyError::Overflow("(1+r)^t")))?;
        sum += v
            .checked_div(g)
            .ok_or_else(|| Error::money("npv", MoneyError::Overflow("v/(1+r)^t")))?;
    }
    Ok(sum)
}

/// [`npv`] in `f64` (NaN at r = −1, as numpy).
pub fn npv_f64(rate: f64, values: &[f64]) -> f64 {
    if rate == -1.0 {
        return f64::NAN;
    }
    values
        .iter()
        .enumerate()
        .map(|(t, v)| v / (1.0 + rate).powi(t as i32))
        .sum()
}

/// The internal rate of return of `values` (t = 0, 1, …), or `None` when there is no real
/// solution (all flows of one sign, or no real root with r ≥ −1).
pub fn irr(values: &[f64]) -> Option<f64> {
    let first = *values.first()?;
    let same_sign = if first > 0.0 {
        values.iter().all(|v| *v > 0.0)
    } else {
        values.iter().all(|v| *v < 0.0)
    };
    if same_sign {
        return None;
    }
    // Leading zeros do not change the roots; trailing zeros are roots at g = 0 (r = −1).
    let lead = values.iter().position(|v| *v != 0.0)?;
    let trail = values.iter().rev().position(|v| *v != 0.0)?;
    let coef = &values[lead..values.len() - trail];
    let mut roots: Vec<f64> = Vec::new();
    if trail > 0 {
        roots.extend(std::iter::repeat_n(0.0, trail));
    }
    let deg = coef.len().saturating_sub(1);
    if deg > 0 {
        // Companion matrix of c_0·g^deg + c_1·g^(deg−1) + … + c_deg (as numpy's `roots`).
        // numpy's eigenvalue routine (LAPACK dgeev) balances the matrix first; nalgebra's does
        // not, and on badly scaled flows (numpy's gh-15 vector spans 10^3 … 10^-313) it then
        // returns a wrong root. Scaling g = s·h with s = max_j |c_j/c_0|^(1/j) (the bound on
        // the roots' size) puts the roots in the unit disk and does the balancing's job.
        let s = (1..=deg)
            .map(|j| (coef[j] / coef[0]).abs().powf(1.0 / j as f64))
            .fold(0.0, f64::max);
        let s = if s.is_finite() && s > 0.0 { s } else { 1.0 };
        let mut m = DMatrix::<f64>::zeros(deg, deg);
        for j in 0..deg {
            m[(0, j)] = -coef[j + 1] / coef[0] / s.powi(j as i32 + 1);
        }
        for i in 1..deg {
            m[(i, i - 1)] = 1.0;
        }
        for z in m.complex_eigenvalues().iter() {
            if z.im == 0.0 {
                roots.push(z.re * s);
            }
        }
    }
    let mut eirr: Vec<f64> = roots
        .into_iter()
        .map(|g| g - 1.0)
        .filter(|r| *r >= -1.0)
        .collect();
    match eirr.len() {
        0 => return None,
        1 => return Some(eirr[0]),
        _ => {}
    }
    let same = if eirr[0] > 0.0 {
        eirr.iter().all(|r| *r > 0.0)
    } else {
        eirr.iter().all(|r| *r < 0.0)
    };
    if !same {
        let pos: f64 = values.iter().filter(|v| **v > 0.0).sum();
        let neg: f64 = values.iter().filter(|v| **v < 0.0).sum();
        if pos >= neg {
            eirr.retain(|r| *r >= 0.0);
        } else {
            eirr.retain(|r| *r < 0.0);
        }
    }
    eirr.into_iter().min_by(|a, b| a.abs().total_cmp(&b.abs()))
}

/// The modified internal rate of return: outflows financed at `finance_rate`, inflows
/// reinvested at `reinvest_rate`; `None` unless the flows have both signs.
pub fn mirr(values: &[f64], finance_rate: f64, reinvest_rate: f64) -> Option<f64> {
    let n = values.len();
    let pos: Vec<f64> = values
        .iter()
        .map(|v| if *v > 0.0 { *v } else { 0.0 })
        .collect();
    let neg: Vec<f64> = values
        .iter()
        .map(|v| if *v < 0.0 { *v } else { 0.0 })
        .collect();
    if !(values.iter().any(|v| *v > 0.0) && values.iter().any(|v| *v < 0.0)) {
        return None;
    }
    let numer = npv_f64(reinvest_rate, &pos).abs();
    let denom = npv_f64(finance_rate, &neg).abs();
    Some((numer / denom).powf(1.0 / (n as f64 - 1.0)) * (1.0 + reinvest_rate) - 1.0)
}

/// The annual effective rate of dated cash flows (Excel's XIRR): the r with
/// `Σ_k CF_k / (1+r)^(t_k) = 0`, `t_k` in years from the first flow (days / 365 in Excel). For
/// flows with one change of sign the NPV is monotone in r, so the root is found by bisection
/// on (−1, 100): no crate is needed for a bracketed monotone root, and 200 halvings reach
/// f64 precision. `None` when the flows do not change sign exactly once.
pub fn xirr(flows: &[(f64, f64)]) -> Option<f64> {
    let signs: Vec<bool> = flows
        .iter()
        .filter(|(_, v)| *v != 0.0)
        .map(|(_, v)| *v > 0.0)
        .collect();
    let changes = signs.windows(2).filter(|w| w[0] != w[1]).count();
    if changes != 1 {
        return None;
    }
    let t0 = flows.iter().map(|f| f.0).fold(f64::INFINITY, f64::min);
    let npv = |r: f64| -> f64 { flows.iter().map(|(t, v)| v / (1.0 + r).powf(t - t0)).sum() };
    let (mut lo, mut hi) = (-1.0 + 1e-12, 100.0);
    let (flo, fhi) = (npv(lo), npv(hi));
    if !(flo.is_finite() && fhi.is_finite()) || flo.signum() == fhi.signum() {
        return None;
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        let fm = npv(mid);
        if fm == 0.0 {
            return Some(mid);
        }
        if fm.signum() == flo.signum() {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some(0.5 * (lo + hi))
}
