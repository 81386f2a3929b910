//! Illustrative portfolio tables (seeded): the shipped sample (`datasets/portfolios/`), the
//! tests' 100,000-row table and the benchmarks' million-row partitions.
//!
//! Every row is made up — names, owners, revenues, costs — and is labelled so in its name
//! (`组合样例`); the rows are meant to exercise the portfolio path (every approach, every IP kind
//! the sample template values, several industries and provinces), not to describe a market.
//! Each row `i` is drawn from its own generator seeded with `(seed, i)`, so a row is the same
//! whatever the number of rows generated.
//!
//! Columns: `subject.{id,name,kind,industry,region,filing_date,valuation_date}`,
//! `income.{revenue,economic_life}`, `income.split.rate`, `cost.{used_years,remaining_years}`,
//! `cost.items[0..2].{name,amount,year,category}`, and for invention patents
//! `market.{transaction_type,remaining_life,trl,scale}` (scale: the year-1 sales) (empty for the other kinds: they have
//! no market section), and the 17 GB/T 42748 ratings `scoring.ratings.<indicator>` (1–5, about
//! one cell in twenty left empty: unknown) with `scoring.facts.legal_status` (about one row in
//! fifty lapsed: vetoed, grade D). The ratings follow the row's split rate (a stronger patent
//! earns a higher royalty) plus noise, from a second generator so that the other cells are
//! those of a table without ratings. The rest comes from `datasets/portfolios/template.toml`.

use crate::error::{Error, Result};
use polars::prelude::*;
use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64Mcg;

/// The column names, in order.
pub const COLUMNS: [&str; 42] = [
    "subject.id",
    "subject.name",
    "subject.kind",
    "subject.industry",
    "subject.region",
    "subject.filing_date",
    "subject.valuation_date",
    "income.revenue",
    "income.economic_life",
    "income.split.rate",
    "cost.used_years",
    "cost.remaining_years",
    "cost.items[0].name",
    "cost.items[0].amount",
    "cost.items[0].year",
    "cost.items[0].category",
    "cost.items[1].name",
    "cost.items[1].amount",
    "cost.items[1].year",
    "cost.items[1].category",
    "market.transaction_type",
    "market.remaining_life",
    "market.trl",
    "market.scale",
    "scoring.ratings.legal.stability",
    "scoring.ratings.legal.scope",
    "scoring.ratings.legal.infringement_detectability",
    "scoring.ratings.legal.remaining_term",
    "scoring.ratings.legal.multinational",
    "scoring.ratings.legal.ownership",
    "scoring.ratings.legal.license_status",
    "scoring.ratings.technical.advancement",
    "scoring.ratings.technical.maturity",
    "scoring.ratings.technical.substitutability",
    "scoring.ratings.technical.applicability",
    "scoring.ratings.technical.complementary_dependence",
    "scoring.ratings.economic.market_size",
    "scoring.ratings.economic.market_share",
    "scoring.ratings.economic.competition",
    "scoring.ratings.economic.policy_fit",
    "scoring.ratings.economic.profitability",
    "scoring.facts.legal_status",
];

/// The GB/T 42748 indicators the sample rates (the `scoring.ratings.*` columns, in order).
const RATED: usize = 17;

const INDUSTRIES: [&str; 8] = ["C26", "C27", "C34", "C35", "C38", "C39", "I65", "M73"];
const REGIONS: [&str; 10] = [
    "山东", "浙江", "广东", "江苏", "北京", "上海", "四川", "湖北", "安徽", "陕西",
];
const TERMS: [&str; 3] = ["assignment", "exclusive_licence", "non_exclusive_licence"];

/// One row's cells (in [`COLUMNS`] order), drawn from the row's own generator.
pub fn row(seed: u64, i: u64) -> Vec<String> {
    let mut rng = Pcg64Mcg::seed_from_u64(seed ^ i.wrapping_mul(0x9e37_79b9_7f4a_7c15));
    let invention = rng.random::<f64>() < 0.6;
    let kind = if invention {
        "invention_patent"
    } else {
        "utility_model"
    };
    let industry = INDUSTRIES[rng.random_range(0..INDUSTRIES.len())];
    let region = REGIONS[rng.random_range(0..REGIONS.len())];
    // Filing: inventions 2012–2021, utility models 2018–2023 (their 10-year term must run past
    // the valuation date).
    let (y0, y1) = if invention {
        (2012, 2021)
    } else {
        (2017, 2023)
    };
    let fy = rng.random_range(y0..=y1);
    let filing = format!(
        "{fy}-{:02}-{:02}",
        rng.random_range(1..=12),
        rng.random_range(1..=28)
    );
    // Year-1 sales log-uniform in 1–50 million 元, growing 5–25 % a year for five years.
    let r1 = (1e6_f64.ln() + rng.random::<f64>() * (50.0_f64).ln()).exp();
    let g = 0.05 + rng.random::<f64>() * 0.20;
    let revenue: Vec<String> = (0..5)
        .map(|t| format!("{:.0}", r1 * (1.0 + g).powi(t)))
        .collect();
    let life = if invention {
        rng.random_range(6..=10)
    } else {
        rng.random_range(4..=6)
    };
    let rate = 0.03 + rng.random::<f64>() * 0.07;
    let used = 2024.5 - f64::from(fy);
    // Development costs in proportion to the sales: labour 8–25 %, materials 2–6 % of year-1 sales.
    let a0 = r1 * (0.08 + rng.random::<f64>() * 0.17);
    let a1 = r1 * (0.02 + rng.random::<f64>() * 0.04);
    let iy = fy.max(2016) - 1;
    let (tt, rl, trl, scale) = if invention {
        (
            TERMS[rng.random_range(0..TERMS.len())].to_string(),
            life.to_string(),
            rng.random_range(4..=9).to_string(),
            format!("{r1:.0}"),
        )
    } else {
        (String::new(), String::new(), String::new(), String::new())
    };
    // Ratings: quality q ∈ [0, 1] from the split rate, each rating round(2.5 + 2.5q ± 1), 1–5.
    let mut rr = Pcg64Mcg::seed_from_u64(seed ^ i.wrapping_mul(0xd1b5_4a32_d192_ed03) ^ 0x5c0e);
    let q = (rate - 0.03) / 0.07;
    let mut ratings: Vec<String> = (0..RATED)
        .map(|_| {
            if rr.random::<f64>() < 0.05 {
                return String::new();
            }
            let x = 2.5 + 2.5 * q + (rr.random::<f64>() - 0.5) * 2.0;
            (x.round().clamp(1.0, 5.0) as i64).to_string()
        })
        .collect();
    ratings.push(
        if rr.random::<f64>() < 0.02 {
            "lapsed"
        } else {
            "valid"
        }
        .into(),
    );
    let mut cells = vec![
        format!("PF-{i:07}"),
        format!("组合样例{}号（虚构）", i + 1),
        kind.into(),
        industry.into(),
        region.into(),
        filing,
        "2024-12-31".into(),
        revenue.join(";"),
        life.to_string(),
        format!("{rate:.4}"),
        format!("{used:.1}"),
        format!("{}", life),
        "研发人工".into(),
        format!("{a0:.2}"),
        iy.to_string(),
        "labour".into(),
        "材料与测试".into(),
        format!("{a1:.2}"),
        (iy + 1).min(2023).to_string(),
        "material".into(),
        tt,
        rl,
        trl,
        scale,
    ];
    cells.append(&mut ratings);
    cells
}

/// `rows` rows from `first` (row ids `PF-<first>` …) as a frame of text columns.
pub fn frame(seed: u64, first: u64, rows: u64) -> Result<DataFrame> {
    let mut cols: Vec<Vec<Option<String>>> = vec![Vec::with_capacity(rows as usize); COLUMNS.len()];
    for i in first..first + rows {
        for (j, c) in row(seed, i).into_iter().enumerate() {
            cols[j].push((!c.is_empty()).then_some(c));
        }
    }
    DataFrame::new_infer_height(
        COLUMNS
            .iter()
            .zip(cols)
            .map(|(n, v)| Column::new((*n).into(), v))
            .collect(),
    )
    .map_err(|e| Error::Internal(format!("portfolio generator: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_does_not_depend_on_how_many_are_generated() {
        let a = frame(7, 0, 50).unwrap();
        let b = frame(7, 40, 10).unwrap();
        assert!(a.slice(40, 10).equals_missing(&b));
        assert_eq!(row(7, 3).len(), COLUMNS.len());
        assert_ne!(row(7, 3), row(8, 3));
    }
}
