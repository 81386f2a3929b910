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

use crate::error::FieldError;
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
    /// The rate rule.
    pub rate: RateRule,
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

impl Rulebook {
    /// The bank party.
    pub fn bank(&self) -> Option<&Party> {
        self.risk_sharing
            .parties
            .iter()
            .find(|p| p.role == Role::Bank)
    }

    /// A party by id.
    pub fn party(&self, id: &str) -> Option<&Party> {
        self.risk_sharing.parties.iter().find(|p| p.id == id)
    }

    /// The pledge rate for a kind (`None`: not accepted as collateral).
    pub fn pledge_rate(&self, kind: IpKind) -> Option<Decimal> {
        self.pledge.rates.get(&kind).map(|d| d.0)
    }

    /// Checks values and their relations; errors name the field path.
    pub fn validate(&self) -> Result<(), FieldError> {
        let one = Decimal::ONE;
        if self.id.trim().is_empty() {
            return Err(FieldError::new("id", "\"\"", "must not be empty"));
        }
        if let Some(q) = &self.pledge.quantile {
            if !(q.0 > Decimal::ZERO && q.0 < one) {
                return Err(FieldError::new(
                    "pledge.quantile",
                    q.0.normalize(),
                    "must be a quantile strictly between 0 and 1 (0.10 = P10)",
                ));
            }
        }
        for (k, r) in &self.pledge.rates {
            frac(
                &format!("pledge.rates.{}", k.as_str()),
                r.0,
                one,
                "a pledge rate",
            )?;
        }
        if let Some(m) = self.loan.max_amount {
            if m.is_negative() || m.is_zero() {
                return Err(FieldError::new(
                    "loan.max_amount",
                    m,
                    "must be an amount in 元 above 0 (leave it out for no cap)",
                ));
            }
        }
        if !(1..=360).contains(&self.loan.max_tenor_months) {
            return Err(FieldError::new(
                "loan.max_tenor_months",
                self.loan.max_tenor_months,
                "must be from 1 to 360 months",
            ));
        }
        if self.loan.dscr_min <= Decimal::ZERO || self.loan.dscr_min > Decimal::TEN {
            return Err(FieldError::new(
                "loan.dscr_min",
                self.loan.dscr_min.normalize(),
                "must be above 0 and at most 10 (e.g. 1.25)",
            ));
        }
        let rr = &self.loan.rate;
        let band = Decimal::new(2, 1);
        if rr.spread.abs() > band {
            return Err(FieldError::new(
                "loan.rate.spread",
                rr.spread.normalize(),
                "must be a spread from -0.2 to 0.2 (0.015 = 150 bp)",
            ));
        }
        if let Some(m) = rr.max_spread {
            if m.abs() > band {
                return Err(FieldError::new(
                    "loan.rate.max_spread",
                    m.normalize(),
                    "must be a spread from -0.2 to 0.2",
                ));
            }
            if rr.spread > m {
                return Err(FieldError::new(
                    "loan.rate.spread",
                    rr.spread.normalize(),
                    format!("must not exceed loan.rate.max_spread = {}", m.normalize()),
                ));
            }
        }
        frac(
            "liquidation.haircut",
            self.liquidation.haircut,
            one,
            "a haircut",
        )?;
        frac(
            "liquidation.disposal_cost",
            self.liquidation.disposal_cost,
            one,
            "a disposal cost",
        )?;
        if let Some(s) = &self.subsidy {
            frac("subsidy.rate", s.rate, band, "a subsidy rate")?;
        }
        self.validate_sharing()?;
        self.validate_guarantee()
    }

    fn validate_sharing(&self) -> Result<(), FieldError> {
        let rs = &self.risk_sharing;
        if rs.parties.is_empty() {
            return Err(FieldError::new(
                "risk_sharing.parties",
                "[]",
                "list at least the bank (role = \"bank\")",
            ));
        }
        let mut sum = Decimal::ZERO;
        for (i, p) in rs.parties.iter().enumerate() {
            frac(
                &format!("risk_sharing.parties[{i}].share"),
                p.share,
                Decimal::ONE,
                "a share",
            )?;
            if p.id.trim().is_empty() {
                return Err(FieldError::new(
                    format!("risk_sharing.parties[{i}].id"),
                    "\"\"",
                    "must not be empty",
                ));
            }
            if rs.parties[..i].iter().any(|q| q.id == p.id) {
                return Err(FieldError::new(
                    format!("risk_sharing.parties[{i}].id"),
                    format!("\"{}\"", p.id),
                    "is used by an earlier party: ids must be unique",
                ));
            }
            sum += p.share;
        }
        if (sum - Decimal::ONE).abs() > SUM_TOL {
            let shown: Vec<String> = rs
                .parties
                .iter()
                .map(|p| p.share.normalize().to_string())
                .collect();
            return Err(FieldError::new(
                "risk_sharing.parties[*].share",
                format!("[{}]", shown.join(", ")),
                format!(
                    "shares sum to {} ({}%); they must sum to 1 (100%)",
                    sum.normalize(),
                    (sum * Decimal::ONE_HUNDRED).normalize()
                ),
            ));
        }
        let banks = rs.parties.iter().filter(|p| p.role == Role::Bank).count();
        if banks != 1 {
            return Err(FieldError::new(
                "risk_sharing.parties[*].role",
                format!("{banks} parties with role = \"bank\""),
                "exactly one party must have role = \"bank\"",
            ));
        }
        let bank_share = self.bank().map_or(Decimal::ZERO, |b| b.share);
        let bank_path = format!(
            "risk_sharing.parties[{}].share",
            rs.parties
                .iter()
                .position(|p| p.role == Role::Bank)
                .unwrap_or(0)
        );
        if let Some(m) = rs.bank_share_min {
            frac("risk_sharing.bank_share_min", m, Decimal::ONE, "a share")?;
            if bank_share < m {
                return Err(FieldError::new(
                    bank_path.as_str(),
                    bank_share.normalize(),
                    format!(
                        "the programme requires the bank to bear at least risk_sharing.bank_share_min = {}",
                        m.normalize()
                    ),
                ));
            }
        }
        if let Some(m) = rs.bank_share_max {
            frac("risk_sharing.bank_share_max", m, Decimal::ONE, "a share")?;
            if bank_share > m {
                return Err(FieldError::new(
                    bank_path.as_str(),
                    bank_share.normalize(),
                    format!(
                        "the programme limits the bank to at most risk_sharing.bank_share_max = {}",
                        m.normalize()
                    ),
                ));
            }
        }
        if let Some(pool) = &rs.pool {
            frac(
                "risk_sharing.pool.rate",
                pool.rate,
                Decimal::ONE,
                "a compensation rate",
            )?;
            frac(
                "risk_sharing.pool.cap_share_of_loss",
                pool.cap_share_of_loss,
                Decimal::ONE,
                "a cap share",
            )?;
            if let Some(c) = pool.cap_amount {
                if c.is_negative() {
                    return Err(FieldError::new(
                        "risk_sharing.pool.cap_amount",
                        c,
                        "must not be negative",
                    ));
                }
            }
            match pool.timing {
                PoolTiming::BeforeSplit if !pool.covers.is_empty() => {
                    return Err(FieldError::new(
                        "risk_sharing.pool.covers",
                        format!("{:?}", pool.covers),
                        "is only used with timing = \"after_split\" (before the split the pool pays first, for everyone)",
                    ));
                }
                PoolTiming::AfterSplit if pool.covers.is_empty() => {
                    return Err(FieldError::new(
                        "risk_sharing.pool.covers",
                        "[]",
                        "with timing = \"after_split\" list the party ids the pool reimburses",
                    ));
                }
                _ => {}
            }
            for (i, c) in pool.covers.iter().enumerate() {
                if self.party(c).is_none() {
                    return Err(FieldError::new(
                        format!("risk_sharing.pool.covers[{i}]"),
                        format!("\"{c}\""),
                        "is not the id of a party in risk_sharing.parties",
                    ));
                }
            }
        }
        Ok(())
    }

    fn validate_guarantee(&self) -> Result<(), FieldError> {
        let others = self
            .risk_sharing
            .parties
            .iter()
            .filter(|p| p.role != Role::Bank)
            .count();
        match &self.guarantee {
            None => {
                if others > 0 {
                    return Err(FieldError::new(
                        "guarantee",
                        "",
                        "risk_sharing lists parties besides the bank, so a [guarantee] section (coverage, fees) is required",
                    ));
                }
            }
            Some(g) => {
                if others == 0 {
                    return Err(FieldError::new(
                        "risk_sharing.parties",
                        "",
                        "a [guarantee] needs at least one party besides the bank to share losses",
                    ));
                }
                frac(
                    "guarantee.coverage",
                    g.coverage,
                    Decimal::ONE,
                    "a coverage share",
                )?;
                if g.coverage.is_zero() {
                    return Err(FieldError::new(
                        "guarantee.coverage",
                        0,
                        "must be above 0 (leave out [guarantee] for an unguaranteed loan)",
                    ));
                }
                for (i, f) in g.fees.iter().enumerate() {
                    let p = format!("guarantee.fees[{i}]");
                    frac(
                        &format!("{p}.rate"),
                        f.rate,
                        Decimal::new(2, 1),
                        "a fee rate",
                    )?;
                    if let Some(r) = &f.reduced {
                        frac(
                            &format!("{p}.reduced.rate"),
                            r.rate,
                            Decimal::new(2, 1),
                            "a fee rate",
                        )?;
                        if r.up_to.is_negative() {
                            return Err(FieldError::new(
                                format!("{p}.reduced.up_to"),
                                r.up_to,
                                "must not be negative",
                            ));
                        }
                    }
                    match self.party(&f.recipient) {
                        None => {
                            return Err(FieldError::new(
                                format!("{p}.recipient"),
                                format!("\"{}\"", f.recipient),
                                "is not the id of a party in risk_sharing.parties",
                            ))
                        }
                        Some(r) if r.role == Role::Bank => {
                            return Err(FieldError::new(
                                format!("{p}.recipient"),
                                format!("\"{}\"", f.recipient),
                                "a guarantee fee goes to a guarantor or re-guarantor, not the bank",
                            ))
                        }
                        _ => {}
                    }
                }
            }
        }
        Ok(())
    }
}

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
