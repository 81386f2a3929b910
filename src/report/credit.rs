//! The credit memo (授信审查报告 / 信贷备忘录) for an IP-pledge loan and its guarantee, as
//! self-contained HTML.
//!
//! It renders plain input structs ([`CreditMemo`]) that the guarantee and lending stages fill in:
//! the pledge and its value, the loan-size limits and which one binds, the terms, the schedule,
//! expected loss and the loss-sharing arrangement. Like the valuation report it computes
//! nothing: totals, limits and shares are given, and are only formatted here.

use super::html::{esc, kv_table, table};
use super::{Lang, Provenance};
use crate::chart::{self, Chart, RenderedChart};
use crate::error::Result;
use crate::money::{group_thousands, Money, Rate};
use chrono::NaiveDate;
use serde::Serialize;

/// One limit on the loan size (`L = min(…)`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SizeLimit {
    /// What limits, e.g. `质押价值 × 质押率`, `DSCR 上限`, `营运资金需求`, `产品上限`.
    pub name: String,
    /// The limit, 元.
    pub amount: Money,
    /// True for the limit that sets the loan size.
    pub binding: bool,
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

/// Expected loss.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CreditRisk {
    /// Probability of default.
    pub pd: Rate,
    /// Loss given default.
    pub lgd: Rate,
    /// Exposure at default, 元.
    pub ead: Money,
    /// EL = PD × LGD × EAD, 元.
    pub expected_loss: Money,
    /// Internal rating, if any.
    pub rating: Option<String>,
}

/// Loss sharing: the parties, their shares by rule, and the amounts in some loss scenarios.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LossSharingTable {
    /// Parties, e.g. `银行`, `市担保`, `省再担保`, `风险补偿资金池`.
    pub parties: Vec<String>,
    /// Share of each party by the rulebook (e.g. 0.2, 0.4, 0.2, 0.2).
    pub shares: Vec<Rate>,
    /// Scenarios: label and amount per party, 元.
    pub scenarios: Vec<(String, Vec<Money>)>,
    /// The rule, in words (e.g. `国担:省担:市担:银行 = 2:2:4:2；资金池以本金损失的 30% 为限`).
    pub rule: Option<String>,
}

/// Everything a credit memo shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CreditMemo {
    /// Borrower.
    pub borrower: String,
    /// Lending bank.
    pub lender: String,
    /// Guarantors (may be empty).
    pub guarantors: Vec<String>,
    /// The pledged IP.
    pub subject_name: String,
    /// Appraised value, 元.
    pub appraised_value: Money,
    /// Valuation date of the appraisal.
    pub valuation_date: NaiveDate,
    /// Appraisal report number.
    pub valuation_report: Option<String>,
    /// Pledge rate (质押率).
    pub pledge_rate: Rate,
    /// Appraised value × pledge rate, 元 (as the lending stage computed it).
    pub pledge_value: Money,
    /// The loan-size limits.
    pub limits: Vec<SizeLimit>,
    /// Terms.
    pub loan: LoanTerms,
    /// The schedule.
    pub schedule: Vec<ScheduleLine>,
    /// Its totals.
    pub totals: Option<ScheduleTotals>,
    /// Expected loss.
    pub risk: Option<CreditRisk>,
    /// Loss sharing.
    pub loss_sharing: Option<LossSharingTable>,
    /// Conditions of the credit (before drawdown, covenants).
    pub conditions: Vec<String>,
    /// Notes and warnings.
    pub notes: Vec<String>,
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
    let mut b = format!("<h1>{}</h1>\n", esc(&title));
    b.push_str(&format!(
        "<h2>{}</h2>\n",
        esc(lang.t("一、授信概要", "1. Summary"))
    ));
    let mut rows: Vec<(&str, String)> = vec![
        (lang.t("借款人", "Borrower"), m.borrower.clone()),
        (lang.t("贷款人", "Lender"), m.lender.clone()),
        (
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
        ),
        (
            lang.t("贷款金额", "Principal"),
            format!("{} {}", y(m.loan.principal), lang.t("元", "CNY")),
        ),
        (
            lang.t("年利率", "Annual rate"),
            match &m.loan.rate_basis {
                Some(bs) => format!("{}（{bs}）", pct(m.loan.annual_rate)),
                None => pct(m.loan.annual_rate),
            },
        ),
        (
            lang.t("期限", "Term"),
            format!("{} {}", m.loan.term_months, lang.t("个月", "months")),
        ),
        (lang.t("还款方式", "Repayment"), m.loan.repayment.clone()),
    ];
    if let Some(d) = m.loan.start_date {
        rows.push((lang.t("放款日", "Drawdown"), d.to_string()));
    }
    b.push_str(&kv_table(&rows));

    b.push_str(&format!(
        "<h2>{}</h2>\n",
        esc(lang.t("二、质押物及其价值", "2. The pledge and its value"))
    ));
    let mut prow: Vec<(&str, String)> = vec![
        (lang.t("质押物", "Pledged IP"), m.subject_name.clone()),
        (
            lang.t("评估值", "Appraised value"),
            format!("{} {}", y(m.appraised_value), lang.t("元", "CNY")),
        ),
        (
            lang.t("评估基准日", "Valuation date"),
            m.valuation_date.to_string(),
        ),
        (lang.t("质押率", "Pledge rate"), pct(m.pledge_rate)),
        (
            lang.t("可贷额度（评估值 × 质押率）", "Pledge value (value × rate)"),
            format!("{} {}", y(m.pledge_value), lang.t("元", "CNY")),
        ),
    ];
    if let Some(r) = &m.valuation_report {
        prow.push((lang.t("评估报告", "Valuation report"), r.clone()));
    }
    b.push_str(&kv_table(&prow));

    if !m.limits.is_empty() {
        b.push_str(&format!(
            "<h2>{}</h2>\n",
            esc(lang.t("三、贷款额度测算", "3. Loan size"))
        ));
        let lr: Vec<Vec<String>> = m
            .limits
            .iter()
            .map(|l| {
                vec![
                    l.name.clone(),
                    y(l.amount),
                    if l.binding {
                        lang.t("● 约束（取最小值）", "● binding (the minimum)")
                            .into()
                    } else {
                        String::new()
                    },
                ]
            })
            .collect();
        b.push_str(&table(
            &[
                lang.t("限额", "Limit"),
                lang.t("金额（元）", "Amount (CNY)"),
                lang.t("是否约束", "Binding"),
            ],
            &[false, true, false],
            &lr,
        ));
    }

    b.push_str(&format!(
        "<h2>{}</h2>\n",
        esc(lang.t("四、还款计划", "4. Repayment schedule"))
    ));
    for c in charts.iter().filter(|c| c.name == "loan_schedule") {
        b.push_str(&format!(
            "<figure>{}<figcaption>{}</figcaption></figure>\n",
            chart::inline_svg(&c.svg, c.name, &c.title),
            esc(&c.title)
        ));
    }
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
    b.push_str(&table(
        &[
            lang.t("期次", "Period"),
            lang.t("日期", "Date"),
            lang.t("还款额（元）", "Payment"),
            lang.t("本金（元）", "Principal"),
            lang.t("利息（元）", "Interest"),
            lang.t("剩余本金（元）", "Balance"),
        ],
        &[true, false, true, true, true, true],
        &sr,
    ));

    if m.risk.is_some() || m.loss_sharing.is_some() {
        b.push_str(&format!(
            "<h2>{}</h2>\n",
            esc(lang.t("五、风险与损失分担", "5. Risk and loss sharing"))
        ));
    }
    if let Some(r) = &m.risk {
        let mut rr: Vec<(&str, String)> = vec![
            (
                lang.t("违约概率 PD", "Probability of default PD"),
                pct(r.pd),
            ),
            (
                lang.t("违约损失率 LGD", "Loss given default LGD"),
                pct(r.lgd),
            ),
            (
                lang.t("违约风险暴露 EAD", "Exposure at default EAD"),
                format!("{} {}", y(r.ead), lang.t("元", "CNY")),
            ),
            (
                lang.t(
                    "预期损失 EL = PD × LGD × EAD",
                    "Expected loss EL = PD × LGD × EAD",
                ),
                format!("{} {}", y(r.expected_loss), lang.t("元", "CNY")),
            ),
        ];
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
        for c in charts.iter().filter(|c| c.name == "loss_sharing") {
            b.push_str(&format!(
                "<figure>{}<figcaption>{}</figcaption></figure>\n",
                chart::inline_svg(&c.svg, c.name, &c.title),
                esc(&c.title)
            ));
        }
        let mut header: Vec<&str> = vec![lang.t("情景", "Scenario")];
        header.extend(ls.parties.iter().map(String::as_str));
        let mut rows: Vec<Vec<String>> = Vec::new();
        if !ls.shares.is_empty() {
            let mut r = vec![lang.t("分担比例", "Share").to_string()];
            r.extend(ls.shares.iter().map(|s| pct(*s)));
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
            "<h2>{}</h2>\n<ol>",
            esc(lang.t("六、授信条件与说明", "6. Conditions and notes"))
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
