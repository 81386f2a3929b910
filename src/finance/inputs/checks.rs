//! Range checks shared by the `[finance]` validations; errors name the field path.

use super::*;
use crate::error::{Error, Result};
use crate::money::Money;
use rust_decimal::Decimal;

pub(super) fn check_frac(
    path: &str,
    d: Decimal,
    lo: Decimal,
    hi: Decimal,
    allowed: &str,
) -> Result<()> {
    if d < lo || d > hi {
        return Err(Error::field(path, d.normalize(), allowed.to_string()));
    }
    Ok(())
}

pub(super) fn check_money(path: &str, m: Money, positive: bool) -> Result<()> {
    if m.is_negative() || (positive && m.is_zero()) {
        let allowed = if positive {
            "must be an amount in 元 above 0"
        } else {
            "must be an amount in 元, not negative"
        };
        return Err(Error::field(path, m, allowed));
    }
    Ok(())
}

pub(super) fn check_weights(
    path: &str,
    f: &[Factor],
    score_max: Decimal,
    score_what: &str,
) -> Result<()> {
    if f.is_empty() {
        return Err(Error::field(path, "[]", "list at least one factor"));
    }
    let mut sum = Decimal::ZERO;
    for (i, x) in f.iter().enumerate() {
        check_frac(
            &format!("{path}[{i}].weight"),
            x.weight,
            Decimal::ZERO,
            Decimal::ONE,
            "must be a weight from 0 to 1",
        )?;
        check_frac(
            &format!("{path}[{i}].score"),
            x.score,
            Decimal::ZERO,
            score_max,
            score_what,
        )?;
        sum += x.weight;
    }
    if (sum - Decimal::ONE).abs() > Decimal::new(1, 9) {
        return Err(Error::field(
            format!("{path}[*].weight"),
            sum.normalize(),
            "weights must sum to 1",
        ));
    }
    Ok(())
}

pub(super) fn check_sales(path: &str, s: &[Money]) -> Result<()> {
    for (i, m) in s.iter().enumerate() {
        check_money(&format!("{path}[{i}]"), *m, false)?;
    }
    if s.len() > 50 {
        return Err(Error::field(path, s.len(), "at most 50 years of sales"));
    }
    Ok(())
}

pub(super) fn check_year(path: &str, y: Decimal) -> Result<()> {
    check_frac(
        path,
        y,
        Decimal::ZERO,
        Decimal::from(50),
        "must be a time in years from 0 to 50",
    )
}
