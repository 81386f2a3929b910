//! The portfolio report (`portfolio.html`, zh/en) and its charts: what a credit or investment
//! committee reads about a book of subjects — totals, the distribution of the concluded values,
//! value by industry division and by province, the top of the ranking, the rows set aside and
//! where every input came from.
//!
//! The report computes nothing: every figure comes from the [`PortfolioResult`] and its
//! [`PortfolioSummary`] (`portfolio::summarize`); amounts are only formatted.

use super::html::{self, Figure, Table};
use super::{Lang, Provenance};
use crate::chart::{Chart, McHistogram, RenderedChart, TotalBar, Totals};
use crate::error::{Error, Result};
use crate::money::Money;
use crate::portfolio::{GroupTotal, PortfolioResult, PortfolioSummary};
use crate::valuation::uncertainty::HistogramBin;
use askama::Template;

mod score;
use rust_decimal::prelude::ToPrimitive;

/// File stem of the value-distribution chart.
pub const DISTRIBUTION: &str = "portfolio_distribution";
/// Bins of the value-distribution chart.
const BINS: usize = 30;
/// Groups shown in the industry and province charts and tables (the rest summed as one).
const GROUPS_SHOWN: usize = 15;
/// Rejects listed in the report (all of them are in `rejects.csv`).
const REJECTS_SHOWN: usize = 10;

/// The rendered report: the page and its charts (written as `charts/<name>.svg|png`).
#[derive(Debug, Clone)]
pub struct PortfolioReport {
    /// `portfolio.html`.
    pub html: String,
    /// The charts, in the page's order.
    pub charts: Vec<RenderedChart>,
}

fn f(m: Money) -> f64 {
    m.amount().to_f64().unwrap_or(f64::NAN)
}

/// `1,234,567.89`.
pub(super) fn yuan(m: Money) -> String {
    crate::money::group_thousands(m.amount(), 2)
}

/// The histogram of the concluded values up to their 95th percentile (nearest rank; the tail of
/// a book of patents is long and would squeeze the rest into one bar); the
/// count above it is returned beside the bins (left out of the chart, said in its title).
pub fn value_bins(values: &[Money]) -> (Vec<HistogramBin>, usize) {
    let mut v: Vec<f64> = values
        .iter()
        .map(|m| f(*m))
        .filter(|x| x.is_finite())
        .collect();
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        return (Vec::new(), 0);
    }
    let k = ((0.95 * v.len() as f64).ceil() as usize).clamp(1, v.len());
    let top = v[k - 1];
    let lo = 0.0_f64.min(v[0]);
    let width = ((top - lo) / BINS as f64).max(f64::MIN_POSITIVE);
    let mut bins: Vec<HistogramBin> = (0..BINS)
        .map(|i| HistogramBin {
            lo: lo + width * i as f64,
            hi: lo + width * (i + 1) as f64,
            count: 0,
        })
        .collect();
    let mut above = 0;
    for x in v {
        if x > top {
            above += 1;
        } else {
            let i = (((x - lo) / width) as usize).min(BINS - 1);
            bins[i].count += 1;
        }
    }
    (bins, above)
}

/// The first `GROUPS_SHOWN` groups and, when there are more, the rest as one `other` group.
fn shown_groups(g: &[GroupTotal], other: &str) -> Result<Vec<GroupTotal>> {
    let mut out: Vec<GroupTotal> = g.iter().take(GROUPS_SHOWN).cloned().collect();
    if g.len() > GROUPS_SHOWN {
        let rest = &g[GROUPS_SHOWN..];
        let sum = |h: &dyn Fn(&GroupTotal) -> Money| {
            rest.iter().try_fold(Money::ZERO, |a, x| {
                a.checked_add(h(x))
                    .map_err(|e| Error::money("portfolio total", e))
            })
        };
        out.push(GroupTotal {
            key: format!("{other} ({})", rest.len()),
            rows: rest.iter().map(|x| x.rows).sum(),
            value: sum(&|x| x.value)?,
            pledge_value: sum(&|x| x.pledge_value)?,
        });
    }
    Ok(out)
}

fn region_label(key: &str, lang: Lang) -> String {
    match (lang, crate::subject::region_zh(key)) {
        (Lang::Zh, Some(z)) => z.to_string(),
        _ => key.to_string(),
    }
}

/// The charts of a portfolio: value distribution, value by industry division, by province.
pub fn charts(s: &PortfolioSummary, values: &[Money], lang: Lang) -> Result<Vec<Chart>> {
    let (bins, above) = value_bins(values);
    let mut sorted = values.to_vec();
    sorted.sort();
    let q = |p: f64| crate::portfolio::frame::nearest_rank(&sorted, p).map_or(f64::NAN, f);
    let mut title = lang.t("portfolio.chart.distribution").to_string();
    if above > 0 {
        title.push_str(&lang.f("portfolio.chart.above_p95", &[("n", &above)]));
    }
    let mut out = vec![Chart::McHistogram(McHistogram {
        title,
        x_label: lang.t("set.chart.appraised_wan").into(),
        y_label: lang.t("portfolio.chart.share_rows").into(),
        bins,
        p5: q(0.05),
        p50: q(0.5),
        p95: q(0.95),
        pledge: None,
    })];
    let other = lang.t("portfolio.other");
    for (name, key, groups, label) in [
        (
            "portfolio_by_industry",
            "portfolio.chart.by_industry",
            &s.by_industry,
            &(|k: &str, _l: Lang| k.to_string()) as &dyn Fn(&str, Lang) -> String,
        ),
        (
            "portfolio_by_region",
            "portfolio.chart.by_region",
            &s.by_region,
            &region_label as &dyn Fn(&str, Lang) -> String,
        ),
    ] {
        let bars = shown_groups(groups, other)?
            .iter()
            .map(|g| TotalBar {
                label: label(&g.key, lang),
                value: f(g.value),
                note: Some(format!("({})", g.rows)),
            })
            .collect();
        out.push(Chart::Totals(Totals {
            title: lang.t(key).into(),
            x_label: lang.t("set.chart.value_wan").into(),
            bars,
            name,
        }));
    }
    Ok(out)
}

#[derive(Template)]
#[template(path = "portfolio.html", config = "src/report/templates/askama.toml")]
struct Body<'a> {
    title: &'a str,
    subtitle: String,
    h_summary: &'a str,
    summary: Vec<(String, String)>,
    h_charts: &'a str,
    figures: Vec<Figure>,
    h_groups: &'a str,
    groups: Vec<(String, Table)>,
    h_top: &'a str,
    top: Table,
    h_score: &'a str,
    score_intro: &'a str,
    shortlist: Option<Table>,
    h_rejects: &'a str,
    rejects_intro: String,
    rejects: Option<Table>,
    h_notes: &'a str,
    notes: Vec<String>,
    footer: String,
}

fn group_table(g: &[GroupTotal], lang: Lang, label: &dyn Fn(&str) -> String) -> Table {
    Table::new(
        &[
            lang.t("portfolio.col.group"),
            lang.t("portfolio.col.rows"),
            lang.t("portfolio.col.value"),
            lang.t("portfolio.col.pledge_value"),
        ],
        &[false, true, true, true],
        g.iter()
            .map(|x| {
                vec![
                    label(&x.key),
                    x.rows.to_string(),
                    yuan(x.value),
                    yuan(x.pledge_value),
                ]
            })
            .collect(),
    )
}

/// Renders `portfolio.html` and its charts (`png_scale`: PNG pixels per SVG pixel).
pub fn render(
    r: &PortfolioResult,
    s: &PortfolioSummary,
    prov: &Provenance,
    rulebook: &str,
    lang: Lang,
    png_scale: f64,
) -> Result<PortfolioReport> {
    let values: Vec<Money> = r.rows.iter().map(|x| x.value).collect();
    let mut all = charts(s, &values, lang)?;
    if let Some(sc) = &s.scoring {
        all.extend(score::charts(&r.rows, sc, lang));
    }
    let mut rendered = super::render_charts(&all, png_scale)?;
    // The distribution is drawn as a histogram; its files are the portfolio's, not a case's.
    if let Some(c) = rendered.first_mut() {
        c.name = DISTRIBUTION;
    }
    for c in rendered.iter_mut().filter(|c| c.name == "score_radar") {
        c.name = "portfolio_score_radar";
    }
    let p = &s.value_p10_p50_p90;
    let n = |k: &str, v: String| (lang.t(k).to_string(), v);
    let mut summary = vec![
        n("portfolio.sum.table", r.source.clone()),
        n("portfolio.sum.rows_read", s.rows_read.to_string()),
        n("portfolio.sum.rows_valued", s.rows_valued.to_string()),
        n("portfolio.sum.rows_rejected", s.rows_rejected.to_string()),
        n(
            "portfolio.sum.total_value",
            format!("{} {}", yuan(s.total_value), lang.t("common.yuan")),
        ),
        n(
            "portfolio.sum.total_pledge",
            format!("{} {}", yuan(s.total_pledge_value), lang.t("common.yuan")),
        ),
        n(
            "portfolio.sum.p10_p50_p90",
            format!(
                "{} / {} / {} {}",
                yuan(p[0]),
                yuan(p[1]),
                yuan(p[2]),
                lang.t("common.yuan")
            ),
        ),
        n("portfolio.sum.rulebook", rulebook.to_string()),
        n("portfolio.sum.disagree", s.approaches_disagree.to_string()),
        n(
            "portfolio.sum.low_confidence",
            s.market_low_confidence.to_string(),
        ),
        n("portfolio.sum.synthetic", s.synthetic_data.to_string()),
    ];
    if let Some(sc) = &s.scoring {
        summary.push(n("portfolio.sum.grades", score::grade_line(sc, lang)));
    }
    if let Some(sim) = &r.simulate {
        summary.push(n(
            "portfolio.sum.simulation",
            lang.f(
                "portfolio.sum.simulation_v",
                &[("samples", &sim.samples), ("seed", &sim.seed)],
            ),
        ));
    }
    let kind = |k: &str| lang.name("kind", k);
    let region = |k: &str| region_label(k, lang);
    let ident = |k: &str| k.to_string();
    let other = lang.t("portfolio.other");
    let groups = vec![
        (
            lang.t("portfolio.h.by_kind").to_string(),
            group_table(&s.by_kind, lang, &kind),
        ),
        (
            lang.t("portfolio.h.by_industry").to_string(),
            group_table(&shown_groups(&s.by_industry, other)?, lang, &ident),
        ),
        (
            lang.t("portfolio.h.by_region").to_string(),
            group_table(&shown_groups(&s.by_region, other)?, lang, &region),
        ),
    ];
    let simulated = r.simulate.is_some();
    let mut head = vec![
        lang.t("portfolio.col.rank"),
        lang.t("portfolio.col.id"),
        lang.t("portfolio.col.name"),
        lang.t("portfolio.col.kind"),
        lang.t("portfolio.col.industry"),
        lang.t("portfolio.col.value"),
        lang.t("portfolio.col.method"),
        lang.t("portfolio.col.pledge_value"),
    ];
    let mut num = vec![true, false, false, false, false, true, false, true];
    if simulated {
        head.push(lang.t("portfolio.col.downside"));
        num.push(true);
    }
    let graded = s.scoring.is_some();
    if graded {
        head.push(lang.t("portfolio.score.grade"));
        num.push(false);
    }
    let top = Table::new(
        &head,
        &num,
        s.top
            .iter()
            .map(|t| {
                let mut row = vec![
                    t.rank.to_string(),
                    t.id.clone(),
                    t.name.clone(),
                    kind(&t.kind),
                    t.industry.clone(),
                    yuan(t.value),
                    method_label(&t.value_method, lang),
                    yuan(t.pledge_value),
                ];
                if simulated {
                    row.push(t.downside.map_or_else(String::new, yuan));
                }
                if graded {
                    row.push(t.grade.clone().unwrap_or_default());
                }
                row
            })
            .collect(),
    );
    let rejects = (!r.rejects.is_empty()).then(|| {
        Table::new(
            &[
                lang.t("portfolio.col.row"),
                lang.t("portfolio.col.column"),
                lang.t("portfolio.col.cell"),
                lang.t("portfolio.col.reason"),
            ],
            &[true, false, false, false],
            r.rejects
                .iter()
                .take(REJECTS_SHOWN)
                .map(|x| {
                    vec![
                        x.row.to_string(),
                        x.column.clone(),
                        x.value.clone(),
                        x.reason.clone(),
                    ]
                })
                .collect(),
        )
    });
    let rejects_intro = lang.f(
        "portfolio.rejects_intro",
        &[
            ("n", &r.rejects.len()),
            ("shown", &r.rejects.len().min(REJECTS_SHOWN)),
        ],
    );
    let notes = [
        "portfolio.note.rank",
        "portfolio.note.money",
        "portfolio.note.pledge",
        "portfolio.note.seed",
    ]
    .iter()
    .map(|k| lang.t(k).to_string())
    .collect();
    let title = lang.t("portfolio.title");
    let body = Body {
        title,
        subtitle: lang.f(
            "portfolio.subtitle",
            &[("n", &s.rows_valued), ("source", &r.source)],
        ),
        h_summary: lang.t("portfolio.h.summary"),
        summary,
        h_charts: lang.t("portfolio.h.charts"),
        figures: rendered.iter().map(Figure::of).collect(),
        h_groups: lang.t("portfolio.h.groups"),
        groups,
        h_top: lang.t("portfolio.h.top"),
        top,
        h_score: lang.t("portfolio.h.score"),
        score_intro: lang.t(if s.scoring.is_some() {
            "portfolio.score.intro"
        } else {
            "portfolio.score.none"
        }),
        shortlist: s.scoring.as_ref().map(|sc| score::shortlist(sc, lang)),
        h_rejects: lang.t("portfolio.h.rejects"),
        rejects_intro,
        rejects,
        h_notes: lang.t("portfolio.h.notes"),
        notes,
        footer: prov.line(lang),
    }
    .render()
    .map_err(|e| Error::Internal(format!("portfolio template: {e}")))?;
    let lang_attr = match lang {
        Lang::Zh => "zh-CN",
        Lang::En => "en",
    };
    Ok(PortfolioReport {
        html: html::document(lang_attr, title, &body)?,
        charts: rendered,
    })
}

/// `reconciled (income 0.5 + cost 0.5)` → `综合（收益法 0.5 + 成本法 0.5）` in Chinese.
fn method_label(m: &str, lang: Lang) -> String {
    let approach = |a: &str| lang.name("approach", a);
    match m
        .strip_prefix("reconciled (")
        .and_then(|x| x.strip_suffix(')'))
    {
        Some(inner) => {
            let parts: Vec<String> = inner
                .split(" + ")
                .map(|p| match p.split_once(' ') {
                    Some((a, w)) => format!("{} {w}", approach(a)),
                    None => p.to_string(),
                })
                .collect();
            lang.f("portfolio.reconciled", &[("parts", &parts.join(" + "))])
        }
        None => approach(m),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_cover_up_to_p95_and_count_the_rest() {
        let vals: Vec<Money> = (1..=200)
            .map(|i| Money::new(rust_decimal::Decimal::from(i * 1000)))
            .collect();
        let (bins, above) = value_bins(&vals);
        assert_eq!(bins.len(), BINS);
        // P95 of 1..=200 (nearest rank) is the 190th value: ten above it.
        assert_eq!(above, 10);
        assert_eq!(bins.iter().map(|b| b.count).sum::<u64>(), 190);
        assert!((bins[BINS - 1].hi - 190_000.0).abs() < 1e-6);
    }

    #[test]
    fn method_labels_translate() {
        assert_eq!(method_label("income", Lang::En), "Income approach");
        let zh = method_label("reconciled (income 0.6 + market 0.4)", Lang::Zh);
        assert!(
            zh.contains("收益法 0.6") && zh.contains("市场法 0.4"),
            "{zh}"
        );
    }
}
