//! Market approach (市场法): V = median over comparables of P × Π adjustment factors.
//!
//! The deal history arrives validated ([`crate::data::DealHistory`], built by `data::load`); everything here
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

mod adjust;
mod evaluate;
mod schema;
mod select;
mod summarize;
#[cfg(test)]
mod tests;
mod window;

pub use crate::models::market::*;
use adjust::*;
pub use evaluate::*;
pub use schema::*;
pub use select::*;
pub use summarize::*;
use window::DealIndex;

/// The decimal of an `f64` statistic for display (never for money arithmetic).
pub fn f64_text(x: f64, dp: u32) -> String {
    match rust_decimal::Decimal::from_f64_retain(x) {
        Some(d) => crate::money::round_half_away(d, dp).normalize().to_string(),
        None => format!("{x}"),
    }
}
