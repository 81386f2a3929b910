//! `[finance.invest.berkus]`, `[finance.invest.risk_factor_summation]` and
//! `[finance.invest.real_option]`: the inputs of the early-stage methods and their validation.

use super::*;
use crate::error::{Error, Result};
use crate::money::{de_decimal, Money};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// One element of the Berkus method: what the element can add at most, and how far it is
/// achieved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BerkusFactor {
    /// The element (`sound idea`, `prototype`, `management team`, `strategic relationships`,
    /// `product rollout`).
    pub name: String,
    /// The most this element can add to the pre-money (元).
    pub max: Money,
    /// How far it is achieved, 0–1.
    #[serde(deserialize_with = "de_decimal")]
    pub achievement: Decimal,
}

/// `[finance.invest.berkus]` (Berkus 1990s, revised 2016): pre-money = Σ max_i × achievement_i
/// over the elements that de-risk a pre-revenue venture.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Berkus {
    /// The elements.
    pub factors: Vec<BerkusFactor>,
}

/// One risk of the risk-factor summation method, rated −2 (very high risk) … +2 (very low).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskFactor {
    /// The risk (`management`, `stage of the business`, `legislation`, `manufacturing`,
    /// `sales and marketing`, `funding`, `competition`, `technology`, `litigation`,
    /// `international`, `reputation`, `exit`).
    pub name: String,
    /// −2 … +2.
    pub rating: i32,
}

/// `[finance.invest.risk_factor_summation]`: pre-money = base + step × Σ rating_i.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskFactorSummation {
    /// The average pre-money of comparable pre-revenue ventures (元).
    pub base_pre_money: Money,
    /// The value of one rating point (元; the method's US original: $250,000).
    pub step: Money,
    /// The risks.
    pub factors: Vec<RiskFactor>,
}

/// A stage of a staged investment: pay `cost` at `time` to keep the option to launch alive.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptionStage {
    /// Years from now.
    #[serde(deserialize_with = "de_decimal")]
    pub time: Decimal,
    /// The cost of the stage (元).
    pub cost: Money,
}

/// `[finance.invest.real_option]`: the technology as the option to invest `investment` at
/// `years` in a product whose cash flows are worth `underlying` today.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RealOptionInputs {
    /// S: present value today of the product's cash flows if it is launched (元).
    pub underlying: Money,
    /// K: the investment to commercialise, paid at `years` (元).
    pub investment: Money,
    /// T: years until the launch decision.
    #[serde(deserialize_with = "de_decimal")]
    pub years: Decimal,
    /// σ: the yearly volatility of the underlying's value.
    #[serde(deserialize_with = "de_decimal")]
    pub volatility: Decimal,
    /// r: the risk-free rate (continuously compounded, a year).
    #[serde(deserialize_with = "de_decimal")]
    pub risk_free: Decimal,
    /// Steps of the binomial lattice (default 500).
    #[serde(default)]
    pub steps: Option<u32>,
    /// Earlier stages (staged investment, a compound option).
    #[serde(default)]
    pub stages: Vec<OptionStage>,
}

pub(super) fn validate_berkus(b: &Berkus, p: &str) -> Result<()> {
    if b.factors.is_empty() {
        return Err(Error::field(
            format!("{p}.factors"),
            "[]",
            "list the elements (name, max, achievement)",
        ));
    }
    for (i, f) in b.factors.iter().enumerate() {
        check_money(&format!("{p}.factors[{i}].max"), f.max, false)?;
        check_frac(
            &format!("{p}.factors[{i}].achievement"),
            f.achievement,
            Decimal::ZERO,
            Decimal::ONE,
            "must be an achievement from 0 to 1",
        )?;
    }
    Ok(())
}

pub(super) fn validate_rfs(r: &RiskFactorSummation, p: &str) -> Result<()> {
    check_money(&format!("{p}.base_pre_money"), r.base_pre_money, true)?;
    check_money(&format!("{p}.step"), r.step, false)?;
    if r.factors.is_empty() {
        return Err(Error::field(
            format!("{p}.factors"),
            "[]",
            "list the risks (name, rating from -2 to 2)",
        ));
    }
    for (i, f) in r.factors.iter().enumerate() {
        if !(-2..=2).contains(&f.rating) {
            return Err(Error::field(
                format!("{p}.factors[{i}].rating"),
                f.rating,
                "must be a rating from -2 (very high risk) to 2 (very low risk)",
            ));
        }
    }
    Ok(())
}

pub(super) fn validate_option(o: &RealOptionInputs, p: &str) -> Result<()> {
    check_money(&format!("{p}.underlying"), o.underlying, true)?;
    check_money(&format!("{p}.investment"), o.investment, false)?;
    check_frac(
        &format!("{p}.years"),
        o.years,
        Decimal::new(1, 2),
        Decimal::from(30),
        "must be from 0.01 to 30 years",
    )?;
    check_frac(
        &format!("{p}.volatility"),
        o.volatility,
        Decimal::new(1, 3),
        Decimal::from(3),
        "must be a yearly volatility from 0.001 to 3",
    )?;
    check_frac(
        &format!("{p}.risk_free"),
        o.risk_free,
        Decimal::new(-5, 2),
        Decimal::new(5, 1),
        "must be a rate from -0.05 to 0.5",
    )?;
    if let Some(n) = o.steps {
        if !(10..=5000).contains(&n) {
            return Err(Error::field(
                format!("{p}.steps"),
                n,
                "must be from 10 to 5000 lattice steps",
            ));
        }
    }
    let mut last = Decimal::ZERO;
    for (i, s) in o.stages.iter().enumerate() {
        if s.time <= last || s.time >= o.years {
            return Err(Error::field(
                format!("{p}.stages[{i}].time"),
                s.time.normalize(),
                format!(
                    "must be after the previous stage and before the launch at {} years",
                    o.years.normalize()
                ),
            ));
        }
        last = s.time;
        check_money(&format!("{p}.stages[{i}].cost"), s.cost, false)?;
    }
    Ok(())
}
