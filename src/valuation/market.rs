//! Market approach (市场法): V = median over comparables of P × Π adjustment factors.
//!
//! The deal history arrives validated ([`DealHistory`], built by `data::load`); everything here
//! is a polars lazy query over it — selection, adjustment, trimming and statistics — with no
//! loop over rows and no I/O. Many subjects are valued in one pass ([`value_many`]): the
//! subjects form a frame that is joined to the deals on the selection key of each relaxation
//! level, instead of one filter per subject.
//!
//! **Selection.** Comparables are deals of the subject's IP kind, industry (GB/T 4754 code),
//! transaction type and province, dated within `window_years` before the valuation date (never
//! after it). When fewer than `k` are found, filters are relaxed in this order, stopping at the
//! first level with at least `k`:
//!
//! | level | kind | industry | transaction type | region | date window |
//! |---|---|---|---|---|---|
//! | 0 | same | same code | same | same | window |
//! | 1 | same | same code | same | any | window |
//! | 2 | same | same code | same | any | 2 × window |
//! | 3 | same | same code | same | any | any date up to the valuation date |
//! | 4 | same | same code | any | any | any |
//! | 5 | same | same division (first 3 characters, `C39`) | any | any | any |
//! | 6 | same | same section (letter, `C`) | any | any | any |
//! | 7 | same | any | any | any | any |
//!
//! Of the deals found, the `max_comparables` most similar are kept (ties: the earlier row of
//! the deal history).
//!
//! **Similarity** (weights in `models/market.toml`, normalised to sum 1):
//! `s = w_time·exp(−|Δyears|/τ) + w_tech·(1 − |Δscore|/100) + w_life·exp(−|ln(n_c/n_s)|)
//! + w_region·[same province] + w_industry·{1, ⅔, ⅓, 0 by code depth} + w_terms·[same type]
//! + w_scale·exp(−|ln(S_c/S_s)|)` (0.5 when a scale is unknown).
//!
//! **Adjustment.** `P_adj = P × F_tech × F_time × F_region × F_terms × F_scale × F_life`, each
//! factor clipped to `[factor_min, factor_max]`:
//! * technology `F_tech = score_s / score_c` (score = `tech_score`, or the composite of TRL,
//!   claims, citations and family size of `models/market.toml`, floored at `score_floor`);
//! * time `F_time = I(valuation year) / I(deal year)`, `I` the national average value per
//!   technology contract (`data::stats`);
//! * region `F_region = R(subject province, year) / R(deal province, year)`;
//! * transaction terms `F_terms = T(subject type) / T(deal type)` from `models/market.toml`;
//! * scale `F_scale = (S_s / S_c)^ε` when both scales are known, else 1;
//! * remaining life `F_life = AF(r, n_s) / AF(r, n_c)`, `AF(r, n) = (1 − (1+r)^−n) / r`.
//!
//! **Statistics.** Tukey fences on ln(P_adj) (`Q1 − 1.5·IQR`, `Q3 + 1.5·IQR`, quantiles by
//! linear interpolation) drop outliers; the value is the **median** of the remaining adjusted
//! prices; the similarity-weighted mean, min, quartiles and max are reported beside it. Fewer
//! than `min_comparables` (3) left is an error, or a low-confidence flag when the case sets
//! `market.allow_low_confidence = true`.
//!
//! **Money boundary.** Prices are `f64` 元 inside polars. The median becomes the concluded
//! value only through `Money::from_f64_boundary` (rounded to the fen, half away from zero);
//! no other market figure becomes `Money`.

use crate::audit::{AuditTrail, AuditValue, Unit};
use crate::data::load::over;
use crate::data::schema::{DealHistory, TransactionType};
use crate::error::{Error, MoneyContext, Result};
use crate::models::ModelBook;
use crate::money::Money;
use crate::param::Param;
use crate::subject::Subject;
use crate::valuation::{Approach, Valuation};
use chrono::{Datelike, NaiveDate};
use polars::prelude::*;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

// ---------------------------------------------------------------------------------------------
// models/market.toml
// ---------------------------------------------------------------------------------------------

/// `[selection]` of `models/market.toml`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SelectionModel {
    /// Comparables wanted before a filter is relaxed.
    pub k: u32,
    /// At most this many comparables, the most similar.
    pub max_comparables: u32,
    /// Date window before the valuation date, years.
    pub window_years: f64,
    /// Fewer comparables after trimming: error (or low-confidence flag).
    pub min_comparables: u32,
    /// Tukey fence multiplier on ln(adjusted price).
    pub iqr_multiplier: f64,
}

/// `[adjustment]` of `models/market.toml`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AdjustmentModel {
    /// r of the remaining-life factor.
    pub discount_rate: f64,
    /// ε of the scale factor.
    pub scale_exponent: f64,
    /// Lower clip of each factor.
    pub factor_min: f64,
    /// Upper clip of each factor.
    pub factor_max: f64,
    /// Floor of technology scores.
    pub score_floor: f64,
}

/// `[transaction_terms]`: value of each transaction type relative to an assignment.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TermsTable {
    /// 转让.
    pub assignment: f64,
    /// 独占许可.
    pub exclusive_licence: f64,
    /// 排他许可.
    pub sole_licence: f64,
    /// 普通许可.
    pub non_exclusive_licence: f64,
    /// 作价入股.
    pub equity_contribution: f64,
}

impl TermsTable {
    /// The multiplier of a type.
    pub fn get(&self, t: TransactionType) -> f64 {
        match t {
            TransactionType::Assignment => self.assignment,
            TransactionType::ExclusiveLicence => self.exclusive_licence,
            TransactionType::SoleLicence => self.sole_licence,
            TransactionType::NonExclusiveLicence => self.non_exclusive_licence,
            TransactionType::EquityContribution => self.equity_contribution,
        }
    }
}

/// `[similarity]` weights.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SimilarityWeights {
    /// Date distance.
    pub time: f64,
    /// Technology score distance.
    pub technology: f64,
    /// Remaining-life ratio.
    pub life: f64,
    /// Same province.
    pub region: f64,
    /// Industry code depth.
    pub industry: f64,
    /// Same transaction type.
    pub terms: f64,
    /// Scale ratio.
    pub scale: f64,
    /// τ of the time part, years.
    pub time_scale_years: f64,
}

/// `[technology_score]`: the composite score used when `tech_score` is missing.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TechScoreModel {
    /// Weight of (trl − 1)/8.
    pub trl: f64,
    /// Weight of the claims part.
    pub claims: f64,
    /// Weight of the citations part.
    pub citations: f64,
    /// Weight of the family-size part.
    pub family_size: f64,
    /// Claims at which the part saturates.
    pub claims_cap: f64,
    /// Citations at which the part saturates.
    pub citations_cap: f64,
    /// Family size at which the part saturates.
    pub family_cap: f64,
}

impl TechScoreModel {
    /// Composite score 0–100 (`trl` missing counts as the middle, 0.5).
    pub fn composite(&self, trl: Option<u32>, claims: u32, citations: u32, family: u32) -> f64 {
        let part = |x: u32, cap: f64| ((1.0 + f64::from(x)).ln() / (1.0 + cap).ln()).min(1.0);
        let x_trl = trl.map_or(0.5, |t| (f64::from(t) - 1.0) / 8.0);
        100.0
            * (self.trl * x_trl
                + self.claims * part(claims, self.claims_cap)
                + self.citations * part(citations, self.citations_cap)
                + self.family_size * part(family, self.family_cap))
            / self.weight_sum()
    }

    fn weight_sum(&self) -> f64 {
        self.trl + self.claims + self.citations + self.family_size
    }

    /// The same composite as a polars expression over the deal columns.
    pub fn expr(&self) -> Expr {
        let part = |c: &str, cap: f64| {
            ((lit(1.0) + col(c).cast(DataType::Float64)).log(lit(std::f64::consts::E))
                / lit((1.0 + cap).ln()))
            .clip_max(lit(1.0))
        };
        let x_trl =
            ((col("trl").cast(DataType::Float64) - lit(1.0)) / lit(8.0)).fill_null(lit(0.5));
        lit(100.0)
            * (lit(self.trl) * x_trl
                + lit(self.claims) * part("claims", self.claims_cap)
                + lit(self.citations) * part("citations", self.citations_cap)
                + lit(self.family_size) * part("family_size", self.family_cap))
            / lit(self.weight_sum())
    }
}

/// `models/market.toml`: everything the market approach assumes.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MarketModel {
    /// Citation.
    pub source: String,
    /// Selection settings.
    pub selection: SelectionModel,
    /// Adjustment settings.
    pub adjustment: AdjustmentModel,
    /// Transaction-terms table.
    pub transaction_terms: TermsTable,
    /// Similarity weights.
    pub similarity: SimilarityWeights,
    /// Composite technology score.
    pub technology_score: TechScoreModel,
}

impl MarketModel {
    /// Checks ranges; `file` names the file in errors.
    pub fn validate(&self, file: &str) -> Result<()> {
        let bad = |what: String| {
            Err(Error::InFile {
                file: file.to_string(),
                detail: what,
            })
        };
        let s = &self.selection;
        if s.min_comparables < 1 || s.k < s.min_comparables || s.max_comparables < s.k {
            return bad(format!(
                "selection: min_comparables = {}, k = {}, max_comparables = {}: need 1 ≤ min_comparables ≤ k ≤ max_comparables",
                s.min_comparables, s.k, s.max_comparables
            ));
        }
        if !(s.window_years > 0.0 && s.window_years <= 100.0) {
            return bad(format!(
                "selection.window_years = {}: must be above 0 and at most 100",
                s.window_years
            ));
        }
        if !(s.iqr_multiplier > 0.0 && s.iqr_multiplier.is_finite()) {
            return bad(format!(
                "selection.iqr_multiplier = {}: must be above 0",
                s.iqr_multiplier
            ));
        }
        let a = &self.adjustment;
        if !(a.discount_rate > 0.0 && a.discount_rate <= 1.0) {
            return bad(format!(
                "adjustment.discount_rate = {}: must be above 0 and at most 1",
                a.discount_rate
            ));
        }
        if !(a.factor_min > 0.0
            && a.factor_min <= 1.0
            && a.factor_max >= 1.0
            && a.factor_max.is_finite())
        {
            return bad(format!(
                "adjustment.factor_min = {}, factor_max = {}: need 0 < factor_min ≤ 1 ≤ factor_max",
                a.factor_min, a.factor_max
            ));
        }
        if !((0.0..=3.0).contains(&a.scale_exponent)
            && a.score_floor > 0.0
            && a.score_floor <= 100.0)
        {
            return bad(format!(
                "adjustment.scale_exponent = {} (0–3), score_floor = {} (above 0, at most 100)",
                a.scale_exponent, a.score_floor
            ));
        }
        for t in TransactionType::ALL {
            let v = self.transaction_terms.get(t);
            if !(v > 0.0 && v <= 10.0) {
                return bad(format!(
                    "transaction_terms.{} = {v}: must be above 0 and at most 10",
                    t.as_str()
                ));
            }
        }
        let w = &self.similarity;
        let ws = [
            w.time,
            w.technology,
            w.life,
            w.region,
            w.industry,
            w.terms,
            w.scale,
        ];
        if ws.iter().any(|x| !(*x >= 0.0 && x.is_finite())) || ws.iter().sum::<f64>() <= 0.0 {
            return bad("similarity weights must be 0 or more and not all 0".into());
        }
        if w.time_scale_years.is_nan() || w.time_scale_years <= 0.0 {
            return bad("similarity.time_scale_years must be above 0".into());
        }
        let t = &self.technology_score;
        let tw = [t.trl, t.claims, t.citations, t.family_size];
        if tw.iter().any(|x| !(*x >= 0.0 && x.is_finite())) || tw.iter().sum::<f64>() <= 0.0 {
            return bad("technology_score weights must be 0 or more and not all 0".into());
        }
        if !(t.claims_cap > 0.0 && t.citations_cap > 0.0 && t.family_cap > 0.0) {
            return bad("technology_score caps must be above 0".into());
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// [market] of a case
// ---------------------------------------------------------------------------------------------

/// `[market]` of a case file: the subject's deal terms and indicators, and selection options.
///
/// ```toml
/// [market]
/// transaction_type = "exclusive_licence"
/// remaining_life = 8          # years
/// claims = 12
/// citations = 5
/// family_size = 3
/// trl = 7                     # or tech_score = 72
/// scale = "50000000"          # optional: annual sales of the products, 元
/// k = 5                       # optional, default models/market.toml
/// window_years = 3            # optional
/// allow_low_confidence = false
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarketAssumptions {
    /// The transaction the value is for (the terms factor converts comparables to it).
    pub transaction_type: TransactionType,
    /// Remaining economic life of the subject, years (n_subject).
    pub remaining_life: Param,
    /// Technology score 0–100; without it the composite of the indicators is used.
    #[serde(default)]
    pub tech_score: Option<Param>,
    /// Technology readiness level 1–9.
    #[serde(default)]
    pub trl: Option<u32>,
    /// Number of claims.
    #[serde(default)]
    pub claims: u32,
    /// Forward citations.
    #[serde(default)]
    pub citations: u32,
    /// Patent family size.
    #[serde(default)]
    pub family_size: u32,
    /// Scale of exploitation (same meaning as the deals' `scale` column), 元.
    #[serde(default)]
    pub scale: Option<Param>,
    /// Comparables wanted before relaxing (default `models/market.toml`).
    #[serde(default)]
    pub k: Option<u32>,
    /// Most comparables kept (default `models/market.toml`).
    #[serde(default)]
    pub max_comparables: Option<u32>,
    /// Date window, years (default `models/market.toml`).
    #[serde(default)]
    pub window_years: Option<Param>,
    /// r of the remaining-life factor (default `models/market.toml`).
    #[serde(default)]
    pub discount_rate: Option<Param>,
    /// Value with fewer than `min_comparables` comparables, flagged low-confidence.
    #[serde(default)]
    pub allow_low_confidence: bool,
}

/// Checks `[market]`, naming field paths `market.*`.
pub fn validate(a: &MarketAssumptions, _s: &Subject) -> Result<()> {
    a.remaining_life.check_range(
        "market.remaining_life",
        Some(Decimal::new(1, 2)),
        Some(Decimal::from(100)),
        "must be a number of years above 0 and at most 100",
    )?;
    if let Some(t) = &a.tech_score {
        t.check_range(
            "market.tech_score",
            Some(Decimal::ZERO),
            Some(Decimal::from(100)),
            "must be a score from 0 to 100",
        )?;
    }
    if let Some(t) = a.trl {
        if !(1..=9).contains(&t) {
            return Err(Error::field(
                "market.trl",
                t,
                "must be a technology readiness level from 1 to 9",
            ));
        }
    }
    if a.tech_score.is_none() && a.trl.is_none() {
        return Err(Error::field(
            "market.tech_score",
            "",
            "give market.tech_score (0–100) or market.trl (1–9): the technology factor needs one",
        ));
    }
    for (f, v, max) in [
        ("claims", a.claims, 10_000),
        ("citations", a.citations, 1_000_000),
        ("family_size", a.family_size, 10_000),
    ] {
        if v > max {
            return Err(Error::field(
                format!("market.{f}"),
                v,
                format!("must be a whole number from 0 to {max}"),
            ));
        }
    }
    if let Some(sc) = &a.scale {
        sc.check_range(
            "market.scale",
            Some(Decimal::new(1, 2)),
            Some(Decimal::from(crate::money::MAX_INPUT_YUAN)),
            "must be an amount in 元 above 0 and at most 10^15",
        )?;
    }
    if let Some(k) = a.k {
        if !(1..=10_000).contains(&k) {
            return Err(Error::field("market.k", k, "must be from 1 to 10000"));
        }
    }
    if let Some(m) = a.max_comparables {
        if !(1..=100_000).contains(&m) || a.k.is_some_and(|k| m < k) {
            return Err(Error::field(
                "market.max_comparables",
                m,
                "must be from 1 to 100000 and at least market.k",
            ));
        }
    }
    if let Some(w) = &a.window_years {
        w.check_range(
            "market.window_years",
            Some(Decimal::new(1, 2)),
            Some(Decimal::from(100)),
            "must be a number of years above 0 and at most 100",
        )?;
    }
    if let Some(r) = &a.discount_rate {
        r.check_range(
            "market.discount_rate",
            Some(Decimal::new(1, 4)),
            Some(Decimal::ONE),
            "must be a rate above 0 and at most 1",
        )?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The engine: prepared frames, selection levels, adjustment, statistics
// ---------------------------------------------------------------------------------------------

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
    /// Join keys (subject column, deal column).
    keys: &'static [(&'static str, &'static str)],
    /// Window multiple (None: any date).
    window: Option<f64>,
}

const K_KIND: (&str, &str) = ("s_ip_kind", "ip_kind");
const K_IND: (&str, &str) = ("s_industry", "industry");
const K_IND3: (&str, &str) = ("s_ind3", "ind3");
const K_IND1: (&str, &str) = ("s_ind1", "ind1");
const K_TYPE: (&str, &str) = ("s_transaction_type", "transaction_type");
const K_REGION: (&str, &str) = ("s_region", "region");

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
fn pe(e: PolarsError) -> Error {
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
fn subjects_frame(specs: &[SubjectSpec]) -> Result<DataFrame> {
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
fn as_subject_side(lf: LazyFrame) -> LazyFrame {
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
const SUBJECT_NARROW: [&str; 15] = [
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
const DEAL_NARROW: [&str; 11] = [
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

/// The deal-side columns the engine keeps (after [`prepare`]), with `__d` = row number.
fn deal_side(lf: LazyFrame) -> LazyFrame {
    lf.select([
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
    .with_row_index("__d", None)
}

/// Result of a market query over many subjects.
#[derive(Debug, Clone)]
pub struct MarketRun {
    /// Selected comparables, one row per (subject, deal): subject and deal columns, the factors
    /// `f_tech f_time f_region f_terms f_scale f_life`, `n_clipped`, `similarity`, `adjusted`,
    /// `kept` (survived the IQR fences), `level`, `n_found`, `rank`, sorted by subject then
    /// rank (most similar first).
    pub pairs: DataFrame,
    /// One row per subject (all subjects): `s_id`, `level`, `n_found`, `n_selected`, `n_used`,
    /// `median`, `weighted_mean`, `min`, `q1`, `q3`, `max`, `fence_lo`, `fence_hi` (ln scale).
    /// Statistics are null for a subject without comparables.
    pub summary: DataFrame,
}

/// Subjects per batch: bounds the memory of the pair frames (the work stays vectorised).
pub const BATCH_SUBJECTS: usize = 16_384;

/// Values many subjects against one deal history in one vectorised pass (per batch of
/// [`BATCH_SUBJECTS`]): the selection runs level by level as joins on the level's key, only the
/// subjects still short of `k` going on to the next level.
pub fn value_many(
    deals: &DealHistory,
    model: &MarketModel,
    specs: &[SubjectSpec],
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
    )
}

/// Values many subjects given as a deal-shaped frame (the deal-history columns, `date` being
/// the valuation date; `price_yuan` is ignored), with the model's default options — the bulk
/// path of `techval bench-market`.
pub fn value_frame(
    deals: &DealHistory,
    model: &MarketModel,
    subjects: DataFrame,
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
    run_engine(&deal_frame, subjects, model, deals, WindowMode::Before)
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
    for start in starts {
        let len = BATCH_SUBJECTS.min(n - start);
        let batch = subj.slice(start as i64, len);
        let (p, s) = run_batch(deal_frame, &narrow, batch, model, mode)?;
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
fn similarity_expr(model: &MarketModel) -> Expr {
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
    (lit(w.time) * (lit(-1.0) * (years / lit(w.time_scale_years))).exp()
        + lit(w.technology)
            * (lit(1.0) - ((col("s_score") - col("score")).abs() / lit(100.0)).clip_max(lit(1.0)))
        + lit(w.life) * (lit(-1.0) * ln(col("remaining_life_years") / col("s_life")).abs()).exp()
        + lit(w.region) * same("region", "s_region")
        + lit(w.industry) * ind_depth
        + lit(w.terms) * same("transaction_type", "s_transaction_type")
        + lit(w.scale)
            * when(both_scale)
                .then((lit(-1.0) * ln(col("scale") / col("s_scale")).abs()).exp())
                .otherwise(lit(0.5)))
        / lit(wsum)
}

/// Selection: level by level, join the subjects still short of `k` to the deals on the level's
/// key, apply the date window, count, score similarity, keep the `max_comparables` most similar
/// (ties by deal row). Only narrow columns travel through the joins; the wide columns are
/// gathered for the kept pairs afterwards ([`adjust`]).
fn run_batch(
    deal_frame: &DataFrame,
    narrow: &DataFrame,
    subjects: DataFrame,
    model: &MarketModel,
    mode: WindowMode,
) -> Result<(DataFrame, DataFrame)> {
    let mut remaining = subjects.select(SUBJECT_NARROW).map_err(pe)?;
    let mut found = Vec::new();
    let sim = similarity_expr(model);
    for (li, level) in LEVELS.iter().enumerate() {
        if remaining.height() == 0 {
            break;
        }
        let left: Vec<Expr> = level.keys.iter().map(|k| col(k.0)).collect();
        let right: Vec<Expr> = level.keys.iter().map(|k| col(k.1)).collect();
        let delta = col("days").cast(DataType::Float64) - col("s_days").cast(DataType::Float64);
        let mut keep = col("s_exclude_d")
            .is_null()
            .or(col("__d").neq(col("s_exclude_d")));
        if mode == WindowMode::Before {
            keep = keep.and(delta.clone().lt_eq(lit(0.0)));
        }
        if let Some(mult) = level.window {
            keep = keep.and(delta.abs().lt_eq(col("s_window_days") * lit(mult)));
        }
        let last = li + 1 == LEVELS.len();
        let mut pairs = remaining
            .clone()
            .lazy()
            .join(
                narrow.clone().lazy(),
                left,
                right,
                JoinArgs::new(JoinType::Inner).with_coalesce(JoinCoalesce::KeepColumns),
            )
            .filter(keep)
            .with_column(over(len(), "s_id").cast(DataType::UInt32).alias("n_found"));
        if !last {
            pairs = pairs.filter(col("n_found").gt_eq(col("s_k")));
        }
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
    let pairs = adjust(selected, &subjects, deal_frame, model)
        .collect()
        .map_err(pe)?;
    let summary = summarize(&pairs, &subjects)?;
    Ok((pairs, summary))
}

/// Gathers the wide subject and deal columns of the selected pairs, then factors, adjusted
/// price and IQR fences.
fn adjust(
    selected: LazyFrame,
    subjects: &DataFrame,
    deal_frame: &DataFrame,
    model: &MarketModel,
) -> LazyFrame {
    let a = &model.adjustment;
    let (lo, hi) = (lit(a.factor_min), lit(a.factor_max));
    let clip = |e: Expr| e.clip(lo.clone(), hi.clone());
    let af = |n: Expr| (lit(1.0) - (lit(1.0) + col("s_r")).pow(lit(-1.0) * n)) / col("s_r");
    let ln = |e: Expr| e.log(lit(std::f64::consts::E));
    let both_scale = col("s_scale").is_not_null().and(col("scale").is_not_null());
    let raw = [
        ("f_tech", col("s_score") / col("score")),
        ("f_time", col("s_time_index") / col("time_index")),
        ("f_region", col("s_region_index") / col("region_index")),
        ("f_terms", col("s_terms") / col("terms")),
        (
            "f_scale",
            when(both_scale.clone())
                .then((col("s_scale") / col("scale")).pow(lit(a.scale_exponent)))
                .otherwise(lit(1.0)),
        ),
        (
            "f_life",
            af(col("s_life")) / af(col("remaining_life_years")),
        ),
    ];
    let mut n_clipped = lit(0u32);
    let mut factors = Vec::new();
    let mut product = col("price_yuan");
    for (name, e) in raw.iter() {
        factors.push(clip(e.clone()).alias(*name));
        n_clipped = n_clipped
            + when(e.clone().lt(lo.clone()).or(e.clone().gt(hi.clone())))
                .then(lit(1u32))
                .otherwise(lit(0u32));
        product = product * col(*name);
    }
    let k_iqr = model.selection.iqr_multiplier;
    let q = |p: f64| {
        over(
            col("ln_adj").quantile(lit(p), QuantileMethod::Linear),
            "s_id",
        )
    };
    let mut lj = JoinArgs::new(JoinType::Left);
    lj.maintain_order = MaintainOrderJoin::Left;
    selected
        .join(
            subjects.clone().lazy(),
            [col("s_id")],
            [col("s_id")],
            lj.clone(),
        )
        .join(deal_frame.clone().lazy(), [col("__d")], [col("__d")], lj)
        .with_columns(factors)
        .with_columns([
            n_clipped.cast(DataType::UInt32).alias("n_clipped"),
            product.alias("adjusted"),
        ])
        .sort_by_exprs(
            [col("s_id"), col("rank")],
            SortMultipleOptions::default().with_maintain_order(true),
        )
        .with_column(ln(col("adjusted")).alias("ln_adj"))
        .with_columns([q(0.25).alias("ln_q1"), q(0.75).alias("ln_q3")])
        .with_columns([
            (col("ln_q1") - lit(k_iqr) * (col("ln_q3") - col("ln_q1"))).alias("fence_lo"),
            (col("ln_q3") + lit(k_iqr) * (col("ln_q3") - col("ln_q1"))).alias("fence_hi"),
        ])
        .with_column(
            col("ln_adj")
                .gt_eq(col("fence_lo"))
                .and(col("ln_adj").lt_eq(col("fence_hi")))
                .alias("kept"),
        )
}

/// Per-subject statistics over the kept comparables; every subject gets a row.
fn summarize(pairs: &DataFrame, subjects: &DataFrame) -> Result<DataFrame> {
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

// ---------------------------------------------------------------------------------------------
// One subject: the valuation with its comparables table in the audit trail
// ---------------------------------------------------------------------------------------------

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

fn col_f64(df: &DataFrame, name: &str) -> Result<Vec<Option<f64>>> {
    Ok(df
        .column(name)
        .and_then(|c| c.cast(&DataType::Float64))
        .map_err(pe)?
        .f64()
        .map_err(pe)?
        .iter()
        .collect())
}

fn col_str(df: &DataFrame, name: &str) -> Result<Vec<String>> {
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

fn col_u32(df: &DataFrame, name: &str) -> Result<Vec<u32>> {
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

fn col_bool(df: &DataFrame, name: &str) -> Result<Vec<bool>> {
    Ok(df
        .column(name)
        .map_err(pe)?
        .bool()
        .map_err(pe)?
        .iter()
        .map(|v| v.unwrap_or(false))
        .collect())
}

fn first_f64(df: &DataFrame, name: &str) -> Result<Option<f64>> {
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
            adjusted_yuan: g(&adj, i),
            similarity: g(&sim, i),
            kept: kept[i],
        })
        .collect())
}

fn summary_of(run: &MarketRun, sid: u32, min_n: u32) -> Result<MarketSummary> {
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

fn yuan_f64(name: &str, x: f64) -> AuditValue {
    AuditValue {
        name: name.to_string(),
        value: format!("{x}"),
        unit: Unit::Yuan,
    }
}

fn annuity(r: f64, n: f64) -> f64 {
    (1.0 - (1.0 + r).powf(-n)) / r
}

/// Values the subject by the market approach against `deals`.
pub fn value(
    a: &MarketAssumptions,
    s: &Subject,
    models: &ModelBook,
    deals: &DealHistory,
) -> Result<Valuation> {
    Ok(evaluate(a, s, models, deals)?.valuation)
}

/// Values the subject and returns the comparables and statistics beside the valuation.
pub fn evaluate(
    a: &MarketAssumptions,
    s: &Subject,
    models: &ModelBook,
    deals: &DealHistory,
) -> Result<MarketOutcome> {
    let model = &models.market;
    let spec = SubjectSpec::from_case(a, s, model);
    let run = value_many(deals, model, std::slice::from_ref(&spec))?;
    let min_n = model.selection.min_comparables;
    let summary = summary_of(&run, 0, min_n)?;
    let comps = comparables_of(&run, 0)?;
    let src_models = format!("models/market.toml ({})", models.origin);
    let src_data = format!("{} — {}", deals.source, deals.provenance);

    // The subject side, as the engine computed it (same expressions as for deals).
    let side = {
        let ix = &deals.indices;
        let vy = s.valuation_date.year();
        let (ti, ty) = ix.time_index(vy);
        let ri = ix.region_index(&spec.region, vy).map_or(f64::NAN, |r| r.0);
        let composite = spec.tech_score.is_none();
        let score = spec
            .tech_score
            .unwrap_or_else(|| {
                model.technology_score.composite(
                    spec.trl,
                    spec.claims,
                    spec.citations,
                    spec.family_size,
                )
            })
            .max(model.adjustment.score_floor);
        SubjectSide {
            score,
            score_is_composite: composite,
            time_index: ti,
            time_index_year: ty,
            region_index: ri,
            terms: model.transaction_terms.get(spec.transaction_type),
            annuity_factor: annuity(spec.discount_rate, spec.remaining_life),
            discount_rate: spec.discount_rate,
        }
    };

    let mut warnings = Vec::new();
    if deals.synthetic {
        warnings.push(format!(
            "the deal history is SYNTHETIC ({}): a demonstration, not market evidence — pass --deals with real transactions",
            deals.provenance
        ));
    }
    let (_, last) = deals.indices.year_range();
    if s.valuation_date.year() > last {
        warnings.push(format!(
            "valuation year {} is after the last market statistics year {last}: the time and region indices are held at {last}",
            s.valuation_date.year()
        ));
    }
    let mut tr = AuditTrail::new();
    tr.record_sourced(
        "selection",
        "same kind, industry, type, province, date in [V − window, V]; relax in order until ≥ k; keep the most similar",
        vec![
            AuditValue::text("ip_kind", spec.ip_kind.clone()),
            AuditValue::text("industry", spec.industry.clone()),
            AuditValue::text("transaction_type", spec.transaction_type.as_str()),
            AuditValue::text("province", spec.region.clone()),
            AuditValue::text("valuation_date", s.valuation_date.to_string()),
            AuditValue::number_f64("window_years", spec.window_years),
            AuditValue::number("k", Decimal::from(spec.k)),
            AuditValue::number("level", Decimal::from(summary.level)),
            AuditValue::text("level_meaning", summary.level_name.clone()),
            AuditValue::number("found", Decimal::from(summary.n_found)),
            AuditValue::number("max_comparables", Decimal::from(spec.max_comparables)),
        ],
        AuditValue::number("selected", Decimal::from(summary.n_selected)),
        src_data.clone(),
    );
    if summary.n_selected == 0 {
        return Err(Error::Unsupported(format!(
            "market approach: no comparable deal of kind {} in {} even after relaxing every filter: the market approach cannot value this subject with this deal history",
            spec.ip_kind, deals.source
        )));
    }
    if summary.level > 0 {
        warnings.push(format!(
            "fewer than k = {} comparables with all filters: relaxed to level {} ({})",
            spec.k, summary.level, summary.level_name
        ));
    }
    tr.record_sourced(
        "subject_side",
        "subject's side of the factors; AF(r, n_s) = (1 − (1+r)^−n_s) / r",
        vec![
            AuditValue::number_f64("score_s", side.score),
            AuditValue::text(
                "score_source",
                if side.score_is_composite {
                    "composite of trl, claims, citations, family_size (models/market.toml)"
                } else {
                    "market.tech_score"
                },
            ),
            AuditValue::number_f64("I_s (万元/contract)", side.time_index),
            AuditValue::text("I_s year", side.time_index_year.to_string()),
            AuditValue::number_f64("R_s", side.region_index),
            AuditValue::number_f64("T_s", side.terms),
            AuditValue::number_f64("r", side.discount_rate),
            AuditValue::number_f64("n_s (years)", spec.remaining_life),
        ],
        AuditValue::number_f64("AF(r, n_s)", side.annuity_factor),
        format!("{src_models}; indices: {}", deals.indices.source),
    );
    for (i, c) in comps.iter().enumerate() {
        tr.record_sourced(
            format!("comparable[{i}]"),
            "P_adj = P × F_tech × F_time × F_region × F_terms × F_scale × F_life",
            vec![
                AuditValue::text("deal_id", c.deal_id.clone()),
                AuditValue::text("date", c.date.clone()),
                AuditValue::text("region", c.region.clone()),
                AuditValue::text("industry", c.industry.clone()),
                AuditValue::text("transaction_type", c.transaction_type.clone()),
                yuan_f64("P", c.price_yuan),
                AuditValue::number_f64("F_tech", c.f_tech),
                AuditValue::number_f64("F_time", c.f_time),
                AuditValue::number_f64("F_region", c.f_region),
                AuditValue::number_f64("F_terms", c.f_terms),
                AuditValue::number_f64("F_scale", c.f_scale),
                AuditValue::number_f64("F_life", c.f_life),
                AuditValue::number("factors_clipped", Decimal::from(c.n_clipped)),
                AuditValue::number_f64("similarity", c.similarity),
                AuditValue::text(
                    "kept",
                    if c.kept {
                        "yes"
                    } else {
                        "no: outside the IQR fences"
                    },
                ),
            ],
            yuan_f64("P_adj", c.adjusted_yuan),
            src_data.clone(),
        );
    }
    tr.record(
        "iqr_trim",
        format!(
            "keep ln(P_adj) in [Q1 − {k}·IQR, Q3 + {k}·IQR]",
            k = model.selection.iqr_multiplier
        ),
        vec![
            AuditValue::number("selected", Decimal::from(summary.n_selected)),
            yuan_f64("lower_fence", summary.fence_low.unwrap_or(f64::NAN)),
            yuan_f64("upper_fence", summary.fence_high.unwrap_or(f64::NAN)),
        ],
        AuditValue::number("used", Decimal::from(summary.n_used)),
    );
    let low = summary.n_used < min_n;
    if low {
        if !a.allow_low_confidence || summary.n_used == 0 {
            return Err(Error::Unsupported(format!(
                "market approach: only {} comparable{} left after relaxing every filter and trimming (at least {min_n} are needed); add deals with --deals, or set market.allow_low_confidence = true to value with a low-confidence flag",
                summary.n_used,
                if summary.n_used == 1 { "" } else { "s" }
            )));
        }
        warnings.push(format!(
            "LOW CONFIDENCE: the market value rests on {} comparable{} (fewer than {min_n})",
            summary.n_used,
            if summary.n_used == 1 { "" } else { "s" }
        ));
    }
    let median = summary.median.unwrap_or(f64::NAN);
    let wmean = summary.weighted_mean.unwrap_or(f64::NAN);
    tr.record(
        "weighted_mean",
        "Σ similarity·P_adj / Σ similarity (reported, not concluded)",
        vec![AuditValue::number("used", Decimal::from(summary.n_used))],
        yuan_f64("weighted_mean", wmean),
    );
    let (q1, q3) = (
        summary.q1.unwrap_or(f64::NAN),
        summary.q3.unwrap_or(f64::NAN),
    );
    tr.record(
        "spread",
        "relative IQR = (Q3 − Q1) / median of P_adj used",
        vec![
            yuan_f64("min", summary.min.unwrap_or(f64::NAN)),
            yuan_f64("Q1", q1),
            yuan_f64("Q3", q3),
            yuan_f64("max", summary.max.unwrap_or(f64::NAN)),
        ],
        AuditValue::number_f64("relative_IQR", (q3 - q1) / median),
    );
    tr.record(
        "median",
        "V = median of P_adj used",
        vec![AuditValue::number("used", Decimal::from(summary.n_used))],
        yuan_f64("median", median),
    );
    let v = Money::from_f64_boundary(median).ctx("market value (median of adjusted prices)")?;
    tr.record_sourced(
        "value",
        "Money::from_f64_boundary(median): rounded to the fen, half away from zero",
        vec![yuan_f64("median", median)],
        AuditValue::money("V", v),
        "the one f64 → money boundary (money.rs)",
    );
    let summary = MarketSummary {
        low_confidence: low,
        ..summary
    };
    Ok(MarketOutcome {
        valuation: Valuation {
            approach: Approach::Market,
            method: "comparables_median".into(),
            value: v,
            periods: Vec::new(),
            audit: tr,
            warnings,
        },
        comparables: comps,
        summary,
        subject: side,
    })
}

/// The decimal of an `f64` statistic for display (never for money arithmetic).
pub fn f64_text(x: f64, dp: u32) -> String {
    match rust_decimal::Decimal::from_f64_retain(x) {
        Some(d) => crate::money::round_half_away(d, dp).normalize().to_string(),
        None => format!("{x}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn composite_score_matches_its_polars_expression() {
        let m = ModelBook::builtin().unwrap().market;
        let t = &m.technology_score;
        let df = df!(
            "trl" => [Some(7i64), None, Some(1)],
            "claims" => [12i64, 0, 40],
            "citations" => [5i64, 0, 100],
            "family_size" => [3i64, 1, 0],
        )
        .unwrap();
        let got = df.lazy().select([t.expr().alias("s")]).collect().unwrap();
        let got: Vec<f64> = got
            .column("s")
            .unwrap()
            .f64()
            .unwrap()
            .into_no_null_iter()
            .collect();
        let want = [
            t.composite(Some(7), 12, 5, 3),
            t.composite(None, 0, 0, 1),
            t.composite(Some(1), 40, 100, 0),
        ];
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() < 1e-9, "{g} vs {w}");
        }
        // Saturated indicators and TRL 9 give 100.
        assert!((t.composite(Some(9), 1000, 1000, 1000) - 100.0).abs() < 1e-9);
    }

    #[test]
    fn annuity_factor_textbook_value() {
        // AF(10 %, 10) = 6.144567… (annuity tables).
        assert!((annuity(0.10, 10.0) - 6.144_567_105_704_685).abs() < 1e-12);
    }
}
