//! Later rounds: the retention ratio they imply and the dilution table.

use super::{stake10, ConversionResult, DilutionRow, InvestmentView, Retention};
use crate::audit::{AuditTrail, AuditValue};
use crate::error::{Error, MoneyContext, Result};
use crate::finance::inputs::InvestInputs;
use crate::money::round_half_away;
use rust_decimal::Decimal;

/// What each later round leaves of every earlier holder's stake:
/// `1 − I/(pre + I) − pool − conversion` (the conversion of 先投后股 at the first round).
pub(super) fn round_keeps(
    inp: &InvestInputs,
    conv: Option<&ConversionResult>,
) -> Result<Vec<Decimal>> {
    let mut out = Vec::new();
    for (k, r) in inp.rounds.iter().enumerate() {
        let post = r.pre_money.checked_add(r.investment).ctx("post-money")?;
        if post.is_zero() {
            return Err(Error::field(
                format!("finance.invest.rounds[{k}].pre_money"),
                r.pre_money,
                "pre-money + investment must be above 0",
            ));
        }
        let new = stake10(r.investment.amount() / post.amount());
        let c_new = match (conv, k) {
            (Some(c), 0) => c.stake,
            _ => Decimal::ZERO,
        };
        let keep = Decimal::ONE - new - r.option_pool - c_new;
        if keep < Decimal::ZERO {
            return Err(Error::field(
                format!("finance.invest.rounds[{k}]"),
                &r.name,
                "new money, option pool and conversion take more than 100% of the company",
            ));
        }
        out.push(keep);
    }
    Ok(out)
}

/// The retention ratio: implied by the later rounds when the case lists them (a stated ratio
/// that differs is reported), else the stated one, else 1.
pub(super) fn retention(
    inp: &InvestInputs,
    conv: Option<&ConversionResult>,
    tr: &mut AuditTrail,
    warnings: &mut Vec<String>,
) -> Result<Retention> {
    let stated = inp.retention;
    if inp.rounds.is_empty() {
        return Ok(Retention {
            stated,
            implied_by_rounds: None,
            used: stated.unwrap_or(Decimal::ONE),
            from: if stated.is_some() {
                "finance.invest.retention".into()
            } else {
                "default (no later rounds)".into()
            },
        });
    }
    let keeps = round_keeps(inp, conv)?;
    let implied = stake10(keeps.iter().product::<Decimal>());
    tr.record(
        "retention",
        "R = Π_k (1 − I_k/(pre_k + I_k) − pool_k − conversion_k) over finance.invest.rounds",
        inp.rounds
            .iter()
            .zip(&keeps)
            .map(|(r, k)| AuditValue::rate_dec(format!("keep[{}]", r.name), *k))
            .collect(),
        AuditValue::rate_dec("R", implied),
    );
    if let Some(s) = stated {
        if (s - implied).abs() > Decimal::new(5, 3) {
            warnings.push(format!(
                "finance.invest.retention = {} disagrees with the dilution its own rounds imply ({}): the VC method and First Chicago use the rounds' figure",
                s.normalize(),
                round_half_away(implied, 4).normalize()
            ));
        }
    }
    Ok(Retention {
        stated,
        implied_by_rounds: Some(implied),
        used: implied,
        from: "finance.invest.rounds".into(),
    })
}

pub(super) fn dilution(
    v: &InvestmentView,
    inp: &InvestInputs,
    tr: &mut AuditTrail,
) -> Result<Vec<DilutionRow>> {
    if inp.rounds.is_empty() {
        return Ok(Vec::new());
    }
    let (Some(post0), Some(i0)) = (v.post_money, v.investment) else {
        return Err(Error::field(
            "finance.invest.rounds",
            "",
            "dilution needs today's investment and a post-money (terminal value, scenarios, scorecard or checklist)",
        ));
    };
    if post0.is_zero() || post0.is_negative() || i0 > post0 {
        return Err(Error::field(
            "finance.invest.investment",
            i0,
            format!("must be above 0 and at most today's post-money {post0}"),
        ));
    }
    let mut fund = stake10(i0.amount() / post0.amount());
    let mut conv = Decimal::ZERO;
    let mut pool = Decimal::ZERO;
    let mut rows = vec![DilutionRow {
        round: "today".into(),
        investment: i0,
        pre_money: post0.checked_sub(i0).ctx("pre-money")?,
        post_money: post0,
        new_investors: fund,
        fund,
        converted: Decimal::ZERO,
        option_pool: Decimal::ZERO,
        founders_and_others: Decimal::ONE - fund,
    }];
    let mut investors = Decimal::ZERO;
    let keeps = round_keeps(inp, v.conversion.as_ref())?;
    for (k, (r, keep)) in inp.rounds.iter().zip(keeps).enumerate() {
        let post = r.pre_money.checked_add(r.investment).ctx("post-money")?;
        let new = stake10(r.investment.amount() / post.amount());
        let c_new = match (&v.conversion, k) {
            (Some(c), 0) => c.stake,
            _ => Decimal::ZERO,
        };
        fund = stake10(fund * keep);
        conv = stake10(conv * keep + c_new);
        pool = stake10(pool * keep + r.option_pool);
        investors = stake10(investors * keep + new);
        let founders = Decimal::ONE - fund - conv - pool - investors;
        tr.record(
            format!("dilution[{}]", r.name),
            "earlier holders keep 1 − I/(pre + I) − pool − conversion",
            vec![
                AuditValue::money("I", r.investment),
                AuditValue::money("pre", r.pre_money),
                AuditValue::rate_dec("option_pool", r.option_pool),
                AuditValue::rate_dec("conversion", c_new),
            ],
            AuditValue::rate_dec("fund_stake", fund),
        );
        rows.push(DilutionRow {
            round: r.name.clone(),
            investment: r.investment,
            pre_money: r.pre_money,
            post_money: post,
            new_investors: new,
            fund,
            converted: conv,
            option_pool: pool,
            founders_and_others: founders,
        });
    }
    Ok(rows)
}
