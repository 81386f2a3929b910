//! `models/market.toml`: selection, adjustment bounds, transaction-terms table, similarity
//! weights and the composite technology score.

use crate::error::{Error, Result};
use crate::vocab::TransactionType;
use polars::prelude::*;
use serde::{Deserialize, Serialize};

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
    /// The largest total adjustment a comparable may take: |P_adj / P − 1| ≤ this (0.5 = ±50 %).
    #[serde(default = "default_max_combined")]
    pub max_combined: f64,
    /// What happens to a comparable beyond `max_combined`: flagged and kept (`flag`, the
    /// default: the appraiser must justify it) or left out of the statistics (`drop`).
    #[serde(default)]
    pub beyond_combined: BeyondCombined,
}

fn default_max_combined() -> f64 {
    0.5
}

/// `adjustment.beyond_combined`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BeyondCombined {
    /// Keep the comparable and flag it.
    #[default]
    Flag,
    /// Leave it out of the statistics.
    Drop,
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
    /// 许可 of unstated exclusivity.
    pub licence: f64,
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
            TransactionType::Licence => self.licence,
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

    pub(crate) fn weight_sum(&self) -> f64 {
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
