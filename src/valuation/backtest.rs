//! Leave-one-out back-test of the market approach, the hedonic model and a naive median over a
//! deal history.
//!
//! **Rows evaluated**: deals whose price is the price of one right
//! ([`crate::data::schema::single_fixed_price`]: not a total of several contracts, not a
//! cap, an upfront payment alone or a contract total); the same rows are the only comparables
//! and the only rows the hedonic model fits.
//!
//! * **Market approach**: every deal is valued from the others by the very engine of
//!   `valuation::market` (same selection levels, factors, similarity, IQR fences and median),
//!   with the deal as the subject: its own date, province, industry, kind, transaction type,
//!   indicators, remaining life and scale. The deal itself is excluded and the date window is
//!   symmetric ("valued from the others"); a deal gets a prediction only when at least
//!   `min_comparables` comparables survive the fences.
//! * **Hedonic model** (`valuation::hedonic`): the prediction of each deal by the least-squares
//!   fit on the other deals (exact leave-one-out identity).
//! * **Naive**: the median price of the other deals of the same industry code (exact
//!   leave-one-out median from the group's sorted prices and the deal's rank, with joins).
//!
//! All three are scored on the same deals — those each of them predicts — by the median
//! |ln(predicted / actual)|, the bias (median ln(predicted / actual)), and the shares within 2×
//! (|ln| ≤ ln 2) and within ±50 %, overall, by IP kind and by industry. Nothing here is
//! in-sample: every prediction leaves its deal out.

use crate::data::load::over;
use crate::data::schema::{single_fixed_price, DealHistory};
use crate::error::{Error, Result};
use crate::valuation::hedonic::{self, HedonicFit};
use crate::valuation::market::{engine_deals, run_engine, MarketModel, PairColumns, WindowMode};
use polars::prelude::*;
use serde::Serialize;

/// The error figures of one method over one group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MethodScore {
    /// Deals of the group the method predicted.
    pub predicted: u32,
    /// Median |ln(predicted / actual)| over the group's scored deals.
    pub median_abs_log_error: Option<f64>,
    /// Median ln(predicted / actual) (bias: above 0 over-predicts).
    pub bias: Option<f64>,
    /// Share with predicted / actual between 0.5 and 2.
    pub within_2x: Option<f64>,
    /// Share with |predicted / actual − 1| ≤ 0.5.
    pub within_50: Option<f64>,
}

/// Metrics of one group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BacktestRow {
    /// `all`, `ip_kind` or `industry`.
    pub by: String,
    /// The group's value (`all` for the whole history).
    pub group: String,
    /// Deals evaluated in the group (single fixed-price deals).
    pub deals: u32,
    /// Deals all three methods predicted: the deals every score is computed on.
    pub scored: u32,
    /// The market approach.
    pub market: MethodScore,
    /// The hedonic model.
    pub hedonic: MethodScore,
    /// The naive industry median.
    pub naive: MethodScore,
}

/// The back-test result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BacktestReport {
    /// Deals in the history.
    pub deals: usize,
    /// Deals evaluated (single fixed-price deals).
    pub evaluated: usize,
    /// Settings used, in words.
    pub settings: String,
    /// Overall, then by IP kind, then by industry.
    pub rows: Vec<BacktestRow>,
    /// The hedonic model fitted on every evaluated deal — in-sample, for its coefficients; the
    /// errors above are leave-one-out.
    pub hedonic_fit: Option<HedonicFit>,
    /// What could not be computed, in words.
    pub warnings: Vec<String>,
}

fn pe(e: PolarsError) -> Error {
    Error::Internal(format!(
        "back-test query: {}",
        crate::data::load::polars_message(&e)
    ))
}

/// Per-deal predictions over the evaluated deals: `s_id` (row in the history), `deal_id`,
/// `industry`, `ip_kind`, `actual`, `market`, `hedonic`, `naive` (null when not predicted); and
/// the hedonic fit (or why there is none).
pub fn predictions(
    deals: &DealHistory,
    model: &MarketModel,
) -> Result<(DataFrame, std::result::Result<HedonicFit, String>)> {
    let sel = &model.selection;
    let deal_frame = engine_deals(deals, model)?;
    let subjects = deals
        .frame
        .clone()
        .lazy()
        .with_row_index("s_id", None)
        .filter(single_fixed_price())
        .with_columns([
            lit(model.adjustment.discount_rate).alias("s_r"),
            lit(sel.k).cast(DataType::UInt32).alias("s_k"),
            lit(sel.max_comparables)
                .cast(DataType::UInt32)
                .alias("s_max_n"),
            lit(sel.window_years * 365.25).alias("s_window_days"),
            col("s_id").alias("s_exclude_d"),
        ]);
    let run = run_engine(
        &deal_frame,
        subjects,
        model,
        deals,
        WindowMode::Symmetric,
        PairColumns::Summary,
    )?;
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
        .filter(single_fixed_price())
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
    // Hedonic: leave-one-out predictions on the same rows.
    let (hed, fit) = match hedonic::design(deals, model).and_then(|d| {
        let loo = hedonic::leave_one_out(&d)?;
        let fit = hedonic::fit(&d)?;
        Ok((d, loo, fit))
    }) {
        Ok((d, loo, fit)) => {
            let v: Vec<Option<f64>> = loo.into_iter().map(|x| x.map(f64::exp)).collect();
            let df = DataFrame::new_infer_height(vec![
                Column::new("__hid".into(), d.ids),
                Column::new("hedonic".into(), v),
            ])
            .map_err(pe)?;
            (df, Ok(fit))
        }
        Err(e) => (
            DataFrame::new_infer_height(vec![
                Column::new("__hid".into(), Vec::<String>::new()),
                Column::new("hedonic".into(), Vec::<f64>::new()),
            ])
            .map_err(pe)?,
            Err(e.to_string()),
        ),
    };
    let df = naive
        .join(market, [col("s_id")], [col("s_id")], lj.clone())
        .join(hed.lazy(), [col("deal_id")], [col("__hid")], lj)
        .select([
            col("s_id"),
            col("deal_id"),
            col("industry"),
            col("ip_kind"),
            col("actual"),
            col("market"),
            col("hedonic"),
            col("naive"),
        ])
        .sort_by_exprs([col("s_id")], SortMultipleOptions::default())
        .collect()
        .map_err(pe)?;
    Ok((df, fit))
}

/// The method columns of [`predictions`].
const METHODS: [&str; 3] = ["market", "hedonic", "naive"];

/// Runs the back-test and aggregates the metrics.
pub fn backtest(deals: &DealHistory, model: &MarketModel) -> Result<BacktestReport> {
    let (p, fit) = predictions(deals, model)?;
    let evaluated = p.height();
    let ln = |e: Expr| e.log(lit(std::f64::consts::E));
    let mut errs = vec![lit("all").alias("all")];
    for m in METHODS {
        errs.push(ln(col(m) / col("actual")).alias(format!("e_{m}")));
    }
    let scored = p.lazy().with_columns(errs);
    let mut all_three = lit(true);
    for m in METHODS {
        all_three = all_three.and(col(m).is_not_null());
    }
    let mut aggs = vec![
        len().cast(DataType::UInt32).alias("deals"),
        all_three
            .clone()
            .cast(DataType::UInt32)
            .sum()
            .alias("scored"),
    ];
    for m in METHODS {
        let e = || col(format!("e_{m}")).filter(all_three.clone());
        aggs.extend([
            col(m)
                .is_not_null()
                .cast(DataType::UInt32)
                .sum()
                .alias(format!("{m}_n")),
            e().abs().median().alias(format!("{m}_abs")),
            e().median().alias(format!("{m}_bias")),
            e().abs()
                .lt_eq(lit(std::f64::consts::LN_2))
                .cast(DataType::Float64)
                .mean()
                .alias(format!("{m}_2x")),
            (e().exp() - lit(1.0))
                .abs()
                .lt_eq(lit(0.5))
                .cast(DataType::Float64)
                .mean()
                .alias(format!("{m}_50")),
        ]);
    }
    let mut rows = Vec::new();
    for by in ["all", "ip_kind", "industry"] {
        let g = scored
            .clone()
            .group_by([col(by).fill_null(lit("(unknown)")).alias("group")])
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
        let count = |n: &str| -> Result<Vec<u32>> {
            Ok(s(n)?.into_iter().map(|v| v.unwrap_or(0.0) as u32).collect())
        };
        let (dl, sc) = (count("deals")?, count("scored")?);
        let mut per = Vec::new();
        for m in METHODS {
            per.push((
                count(&format!("{m}_n"))?,
                s(&format!("{m}_abs"))?,
                s(&format!("{m}_bias"))?,
                s(&format!("{m}_2x"))?,
                s(&format!("{m}_50"))?,
            ));
        }
        for i in 0..g.height() {
            let score = |k: usize| {
                let (n, a, b, x2, x50) = &per[k];
                let some = sc[i] > 0;
                MethodScore {
                    predicted: n[i],
                    median_abs_log_error: a[i].filter(|_| some),
                    bias: b[i].filter(|_| some),
                    within_2x: x2[i].filter(|_| some),
                    within_50: x50[i].filter(|_| some),
                }
            };
            rows.push(BacktestRow {
                by: by.to_string(),
                group: groups[i].clone(),
                deals: dl[i],
                scored: sc[i],
                market: score(0),
                hedonic: score(1),
                naive: score(2),
            });
        }
    }
    let sel = &model.selection;
    let mut warnings = Vec::new();
    let hedonic_fit = match fit {
        Ok(f) => Some(f),
        Err(e) => {
            warnings.push(format!("no hedonic model: {e}"));
            None
        }
    };
    Ok(BacktestReport {
        deals: deals.len(),
        evaluated,
        settings: format!(
            "leave-one-out over the single fixed-price deals; market engine: k = {}, max {} comparables, window ±{} years (symmetric), IQR ×{}, prediction needs ≥ {} comparables; hedonic: least squares on the other deals; naive: median price of the other deals of the industry code; all scored on the deals every method predicts",
            sel.k, sel.max_comparables, sel.window_years, sel.iqr_multiplier, sel.min_comparables
        ),
        rows,
        hedonic_fit,
        warnings,
    })
}
