//! The credit memo (授信审查报告 / 信贷备忘录) for an IP-pledge loan and its guarantee, as
//! self-contained HTML.
//!
//! It renders plain input structs ([`CreditMemo`]) that the guarantee and lending stages fill in:
//! the pledge and its value, the loan-size limits and which one binds, the terms, the schedule,
//! expected loss and the loss-sharing arrangement. Like the valuation report it computes
//! nothing: totals, limits and shares are given, and are only formatted here.

use super::Lang;
use crate::case::Case;
use crate::chart::{self, Chart};
use crate::finance::guarantee::{GuaranteePlan, Waterfall};
use crate::finance::lend::LoanOffer;
use crate::finance::rules::{PoolTiming, Role};
use crate::money::{group_thousands, Money, Rate};
use chrono::NaiveDate;
use serde::Serialize;

/// One limit on the loan size (`L = min(…)`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SizeLimit {
    /// What limits, e.g. `质押率上限`, `偿债覆盖率上限`, `流动资金需求`, `产品额度上限`.
    pub name: String,
    /// The limit, 元 (none: not assessed).
    pub amount: Option<Money>,
    /// Its formula, as the lending stage states it.
    pub formula: String,
    /// Why not assessed, or a remark.
    pub note: Option<String>,
    /// True for the limit that sets the loan size.
    pub binding: bool,
}

/// One pledged item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PledgeRow {
    /// The item.
    pub name: String,
    /// Kind of IP, in the report language.
    pub kind: String,
    /// The value the pledge rate applies to, 元.
    pub value: Money,
    /// Pledge rate (质押率).
    pub rate: Rate,
    /// value × rate, 元 (as the lending stage computed it).
    pub pledge_value: Money,
}

/// Loan terms.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoanTerms {
    /// Principal, 元.
    pub principal: Money,
    /// Annual interest rate.
    pub annual_rate: Rate,
    /// How the rate is set, e.g. `1年期LPR 3.00% + 80bp`.
    pub rate_basis: Option<String>,
    /// Term in months.
    pub term_months: u32,
    /// Repayment, e.g. `等额本息`.
    pub repayment: String,
    /// Drawdown date.
    pub start_date: Option<NaiveDate>,
}

/// One schedule line (元).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScheduleLine {
    /// Period, 1-based.
    pub period: u32,
    /// Due date.
    pub date: Option<NaiveDate>,
    /// Payment.
    pub payment: Money,
    /// Principal part.
    pub principal: Money,
    /// Interest part.
    pub interest: Money,
    /// Outstanding principal after the payment.
    pub balance: Money,
}

/// Schedule totals as the lending stage computed them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScheduleTotals {
    /// Σ payments.
    pub payment: Money,
    /// Σ principal (equals the principal to the fen).
    pub principal: Money,
    /// Σ interest.
    pub interest: Money,
}

/// The borrower's all-in cost over the loan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BorrowerCost {
    /// Σ interest, 元.
    pub interest: Money,
    /// Fees the borrower pays (guarantee fees), 元.
    pub fees: Money,
    /// Interest subsidy received (贴息), 元.
    pub subsidy: Money,
    /// interest + fees − subsidy, 元.
    pub net_cost: Money,
    /// 年化利率 (nominal): the IRR of the borrower's cash flows × payments a year.
    pub apr_nominal: Option<Rate>,
    /// The same IRR as an effective annual rate.
    pub apr_effective: Option<Rate>,
    /// The simple ratio net cost / 元-years borrowed (not an annualised rate).
    pub simple_ratio: Option<Rate>,
}

/// Expected loss.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CreditRisk {
    /// Probability of default.
    pub pd: Rate,
    /// Loss given default.
    pub lgd: Rate,
    /// Exposure at default, 元.
    pub ead: Money,
    /// Liquidation value of the pledged IP after haircut and disposal cost, 元.
    pub liquidation_value: Option<Money>,
    /// EL = PD × LGD × EAD, 元.
    pub expected_loss: Money,
    /// The bank's expected loss after the guarantee and the pool, 元.
    pub bank_net_expected_loss: Option<Money>,
    /// Internal rating, if any.
    pub rating: Option<String>,
}

/// Loss sharing: the parties, their shares by rule, and the amounts in some loss scenarios.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LossSharingTable {
    /// Parties, e.g. `银行`, `市担保`, `省再担保`, `风险补偿资金池`.
    pub parties: Vec<String>,
    /// Share of each party by the rulebook (e.g. 0.2, 0.4, 0.2, 0.2); none for the pool.
    pub shares: Vec<Option<Rate>>,
    /// Scenarios: label and amount per party, 元.
    pub scenarios: Vec<(String, Vec<Money>)>,
    /// The rule, in words (e.g. `国担:省担:市担:银行 = 2:2:4:2；资金池以本金损失的 50% 为限`).
    pub rule: Option<String>,
}

/// Everything a credit memo shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CreditMemo {
    /// Borrower.
    pub borrower: String,
    /// Lending bank.
    pub lender: String,
    /// The programme or policy (rulebook) the loan is made under.
    pub programme: Option<String>,
    /// Guarantors (may be empty).
    pub guarantors: Vec<String>,
    /// The appraised (point) value of the subject, 元.
    pub appraised_value: Money,
    /// Valuation date of the appraisal.
    pub valuation_date: NaiveDate,
    /// Appraisal report number.
    pub valuation_report: Option<String>,
    /// The value the pledge rates apply to, 元 (the appraised value or its downside).
    pub value_lent_on: Money,
    /// How that value was chosen, in words.
    pub value_basis: String,
    /// The pledged items.
    pub pledges: Vec<PledgeRow>,
    /// The loan-size limits.
    pub limits: Vec<SizeLimit>,
    /// Terms.
    pub loan: LoanTerms,
    /// The schedule.
    pub schedule: Vec<ScheduleLine>,
    /// Its totals.
    pub totals: Option<ScheduleTotals>,
    /// The borrower's all-in cost.
    pub cost: Option<BorrowerCost>,
    /// Expected loss.
    pub risk: Option<CreditRisk>,
    /// Loss sharing.
    pub loss_sharing: Option<LossSharingTable>,
    /// Conditions of the credit (before drawdown, covenants).
    pub conditions: Vec<String>,
    /// Notes and warnings.
    pub notes: Vec<String>,
    /// The subject's score (its grade tiers the pledge rate under a tiered rulebook).
    pub scoring: Option<crate::case::Scored>,
}

impl CreditMemo {
    /// Fills the memo from the guarantee plan and the loan offer, as the pipeline produced them.
    /// `scenarios` are loss waterfalls to tabulate (label, waterfall), e.g. the loss at default
    /// and a total loss; `lender` and `report_no` come from the case's `[report]`.
    pub fn from_stages(
        case: &Case,
        plan: &GuaranteePlan,
        offer: &LoanOffer,
        scenarios: &[(String, Waterfall)],
        lang: Lang,
    ) -> CreditMemo {
        let info = case.report.clone().unwrap_or_default();
        let lv = &plan.lending_value;
        let value_basis = match &lv.downside {
            Some(d) => lang.f(
                "memo.basis.downside",
                &[
                    ("label", &d.label),
                    ("samples", &d.samples),
                    ("seed", &d.seed),
                    ("source", &lang.core(&d.quantile_source)),
                    (
                        "cap",
                        &if lv.capped_at_point {
                            lang.t("memo.basis.capped")
                        } else {
                            ""
                        },
                    ),
                ],
            ),
            None => lang.t("memo.basis.point").into(),
        };
        let pledges = offer
            .pledges
            .iter()
            .map(|p| PledgeRow {
                name: p.item.name.clone(),
                kind: lang.kind(p.item.kind).into(),
                value: p.item.value,
                rate: Rate::new(p.rate),
                pledge_value: p.pledge_value,
            })
            .collect();
        let limits = offer
            .constraints
            .iter()
            .map(|c| SizeLimit {
                name: match lang {
                    Lang::Zh => c.constraint.name_zh().into(),
                    Lang::En => c.constraint.as_str().replace('_', " "),
                },
                amount: c.amount,
                formula: lang.core(&c.formula).into_owned(),
                note: c.note.as_deref().map(|n| lang.core(n).into_owned()),
                binding: c.constraint == offer.binding,
            })
            .collect();
        let q = &offer.rate;
        let rate_basis = Some(format!(
            "{} {} + {}{}",
            match q.lpr.base {
                crate::finance::rules::RateBase::Lpr1y => lang.t("memo.1_year_lpr"),
                crate::finance::rules::RateBase::Lpr5y => lang.t("memo.5_year_lpr"),
            },
            Rate::new(q.lpr.rate).display_pct(2),
            Rate::new(q.spread).display_pct(2),
            if q.capped {
                lang.t("memo.spread_capped_by_the_programme")
            } else {
                ""
            }
        ));
        let sched = &offer.schedule;
        let schedule: Vec<ScheduleLine> = sched
            .lines
            .iter()
            .map(|l| ScheduleLine {
                period: l.period,
                date: None,
                payment: l.payment,
                principal: l.principal,
                interest: l.interest,
                balance: l.balance,
            })
            .collect();
        let totals = (!schedule.is_empty()).then_some(ScheduleTotals {
            payment: sched.total_payment,
            principal: sched.principal,
            interest: sched.total_interest,
        });
        let risk = offer.risk.as_ref().map(|k| CreditRisk {
            pd: Rate::new(k.pd),
            lgd: Rate::new(k.lgd),
            ead: k.ead,
            liquidation_value: Some(k.liquidation_value),
            expected_loss: k.expected_loss,
            bank_net_expected_loss: Some(k.bank_net_expected_loss),
            rating: None,
        });
        let loss_sharing = (plan.guaranteed && !scenarios.is_empty()).then(|| {
            let mut parties: Vec<String> =
                plan.terms.parties.iter().map(|p| p.name_zh.clone()).collect();
            let mut shares: Vec<Option<Rate>> = plan
                .terms
                .parties
                .iter()
                .map(|p| Some(Rate::new(p.share)))
                .collect();
            if let Some(pool) = &plan.terms.pool {
                parties.push(pool.name_zh.clone());
                shares.push(None);
            }
            let rows = scenarios
                .iter()
                .map(|(label, w)| {
                    let mut a: Vec<Money> = w.lines.iter().map(|l| l.after_pool).collect();
                    if plan.terms.pool.is_some() {
                        a.push(w.pool_pays);
                    }
                    (label.clone(), a)
                })
                .collect();
            let rule = {
                let split = plan
                    .terms
                    .parties
                    .iter()
                    .map(|p| format!("{} {}", p.name_zh, Rate::new(p.share).display_pct(0)))
                    .collect::<Vec<_>>()
                    .join(" : ");
                let cov = Rate::new(plan.terms.coverage).display_pct(0);
                match (&plan.terms.pool, lang) {
                    (Some(p), Lang::Zh) => format!(
                        "担保覆盖贷款的 {cov}；担保部分损失按 {split} 分担；{}按{}比例 {} 补偿，以本金损失的 {} 为限。",
                        p.name_zh,
                        match p.timing {
                            PoolTiming::BeforeSplit => "损失（分担前）",
                            PoolTiming::AfterSplit => "各方承担损失（分担后）",
                        },
                        Rate::new(p.rate).display_pct(0),
                        Rate::new(p.cap_share_of_loss).display_pct(0)
                    ),
                    (Some(p), Lang::En) => format!(
                        "The guarantee covers {cov} of the loan; the guaranteed loss is shared {split}; {} pays {} of {}, at most {} of the principal loss.",
                        p.name_zh,
                        Rate::new(p.rate).display_pct(0),
                        match p.timing {
                            PoolTiming::BeforeSplit => "the loss, before the split",
                            PoolTiming::AfterSplit => "the loss each covered party bore, after the split",
                        },
                        Rate::new(p.cap_share_of_loss).display_pct(0)
                    ),
                    (None, Lang::Zh) => format!("担保覆盖贷款的 {cov}；担保部分损失按 {split} 分担。"),
                    (None, Lang::En) => {
                        format!("The guarantee covers {cov} of the loan; the guaranteed loss is shared {split}.")
                    }
                }
            };
            LossSharingTable {
                parties,
                shares,
                scenarios: rows,
                rule: Some(rule),
            }
        });
        let mut conditions = Vec::new();
        if !plan.counter_guarantee.kinds.is_empty() {
            conditions.push(format!(
                "{}{}",
                lang.t("memo.counter_guarantee"),
                plan.counter_guarantee
                    .kinds
                    .iter()
                    .map(|k| lang.name("counter_guarantee", k))
                    .collect::<Vec<_>>()
                    .join(lang.t("memo.x"))
            ));
        }
        conditions.push(lang.t("memo.before_drawdown_register_the_ip_pledge").into());
        let notes = plan
            .warnings
            .iter()
            .chain(&offer.warnings)
            .map(|w| lang.core(w).into_owned())
            .collect();
        CreditMemo {
            scoring: case.scored.clone(),
            borrower: case.subject.owner.clone(),
            lender: info
                .lender
                .clone()
                .unwrap_or_else(|| lang.t("memo.the_lending_bank").into()),
            programme: Some(format!("{}（{}）", plan.rulebook_name_zh, plan.rulebook)),
            guarantors: plan
                .terms
                .parties
                .iter()
                .filter(|p| p.role != Role::Bank)
                .map(|p| p.name_zh.clone())
                .collect(),
            appraised_value: lv.point_value,
            valuation_date: case.subject.valuation_date,
            valuation_report: info.report_no.clone(),
            value_lent_on: lv.value,
            value_basis,
            pledges,
            limits,
            loan: LoanTerms {
                principal: offer.amount,
                annual_rate: Rate::new(q.rate),
                rate_basis,
                term_months: offer.tenor_months,
                repayment: match lang {
                    Lang::Zh => offer.method.name_zh().into(),
                    Lang::En => offer.method.as_str().replace('_', " "),
                },
                start_date: None,
            },
            schedule,
            totals,
            cost: Some(BorrowerCost {
                interest: offer.cost.interest,
                fees: offer.cost.fees,
                subsidy: offer.cost.subsidy,
                net_cost: offer.cost.net_cost,
                apr_nominal: offer.cost.apr_nominal.map(Rate::new),
                apr_effective: offer.cost.apr_effective.map(Rate::new),
                simple_ratio: offer.cost.simple_ratio.map(Rate::new),
            }),
            risk,
            loss_sharing,
            conditions,
            notes,
        }
    }
}

fn y(m: Money) -> String {
    group_thousands(m.amount(), 2)
}

/// The memo's charts: loan schedule and loss sharing (when given).
pub fn memo_charts(m: &CreditMemo, lang: Lang) -> Vec<Chart> {
    let mut out = Vec::new();
    if !m.schedule.is_empty() {
        out.push(Chart::LoanSchedule(chart::LoanSchedule {
            title: lang.t("memo.repayment_schedule").into(),
            x_label: lang.t("report.col.period").into(),
            y_label: lang.t("memo.payment_10k_cny").into(),
            y2_label: lang.t("memo.balance_10k_cny").into(),
            legend: [
                lang.t("memo.principal").into(),
                lang.t("memo.interest").into(),
                lang.t("memo.balance").into(),
            ],
            periods: m
                .schedule
                .iter()
                .map(|l| chart::LoanPeriod {
                    period: l.period,
                    principal: l.principal.to_f64(),
                    interest: l.interest.to_f64(),
                    balance: l.balance.to_f64(),
                })
                .collect(),
        }));
    }
    if let Some(ls) = &m.loss_sharing {
        if !ls.scenarios.is_empty() {
            out.push(Chart::LossSharing(chart::LossSharing {
                title: lang.t("memo.loss_sharing").into(),
                x_label: lang.t("memo.loss_borne_10k_cny").into(),
                parties: ls.parties.clone(),
                scenarios: ls
                    .scenarios
                    .iter()
                    .map(|(l, a)| chart::LossScenario {
                        label: l.clone(),
                        amounts: a.iter().map(|m| m.to_f64()).collect(),
                    })
                    .collect(),
            }));
        }
    }
    out
}

mod view;

pub use view::*;
