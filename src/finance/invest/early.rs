//! Early-stage methods for a pre-revenue venture built on the technology:
//!
//! * **Berkus**: `pre = Σ max_i × achievement_i` — each element that removes a risk (sound idea,
//!   prototype, management team, strategic relationships, product rollout) adds up to its
//!   maximum (D. Berkus, "The Berkus Method: Valuing the Early Stage Investment", 2009; the
//!   original capped each at US$0.5 m).
//! * **Risk-factor summation**: `pre = base + step × Σ rating_i`, twelve risks rated −2 (very
//!   high) … +2 (very low) around the average pre-money of comparable ventures (Ohio TechAngels;
//!   W. Payne, "Valuations 101", 2011; US$250,000 a point in the original).

use crate::audit::{AuditTrail, AuditValue};
use crate::error::{MoneyContext, Result};
use crate::finance::inputs::{Berkus, RiskFactorSummation};
use crate::money::Money;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A pre-money from an additive early-stage method.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EarlyStage {
    /// Pre-money (rounded to the fen).
    pub pre_money: Money,
    /// Post-money = pre + investment (none without an investment).
    pub post_money: Option<Money>,
}

fn with_investment(pre: Money, investment: Option<Money>) -> Result<EarlyStage> {
    Ok(EarlyStage {
        pre_money: pre,
        post_money: match investment {
            Some(i) => Some(pre.checked_add(i).ctx("post-money")?),
            None => None,
        },
    })
}

/// The Berkus method.
pub fn berkus(b: &Berkus, investment: Option<Money>, tr: &mut AuditTrail) -> Result<EarlyStage> {
    let mut pre = Money::ZERO;
    let mut ins = Vec::new();
    for f in &b.factors {
        let part = f.max.checked_mul(f.achievement).ctx("Berkus")?;
        pre = pre.checked_add(part).ctx("Berkus")?;
        ins.push(AuditValue::text(
            f.name.clone(),
            format!(
                "max {} × achievement {}",
                f.max.display_yuan(),
                f.achievement.normalize()
            ),
        ));
    }
    let pre = pre.round_fen();
    tr.record(
        "berkus.pre_money",
        "pre = Σ max_i × achievement_i",
        ins,
        AuditValue::money("pre", pre),
    );
    with_investment(pre, investment)
}

/// The risk-factor summation method.
pub fn risk_factor_summation(
    r: &RiskFactorSummation,
    investment: Option<Money>,
    tr: &mut AuditTrail,
) -> Result<EarlyStage> {
    let sum: i32 = r.factors.iter().map(|f| f.rating).sum();
    let pre = r
        .step
        .checked_mul(Decimal::from(sum))
        .and_then(|x| r.base_pre_money.checked_add(x))
        .ctx("risk-factor summation")?
        .round_fen();
    let mut ins = vec![
        AuditValue::money("base", r.base_pre_money),
        AuditValue::money("step", r.step),
    ];
    for f in &r.factors {
        ins.push(AuditValue::number(f.name.clone(), Decimal::from(f.rating)));
    }
    tr.record(
        "risk_factor_summation.pre_money",
        "pre = base + step × Σ rating_i (ratings −2 … +2)",
        ins,
        AuditValue::money("pre", pre),
    );
    with_investment(pre, investment)
}
