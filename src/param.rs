//! Numeric assumptions that may be uncertain.
//!
//! Every numeric assumption of a case is a [`Param`]: either a plain number (`0.10`, `"5%"`,
//! `"1250000.00"`) or a table naming a distribution:
//!
//! ```toml
//! rate = 0.12                                                  # fixed
//! growth = { dist = "triangular", min = 0.02, mode = 0.05, max = 0.08 }
//! revenue_scale = { dist = "lognormal", mean = 1.0, sd = 0.2 }
//! life = { dist = "scenarios", values = [6, 8, 10], probs = [0.25, 0.5, 0.25] }
//! ```
//!
//! The deterministic methods use [`Param::point`]: the `base` value when given, otherwise the
//! fixed value, the midpoint (uniform), the mode (triangular, PERT), the mean (normal, lognormal,
//! scenarios). Monte Carlo samples the distribution (see `valuation::uncertainty`).

use crate::error::{Error, Result};
use crate::money::{de_decimal, Money, Rate, MAX_INPUT_YUAN};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize};

/// A distribution over a numeric assumption.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "dist", rename_all = "snake_case", deny_unknown_fields)]
pub enum Dist {
    /// Always `value`.
    Fixed {
        /// The value.
        #[serde(deserialize_with = "de_decimal")]
        value: Decimal,
    },
    /// Uniform on `[min, max]`.
    Uniform {
        /// Lower bound.
        #[serde(deserialize_with = "de_decimal")]
        min: Decimal,
        /// Upper bound.
        #[serde(deserialize_with = "de_decimal")]
        max: Decimal,
    },
    /// Triangular with `min ≤ mode ≤ max`.
    Triangular {
        /// Lower bound.
        #[serde(deserialize_with = "de_decimal")]
        min: Decimal,
        /// Most likely value.
        #[serde(deserialize_with = "de_decimal")]
        mode: Decimal,
        /// Upper bound.
        #[serde(deserialize_with = "de_decimal")]
        max: Decimal,
    },
    /// PERT (beta) with `min ≤ mode ≤ max`, shape λ = 4.
    Pert {
        /// Lower bound.
        #[serde(deserialize_with = "de_decimal")]
        min: Decimal,
        /// Most likely value.
        #[serde(deserialize_with = "de_decimal")]
        mode: Decimal,
        /// Upper bound.
        #[serde(deserialize_with = "de_decimal")]
        max: Decimal,
    },
    /// Normal, optionally truncated to `[min, max]`.
    Normal {
        /// Mean.
        #[serde(deserialize_with = "de_decimal")]
        mean: Decimal,
        /// Standard deviation (> 0).
        #[serde(deserialize_with = "de_decimal")]
        sd: Decimal,
        /// Lower truncation bound.
        #[serde(
            default,
            deserialize_with = "de_opt_decimal",
            skip_serializing_if = "Option::is_none"
        )]
        min: Option<Decimal>,
        /// Upper truncation bound.
        #[serde(
            default,
            deserialize_with = "de_opt_decimal",
            skip_serializing_if = "Option::is_none"
        )]
        max: Option<Decimal>,
    },
    /// Lognormal given the mean and standard deviation of the variable itself (mean > 0).
    Lognormal {
        /// Mean of the variable.
        #[serde(deserialize_with = "de_decimal")]
        mean: Decimal,
        /// Standard deviation of the variable (> 0).
        #[serde(deserialize_with = "de_decimal")]
        sd: Decimal,
    },
    /// Discrete scenarios with probabilities summing to 1.
    Scenarios {
        /// The values.
        values: Vec<DecimalValue>,
        /// Their probabilities.
        probs: Vec<DecimalValue>,
    },
}

/// A decimal in a list, read from a number or a string.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DecimalValue(#[serde(deserialize_with = "de_decimal")] pub Decimal);

fn de_opt_decimal<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<Decimal>, D::Error> {
    de_decimal(d).map(Some)
}

/// A numeric assumption: a point value, possibly with a distribution.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Param {
    /// The value the deterministic methods use.
    pub point: Decimal,
    /// The distribution Monte Carlo samples, when the assumption is uncertain. Boxed: most
    /// assumptions have none, and a case holds dozens of `Param`s (88 bytes each unboxed, 24
    /// boxed; a portfolio keeps every row's case in memory while the market approach runs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dist: Option<Box<Dist>>,
}

impl Param {
    /// A fixed value.
    pub fn fixed(d: Decimal) -> Param {
        Param {
            point: d,
            dist: None,
        }
    }

    /// True when the assumption has a non-degenerate distribution.
    pub fn is_uncertain(&self) -> bool {
        !matches!(self.dist.as_deref(), None | Some(Dist::Fixed { .. }))
    }

    /// The point value as a rate.
    pub fn rate(&self) -> Rate {
        Rate::new(self.point)
    }

    /// The point value as money.
    pub fn money(&self) -> Money {
        Money::new(self.point)
    }

    /// Checks the distribution's own parameters and that every value it can take lies in
    /// `[lo, hi]` (either bound optional). `path` names the field in errors; `allowed` says
    /// what is allowed.
    pub fn check_range(
        &self,
        path: &str,
        lo: Option<Decimal>,
        hi: Option<Decimal>,
        allowed: &str,
    ) -> Result<()> {
        self.check_dist(path)?;
        let (min, max) = self.support();
        let bad_lo = lo.is_some_and(|l| min.is_none_or(|m| m < l));
        let bad_hi = hi.is_some_and(|h| max.is_none_or(|m| m > h));
        if bad_lo || bad_hi {
            return Err(Error::field(path, self.shown(), allowed.to_string()));
        }
        Ok(())
    }

    /// The assumption as the user wrote it, for error messages.
    pub fn shown(&self) -> String {
        match self.dist.as_deref() {
            Some(d) if self.is_uncertain() => describe(d),
            _ => self.point.normalize().to_string(),
        }
    }

    /// Checks a money-valued assumption: not negative (unless `allow_negative`) and within
    /// the input limit of 10^15 元.
    pub fn check_money(&self, path: &str, allow_negative: bool) -> Result<()> {
        let cap = Decimal::from(MAX_INPUT_YUAN);
        let lo = if allow_negative { -cap } else { Decimal::ZERO };
        let allowed = if allow_negative {
            "must be an amount in 元 between -10^15 and 10^15"
        } else {
            "must be an amount in 元 from 0 to 10^15"
        };
        // The cap is a sanity limit on magnitudes. An unbounded tail (normal, lognormal) cannot
        // lie inside it; it is accepted when |mean| + 10·sd does (the sign limit still applies
        // to the whole support).
        let (min, max) = self.support();
        let tail = match self.dist.as_deref() {
            Some(Dist::Normal { mean, sd, .. }) | Some(Dist::Lognormal { mean, sd }) => {
                Some(mean.abs() + *sd * Decimal::TEN)
            }
            _ => None,
        };
        if tail.is_some_and(|t| t > cap) {
            return Err(Error::field(path, self.shown(), allowed.to_string()));
        }
        let lo = if allow_negative && min.is_none() && tail.is_some() {
            None
        } else {
            Some(lo)
        };
        let hi = if max.is_none() && tail.is_some() {
            None
        } else {
            Some(cap)
        };
        self.check_range(path, lo, hi, allowed)
    }

    /// Smallest and largest value the assumption can take (`None` for unbounded).
    pub fn support(&self) -> (Option<Decimal>, Option<Decimal>) {
        match self.dist.as_deref() {
            None | Some(Dist::Fixed { .. }) => (Some(self.point), Some(self.point)),
            Some(Dist::Uniform { min, max })
            | Some(Dist::Triangular { min, max, .. })
            | Some(Dist::Pert { min, max, .. }) => {
                (Some((*min).min(self.point)), Some((*max).max(self.point)))
            }
            Some(Dist::Normal { min, max, .. }) => (
                min.map(|m| m.min(self.point)),
                max.map(|m| m.max(self.point)),
            ),
            Some(Dist::Lognormal { .. }) => (Some(Decimal::ZERO.min(self.point)), None),
            Some(Dist::Scenarios { values, .. }) => {
                let lo = values.iter().map(|v| v.0).chain([self.point]).min();
                let hi = values.iter().map(|v| v.0).chain([self.point]).max();
                (lo, hi)
            }
        }
    }

    fn check_dist(&self, path: &str) -> Result<()> {
        let Some(d) = self.dist.as_deref() else {
            return Ok(());
        };
        let problem = match d {
            Dist::Fixed { .. } => None,
            Dist::Uniform { min, max } => (min >= max).then_some("uniform needs min < max"),
            Dist::Triangular { min, mode, max } | Dist::Pert { min, mode, max } => {
                (!(min <= mode && mode <= max && min < max))
                    .then_some("needs min ≤ mode ≤ max with min < max")
            }
            Dist::Normal { sd, min, max, .. } => {
                if *sd <= Decimal::ZERO {
                    Some("normal needs sd > 0")
                } else if matches!((min, max), (Some(a), Some(b)) if a >= b) {
                    Some("truncated normal needs min < max")
                } else {
                    None
                }
            }
            Dist::Lognormal { mean, sd } => (*mean <= Decimal::ZERO || *sd <= Decimal::ZERO)
                .then_some("lognormal needs mean > 0 and sd > 0"),
            Dist::Scenarios { values, probs } => {
                let sum: Decimal = probs.iter().map(|p| p.0).sum();
                if values.is_empty() || values.len() != probs.len() {
                    Some("scenarios need as many probs as values (at least one)")
                } else if probs.iter().any(|p| p.0 < Decimal::ZERO) {
                    Some("scenario probabilities must not be negative")
                } else if (sum - Decimal::ONE).abs() > Decimal::new(1, 9) {
                    Some("scenario probabilities must sum to 1")
                } else {
                    None
                }
            }
        };
        match problem {
            Some(p) => Err(Error::field(path, describe(d), p)),
            None => Ok(()),
        }
    }
}

/// The deterministic point value of a distribution.
pub fn dist_point(d: &Dist) -> Decimal {
    match d {
        Dist::Fixed { value } => *value,
        Dist::Uniform { min, max } => (*min + *max) / Decimal::TWO,
        Dist::Triangular { mode, .. } | Dist::Pert { mode, .. } => *mode,
        Dist::Normal { mean, .. } | Dist::Lognormal { mean, .. } => *mean,
        Dist::Scenarios { values, probs } => values.iter().zip(probs).map(|(v, p)| v.0 * p.0).sum(),
    }
}

/// One-line description of a distribution for error messages.
pub fn describe(d: &Dist) -> String {
    serde_json::to_string(d).unwrap_or_else(|_| "distribution".into())
}

impl<'de> Deserialize<'de> for Param {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct DistWithBase {
            #[serde(default, deserialize_with = "de_opt_decimal")]
            base: Option<Decimal>,
            #[serde(flatten)]
            dist: serde_json::Value,
        }
        // Read generically first so that errors inside the table keep their meaning.
        let v = serde_json::Value::deserialize(d)?;
        match v {
            serde_json::Value::Object(_) => {
                let DistWithBase { base, dist } =
                    serde_json::from_value::<DistWithBase>(v).map_err(serde::de::Error::custom)?;
                let dist: Dist = serde_json::from_value(dist).map_err(|e| {
                    serde::de::Error::custom(format!(
                        "{e} (a distribution is a table with dist = fixed | uniform | triangular | pert | normal | lognormal | scenarios)"
                    ))
                })?;
                let point = base.unwrap_or_else(|| dist_point(&dist));
                Ok(Param {
                    point,
                    dist: Some(Box::new(dist)),
                })
            }
            other => de_decimal(other).map(Param::fixed).map_err(|e| {
                serde::de::Error::custom(format!(
                    "{e}; expected a number, a numeric string, or a distribution table"
                ))
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct W {
        p: Param,
    }

    #[test]
    fn reads_numbers_strings_and_tables() {
        let w: W = toml::from_str("p = 0.1").unwrap();
        assert_eq!(w.p.point, Decimal::new(1, 1));
        assert!(!w.p.is_uncertain());
        let w: W = toml::from_str("p = \"5%\"").unwrap();
        assert_eq!(w.p.point, Decimal::new(5, 2));
        let w: W =
            toml::from_str("p = { dist = \"triangular\", min = 1, mode = 2, max = 4 }").unwrap();
        assert_eq!(w.p.point, Decimal::from(2));
        assert!(w.p.is_uncertain());
        let w: W =
            toml::from_str("p = { dist = \"normal\", mean = 1, sd = 0.5, base = 0.9 }").unwrap();
        assert_eq!(w.p.point, Decimal::new(9, 1));
        assert!(toml::from_str::<W>("p = { dist = \"gamma\", k = 1 }").is_err());
        assert!(toml::from_str::<W>("p = \"abc\"").is_err());
    }

    #[test]
    fn range_checks_cover_the_whole_support() {
        let w: W = toml::from_str("p = { dist = \"uniform\", min = -0.1, max = 0.2 }").unwrap();
        assert!(w
            .p
            .check_range("x", Some(Decimal::ZERO), None, "must be ≥ 0")
            .is_err());
        let w: W = toml::from_str("p = { dist = \"lognormal\", mean = 1, sd = 0.2 }").unwrap();
        assert!(w
            .p
            .check_range("x", Some(Decimal::ZERO), Some(Decimal::TEN), "≤ 10")
            .is_err());
        let w: W =
            toml::from_str("p = { dist = \"scenarios\", values = [1, 2], probs = [0.5, 0.4] }")
                .unwrap();
        assert!(w.p.check_range("x", None, None, "").is_err());
    }

    #[test]
    fn money_with_an_unbounded_tail_is_checked_on_its_moments() {
        let w: W =
            toml::from_str("p = { dist = \"lognormal\", mean = 1800000, sd = 200000 }").unwrap();
        assert!(w.p.check_money("x", false).is_ok());
        let w: W = toml::from_str("p = { dist = \"lognormal\", mean = 1e14, sd = 1e14 }").unwrap();
        assert!(w.p.check_money("x", false).is_err());
        // A normal amount can go negative: rejected where negatives are not allowed.
        let w: W = toml::from_str("p = { dist = \"normal\", mean = 100, sd = 10 }").unwrap();
        assert!(w.p.check_money("x", false).is_err());
        assert!(w.p.check_money("x", true).is_ok());
        let w: W =
            toml::from_str("p = { dist = \"normal\", mean = 100, sd = 10, min = 0 }").unwrap();
        assert!(w.p.check_money("x", false).is_ok());
    }
}
