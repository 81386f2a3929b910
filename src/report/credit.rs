//! The credit memo (授信审查报告 / 信贷备忘录) for an IP-pledge loan and its guarantee, as
//! self-contained HTML.
//!
//! It renders plain input structs ([`CreditMemo`]) that the guarantee and lending stages fill in:
//! the pledge and its value, the loan-size limits and which one binds, the terms, the schedule,
//! expected loss and the loss-sharing arrangement. Like the valuation report it computes
//! nothing: totals, limits and shares are given, and are only formatted here.

use super::html::{Figure, Table};
use super::{Lang, Provenance};
use crate::case::Case;
use crate::chart::{self, Chart, RenderedChart};
use crate::error::{Error, Result};
use crate::finance::guarantee::{GuaranteePlan, Waterfall};
use crate::finance::lend::LoanOffer;
use crate::finance::rules::{PoolTiming, Role};
use crate::money::{group_thousands, Money, Rate};
use askama::Template;
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
    /// Net cost per 元-year borrowed (none for a zero loan).
    pub all_in_rate: Option<Rate>,
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
                    ("source", &d.quantile_source),
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
                formula: c.formula.clone(),
                note: c.note.clone(),
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
            .cloned()
            .collect();
        CreditMemo {
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
                all_in_rate: offer.cost.all_in_rate.map(Rate::new),
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

fn figures(charts: &[RenderedChart], name: &str) -> Vec<Figure> {
    charts
        .iter()
        .filter(|c| c.name == name)
        .map(Figure::of)
        .collect()
}

/// The loan-size section.
#[derive(Debug, Clone)]
pub struct LimitsBlock {
    /// Heading.
    pub heading: String,
    /// `L = min(…)`.
    pub intro: String,
    /// Each limit, its formula and amount, the binding one marked.
    pub table: Table,
}

/// The loss-sharing part of the risk section.
#[derive(Debug, Clone)]
pub struct LossBlock {
    /// `分担规则：…`.
    pub rule: Option<String>,
    /// The loss-sharing chart.
    pub figures: Vec<Figure>,
    /// Shares and the amounts of each scenario by party.
    pub table: Table,
}

/// Conditions and notes.
#[derive(Debug, Clone)]
pub struct NotesBlock {
    /// Heading.
    pub heading: String,
    /// The items.
    pub items: Vec<String>,
}

/// Everything the credit-memo template shows, as display text.
#[derive(Debug, Clone)]
pub struct MemoView {
    /// Document title.
    pub title: String,
    /// 一: heading.
    pub h_summary: String,
    /// 一: borrower, lender, programme, security, principal, rate, term, repayment, drawdown.
    pub summary: Vec<(String, String)>,
    /// 二: heading.
    pub h_pledge: String,
    /// 二: appraised value, valuation date, report, value lent on.
    pub pledge: Vec<(String, String)>,
    /// 二: the pledged items.
    pub pledges: Table,
    /// 三: the loan-size limits (when assessed).
    pub limits: Option<LimitsBlock>,
    /// 四: heading.
    pub h_schedule: String,
    /// 四: the schedule chart.
    pub schedule_figures: Vec<Figure>,
    /// 四: the schedule.
    pub schedule: Table,
    /// 四: interest, fees, subsidy, net cost, all-in rate.
    pub cost: Option<Vec<(String, String)>>,
    /// 五: heading (when there is a risk or loss-sharing part).
    pub h_risk: Option<String>,
    /// 五: PD, EAD, liquidation value, LGD, EL, the bank's net EL, rating.
    pub risk: Option<Vec<(String, String)>>,
    /// 五: loss sharing.
    pub loss: Option<LossBlock>,
    /// 六: conditions and notes.
    pub notes: Option<NotesBlock>,
    /// The provenance line.
    pub footer: String,
}

#[derive(Template)]
#[template(path = "credit_memo.html", config = "src/report/templates/askama.toml")]
struct Page<'a> {
    v: &'a MemoView,
}

/// Fills the view of the credit memo.
pub fn view(m: &CreditMemo, lang: Lang, charts: &[RenderedChart], prov: &Provenance) -> MemoView {
    let title = lang.f("memo.title", &[("borrower", &m.borrower)]);
    let pct = |r: Rate| r.display_pct(2);
    let cny = |v: Money| format!("{} {}", y(v), lang.t("common.yuan"));
    let kv = |k: &str, v: String| (lang.t(k).to_string(), v);
    let mut rows = vec![
        kv("memo.borrower", m.borrower.clone()),
        kv("memo.lender", m.lender.clone()),
    ];
    if let Some(p) = &m.programme {
        rows.push(kv("memo.programme", p.clone()));
    }
    rows.push(kv(
        "memo.security",
        if m.guarantors.is_empty() {
            lang.t("memo.ip_pledge").into()
        } else {
            format!(
                "{}{}",
                lang.t("memo.ip_pledge_guarantee_by"),
                m.guarantors.join(lang.t("memo.x"))
            )
        },
    ));
    rows.push(kv("memo.principal_2", cny(m.loan.principal)));
    rows.push(kv(
        "memo.annual_rate",
        match &m.loan.rate_basis {
            Some(bs) => format!("{}（{bs}）", pct(m.loan.annual_rate)),
            None => pct(m.loan.annual_rate),
        },
    ));
    rows.push(kv(
        "memo.term",
        format!("{} {}", m.loan.term_months, lang.t("memo.months")),
    ));
    rows.push(kv("memo.repayment", m.loan.repayment.clone()));
    if let Some(d) = m.loan.start_date {
        rows.push(kv("memo.drawdown", d.to_string()));
    }

    let mut prow = vec![
        kv("memo.appraised_value", cny(m.appraised_value)),
        kv("report.sum.valuation_date", m.valuation_date.to_string()),
    ];
    if let Some(r) = &m.valuation_report {
        prow.push(kv("memo.valuation_report", r.clone()));
    }
    prow.push(kv(
        "memo.value_the_pledge_rate_applies_to",
        format!("{}（{}）", cny(m.value_lent_on), m.value_basis),
    ));
    let pledges = Table::new(
        &[
            lang.t("memo.pledged_item"),
            lang.t("report.subj.kind"),
            lang.t("memo.value_cny"),
            lang.t("memo.pledge_rate"),
            lang.t("memo.pledge_value_cny"),
        ],
        &[false, false, true, true, true],
        m.pledges
            .iter()
            .map(|p| {
                vec![
                    p.name.clone(),
                    p.kind.clone(),
                    y(p.value),
                    pct(p.rate),
                    y(p.pledge_value),
                ]
            })
            .collect(),
    );

    let limits = (!m.limits.is_empty()).then(|| LimitsBlock {
        heading: lang.t("memo.3_loan_size").into(),
        intro: lang.t("memo.the_loan_is_the_smallest_of").into(),
        table: Table::new(
            &[
                lang.t("memo.limit"),
                lang.t("report.col.formula"),
                lang.t("memo.amount_cny"),
                lang.t("memo.binding_2"),
            ],
            &[false, false, true, false],
            m.limits
                .iter()
                .map(|l| {
                    vec![
                        l.name.clone(),
                        l.formula.clone(),
                        match l.amount {
                            Some(a) => y(a),
                            None => l
                                .note
                                .clone()
                                .unwrap_or_else(|| lang.t("memo.not_assessed").into()),
                        },
                        if l.binding {
                            lang.t("memo.binding").into()
                        } else {
                            String::new()
                        },
                    ]
                })
                .collect(),
        ),
    });

    let mut sr: Vec<Vec<String>> = m
        .schedule
        .iter()
        .map(|l| {
            vec![
                l.period.to_string(),
                l.date.map(|d| d.to_string()).unwrap_or_default(),
                y(l.payment),
                y(l.principal),
                y(l.interest),
                y(l.balance),
            ]
        })
        .collect();
    if let Some(t) = &m.totals {
        sr.push(vec![
            lang.t("memo.total").into(),
            String::new(),
            y(t.payment),
            y(t.principal),
            y(t.interest),
            String::new(),
        ]);
    }
    let dated = m.schedule.iter().any(|l| l.date.is_some());
    let mut header = vec![lang.t("report.col.period")];
    if dated {
        header.push(lang.t("common.date"));
    }
    header.extend([
        lang.t("memo.payment"),
        lang.t("memo.principal_3"),
        lang.t("memo.interest_2"),
        lang.t("memo.balance_2"),
    ]);
    if !dated {
        for r in &mut sr {
            r.remove(1);
        }
    }
    let mut num = vec![true];
    if dated {
        num.push(false);
    }
    num.extend([true; 4]);
    let cost = m.cost.as_ref().map(|c| {
        let mut cr = vec![
            kv("memo.interest_3", cny(c.interest)),
            kv("memo.fees_guarantee", cny(c.fees)),
            kv("memo.interest_subsidy", cny(c.subsidy)),
            kv("memo.net_cost_interest_fees_subsidy", cny(c.net_cost)),
        ];
        if let Some(r) = c.all_in_rate {
            cr.push(kv("memo.all_in_annual_cost", r.display_pct(3)));
        }
        cr
    });

    let risk = m.risk.as_ref().map(|r| {
        let mut rr = vec![
            kv("memo.probability_of_default_pd", pct(r.pd)),
            kv("memo.exposure_at_default_ead", cny(r.ead)),
        ];
        if let Some(l) = r.liquidation_value {
            rr.push(kv("memo.liquidation_value_of_the_pledge_after", cny(l)));
        }
        rr.push(kv("memo.loss_given_default_lgd", pct(r.lgd)));
        rr.push(kv("memo.expected_loss_el_pd_lgd_ead", cny(r.expected_loss)));
        if let Some(n) = r.bank_net_expected_loss {
            rr.push(kv("memo.bank_s_expected_loss_after_the", cny(n)));
        }
        if let Some(g) = &r.rating {
            rr.push(kv("memo.rating", g.clone()));
        }
        rr
    });
    let loss = m.loss_sharing.as_ref().map(|ls| {
        let mut header: Vec<&str> = vec![lang.t("memo.scenario")];
        header.extend(ls.parties.iter().map(String::as_str));
        let mut rows: Vec<Vec<String>> = Vec::new();
        if !ls.shares.is_empty() {
            let mut r = vec![lang.t("memo.share").to_string()];
            r.extend(ls.shares.iter().map(|s| s.map_or("—".into(), pct)));
            rows.push(r);
        }
        for (l, a) in &ls.scenarios {
            let mut r = vec![l.clone()];
            r.extend(a.iter().map(|m| y(*m)));
            rows.push(r);
        }
        let mut num = vec![false];
        num.extend(ls.parties.iter().map(|_| true));
        LossBlock {
            rule: ls
                .rule
                .as_ref()
                .map(|rule| format!("{}{rule}", lang.t("memo.rule"))),
            figures: figures(charts, "loss_sharing"),
            table: Table::new(&header, &num, rows),
        }
    });
    let notes = (!m.conditions.is_empty() || !m.notes.is_empty()).then(|| NotesBlock {
        heading: lang.t("memo.6_conditions_and_notes").into(),
        items: m.conditions.iter().chain(&m.notes).cloned().collect(),
    });
    MemoView {
        title,
        h_summary: lang.t("memo.1_summary").into(),
        summary: rows,
        h_pledge: lang.t("memo.2_the_pledge_and_its_value").into(),
        pledge: prow,
        pledges,
        limits,
        h_schedule: lang.t("memo.4_repayment_schedule_and_cost").into(),
        schedule_figures: figures(charts, "loan_schedule"),
        schedule: Table::new(&header, &num, sr),
        cost,
        h_risk: (m.risk.is_some() || m.loss_sharing.is_some())
            .then(|| lang.t("memo.5_risk_and_loss_sharing").into()),
        risk,
        loss,
        notes,
        footer: prov.line(lang),
    }
}

/// Renders the credit memo as a complete HTML document with its charts inline.
pub fn render(
    m: &CreditMemo,
    lang: Lang,
    charts: &[RenderedChart],
    prov: &Provenance,
) -> Result<String> {
    let v = view(m, lang, charts, prov);
    // askama drops the template file's final line break; the body ends with one.
    let body = Page { v: &v }
        .render()
        .map_err(|e| Error::Internal(format!("credit memo template: {e}")))?
        + "\n";
    super::html::document(lang.html_lang(), &v.title, &body)
}
