//! Typed rulebooks, the LPR table and the venture-return table — what `models/rulebooks/*.toml`,
//! `models/lpr.toml` and `models/vc_stage_returns.toml` hold.
//!
//! A [`Rulebook`] states one lending programme or bank policy: pledge rates by IP kind and the
//! value they apply to; loan cap, tenor limit and minimum DSCR; the rate rule (LPR + spread,
//! with a cap); the liquidation haircut and disposal cost used for LGD; the guarantee (coverage,
//! counter-guarantee, fees); how losses are shared among the bank, guarantors, re-guarantors
//! and a government risk-compensation pool (with its cap and whether it pays before or after
//! the split); and an interest subsidy (贴息).
//!
//! [`Rulebook::validate`] rejects a rulebook whose shares do not sum to 1, with a negative
//! rate, or with an inconsistent field, naming the field path. Parsing (and attaching the file
//! name) is I/O and lives in `crate::rulebook`.

mod rulebook;
mod tables;
mod validate;

pub use rulebook::*;
pub use tables::*;

use crate::error::FieldError;
use crate::money::de_decimal;
use chrono::NaiveDate;
use rust_decimal::Decimal;

fn ser_date<S: serde::Serializer>(d: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&d.to_string())
}

fn de_opt_decimal<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    de_decimal(d).map(Some)
}

/// Tolerance when checking that shares sum to 1.
const SUM_TOL: Decimal = Decimal::from_parts(1, 0, 0, false, 9);

fn frac(path: &str, d: Decimal, max: Decimal, what: &str) -> Result<(), FieldError> {
    if d.is_sign_negative() && !d.is_zero() {
        return Err(FieldError::new(
            path,
            d.normalize(),
            format!("{what} must not be negative"),
        ));
    }
    if d > max {
        return Err(FieldError::new(
            path,
            d.normalize(),
            format!("{what} must be at most {}", max.normalize()),
        ));
    }
    Ok(())
}
