//! The valuation report (资产评估报告) as self-contained HTML.
//!
//! Structure (《资产评估执业准则——资产评估报告》, CAS 2018): summary; 一 委托人及其他报告使用人;
//! 二 评估目的; 三 评估对象和评估范围; 四 价值类型; 五 评估基准日; 六 评估依据; 七 评估方法;
//! 八 评估程序实施过程和情况; 九 评估假设; 十 评估结论 (with the amount in capital numerals);
//! 十一 特别事项说明; 十二 评估报告使用限制说明; 十三 评估报告日 and signatures; appendices with
//! the period tables and every audit step; a footer with the provenance.
//!
//! The page is the template `templates/valuation_report.html`; this module fills its
//! [`ValuationView`] with the texts (from the message catalogue, `messages.toml`) and the
//! numbers. Numbers come from the [`Valuation`]s and the [`Conclusion`] as given; this module
//! formats them and computes nothing.

use super::html::{Figure, Table};
use super::{capital, ConcludedDistribution, Conclusion, ConclusionBasis, Lang, Provenance};
use crate::case::{Case, Purpose, ReportInfo, ValueType};
use crate::chart::RenderedChart;
use crate::error::{Error, Result};
use crate::valuation::market::MarketOutcome;
use crate::valuation::reconcile::Reconciliation;
use crate::valuation::uncertainty::{Sensitivity, SimulationSummary};
use crate::valuation::{Approach, Valuation};
use askama::Template;

/// Everything a valuation report shows.
#[derive(Debug, Clone, Copy)]
pub struct ValuationReportInput<'a> {
    /// Language.
    pub lang: Lang,
    /// The case (subject, assumptions, `[report]`).
    pub case: &'a Case,
    /// The approaches performed.
    pub valuations: &'a [Valuation],
    /// Approaches not performed and why.
    pub not_performed: &'a [(Approach, String)],
    /// The concluded value.
    pub conclusion: &'a Conclusion,
    /// The reconciliation of the approaches, when more than one ran.
    pub reconciliation: Option<&'a Reconciliation>,
    /// Monte Carlo of each approach.
    pub simulations: &'a [SimulationSummary],
    /// Monte Carlo of the concluded value.
    pub distribution: Option<ConcludedDistribution<'a>>,
    /// Sensitivity of the concluded value.
    pub sensitivity: Option<&'a Sensitivity>,
    /// The market approach's comparables.
    pub market: Option<&'a MarketOutcome>,
    /// Charts to show (rendered; placed by kind).
    pub charts: &'a [RenderedChart],
    /// Footer provenance.
    pub provenance: &'a Provenance,
    /// Warnings to list under 特别事项说明.
    pub warnings: &'a [String],
}

mod blocks;

pub use blocks::*;

/// Everything the valuation report template shows, as display text.
#[derive(Debug, Clone)]
pub struct ValuationView {
    /// Document title.
    pub title: String,
    /// Firm and report number.
    pub subtitle: String,
    /// Heading of the summary box.
    pub summary_title: String,
    /// The summary box.
    pub summary: Vec<(String, String)>,
    /// The thirteen section headings.
    pub h: Vec<String>,
    /// 一: client, owner, other users.
    pub users: Vec<(String, String)>,
    /// 二.
    pub purpose: String,
    /// 三: the sentence and the subject's details.
    pub scope: String,
    /// 三: the subject's details.
    pub subject: Vec<(String, String)>,
    /// 四.
    pub value_type: String,
    /// 五.
    pub date_text: String,
    /// 六.
    pub basis: Vec<String>,
    /// 七: introduction.
    pub methods_intro: String,
    /// 七: each approach performed.
    pub approaches: Vec<ApproachBlock>,
    /// 七: each approach not performed, with the reason.
    pub not_performed: Vec<String>,
    /// 七: the patent value score, when the case has ratings.
    pub scoring: Option<super::scoring::ScoringBlock>,
    /// 八.
    pub procedure: Vec<String>,
    /// 九.
    pub assumptions: Vec<String>,
    /// 十: the conclusion sentence.
    pub conclusion: String,
    /// 十: value by approach.
    pub values: Table,
    /// 十: why this conclusion.
    pub reason: String,
    /// 十: the reconciliation.
    pub reconciliation: Option<ReconciliationBlock>,
    /// 十: the football-field chart.
    pub football: Vec<Figure>,
    /// 十: the Monte Carlo table.
    pub distribution: Option<DistributionBlock>,
    /// 十: the histogram and tornado charts.
    pub result_charts: Vec<Figure>,
    /// 十一.
    pub special: Vec<String>,
    /// 十二.
    pub limits: Vec<String>,
    /// 十三: the report date line.
    pub report_date: String,
    /// 十三: firm (seal).
    pub firm: String,
    /// 十三: appraisers (signatures).
    pub appraisers: String,
    /// Appendix heading.
    pub appendix_title: String,
    /// The appendix tables of each approach.
    pub appendix: Vec<AppendixBlock>,
    /// The sensitivity appendix.
    pub sensitivity: Option<SensitivityBlock>,
    /// The comparables appendix.
    pub comparables: Option<ComparablesBlock>,
    /// Heading of the appendix charts.
    pub appendix_charts_title: String,
    /// Charts in the appendix (market statistics).
    pub appendix_charts: Vec<Figure>,
    /// The provenance line.
    pub footer: String,
}

#[derive(Template)]
#[template(
    path = "valuation_report.html",
    config = "src/report/templates/askama.toml"
)]
struct Page<'a> {
    v: &'a ValuationView,
}

/// Fills the view of the valuation report.
pub fn view(inp: &ValuationReportInput<'_>) -> Result<ValuationView> {
    let lang = inp.lang;
    let case = inp.case;
    let s = &case.subject;
    let info: ReportInfo = case.report.as_deref().cloned().unwrap_or_default();
    let client = info.client.clone().unwrap_or_else(|| s.owner.clone());
    let vt = info.value_type.unwrap_or(ValueType::MarketValue);
    let (vt_name, vt_def) = match lang {
        Lang::Zh => vt.zh(),
        Lang::En => vt.en(),
    };
    let kind = lang.kind(s.kind);
    let title = lang.f(
        "report.title",
        &[("owner", &s.owner), ("name", &s.name), ("kind", &kind)],
    );
    let concl = inp.conclusion;
    let amount = yuan(concl.value);
    let capital = capital::capital_yuan(concl.value)?;
    let chosen = match &concl.basis {
        ConclusionBasis::Selected { approach, method } => {
            format!("{}（{}）", lang.approach(*approach), lang.method(method))
        }
        ConclusionBasis::Reconciled { description } => description.clone(),
    };
    let date = s.valuation_date.to_string();
    let kv = |k: &str, v: String| (lang.t(k).to_string(), v);

    let summary = vec![
        kv("report.sum.client", client.clone()),
        kv("report.sum.subject", format!("{kind}“{}”", s.name)),
        kv(
            "report.sum.purpose",
            case.purpose
                .map(|p| match lang {
                    Lang::Zh => p.name_zh().to_string(),
                    Lang::En => format!("{p:?}"),
                })
                .unwrap_or_else(|| lang.t("report.sum.value_advice").into()),
        ),
        kv("report.sum.value_type", vt_name.into()),
        kv("report.sum.valuation_date", date.clone()),
        kv("report.sum.approach", chosen.clone()),
        kv(
            "report.sum.conclusion",
            lang.f(
                "report.sum.conclusion_value",
                &[("amount", &amount), ("capital", &capital)],
            ),
        ),
    ];

    let other_users = info.other_users.clone().unwrap_or_else(|| {
        let by_law = lang.t("report.users.by_law");
        if case.purpose == Some(Purpose::PledgeFinancing) {
            format!("{}{by_law}", lang.t("report.users.pledgee"))
        } else {
            by_law.to_string()
        }
    });
    let users = vec![
        kv("report.sum.client", client.clone()),
        kv("report.users.owner", s.owner.clone()),
        kv("report.users.other", other_users),
    ];

    let mut subject = vec![
        kv("report.subj.title", s.name.clone()),
        kv("report.subj.kind", kind.into()),
    ];
    if let Some(r) = &s.registration_no {
        subject.push(kv("report.subj.registration_no", r.clone()));
    }
    if let Some(d) = s.filing_date {
        subject.push(kv("report.subj.filing_date", d.to_string()));
    }
    if let Some(d) = s.publication_date {
        subject.push(kv("report.subj.publication_date", d.to_string()));
    }
    if let Some(d) = s.grant_date {
        subject.push(kv("report.subj.grant_date", d.to_string()));
    }
    subject.push(kv("report.subj.owner", s.owner.clone()));
    subject.push(kv("report.subj.industry", s.industry.clone()));
    subject.push(kv(
        "report.subj.region",
        match lang {
            Lang::Zh => crate::subject::region_zh(s.region_en())
                .unwrap_or(&s.region)
                .to_string(),
            Lang::En => s.region_en().to_string(),
        },
    ));
    if let Some(d) = &s.description {
        subject.push(kv("report.subj.description", d.clone()));
    }

    let approaches = inp
        .valuations
        .iter()
        .map(|v| ApproachBlock {
            heading: format!("{}：{}", lang.approach(v.approach), lang.method(&v.method)),
            formulas: key_formulas(v, lang),
            market: match (v.approach, inp.market) {
                (Approach::Market, Some(m)) => Some(market_block(m, lang, inp.charts)),
                _ => None,
            },
            value_text: lang.f("report.methods.value", &[("value", &yuan(v.value))]),
        })
        .collect();
    let not_performed = inp
        .not_performed
        .iter()
        .map(|(a, why)| {
            lang.f(
                "report.methods.not_used",
                &[("approach", &lang.approach(*a)), ("why", why)],
            )
        })
        .collect();

    let mut assumptions = items(lang, "report.assumption");
    assumptions.extend(info.assumptions.iter().cloned());

    let conclusion = lang.f(
        "report.conclusion",
        &[
            ("kind", &kind),
            ("name", &s.name),
            ("date", &date),
            ("value_type", &vt_name),
            ("value_type_lower", &vt_name.to_lowercase()),
            ("amount", &amount),
            ("capital", &capital),
        ],
    );
    let values = Table::new(
        &[
            lang.t("report.col.approach"),
            lang.t("report.col.method"),
            lang.t("report.col.value"),
            lang.t("report.col.value_wan"),
        ],
        &[false, false, true, true],
        inp.valuations
            .iter()
            .map(|v| {
                vec![
                    lang.approach(v.approach).to_string(),
                    lang.method(&v.method),
                    yuan(v.value),
                    v.value.display_wan(),
                ]
            })
            .collect(),
    );
    let reason = concl
        .reason
        .clone()
        .or(info.conclusion_reason.clone())
        .unwrap_or_else(|| match &concl.basis {
            ConclusionBasis::Selected { .. } => lang.f(
                "report.reason.selected",
                &[
                    ("chosen", &chosen),
                    ("value_type", &vt_name),
                    ("value_type_lower", &vt_name.to_lowercase()),
                ],
            ),
            ConclusionBasis::Reconciled { .. } => lang.t("report.reason.reconciled").into(),
        });

    let mut special: Vec<String> = info.special_matters.clone();
    for v in inp.valuations {
        for w in &v.warnings {
            special.push(format!("{}：{}", lang.approach(v.approach), lang.core(w)));
        }
    }
    special.extend(inp.warnings.iter().map(|w| lang.core(w).into_owned()));
    special.push(lang.t("report.special.traceable").into());
    if case.purpose == Some(Purpose::PledgeFinancing) {
        special.push(lang.t("report.special.disposal").into());
    }

    let rdate = info
        .report_date
        .map(|d| d.to_string())
        .unwrap_or_else(|| lang.t("report.sign.blank_date").into());
    let names = if info.appraisers.is_empty() {
        "________  ________".to_string()
    } else {
        info.appraisers.join("  ")
    };

    let appendix = inp
        .valuations
        .iter()
        .enumerate()
        .map(|(i, v)| AppendixBlock {
            heading: format!(
                "{} {}. {}（{}）",
                lang.t("report.appendix.table"),
                i + 1,
                lang.approach(v.approach),
                lang.method(&v.method)
            ),
            periods: (!v.periods.is_empty()).then(|| period_table(v, lang)),
            audit: audit_table(v, lang),
        })
        .collect();

    let mut result_charts = figures(inp.charts, "mc_histogram");
    result_charts.extend(figures(inp.charts, "tornado"));

    Ok(ValuationView {
        subtitle: [
            info.firm.clone().unwrap_or_default(),
            info.report_no.clone().unwrap_or_default(),
        ]
        .iter()
        .filter(|x| !x.is_empty())
        .cloned()
        .collect::<Vec<_>>()
        .join(" · "),
        title,
        summary_title: lang.t("report.sum.title").into(),
        summary,
        h: (1..=13)
            .map(|i| lang.t(&format!("report.h.{i}")).to_string())
            .collect(),
        users,
        purpose: purpose_text(lang, case, &client),
        scope: lang.f(
            "report.scope",
            &[("owner", &s.owner), ("kind", &kind), ("name", &s.name)],
        ),
        subject,
        value_type: lang.f(
            "report.value_type",
            &[("name", &vt_name), ("definition", &vt_def)],
        ),
        date_text: lang.f("report.date_text", &[("date", &date)]),
        basis: basis_list(lang, inp.valuations),
        methods_intro: lang.t("report.methods.intro").into(),
        approaches,
        not_performed,
        scoring: inp
            .case
            .scored
            .as_ref()
            .map(|s| super::scoring::block(s, inp.lang, inp.charts)),
        procedure: items(lang, "report.procedure"),
        assumptions,
        conclusion,
        values,
        reason,
        reconciliation: inp.reconciliation.map(|r| reconciliation_block(r, lang)),
        football: figures(inp.charts, "football_field"),
        distribution: inp
            .distribution
            .as_ref()
            .map(|d| distribution_block(d, inp.simulations, inp.reconciliation.is_some(), lang)),
        result_charts,
        special,
        limits: items(lang, "report.limit"),
        report_date: lang.f("report.sign.date", &[("date", &rdate)]),
        firm: lang.f(
            "report.sign.firm",
            &[(
                "firm",
                &info
                    .firm
                    .clone()
                    .unwrap_or_else(|| "________________".into()),
            )],
        ),
        appraisers: lang.f("report.sign.appraisers", &[("names", &names)]),
        appendix_title: lang.t("report.appendix.title").into(),
        appendix,
        sensitivity: inp.sensitivity.map(|s| sensitivity_block(s, lang)),
        comparables: inp.market.map(|m| comparables_block(m, lang)),
        appendix_charts_title: lang.t("report.appendix.charts").into(),
        appendix_charts: figures(inp.charts, "market_stats"),
        footer: inp.provenance.line(lang),
    })
}

/// Renders the valuation report as a complete HTML document.
pub fn render(inp: &ValuationReportInput<'_>) -> Result<String> {
    let v = view(inp)?;
    // askama drops the template file's final line break; the body ends with one.
    let body = Page { v: &v }
        .render()
        .map_err(|e| Error::Internal(format!("valuation report template: {e}")))?
        + "\n";
    super::html::document(inp.lang.html_lang(), &v.title, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_lists_have_their_items() {
        assert_eq!(items(Lang::Zh, "report.basis").len(), 3);
        assert_eq!(items(Lang::En, "report.procedure").len(), 6);
        assert_eq!(items(Lang::Zh, "report.assumption").len(), 6);
        assert_eq!(items(Lang::En, "report.limit").len(), 5);
    }
}
