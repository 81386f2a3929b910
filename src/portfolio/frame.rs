//! A portfolio result as a table (one row per valued subject) and its summary: totals, by IP
//! kind, industry division and province, the top of the ranking.
//!
//! Money columns are decimal text rounded to the fen (`"1234567.89"`), as in every JSON output:
//! no reader loses a fen. `rank` is 1 for the highest concluded value in this result (ties by
//! id); in a partitioned run it ranks within the partition, and the summary ranks overall.

use super::{PortfolioResult, RowResult};
use crate::error::{Error, Result};
use crate::money::Money;
use polars::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;

fn pe(e: PolarsError) -> Error {
    Error::Internal(format!("portfolio frame: {e}"))
}

fn money(v: Option<Money>) -> Option<String> {
    v.map(|m| m.amount().round_dp(2).to_string())
}

/// The ranks of the rows: 1 = highest value, ties by id (deterministic).
pub fn ranks(rows: &[RowResult]) -> Vec<u32> {
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by(|&a, &b| {
        rows[b]
            .value
            .cmp(&rows[a].value)
            .then_with(|| rows[a].id.cmp(&rows[b].id))
    });
    let mut rank = vec![0u32; rows.len()];
    for (k, i) in order.into_iter().enumerate() {
        rank[i] = k as u32 + 1;
    }
    rank
}

/// Rank by score total (1 = highest; ties by id) among the rows with a usable score (graded,
/// not vetoed); other rows have none.
pub fn score_ranks(rows: &[RowResult]) -> Vec<Option<u32>> {
    let usable = |x: &RowResult| {
        x.score
            .as_ref()
            .filter(|s| s.vetoes.is_empty())
            .and_then(|s| s.total)
    };
    let mut order: Vec<usize> = (0..rows.len())
        .filter(|&i| usable(&rows[i]).is_some())
        .collect();
    order.sort_by(|&a, &b| {
        usable(&rows[b])
            .cmp(&usable(&rows[a]))
            .then_with(|| rows[a].id.cmp(&rows[b].id))
    });
    let mut rank = vec![None; rows.len()];
    for (k, i) in order.into_iter().enumerate() {
        rank[i] = Some(k as u32 + 1);
    }
    rank
}

/// The result table: `row, id, name, kind, industry, region, income_yuan, cost_yuan,
/// market_yuan, market_comparables, market_level, value_yuan, value_method, p5_yuan, p50_yuan,
/// p95_yuan, downside_yuan, downside_label, seed, lending_value_yuan, pledge_rate,
/// pledge_value_yuan, score_model, score_scenario, score_total, score_grade, score_coverage,
/// score_veto, score_gate, score_dimensions, score_rank, approaches_disagree,
/// market_low_confidence, synthetic_data, rank, warnings`.
pub fn result_frame(r: &PortfolioResult) -> Result<DataFrame> {
    let rows = &r.rows;
    let rank = ranks(rows);
    let s = |f: &dyn Fn(&RowResult) -> Option<String>| rows.iter().map(f).collect::<Vec<_>>();
    let sim = |f: &dyn Fn(&super::batch::RowSimulation) -> Option<String>| {
        rows.iter()
            .map(|x| x.simulation.as_ref().and_then(f))
            .collect::<Vec<_>>()
    };
    let sc = |f: &dyn Fn(&super::batch::RowScore) -> Option<String>| {
        rows.iter()
            .map(|x| x.score.as_ref().and_then(f))
            .collect::<Vec<_>>()
    };
    let cols = vec![
        Column::new("row".into(), rows.iter().map(|x| x.row).collect::<Vec<_>>()),
        Column::new("id".into(), s(&|x| Some(x.id.clone()))),
        Column::new("name".into(), s(&|x| Some(x.name.clone()))),
        Column::new("kind".into(), s(&|x| Some(x.kind.as_str().to_string()))),
        Column::new("industry".into(), s(&|x| Some(x.industry.clone()))),
        Column::new("region".into(), s(&|x| Some(x.region.clone()))),
        Column::new("income_yuan".into(), s(&|x| money(x.income))),
        Column::new("cost_yuan".into(), s(&|x| money(x.cost))),
        Column::new("market_yuan".into(), s(&|x| money(x.market))),
        Column::new(
            "market_comparables".into(),
            rows.iter()
                .map(|x| x.market_comparables)
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "market_level".into(),
            rows.iter().map(|x| x.market_level).collect::<Vec<_>>(),
        ),
        Column::new("value_yuan".into(), s(&|x| money(Some(x.value)))),
        Column::new("value_method".into(), s(&|x| Some(x.value_method.clone()))),
        Column::new("p5_yuan".into(), sim(&|m| money(Some(m.p5)))),
        Column::new("p50_yuan".into(), sim(&|m| money(Some(m.p50)))),
        Column::new("p95_yuan".into(), sim(&|m| money(Some(m.p95)))),
        Column::new("downside_yuan".into(), sim(&|m| money(Some(m.downside)))),
        Column::new(
            "downside_label".into(),
            sim(&|m| Some(m.downside_label.clone())),
        ),
        Column::new(
            "seed".into(),
            rows.iter()
                .map(|x| x.simulation.as_ref().map(|m| m.seed))
                .collect::<Vec<_>>(),
        ),
        Column::new("lending_value_yuan".into(), s(&|x| money(x.lending_value))),
        Column::new(
            "pledge_rate".into(),
            s(&|x| x.pledge_rate.map(|d| d.normalize().to_string())),
        ),
        Column::new(
            "pledge_value_yuan".into(),
            s(&|x| money(Some(x.pledge_value))),
        ),
        Column::new("score_model".into(), sc(&|c| Some(c.model.clone()))),
        Column::new("score_scenario".into(), sc(&|c| Some(c.scenario.clone()))),
        Column::new(
            "score_total".into(),
            sc(&|c| c.total.map(|d| d.to_string())),
        ),
        Column::new(
            "score_grade".into(),
            sc(&|c| c.grade.map(|g| g.as_str().to_string())),
        ),
        Column::new(
            "score_coverage".into(),
            sc(&|c| Some(c.coverage.to_string())),
        ),
        Column::new("score_veto".into(), sc(&|c| Some(c.vetoes.join(";")))),
        Column::new(
            "score_gate".into(),
            sc(&|c| c.gate.map(|g| g.as_str().to_string())),
        ),
        Column::new(
            "score_dimensions".into(),
            sc(&|c| {
                Some(
                    c.dimensions
                        .iter()
                        .map(|(k, v)| format!("{k}={}", v.map_or("".into(), |d| d.to_string())))
                        .collect::<Vec<_>>()
                        .join(";"),
                )
            }),
        ),
        Column::new("score_rank".into(), score_ranks(rows)),
        Column::new(
            "approaches_disagree".into(),
            rows.iter()
                .map(|x| x.approaches_disagree)
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "market_low_confidence".into(),
            rows.iter()
                .map(|x| x.market_low_confidence)
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "synthetic_data".into(),
            rows.iter().map(|x| x.synthetic_data).collect::<Vec<_>>(),
        ),
        Column::new("rank".into(), rank),
        Column::new("warnings".into(), s(&|x| Some(x.warnings.join("; ")))),
    ];
    DataFrame::new_infer_height(cols).map_err(pe)
}

/// Totals of a group of rows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupTotal {
    /// The group (IP kind, industry division, province).
    pub key: String,
    /// Rows valued.
    pub rows: usize,
    /// Σ concluded value.
    pub value: Money,
    /// Σ pledge value.
    pub pledge_value: Money,
}

/// A row of the top of the ranking.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopRow {
    /// Rank (1 = highest value).
    pub rank: u32,
    /// `subject.id`.
    pub id: String,
    /// `subject.name`.
    pub name: String,
    /// IP kind.
    pub kind: String,
    /// Industry code.
    pub industry: String,
    /// Concluded value.
    pub value: Money,
    /// How it was concluded.
    pub value_method: String,
    /// Pledge value.
    pub pledge_value: Money,
    /// Simulated downside, when simulated.
    pub downside: Option<Money>,
    /// Score grade, when the row has ratings.
    pub grade: Option<String>,
}

/// The summary of a run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PortfolioSummary {
    /// Data rows read.
    pub rows_read: usize,
    /// Rows valued.
    pub rows_valued: usize,
    /// Rows set aside (see rejects.csv).
    pub rows_rejected: usize,
    /// Σ concluded value.
    pub total_value: Money,
    /// Σ pledge value under the rulebook.
    pub total_pledge_value: Money,
    /// Rows whose approaches disagree.
    pub approaches_disagree: usize,
    /// Rows with a low-confidence market value.
    pub market_low_confidence: usize,
    /// Rows valued by the market approach on synthetic deals.
    pub synthetic_data: usize,
    /// Concluded values: 10th, 50th and 90th percentile over the rows (nearest rank).
    pub value_p10_p50_p90: [Money; 3],
    /// By IP kind.
    pub by_kind: Vec<GroupTotal>,
    /// By industry division (first 3 characters of the GB/T 4754 code).
    pub by_industry: Vec<GroupTotal>,
    /// By province.
    pub by_region: Vec<GroupTotal>,
    /// The highest values.
    pub top: Vec<TopRow>,
    /// Scores over the rows with ratings (grades, vetoes, gate, shortlist).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scoring: Option<super::score::ScoreSummary>,
}

fn groups(rows: &[RowResult], key: impl Fn(&RowResult) -> String) -> Result<Vec<GroupTotal>> {
    let mut m: BTreeMap<String, (usize, Money, Money)> = BTreeMap::new();
    for r in rows {
        let e = m.entry(key(r)).or_insert((0, Money::ZERO, Money::ZERO));
        e.0 += 1;
        e.1 =
            e.1.checked_add(r.value)
                .map_err(|e| Error::money("portfolio total", e))?;
        e.2 =
            e.2.checked_add(r.pledge_value)
                .map_err(|e| Error::money("portfolio total", e))?;
    }
    let mut v: Vec<GroupTotal> = m
        .into_iter()
        .map(|(key, (rows, value, pledge_value))| GroupTotal {
            key,
            rows,
            value,
            pledge_value,
        })
        .collect();
    v.sort_by(|a, b| b.value.cmp(&a.value).then_with(|| a.key.cmp(&b.key)));
    Ok(v)
}

/// The `q`-quantile of sorted values by nearest rank (the ⌈q·n⌉-th value; `None` when empty).
pub fn nearest_rank(sorted: &[Money], q: f64) -> Option<Money> {
    if sorted.is_empty() {
        return None;
    }
    let k = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[k - 1])
}

/// The summary of a result, with the `top_n` highest values.
pub fn summarize(r: &PortfolioResult, top_n: usize) -> Result<PortfolioSummary> {
    let rows = &r.rows;
    let total = |f: &dyn Fn(&RowResult) -> Money| -> Result<Money> {
        rows.iter().try_fold(Money::ZERO, |acc, x| {
            acc.checked_add(f(x))
                .map_err(|e| Error::money("portfolio total", e))
        })
    };
    let mut values: Vec<Money> = rows.iter().map(|x| x.value).collect();
    values.sort();
    let pick = |q: f64| nearest_rank(&values, q).unwrap_or(Money::ZERO);
    let rank = ranks(rows);
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by_key(|&i| rank[i]);
    let top = order
        .into_iter()
        .take(top_n)
        .map(|i| {
            let x = &rows[i];
            TopRow {
                rank: rank[i],
                id: x.id.clone(),
                name: x.name.clone(),
                kind: x.kind.as_str().to_string(),
                industry: x.industry.clone(),
                value: x.value,
                value_method: x.value_method.clone(),
                pledge_value: x.pledge_value,
                downside: x.simulation.as_ref().map(|m| m.downside),
                grade: x
                    .score
                    .as_ref()
                    .map(|s| s.grade.map_or("—", |g| g.as_str()).to_string()),
            }
        })
        .collect();
    Ok(PortfolioSummary {
        rows_read: r.rows_read,
        rows_valued: rows.len(),
        rows_rejected: r.rows_read.saturating_sub(rows.len()),
        total_value: total(&|x| x.value)?,
        total_pledge_value: total(&|x| x.pledge_value)?,
        approaches_disagree: rows.iter().filter(|x| x.approaches_disagree).count(),
        market_low_confidence: rows.iter().filter(|x| x.market_low_confidence).count(),
        synthetic_data: rows.iter().filter(|x| x.synthetic_data).count(),
        value_p10_p50_p90: [pick(0.1), pick(0.5), pick(0.9)],
        by_kind: groups(rows, |x| x.kind.as_str().to_string())?,
        by_industry: groups(rows, |x| x.industry.chars().take(3).collect())?,
        by_region: groups(rows, |x| x.region.clone())?,
        top,
        scoring: super::score::summarize(rows, top_n),
    })
}
