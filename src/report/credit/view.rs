//! The credit memo's page: its [`MemoView`] filled from a [`CreditMemo`] and rendered through
//! `templates/credit_memo.html`.

use super::*;
use crate::chart::RenderedChart;
use crate::error::{Error, Result};
use crate::money::{Money, Rate};
use crate::report::html::{Figure, Table};
use crate::report::{Lang, Provenance};
use askama::Template;

pub(super) fn figures(charts: &[RenderedChart], name: &str) -> Vec<Figure> {
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
    /// 二: the subject's score (grade), when it has ratings.
    pub scoring: Option<crate::report::scoring::ScoringBlock>,
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
pub(super) struct Page<'a> {
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
        if let Some(r) = c.apr_nominal {
            cr.push(kv("memo.apr_nominal", r.display_pct(3)));
        }
        if let Some(r) = c.apr_effective {
            cr.push(kv("memo.apr_effective", r.display_pct(3)));
        }
        if let Some(r) = c.simple_ratio {
            cr.push(kv("memo.simple_ratio", r.display_pct(3)));
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
        scoring: m
            .scoring
            .as_ref()
            .map(|s| crate::report::scoring::block(s, lang, charts)),
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
    crate::report::html::document(lang.html_lang(), &v.title, &body)
}
