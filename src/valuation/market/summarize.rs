//! Per-subject statistics over the kept comparables (median, weighted mean, quartiles) and
//! the result types read back from the frames.

use super::*;
use crate::error::Result;
use crate::valuation::Valuation;
use polars::prelude::*;
use serde::Serialize;

/// Per-subject statistics over the kept comparables; every subject gets a row.
pub(super) fn summarize(pairs: &DataFrame, subjects: &DataFrame) -> Result<DataFrame> {
    let q = |p: f64| col("adjusted").quantile(lit(p), QuantileMethod::Linear);
    let selected = pairs.clone().lazy().group_by([col("s_id")]).agg([
        col("level").first().alias("level"),
        col("n_found").first().alias("n_found"),
        len().cast(DataType::UInt32).alias("n_selected"),
        col("fence_lo").first().alias("fence_lo"),
        col("fence_hi").first().alias("fence_hi"),
    ]);
    let kept = pairs
        .clone()
        .lazy()
        .filter(col("kept"))
        .group_by([col("s_id")])
        .agg([
            len().cast(DataType::UInt32).alias("n_used"),
            col("adjusted").median().alias("median"),
            ((col("adjusted") * col("similarity")).sum() / col("similarity").sum())
                .alias("weighted_mean"),
            col("adjusted").min().alias("min"),
            q(0.25).alias("q1"),
            q(0.75).alias("q3"),
            col("adjusted").max().alias("max"),
        ]);
    let mut left = JoinArgs::new(JoinType::Left);
    left.maintain_order = MaintainOrderJoin::Left;
    subjects
        .clone()
        .lazy()
        .select([col("s_id")])
        .join(selected, [col("s_id")], [col("s_id")], left.clone())
        .join(kept, [col("s_id")], [col("s_id")], left)
        .with_columns([
            col("n_found").fill_null(lit(0u32)),
            col("n_selected").fill_null(lit(0u32)),
            col("n_used").fill_null(lit(0u32)),
        ])
        .collect()
        .map_err(pe)
}

/// One comparable of a valuation, as shown by `techval comparables`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComparableRow {
    /// Deal id.
    pub deal_id: String,
    /// Deal date.
    pub date: String,
    /// Province.
    pub region: String,
    /// Industry code.
    pub industry: String,
    /// Transaction type.
    pub transaction_type: String,
    /// Price, 元 (f64 statistics).
    pub price_yuan: f64,
    /// Technology factor.
    pub f_tech: f64,
    /// Time factor.
    pub f_time: f64,
    /// Region factor.
    pub f_region: f64,
    /// Transaction-terms factor.
    pub f_terms: f64,
    /// Scale factor.
    pub f_scale: f64,
    /// Remaining-life factor.
    pub f_life: f64,
    /// Factors clipped to the bounds.
    pub n_clipped: u32,
    /// The combined adjustment P_adj / P (the product of the six factors).
    pub combined: f64,
    /// True when |combined − 1| exceeds `adjustment.max_combined` (`models/market.toml`).
    pub beyond_limit: bool,
    /// Factors left at 1 because the attribute is unknown on either side (`tech`, `region`,
    /// `life`, …).
    pub not_adjusted: Vec<String>,
    /// Adjusted price, 元 (f64 statistics).
    pub adjusted_yuan: f64,
    /// Similarity 0–1.
    pub similarity: f64,
    /// False when the IQR fences dropped it.
    pub kept: bool,
}

/// Summary statistics of a market valuation (f64, 元).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MarketSummary {
    /// Relaxation level reached (0 = all filters).
    pub level: u32,
    /// What the level means.
    pub level_name: String,
    /// Deals matching the level's filters.
    pub n_found: u32,
    /// Comparables selected (the most similar, at most `max_comparables`).
    pub n_selected: u32,
    /// Comparables left after the IQR fences.
    pub n_used: u32,
    /// Median adjusted price.
    pub median: Option<f64>,
    /// Similarity-weighted mean adjusted price.
    pub weighted_mean: Option<f64>,
    /// Smallest adjusted price used.
    pub min: Option<f64>,
    /// First quartile.
    pub q1: Option<f64>,
    /// Third quartile.
    pub q3: Option<f64>,
    /// Largest adjusted price used.
    pub max: Option<f64>,
    /// Lower Tukey fence, 元 (exp of the fence on ln price).
    pub fence_low: Option<f64>,
    /// Upper Tukey fence, 元.
    pub fence_high: Option<f64>,
    /// True when fewer than `min_comparables` were used (only with `allow_low_confidence`).
    pub low_confidence: bool,
}

/// A market valuation with its comparables.
#[derive(Debug, Clone)]
pub struct MarketOutcome {
    /// The valuation (value = median, audit trail with one step per comparable).
    pub valuation: Valuation,
    /// The comparables, most similar first.
    pub comparables: Vec<ComparableRow>,
    /// Statistics.
    pub summary: MarketSummary,
    /// The subject side: score, indices, AF used.
    pub subject: SubjectSide,
}

/// The subject's own inputs to the factors.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubjectSide {
    /// Technology score used (given or composite, floored).
    pub score: f64,
    /// True when the score is the composite of the indicators.
    pub score_is_composite: bool,
    /// Time index I(valuation year), 万元 per contract.
    pub time_index: f64,
    /// Year of the time index used.
    pub time_index_year: i32,
    /// Region index of the subject's province.
    pub region_index: f64,
    /// Transaction-terms multiplier of the subject's type.
    pub terms: f64,
    /// AF(r, n_subject).
    pub annuity_factor: f64,
    /// r.
    pub discount_rate: f64,
}

pub(super) fn col_f64(df: &DataFrame, name: &str) -> Result<Vec<Option<f64>>> {
    Ok(df
        .column(name)
        .and_then(|c| c.cast(&DataType::Float64))
        .map_err(pe)?
        .f64()
        .map_err(pe)?
        .iter()
        .collect())
}

pub(super) fn col_str(df: &DataFrame, name: &str) -> Result<Vec<String>> {
    Ok(df
        .column(name)
        .and_then(|c| c.cast(&DataType::String))
        .map_err(pe)?
        .str()
        .map_err(pe)?
        .iter()
        .map(|s| s.unwrap_or("").to_string())
        .collect())
}

pub(super) fn col_u32(df: &DataFrame, name: &str) -> Result<Vec<u32>> {
    Ok(df
        .column(name)
        .and_then(|c| c.cast(&DataType::UInt32))
        .map_err(pe)?
        .u32()
        .map_err(pe)?
        .iter()
        .map(|v| v.unwrap_or(0))
        .collect())
}

pub(super) fn col_bool(df: &DataFrame, name: &str) -> Result<Vec<bool>> {
    Ok(df
        .column(name)
        .map_err(pe)?
        .bool()
        .map_err(pe)?
        .iter()
        .map(|v| v.unwrap_or(false))
        .collect())
}

pub(super) fn first_f64(df: &DataFrame, name: &str) -> Result<Option<f64>> {
    Ok(col_f64(df, name)?.first().copied().flatten())
}

/// Reads the comparables of subject `sid` out of a run (most similar first).
pub fn comparables_of(run: &MarketRun, sid: u32) -> Result<Vec<ComparableRow>> {
    let df = run
        .pairs
        .clone()
        .lazy()
        .filter(col("s_id").eq(lit(sid)))
        .collect()
        .map_err(pe)?;
    let ids = col_str(&df, "deal_id")?;
    let dates = col_str(&df, "date")?;
    let regions = col_str(&df, "region")?;
    let inds = col_str(&df, "industry")?;
    let types = col_str(&df, "transaction_type")?;
    let price = col_f64(&df, "price_yuan")?;
    let fs: Vec<Vec<Option<f64>>> = [
        "f_tech", "f_time", "f_region", "f_terms", "f_scale", "f_life",
    ]
    .iter()
    .map(|n| col_f64(&df, n))
    .collect::<Result<_>>()?;
    let adj = col_f64(&df, "adjusted")?;
    let sim = col_f64(&df, "similarity")?;
    let kept = col_bool(&df, "kept")?;
    let clipped = col_u32(&df, "n_clipped")?;
    let combined = col_f64(&df, "combined")?;
    let beyond = col_bool(&df, "beyond_limit")?;
    let unknown: Vec<(&str, Vec<bool>)> = ["tech", "time", "region", "terms", "scale", "life"]
        .iter()
        .map(|n| Ok((*n, col_bool(&df, &format!("u_{n}"))?)))
        .collect::<Result<_>>()?;
    let g = |v: &Vec<Option<f64>>, i: usize| v.get(i).copied().flatten().unwrap_or(f64::NAN);
    Ok((0..df.height())
        .map(|i| ComparableRow {
            deal_id: ids[i].clone(),
            date: dates[i].clone(),
            region: regions[i].clone(),
            industry: inds[i].clone(),
            transaction_type: types[i].clone(),
            price_yuan: g(&price, i),
            f_tech: g(&fs[0], i),
            f_time: g(&fs[1], i),
            f_region: g(&fs[2], i),
            f_terms: g(&fs[3], i),
            f_scale: g(&fs[4], i),
            f_life: g(&fs[5], i),
            n_clipped: clipped[i],
            combined: g(&combined, i),
            beyond_limit: beyond[i],
            not_adjusted: unknown
                .iter()
                .filter(|(_, v)| v[i])
                .map(|(n, _)| (*n).to_string())
                .collect(),
            adjusted_yuan: g(&adj, i),
            similarity: g(&sim, i),
            kept: kept[i],
        })
        .collect())
}

pub(super) fn summary_of(run: &MarketRun, sid: u32, min_n: u32) -> Result<MarketSummary> {
    let df = run
        .summary
        .clone()
        .lazy()
        .filter(col("s_id").eq(lit(sid)))
        .collect()
        .map_err(pe)?;
    let level = col_u32(&df, "level")?.first().copied().unwrap_or(0);
    let n_used = col_u32(&df, "n_used")?.first().copied().unwrap_or(0);
    Ok(MarketSummary {
        level,
        level_name: LEVELS
            .get(level as usize)
            .map_or("", |l| l.name)
            .to_string(),
        n_found: col_u32(&df, "n_found")?.first().copied().unwrap_or(0),
        n_selected: col_u32(&df, "n_selected")?.first().copied().unwrap_or(0),
        n_used,
        median: first_f64(&df, "median")?,
        weighted_mean: first_f64(&df, "weighted_mean")?,
        min: first_f64(&df, "min")?,
        q1: first_f64(&df, "q1")?,
        q3: first_f64(&df, "q3")?,
        max: first_f64(&df, "max")?,
        fence_low: first_f64(&df, "fence_lo")?.map(f64::exp),
        fence_high: first_f64(&df, "fence_hi")?.map(f64::exp),
        low_confidence: n_used < min_n,
    })
}
