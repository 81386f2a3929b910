//! The rulebook schema: pledge rates, loan limits, the rate rule, liquidation, guarantee fees,
//! risk-sharing parties and pool, subsidy (serde types of `models/rulebooks/*.toml`).

use super::*;
use crate::money::{de_decimal, Money};
use crate::param::DecimalValue;
use crate::subject::IpKind;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Which value pledge rates apply to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueBasis {
    /// The appraised (point) value.
    Point,
    /// The downside value from Monte Carlo (e.g. P5/P10).
    Downside,
}

impl ValueBasis {
    /// Schema name.
    pub fn as_str(self) -> &'static str {
        match self {
            ValueBasis::Point => "point",
            ValueBasis::Downside => "downside",
        }
    }
}

/// `[pledge]`: pledge rates (质押率) by IP kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PledgeRules {
    /// The value the rates apply to.
    pub basis: ValueBasis,
    /// Quantile of the Monte Carlo value used as the downside (0.10 = P10). When set, it
    /// prevails over the case's `simulation.pledge_quantile`; default P10.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantile: Option<DecimalValue>,
    /// Pledge rate per kind, a fraction of the value. A kind not listed is not accepted as
    /// collateral (its pledge value is 0, with a warning).
    pub rates: BTreeMap<IpKind, DecimalValue>,
    /// Tiers of the pledge rate by score grade: rate = rates[kind] × factor[grade].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_by_grade: Option<GradeTiers>,
}

/// `[pledge.rate_by_grade]`: the factor on the kind's pledge rate for each score grade
/// (`[scoring]` of the case, `models/scoring/`), and for a subject without a grade.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradeTiers {
    /// Factor for grade A.
    #[serde(rename = "A")]
    pub a: DecimalValue,
    /// Factor for grade B.
    #[serde(rename = "B")]
    pub b: DecimalValue,
    /// Factor for grade C.
    #[serde(rename = "C")]
    pub c: DecimalValue,
    /// Factor for grade D (and a vetoed subject).
    #[serde(rename = "D")]
    pub d: DecimalValue,
    /// Factor for a subject that was not scored or fell below the coverage floor.
    pub ungraded: DecimalValue,
}

impl GradeTiers {
    /// The factor for a grade (None: ungraded).
    pub fn factor(&self, g: Option<crate::scoring::Grade>) -> Decimal {
        use crate::scoring::Grade;
        match g {
            Some(Grade::A) => self.a.0,
            Some(Grade::B) => self.b.0,
            Some(Grade::C) => self.c.0,
            Some(Grade::D) => self.d.0,
            None => self.ungraded.0,
        }
    }
}

/// Which LPR the loan rate is built on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RateBase {
    /// 1-year LPR.
    #[serde(rename = "lpr_1y")]
    Lpr1y,
    /// 5-year-and-above LPR.
    #[serde(rename = "lpr_5y")]
    Lpr5y,
}

impl RateBase {
    /// Schema name.
    pub fn as_str(self) -> &'static str {
        match self {
            RateBase::Lpr1y => "lpr_1y",
            RateBase::Lpr5y => "lpr_5y",
        }
    }
}

/// `[loan.rate]`: rate = base + spread, the spread capped at `max_spread`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateRule {
    /// The base rate.
    pub base: RateBase,
    /// Spread over the base when the case asks for none (fraction: 0.015 = 150 bp).
    #[serde(deserialize_with = "de_decimal")]
    pub spread: Decimal,
    /// The largest spread allowed (e.g. 0.015 for "≤ 1-year LPR + 150 bp"); none = no cap.
    #[serde(default, deserialize_with = "de_opt_decimal")]
    pub max_spread: Option<Decimal>,
}

/// `[loan]`: size and tenor limits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoanRules {
    /// Programme cap per borrower in 元 (none = no programme cap).
    #[serde(default)]
    pub max_amount: Option<Money>,
    /// Longest tenor in months.
    pub max_tenor_months: u32,
    /// Minimum debt-service coverage ratio for the DSCR cap (e.g. 1.25).
    #[serde(deserialize_with = "de_decimal")]
    pub dscr_min: Decimal,
    /// What a bullet (先息后本) loan's peak debt service holds for the DSCR cap: the final
    /// year's interest and the principal (default), or interest only where the programme
    /// refinances at maturity.
    #[serde(default)]
    pub dscr_bullet: DscrBullet,
    /// The rate rule.
    pub rate: RateRule,
}

/// The debt service a bullet loan is sized on (`loan.dscr_bullet`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DscrBullet {
    /// The last year's interest plus the principal repaid at maturity.
    #[default]
    InterestAndPrincipal,
    /// Interest only (the programme refinances the principal at maturity).
    InterestOnly,
}

/// `[liquidation]`: what the pledged IP fetches in default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LiquidationRules {
    /// Haircut on the lending value in a forced sale (fraction).
    #[serde(deserialize_with = "de_decimal")]
    pub haircut: Decimal,
    /// Disposal cost (auction, legal, broker) as a fraction of the forced-sale price.
    #[serde(deserialize_with = "de_decimal")]
    pub disposal_cost: Decimal,
}

/// Who pays a fee.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Payer {
    /// The borrower (counts in the all-in cost).
    Borrower,
    /// A guarantor (e.g. the re-guarantee fee a guarantor pays the re-guarantor).
    Guarantor,
}

/// What a fee rate applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeeBasis {
    /// The guaranteed amount.
    GuaranteedAmount,
    /// The recipient's own risk share of the guaranteed amount (re-guarantee fees are charged
    /// "按承担风险责任" — on the risk the re-guarantor bears).
    RecipientRisk,
}

/// A lower rate for small exposures (e.g. 0.3 % for guarantees ≤ 5,000,000 元).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReducedRate {
    /// The reduced rate applies when the guaranteed amount is at most this.
    pub up_to: Money,
    /// The reduced yearly rate.
    #[serde(deserialize_with = "de_decimal")]
    pub rate: Decimal,
}

/// `[[guarantee.fees]]`: a yearly fee.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeeRule {
    /// Name (`担保费`, `再担保费`).
    pub name: String,
    /// Who pays.
    pub payer: Payer,
    /// The party id that receives it.
    pub recipient: String,
    /// What the rate applies to.
    pub basis: FeeBasis,
    /// Yearly rate (fraction).
    #[serde(deserialize_with = "de_decimal")]
    pub rate: Decimal,
    /// A reduced rate for small guaranteed amounts.
    #[serde(default)]
    pub reduced: Option<ReducedRate>,
}

/// `[guarantee]`: the guarantee behind the loan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GuaranteeRules {
    /// Share of the loan guaranteed (1 = the whole loan; losses on it are then shared by
    /// `[risk_sharing]`, the bank included). The unguaranteed rest is the bank's alone.
    #[serde(deserialize_with = "de_decimal")]
    pub coverage: Decimal,
    /// Counter-guarantees (反担保) the guarantor takes, e.g. `["ip_pledge",
    /// "shareholder_joint_liability"]`. `ip_pledge` is quantified by the IP's liquidation value.
    #[serde(default)]
    pub counter_guarantee: Vec<String>,
    /// Fees.
    #[serde(default)]
    pub fees: Vec<FeeRule>,
}

/// Role of a party in the loss split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The lending bank (exactly one).
    Bank,
    /// A guarantor (融资担保机构).
    Guarantor,
    /// A re-guarantor (省级再担保, 国家融资担保基金).
    ReGuarantor,
    /// A government fund taking a share of the split (not the pool below).
    Government,
}

impl Role {
    /// Schema name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Bank => "bank",
            Role::Guarantor => "guarantor",
            Role::ReGuarantor => "re_guarantor",
            Role::Government => "government",
        }
    }
}

/// One party of the loss split.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Party {
    /// Identifier (`bank`, `national_fund`, …), referenced by fees and the pool.
    pub id: String,
    /// Chinese name.
    pub name_zh: String,
    /// Role.
    pub role: Role,
    /// Share of the guaranteed loss (shares of all parties sum to 1).
    #[serde(deserialize_with = "de_decimal")]
    pub share: Decimal,
}

/// When the compensation pool pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PoolTiming {
    /// The pool pays `rate` × the guaranteed loss first (capped); the parties split the rest.
    BeforeSplit,
    /// The parties split the loss first; the pool then reimburses `rate` × the loss each party
    /// in `covers` bore, the total capped.
    AfterSplit,
}

impl PoolTiming {
    /// Schema name.
    pub fn as_str(self) -> &'static str {
        match self {
            PoolTiming::BeforeSplit => "before_split",
            PoolTiming::AfterSplit => "after_split",
        }
    }
}

/// `[risk_sharing.pool]`: a government risk-compensation pool (风险补偿资金池).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pool {
    /// Chinese name.
    pub name_zh: String,
    /// Before or after the split.
    pub timing: PoolTiming,
    /// Compensation rate: of the guaranteed loss (before split) or of each covered party's
    /// borne loss (after split).
    #[serde(deserialize_with = "de_decimal")]
    pub rate: Decimal,
    /// The pool pays at most this share of the principal loss.
    #[serde(deserialize_with = "de_decimal")]
    pub cap_share_of_loss: Decimal,
    /// The pool pays at most this amount per loan (none = no amount cap).
    #[serde(default)]
    pub cap_amount: Option<Money>,
    /// After split: the party ids the pool reimburses. Empty before split.
    #[serde(default)]
    pub covers: Vec<String>,
}

/// `[risk_sharing]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskSharing {
    /// The programme requires the bank's share to be at least this.
    #[serde(default, deserialize_with = "de_opt_decimal")]
    pub bank_share_min: Option<Decimal>,
    /// The programme limits the bank's share to at most this.
    #[serde(default, deserialize_with = "de_opt_decimal")]
    pub bank_share_max: Option<Decimal>,
    /// The parties and their shares.
    pub parties: Vec<Party>,
    /// The compensation pool.
    #[serde(default)]
    pub pool: Option<Pool>,
}

/// `[subsidy]`: an interest subsidy (贴息).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subsidy {
    /// Chinese name (`省级财政贴息`).
    pub name_zh: String,
    /// Yearly rate on the outstanding balance (fraction); never more than the interest paid.
    #[serde(deserialize_with = "de_decimal")]
    pub rate: Decimal,
}

/// A lending rulebook.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rulebook {
    /// Identifier (the file stem of a shipped rulebook).
    pub id: String,
    /// English name.
    pub name: String,
    /// Chinese name.
    pub name_zh: String,
    /// The date the figures were taken from their sources.
    #[serde(
        deserialize_with = "crate::dates::de_date",
        serialize_with = "ser_date"
    )]
    pub as_of: NaiveDate,
    /// Short citation (details in models/README.md).
    pub source: String,
    /// Pledge rates.
    pub pledge: PledgeRules,
    /// Loan limits and rate rule.
    pub loan: LoanRules,
    /// Liquidation assumptions for LGD.
    pub liquidation: LiquidationRules,
    /// The guarantee (none for a plain bank loan).
    #[serde(default)]
    pub guarantee: Option<GuaranteeRules>,
    /// Loss sharing.
    pub risk_sharing: RiskSharing,
    /// Interest subsidy.
    #[serde(default)]
    pub subsidy: Option<Subsidy>,
}
