//! Selection of comparables: the prepared deal frame, the subjects frame, the relaxation
//! levels joined on their keys, the date window and the similarity score; many subjects in one
//! pass ([`value_many`]).

use super::*;
use crate::data::load::over;
use crate::data::schema::{single_fixed_price, DealHistory, TransactionType};
use crate::error::{Error, Result};
use crate::param::Param;
use crate::subject::Subject;
use chrono::NaiveDate;
use polars::prelude::*;
use rust_decimal::prelude::ToPrimitive;

/// How the date window is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowMode {
    /// Deals dated within the window before the valuation date, never after (valuation).
    Before,
    /// Deals dated within the window on either side (back-test: each deal from the others).
    Symmetric,
}

/// A selection-relaxation level.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Level {
    /// Short description.
    pub name: &'static str,
    /// Selection keys (subject column, deal column).
    pub(super) keys: &'static [(&'static str, &'static str)],
    /// Window multiple (None: any date).
    pub(super) window: Option<f64>,
}

pub(super) const K_KIND: (&str, &str) = ("s_ip_kind", "ip_kind");
pub(super) const K_IND: (&str, &str) = ("s_industry", "industry");
pub(super) const K_IND3: (&str, &str) = ("s_ind3", "ind3");
pub(super) const K_IND1: (&str, &str) = ("s_ind1", "ind1");
pub(super) const K_TYPE: (&str, &str) = ("s_transaction_type", "transaction_type");
pub(super) const K_REGION: (&str, &str) = ("s_region", "region");

/// The relaxation levels, in order (see the module documentation).
pub const LEVELS: [Level; 8] = [
    Level {
        name: "same kind, industry code, transaction type and province, within the window",
        keys: &[K_KIND, K_IND, K_TYPE, K_REGION],
        window: Some(1.0),
    },
    Level {
        name: "any province",
        keys: &[K_KIND, K_IND, K_TYPE],
        window: Some(1.0),
    },
    Level {
        name: "any province, twice the window",
        keys: &[K_KIND, K_IND, K_TYPE],
        window: Some(2.0),
    },
    Level {
        name: "any province, any date",
        keys: &[K_KIND, K_IND, K_TYPE],
        window: None,
    },
    Level {
        name: "any transaction type, any province, any date",
        keys: &[K_KIND, K_IND],
        window: None,
    },
    Level {
        name: "same industry division (3 characters), any type, province, date",
        keys: &[K_KIND, K_IND3],
        window: None,
    },
    Level {
        name: "same industry section (letter), any type, province, date",
        keys: &[K_KIND, K_IND1],
        window: None,
    },
    Level {
        name: "same kind only",
        keys: &[K_KIND],
        window: None,
    },
];

/// Internal errors from polars are not the user's fault.
pub(super) fn pe(e: PolarsError) -> Error {
    Error::Internal(format!(
        "market query: {}",
        crate::data::load::polars_message(&e)
    ))
}

/// Adds the derived columns the engine needs to a deal-shaped frame: `days` (since 1970),
/// `year`, `ind3`, `ind1`, `score` (given or composite, floored), `time_index`,
/// `region_index`, `terms`. Deal years outside the statistics are clamped to its ends.
pub fn prepare(lf: LazyFrame, model: &MarketModel, deals: &DealHistory) -> Result<LazyFrame> {
    let ix = &deals.indices;
    let (y0, y1) = ix.year_range();
    let time = ix.time_frame()?;
    let region = ix.region_frame()?;
    let tt = &model.transaction_terms;
    let mut terms = lit(NULL).cast(DataType::Float64);
    for t in TransactionType::ALL.iter().rev() {
        terms = when(col("transaction_type").eq(lit(t.as_str())))
            .then(lit(tt.get(*t)))
            .otherwise(terms);
    }
    let mut join = JoinArgs::new(JoinType::Left);
    join.maintain_order = MaintainOrderJoin::Left;
    let score = when(col("tech_score").is_not_null())
        .then(col("tech_score"))
        .otherwise(model.technology_score.expr())
        .clip_min(lit(model.adjustment.score_floor));
    Ok(lf
        .with_columns([
            col("date").cast(DataType::Int32).alias("days"),
            col("date").dt().year().alias("year"),
            col("industry").str().slice(lit(0), lit(3)).alias("ind3"),
            col("industry").str().slice(lit(0), lit(1)).alias("ind1"),
            score.alias("score"),
            terms.alias("terms"),
        ])
        .with_column(
            col("year")
                .clip(lit(y0), lit(y1))
                .cast(DataType::Int32)
                .alias("index_year"),
        )
        .join(
            time.lazy().rename(["year"], ["index_year"], true),
            [col("index_year")],
            [col("index_year")],
            join.clone(),
        )
        .join(
            region
                .lazy()
                .rename(["year", "region"], ["index_year", "__ix_region"], true),
            [col("region"), col("index_year")],
            [col("__ix_region"), col("index_year")],
            join,
        ))
}

/// One subject of a market query.
#[derive(Debug, Clone, PartialEq)]
pub struct SubjectSpec {
    /// Identifier (echoed in results).
    pub id: String,
    /// IP kind (schema name).
    pub ip_kind: String,
    /// GB/T 4754 code.
    pub industry: String,
    /// The subject's transaction type.
    pub transaction_type: TransactionType,
    /// Province, English name.
    pub region: String,
    /// Valuation date.
    pub valuation_date: NaiveDate,
    /// Remaining life n_s, years.
    pub remaining_life: f64,
    /// Technology score, when given.
    pub tech_score: Option<f64>,
    /// TRL, when given.
    pub trl: Option<u32>,
    /// Claims.
    pub claims: u32,
    /// Citations.
    pub citations: u32,
    /// Family size.
    pub family_size: u32,
    /// Scale S_s (元), when known.
    pub scale: Option<f64>,
    /// r of the life factor.
    pub discount_rate: f64,
    /// Comparables wanted before relaxing.
    pub k: u32,
    /// Most comparables kept.
    pub max_comparables: u32,
    /// Date window, years.
    pub window_years: f64,
}

impl SubjectSpec {
    /// The spec of a case's subject, defaults from the model.
    pub fn from_case(a: &MarketAssumptions, s: &Subject, model: &MarketModel) -> SubjectSpec {
        let f = |p: &Param| p.point.to_f64().unwrap_or(f64::NAN);
        let k = a.k.unwrap_or(model.selection.k);
        SubjectSpec {
            id: s.id.clone(),
            ip_kind: s.kind.as_str().to_string(),
            industry: s.industry.trim().to_string(),
            transaction_type: a.transaction_type,
            region: s.region_en().to_string(),
            valuation_date: s.valuation_date,
            remaining_life: f(&a.remaining_life),
            tech_score: a.tech_score.as_ref().map(f),
            trl: a.trl,
            claims: a.claims,
            citations: a.citations,
            family_size: a.family_size,
            scale: a.scale.as_ref().map(f),
            discount_rate: a
                .discount_rate
                .as_ref()
                .map_or(model.adjustment.discount_rate, f),
            k,
            max_comparables: a
                .max_comparables
                .unwrap_or(model.selection.max_comparables)
                .max(k),
            window_years: a
                .window_years
                .as_ref()
                .map_or(model.selection.window_years, f),
        }
    }
}

/// Subjects as a deal-shaped frame (so that [`prepare`] treats them exactly like deals), plus
/// the per-subject options.
pub(super) fn subjects_frame(specs: &[SubjectSpec]) -> Result<DataFrame> {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    let days: Vec<i32> = specs
        .iter()
        .map(|s| (s.valuation_date - epoch).num_days() as i32)
        .collect();
    let cols = vec![
        Column::new("s_id".into(), (0..specs.len() as u32).collect::<Vec<u32>>()),
        Column::new(
            "deal_id".into(),
            specs.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
        ),
        Column::new("date".into(), days)
            .cast(&DataType::Date)
            .map_err(pe)?,
        Column::new(
            "region".into(),
            specs.iter().map(|s| s.region.as_str()).collect::<Vec<_>>(),
        ),
        Column::new(
            "industry".into(),
            specs
                .iter()
                .map(|s| s.industry.as_str())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "ip_kind".into(),
            specs.iter().map(|s| s.ip_kind.as_str()).collect::<Vec<_>>(),
        ),
        Column::new(
            "transaction_type".into(),
            specs
                .iter()
                .map(|s| s.transaction_type.as_str())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "remaining_life_years".into(),
            specs.iter().map(|s| s.remaining_life).collect::<Vec<_>>(),
        ),
        Column::new(
            "claims".into(),
            specs
                .iter()
                .map(|s| i64::from(s.claims))
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "citations".into(),
            specs
                .iter()
                .map(|s| i64::from(s.citations))
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "family_size".into(),
            specs
                .iter()
                .map(|s| i64::from(s.family_size))
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "trl".into(),
            specs
                .iter()
                .map(|s| s.trl.map(i64::from))
                .collect::<Vec<Option<i64>>>(),
        ),
        Column::new(
            "tech_score".into(),
            specs.iter().map(|s| s.tech_score).collect::<Vec<_>>(),
        ),
        Column::new(
            "scale".into(),
            specs.iter().map(|s| s.scale).collect::<Vec<_>>(),
        ),
        Column::new(
            "s_r".into(),
            specs.iter().map(|s| s.discount_rate).collect::<Vec<_>>(),
        ),
        Column::new("s_k".into(), specs.iter().map(|s| s.k).collect::<Vec<_>>()),
        Column::new(
            "s_max_n".into(),
            specs.iter().map(|s| s.max_comparables).collect::<Vec<_>>(),
        ),
        Column::new(
            "s_window_days".into(),
            specs
                .iter()
                .map(|s| s.window_years * 365.25)
                .collect::<Vec<_>>(),
        ),
        Column::new("s_exclude_d".into(), vec![None::<u32>; specs.len()]),
    ];
    DataFrame::new_infer_height(cols).map_err(pe)
}

/// Renames a prepared deal-shaped frame's columns to the subject side (`s_` prefix).
pub(super) fn as_subject_side(lf: LazyFrame) -> LazyFrame {
    lf.select([
        col("s_id"),
        col("deal_id").alias("s_deal_id"),
        col("days").alias("s_days"),
        col("year").alias("s_year"),
        col("index_year").alias("s_index_year"),
        col("region").alias("s_region"),
        col("industry").alias("s_industry"),
        col("ind3").alias("s_ind3"),
        col("ind1").alias("s_ind1"),
        col("ip_kind").alias("s_ip_kind"),
        col("transaction_type").alias("s_transaction_type"),
        col("remaining_life_years").alias("s_life"),
        col("score").alias("s_score"),
        col("scale").alias("s_scale"),
        col("time_index").alias("s_time_index"),
        col("region_index").alias("s_region_index"),
        col("terms").alias("s_terms"),
        col("s_r"),
        col("s_k"),
        col("s_max_n"),
        col("s_window_days"),
        col("s_exclude_d"),
    ])
}

/// The subject columns the selection phase needs.
pub(super) const SUBJECT_NARROW: [&str; 15] = [
    "s_id",
    "s_ip_kind",
    "s_industry",
    "s_ind3",
    "s_ind1",
    "s_transaction_type",
    "s_region",
    "s_days",
    "s_window_days",
    "s_exclude_d",
    "s_k",
    "s_max_n",
    "s_score",
    "s_life",
    "s_scale",
];

/// The deal columns the selection phase needs (`__d` is the deal's row number).
pub(super) const DEAL_NARROW: [&str; 11] = [
    "__d",
    "ip_kind",
    "industry",
    "ind3",
    "ind1",
    "transaction_type",
    "region",
    "days",
    "score",
    "remaining_life_years",
    "scale",
];

/// The deal-side columns the engine keeps (after [`prepare`]), with `__d` = row number in the
/// deal history; only deals with a [`single_fixed_price`] can be comparables.
pub(super) fn deal_side(lf: LazyFrame) -> LazyFrame {
    lf.with_row_index("__d", None)
        .filter(single_fixed_price())
        .select([
            col("__d"),
            col("deal_id"),
            col("date"),
            col("days"),
            col("index_year"),
            col("region"),
            col("industry"),
            col("ind3"),
            col("ind1"),
            col("ip_kind"),
            col("transaction_type"),
            col("price_yuan"),
            col("remaining_life_years"),
            col("score"),
            col("scale"),
            col("time_index"),
            col("region_index"),
            col("terms"),
        ])
}

/// Which columns of the selected pairs a market query keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PairColumns {
    /// Every subject and deal column, the factors and the flags (a valuation that lists its
    /// comparables).
    All,
    /// Only what the per-subject summary reads (`s_id`, `level`, `n_found`, `similarity`,
    /// `adjusted`, the fences, `kept`): the factors are still computed, but the wide subject
    /// and deal columns (ids, dates, text) are not gathered for every pair. For callers that
    /// keep the summary only (a portfolio, the back-test, `techval bench-market`); the summary
    /// is the same.
    Summary,
}

/// The pair columns [`PairColumns::Summary`] keeps.
const SUMMARY_PAIR_COLUMNS: [&str; 8] = [
    "s_id",
    "level",
    "n_found",
    "similarity",
    "adjusted",
    "fence_lo",
    "fence_hi",
    "kept",
];

/// Result of a market query over many subjects.
#[derive(Debug, Clone)]
pub struct MarketRun {
    /// Selected comparables, one row per (subject, deal): subject and deal columns, the factors
    /// `f_tech f_time f_region f_terms f_scale f_life`, `n_clipped`, `similarity`, `adjusted`,
    /// `kept` (survived the IQR fences), `level`, `n_found`, `rank`, sorted by subject then
    /// rank (most similar first); with [`PairColumns::Summary`] only the columns the summary
    /// reads, in the same order.
    pub pairs: DataFrame,
    /// One row per subject (all subjects): `s_id`, `level`, `n_found`, `n_selected`, `n_used`,
    /// `median`, `weighted_mean`, `min`, `q1`, `q3`, `max`, `fence_lo`, `fence_hi` (ln scale).
    /// Statistics are null for a subject without comparables.
    pub summary: DataFrame,
}

/// Subjects per batch: bounds the memory of the pair frames (the work stays vectorised). Since
/// the candidates are found by search ([`DealIndex`]) a subject brings about `max_comparables`
/// pairs, not every deal of its key, so a batch can be large; each batch joins the whole deal
/// frame once more in [`adjust`].
pub const BATCH_SUBJECTS: usize = 131_072;

/// Values many subjects against one deal history in one vectorised pass (per batch of
/// [`BATCH_SUBJECTS`]): the selection runs level by level as joins on the level's key, only the
/// subjects still short of `k` going on to the next level; `keep` says which pair columns the
/// result keeps.
pub fn value_many(
    deals: &DealHistory,
    model: &MarketModel,
    specs: &[SubjectSpec],
    keep: PairColumns,
) -> Result<MarketRun> {
    let prepared = prepare(deals.frame.clone().lazy(), model, deals)?;
    let deal_frame = deal_side(prepared).collect().map_err(pe)?;
    let subjects = subjects_frame(specs)?;
    run_engine(
        &deal_frame,
        subjects.lazy(),
        model,
        deals,
        WindowMode::Before,
        keep,
    )
}

/// Values many subjects given as a deal-shaped frame (the deal-history columns, `date` being
/// the valuation date; `price_yuan` is ignored), with the model's default options — the bulk
/// path of `techval bench-market`.
pub fn value_frame(
    deals: &DealHistory,
    model: &MarketModel,
    subjects: DataFrame,
    keep: PairColumns,
) -> Result<MarketRun> {
    let sel = &model.selection;
    let prepared = prepare(deals.frame.clone().lazy(), model, deals)?;
    let deal_frame = deal_side(prepared).collect().map_err(pe)?;
    let subjects = subjects.lazy().with_row_index("s_id", None).with_columns([
        lit(model.adjustment.discount_rate).alias("s_r"),
        lit(sel.k).cast(DataType::UInt32).alias("s_k"),
        lit(sel.max_comparables)
            .cast(DataType::UInt32)
            .alias("s_max_n"),
        lit(sel.window_years * 365.25).alias("s_window_days"),
        lit(NULL).cast(DataType::UInt32).alias("s_exclude_d"),
    ]);
    run_engine(
        &deal_frame,
        subjects,
        model,
        deals,
        WindowMode::Before,
        keep,
    )
}

/// Prepares the deal frame the engine joins against: [`prepare`]d columns and `__d`, the row
/// number of each deal in `deals.frame`.
pub fn engine_deals(deals: &DealHistory, model: &MarketModel) -> Result<DataFrame> {
    deal_side(prepare(deals.frame.clone().lazy(), model, deals)?)
        .collect()
        .map_err(pe)
}

/// The engine over prepared deal columns ([`engine_deals`]) and a deal-shaped subjects frame
/// (with `s_id`, `s_r`, `s_k`, `s_max_n`, `s_window_days`, and `s_exclude_d`: a deal row number
/// never to use as a comparable, or null). Used by [`value_many`] and the back-test.
pub fn run_engine(
    deal_frame: &DataFrame,
    subjects: LazyFrame,
    model: &MarketModel,
    deals: &DealHistory,
    mode: WindowMode,
    keep: PairColumns,
) -> Result<MarketRun> {
    let subj = as_subject_side(prepare(subjects, model, deals)?)
        .collect()
        .map_err(pe)?;
    let n = subj.height();
    let mut pair_parts = Vec::new();
    let mut summary_parts = Vec::new();
    let starts: Vec<usize> = if n == 0 {
        vec![0]
    } else {
        (0..n).step_by(BATCH_SUBJECTS).collect()
    };
    let narrow = deal_frame.select(DEAL_NARROW).map_err(pe)?;
    let mut kinds: Vec<String> = subj
        .column("s_ip_kind")
        .and_then(|c| c.str().cloned())
        .map_err(pe)?
        .iter()
        .flatten()
        .map(str::to_string)
        .collect();
    kinds.sort_unstable();
    kinds.dedup();
    let index = DealIndex::new(&narrow, model, Some(&kinds))?;
    for start in starts {
        let len = BATCH_SUBJECTS.min(n - start);
        let batch = subj.slice(start as i64, len);
        let (p, s) = run_batch(deal_frame, &narrow, &index, batch, model, mode, keep)?;
        pair_parts.push(p.lazy());
        summary_parts.push(s.lazy());
    }
    let union = UnionArgs::default();
    let pairs = concat(pair_parts, union)
        .and_then(|l| l.collect())
        .map_err(pe)?;
    let summary = concat(summary_parts, union)
        .and_then(|l| {
            l.sort_by_exprs([col("s_id")], SortMultipleOptions::default())
                .collect()
        })
        .map_err(pe)?;
    Ok(MarketRun { pairs, summary })
}

/// The similarity score of a (subject, deal) pair, 0–1 (see the module documentation).
pub(super) fn similarity_expr(model: &MarketModel) -> Expr {
    let ln = |e: Expr| e.log(lit(std::f64::consts::E));
    let both_scale = col("s_scale").is_not_null().and(col("scale").is_not_null());
    let w = &model.similarity;
    let wsum = w.time + w.technology + w.life + w.region + w.industry + w.terms + w.scale;
    let years = (col("days") - col("s_days")).cast(DataType::Float64).abs() / lit(365.25);
    let ind_depth = when(col("industry").eq(col("s_industry")))
        .then(lit(1.0))
        .when(col("ind3").eq(col("s_ind3")))
        .then(lit(2.0 / 3.0))
        .when(col("ind1").eq(col("s_ind1")))
        .then(lit(1.0 / 3.0))
        .otherwise(lit(0.0));
    let same = |a: &str, b: &str| when(col(a).eq(col(b))).then(lit(1.0)).otherwise(lit(0.0));
    // An attribute unknown on either side scores the neutral 0.5 (as an unknown scale).
    let neutral = |e: Expr| e.fill_null(lit(0.5));
    (lit(w.time) * (lit(-1.0) * (years / lit(w.time_scale_years))).exp()
        + lit(w.technology)
            * neutral(
                lit(1.0) - ((col("s_score") - col("score")).abs() / lit(100.0)).clip_max(lit(1.0)),
            )
        + lit(w.life)
            * neutral((lit(-1.0) * ln(col("remaining_life_years") / col("s_life")).abs()).exp())
        + lit(w.region)
            * when(col("region").is_null().or(col("s_region").is_null()))
                .then(lit(0.5))
                .otherwise(same("region", "s_region"))
        + lit(w.industry) * ind_depth
        + lit(w.terms) * same("transaction_type", "s_transaction_type")
        + lit(w.scale)
            * when(both_scale)
                .then((lit(-1.0) * ln(col("scale") / col("s_scale")).abs()).exp())
                .otherwise(lit(0.5)))
        / lit(wsum)
}

/// Selection: level by level, the subjects still short of `k` meet the deals of the level's
/// key within the date window ([`DealIndex::pairs`]: by search, not by a join that would
/// materialise every pair of the key), count, score similarity, keep the `max_comparables`
/// most similar (ties by deal row). Only narrow columns travel through the selection; the wide
/// columns are gathered for the kept pairs afterwards ([`adjust`]).
pub(super) fn run_batch(
    deal_frame: &DataFrame,
    narrow: &DataFrame,
    index: &DealIndex,
    subjects: DataFrame,
    model: &MarketModel,
    mode: WindowMode,
    keep: PairColumns,
) -> Result<(DataFrame, DataFrame)> {
    let mut remaining = subjects.select(SUBJECT_NARROW).map_err(pe)?;
    let mut found = Vec::new();
    let sim = similarity_expr(model);
    for li in 0..LEVELS.len() {
        if remaining.height() == 0 {
            break;
        }
        // The level's pairs with `n_found`, already cut to the subjects with at least `k`
        // (but at the last level) and to a superset of each one's most similar deals.
        let pairs = index.pairs(&remaining, narrow, li, mode)?.lazy();
        let done = pairs
            .with_column(sim.clone().alias("similarity"))
            .select([
                col("s_id"),
                col("__d"),
                col("n_found"),
                col("similarity"),
                col("s_max_n"),
            ])
            .sort_by_exprs(
                [col("s_id"), col("similarity"), col("__d")],
                SortMultipleOptions::default()
                    .with_order_descending_multi([false, true, false])
                    .with_maintain_order(true),
            )
            .with_column(over(col("s_id").cum_count(false), "s_id").alias("rank"))
            .filter(col("rank").lt_eq(col("s_max_n")))
            .select([
                col("s_id"),
                col("__d"),
                col("n_found"),
                col("similarity"),
                col("rank").cast(DataType::UInt32),
                lit(li as u32).cast(DataType::UInt32).alias("level"),
            ])
            .collect()
            .map_err(pe)?;
        if done.height() > 0 {
            let ids = done
                .clone()
                .lazy()
                .select([col("s_id")])
                .unique(None, UniqueKeepStrategy::Any);
            remaining = remaining
                .lazy()
                .join(
                    ids,
                    [col("s_id")],
                    [col("s_id")],
                    JoinArgs::new(JoinType::Anti),
                )
                .collect()
                .map_err(pe)?;
            found.push(done.lazy());
        }
    }
    let selected = if found.is_empty() {
        // No subject found anything: an empty selection of the right shape.
        DataFrame::new_infer_height(vec![
            Column::new("s_id".into(), Vec::<u32>::new()),
            Column::new("__d".into(), Vec::<u32>::new()),
            Column::new("n_found".into(), Vec::<u32>::new()),
            Column::new("similarity".into(), Vec::<f64>::new()),
            Column::new("rank".into(), Vec::<u32>::new()),
            Column::new("level".into(), Vec::<u32>::new()),
        ])
        .map_err(pe)?
        .lazy()
    } else {
        concat(found, UnionArgs::default()).map_err(pe)?
    };
    let adjusted = adjust(selected, &subjects, deal_frame, model);
    let pairs = match keep {
        PairColumns::All => adjusted,
        // The projection is pushed down: the joins gather only the columns it needs.
        PairColumns::Summary => adjusted.select(SUMMARY_PAIR_COLUMNS.map(col)),
    }
    .collect()
    .map_err(pe)?;
    let summary = summarize(&pairs, &subjects)?;
    Ok((pairs, summary))
}
