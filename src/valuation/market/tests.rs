//! Unit tests of the market approach's pieces (the life factor's annuity, frames).

use crate::models::ModelBook;
use polars::prelude::*;

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
    assert!((crate::tvm::annuity_factor_f64(0.10, 10.0) - 6.144_567_105_704_685).abs() < 1e-12);
}
