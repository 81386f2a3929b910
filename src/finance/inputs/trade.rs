//! `[finance.trade]`: modes, mode factors, offers (lump sum, instalments, royalty, entry fee +
//! royalty, milestones, 先使用后付费) and the proceeds split, with their validation.

use super::*;
use crate::error::{Error, Result};
use crate::money::{de_decimal, Money};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// How the technology changes hands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TradeMode {
    /// 转让: the right is assigned.
    Assignment,
    /// 独占许可: exclusive licence (even the owner may not use it).
    ExclusiveLicence,
    /// 普通许可: non-exclusive licence.
    NonExclusiveLicence,
    /// 作价入股: contributed to a company for equity.
    EquityContribution,
}

impl TradeMode {
    /// All modes.
    pub const ALL: [TradeMode; 4] = [
        TradeMode::Assignment,
        TradeMode::ExclusiveLicence,
        TradeMode::NonExclusiveLicence,
        TradeMode::EquityContribution,
    ];
    /// Schema name.
    pub fn as_str(self) -> &'static str {
        match self {
            TradeMode::Assignment => "assignment",
            TradeMode::ExclusiveLicence => "exclusive_licence",
            TradeMode::NonExclusiveLicence => "non_exclusive_licence",
            TradeMode::EquityContribution => "equity_contribution",
        }
    }
    /// Chinese name.
    pub fn name_zh(self) -> &'static str {
        match self {
            TradeMode::Assignment => "转让",
            TradeMode::ExclusiveLicence => "独占许可",
            TradeMode::NonExclusiveLicence => "普通许可",
            TradeMode::EquityContribution => "作价入股",
        }
    }
}

/// `[finance.trade.mode_factors]`: price of each mode relative to the appraised value.
/// The defaults are stylised placeholders (no published table); state your own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModeFactors {
    /// Assignment (default 1).
    #[serde(default = "one", deserialize_with = "de_decimal")]
    pub assignment: Decimal,
    /// Exclusive licence (default 0.9, stylised).
    #[serde(default = "d_exclusive", deserialize_with = "de_decimal")]
    pub exclusive_licence: Decimal,
    /// Non-exclusive licence (default 0.4, stylised).
    #[serde(default = "d_non_exclusive", deserialize_with = "de_decimal")]
    pub non_exclusive_licence: Decimal,
    /// Equity contribution (default 1: contributed at the appraised value).
    #[serde(default = "one", deserialize_with = "de_decimal")]
    pub equity_contribution: Decimal,
}

pub(super) fn one() -> Decimal {
    Decimal::ONE
}
pub(super) fn d_exclusive() -> Decimal {
    Decimal::new(9, 1)
}
pub(super) fn d_non_exclusive() -> Decimal {
    Decimal::new(4, 1)
}

impl Default for ModeFactors {
    fn default() -> Self {
        ModeFactors {
            assignment: one(),
            exclusive_licence: d_exclusive(),
            non_exclusive_licence: d_non_exclusive(),
            equity_contribution: one(),
        }
    }
}

impl ModeFactors {
    /// The factor of a mode.
    pub fn of(&self, m: TradeMode) -> Decimal {
        match m {
            TradeMode::Assignment => self.assignment,
            TradeMode::ExclusiveLicence => self.exclusive_licence,
            TradeMode::NonExclusiveLicence => self.non_exclusive_licence,
            TradeMode::EquityContribution => self.equity_contribution,
        }
    }
}

/// A milestone payment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Milestone {
    /// Name (`clinical approval`, `first sale`).
    pub name: String,
    /// Years from signing.
    #[serde(deserialize_with = "de_decimal")]
    pub year: Decimal,
    /// Payment (元).
    pub amount: Money,
    /// Probability the milestone is reached.
    #[serde(deserialize_with = "de_decimal")]
    pub probability: Decimal,
}

/// A payment form offered by a buyer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "form", rename_all = "snake_case", deny_unknown_fields)]
pub enum Offer {
    /// 一次性付款.
    LumpSum {
        /// Amount (元).
        amount: Money,
        /// Years from signing (default 0).
        #[serde(default, deserialize_with = "de_decimal")]
        year: Decimal,
    },
    /// 分期付款: `count` payments of `amount`, the first at `first_year`, then every
    /// `every_years`.
    Instalments {
        /// Each payment (元).
        amount: Money,
        /// Number of payments.
        count: u32,
        /// Year of the first payment (default 0).
        #[serde(default, deserialize_with = "de_decimal")]
        first_year: Decimal,
        /// Years between payments (default 1).
        #[serde(default = "one", deserialize_with = "de_decimal")]
        every_years: Decimal,
    },
    /// 提成: a running royalty on the licensee's sales, paid at each year end.
    RunningRoyalty {
        /// Royalty rate on sales.
        #[serde(deserialize_with = "de_decimal")]
        rate: Decimal,
        /// Sales in years 1, 2, … (元).
        sales: Vec<Money>,
    },
    /// 入门费 + 提成.
    EntryFeeRoyalty {
        /// Entry fee at signing (元).
        entry_fee: Money,
        /// Royalty rate on sales.
        #[serde(deserialize_with = "de_decimal")]
        rate: Decimal,
        /// Sales in years 1, 2, … (元).
        sales: Vec<Money>,
    },
    /// 里程碑付款 with probabilities.
    Milestones {
        /// Upfront payment (元, default 0).
        #[serde(default)]
        upfront: Option<Money>,
        /// The milestones.
        milestones: Vec<Milestone>,
    },
    /// 先使用后付费: free use for `free_years`, then the licensee decides to pay a fee and/or a
    /// royalty — or returns the licence (probability `1 − take_up_probability`).
    UseFirstPayLater {
        /// Years of free use.
        #[serde(deserialize_with = "de_decimal")]
        free_years: Decimal,
        /// Probability the licensee keeps and pays.
        #[serde(deserialize_with = "de_decimal")]
        take_up_probability: Decimal,
        /// Fee due at the end of the free period (元, default 0).
        #[serde(default)]
        fee: Option<Money>,
        /// Royalty rate on sales after the free period (default 0).
        #[serde(default, deserialize_with = "de_decimal")]
        rate: Decimal,
        /// Sales in years 1, 2, … (元); only years after `free_years` bear the royalty.
        #[serde(default)]
        sales: Vec<Money>,
    },
}

impl Offer {
    /// Schema name of the form.
    pub fn form(&self) -> &'static str {
        match self {
            Offer::LumpSum { .. } => "lump_sum",
            Offer::Instalments { .. } => "instalments",
            Offer::RunningRoyalty { .. } => "running_royalty",
            Offer::EntryFeeRoyalty { .. } => "entry_fee_royalty",
            Offer::Milestones { .. } => "milestones",
            Offer::UseFirstPayLater { .. } => "use_first_pay_later",
        }
    }
    /// Chinese name of the form.
    pub fn form_zh(&self) -> &'static str {
        match self {
            Offer::LumpSum { .. } => "一次性付款",
            Offer::Instalments { .. } => "分期付款",
            Offer::RunningRoyalty { .. } => "提成支付",
            Offer::EntryFeeRoyalty { .. } => "入门费+提成",
            Offer::Milestones { .. } => "里程碑付款",
            Offer::UseFirstPayLater { .. } => "先使用后付费",
        }
    }
}

/// `[finance.trade]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TradeInputs {
    /// The seller is state-owned (国有) or a public institute: reserve-price rules apply.
    #[serde(default)]
    pub state_owned: bool,
    /// Listing / auction reserve price proposed (default: the appraised value).
    #[serde(default)]
    pub reserve_price: Option<Money>,
    /// The mode intended.
    pub mode: TradeMode,
    /// Price factors by mode.
    #[serde(default)]
    pub mode_factors: ModeFactors,
    /// The buyer's discount rate (PV of the payment forms).
    #[serde(deserialize_with = "de_decimal")]
    pub buyer_rate: Decimal,
    /// The offers to compare (payment forms).
    #[serde(default)]
    pub offers: Vec<Offer>,
    /// The research team's share of net proceeds (≥ 0.5 by law; default 0.5).
    #[serde(default, deserialize_with = "de_opt_decimal")]
    pub team_share: Option<Decimal>,
    /// Broker (技术经纪) commission on gross proceeds (default 0).
    #[serde(default, deserialize_with = "de_decimal")]
    pub broker_commission: Decimal,
    /// Other transaction costs deducted before the team's share (元, default 0).
    #[serde(default)]
    pub costs: Option<Money>,
}

impl TradeInputs {
    pub(super) fn validate(&self) -> Result<()> {
        let p = "finance.trade";
        let (z, one) = (Decimal::ZERO, Decimal::ONE);
        if let Some(r) = self.reserve_price {
            check_money(&format!("{p}.reserve_price"), r, true)?;
        }
        for m in TradeMode::ALL {
            check_frac(
                &format!("{p}.mode_factors.{}", m.as_str()),
                self.mode_factors.of(m),
                z,
                Decimal::from(5),
                "must be a factor from 0 to 5",
            )?;
        }
        check_frac(
            &format!("{p}.buyer_rate"),
            self.buyer_rate,
            z,
            Decimal::from(2),
            "must be a yearly discount rate from 0 to 2",
        )?;
        if let Some(t) = self.team_share {
            check_frac(
                &format!("{p}.team_share"),
                t,
                Decimal::new(5, 1),
                one,
                "must be from 0.5 to 1: 促进科技成果转化法 (2015) art. 45 gives the research team at least 50% of net proceeds",
            )?;
        }
        check_frac(
            &format!("{p}.broker_commission"),
            self.broker_commission,
            z,
            Decimal::new(5, 1),
            "must be a commission from 0 to 0.5",
        )?;
        if let Some(c) = self.costs {
            check_money(&format!("{p}.costs"), c, false)?;
        }
        for (i, o) in self.offers.iter().enumerate() {
            let q = format!("{p}.offers[{i}]");
            match o {
                Offer::LumpSum { amount, year } => {
                    check_money(&format!("{q}.amount"), *amount, false)?;
                    check_year(&format!("{q}.year"), *year)?;
                }
                Offer::Instalments {
                    amount,
                    count,
                    first_year,
                    every_years,
                } => {
                    check_money(&format!("{q}.amount"), *amount, false)?;
                    if !(1..=120).contains(count) {
                        return Err(Error::field(
                            format!("{q}.count"),
                            count,
                            "must be from 1 to 120 payments",
                        ));
                    }
                    check_year(&format!("{q}.first_year"), *first_year)?;
                    if *every_years <= z {
                        return Err(Error::field(
                            format!("{q}.every_years"),
                            every_years.normalize(),
                            "must be above 0 years",
                        ));
                    }
                    check_year(
                        &format!("{q}.every_years"),
                        *first_year + *every_years * Decimal::from(*count - 1),
                    )
                    .map_err(|_| {
                        Error::field(
                            format!("{q}.every_years"),
                            every_years.normalize(),
                            "the last instalment must fall within 50 years",
                        )
                    })?;
                }
                Offer::RunningRoyalty { rate, sales } => {
                    check_frac(
                        &format!("{q}.rate"),
                        *rate,
                        z,
                        one,
                        "must be a royalty rate from 0 to 1",
                    )?;
                    check_sales(&format!("{q}.sales"), sales)?;
                }
                Offer::EntryFeeRoyalty {
                    entry_fee,
                    rate,
                    sales,
                } => {
                    check_money(&format!("{q}.entry_fee"), *entry_fee, false)?;
                    check_frac(
                        &format!("{q}.rate"),
                        *rate,
                        z,
                        one,
                        "must be a royalty rate from 0 to 1",
                    )?;
                    check_sales(&format!("{q}.sales"), sales)?;
                }
                Offer::Milestones {
                    upfront,
                    milestones,
                } => {
                    if let Some(u) = upfront {
                        check_money(&format!("{q}.upfront"), *u, false)?;
                    }
                    if milestones.is_empty() {
                        return Err(Error::field(
                            format!("{q}.milestones"),
                            "[]",
                            "list at least one milestone",
                        ));
                    }
                    for (j, m) in milestones.iter().enumerate() {
                        check_money(&format!("{q}.milestones[{j}].amount"), m.amount, false)?;
                        check_year(&format!("{q}.milestones[{j}].year"), m.year)?;
                        check_frac(
                            &format!("{q}.milestones[{j}].probability"),
                            m.probability,
                            z,
                            one,
                            "must be a probability from 0 to 1",
                        )?;
                    }
                }
                Offer::UseFirstPayLater {
                    free_years,
                    take_up_probability,
                    fee,
                    rate,
                    sales,
                } => {
                    check_year(&format!("{q}.free_years"), *free_years)?;
                    check_frac(
                        &format!("{q}.take_up_probability"),
                        *take_up_probability,
                        z,
                        one,
                        "must be a probability from 0 to 1",
                    )?;
                    if let Some(f) = fee {
                        check_money(&format!("{q}.fee"), *f, false)?;
                    }
                    check_frac(
                        &format!("{q}.rate"),
                        *rate,
                        z,
                        one,
                        "must be a royalty rate from 0 to 1",
                    )?;
                    check_sales(&format!("{q}.sales"), sales)?;
                    if fee.is_none() && rate.is_zero() {
                        return Err(Error::field(
                            format!("{q}.fee"),
                            "",
                            "先使用后付费 needs a fee after the free period, a royalty rate, or both",
                        ));
                    }
                    if !rate.is_zero() && sales.is_empty() {
                        return Err(Error::field(
                            format!("{q}.sales"),
                            "[]",
                            "a royalty after the free period needs the licensee's sales",
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}
