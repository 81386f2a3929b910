//! `[finance.invest]`: the investment round (VC method, First Chicago scenarios, scorecard,
//! checklist, 先投后股 conversion, later rounds) and its validation.

use super::*;
use crate::error::{Error, Result};
use crate::money::{de_decimal, Money};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The terminal (exit) value for the VC method.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TerminalValue {
    /// Terminal-year net income (元); with `pe` gives TV = NI × P/E.
    #[serde(default)]
    pub net_income: Option<Money>,
    /// Price/earnings multiple at exit.
    #[serde(default, deserialize_with = "de_opt_decimal")]
    pub pe: Option<Decimal>,
    /// Or the terminal (exit) value directly (元).
    #[serde(default)]
    pub value: Option<Money>,
}

/// A First Chicago scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Name (`success`, `sideways`, `failure`).
    pub name: String,
    /// Probability (all scenarios sum to 1).
    #[serde(deserialize_with = "de_decimal")]
    pub probability: Decimal,
    /// Exit value in this scenario (元).
    pub terminal_value: Money,
    /// Years to exit in this scenario (default: `finance.invest.years`).
    #[serde(default)]
    pub years: Option<u32>,
}

/// A weighted factor of the scorecard or checklist method.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Factor {
    /// Name (`management`, `opportunity`, `technology`, …).
    pub name: String,
    /// Weight (weights sum to 1).
    #[serde(deserialize_with = "de_decimal")]
    pub weight: Decimal,
    /// Scorecard: rating relative to the average deal (1 = average, 0–3).
    /// Checklist: achievement of the factor's maximum (0–1).
    #[serde(deserialize_with = "de_decimal")]
    pub score: Decimal,
}

/// `[finance.invest.scorecard]` (Payne): pre-money = average pre-money × Σ weight × rating.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scorecard {
    /// Average (median) pre-money of comparable deals in the region and stage (元).
    pub average_pre_money: Money,
    /// Factors.
    pub factors: Vec<Factor>,
}

/// `[finance.invest.checklist]` (Payne): pre-money = Σ weight × maximum × achievement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checklist {
    /// The highest pre-money a deal of this stage fetches in the region (元).
    pub max_pre_money: Money,
    /// Factors.
    pub factors: Vec<Factor>,
}

/// `[finance.invest.convert]`: 先投后股 — project funding that converts to equity at the next
/// round: stake = F / (post_next × (1 − discount)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Conversion {
    /// Funding F given now (元).
    pub funding: Money,
    /// Post-money of the next round (元).
    pub next_post_money: Money,
    /// Discount on the next round's price (fraction, default 0).
    #[serde(default, deserialize_with = "de_decimal")]
    pub discount: Decimal,
}

/// `[[finance.invest.rounds]]`: a later round that dilutes existing holders.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Round {
    /// Name (`A`, `B`).
    pub name: String,
    /// New money (元).
    pub investment: Money,
    /// Pre-money of the round (元).
    pub pre_money: Money,
    /// Option pool created in the round, as a fraction of post-money (default 0).
    #[serde(default, deserialize_with = "de_decimal")]
    pub option_pool: Decimal,
}

/// `[finance.invest]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvestInputs {
    /// Amount the fund invests now (元). Default: `funding_need` less the loan offered.
    #[serde(default)]
    pub investment: Option<Money>,
    /// The venture's total funding need (元); with no `investment`, equity = need − loan.
    #[serde(default)]
    pub funding_need: Option<Money>,
    /// Years to exit.
    pub years: u32,
    /// Required annual return given directly.
    #[serde(default, deserialize_with = "de_opt_decimal")]
    pub target_return: Option<Decimal>,
    /// Or a target multiple of the investment at exit: ROI = multiple^(1/n) − 1.
    #[serde(default, deserialize_with = "de_opt_decimal")]
    pub target_multiple: Option<Decimal>,
    /// Or a stage id of `models/vc_stage_returns.toml` (midpoint of its range).
    #[serde(default)]
    pub stage: Option<String>,
    /// Probability the venture reaches the exit (default 1): expected TV = p × TV.
    #[serde(default, deserialize_with = "de_opt_decimal")]
    pub success_probability: Option<Decimal>,
    /// Share of today's stake kept at exit after later rounds (retention, default 1).
    #[serde(default, deserialize_with = "de_opt_decimal")]
    pub retention: Option<Decimal>,
    /// Terminal value for the VC method.
    #[serde(default)]
    pub terminal: Option<TerminalValue>,
    /// First Chicago scenarios.
    #[serde(default)]
    pub scenarios: Vec<Scenario>,
    /// Scorecard method.
    #[serde(default)]
    pub scorecard: Option<Scorecard>,
    /// Checklist method.
    #[serde(default)]
    pub checklist: Option<Checklist>,
    /// 先投后股 conversion.
    #[serde(default)]
    pub convert: Option<Conversion>,
    /// Later rounds (dilution).
    #[serde(default)]
    pub rounds: Vec<Round>,
    /// Berkus method.
    #[serde(default)]
    pub berkus: Option<Berkus>,
    /// Risk-factor summation method.
    #[serde(default)]
    pub risk_factor_summation: Option<RiskFactorSummation>,
    /// Real option to commercialise (Black–Scholes; binomial lattice for staged investment).
    #[serde(default)]
    pub real_option: Option<RealOptionInputs>,
}

impl InvestInputs {
    pub(super) fn validate(&self) -> Result<()> {
        let p = "finance.invest";
        if let Some(b) = &self.berkus {
            validate_berkus(b, &format!("{p}.berkus"))?;
        }
        if let Some(r) = &self.risk_factor_summation {
            validate_rfs(r, &format!("{p}.risk_factor_summation"))?;
        }
        if let Some(o) = &self.real_option {
            validate_option(o, &format!("{p}.real_option"))?;
        }
        let (z, one) = (Decimal::ZERO, Decimal::ONE);
        if let Some(m) = self.investment {
            check_money(&format!("{p}.investment"), m, true)?;
        }
        if let Some(m) = self.funding_need {
            check_money(&format!("{p}.funding_need"), m, true)?;
        }
        if !(1..=30).contains(&self.years) {
            return Err(Error::field(
                format!("{p}.years"),
                self.years,
                "must be from 1 to 30 years",
            ));
        }
        let given = [
            self.target_return.is_some(),
            self.target_multiple.is_some(),
            self.stage.is_some(),
        ]
        .iter()
        .filter(|b| **b)
        .count();
        if given > 1 {
            return Err(Error::field(
                format!("{p}.target_return"),
                "",
                "give only one of target_return, target_multiple or stage",
            ));
        }
        if let Some(r) = self.target_return {
            check_frac(
                &format!("{p}.target_return"),
                r,
                z,
                Decimal::from(5),
                "must be a yearly return from 0 to 5 (500%)",
            )?;
        }
        if let Some(m) = self.target_multiple {
            check_frac(
                &format!("{p}.target_multiple"),
                m,
                one,
                Decimal::from(1000),
                "must be a multiple from 1 to 1000",
            )?;
        }
        if let Some(x) = self.success_probability {
            if x <= z || x > one {
                return Err(Error::field(
                    format!("{p}.success_probability"),
                    x.normalize(),
                    "must be a probability above 0 and at most 1",
                ));
            }
        }
        if let Some(x) = self.retention {
            if x <= z || x > one {
                return Err(Error::field(
                    format!("{p}.retention"),
                    x.normalize(),
                    "must be a retention ratio above 0 and at most 1",
                ));
            }
        }
        if let Some(t) = &self.terminal {
            match (t.net_income, t.pe, t.value) {
                (Some(ni), Some(pe), None) => {
                    check_money(&format!("{p}.terminal.net_income"), ni, false)?;
                    check_frac(
                        &format!("{p}.terminal.pe"),
                        pe,
                        z,
                        Decimal::from(1000),
                        "must be a P/E multiple from 0 to 1000",
                    )?;
                }
                (None, None, Some(v)) => check_money(&format!("{p}.terminal.value"), v, false)?,
                _ => {
                    return Err(Error::field(
                        format!("{p}.terminal"),
                        "",
                        "give net_income and pe, or value (not both)",
                    ))
                }
            }
        }
        if !self.scenarios.is_empty() {
            let mut sum = z;
            for (i, s) in self.scenarios.iter().enumerate() {
                check_frac(
                    &format!("{p}.scenarios[{i}].probability"),
                    s.probability,
                    z,
                    one,
                    "must be a probability from 0 to 1",
                )?;
                check_money(
                    &format!("{p}.scenarios[{i}].terminal_value"),
                    s.terminal_value,
                    false,
                )?;
                if let Some(y) = s.years {
                    if !(1..=30).contains(&y) {
                        return Err(Error::field(
                            format!("{p}.scenarios[{i}].years"),
                            y,
                            "must be from 1 to 30 years",
                        ));
                    }
                }
                sum += s.probability;
            }
            if (sum - one).abs() > Decimal::new(1, 9) {
                return Err(Error::field(
                    format!("{p}.scenarios[*].probability"),
                    sum.normalize(),
                    "scenario probabilities must sum to 1",
                ));
            }
        }
        if let Some(s) = &self.scorecard {
            check_money(
                &format!("{p}.scorecard.average_pre_money"),
                s.average_pre_money,
                true,
            )?;
            check_weights(
                &format!("{p}.scorecard.factors"),
                &s.factors,
                Decimal::from(3),
                "must be a rating from 0 to 3 (1 = the average deal)",
            )?;
        }
        if let Some(c) = &self.checklist {
            check_money(
                &format!("{p}.checklist.max_pre_money"),
                c.max_pre_money,
                true,
            )?;
            check_weights(
                &format!("{p}.checklist.factors"),
                &c.factors,
                one,
                "must be an achievement from 0 to 1 of the factor's maximum",
            )?;
        }
        if let Some(c) = &self.convert {
            check_money(&format!("{p}.convert.funding"), c.funding, true)?;
            check_money(
                &format!("{p}.convert.next_post_money"),
                c.next_post_money,
                true,
            )?;
            check_frac(
                &format!("{p}.convert.discount"),
                c.discount,
                z,
                Decimal::new(9, 1),
                "must be a discount from 0 to 0.9",
            )?;
        }
        for (i, r) in self.rounds.iter().enumerate() {
            check_money(&format!("{p}.rounds[{i}].investment"), r.investment, true)?;
            check_money(&format!("{p}.rounds[{i}].pre_money"), r.pre_money, true)?;
            check_frac(
                &format!("{p}.rounds[{i}].option_pool"),
                r.option_pool,
                z,
                Decimal::new(5, 1),
                "must be a fraction of post-money from 0 to 0.5",
            )?;
        }
        Ok(())
    }
}
