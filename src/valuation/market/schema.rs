//! The `[market]` section of a case and its validation.

use crate::data::schema::TransactionType;
use crate::error::{Error, Result};
use crate::param::Param;
use crate::subject::Subject;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// `[market]` of a case file: the subject's deal terms and indicators, and selection options.
///
/// ```toml
/// [market]
/// transaction_type = "exclusive_licence"
/// remaining_life = 8          # years
/// claims = 12
/// citations = 5
/// family_size = 3
/// trl = 7                     # or tech_score = 72
/// scale = "50000000"          # optional: annual sales of the products, 元
/// k = 5                       # optional, default models/market.toml
/// window_years = 3            # optional
/// allow_low_confidence = false
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarketAssumptions {
    /// The transaction the value is for (the terms factor converts comparables to it).
    pub transaction_type: TransactionType,
    /// Remaining economic life of the subject, years (n_subject).
    pub remaining_life: Param,
    /// Technology score 0–100; without it the composite of the indicators is used.
    #[serde(default)]
    pub tech_score: Option<Param>,
    /// Technology readiness level 1–9.
    #[serde(default)]
    pub trl: Option<u32>,
    /// Number of claims.
    #[serde(default)]
    pub claims: u32,
    /// Forward citations.
    #[serde(default)]
    pub citations: u32,
    /// Patent family size.
    #[serde(default)]
    pub family_size: u32,
    /// Scale of exploitation (same meaning as the deals' `scale` column), 元.
    #[serde(default)]
    pub scale: Option<Param>,
    /// Comparables wanted before relaxing (default `models/market.toml`).
    #[serde(default)]
    pub k: Option<u32>,
    /// Most comparables kept (default `models/market.toml`).
    #[serde(default)]
    pub max_comparables: Option<u32>,
    /// Date window, years (default `models/market.toml`).
    #[serde(default)]
    pub window_years: Option<Param>,
    /// r of the remaining-life factor (default `models/market.toml`).
    #[serde(default)]
    pub discount_rate: Option<Param>,
    /// Value with fewer than `min_comparables` comparables, flagged low-confidence.
    #[serde(default)]
    pub allow_low_confidence: bool,
}

/// Checks `[market]`, naming field paths `market.*`.
pub fn validate(a: &MarketAssumptions, _s: &Subject) -> Result<()> {
    a.remaining_life.check_range(
        "market.remaining_life",
        Some(Decimal::new(1, 2)),
        Some(Decimal::from(100)),
        "must be a number of years above 0 and at most 100",
    )?;
    if let Some(t) = &a.tech_score {
        t.check_range(
            "market.tech_score",
            Some(Decimal::ZERO),
            Some(Decimal::from(100)),
            "must be a score from 0 to 100",
        )?;
    }
    if let Some(t) = a.trl {
        if !(1..=9).contains(&t) {
            return Err(Error::field(
                "market.trl",
                t,
                "must be a technology readiness level from 1 to 9",
            ));
        }
    }
    if a.tech_score.is_none() && a.trl.is_none() {
        return Err(Error::field(
            "market.tech_score",
            "",
            "give market.tech_score (0–100) or market.trl (1–9): the technology factor needs one",
        ));
    }
    for (f, v, max) in [
        ("claims", a.claims, 10_000),
        ("citations", a.citations, 1_000_000),
        ("family_size", a.family_size, 10_000),
    ] {
        if v > max {
            return Err(Error::field(
                format!("market.{f}"),
                v,
                format!("must be a whole number from 0 to {max}"),
            ));
        }
    }
    if let Some(sc) = &a.scale {
        sc.check_range(
            "market.scale",
            Some(Decimal::new(1, 2)),
            Some(Decimal::from(crate::money::MAX_INPUT_YUAN)),
            "must be an amount in 元 above 0 and at most 10^15",
        )?;
    }
    if let Some(k) = a.k {
        if !(1..=10_000).contains(&k) {
            return Err(Error::field("market.k", k, "must be from 1 to 10000"));
        }
    }
    if let Some(m) = a.max_comparables {
        if !(1..=100_000).contains(&m) || a.k.is_some_and(|k| m < k) {
            return Err(Error::field(
                "market.max_comparables",
                m,
                "must be from 1 to 100000 and at least market.k",
            ));
        }
    }
    if let Some(w) = &a.window_years {
        w.check_range(
            "market.window_years",
            Some(Decimal::new(1, 2)),
            Some(Decimal::from(100)),
            "must be a number of years above 0 and at most 100",
        )?;
    }
    if let Some(r) = &a.discount_rate {
        r.check_range(
            "market.discount_rate",
            Some(Decimal::new(1, 4)),
            Some(Decimal::ONE),
            "must be a rate above 0 and at most 1",
        )?;
    }
    Ok(())
}
