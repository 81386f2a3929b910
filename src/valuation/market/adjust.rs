//! Adjustment of the selected comparables: P_adj = P × F_tech × F_time × F_region × F_terms ×
//! F_scale × F_life, each factor clipped (a factor whose attribute is unknown on either side is
//! 1, flagged in `u_<factor>`); the combined adjustment P_adj / P against its limit
//! (`adjustment.max_combined`); the Tukey fences on ln P_adj.

use super::*;
use crate::data::load::over;
use polars::prelude::*;

/// Gathers the wide subject and deal columns of the selected pairs, then factors, adjusted
/// price and IQR fences.
pub(super) fn adjust(
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
    let mut unknown = Vec::new();
    let mut product = col("price_yuan");
    for (name, e) in raw.iter() {
        // An attribute missing on either side (a real deal that does not state its region or
        // remaining life): no adjustment for it, and the pair says so.
        factors.push(clip(e.clone()).fill_null(lit(1.0)).alias(*name));
        unknown.push(e.clone().is_null().alias(format!("u_{}", &name[2..])));
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
        .with_columns(unknown)
        .with_columns([
            n_clipped.cast(DataType::UInt32).alias("n_clipped"),
            product.alias("adjusted"),
        ])
        .with_column((col("adjusted") / col("price_yuan")).alias("combined"))
        .with_column(
            ((col("combined") - lit(1.0)).abs().gt(lit(a.max_combined))).alias("beyond_limit"),
        )
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
        .with_column({
            let fenced = col("ln_adj")
                .gt_eq(col("fence_lo"))
                .and(col("ln_adj").lt_eq(col("fence_hi")));
            match a.beyond_combined {
                BeyondCombined::Flag => fenced.alias("kept"),
                BeyondCombined::Drop => fenced.and(col("beyond_limit").not()).alias("kept"),
            }
        })
}
