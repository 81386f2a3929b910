//! 保 Guarantee: the guaranteed amount, fees, counter-guarantee, and the loss-sharing waterfall
//! among the bank, guarantors, re-guarantors and a government risk-compensation pool.
//!
//! # The waterfall (all amounts rounded to the fen, half away from zero)
//!
//! For a principal loss `L`:
//!
//! 1. `L_g = L × coverage` is the loss on the guaranteed part; `L_u = L − L_g`, the loss on the
//!    unguaranteed part, is the bank's alone (with no `[guarantee]`, coverage is 0).
//! 2. Each party `i` would bear `s_i × L_g` (its share in `[risk_sharing]`), the bank also `L_u`.
//! 3. The pool (when the rulebook has one) pays according to `risk_sharing.pool.timing` —
//!    **a rulebook field, so each programme states its own order**:
//!    * `before_split`: the pool pays first, `P = min(rate × L_g, cap_share_of_loss × L,
//!      cap_amount)`; the parties then split `L_g − P` by their shares.
//!    * `after_split`: the parties split `L_g` first; the pool then reimburses each party in
//!      `covers` `rate ×` the loss it bore (the bank's borne loss includes `L_u`), the total
//!      capped at `min(cap_share_of_loss × L, cap_amount)` and, when the cap binds, shared pro
//!      rata to the claims.
//! 4. Rounding: every party's amount is rounded to the fen; the bank (party of record) takes the
//!    rounding residue of the split, and the largest claimant that of the pool's allocation, so
//!    that Σ parties + pool = `L` exactly.
//!
//! Each party's expected loss is `PD ×` its after-pool loss at the loss given default
//! (`LGD × EAD`, from `finance::lend`). With a cap, the waterfall is not linear in the loss, so
//! this treats the loss given default as certain given default (no loss distribution).

use super::rules::{FeeBasis, FeeRule, Party, Payer, Pool, PoolTiming, Role, Rulebook};
use super::{audit_lending_value, LendingValue, PledgedItem};
use crate::audit::{AuditTrail, AuditValue};
use crate::error::{Error, MoneyContext, Result};
use crate::money::{round_half_away, Money};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The loss-sharing terms of a rulebook.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SharingTerms {
    /// Share of the loan guaranteed (0 when the rulebook has no guarantee).
    pub coverage: Decimal,
    /// The parties and their shares of the guaranteed loss.
    pub parties: Vec<Party>,
    /// The compensation pool.
    pub pool: Option<Pool>,
}

impl SharingTerms {
    /// The terms a rulebook states.
    pub fn from_rulebook(rb: &Rulebook) -> SharingTerms {
        SharingTerms {
            coverage: rb.guarantee.as_ref().map_or(Decimal::ZERO, |g| g.coverage),
            parties: rb.risk_sharing.parties.clone(),
            pool: rb.risk_sharing.pool.clone(),
        }
    }
}

/// One party's line of the waterfall.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WaterfallLine {
    /// Party id.
    pub party: String,
    /// Chinese name.
    pub name_zh: String,
    /// Role.
    pub role: Role,
    /// Share of the guaranteed loss.
    pub share: Decimal,
    /// What the party would bear without the pool.
    pub before_pool: Money,
    /// What the pool takes off the party.
    pub pool_compensation: Money,
    /// What the party finally bears.
    pub after_pool: Money,
}

/// The split of one loss.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Waterfall {
    /// The principal loss split (rounded to the fen).
    pub loss: Money,
    /// Loss on the guaranteed part.
    pub guaranteed_loss: Money,
    /// Loss on the unguaranteed part (the bank's).
    pub unguaranteed_loss: Money,
    /// When the pool paid (none: no pool).
    pub pool_timing: Option<PoolTiming>,
    /// What the pool paid.
    pub pool_pays: Money,
    /// The parties.
    pub lines: Vec<WaterfallLine>,
    /// The steps.
    pub audit: AuditTrail,
}

impl Waterfall {
    /// The line of a party.
    pub fn line(&self, party: &str) -> Option<&WaterfallLine> {
        self.lines.iter().find(|l| l.party == party)
    }
    /// The bank's line.
    pub fn bank(&self) -> Option<&WaterfallLine> {
        self.lines.iter().find(|l| l.role == Role::Bank)
    }
}

fn fen(m: Money) -> Money {
    m.round_fen()
}

/// Splits `amount` by `shares` to the fen; the entry at `residue_to` takes the rounding residue.
fn split_exact(amount: Money, shares: &[Decimal], residue_to: usize) -> Result<Vec<Money>> {
    let mut out = Vec::with_capacity(shares.len());
    for s in shares {
        out.push(fen(amount.checked_mul(*s).ctx("loss split")?));
    }
    let sum = Money::checked_sum(out.iter().copied()).ctx("loss split")?;
    let residue = amount.checked_sub(sum).ctx("loss split")?;
    let slot = out
        .get_mut(residue_to)
        .ok_or_else(|| Error::Internal("loss split: residue slot out of range".into()))?;
    *slot = slot.checked_add(residue).ctx("loss split")?;
    Ok(out)
}

/// Splits a principal loss among the parties and the pool (see the module doc for the order).
pub fn waterfall(terms: &SharingTerms, loss: Money) -> Result<Waterfall> {
    if loss.is_negative() {
        return Err(Error::field("loss", loss, "must not be negative"));
    }
    let mut tr = AuditTrail::new();
    let l = fen(loss);
    let lg = fen(l.checked_mul(terms.coverage).ctx("guaranteed loss")?);
    let lu = l.checked_sub(lg).ctx("unguaranteed loss")?;
    tr.record(
        "guaranteed_loss",
        "L_g = L × coverage; L_u = L − L_g (bank alone)",
        vec![
            AuditValue::money("L", l),
            AuditValue::rate_dec("coverage", terms.coverage),
        ],
        AuditValue::money("L_g", lg),
    );
    let bank_ix = terms
        .parties
        .iter()
        .position(|p| p.role == Role::Bank)
        .ok_or_else(|| Error::Internal("sharing terms without a bank".into()))?;
    let shares: Vec<Decimal> = terms.parties.iter().map(|p| p.share).collect();
    let mut before = split_exact(lg, &shares, bank_ix)?;
    before[bank_ix] = before[bank_ix].checked_add(lu).ctx("bank loss")?;
    let mut comp = vec![Money::ZERO; terms.parties.len()];
    let mut pool_pays = Money::ZERO;
    let after: Vec<Money>;
    match &terms.pool {
        None => {
            after = before.clone();
        }
        Some(pool) => {
            let mut cap = fen(l.checked_mul(pool.cap_share_of_loss).ctx("pool cap")?);
            if let Some(c) = pool.cap_amount {
                cap = cap.min(fen(c));
            }
            match pool.timing {
                PoolTiming::BeforeSplit => {
                    let claim = fen(lg.checked_mul(pool.rate).ctx("pool claim")?);
                    pool_pays = claim.min(cap);
                    let rest = lg.checked_sub(pool_pays).ctx("loss after pool")?;
                    let mut a = split_exact(rest, &shares, bank_ix)?;
                    a[bank_ix] = a[bank_ix].checked_add(lu).ctx("bank loss")?;
                    for i in 0..a.len() {
                        comp[i] = before[i].checked_sub(a[i]).ctx("pool compensation")?;
                    }
                    tr.record(
                        "pool",
                        "before split: P = min(rate × L_g, cap_share × L, cap_amount); parties split L_g − P",
                        vec![
                            AuditValue::text("pool", pool.name_zh.clone()),
                            AuditValue::money("L_g", lg),
                            AuditValue::rate_dec("rate", pool.rate),
                            AuditValue::rate_dec("cap_share_of_loss", pool.cap_share_of_loss),
                            AuditValue::money("cap", cap),
                        ],
                        AuditValue::money("P", pool_pays),
                    );
                    after = a;
                }
                PoolTiming::AfterSplit => {
                    let mut claims = vec![Money::ZERO; before.len()];
                    for (i, p) in terms.parties.iter().enumerate() {
                        if pool.covers.contains(&p.id) {
                            claims[i] = fen(before[i].checked_mul(pool.rate).ctx("pool claim")?);
                        }
                    }
                    let total = Money::checked_sum(claims.iter().copied()).ctx("pool claims")?;
                    pool_pays = total.min(cap);
                    if pool_pays == total {
                        comp = claims.clone();
                    } else if !total.is_zero() {
                        let w: Vec<Decimal> =
                            claims.iter().map(|c| c.amount() / total.amount()).collect();
                        let largest = claims
                            .iter()
                            .enumerate()
                            .max_by_key(|(_, c)| **c)
                            .map_or(0, |(i, _)| i);
                        comp = split_exact(pool_pays, &w, largest)?;
                    }
                    let mut a = Vec::with_capacity(before.len());
                    for i in 0..before.len() {
                        a.push(before[i].checked_sub(comp[i]).ctx("loss after pool")?);
                    }
                    tr.record(
                        "pool",
                        "after split: P = min(Σ rate × borne loss of covered parties, cap_share × L, cap_amount), pro rata",
                        vec![
                            AuditValue::text("pool", pool.name_zh.clone()),
                            AuditValue::text("covers", pool.covers.join(", ")),
                            AuditValue::rate_dec("rate", pool.rate),
                            AuditValue::money("claims", total),
                            AuditValue::rate_dec("cap_share_of_loss", pool.cap_share_of_loss),
                            AuditValue::money("cap", cap),
                        ],
                        AuditValue::money("P", pool_pays),
                    );
                    after = a;
                }
            }
        }
    }
    let mut lines = Vec::with_capacity(terms.parties.len());
    for (i, p) in terms.parties.iter().enumerate() {
        tr.record(
            format!("loss[{}]", p.id),
            "after pool = s_i × L_g (+ L_u for the bank) − pool compensation",
            vec![
                AuditValue::rate_dec("s_i", p.share),
                AuditValue::money("before_pool", before[i]),
                AuditValue::money("pool_compensation", comp[i]),
            ],
            AuditValue::money("after_pool", after[i]),
        );
        lines.push(WaterfallLine {
            party: p.id.clone(),
            name_zh: p.name_zh.clone(),
            role: p.role,
            share: p.share,
            before_pool: before[i],
            pool_compensation: comp[i],
            after_pool: after[i],
        });
    }
    let check = Money::checked_sum(after.iter().copied())
        .and_then(|s| s.checked_add(pool_pays))
        .ctx("waterfall check")?;
    if check != l {
        return Err(Error::Internal(format!(
            "waterfall does not add up: parties + pool = {check}, loss = {l}"
        )));
    }
    Ok(Waterfall {
        loss: l,
        guaranteed_loss: lg,
        unguaranteed_loss: lu,
        pool_timing: terms.pool.as_ref().map(|p| p.timing),
        pool_pays,
        lines,
        audit: tr,
    })
}

/// A fee for the loan's tenor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeeLine {
    /// Name.
    pub name: String,
    /// Who pays.
    pub payer: Payer,
    /// Recipient party id.
    pub recipient: String,
    /// What the rate applies to.
    pub basis: FeeBasis,
    /// The amount the rate applies to.
    pub base: Money,
    /// The yearly rate applied (the reduced rate when it applies).
    pub rate: Decimal,
    /// Years of the tenor.
    pub years: Decimal,
    /// base × rate × years, rounded to the fen.
    pub amount: Money,
}

/// The counter-guarantee (反担保) the guarantor holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CounterGuarantee {
    /// The kinds the rulebook requires.
    pub kinds: Vec<String>,
    /// Liquidation value of the pledged IP: Σ V_i × (1 − haircut) × (1 − disposal cost).
    pub ip_liquidation_value: Money,
}

/// The guarantee applied to one loan amount.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GuaranteeOutcome {
    /// The loan.
    pub loan: Money,
    /// Tenor in months.
    pub tenor_months: u32,
    /// Guaranteed amount = loan × coverage (rounded to the fen).
    pub guaranteed_amount: Money,
    /// Fees over the tenor.
    pub fees: Vec<FeeLine>,
    /// Fees the borrower pays.
    pub borrower_fees: Money,
    /// IP liquidation value / guaranteed amount (none without a guarantee).
    pub counter_guarantee_cover: Option<Decimal>,
    /// The waterfall of `loss`.
    pub waterfall: Waterfall,
    /// Expected loss per party (PD × after-pool loss), when a PD is known.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expected_losses: Vec<PartyExpectedLoss>,
    /// The pool's expected payment (PD × pool pays), when a PD is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pool_expected: Option<Money>,
}

/// A party's expected loss.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartyExpectedLoss {
    /// Party id.
    pub party: String,
    /// Chinese name.
    pub name_zh: String,
    /// PD × after-pool loss, rounded to the fen.
    pub expected_loss: Money,
}

/// The guarantee stage's result: the terms that will cover the loan, the pledged IP and
/// counter-guarantee, and (when the case asks for an amount) the outcome on that amount.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GuaranteePlan {
    /// Rulebook id.
    pub rulebook: String,
    /// Rulebook name.
    pub rulebook_name_zh: String,
    /// The value lent on (from the valuation).
    pub lending_value: LendingValue,
    /// The IP pledged (the subject at the lending value, plus the case's extra pledges).
    pub pledged: Vec<PledgedItem>,
    /// True when the rulebook has a guarantee.
    pub guaranteed: bool,
    /// The sharing terms.
    pub terms: SharingTerms,
    /// Fee rules.
    pub fee_rules: Vec<FeeRule>,
    /// Counter-guarantee.
    pub counter_guarantee: CounterGuarantee,
    /// Tenor in months (the request, capped by the rulebook).
    pub tenor_months: u32,
    /// The amount requested, if any.
    pub requested: Option<Money>,
    /// The outcome on the requested amount (its waterfall is of a total loss of the guaranteed
    /// part, before recoveries), when an amount is requested.
    pub on_request: Option<GuaranteeOutcome>,
    /// The steps.
    pub audit: AuditTrail,
    /// Things to know.
    pub warnings: Vec<String>,
}

/// Σ V_i × (1 − haircut) × (1 − disposal cost), rounded to the fen.
pub fn liquidation_value(
    items: &[PledgedItem],
    rb: &Rulebook,
    tr: &mut AuditTrail,
) -> Result<Money> {
    let f = (Decimal::ONE - rb.liquidation.haircut) * (Decimal::ONE - rb.liquidation.disposal_cost);
    let total = Money::checked_sum(items.iter().map(|i| i.value)).ctx("pledged value")?;
    let lv = fen(total.checked_mul(f).ctx("liquidation value")?);
    tr.record_sourced(
        "liquidation_value",
        "LV = Σ V_i × (1 − haircut) × (1 − disposal cost)",
        vec![
            AuditValue::money("Σ V_i", total),
            AuditValue::rate_dec("haircut", rb.liquidation.haircut),
            AuditValue::rate_dec("disposal_cost", rb.liquidation.disposal_cost),
        ],
        AuditValue::money("LV", lv),
        format!("rulebook {}", rb.id),
    );
    Ok(lv)
}

/// Builds the guarantee plan from the lending value and the rulebook.
///
/// `extra` are other pledged items (the case's `[[finance.pledges]]`); `requested` and
/// `tenor_months` come from the loan request (tenor default: the rulebook's maximum).
pub fn plan(
    lv: &LendingValue,
    subject: (&str, crate::subject::IpKind),
    extra: &[PledgedItem],
    rb: &Rulebook,
    requested: Option<Money>,
    tenor_months: Option<u32>,
) -> Result<GuaranteePlan> {
    plan_graded(lv, subject, None, extra, rb, requested, tenor_months)
}

/// [`plan`] with the subject's score grade, which a rulebook with `pledge.rate_by_grade` reads.
pub fn plan_graded(
    lv: &LendingValue,
    subject: (&str, crate::subject::IpKind),
    grade: Option<crate::scoring::Grade>,
    extra: &[PledgedItem],
    rb: &Rulebook,
    requested: Option<Money>,
    tenor_months: Option<u32>,
) -> Result<GuaranteePlan> {
    let mut tr = AuditTrail::new();
    let mut warnings = Vec::new();
    audit_lending_value(&mut tr, lv);
    let mut pledged = vec![PledgedItem {
        name: subject.0.to_string(),
        kind: subject.1,
        value: lv.value,
        grade,
    }];
    pledged.extend(extra.iter().cloned());
    let max_t = rb.loan.max_tenor_months;
    let tenor = match tenor_months {
        Some(t) if t > max_t => {
            warnings.push(format!(
                "tenor {t} months exceeds the rulebook's limit; capped at {max_t} months"
            ));
            max_t
        }
        Some(t) => t,
        None => max_t,
    };
    tr.record_sourced(
        "tenor_months",
        "tenor = min(requested, rulebook max) (default: the max)",
        vec![
            AuditValue::text(
                "requested",
                tenor_months.map_or("none".to_string(), |t| t.to_string()),
            ),
            AuditValue::number("max_tenor_months", Decimal::from(max_t)),
        ],
        AuditValue::number("tenor_months", Decimal::from(tenor)),
        format!("rulebook {}", rb.id),
    );
    let lv_money = liquidation_value(&pledged, rb, &mut tr)?;
    let terms = SharingTerms::from_rulebook(rb);
    let shares: Vec<String> = terms
        .parties
        .iter()
        .map(|p| format!("{} {}", p.name_zh, p.share.normalize()))
        .collect();
    tr.record_sourced(
        "risk_sharing",
        "loss shares of the guaranteed part (sum to 1)",
        vec![
            AuditValue::rate_dec("coverage", terms.coverage),
            AuditValue::text(
                "pool",
                terms.pool.as_ref().map_or("none".to_string(), |p| {
                    format!(
                        "{} ({}, rate {}, cap {} of loss)",
                        p.name_zh,
                        p.timing.as_str(),
                        p.rate.normalize(),
                        p.cap_share_of_loss.normalize()
                    )
                }),
            ),
        ],
        AuditValue::text("shares", shares.join(" : ")),
        format!("rulebook {}", rb.id),
    );
    let g = rb.guarantee.as_ref();
    let mut p = GuaranteePlan {
        rulebook: rb.id.clone(),
        rulebook_name_zh: rb.name_zh.clone(),
        lending_value: lv.clone(),
        pledged,
        guaranteed: g.is_some(),
        terms,
        fee_rules: g.map_or_else(Vec::new, |g| g.fees.clone()),
        counter_guarantee: CounterGuarantee {
            kinds: g.map_or_else(Vec::new, |g| g.counter_guarantee.clone()),
            ip_liquidation_value: lv_money,
        },
        tenor_months: tenor,
        requested,
        on_request: None,
        audit: tr,
        warnings,
    };
    if let Some(req) = requested {
        // On the request, show the split of a total loss of the requested amount (before any
        // recovery): the most the parties can lose.
        let o = outcome(&p, req, req, None)?;
        p.on_request = Some(o);
    }
    Ok(p)
}

/// Applies the plan to a loan: guaranteed amount, fees, the waterfall of `loss`, and, with a
/// PD, each party's expected loss.
pub fn outcome(
    plan: &GuaranteePlan,
    loan: Money,
    loss: Money,
    pd: Option<Decimal>,
) -> Result<GuaranteeOutcome> {
    let g_amt = fen(loan
        .checked_mul(plan.terms.coverage)
        .ctx("guaranteed amount")?);
    let years = Decimal::from(plan.tenor_months) / Decimal::from(12);
    let mut fees = Vec::new();
    for f in &plan.fee_rules {
        let rate = match &f.reduced {
            Some(r) if g_amt <= r.up_to => r.rate,
            _ => f.rate,
        };
        let base = match f.basis {
            FeeBasis::GuaranteedAmount => g_amt,
            FeeBasis::RecipientRisk => {
                let s = plan
                    .terms
                    .parties
                    .iter()
                    .find(|p| p.id == f.recipient)
                    .map_or(Decimal::ZERO, |p| p.share);
                fen(g_amt.checked_mul(s).ctx("fee base")?)
            }
        };
        let amount = fen(base
            .checked_mul(rate)
            .and_then(|m| m.checked_mul(years))
            .ctx("fee")?);
        fees.push(FeeLine {
            name: f.name.clone(),
            payer: f.payer,
            recipient: f.recipient.clone(),
            basis: f.basis,
            base,
            rate,
            years,
            amount,
        });
    }
    let borrower_fees = Money::checked_sum(
        fees.iter()
            .filter(|f| f.payer == Payer::Borrower)
            .map(|f| f.amount),
    )
    .ctx("borrower fees")?;
    let cover = if plan.guaranteed && !g_amt.is_zero() {
        Some(round_half_away(
            plan.counter_guarantee.ip_liquidation_value.amount() / g_amt.amount(),
            6,
        ))
    } else {
        None
    };
    let wf = waterfall(&plan.terms, loss)?;
    let mut els = Vec::new();
    let mut pool_el = None;
    if let Some(pd) = pd {
        for l in &wf.lines {
            els.push(PartyExpectedLoss {
                party: l.party.clone(),
                name_zh: l.name_zh.clone(),
                expected_loss: fen(l.after_pool.checked_mul(pd).ctx("expected loss")?),
            });
        }
        if wf.pool_timing.is_some() {
            pool_el = Some(fen(wf
                .pool_pays
                .checked_mul(pd)
                .ctx("pool expected loss")?));
        }
    }
    Ok(GuaranteeOutcome {
        loan,
        tenor_months: plan.tenor_months,
        guaranteed_amount: g_amt,
        fees,
        borrower_fees,
        counter_guarantee_cover: cover,
        waterfall: wf,
        expected_losses: els,
        pool_expected: pool_el,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finance::rules::Role;

    fn party(id: &str, role: Role, share: i64) -> Party {
        Party {
            id: id.into(),
            name_zh: id.into(),
            role,
            share: Decimal::new(share, 1),
        }
    }

    fn terms(pool: Option<Pool>) -> SharingTerms {
        SharingTerms {
            coverage: Decimal::ONE,
            parties: vec![
                party("national_fund", Role::ReGuarantor, 2),
                party("provincial", Role::ReGuarantor, 2),
                party("city", Role::Guarantor, 4),
                party("bank", Role::Bank, 2),
            ],
            pool,
        }
    }

    #[test]
    fn split_without_pool_adds_up_to_the_fen() {
        let wf = waterfall(&terms(None), Money::new(Decimal::new(100_001, 2))).unwrap();
        let sum = Money::checked_sum(wf.lines.iter().map(|l| l.after_pool)).unwrap();
        assert_eq!(sum, Money::new(Decimal::new(100_001, 2)));
        // 1000.01 × 0.2 = 200.002 → 200.00 each; the bank takes the 0.01 residue.
        assert_eq!(
            wf.bank().unwrap().after_pool,
            Money::new(Decimal::new(20_001, 2))
        );
    }

    #[test]
    fn before_split_pool_pays_first_and_caps() {
        let pool = Pool {
            name_zh: "pool".into(),
            timing: PoolTiming::BeforeSplit,
            rate: Decimal::new(6, 1),
            cap_share_of_loss: Decimal::new(5, 1),
            cap_amount: None,
            covers: vec![],
        };
        let wf = waterfall(&terms(Some(pool)), Money::from_yuan(1_000_000)).unwrap();
        // claim 600,000 capped at 500,000; the rest 500,000 split 2:2:4:2.
        assert_eq!(wf.pool_pays, Money::from_yuan(500_000));
        assert_eq!(wf.bank().unwrap().after_pool, Money::from_yuan(100_000));
        assert_eq!(
            wf.line("city").unwrap().after_pool,
            Money::from_yuan(200_000)
        );
    }

    #[test]
    fn after_split_pool_is_pro_rata_when_capped() {
        let pool = Pool {
            name_zh: "pool".into(),
            timing: PoolTiming::AfterSplit,
            rate: Decimal::ONE,
            cap_share_of_loss: Decimal::new(3, 1),
            cap_amount: Some(Money::from_yuan(250_000)),
            covers: vec!["city".into(), "bank".into()],
        };
        let wf = waterfall(&terms(Some(pool)), Money::from_yuan(1_000_000)).unwrap();
        // claims 400,000 + 200,000 = 600,000; cap = min(300,000, 250,000) = 250,000, 2:1.
        assert_eq!(wf.pool_pays, Money::from_yuan(250_000));
        let city = wf.line("city").unwrap();
        assert_eq!(
            city.pool_compensation.round_fen(),
            Money::new(Decimal::new(16_666_667, 2))
        );
        let bank = wf.bank().unwrap();
        assert_eq!(
            bank.pool_compensation,
            Money::new(Decimal::new(8_333_333, 2))
        );
        assert_eq!(bank.after_pool, Money::new(Decimal::new(11_666_667, 2)));
    }

    #[test]
    fn partial_coverage_leaves_the_rest_to_the_bank() {
        let mut t = terms(None);
        t.coverage = Decimal::new(8, 1);
        let wf = waterfall(&t, Money::from_yuan(1_000_000)).unwrap();
        assert_eq!(wf.unguaranteed_loss, Money::from_yuan(200_000));
        // 0.2 × 800,000 + 200,000
        assert_eq!(wf.bank().unwrap().after_pool, Money::from_yuan(360_000));
        assert!(waterfall(&t, Money::from_yuan(-1)).is_err());
    }
}
