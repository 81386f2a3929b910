//! The LPR table (`models/lpr.toml`: the rates in force on a date) and the venture-return
//! table (`models/vc_stage_returns.toml`).

use super::*;
use crate::error::FieldError;
use crate::money::de_decimal;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// One row of the LPR table: the rates in force from `date` until the next row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LprRow {
    /// The announcement date from which the rates apply.
    #[serde(
        deserialize_with = "crate::dates::de_date",
        serialize_with = "ser_date"
    )]
    pub date: NaiveDate,
    /// 1-year LPR (fraction).
    #[serde(deserialize_with = "de_decimal")]
    pub one_year: Decimal,
    /// 5-year-and-above LPR (fraction).
    #[serde(deserialize_with = "de_decimal")]
    pub five_year: Decimal,
}

/// `models/lpr.toml`: the loan prime rate (贷款市场报价利率) at every change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LprTable {
    /// Citation.
    pub source: String,
    /// The last monthly announcement the table was checked against.
    #[serde(
        deserialize_with = "crate::dates::de_date",
        serialize_with = "ser_date"
    )]
    pub checked_through: NaiveDate,
    /// Rows in date order.
    pub rate: Vec<LprRow>,
}

/// The LPR that applies on a date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LprQuote {
    /// The date asked for.
    pub date: String,
    /// The row used (its announcement date).
    pub row_date: String,
    /// The base asked for.
    pub base: RateBase,
    /// The rate.
    pub rate: Decimal,
    /// True when `date` is after the table's `checked_through` (a newer LPR may apply).
    pub stale: bool,
}

impl LprTable {
    /// Checks ordering and ranges; errors name the row.
    pub fn validate(&self) -> Result<(), FieldError> {
        if self.rate.is_empty() {
            return Err(FieldError::new(
                "rate",
                "[]",
                "the table needs at least one row",
            ));
        }
        for (i, r) in self.rate.iter().enumerate() {
            frac(
                &format!("rate[{i}].one_year"),
                r.one_year,
                Decimal::new(3, 1),
                "an LPR",
            )?;
            frac(
                &format!("rate[{i}].five_year"),
                r.five_year,
                Decimal::new(3, 1),
                "an LPR",
            )?;
            if i > 0 && self.rate[i - 1].date >= r.date {
                return Err(FieldError::new(
                    format!("rate[{i}].date"),
                    r.date,
                    "rows must be in increasing date order",
                ));
            }
        }
        Ok(())
    }

    /// The rate in force on `date`: the latest row dated on or before it.
    pub fn on(&self, date: NaiveDate, base: RateBase) -> Result<LprQuote, FieldError> {
        let row = self
            .rate
            .iter()
            .rev()
            .find(|r| r.date <= date)
            .ok_or_else(|| {
                FieldError::new(
                    "finance.loan.start_date",
                    date,
                    format!(
                        "is before the first LPR in models/lpr.toml ({}); the LPR exists from 2019-08-20",
                        self.rate.first().map_or(String::new(), |r| r.date.to_string())
                    ),
                )
            })?;
        Ok(LprQuote {
            date: date.to_string(),
            row_date: row.date.to_string(),
            base,
            rate: match base {
                RateBase::Lpr1y => row.one_year,
                RateBase::Lpr5y => row.five_year,
            },
            stale: date > self.checked_through,
        })
    }
}

/// One venture stage's required annual return range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VcStage {
    /// Identifier (`startup`, `first_stage`, …).
    pub id: String,
    /// Chinese name.
    pub name_zh: String,
    /// Lowest required annual return.
    #[serde(deserialize_with = "de_decimal")]
    pub min: Decimal,
    /// Highest required annual return.
    #[serde(deserialize_with = "de_decimal")]
    pub max: Decimal,
}

/// `models/vc_stage_returns.toml`: venture capitalists' target returns by stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VcStageTable {
    /// Citation.
    pub source: String,
    /// The stages.
    pub stage: Vec<VcStage>,
}

impl VcStageTable {
    /// Checks `0 ≤ min ≤ max ≤ 5` for each stage and unique ids.
    pub fn validate(&self) -> Result<(), FieldError> {
        for (i, s) in self.stage.iter().enumerate() {
            if !(Decimal::ZERO <= s.min && s.min <= s.max && s.max <= Decimal::from(5)) {
                return Err(FieldError::new(
                    format!("stage[{i}]"),
                    format!("min = {}, max = {}", s.min, s.max),
                    "need 0 ≤ min ≤ max ≤ 5",
                ));
            }
            if self.stage[..i].iter().any(|t| t.id == s.id) {
                return Err(FieldError::new(
                    format!("stage[{i}].id"),
                    &s.id,
                    "ids must be unique",
                ));
            }
        }
        Ok(())
    }

    /// A stage by id.
    pub fn get(&self, id: &str) -> Option<&VcStage> {
        self.stage.iter().find(|s| s.id == id)
    }
}
