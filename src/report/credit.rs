//! The credit memo (授信审查报告 / 信贷备忘录) for an IP-pledge loan and its guarantee, as
//! self-contained HTML.
//!
//! It renders plain input structs ([`CreditMemo`]) that the guarantee and lending stages fill in:
//! the pledge and its value, the loan-size limits and which one binds, the terms, the schedule,
//! expected loss and the loss-sharing arrangement. Like the valuation report it computes
//! nothing: totals, limits and shares are given, and are only formatted here.

use super::html::{esc, kv_table, table};
use super::{Lang, Provenance};
use crate::case::Case;
use crate::chart::{self, Chart, RenderedChart};
use crate::error::Result;
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
            Some(d) => match lang {
                Lang::Zh => format!(
                    "评估值的蒙特卡洛下行值 {}（{} 次模拟，随机种子 {}；{}）{}",
                    d.label,
                    d.samples,
                    d.seed,
                    d.quantile_source,
                    if lv.capped_at_point {
                        "，以评估值为上限"
                    } else {
                        ""
                    }
                ),
                Lang::En => format!(
                    "Monte Carlo downside {} of the appraised value ({} paths, seed {}; {}){}",
                    d.label,
                    d.samples,
                    d.seed,
                    d.quantile_source,
                    if lv.capped_at_point {
                        ", capped at the appraised value"
                    } else {
                        ""
                    }
                ),
            },
            None => lang
                .t("评估值（点估计）", "the appraised (point) value")
                .into(),
        };
        let pledges = offer
            .pledges
            .iter()
            .map(|p| PledgeRow {
                name: p.item.name.clone(),
                kind: super::valuation::kind_name(lang, p.item.kind).into(),
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
                crate::finance::rules::RateBase::Lpr1y => lang.t("1年期LPR", "1-year LPR"),
                crate::finance::rules::RateBase::Lpr5y => lang.t("5年期以上LPR", "5-year LPR"),
            },
            Rate::new(q.lpr.rate).display_pct(2),
            Rate::new(q.spread).display_pct(2),
            if q.capped {
                lang.t(
                    "（加点已按产品上限封顶）",
                    " (spread capped by the programme)",
                )
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
                lang.t("反担保措施：", "Counter-guarantee: "),
                plan.counter_guarantee
                    .kinds
                    .iter()
                    .map(|k| counter_guarantee_name(k, lang))
                    .collect::<Vec<_>>()
                    .join(lang.t("、", ", "))
            ));
        }
        conditions.push(
            lang.t(
                "放款前办妥知识产权质押登记（国家知识产权局），质押期间权利人按期缴纳年费、维持权利有效。",
                "Before drawdown, register the IP pledge with CNIPA; the owner keeps the right in force (annual fees paid) during the pledge.",
            )
            .into(),
        );
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
                .unwrap_or_else(|| lang.t("贷款银行", "the lending bank").into()),
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

/// A counter-guarantee kind of a rulebook in words (the id itself when unknown).
fn counter_guarantee_name(kind: &str, lang: Lang) -> String {
    let (zh, en) = match kind {
        "ip_pledge" => ("知识产权质押", "pledge of the IP"),
        "equity_pledge" => ("股权质押", "pledge of shares"),
        "personal_guarantee" => (
            "实际控制人个人连带责任保证",
            "personal guarantee of the controlling owner",
        ),
        "receivables_pledge" => ("应收账款质押", "pledge of receivables"),
        "mortgage" => ("不动产抵押", "real-estate mortgage"),
        other => (other, other),
    };
    lang.t(zh, en).to_string()
}

fn y(m: Money) -> String {
    group_thousands(m.amount(), 2)
}

/// The memo's charts: loan schedule and loss sharing (when given).
pub fn memo_charts(m: &CreditMemo, lang: Lang) -> Vec<Chart> {
    let mut out = Vec::new();
    if !m.schedule.is_empty() {
        out.push(Chart::LoanSchedule(chart::LoanSchedule {
            title: lang.t("还款计划", "Repayment schedule").into(),
            x_label: lang.t("期次", "Period").into(),
            y_label: lang.t("每期还款（万元）", "Payment (10k CNY)").into(),
            y2_label: lang.t("剩余本金（万元）", "Balance (10k CNY)").into(),
            legend: [
                lang.t("本金", "Principal").into(),
                lang.t("利息", "Interest").into(),
                lang.t("剩余本金", "Balance").into(),
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
                title: lang.t("损失分担", "Loss sharing").into(),
                x_label: lang.t("承担损失（万元）", "Loss borne (10k CNY)").into(),
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

fn fig(charts: &[RenderedChart], name: &str) -> String {
    charts
        .iter()
        .filter(|c| c.name == name)
        .map(|c| {
            format!(
                "<figure>{}<figcaption>{}</figcaption></figure>\n",
                chart::inline_svg(&c.svg, c.name, &c.title),
                esc(&c.title)
            )
        })
        .collect()
}

fn h2(text: &str) -> String {
    format!("<h2>{}</h2>\n", esc(text))
}

/// Renders the credit memo as a complete HTML document with its charts inline.
pub fn render(
    m: &CreditMemo,
    lang: Lang,
    charts: &[RenderedChart],
    prov: &Provenance,
) -> Result<String> {
    let title = match lang {
        Lang::Zh => format!("{}知识产权质押贷款授信审查报告", m.borrower),
        Lang::En => format!("Credit memo: IP-pledge loan to {}", m.borrower),
    };
    let pct = |r: Rate| r.display_pct(2);
    let cny = |v: Money| format!("{} {}", y(v), lang.t("元", "CNY"));
    let mut b = format!("<h1>{}</h1>\n", esc(&title));
    b.push_str(&h2(lang.t("一、授信概要", "1. Summary")));
    let mut rows: Vec<(&str, String)> = vec![
        (lang.t("借款人", "Borrower"), m.borrower.clone()),
        (lang.t("贷款人", "Lender"), m.lender.clone()),
    ];
    if let Some(p) = &m.programme {
        rows.push((lang.t("适用产品 / 政策", "Programme"), p.clone()));
    }
    rows.push((
        lang.t("担保方式", "Security"),
        if m.guarantors.is_empty() {
            lang.t("知识产权质押", "IP pledge").into()
        } else {
            format!(
                "{}{}",
                lang.t("知识产权质押 + 保证：", "IP pledge + guarantee by "),
                m.guarantors.join(lang.t("、", ", "))
            )
        },
    ));
    rows.push((lang.t("贷款金额", "Principal"), cny(m.loan.principal)));
    rows.push((
        lang.t("年利率", "Annual rate"),
        match &m.loan.rate_basis {
            Some(bs) => format!("{}（{bs}）", pct(m.loan.annual_rate)),
            None => pct(m.loan.annual_rate),
        },
    ));
    rows.push((
        lang.t("期限", "Term"),
        format!("{} {}", m.loan.term_months, lang.t("个月", "months")),
    ));
    rows.push((lang.t("还款方式", "Repayment"), m.loan.repayment.clone()));
    if let Some(d) = m.loan.start_date {
        rows.push((lang.t("放款日", "Drawdown"), d.to_string()));
    }
    b.push_str(&kv_table(&rows));

    b.push_str(&h2(
        lang.t("二、质押物及其价值", "2. The pledge and its value")
    ));
    let mut prow: Vec<(&str, String)> = vec![
        (lang.t("评估值", "Appraised value"), cny(m.appraised_value)),
        (
            lang.t("评估基准日", "Valuation date"),
            m.valuation_date.to_string(),
        ),
    ];
    if let Some(r) = &m.valuation_report {
        prow.push((lang.t("评估报告", "Valuation report"), r.clone()));
    }
    prow.push((
        lang.t("质押率适用的价值", "Value the pledge rate applies to"),
        format!("{}（{}）", cny(m.value_lent_on), m.value_basis),
    ));
    b.push_str(&kv_table(&prow));
    let pr: Vec<Vec<String>> = m
        .pledges
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
        .collect();
    b.push_str(&table(
        &[
            lang.t("质押物", "Pledged item"),
            lang.t("类型", "Kind"),
            lang.t("价值（元）", "Value (CNY)"),
            lang.t("质押率", "Pledge rate"),
            lang.t("可贷额度（元）", "Pledge value (CNY)"),
        ],
        &[false, false, true, true, true],
        &pr,
    ));

    if !m.limits.is_empty() {
        b.push_str(&h2(lang.t("三、贷款额度测算", "3. Loan size")));
        b.push_str(&format!(
            "<p>{}</p>\n",
            esc(lang.t(
                "贷款额度取下列各项限额的最小值：",
                "The loan is the smallest of these limits:"
            ))
        ));
        let lr: Vec<Vec<String>> = m
            .limits
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
                            .unwrap_or_else(|| lang.t("未测算", "not assessed").into()),
                    },
                    if l.binding {
                        lang.t("● 约束", "● binding").into()
                    } else {
                        String::new()
                    },
                ]
            })
            .collect();
        b.push_str(&table(
            &[
                lang.t("限额", "Limit"),
                lang.t("公式", "Formula"),
                lang.t("金额（元）", "Amount (CNY)"),
                lang.t("是否约束", "Binding"),
            ],
            &[false, false, true, false],
            &lr,
        ));
    }

    b.push_str(&h2(
        lang.t("四、还款计划与融资成本", "4. Repayment schedule and cost")
    ));
    b.push_str(&fig(charts, "loan_schedule"));
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
            lang.t("合计", "Total").into(),
            String::new(),
            y(t.payment),
            y(t.principal),
            y(t.interest),
            String::new(),
        ]);
    }
    let dated = m.schedule.iter().any(|l| l.date.is_some());
    let mut header = vec![lang.t("期次", "Period")];
    if dated {
        header.push(lang.t("日期", "Date"));
    }
    header.extend([
        lang.t("还款额（元）", "Payment"),
        lang.t("本金（元）", "Principal"),
        lang.t("利息（元）", "Interest"),
        lang.t("剩余本金（元）", "Balance"),
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
    b.push_str(&table(&header, &num, &sr));
    if let Some(c) = &m.cost {
        let mut cr: Vec<(&str, String)> = vec![
            (lang.t("利息合计", "Interest"), cny(c.interest)),
            (lang.t("担保费等费用", "Fees (guarantee)"), cny(c.fees)),
            (lang.t("财政贴息", "Interest subsidy"), cny(c.subsidy)),
            (
                lang.t(
                    "净融资成本 = 利息 + 费用 − 贴息",
                    "Net cost = interest + fees − subsidy",
                ),
                cny(c.net_cost),
            ),
        ];
        if let Some(r) = c.all_in_rate {
            cr.push((
                lang.t("综合年化融资成本", "All-in annual cost"),
                r.display_pct(3),
            ));
        }
        b.push_str(&kv_table(&cr));
    }

    if m.risk.is_some() || m.loss_sharing.is_some() {
        b.push_str(&h2(lang.t("五、风险与损失分担", "5. Risk and loss sharing")));
    }
    if let Some(r) = &m.risk {
        let mut rr: Vec<(&str, String)> = vec![
            (
                lang.t("违约概率 PD", "Probability of default PD"),
                pct(r.pd),
            ),
            (
                lang.t("违约风险暴露 EAD", "Exposure at default EAD"),
                cny(r.ead),
            ),
        ];
        if let Some(l) = r.liquidation_value {
            rr.push((
                lang.t(
                    "质押物变现价值（扣除折扣与处置费用）",
                    "Liquidation value of the pledge (after haircut and disposal cost)",
                ),
                cny(l),
            ));
        }
        rr.push((
            lang.t("违约损失率 LGD", "Loss given default LGD"),
            pct(r.lgd),
        ));
        rr.push((
            lang.t(
                "预期损失 EL = PD × LGD × EAD",
                "Expected loss EL = PD × LGD × EAD",
            ),
            cny(r.expected_loss),
        ));
        if let Some(n) = r.bank_net_expected_loss {
            rr.push((
                lang.t(
                    "银行承担的预期损失（担保与资金池分担后）",
                    "Bank's expected loss after the guarantee and the pool",
                ),
                cny(n),
            ));
        }
        if let Some(g) = &r.rating {
            rr.push((lang.t("内部评级", "Rating"), g.clone()));
        }
        b.push_str(&kv_table(&rr));
    }
    if let Some(ls) = &m.loss_sharing {
        if let Some(rule) = &ls.rule {
            b.push_str(&format!(
                "<p>{}{}</p>\n",
                esc(lang.t("分担规则：", "Rule: ")),
                esc(rule)
            ));
        }
        b.push_str(&fig(charts, "loss_sharing"));
        let mut header: Vec<&str> = vec![lang.t("情景", "Scenario")];
        header.extend(ls.parties.iter().map(String::as_str));
        let mut rows: Vec<Vec<String>> = Vec::new();
        if !ls.shares.is_empty() {
            let mut r = vec![lang.t("分担比例", "Share").to_string()];
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
        b.push_str(&table(&header, &num, &rows));
    }
    if !m.conditions.is_empty() || !m.notes.is_empty() {
        b.push_str(&format!(
            "{}<ol>",
            h2(lang.t("六、授信条件与说明", "6. Conditions and notes"))
        ));
        for c in m.conditions.iter().chain(&m.notes) {
            b.push_str(&format!("<li>{}</li>", esc(c)));
        }
        b.push_str("</ol>\n");
    }
    b.push_str(&format!(
        "<footer class=\"prov\">{}</footer>\n",
        esc(&prov.line(lang))
    ));
    super::html::document(lang.html_lang(), &title, &b)
}
