//! The portfolio's score summary: grades, vetoes and gate outcomes counted, the median of each
//! dimension (the second ring of the radars) and the shortlist by score.

use super::batch::RowResult;
use super::frame::score_ranks;
use crate::money::Money;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;

/// A row of the score shortlist.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShortRow {
    /// Rank by score (1 = highest).
    pub score_rank: u32,
    /// `subject.id`.
    pub id: String,
    /// `subject.name`.
    pub name: String,
    /// Score total 0–100.
    pub score: Decimal,
    /// Grade.
    pub grade: String,
    /// Concluded value.
    pub value: Money,
    /// Pledge value (at the graded rate when the rulebook tiers by grade).
    pub pledge_value: Money,
}

/// Scores over the portfolio.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreSummary {
    /// Rows with ratings.
    pub rows_scored: usize,
    /// Rows by grade (`A` … `D`, `ungraded` below the coverage floor).
    pub by_grade: BTreeMap<String, usize>,
    /// Rows vetoed (grade D whatever the ratings).
    pub vetoed: usize,
    /// Rows by gate outcome (trees with a gate).
    pub by_gate: BTreeMap<String, usize>,
    /// (dimension id, median score 0–100 over the rows that have it).
    pub dimension_medians: Vec<(String, Option<Decimal>)>,
    /// The highest scores (vetoed and ungraded rows left out).
    pub shortlist: Vec<ShortRow>,
}

fn median(mut v: Vec<Decimal>) -> Option<Decimal> {
    if v.is_empty() {
        return None;
    }
    v.sort();
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / Decimal::TWO
    })
}

/// The score summary (None when no row has ratings), with the `top_n` highest scores.
pub fn summarize(rows: &[RowResult], top_n: usize) -> Option<ScoreSummary> {
    let scored: Vec<&RowResult> = rows.iter().filter(|r| r.score.is_some()).collect();
    let first = scored.first()?.score.as_ref()?;
    let mut by_grade = BTreeMap::new();
    let mut by_gate = BTreeMap::new();
    let mut vetoed = 0;
    for r in &scored {
        let s = r.score.as_ref()?;
        let g = s.grade.map_or("ungraded", |g| g.as_str());
        *by_grade.entry(g.to_string()).or_insert(0) += 1;
        if let Some(o) = s.gate {
            *by_gate.entry(o.as_str().to_string()).or_insert(0) += 1;
        }
        vetoed += usize::from(!s.vetoes.is_empty());
    }
    // Medians per dimension among the rows scored on the first row's tree.
    let dimension_medians = first
        .dimensions
        .iter()
        .map(|(id, _)| {
            let vals: Vec<Decimal> = scored
                .iter()
                .filter_map(|r| r.score.as_ref())
                .filter(|s| s.model == first.model)
                .filter_map(|s| {
                    s.dimensions
                        .iter()
                        .find(|(d, _)| d == id)
                        .and_then(|(_, v)| *v)
                })
                .collect();
            (id.clone(), median(vals))
        })
        .collect();
    let rank = score_ranks(rows);
    let mut order: Vec<(u32, usize)> = rank
        .iter()
        .enumerate()
        .filter_map(|(i, r)| r.map(|r| (r, i)))
        .collect();
    order.sort();
    let shortlist = order
        .into_iter()
        .take(top_n)
        .filter_map(|(k, i)| {
            let x = &rows[i];
            let s = x.score.as_ref()?;
            Some(ShortRow {
                score_rank: k,
                id: x.id.clone(),
                name: x.name.clone(),
                score: s.total?,
                grade: s.grade.map_or("—", |g| g.as_str()).to_string(),
                value: x.value,
                pledge_value: x.pledge_value,
            })
        })
        .collect();
    Some(ScoreSummary {
        rows_scored: scored.len(),
        by_grade,
        vetoed,
        by_gate,
        dimension_medians,
        shortlist,
    })
}
