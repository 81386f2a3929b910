//! Leave-one-out back-test of the market approach over a deal history.
//!
//! Every deal is valued from the others by the very engine of `valuation::market` (same
//! selection levels, factors, similarity, IQR fences and median), with the deal as the subject:
//! its own date as valuation date, its own province, industry, kind, transaction type,
//! indicators, remaining life and scale. Differences from a valuation, stated:
//! * the deal itself is excluded (`deal_id ≠ subject`), and the date window is symmetric (deals
//!   up to `window_years` before *or after* — "valued from the others");
//! * a deal gets a prediction only when at least `min_comparables` comparables survive the
//!   fences (no low-confidence predictions); the rest count against coverage.
//!
//! All subjects run in one vectorised pass per batch (joins on the level keys), not one query
//! per deal.
//!
//! The naive benchmark predicts each deal by the **median price of the other deals of its
//! industry** (exact leave-one-out median: from the group's sorted prices and the deal's rank,
//! computed with joins, no loop). Both are scored on the same deals (those the market approach
//! predicts): median |ln(predicted / actual)|, and the shares with |predicted / actual − 1| ≤ 25 %
//! and ≤ 50 %, overall, by IP kind and by industry.

use crate::data::load::over;
use crate::data::schema::DealHistory;
use crate::error::{Error, Result};
use crate::valuation::market::{engine_deals, run_engine, MarketModel, WindowMode};
use polars::prelude::*;
use serde::Serialize;

/// Metrics of one group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BacktestRow {
    /// `all`, `ip_kind` or `industry`.
    pub by: String,
    /// The group's value (`all` for the whole history).
    pub group: String,
    /// Deals in the group.
    pub deals: u32,
    /// Deals the market approach predicted (≥ min_comparables comparables).
    pub predicted: u32,
    /// predicted / deals.
    pub coverage: f64,
    /// Market approach: median |ln(predicted / actual)|.
    pub market_median_abs_log_error: Option<f64>,
    /// Market approach: median ln(predicted / actual) (bias).
    pub market_median_log_error: Option<f64>,
    /// Market approach: share within ±25 %.
    pub market_within_25: Option<f64>,
    /// Market approach: share within ±50 %.
    pub market_within_50: Option<f64>,
    /// Naive (industry median): median |ln(predicted / actual)| on the same deals.
    pub naive_median_abs_log_error: Option<f64>,
    /// Naive: share within ±25 %.
    pub naive_within_25: Option<f64>,
    /// Naive: share within ±50 %.
    pub naive_within_50: Option<f64>,
}

/// The back-test result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BacktestReport {
    /// Deals in the history.
    pub deals: usize,
    /// Settings used, in words.
    pub settings: String,
    /// Overall, then by IP kind, then by industry.
    pub rows: Vec<BacktestRow>,
}

fn pe(e: PolarsError) -> Error {
    Error::Internal(format!(
        "back-test query: {}",
        crate::data::load::polars_message(&e)
    ))
}

/// Per-deal predictions: `s_id`, `deal_id`, `industry`, `ip_kind`, `actual`, `market` (null
/// when not predicted), `naive`.
pub fn predictions(deals: &DealHistory, model: &MarketModel) -> Result<DataFrame> {
    let sel = &model.selection;
    let deal_frame = engine_deals(deals, model)?;
    let subjects = deals
        .frame
        .clone()
        .lazy()
        .with_row_index("s_id", None)
        .with_columns([
            lit(model.adjustment.discount_rate).alias("s_r"),
            lit(sel.k).cast(DataType::UInt32).alias("s_k"),
            lit(sel.max_comparables)
                .cast(DataType::UInt32)
                .alias("s_max_n"),
            lit(sel.window_years * 365.25).alias("s_window_days"),
            col("s_id").alias("s_exclude_d"),
        ]);
    let run = run_engine(&deal_frame, subjects, model, deals, WindowMode::Symmetric)?;
    let market = run.summary.lazy().select([
        col("s_id"),
        when(col("n_used").gt_eq(lit(sel.min_comparables)))
            .then(col("median"))
            .otherwise(lit(NULL).cast(DataType::Float64))
            .alias("market"),
    ]);
    // Naive: exact leave-one-out median of the industry's prices.
    let base = deals
        .frame
        .clone()
        .lazy()
        .with_row_index("s_id", None)
        .select([
            col("s_id"),
            col("deal_id"),
            col("industry"),
            col("ip_kind"),
            col("price_yuan").alias("actual"),
        ])
        .with_columns([
            over(len(), "industry").cast(DataType::Int64).alias("m"),
            (over(
                col("actual").rank(
                    RankOptions {
                        method: RankMethod::Ordinal,
                        descending: false,
                    },
                    None,
                ),
                "industry",
            )
            .cast(DataType::Int64)
                - lit(1i64))
            .alias("r0"),
        ])
        .with_columns([
            ((col("m") - lit(2i64)).floor_div(lit(2i64))).alias("ja"),
            ((col("m") - lit(1i64)).floor_div(lit(2i64))).alias("jb"),
        ]);
    let sorted = base.clone().select([
        col("industry").alias("__ind"),
        col("r0").alias("__pos"),
        col("actual").alias("__v"),
    ]);
    let mut lj = JoinArgs::new(JoinType::Left);
    lj.maintain_order = MaintainOrderJoin::Left;
    let mut with_vals = base;
    for (name, pos) in [
        ("v_ja", col("ja")),
        ("v_ja1", col("ja") + lit(1i64)),
        ("v_jb", col("jb")),
        ("v_jb1", col("jb") + lit(1i64)),
    ] {
        let key = format!("__k_{name}");
        with_vals = with_vals
            .with_column(pos.alias(&key))
            .join(
                sorted.clone(),
                [col("industry"), col(&key)],
                [col("__ind"), col("__pos")],
                lj.clone(),
            )
            .rename(["__v"], [name], true);
    }
    // Position j of the others = sorted[j] below the deal's own rank, else sorted[j + 1].
    let pick =
        |j: &str, v: &str, v1: &str| when(col(j).lt(col("r0"))).then(col(v)).otherwise(col(v1));
    let naive = with_vals.with_column(
        when(col("m").gt_eq(lit(2i64)))
            .then((pick("ja", "v_ja", "v_ja1") + pick("jb", "v_jb", "v_jb1")) / lit(2.0))
            .otherwise(lit(NULL).cast(DataType::Float64))
            .alias("naive"),
    );
    naive
        .join(market, [col("s_id")], [col("s_id")], lj)
        .select([
            col("s_id"),
            col("deal_id"),
            col("industry"),
            col("ip_kind"),
            col("actual"),
            col("market"),
            col("naive"),
        ])
        .sort_by_exprs([col("s_id")], SortMultipleOptions::default())
        .collect()
        .map_err(pe)
}

/// Runs the back-test and aggregates the metrics.
pub fn backtest(deals: &DealHistory, model: &MarketModel) -> Result<BacktestReport> {
    let p = predictions(deals, model)?;
    let ln = |e: Expr| e.log(lit(std::f64::consts::E));
    let scored = p.lazy().with_columns([
        ln(col("market") / col("actual")).alias("e_m"),
        ln(col("naive") / col("actual")).alias("e_n"),
        (col("market") / col("actual") - lit(1.0))
            .abs()
            .alias("r_m"),
        (col("naive") / col("actual") - lit(1.0)).abs().alias("r_n"),
        lit("all").alias("all"),
    ]);
    let paired = col("market").is_not_null().and(col("naive").is_not_null());
    let share = |r: &str, lim: f64| {
        col(r)
            .filter(paired.clone())
            .lt_eq(lit(lim))
            .cast(DataType::Float64)
            .mean()
    };
    let aggs = [
        len().cast(DataType::UInt32).alias("deals"),
        col("market")
            .is_not_null()
            .cast(DataType::UInt32)
            .sum()
            .alias("predicted"),
        col("e_m")
            .filter(paired.clone())
            .abs()
            .median()
            .alias("m_abs"),
        col("e_m").filter(paired.clone()).median().alias("m_bias"),
        share("r_m", 0.25).alias("m_25"),
        share("r_m", 0.5).alias("m_50"),
        col("e_n")
            .filter(paired.clone())
            .abs()
            .median()
            .alias("n_abs"),
        share("r_n", 0.25).alias("n_25"),
        share("r_n", 0.5).alias("n_50"),
    ];
    let mut rows = Vec::new();
    for by in ["all", "ip_kind", "industry"] {
        let g = scored
            .clone()
            .group_by([col(by).alias("group")])
            .agg(aggs.clone())
            .sort_by_exprs([col("group")], SortMultipleOptions::default())
            .collect()
            .map_err(pe)?;
        let s = |n: &str| -> Result<Vec<Option<f64>>> {
            Ok(g.column(n)
                .and_then(|c| c.cast(&DataType::Float64))
                .map_err(pe)?
                .f64()
                .map_err(pe)?
                .iter()
                .collect())
        };
        let groups: Vec<String> = g
            .column("group")
            .map_err(pe)?
            .str()
            .map_err(pe)?
            .iter()
            .map(|x| x.unwrap_or("").to_string())
            .collect();
        let (dl, pr) = (s("deals")?, s("predicted")?);
        let (ma, mb, m25, m50) = (s("m_abs")?, s("m_bias")?, s("m_25")?, s("m_50")?);
        let (na, n25, n50) = (s("n_abs")?, s("n_25")?, s("n_50")?);
        for i in 0..g.height() {
            let d = dl[i].unwrap_or(0.0);
            let p = pr[i].unwrap_or(0.0);
            rows.push(BacktestRow {
                by: by.to_string(),
                group: groups[i].clone(),
                deals: d as u32,
                predicted: p as u32,
                coverage: if d > 0.0 { p / d } else { 0.0 },
                market_median_abs_log_error: ma[i],
                market_median_log_error: mb[i],
                market_within_25: m25[i],
                market_within_50: m50[i],
                naive_median_abs_log_error: na[i],
                naive_within_25: n25[i],
                naive_within_50: n50[i],
            });
        }
    }
    let sel = &model.selection;
    Ok(BacktestReport {
        deals: deals.len(),
        settings: format!(
            "leave-one-out, each deal valued from the others by the market engine: k = {}, max {} comparables, window ±{} years (symmetric), IQR ×{}, prediction needs ≥ {} comparables; naive = leave-one-out median price of the deal's industry, scored on the same deals",
            sel.k, sel.max_comparables, sel.window_years, sel.iqr_multiplier, sel.min_comparables
        ),
        rows,
    })
}
