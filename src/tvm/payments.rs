//! The spreadsheet payment functions — `pmt`, `ipmt`, `ppmt`, `pv`, `fv`, `nper`, `rate` — with
//! the sign convention and the `when` argument of numpy-financial and Excel: money paid out is
//! negative, received positive; payments at the end (`When::End`, 0) or the beginning
//! (`When::Begin`, 1) of each period.
//!
//! The time-value equation they all solve (r ≠ 0):
//! `fv + pv·(1+r)^n + pmt·(1 + r·w)/r·((1+r)^n − 1) = 0`; for r = 0: `fv + pv + pmt·n = 0`.
//!
//! Money (`pmt`, `ipmt`, `ppmt`, `pv`, `fv`) is computed in `Decimal` ([`pmt`] …) and, for the
//! statistics and the peer test vectors, in `f64` with numpy-financial's operation order
//! ([`pmt_f64`] …), so that the `f64` results agree with numpy to the last bit where its tests
//! ask for equality. `nper` and `rate` return numbers of periods and rates, in `f64`.

use crate::error::{Error, Result};
use crate::money::MoneyError;
use rust_decimal::{Decimal, MathematicalOps};

/// When payments fall within each period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum When {
    /// At the end of each period (numpy-financial `when='end'`, 0; the default).
    #[default]
    End,
    /// At the beginning of each period (`when='begin'`, 1).
    Begin,
}

impl When {
    fn w(self) -> Decimal {
        match self {
            When::End => Decimal::ZERO,
            When::Begin => Decimal::ONE,
        }
    }
    fn wf(self) -> f64 {
        match self {
            When::End => 0.0,
            When::Begin => 1.0,
        }
    }
}

fn ovf(what: &'static str) -> Error {
    Error::money(what, MoneyError::Overflow(what))
}

/// `(1 + r)^n` in Decimal for a whole or fractional `n`.
fn growth(r: Decimal, n: Decimal) -> Result<Decimal> {
    let base = Decimal::ONE + r;
    let out = if n.fract().is_zero() {
        let k = i64::try_from(n.trunc().mantissa() / 10i128.pow(n.scale()))
            .map_err(|_| ovf("(1+r)^n"))?;
        base.checked_powi(k)
    } else {
        base.checked_powd(n)
    };
    out.ok_or_else(|| ovf("(1+r)^n"))
}

fn div(a: Decimal, b: Decimal, what: &'static str) -> Result<Decimal> {
    if b.is_zero() {
        return Err(Error::money(what, MoneyError::DivisionByZero(what)));
    }
    a.checked_div(b).ok_or_else(|| ovf(what))
}

/// The value at the end of `nper` periods of a payment of 1 a period, `(1 + r·w)·((1+r)^n − 1)/r`
/// (`n` at r = 0), given `temp = (1+r)^n`.
fn payments_factor(
    rate: Decimal,
    nper: Decimal,
    temp: Decimal,
    when: When,
    what: &'static str,
) -> Result<Decimal> {
    if rate.is_zero() {
        return Ok(nper);
    }
    div(
        (Decimal::ONE + rate * when.w()) * (temp - Decimal::ONE),
        rate,
        what,
    )
}

/// The payment a period: `pmt = −(fv + pv·(1+r)^n) / [(1 + r·w)·((1+r)^n − 1)/r]`
/// (`−(fv + pv)/n` at r = 0).
pub fn pmt(rate: Decimal, nper: Decimal, pv: Decimal, fv: Decimal, when: When) -> Result<Decimal> {
    let temp = growth(rate, nper)?;
    let fact = payments_factor(rate, nper, temp, when, "pmt")?;
    div(-(fv + pv * temp), fact, "pmt")
}

/// The present value: `pv = −(fv + pmt·(1 + r·w)·((1+r)^n − 1)/r) / (1+r)^n`
/// (`−(fv + pmt·n)` at r = 0).
pub fn pv(rate: Decimal, nper: Decimal, pmt: Decimal, fv: Decimal, when: When) -> Result<Decimal> {
    let temp = growth(rate, nper)?;
    let fact = payments_factor(rate, nper, temp, when, "pv")?;
    div(-(fv + pmt * fact), temp, "pv")
}

/// The future value: `fv = −pv·(1+r)^n − pmt·(1 + r·w)/r·((1+r)^n − 1)`
/// (`−(pv + pmt·n)` at r = 0).
pub fn fv(rate: Decimal, nper: Decimal, pmt: Decimal, pv: Decimal, when: When) -> Result<Decimal> {
    if rate.is_zero() {
        return Ok(-(pv + pmt * nper));
    }
    let temp = growth(rate, nper)?;
    Ok(-pv * temp
        - div(pmt * (Decimal::ONE + rate * when.w()), rate, "fv")? * (temp - Decimal::ONE))
}

/// The interest part of payment `per` (1-based): the balance after `per − 1` payments × r,
/// discounted one period when paying at the beginning; 0 for the first payment at the
/// beginning; `None` (numpy's nan) for `per` < 1.
pub fn ipmt(
    rate: Decimal,
    per: Decimal,
    nper: Decimal,
    pv: Decimal,
    fv: Decimal,
    when: When,
) -> Result<Option<Decimal>> {
    if per < Decimal::ONE {
        return Ok(None);
    }
    if when == When::Begin && per == Decimal::ONE {
        return Ok(Some(Decimal::ZERO));
    }
    let total = pmt(rate, nper, pv, fv, when)?;
    let balance = self::fv(rate, per - Decimal::ONE, total, pv, when)?;
    let i = balance * rate;
    Ok(Some(match when {
        When::Begin => div(i, Decimal::ONE + rate, "ipmt")?,
        When::End => i,
    }))
}

/// The principal part of payment `per`: `pmt − ipmt` (`None` where `ipmt` is).
pub fn ppmt(
    rate: Decimal,
    per: Decimal,
    nper: Decimal,
    pv: Decimal,
    fv: Decimal,
    when: When,
) -> Result<Option<Decimal>> {
    let total = pmt(rate, nper, pv, fv, when)?;
    Ok(ipmt(rate, per, nper, pv, fv, when)?.map(|i| total - i))
}

/// [`pmt`] in `f64` (numpy-financial's operation order).
pub fn pmt_f64(rate: f64, nper: f64, pv: f64, fv: f64, when: When) -> f64 {
    let (temp, fact) = growth_and_fact_f64(rate, nper, when);
    -(fv + pv * temp) / fact
}

/// `(1 + rate)^nper` and the payment factor `(1 + rate·w)·((1 + rate)^nper − 1) / rate` (`nper`
/// at rate 0) that [`pmt_f64`] and [`pv_f64`] share, in numpy-financial's operation order.
fn growth_and_fact_f64(rate: f64, nper: f64, when: When) -> (f64, f64) {
    let temp = (1.0 + rate).powf(nper);
    let fact = if rate == 0.0 {
        nper
    } else {
        (1.0 + rate * when.wf()) * (temp - 1.0) / rate
    };
    (temp, fact)
}

/// [`pv`] in `f64`.
pub fn pv_f64(rate: f64, nper: f64, pmt: f64, fv: f64, when: When) -> f64 {
    let (temp, fact) = growth_and_fact_f64(rate, nper, when);
    -(fv + pmt * fact) / temp
}

/// [`fv`] in `f64`.
pub fn fv_f64(rate: f64, nper: f64, pmt: f64, pv: f64, when: When) -> f64 {
    if rate == 0.0 {
        return -(pv + pmt * nper);
    }
    let temp = (1.0 + rate).powf(nper);
    -pv * temp - pmt * (1.0 + rate * when.wf()) / rate * (temp - 1.0)
}

/// [`ipmt`] in `f64` (NaN for `per` < 1).
pub fn ipmt_f64(rate: f64, per: f64, nper: f64, pv: f64, fv: f64, when: When) -> f64 {
    if per < 1.0 {
        return f64::NAN;
    }
    if when == When::Begin && per == 1.0 {
        return 0.0;
    }
    let total = pmt_f64(rate, nper, pv, fv, when);
    let i = fv_f64(rate, per - 1.0, total, pv, when) * rate;
    match when {
        When::Begin => i / (1.0 + rate),
        When::End => i,
    }
}

/// [`ppmt`] in `f64`.
pub fn ppmt_f64(rate: f64, per: f64, nper: f64, pv: f64, fv: f64, when: When) -> f64 {
    pmt_f64(rate, nper, pv, fv, when) - ipmt_f64(rate, per, nper, pv, fv, when)
}

/// The number of periods: `n = ln((−fv + z)/(pv + z)) / ln(1 + r)`, `z = pmt·(1 + r·w)/r`
/// (`−(fv + pv)/pmt` at r = 0, ±∞ when `pmt` is 0 there); NaN where no `n` solves the equation.
pub fn nper(rate: f64, pmt: f64, pv: f64, fv: f64, when: When) -> f64 {
    if rate == 0.0 {
        return -(fv + pv) / pmt;
    }
    let z = pmt * (1.0 + rate * when.wf()) / rate;
    ((-fv + z) / (pv + z)).ln() / (1.0 + rate).ln()
}

/// Why [`rate`] found no rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateError {
    /// Newton's iteration did not settle within `maxiter` steps (numpy-financial's
    /// `IterationsExceededError`; its `nan` without `raise_exceptions`).
    IterationsExceeded,
}

/// The settings of [`rate`]'s Newton iteration (numpy-financial's defaults when `None`).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct NewtonSettings {
    /// Starting rate (0.1).
    pub guess: Option<f64>,
    /// Stop when two iterates differ by less than this (1e-6).
    pub tol: Option<f64>,
    /// At most this many steps (100).
    pub maxiter: Option<u32>,
}

/// The rate a period that solves the time-value equation, by Newton's iteration from `guess`
/// (0.1 by default) until two iterates differ by less than `tol` (1e-6), at most `maxiter`
/// (100) steps — the iteration numpy-financial's `rate` performs, so that its published test
/// vectors hold. (A bracketing solver would find rates Newton misses from this guess; the
/// peer's behaviour is what the vectors pin down.)
pub fn rate(
    nper: f64,
    pmt: f64,
    pv: f64,
    fv: f64,
    when: When,
    settings: NewtonSettings,
) -> std::result::Result<f64, RateError> {
    let NewtonSettings {
        guess,
        tol,
        maxiter,
    } = settings;
    let (n, p, x, y, w) = (nper, pmt, pv, fv, when.wf());
    let g_div_gp = |r: f64| {
        let t1 = (r + 1.0).powf(n);
        let t2 = (r + 1.0).powf(n - 1.0);
        let g = y + t1 * x + p * (t1 - 1.0) * (r * w + 1.0) / r;
        let gp = n * t2 * x - p * (t1 - 1.0) * (r * w + 1.0) / (r * r)
            + n * p * t2 * (r * w + 1.0) / r
            + p * (t1 - 1.0) * w / r;
        g / gp
    };
    let tol = tol.unwrap_or(1e-6);
    let mut rn = guess.unwrap_or(0.1);
    for _ in 0..maxiter.unwrap_or(100) {
        let next = rn - g_div_gp(rn);
        let close = (next - rn).abs() < tol;
        rn = next;
        if close {
            return Ok(rn);
        }
    }
    Err(RateError::IterationsExceeded)
}
