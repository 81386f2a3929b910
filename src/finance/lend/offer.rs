//! The loan offer: size as the minimum of the pledge, DSCR, working-capital, programme and
//! request limits; the rate LPR + spread; the schedule, all-in cost and expected loss.

use super::*;
use crate::audit::{AuditTrail, AuditValue};
use crate::error::{Error, MoneyContext, Result};
use crate::finance::guarantee::{self, GuaranteeOutcome, GuaranteePlan};
use crate::finance::inputs::{Borrower, LoanRequest, RepayMethod};
use crate::finance::rules::{LprQuote, LprTable, Rulebook};
use crate::finance::PledgedItem;
use crate::money::{round_half_away, Money};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A constraint on the loan size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Constraint {
    /// Σ value × pledge rate.
    Pledge,
    /// Debt-service coverage.
    Dscr,
    /// Working-capital need.
    WorkingCapital,
    /// The programme's cap per borrower.
    ProgrammeCap,
    /// The amount the borrower asked for.
    Request,
}

impl Constraint {
    /// Schema name.
    pub fn as_str(self) -> &'static str {
        match self {
            Constraint::Pledge => "pledge",
            Constraint::Dscr => "dscr",
            Constraint::WorkingCapital => "working_capital",
            Constraint::ProgrammeCap => "programme_cap",
            Constraint::Request => "request",
        }
    }
    /// Chinese name.
    pub fn name_zh(self) -> &'static str {
        match self {
            Constraint::Pledge => "质押率上限",
            Constraint::Dscr => "偿债覆盖率上限",
            Constraint::WorkingCapital => "流动资金需求",
            Constraint::ProgrammeCap => "产品额度上限",
            Constraint::Request => "申请金额",
        }
    }
}

/// One constraint's amount.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConstraintLine {
    /// Which.
    pub constraint: Constraint,
    /// Its cap (none: not assessed).
    pub amount: Option<Money>,
    /// The formula.
    pub formula: String,
    /// Why not assessed, or a remark.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A pledged item with its rate and pledge value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PledgeLine {
    /// The item.
    pub item: PledgedItem,
    /// Its pledge rate (0 when the rulebook does not accept the kind).
    pub rate: Decimal,
    /// value × rate, rounded to the fen.
    pub pledge_value: Money,
}

/// The loan rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RateQuote {
    /// The LPR used.
    pub lpr: LprQuote,
    /// The spread asked for (the case's, else the rulebook's default).
    pub spread_asked: Decimal,
    /// The spread applied (capped).
    pub spread: Decimal,
    /// True when the cap cut the spread.
    pub capped: bool,
    /// r = LPR + spread.
    pub rate: Decimal,
}

/// The borrower's cost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AllInCost {
    /// Σ interest.
    pub interest: Money,
    /// Fees the borrower pays (guarantee fees).
    pub fees: Money,
    /// Interest subsidy received (贴息).
    pub subsidy: Money,
    /// interest + fees − subsidy.
    pub net_cost: Money,
    /// Σ opening balance × period length in years (元-years borrowed).
    pub balance_years: Decimal,
    /// The simple ratio net cost / balance-years (not the 年化利率; none for a zero loan).
    pub simple_ratio: Option<Decimal>,
    /// 年化利率, effective: the IRR of the borrower's dated cash flows as an annual effective
    /// rate (none for a zero loan).
    pub apr_effective: Option<Decimal>,
    /// 年化利率, nominal: the periodic IRR × payments a year.
    pub apr_nominal: Option<Decimal>,
}

/// Credit risk of the offer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreditRisk {
    /// Probability of default.
    pub pd: Decimal,
    /// Exposure at default (the loan).
    pub ead: Money,
    /// Liquidation value of the pledged IP.
    pub liquidation_value: Money,
    /// Recovery = min(liquidation value, EAD).
    pub recovery: Money,
    /// LGD = (EAD − recovery) / EAD.
    pub lgd: Decimal,
    /// Loss at default = EAD − recovery.
    pub loss_at_default: Money,
    /// EL = PD × LGD × EAD, before the guarantee.
    pub expected_loss: Money,
    /// The bank's EL after the guarantee and the pool.
    pub bank_net_expected_loss: Money,
}

/// The lending stage's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoanOffer {
    /// Rulebook id.
    pub rulebook: String,
    /// Pledged items and their pledge values.
    pub pledges: Vec<PledgeLine>,
    /// All constraints.
    pub constraints: Vec<ConstraintLine>,
    /// The binding one.
    pub binding: Constraint,
    /// The loan offered, rounded to the fen (0 when no loan is possible).
    pub amount: Money,
    /// Tenor in months.
    pub tenor_months: u32,
    /// Payments per year.
    pub periods_per_year: u32,
    /// Method.
    pub method: RepayMethod,
    /// The rate.
    pub rate: RateQuote,
    /// The schedule.
    pub schedule: Schedule,
    /// The guarantee applied to the offered amount (waterfall of the loss at default).
    pub guarantee: GuaranteeOutcome,
    /// The borrower's all-in cost.
    pub cost: AllInCost,
    /// Credit risk (none when the case gives no PD).
    pub risk: Option<CreditRisk>,
    /// The steps.
    pub audit: AuditTrail,
    /// Things to know.
    pub warnings: Vec<String>,
}

/// The loan rate on `date`: LPR + spread, the spread capped by the rulebook.
pub fn rate_quote(
    rb: &Rulebook,
    lpr: &LprTable,
    date: NaiveDate,
    spread: Option<Decimal>,
) -> Result<RateQuote> {
    let q = lpr.on(date, rb.loan.rate.base)?;
    let asked = spread.unwrap_or(rb.loan.rate.spread);
    let (applied, capped) = match rb.loan.rate.max_spread {
        Some(m) if asked > m => (m, true),
        _ => (asked, false),
    };
    let rate = q.rate + applied;
    if rate <= Decimal::ZERO {
        return Err(Error::field(
            "finance.loan.spread",
            asked.normalize(),
            format!(
                "gives a rate of {} ≤ 0 over the LPR {}",
                rate.normalize(),
                q.rate.normalize()
            ),
        ));
    }
    Ok(RateQuote {
        lpr: q,
        spread_asked: asked,
        spread: applied,
        capped,
        rate,
    })
}

/// 营运资金量 and 新增流动资金贷款额度 (see the module doc); `None` when inputs are missing,
/// with the names of the missing fields.
pub fn working_capital_need(
    b: &Borrower,
    tr: &mut AuditTrail,
) -> Result<std::result::Result<Money, String>> {
    let mut missing = Vec::new();
    if b.revenue_last_year.is_none() {
        missing.push("revenue_last_year");
    }
    if b.profit_margin_last_year.is_none() {
        missing.push("profit_margin_last_year");
    }
    if b.revenue_growth.is_none() {
        missing.push("revenue_growth");
    }
    if b.working_capital_turnover.is_none() && b.turnover_days.is_none() {
        missing.push("working_capital_turnover or turnover_days");
    }
    let (Some(s), Some(pm), Some(g)) = (
        b.revenue_last_year,
        b.profit_margin_last_year,
        b.revenue_growth,
    ) else {
        return Ok(Err(missing.join(", ")));
    };
    let turns = match (&b.working_capital_turnover, &b.turnover_days) {
        (Some(t), _) => *t,
        (None, Some(d)) => {
            let days = d.inventory + d.receivables - d.payables + d.prepayments - d.advances;
            let t = Decimal::from(360) / days;
            tr.record(
                "working_capital_turnover",
                "营运资金周转次数 = 360 / (存货 + 应收账款 − 应付账款 + 预付账款 − 预收账款 周转天数)",
                vec![
                    AuditValue::number("inventory_days", d.inventory),
                    AuditValue::number("receivable_days", d.receivables),
                    AuditValue::number("payable_days", d.payables),
                    AuditValue::number("prepayment_days", d.prepayments),
                    AuditValue::number("advance_days", d.advances),
                ],
                AuditValue::number("turnover", t),
            );
            t
        }
        (None, None) => return Ok(Err(missing.join(", "))),
    };
    let wc = s
        .checked_mul(Decimal::ONE - pm)
        .and_then(|m| m.checked_mul(Decimal::ONE + g))
        .and_then(|m| m.checked_div(turns))
        .ctx("营运资金量")?;
    tr.record_sourced(
        "working_capital",
        "营运资金量 = 上年度销售收入 × (1 − 上年度销售利润率) × (1 + 预计销售收入年增长率) / 营运资金周转次数",
        vec![
            AuditValue::money("revenue_last_year", s),
            AuditValue::rate_dec("profit_margin_last_year", pm),
            AuditValue::rate_dec("revenue_growth", g),
            AuditValue::number("turnover", turns),
        ],
        AuditValue::money("working_capital", wc),
        "《流动资金贷款管理办法》(2024) annex 流动资金贷款需求量的测算参考",
    );
    let own = b.own_funds.unwrap_or(Money::ZERO);
    let ex = b.existing_wc_loans.unwrap_or(Money::ZERO);
    let oth = b.other_funding.unwrap_or(Money::ZERO);
    let need = wc
        .checked_sub(own)
        .and_then(|m| m.checked_sub(ex))
        .and_then(|m| m.checked_sub(oth))
        .ctx("新增流动资金贷款额度")?;
    let need = need.max(Money::ZERO).round_fen();
    tr.record(
        "working_capital_need",
        "新增流动资金贷款额度 = 营运资金量 − 自有资金 − 现有流动资金贷款 − 其他渠道资金 (≥ 0)",
        vec![
            AuditValue::money("working_capital", wc),
            AuditValue::money("own_funds", own),
            AuditValue::money("existing_wc_loans", ex),
            AuditValue::money("other_funding", oth),
        ],
        AuditValue::money("need", need),
    );
    Ok(Ok(need))
}

/// Sizes, prices and schedules the loan on the guarantee plan, and applies the guarantee.
///
/// `default_date` picks the LPR when the request gives no `start_date` (the valuation date).
pub fn offer(
    plan: &GuaranteePlan,
    rb: &Rulebook,
    lpr: &LprTable,
    borrower: Option<&Borrower>,
    req: &LoanRequest,
    default_date: NaiveDate,
) -> Result<LoanOffer> {
    if plan.rulebook != rb.id {
        return Err(Error::Internal(format!(
            "guarantee plan of rulebook {} applied with rulebook {}",
            plan.rulebook, rb.id
        )));
    }
    let mut tr = AuditTrail::new();
    let mut warnings = Vec::new();
    let src = format!("rulebook {}", rb.id);

    // Pledge cap.
    let mut pledges = Vec::new();
    for it in &plan.pledged {
        let (rate, tier) = match rb.pledge_rate_graded(it.kind, it.grade) {
            Some(r) => r,
            None => {
                warnings.push(format!(
                    "rulebook {} does not accept {} ({}) as collateral: pledge value 0",
                    rb.id,
                    it.kind.name_zh(),
                    it.name
                ));
                (Decimal::ZERO, None)
            }
        };
        let pv = it.value.checked_mul(rate).ctx("pledge value")?.round_fen();
        let (formula, mut ins) = match tier {
            None => ("V_i × pledge rate(kind)", vec![]),
            Some(f) => (
                "V_i × pledge rate(kind) × rate_by_grade(grade)",
                vec![
                    AuditValue::text("grade", it.grade.map_or("ungraded", |g| g.as_str())),
                    AuditValue::number("rate_by_grade", f),
                ],
            ),
        };
        let mut inputs = vec![
            AuditValue::money("V_i", it.value),
            AuditValue::text("kind", it.kind.as_str()),
        ];
        inputs.append(&mut ins);
        inputs.push(AuditValue::rate_dec("pledge_rate", rate));
        tr.record_sourced(
            format!("pledge_value[{}]", it.name),
            formula,
            inputs,
            AuditValue::money("pledge_value", pv),
            src.clone(),
        );
        pledges.push(PledgeLine {
            item: it.clone(),
            rate,
            pledge_value: pv,
        });
    }
    let pledge_cap =
        Money::checked_sum(pledges.iter().map(|p| p.pledge_value)).ctx("pledge cap")?;

    // Rate.
    let date = req.start_date.unwrap_or(default_date);
    let rq = rate_quote(rb, lpr, date, req.spread)?;
    if rq.capped {
        warnings.push(format!(
            "spread {} asked; capped at the rulebook's {}",
            rq.spread_asked.normalize(),
            rq.spread.normalize()
        ));
    }
    if rq.lpr.stale {
        warnings.push(format!(
            "drawdown date {} is after the LPR table's last check ({}); a newer LPR may apply",
            date, lpr.checked_through
        ));
    }
    tr.record_sourced(
        "rate",
        "r = LPR(date) + spread (spread capped at max_spread)",
        vec![
            AuditValue::text("base", rq.lpr.base.as_str()),
            AuditValue::text("lpr_date", rq.lpr.row_date.clone()),
            AuditValue::rate_dec("lpr", rq.lpr.rate),
            AuditValue::rate_dec("spread_asked", rq.spread_asked),
            AuditValue::rate_dec("spread", rq.spread),
        ],
        AuditValue::rate_dec("r", rq.rate),
        format!("models/lpr.toml: {}; {}", lpr.source, src),
    );

    // Tenor and periods.
    let m = req.periods_per_year.unwrap_or(12);
    let tenor = plan.tenor_months;
    let step = 12 / m;
    if !tenor.is_multiple_of(step) {
        return Err(Error::field(
            "finance.loan.tenor_months",
            tenor,
            format!("must be a multiple of {step} months for {m} payments a year"),
        ));
    }
    let n = tenor / step;

    // DSCR cap: sized on the peak annual debt service of the method.
    let (peak, peak_year) = peak_debt_service(
        req.method,
        rq.rate / Decimal::from(m),
        n,
        m,
        rb.loan.dscr_bullet,
    )?;
    let dscr_formula = format!(
        "L ≤ CFADS / DSCR_min / f, f = peak annual debt service per 元 under {} (year {})",
        req.method.as_str(),
        peak_year + 1
    );
    let mut constraints = vec![ConstraintLine {
        constraint: Constraint::Pledge,
        amount: Some(pledge_cap),
        formula: "Σ V_i × pledge rate_i".into(),
        note: None,
    }];
    match borrower.and_then(|b| b.cfads) {
        Some(cfads) => {
            // Rounded down to the fen so that the coverage at the cap is never below the minimum.
            let cap = cfads
                .checked_div(rb.loan.dscr_min)
                .and_then(|x| x.checked_div(peak))
                .ctx("DSCR cap")?
                .max(Money::ZERO);
            let mut cap = Money::new(cap.amount().trunc_with_scale(2));
            // The schedule is rounded to the fen (the last payment takes the residue): step the
            // cap down by fens until the rounded schedule's peak year also holds the minimum.
            for _ in 0..1000 {
                if cap.is_zero() {
                    break;
                }
                let s = schedule(cap, rq.rate, n, m, req.method, req.first_period_days)?;
                let top = peak_rounded_service(&s, m, req.method, rb.loan.dscr_bullet);
                if top * rb.loan.dscr_min <= cfads.amount() {
                    break;
                }
                cap = Money::new(cap.amount() - Decimal::new(1, 2));
            }
            tr.record_sourced(
                "dscr_cap",
                dscr_formula.clone(),
                vec![
                    AuditValue::money("CFADS", cfads),
                    AuditValue::number("DSCR_min", rb.loan.dscr_min),
                    AuditValue::number("m", Decimal::from(m)),
                    AuditValue::number("n", Decimal::from(n)),
                    AuditValue::number("f", peak),
                    AuditValue::text("method", req.method.as_str()),
                ],
                AuditValue::money("dscr_cap", cap),
                src.clone(),
            );
            constraints.push(ConstraintLine {
                constraint: Constraint::Dscr,
                amount: Some(cap),
                formula: dscr_formula.clone(),
                note: None,
            });
        }
        None => {
            warnings.push("DSCR cap not assessed: the case gives no finance.borrower.cfads".into());
            constraints.push(ConstraintLine {
                constraint: Constraint::Dscr,
                amount: None,
                formula: dscr_formula.clone(),
                note: Some("not assessed: no finance.borrower.cfads".into()),
            });
        }
    }
    let wc = match borrower {
        Some(b) => working_capital_need(b, &mut tr)?,
        None => Err("the case has no [finance.borrower]".to_string()),
    };
    match wc {
        Ok(need) => constraints.push(ConstraintLine {
            constraint: Constraint::WorkingCapital,
            amount: Some(need),
            formula: "营运资金量 − 自有资金 − 现有流动资金贷款 − 其他渠道资金".into(),
            note: None,
        }),
        Err(missing) => {
            warnings.push(format!(
                "working-capital need not assessed: missing finance.borrower {missing}"
            ));
            constraints.push(ConstraintLine {
                constraint: Constraint::WorkingCapital,
                amount: None,
                formula: "营运资金量 − 自有资金 − 现有流动资金贷款 − 其他渠道资金".into(),
                note: Some(format!("not assessed: missing {missing}")),
            });
        }
    }
    constraints.push(ConstraintLine {
        constraint: Constraint::ProgrammeCap,
        amount: rb.loan.max_amount,
        formula: "rulebook loan.max_amount".into(),
        note: rb
            .loan
            .max_amount
            .is_none()
            .then(|| "the rulebook has no cap".to_string()),
    });
    constraints.push(ConstraintLine {
        constraint: Constraint::Request,
        amount: plan.requested,
        formula: "finance.loan.amount".into(),
        note: plan
            .requested
            .is_none()
            .then(|| "no amount requested: as much as the constraints allow".to_string()),
    });
    let (binding, amount) = constraints
        .iter()
        .filter_map(|c| c.amount.map(|a| (c.constraint, a)))
        .fold(None::<(Constraint, Money)>, |acc, (c, a)| match acc {
            Some((_, best)) if best <= a => acc,
            _ => Some((c, a)),
        })
        .unwrap_or((Constraint::Pledge, pledge_cap));
    let amount = amount.max(Money::ZERO).round_fen();
    let shown: Vec<AuditValue> = constraints
        .iter()
        .map(|c| match c.amount {
            Some(a) => AuditValue::money(c.constraint.as_str(), a),
            None => AuditValue::text(c.constraint.as_str(), "not assessed"),
        })
        .collect();
    tr.record(
        "loan_amount",
        "L = min(pledge cap, DSCR cap, working-capital need, programme cap, request)",
        shown,
        AuditValue::money("L", amount),
    );
    tr.record(
        "binding_constraint",
        "the constraint that sets L",
        vec![],
        AuditValue::text("binding", binding.as_str()),
    );
    if amount.is_zero() {
        warnings.push(format!(
            "no loan is possible: the {} constraint is 0",
            binding.as_str()
        ));
    }

    // Schedule.
    let sched = schedule(amount, rq.rate, n, m, req.method, req.first_period_days)?;
    tr.record(
        "schedule",
        format!(
            "{} {}: {} periods, principal sums to L",
            req.method.name_zh(),
            req.method.as_str(),
            n
        ),
        vec![
            AuditValue::money("L", amount),
            AuditValue::rate_dec("r/m", sched.period_rate),
            AuditValue::money("total_interest", sched.total_interest),
        ],
        AuditValue::money("total_payment", sched.total_payment),
    );

    // Credit risk and the guarantee on the offered amount.
    let lv = plan.counter_guarantee.ip_liquidation_value;
    let recovery = lv.min(amount);
    let loss = amount.checked_sub(recovery).ctx("loss at default")?;
    let lgd = if amount.is_zero() {
        Decimal::ZERO
    } else {
        loss.amount() / amount.amount()
    };
    let pd = borrower.and_then(|b| b.pd);
    let go = guarantee::outcome(plan, amount, loss, pd)?;
    let risk = match pd {
        Some(pd) => {
            let el = loss.checked_mul(pd).ctx("expected loss")?.round_fen();
            let bank_after = go.waterfall.bank().map_or(Money::ZERO, |b| b.after_pool);
            let bank_el = bank_after
                .checked_mul(pd)
                .ctx("bank expected loss")?
                .round_fen();
            tr.record_sourced(
                "lgd",
                "LGD = (EAD − min(LV, EAD)) / EAD, LV = liquidation value of the pledged IP",
                vec![
                    AuditValue::money("EAD", amount),
                    AuditValue::money("LV", lv),
                    AuditValue::money("recovery", recovery),
                ],
                AuditValue::rate_dec("LGD", lgd),
                src.clone(),
            );
            tr.record(
                "expected_loss",
                "EL = PD × LGD × EAD",
                vec![
                    AuditValue::rate_dec("PD", pd),
                    AuditValue::rate_dec("LGD", lgd),
                    AuditValue::money("EAD", amount),
                ],
                AuditValue::money("EL", el),
            );
            tr.record(
                "bank_net_expected_loss",
                "PD × the bank's after-pool share of the loss at default",
                vec![
                    AuditValue::rate_dec("PD", pd),
                    AuditValue::money("bank_after_pool", bank_after),
                ],
                AuditValue::money("bank_net_EL", bank_el),
            );
            Some(CreditRisk {
                pd,
                ead: amount,
                liquidation_value: lv,
                recovery,
                lgd,
                loss_at_default: loss,
                expected_loss: el,
                bank_net_expected_loss: bank_el,
            })
        }
        None => {
            warnings
                .push("expected loss not assessed: the case gives no finance.borrower.pd".into());
            None
        }
    };

    // All-in cost: the borrower's dated cash flows (fees at drawdown, each payment less the
    // subsidy received with it) and the simple ratio beside them.
    let sub_rate = rb.subsidy.as_ref().map(|s| s.rate);
    let mut subsidy = Money::ZERO;
    let mut balance_years = Decimal::ZERO;
    let mut flows: Vec<(f64, Decimal)> = vec![(
        0.0,
        amount
            .checked_sub(go.borrower_fees)
            .ctx("net proceeds")?
            .amount(),
    )];
    let mut t = 0.0f64;
    for l in &sched.lines {
        let len = match (l.period, req.first_period_days) {
            (1, Some(d)) => Decimal::from(d) / Decimal::from(360),
            _ => Decimal::ONE / Decimal::from(m),
        };
        t += rust_decimal::prelude::ToPrimitive::to_f64(&len).unwrap_or(0.0);
        balance_years += l.opening.amount() * len;
        let mut x = Money::ZERO;
        if let Some(s) = sub_rate {
            x = Money::new(round_half_away(l.opening.amount() * s * len, 2)).min(l.interest);
            subsidy = subsidy.checked_add(x).ctx("subsidy")?;
        }
        flows.push((t, -(l.payment.amount() - x.amount())));
    }
    let apr = annualised_cost(&flows, m);
    let net = sched
        .total_interest
        .checked_add(go.borrower_fees)
        .and_then(|x| x.checked_sub(subsidy))
        .ctx("net cost")?;
    let simple = if balance_years.is_zero() {
        None
    } else {
        Some(net.amount() / balance_years)
    };
    tr.record_sourced(
        "all_in_cost.simple_ratio",
        "simple ratio = (interest + borrower fees − subsidy) / Σ(opening balance × period years)",
        vec![
            AuditValue::money("interest", sched.total_interest),
            AuditValue::money("fees", go.borrower_fees),
            AuditValue::money("subsidy", subsidy),
            AuditValue::number("balance_years", balance_years),
        ],
        match simple {
            Some(r) => AuditValue::rate_dec("simple_ratio", r),
            None => AuditValue::text("simple_ratio", "n/a (no loan)"),
        },
        src.clone(),
    );
    tr.record_sourced(
        "all_in_cost.apr",
        "年化利率: IRR of the borrower's flows (L − fees at drawdown; −(payment − subsidy) at each payment date); effective = (1+i)^m − 1, nominal = m × i",
        vec![
            AuditValue::money("L", amount),
            AuditValue::money("fees_at_drawdown", go.borrower_fees),
            AuditValue::money("subsidy", subsidy),
            AuditValue::number("m", Decimal::from(m)),
            AuditValue::number("payments", Decimal::from(sched.lines.len())),
        ],
        match apr {
            Some((eff, _)) => AuditValue::rate_dec("effective_annual", eff),
            None => AuditValue::text("effective_annual", "n/a (no loan)"),
        },
        src,
    );
    let cost = AllInCost {
        interest: sched.total_interest,
        fees: go.borrower_fees,
        subsidy,
        net_cost: net,
        balance_years,
        simple_ratio: simple,
        apr_effective: apr.map(|a| a.0),
        apr_nominal: apr.map(|a| a.1),
    };
    Ok(LoanOffer {
        rulebook: rb.id.clone(),
        pledges,
        constraints,
        binding,
        amount,
        tenor_months: tenor,
        periods_per_year: m,
        method: req.method,
        rate: rq,
        schedule: sched,
        guarantee: go,
        cost,
        risk,
        audit: tr,
        warnings,
    })
}
