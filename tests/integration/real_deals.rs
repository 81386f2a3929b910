//! The public deal set `datasets/deals_public.csv`: every row sourced and plausible, loaded
//! whole by the schema, and the back-test of the three predictors on it.

use polars::prelude::*;
use std::path::Path;
use techval::data::load_deals;
use techval::ModelBook;

const FILE: &str = "datasets/deals_public.csv";

/// Plausible band for one technology deal: 1,000 元 (a small utility-model assignment) to
/// 100 亿元 (above the largest announced Chinese technology deal of the set).
const MIN_YUAN: f64 = 1e3;
const MAX_YUAN: f64 = 1e10;

fn text(df: &DataFrame, c: &str) -> Vec<String> {
    df.column(c)
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|v| v.unwrap_or("").to_string())
        .collect()
}

#[test]
fn every_public_deal_has_its_source_and_a_plausible_price() {
    let h = load_deals(Path::new(FILE)).unwrap();
    assert!(
        h.rejects.is_empty(),
        "{:?}",
        &h.rejects[..h.rejects.len().min(5)]
    );
    assert!(h.len() >= 200, "{} rows", h.len());
    assert!(!h.synthetic);
    let df = &h.frame;
    let ids = text(df, "deal_id");
    for (c, min_len) in [("source_title", 4), ("source_url", 10), ("quote", 6)] {
        for (i, v) in text(df, c).iter().enumerate() {
            assert!(
                v.trim().chars().count() >= min_len,
                "{}: {c} is missing or too short: {v:?}",
                ids[i]
            );
        }
    }
    for (i, u) in text(df, "source_url").iter().enumerate() {
        assert!(
            u.starts_with("http://") || u.starts_with("https://"),
            "{}: source_url {u:?}",
            ids[i]
        );
    }
    // The quoted sentence states a price: it has a digit or a Chinese numeral.
    for (i, q) in text(df, "quote").iter().enumerate() {
        assert!(
            q.chars()
                .any(|c| c.is_ascii_digit() || "〇一二三四五六七八九十百千万亿".contains(c)),
            "{}: quote states no figure: {q}",
            ids[i]
        );
    }
    let price: Vec<f64> = df
        .column("price_yuan")
        .unwrap()
        .f64()
        .unwrap()
        .iter()
        .map(|v| v.unwrap())
        .collect();
    for (i, p) in price.iter().enumerate() {
        assert!(
            (MIN_YUAN..=MAX_YUAN).contains(p),
            "{}: price {p} 元 outside the plausible band",
            ids[i]
        );
    }
    // Outliers are flagged, not dropped: Tukey fences (×3) on ln price of single deals.
    let mut ln: Vec<f64> = price.iter().map(|p| p.ln()).collect();
    ln.sort_by(f64::total_cmp);
    let q = |p: f64| ln[((ln.len() - 1) as f64 * p).round() as usize];
    let (q1, q3) = (q(0.25), q(0.75));
    let (lo, hi) = (q1 - 3.0 * (q3 - q1), q3 + 3.0 * (q3 - q1));
    let flagged: Vec<&String> = ids
        .iter()
        .zip(&price)
        .filter(|(_, p)| p.ln() < lo || p.ln() > hi)
        .map(|(i, _)| i)
        .collect();
    eprintln!(
        "far outliers (ln price beyond 3 IQR, kept): {flagged:?}; fences {:.0} – {:.0} 元",
        lo.exp(),
        hi.exp()
    );
    assert_eq!(ids.len(), price.len());
}

#[test]
fn hedonic_model_beats_the_naive_median_on_the_public_deals() {
    let h = load_deals(Path::new(FILE)).unwrap();
    let models = ModelBook::builtin().unwrap();
    let r = techval::valuation::backtest::backtest(&h, &models.market).unwrap();
    let all = r.rows.iter().find(|x| x.by == "all").unwrap();
    assert!(all.scored >= 100, "{all:?}");
    let hed = all.hedonic.median_abs_log_error.unwrap();
    let naive = all.naive.median_abs_log_error.unwrap();
    eprintln!(
        "public deals, leave-one-out median |ln|: market {:?}, hedonic {hed:.3}, naive {naive:.3} on {} deals",
        all.market.median_abs_log_error, all.scored
    );
    assert!(hed < naive, "hedonic {hed} vs naive {naive}");
    let fit = r.hedonic_fit.as_ref().unwrap();
    assert!(fit.note.contains("in-sample"));
    assert!(fit.r2 > 0.0 && fit.r2 < 1.0);
}

/// `models/hedonic.toml` is the fit of the current public set: a refit reproduces every
/// coefficient (regenerate the file with `techval backtest --write-model` when the data change).
#[test]
fn the_shipped_hedonic_model_is_the_fit_of_the_shipped_public_deals() {
    use techval::valuation::hedonic::{design, fit, HedonicModelFile};
    let text = std::fs::read_to_string("models/hedonic.toml").unwrap();
    let file: HedonicModelFile = toml::from_str(&text).unwrap();
    assert!(file.note.contains("in-sample"));
    let h = load_deals(Path::new(FILE)).unwrap();
    let models = ModelBook::builtin().unwrap();
    let f = fit(&design(&h, &models.market).unwrap()).unwrap();
    assert_eq!(file.n, f.n);
    assert_eq!(file.dropped, f.dropped);
    assert_eq!(file.coefficient.len(), f.coefficients.len());
    for (a, b) in file.coefficient.iter().zip(&f.coefficients) {
        assert_eq!(a.term, b.term);
        assert!(
            (a.estimate - b.estimate).abs() <= 1e-9 * (1.0 + b.estimate.abs()),
            "{}: file {} vs refit {}",
            a.term,
            a.estimate,
            b.estimate
        );
        assert!((a.std_error - b.std_error).abs() <= 1e-9 * (1.0 + b.std_error));
        assert_eq!(a.rows, b.rows);
    }
    assert!((file.r2 - f.r2).abs() < 1e-12);
}
