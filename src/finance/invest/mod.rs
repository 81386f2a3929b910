//! 投 Invest: what a fund pays for a stake in the venture that holds the technology.
//!
//! * **VC method** (Sahlman 1987): `post = p × TV / (1 + ROI)^n × R`, `pre = post − I`,
//!   stake `= I / post`. TV = terminal net income × P/E (or given); ROI the required annual
//!   return — given, from a target multiple `M` (then `(1+ROI)^n = M`, so `post = TV / M`), or
//!   the midpoint of the stage's range in `models/vc_stage_returns.toml`; `p` the probability of
//!   reaching the exit (expected TV, default 1); `R` the retention ratio (share of today's
//!   stake kept after later rounds, default 1).
//! * **First Chicago**: `post = R × Σ_s p_s × TV_s / (1 + ROI)^{n_s}` — on the same basis as the
//!   VC method beside it (the stake bought today is diluted by the same later rounds).
//! * **Retention** `R`: when the case lists later rounds, the share of today's stake they leave,
//!   `R = Π_k (1 − I_k/(pre_k + I_k) − pool_k − conversion_k)` (the conversion of 先投后股 at the
//!   first round); a stated `retention` that differs from it by more than 0.005 is reported and
//!   the rounds' figure used. Without rounds, the stated `retention` (default 1).
//! * **Scorecard** (Payne): `pre = average pre-money × Σ w_i × rating_i` (rating 1 = average).
//! * **Checklist** (Payne): `pre = Σ w_i × max pre-money × achievement_i` (achievement 0–1).
//! * **先投后股** (invest first, equity later): funding `F` converts at the next round:
//!   `stake = F / (post_next × (1 − discount))`.
//! * **Berkus**, **risk-factor summation** (`early.rs`) and **real options** — Black–Scholes and
//!   a binomial lattice for staged investment (`options.rs`).
//! * **Dilution** across later rounds: each round's new money takes `I / (pre + I)`, an option
//!   pool takes its share of post-money, and every earlier holder keeps
//!   `1 − I/(pre + I) − pool` of its stake.
//!
//! Money results are rounded to the fen; stakes are fractions kept to 10 decimals.

mod dilution;
mod early;
mod options;

use dilution::{dilution, retention};

pub use early::*;
pub use options::*;

use crate::audit::{AuditTrail, AuditValue};
use crate::error::{Error, MoneyContext, Result};
use crate::finance::inputs::InvestInputs;
use crate::finance::lend::LoanOffer;
use crate::finance::rules::VcStageTable;
use crate::money::{round_half_away, Money, MoneyError};
use rust_decimal::prelude::MathematicalOps;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Where the required return came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequiredReturn {
    /// Yearly return.
    pub rate: Decimal,
    /// `(1 + rate)^n`, the target multiple over the horizon.
    pub multiple: Decimal,
    /// How it was set (`target_return`, `target_multiple`, `stage startup (50%–70%)`).
    pub from: String,
}

/// The VC method's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VcMethod {
    /// Terminal value.
    pub terminal_value: Money,
    /// Years to exit.
    pub years: u32,
    /// Required return.
    pub required: RequiredReturn,
    /// Probability of reaching the exit.
    pub success_probability: Decimal,
    /// Retention ratio.
    pub retention: Decimal,
    /// Post-money today (rounded to the fen).
    pub post_money: Money,
    /// Pre-money = post − investment (none without an investment).
    pub pre_money: Option<Money>,
    /// Stake = investment / post (none without an investment).
    pub stake: Option<Decimal>,
}

/// One First Chicago scenario's present value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioPv {
    /// Name.
    pub name: String,
    /// Probability.
    pub probability: Decimal,
    /// Exit value.
    pub terminal_value: Money,
    /// Years.
    pub years: u32,
    /// TV / (1 + ROI)^n, rounded to the fen.
    pub pv: Money,
}

/// The First Chicago result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FirstChicago {
    /// The scenarios.
    pub scenarios: Vec<ScenarioPv>,
    /// Σ p_s × PV_s (rounded to the fen).
    pub post_money: Money,
    /// post − investment.
    pub pre_money: Option<Money>,
}

/// A weighted-factor method's result (scorecard or checklist).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FactorMethod {
    /// The base (average pre-money, or maximum pre-money).
    pub base: Money,
    /// Σ w_i × score_i.
    pub multiplier: Decimal,
    /// Pre-money = base × multiplier (rounded to the fen).
    pub pre_money: Money,
    /// pre + investment.
    pub post_money: Option<Money>,
}

/// The retention ratio the VC method and First Chicago use, and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Retention {
    /// `finance.invest.retention` as stated.
    pub stated: Option<Decimal>,
    /// Π (1 − I/(pre + I) − pool − conversion) over `finance.invest.rounds`, when there are any.
    pub implied_by_rounds: Option<Decimal>,
    /// The ratio used.
    pub used: Decimal,
    /// `finance.invest.rounds`, `finance.invest.retention` or `default (no later rounds)`.
    pub from: String,
}

/// The 先投后股 conversion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversionResult {
    /// Funding now.
    pub funding: Money,
    /// Next round's post-money.
    pub next_post_money: Money,
    /// Discount.
    pub discount: Decimal,
    /// Conversion valuation = post_next × (1 − discount).
    pub conversion_valuation: Money,
    /// Stake = F / conversion valuation.
    pub stake: Decimal,
}

/// One row of the dilution table (stakes after the round).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DilutionRow {
    /// Round name (`today` for the first row).
    pub round: String,
    /// New money.
    pub investment: Money,
    /// Pre-money.
    pub pre_money: Money,
    /// Post-money.
    pub post_money: Money,
    /// This round's new investors.
    pub new_investors: Decimal,
    /// The fund (this investment).
    pub fund: Decimal,
    /// The 先投后股 holder (after conversion).
    pub converted: Decimal,
    /// Option pools created so far.
    pub option_pool: Decimal,
    /// Everyone else (founders, earlier holders), the remainder.
    pub founders_and_others: Decimal,
}

/// The invest stage's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvestmentView {
    /// The IP's appraised value (point value of the valuation).
    pub ip_value: Money,
    /// The loan offered in the lending stage.
    pub loan_amount: Money,
    /// The fund's investment now.
    pub investment: Option<Money>,
    /// How the investment was set.
    pub investment_from: String,
    /// VC method.
    pub vc: Option<VcMethod>,
    /// First Chicago.
    pub first_chicago: Option<FirstChicago>,
    /// Scorecard.
    pub scorecard: Option<FactorMethod>,
    /// Checklist.
    pub checklist: Option<FactorMethod>,
    /// 先投后股.
    pub conversion: Option<ConversionResult>,
    /// Berkus method.
    pub berkus: Option<EarlyStage>,
    /// Risk-factor summation.
    pub risk_factor_summation: Option<EarlyStage>,
    /// The real option to commercialise.
    pub real_option: Option<RealOption>,
    /// The retention ratio both the VC method and First Chicago apply.
    pub retention: Retention,
    /// Dilution across rounds (empty without rounds).
    pub dilution: Vec<DilutionRow>,
    /// The post-money the later stages use: VC method, else First Chicago, else scorecard,
    /// else checklist (post = pre + investment).
    pub post_money: Option<Money>,
    /// IP value / that post-money: the share of the venture the technology accounts for.
    pub ip_share_of_post: Option<Decimal>,
    /// The steps.
    pub audit: AuditTrail,
    /// Things to know.
    pub warnings: Vec<String>,
}

fn ovf(what: &'static str) -> Error {
    Error::money(what, MoneyError::Overflow(what))
}

fn pow(base: Decimal, n: u32, what: &'static str) -> Result<Decimal> {
    base.checked_powi(i64::from(n)).ok_or_else(|| ovf(what))
}

fn stake10(d: Decimal) -> Decimal {
    round_half_away(d, 10)
}

/// The required return over `years`: exactly one of `target_return`, `target_multiple`,
/// `stage` (a `models/vc_stage_returns.toml` id).
pub fn required_return(
    target_return: Option<Decimal>,
    target_multiple: Option<Decimal>,
    stage: Option<&str>,
    years: u32,
    stages: &VcStageTable,
) -> Result<RequiredReturn> {
    match (target_return, target_multiple, stage) {
        (Some(r), None, None) => Ok(RequiredReturn {
            rate: r,
            multiple: pow(Decimal::ONE + r, years, "(1 + ROI)^n")?,
            from: "target_return".into(),
        }),
        (None, Some(m), None) => {
            // ROI = M^(1/n) − 1 (for display; the value uses M itself).
            let rate = if years == 1 {
                m - Decimal::ONE
            } else {
                m.checked_powd(Decimal::ONE / Decimal::from(years))
                    .map(|x| round_half_away(x, 12) - Decimal::ONE)
                    .ok_or_else(|| ovf("M^(1/n)"))?
            };
            Ok(RequiredReturn {
                rate,
                multiple: m,
                from: format!("target_multiple {}", m.normalize()),
            })
        }
        (None, None, Some(id)) => {
            let s = stages.get(id).ok_or_else(|| {
                let ids: Vec<&str> = stages.stage.iter().map(|s| s.id.as_str()).collect();
                Error::field(
                    "finance.invest.stage",
                    format!("\"{id}\""),
                    format!(
                        "is not a stage of models/vc_stage_returns.toml ({})",
                        ids.join(", ")
                    ),
                )
            })?;
            let r = (s.min + s.max) / Decimal::TWO;
            Ok(RequiredReturn {
                rate: r,
                multiple: pow(Decimal::ONE + r, years, "(1 + ROI)^n")?,
                from: format!(
                    "stage {} {} (midpoint of {}–{})",
                    s.id,
                    s.name_zh,
                    s.min.normalize(),
                    s.max.normalize()
                ),
            })
        }
        (None, None, None) => Err(Error::field(
            "finance.invest.target_return",
            "",
            "give target_return, target_multiple or stage for the VC and First Chicago methods",
        )),
        _ => Err(Error::field(
            "finance.invest.target_return",
            "",
            "give only one of target_return, target_multiple or stage",
        )),
    }
}

/// The VC method: `post = p × TV / multiple × R`, `pre = post − investment`.
pub fn vc_method(
    tv: Money,
    years: u32,
    req: &RequiredReturn,
    success_probability: Decimal,
    retention: Decimal,
    investment: Option<Money>,
    tr: &mut AuditTrail,
) -> Result<VcMethod> {
    if req.multiple <= Decimal::ZERO {
        return Err(Error::field(
            "finance.invest.target_multiple",
            req.multiple.normalize(),
            "must be above 0",
        ));
    }
    let post_exact = tv
        .checked_mul(success_probability)
        .and_then(|m| m.checked_div(req.multiple))
        .and_then(|m| m.checked_mul(retention))
        .ctx("VC method")?;
    let post = post_exact.round_fen();
    tr.record(
        "vc.post_money",
        "post = p × TV / (1 + ROI)^n × R",
        vec![
            AuditValue::money("TV", tv),
            AuditValue::rate_dec("p", success_probability),
            AuditValue::rate_dec("ROI", req.rate),
            AuditValue::number("n", Decimal::from(years)),
            AuditValue::number("(1+ROI)^n", req.multiple),
            AuditValue::rate_dec("R", retention),
            AuditValue::text("ROI from", req.from.clone()),
        ],
        AuditValue::money("post", post),
    );
    let (pre, stake) = match investment {
        Some(i) => {
            let pre = post.checked_sub(i).ctx("pre-money")?;
            let stake = if post.is_zero() {
                None
            } else {
                Some(stake10(i.amount() / post.amount()))
            };
            tr.record(
                "vc.pre_money",
                "pre = post − I; stake = I / post",
                vec![AuditValue::money("post", post), AuditValue::money("I", i)],
                AuditValue::money("pre", pre),
            );
            (Some(pre), stake)
        }
        None => (None, None),
    };
    Ok(VcMethod {
        terminal_value: tv,
        years,
        required: req.clone(),
        success_probability,
        retention,
        post_money: post,
        pre_money: pre,
        stake,
    })
}

/// 先投后股: stake = F / (post_next × (1 − discount)).
pub fn conversion(
    funding: Money,
    next_post: Money,
    discount: Decimal,
    tr: &mut AuditTrail,
) -> Result<ConversionResult> {
    let cv = next_post
        .checked_mul(Decimal::ONE - discount)
        .ctx("conversion valuation")?
        .round_fen();
    if cv.is_zero() || cv.is_negative() {
        return Err(Error::field(
            "finance.invest.convert.next_post_money",
            next_post,
            "× (1 − discount) must be above 0",
        ));
    }
    let stake = stake10(funding.amount() / cv.amount());
    if stake > Decimal::ONE {
        return Err(Error::field(
            "finance.invest.convert.funding",
            funding,
            format!("converts to more than 100% of the company at a valuation of {cv}"),
        ));
    }
    tr.record(
        "convert.stake",
        "先投后股: stake = F / (post_next × (1 − discount))",
        vec![
            AuditValue::money("F", funding),
            AuditValue::money("post_next", next_post),
            AuditValue::rate_dec("discount", discount),
        ],
        AuditValue::rate_dec("stake", stake),
    );
    Ok(ConversionResult {
        funding,
        next_post_money: next_post,
        discount,
        conversion_valuation: cv,
        stake,
    })
}

/// The invest stage on the loan offer (for the debt raised and the IP value) and the case's
/// `[finance.invest]`. Without `[finance.invest]` nothing is priced, and the view says so.
pub fn view(
    loan: &LoanOffer,
    ip_value: Money,
    inp: Option<&InvestInputs>,
    stages: &VcStageTable,
) -> Result<InvestmentView> {
    let mut tr = AuditTrail::new();
    let mut warnings = Vec::new();
    tr.record(
        "inputs",
        "carried from the earlier stages",
        vec![AuditValue::money("loan_offered", loan.amount)],
        AuditValue::money("ip_value", ip_value),
    );
    let mut v = InvestmentView {
        ip_value,
        loan_amount: loan.amount,
        investment: None,
        investment_from: "none".into(),
        vc: None,
        first_chicago: None,
        scorecard: None,
        checklist: None,
        conversion: None,
        berkus: None,
        risk_factor_summation: None,
        real_option: None,
        retention: Retention {
            stated: None,
            implied_by_rounds: None,
            used: Decimal::ONE,
            from: "default (no later rounds)".into(),
        },
        dilution: Vec::new(),
        post_money: None,
        ip_share_of_post: None,
        audit: AuditTrail::new(),
        warnings: Vec::new(),
    };
    let Some(inp) = inp else {
        warnings.push("no [finance.invest] in the case: no investment priced".into());
        v.audit = tr;
        v.warnings = warnings;
        return Ok(v);
    };
    let (investment, from) = match (inp.investment, inp.funding_need) {
        (Some(i), _) => (Some(i), "finance.invest.investment".to_string()),
        (None, Some(need)) => {
            let eq = need
                .checked_sub(loan.amount)
                .ctx("equity need")?
                .max(Money::ZERO);
            tr.record(
                "investment",
                "I = funding need − loan offered (≥ 0)",
                vec![
                    AuditValue::money("funding_need", need),
                    AuditValue::money("loan", loan.amount),
                ],
                AuditValue::money("I", eq),
            );
            if eq.is_zero() {
                warnings.push("the loan covers the whole funding need: no equity needed".into());
                (None, "funding need fully covered by the loan".to_string())
            } else {
                (
                    Some(eq),
                    "finance.invest.funding_need − loan offered".to_string(),
                )
            }
        }
        (None, None) => (None, "none given".to_string()),
    };
    v.investment = investment;
    v.investment_from = from;
    if let Some(c) = &inp.convert {
        v.conversion = Some(conversion(
            c.funding,
            c.next_post_money,
            c.discount,
            &mut tr,
        )?);
        if let Some(r0) = inp.rounds.first() {
            let post0 = r0.pre_money.checked_add(r0.investment).ctx("post-money")?;
            if post0 != c.next_post_money {
                warnings.push(format!(
                    "finance.invest.convert.next_post_money = {} but the first later round ({}) has post-money {} (pre + investment): the 先投后股 funding converts at the round the case lists",
                    c.next_post_money.display_yuan(),
                    r0.name,
                    post0.display_yuan()
                ));
            }
        }
    }
    v.retention = retention(inp, v.conversion.as_ref(), &mut tr, &mut warnings)?;
    let r_used = v.retention.used;
    let needs_return = inp.terminal.is_some() || !inp.scenarios.is_empty();
    let req = if needs_return {
        Some(required_return(
            inp.target_return,
            inp.target_multiple,
            inp.stage.as_deref(),
            inp.years,
            stages,
        )?)
    } else {
        None
    };
    if let (Some(t), Some(req)) = (&inp.terminal, &req) {
        let tv = match (t.net_income, t.pe, t.value) {
            (Some(ni), Some(pe), _) => {
                let tv = ni.checked_mul(pe).ctx("terminal value")?;
                tr.record(
                    "vc.terminal_value",
                    "TV = terminal-year net income × P/E",
                    vec![AuditValue::money("NI", ni), AuditValue::number("P/E", pe)],
                    AuditValue::money("TV", tv),
                );
                tv
            }
            (_, _, Some(tv)) => tv,
            _ => {
                return Err(Error::field(
                    "finance.invest.terminal",
                    "",
                    "give net_income and pe, or value",
                ))
            }
        };
        v.vc = Some(vc_method(
            tv,
            inp.years,
            req,
            inp.success_probability.unwrap_or(Decimal::ONE),
            r_used,
            investment,
            &mut tr,
        )?);
    }
    if let (false, Some(req)) = (inp.scenarios.is_empty(), &req) {
        let mut rows = Vec::new();
        let mut post = Money::ZERO;
        for s in &inp.scenarios {
            let n = s.years.unwrap_or(inp.years);
            let mult = if n == inp.years {
                req.multiple
            } else {
                pow(Decimal::ONE + req.rate, n, "(1 + ROI)^n")?
            };
            let pv = s.terminal_value.checked_div(mult).ctx("scenario PV")?;
            let w = pv.checked_mul(s.probability).ctx("scenario weight")?;
            post = post.checked_add(w).ctx("First Chicago")?;
            tr.record(
                format!("first_chicago[{}]", s.name),
                "PV_s = TV_s / (1 + ROI)^n_s",
                vec![
                    AuditValue::money("TV_s", s.terminal_value),
                    AuditValue::rate_dec("p_s", s.probability),
                    AuditValue::number("n_s", Decimal::from(n)),
                ],
                AuditValue::money("PV_s", pv),
            );
            rows.push(ScenarioPv {
                name: s.name.clone(),
                probability: s.probability,
                terminal_value: s.terminal_value,
                years: n,
                pv: pv.round_fen(),
            });
        }
        let sum = post.round_fen();
        let post = post.checked_mul(r_used).ctx("First Chicago")?.round_fen();
        tr.record(
            "first_chicago.post_money",
            "post = R × Σ p_s × PV_s (the VC method's retention R: both on the basis of the stake kept at exit)",
            vec![
                AuditValue::rate_dec("ROI", req.rate),
                AuditValue::money("Σ p_s × PV_s", sum),
                AuditValue::rate_dec("R", r_used),
                AuditValue::text("R from", v.retention.from.clone()),
            ],
            AuditValue::money("post", post),
        );
        let pre = match investment {
            Some(i) => Some(post.checked_sub(i).ctx("pre-money")?),
            None => None,
        };
        v.first_chicago = Some(FirstChicago {
            scenarios: rows,
            post_money: post,
            pre_money: pre,
        });
    }
    let factor_method = |base: Money,
                         factors: &[crate::finance::inputs::Factor],
                         name: &str,
                         formula: &str,
                         tr: &mut AuditTrail|
     -> Result<FactorMethod> {
        let mult: Decimal = factors.iter().map(|f| f.weight * f.score).sum();
        let pre = base.checked_mul(mult).ctx("factor method")?.round_fen();
        let mut ins = vec![AuditValue::money("base", base)];
        for f in factors {
            ins.push(AuditValue::text(
                f.name.clone(),
                format!("w {} × score {}", f.weight.normalize(), f.score.normalize()),
            ));
        }
        tr.record(
            format!("{name}.pre_money"),
            formula,
            ins,
            AuditValue::money("pre", pre),
        );
        let post = match investment {
            Some(i) => Some(pre.checked_add(i).ctx("post-money")?),
            None => None,
        };
        Ok(FactorMethod {
            base,
            multiplier: mult,
            pre_money: pre,
            post_money: post,
        })
    };
    if let Some(s) = &inp.scorecard {
        v.scorecard = Some(factor_method(
            s.average_pre_money,
            &s.factors,
            "scorecard",
            "pre = average pre-money × Σ w_i × rating_i",
            &mut tr,
        )?);
    }
    if let Some(c) = &inp.checklist {
        v.checklist = Some(factor_method(
            c.max_pre_money,
            &c.factors,
            "checklist",
            "pre = Σ w_i × max pre-money × achievement_i",
            &mut tr,
        )?);
    }
    if let Some(b) = &inp.berkus {
        v.berkus = Some(berkus(b, investment, &mut tr)?);
    }
    if let Some(r) = &inp.risk_factor_summation {
        v.risk_factor_summation = Some(risk_factor_summation(r, investment, &mut tr)?);
    }
    if let Some(o) = &inp.real_option {
        v.real_option = Some(real_option(o, &mut tr)?);
    }
    v.post_money =
        v.vc.as_ref()
            .map(|x| x.post_money)
            .or_else(|| v.first_chicago.as_ref().map(|x| x.post_money))
            .or_else(|| v.scorecard.as_ref().and_then(|x| x.post_money))
            .or_else(|| v.checklist.as_ref().and_then(|x| x.post_money));
    if let Some(post) = v.post_money {
        if !post.is_zero() && !post.is_negative() {
            let s = stake10(ip_value.amount() / post.amount());
            tr.record(
                "ip_share_of_post",
                "IP value / post-money",
                vec![
                    AuditValue::money("ip_value", ip_value),
                    AuditValue::money("post", post),
                ],
                AuditValue::rate_dec("share", s),
            );
            v.ip_share_of_post = Some(s);
            if s > Decimal::ONE {
                warnings.push(
                    "the IP's appraised value exceeds the venture's post-money: check the valuation or the exit assumptions".into(),
                );
            }
        }
    }
    if let Some(pre) = v.vc.as_ref().and_then(|x| x.pre_money) {
        if pre.is_negative() {
            warnings.push(format!(
                "the VC-method pre-money is negative ({}): the investment exceeds what the exit supports",
                pre.display_yuan()
            ));
        }
    }
    v.dilution = dilution(&v, inp, &mut tr)?;
    v.audit = tr;
    v.warnings = warnings;
    Ok(v)
}

#[cfg(test)]
mod tests;
