//! 易 Trade: reserve price, the modes of transfer, payment forms and who gets the proceeds.
//!
//! * **Reserve price** (挂牌 / 拍卖底价): the appraised value is the base. For state-owned sellers
//!   (《企业国有资产交易监督管理办法》, 国资委 财政部令第 32 号, 2016) the transfer base price is set
//!   on the approved appraisal result, and a new base price below 90 % of it needs the written
//!   consent of the approving body. techval flags a proposed reserve below the appraised value,
//!   and below 90 % of it as needing approval (state-owned) or as a warning (others).
//! * **Modes**: assignment (转让), exclusive licence (独占许可), non-exclusive licence (普通许可),
//!   equity contribution (作价入股). Each mode's price basis = appraised value × the mode factor
//!   (case `[finance.trade.mode_factors]`; the defaults are stylised, see models/README.md);
//!   the equity contribution's stake = contributed value / the invest stage's post-money.
//! * **Payment forms** with PV at the buyer's rate `r_b`: `PV = Σ p_t × CF_t / (1 + r_b)^t`
//!   (`t` in years from signing, royalties at each year end, `p_t` the probability of the
//!   payment — milestones, 先使用后付费 take-up — else 1). Each PV is rounded to the fen.
//! * **Proceeds**: gross = the best offer's PV (or the reserve price when no offer is given);
//!   broker commission = rate × gross; net = gross − commission − costs; the research team
//!   gets `team_share × net` (≥ 50 %: 《促进科技成果转化法》 2015 art. 45), the institution the
//!   rest.

use super::inputs::{Offer, TradeInputs, TradeMode};
use super::invest::InvestmentView;
use crate::audit::{AuditTrail, AuditValue};
use crate::error::{MoneyContext, Result};
use crate::money::{round_half_away, Money};
use crate::tvm::discount_factor;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// How the proposed reserve compares with the appraised value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReserveStatus {
    /// At or above the appraised value.
    Compliant,
    /// Below the appraised value but at least 90 % of it.
    BelowAppraised,
    /// Below 90 % of the appraised value: state-owned sellers need the approving body's consent.
    NeedsApproval,
    /// Below 90 % for a seller not bound by the state-owned rules (a warning only).
    BelowNinetyPercent,
}

impl ReserveStatus {
    /// Schema name.
    pub fn as_str(self) -> &'static str {
        match self {
            ReserveStatus::Compliant => "compliant",
            ReserveStatus::BelowAppraised => "below_appraised",
            ReserveStatus::NeedsApproval => "needs_approval",
            ReserveStatus::BelowNinetyPercent => "below_90_percent",
        }
    }
    /// In words.
    pub fn describe(self) -> &'static str {
        match self {
            ReserveStatus::Compliant => "at or above the appraised value",
            ReserveStatus::BelowAppraised => "below the appraised value (within 90%)",
            ReserveStatus::NeedsApproval => {
                "below 90% of the appraised value: needs approval (state-owned)"
            }
            ReserveStatus::BelowNinetyPercent => "below 90% of the appraised value",
        }
    }
}

/// The reserve price check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReservePrice {
    /// Appraised value (base).
    pub appraised: Money,
    /// The proposed reserve (default: the appraised value).
    pub proposed: Money,
    /// proposed / appraised.
    pub ratio: Option<Decimal>,
    /// 90 % of the appraised value.
    pub approval_threshold: Money,
    /// State-owned seller.
    pub state_owned: bool,
    /// The check.
    pub status: ReserveStatus,
}

/// One mode of transfer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModeTerms {
    /// The mode.
    pub mode: TradeMode,
    /// Chinese name.
    pub name_zh: String,
    /// Price factor relative to the appraised value.
    pub factor: Decimal,
    /// appraised × factor, rounded to the fen.
    pub price_basis: Money,
    /// What the counterparty gets and what the seller keeps.
    pub what_transfers: String,
    /// Equity contribution: stake = price basis / post-money.
    pub equity_stake: Option<Decimal>,
    /// The mode the case intends.
    pub intended: bool,
}

/// One cash flow of an offer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Flow {
    /// Years from signing.
    pub year: Decimal,
    /// Amount if paid.
    pub amount: Money,
    /// Probability it is paid.
    pub probability: Decimal,
    /// p × amount / (1 + r_b)^t (unrounded).
    pub pv: Money,
}

/// An offer's value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OfferValue {
    /// Index in the case's offers.
    pub index: usize,
    /// Form.
    pub form: String,
    /// Chinese name.
    pub form_zh: String,
    /// Σ amounts, undiscounted, unweighted.
    pub nominal: Money,
    /// Σ p × amounts, undiscounted.
    pub expected: Money,
    /// PV at the buyer's rate, rounded to the fen.
    pub pv: Money,
    /// The flows.
    pub flows: Vec<Flow>,
}

/// Who gets the proceeds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProceedsSplit {
    /// What the gross is (`best offer PV`, `reserve price`).
    pub gross_from: String,
    /// Gross proceeds.
    pub gross: Money,
    /// Broker commission.
    pub broker: Money,
    /// Other costs.
    pub costs: Money,
    /// Net = gross − broker − costs (≥ 0).
    pub net: Money,
    /// The research team's share.
    pub team_share: Decimal,
    /// The research team.
    pub team: Money,
    /// The institution (the rest).
    pub institution: Money,
}

/// The trade stage's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TradeTerms {
    /// The appraised value.
    pub appraised: Money,
    /// The post-money carried from the invest stage.
    pub post_money: Option<Money>,
    /// Reserve check (none without `[finance.trade]`).
    pub reserve: Option<ReservePrice>,
    /// Modes compared.
    pub modes: Vec<ModeTerms>,
    /// The buyer's rate.
    pub buyer_rate: Option<Decimal>,
    /// Offers valued.
    pub offers: Vec<OfferValue>,
    /// Index of the offer with the highest PV.
    pub best_offer: Option<usize>,
    /// Proceeds split.
    pub proceeds: Option<ProceedsSplit>,
    /// The steps.
    pub audit: AuditTrail,
    /// Things to know.
    pub warnings: Vec<String>,
}

fn flows_of(o: &Offer) -> Result<Vec<(Decimal, Money, Decimal)>> {
    let one = Decimal::ONE;
    let royalty =
        |rate: Decimal, sales: &[Money], from_year: Decimal, p: Decimal| -> Result<Vec<_>> {
            let mut v = Vec::new();
            for (k, s) in sales.iter().enumerate() {
                let t = Decimal::from(k + 1);
                if t > from_year {
                    v.push((t, s.checked_mul(rate).ctx("royalty")?, p));
                }
            }
            Ok(v)
        };
    Ok(match o {
        Offer::LumpSum { amount, year } => vec![(*year, *amount, one)],
        Offer::Instalments {
            amount,
            count,
            first_year,
            every_years,
        } => (0..*count)
            .map(|j| (*first_year + *every_years * Decimal::from(j), *amount, one))
            .collect(),
        Offer::RunningRoyalty { rate, sales } => royalty(*rate, sales, Decimal::ZERO, one)?,
        Offer::EntryFeeRoyalty {
            entry_fee,
            rate,
            sales,
        } => {
            let mut v = vec![(Decimal::ZERO, *entry_fee, one)];
            v.extend(royalty(*rate, sales, Decimal::ZERO, one)?);
            v
        }
        Offer::Milestones {
            upfront,
            milestones,
        } => {
            let mut v = Vec::new();
            if let Some(u) = upfront {
                v.push((Decimal::ZERO, *u, one));
            }
            v.extend(milestones.iter().map(|m| (m.year, m.amount, m.probability)));
            v
        }
        Offer::UseFirstPayLater {
            free_years,
            take_up_probability,
            fee,
            rate,
            sales,
        } => {
            let mut v = Vec::new();
            if let Some(f) = fee {
                v.push((*free_years, *f, *take_up_probability));
            }
            if !rate.is_zero() {
                v.extend(royalty(*rate, sales, *free_years, *take_up_probability)?);
            }
            v
        }
    })
}

/// Values one offer at the buyer's rate.
pub fn value_offer(index: usize, o: &Offer, buyer_rate: Decimal) -> Result<OfferValue> {
    let mut flows = Vec::new();
    let (mut nominal, mut expected, mut pv) = (Money::ZERO, Money::ZERO, Money::ZERO);
    for (t, amt, p) in flows_of(o)? {
        let df = discount_factor(buyer_rate, t)?;
        let e = amt.checked_mul(p).ctx("expected payment")?;
        let f_pv = e.checked_mul(df).ctx("present value")?;
        nominal = nominal.checked_add(amt).ctx("nominal")?;
        expected = expected.checked_add(e).ctx("expected")?;
        pv = pv.checked_add(f_pv).ctx("present value")?;
        flows.push(Flow {
            year: t,
            amount: amt,
            probability: p,
            pv: f_pv,
        });
    }
    Ok(OfferValue {
        index,
        form: o.form().into(),
        form_zh: o.form_zh().into(),
        nominal: nominal.round_fen(),
        expected: expected.round_fen(),
        pv: pv.round_fen(),
        flows,
    })
}

/// Checks a proposed reserve price against the appraised value.
pub fn reserve_price(
    appraised: Money,
    proposed: Option<Money>,
    state_owned: bool,
) -> Result<ReservePrice> {
    let proposed = proposed.unwrap_or(appraised).round_fen();
    let threshold = appraised
        .checked_mul(Decimal::new(9, 1))
        .ctx("90% of appraised value")?
        .round_fen();
    let ratio = if appraised.is_zero() {
        None
    } else {
        Some(round_half_away(proposed.amount() / appraised.amount(), 6))
    };
    let status = if proposed >= appraised {
        ReserveStatus::Compliant
    } else if proposed >= threshold {
        ReserveStatus::BelowAppraised
    } else if state_owned {
        ReserveStatus::NeedsApproval
    } else {
        ReserveStatus::BelowNinetyPercent
    };
    Ok(ReservePrice {
        appraised,
        proposed,
        ratio,
        approval_threshold: threshold,
        state_owned,
        status,
    })
}

fn what_transfers(m: TradeMode) -> &'static str {
    match m {
        TradeMode::Assignment => "ownership passes to the buyer (registered with CNIPA, 专利法 art. 10); the seller keeps nothing",
        TradeMode::ExclusiveLicence => "the licensee alone may use it in the territory and term; the owner keeps title but may not use it",
        TradeMode::NonExclusiveLicence => "the licensee may use it; the owner keeps title and may use and license it to others",
        TradeMode::EquityContribution => "ownership passes to the company; the seller receives shares (作价入股)",
    }
}

/// Splits proceeds: broker first, then costs; the team gets `team_share` of the net.
pub fn split_proceeds(
    gross: Money,
    gross_from: &str,
    commission: Decimal,
    costs: Money,
    team_share: Decimal,
    tr: &mut AuditTrail,
) -> Result<(ProceedsSplit, Option<String>)> {
    let broker = gross.checked_mul(commission).ctx("commission")?.round_fen();
    let raw = gross
        .checked_sub(broker)
        .and_then(|x| x.checked_sub(costs))
        .ctx("net proceeds")?;
    let warn = raw.is_negative().then(|| {
        format!(
            "commission and costs exceed the gross proceeds ({}); net set to 0",
            gross.display_yuan()
        )
    });
    let net = raw.max(Money::ZERO);
    let team = net.checked_mul(team_share).ctx("team share")?.round_fen();
    let inst = net.checked_sub(team).ctx("institution share")?;
    tr.record_sourced(
        "proceeds",
        "net = gross − broker − costs; team = team_share × net; institution = net − team",
        vec![
            AuditValue::money("gross", gross),
            AuditValue::rate_dec("commission", commission),
            AuditValue::money("broker", broker),
            AuditValue::money("costs", costs),
            AuditValue::rate_dec("team_share", team_share),
            AuditValue::money("team", team),
        ],
        AuditValue::money("institution", inst),
        "促进科技成果转化法 (2015) art. 45: research team ≥ 50% of net proceeds",
    );
    Ok((
        ProceedsSplit {
            gross_from: gross_from.to_string(),
            gross,
            broker,
            costs,
            net,
            team_share,
            team,
            institution: inst,
        },
        warn,
    ))
}

/// The trade stage on the investment view (appraised value, post-money) and the case's
/// `[finance.trade]`. Without `[finance.trade]` only the modes are compared.
pub fn terms(view: &InvestmentView, inp: Option<&TradeInputs>) -> Result<TradeTerms> {
    let mut tr = AuditTrail::new();
    let mut warnings = Vec::new();
    let appraised = view.ip_value;
    tr.record(
        "inputs",
        "carried from the earlier stages",
        vec![AuditValue::text(
            "post_money",
            view.post_money
                .map_or("none".to_string(), |p| p.to_string()),
        )],
        AuditValue::money("appraised", appraised),
    );
    let factors = inp.map(|t| t.mode_factors.clone()).unwrap_or_default();
    let mut modes = Vec::new();
    for m in TradeMode::ALL {
        let f = factors.of(m);
        let basis = appraised.checked_mul(f).ctx("mode price")?.round_fen();
        let stake = match (m, view.post_money) {
            (TradeMode::EquityContribution, Some(post))
                if !post.is_zero() && !post.is_negative() =>
            {
                Some(round_half_away(basis.amount() / post.amount(), 10))
            }
            _ => None,
        };
        tr.record(
            format!("mode[{}]", m.as_str()),
            if m == TradeMode::EquityContribution {
                "price basis = appraised × factor; stake = basis / post-money"
            } else {
                "price basis = appraised × factor"
            },
            vec![
                AuditValue::money("appraised", appraised),
                AuditValue::number("factor", f),
            ],
            AuditValue::money("price_basis", basis),
        );
        modes.push(ModeTerms {
            mode: m,
            name_zh: m.name_zh().into(),
            factor: f,
            price_basis: basis,
            what_transfers: what_transfers(m).into(),
            equity_stake: stake,
            intended: inp.is_some_and(|t| t.mode == m),
        });
    }
    let mut out = TradeTerms {
        appraised,
        post_money: view.post_money,
        reserve: None,
        modes,
        buyer_rate: None,
        offers: Vec::new(),
        best_offer: None,
        proceeds: None,
        audit: AuditTrail::new(),
        warnings: Vec::new(),
    };
    let Some(t) = inp else {
        warnings.push(
            "no [finance.trade] in the case: reserve price, offers and proceeds not assessed"
                .into(),
        );
        out.audit = tr;
        out.warnings = warnings;
        return Ok(out);
    };
    if t.mode == TradeMode::EquityContribution && view.post_money.is_none() {
        warnings.push("equity contribution intended but the invest stage gives no post-money: stake not computed".into());
    }
    let res = reserve_price(appraised, t.reserve_price, t.state_owned)?;
    tr.record_sourced(
        "reserve_price",
        "reserve ≥ appraised; below 90% of it needs approval (state-owned)",
        vec![
            AuditValue::money("appraised", appraised),
            AuditValue::money("proposed", res.proposed),
            AuditValue::money("90%", res.approval_threshold),
            AuditValue::text("state_owned", t.state_owned.to_string()),
        ],
        AuditValue::text("status", res.status.as_str()),
        "企业国有资产交易监督管理办法 (国资委 财政部令第32号, 2016)",
    );
    match res.status {
        ReserveStatus::Compliant => {}
        ReserveStatus::BelowAppraised => warnings.push(format!(
            "reserve {} is below the appraised value {}{}",
            res.proposed.display_yuan(),
            appraised.display_yuan(),
            if t.state_owned {
                ": a state-owned listing starts at the appraised value; a lower base only on relisting"
            } else {
                ""
            }
        )),
        ReserveStatus::NeedsApproval => warnings.push(format!(
            "reserve {} is below 90% of the appraised value ({}): needs the approving body's written consent (state-owned)",
            res.proposed.display_yuan(),
            res.approval_threshold.display_yuan()
        )),
        ReserveStatus::BelowNinetyPercent => warnings.push(format!(
            "reserve {} is below 90% of the appraised value ({})",
            res.proposed.display_yuan(),
            res.approval_threshold.display_yuan()
        )),
    }
    out.reserve = Some(res.clone());
    out.buyer_rate = Some(t.buyer_rate);
    for (i, o) in t.offers.iter().enumerate() {
        let v = value_offer(i, o, t.buyer_rate)?;
        tr.record(
            format!("offer[{i}].pv"),
            format!("{} {}: PV = Σ p_t × CF_t / (1 + r_b)^t", v.form_zh, v.form),
            vec![
                AuditValue::rate_dec("r_b", t.buyer_rate),
                AuditValue::money("nominal", v.nominal),
                AuditValue::money("expected", v.expected),
            ],
            AuditValue::money("pv", v.pv),
        );
        out.offers.push(v);
    }
    out.best_offer = out
        .offers
        .iter()
        .fold(None::<&OfferValue>, |b, o| match b {
            Some(b) if b.pv >= o.pv => Some(b),
            _ => Some(o),
        })
        .map(|o| o.index);
    let (gross, from) = match out.best_offer.and_then(|i| out.offers.get(i)) {
        Some(o) => (
            o.pv,
            format!("best offer PV (offers[{}], {})", o.index, o.form),
        ),
        None => (res.proposed, "reserve price (no offers given)".to_string()),
    };
    let (split, w) = split_proceeds(
        gross,
        &from,
        t.broker_commission,
        t.costs.unwrap_or(Money::ZERO),
        t.team_share.unwrap_or(Decimal::new(5, 1)),
        &mut tr,
    )?;
    warnings.extend(w);
    out.proceeds = Some(split);
    out.audit = tr;
    out.warnings = warnings;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finance::inputs::Milestone;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn reserve_rules() {
        let a = Money::from_yuan(1_000_000);
        assert_eq!(
            reserve_price(a, None, true).unwrap().status,
            ReserveStatus::Compliant
        );
        assert_eq!(
            reserve_price(a, Some(Money::from_yuan(900_000)), true)
                .unwrap()
                .status,
            ReserveStatus::BelowAppraised
        );
        assert_eq!(
            reserve_price(a, Some(Money::new(d("899999.99"))), true)
                .unwrap()
                .status,
            ReserveStatus::NeedsApproval
        );
        assert_eq!(
            reserve_price(a, Some(Money::from_yuan(500_000)), false)
                .unwrap()
                .status,
            ReserveStatus::BelowNinetyPercent
        );
    }

    #[test]
    fn offer_pvs() {
        let r = d("0.1");
        // 3 × 1,000 at t = 0, 1, 2: 1000 + 909.0909… + 826.4462… = 2735.54
        let o = Offer::Instalments {
            amount: Money::from_yuan(1000),
            count: 3,
            first_year: Decimal::ZERO,
            every_years: Decimal::ONE,
        };
        assert_eq!(value_offer(0, &o, r).unwrap().pv, Money::new(d("2735.54")));
        // Milestone 10,000 at year 2 with p = 0.5: 5000 / 1.21 = 4132.23
        let o = Offer::Milestones {
            upfront: None,
            milestones: vec![Milestone {
                name: "m".into(),
                year: d("2"),
                amount: Money::from_yuan(10_000),
                probability: d("0.5"),
            }],
        };
        assert_eq!(value_offer(0, &o, r).unwrap().pv, Money::new(d("4132.23")));
        // Use first, pay later: 2 free years, royalty 10% on sales of years 3–4 only, p = 0.8.
        let o = Offer::UseFirstPayLater {
            free_years: d("2"),
            take_up_probability: d("0.8"),
            fee: None,
            rate: d("0.1"),
            sales: vec![Money::from_yuan(100_000); 4],
        };
        // 0.8 × 10,000 × (1.1^−3 + 1.1^−4) = 0.8 × (7513.148… + 6830.134…) = 11474.63
        assert_eq!(value_offer(0, &o, r).unwrap().pv, Money::new(d("11474.63")));
        // A half-year lump sum uses the fractional power.
        let df = discount_factor(d("0.21"), d("0.5")).unwrap();
        assert!((df - d("0.9090909091")).abs() < d("0.0000000001"));
    }

    #[test]
    fn proceeds_follow_the_law_floor() {
        let mut tr = AuditTrail::new();
        let (s, w) = split_proceeds(
            Money::from_yuan(1_000_000),
            "x",
            d("0.05"),
            Money::from_yuan(50_000),
            d("0.8"),
            &mut tr,
        )
        .unwrap();
        assert!(w.is_none());
        assert_eq!(s.broker, Money::from_yuan(50_000));
        assert_eq!(s.net, Money::from_yuan(900_000));
        assert_eq!(s.team, Money::from_yuan(720_000));
        assert_eq!(s.institution, Money::from_yuan(180_000));
    }
}
