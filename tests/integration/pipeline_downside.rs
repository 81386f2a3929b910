//! The pipeline lends on the downside value the rulebook or the case asks for.

use super::uncertainty::*;
use std::path::PathBuf;

fn rulebook_file(name: &str, basis: &str, quantile: Option<&str>) -> PathBuf {
    let text = techval::rulebook::BUILTIN_RULEBOOKS
        .iter()
        .find(|(n, _)| *n == "bank_default")
        .expect("shipped")
        .1;
    let mut text = text.replace("basis = \"point\"", &format!("basis = \"{basis}\""));
    if let Some(q) = quantile {
        text = text.replace(
            &format!("basis = \"{basis}\""),
            &format!("basis = \"{basis}\"\nquantile = {q}"),
        );
    }
    let dir = std::env::temp_dir().join(format!("techval-unc-rb-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write");
    p
}

fn pipeline_json(extra: &[&str]) -> serde_json::Value {
    let dir = std::env::temp_dir().join(format!("techval-unc-out-{}", std::process::id()));
    let out = bin()
        .args(["pipeline", "--format", "json", "--out"])
        .arg(&dir)
        .args(extra)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{extra:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

#[test]
fn the_pipeline_lends_on_the_downside_the_rulebook_or_case_asks_for() {
    // Demo (reconciled, [simulation]) on a rulebook asking for P5.
    let rb = rulebook_file("p5.toml", "point", Some("0.05"));
    let v = pipeline_json(&["--rulebook", rb.to_str().expect("path")]);
    let lv = &v["lending_value"];
    assert_eq!(lv["downside"]["label"], "P5");
    assert_eq!(
        lv["downside"]["quantile_source"],
        "rulebook pledge.quantile"
    );
    assert_eq!(lv["value"], v["stages"]["simulation"]["money"]["p5"]);
    assert_eq!(lv["downside"]["seed"], 20250630);
    assert_eq!(lv["downside"]["chunk_size"], 16384);
    // The same reconciled distribution as `techval value` shows, path for path.
    let val = run_json(&["value", "--format", "json"], "2");
    let val: serde_json::Value = serde_json::from_slice(&val).expect("json");
    assert_eq!(
        val["reconciled_simulation"]["money"]["p5"],
        v["stages"]["simulation"]["money"]["p5"]
    );
    assert_eq!(
        val["reconciled_simulation"]["stats"]["mean"],
        v["stages"]["simulation"]["stats"]["mean"]
    );

    // A case without [simulation] on a downside rulebook: simulated with the defaults; the
    // cost-only fixture has no distribution, so the downside is the point value.
    let rb = rulebook_file("down.toml", "downside", None);
    let v = pipeline_json(&[
        "--case",
        "tests/fixtures/cost_only_finance.toml",
        "--rulebook",
        rb.to_str().expect("path"),
    ]);
    let lv = &v["lending_value"];
    assert_eq!(lv["basis"], "downside");
    assert_eq!(lv["approach"], "cost");
    assert_eq!(lv["downside"]["samples"], 10000);
    assert_eq!(lv["downside"]["of"], "cost value");
    assert!(lv["downside"]["quantile_source"]
        .as_str()
        .expect("text")
        .starts_with("default (P10)"));
    assert_eq!(lv["value"], lv["point_value"]);
    assert_eq!(v["seed"], 20250630);

    // The same case on the point rulebook: no simulation, no seed.
    let v = pipeline_json(&["--case", "tests/fixtures/cost_only_finance.toml"]);
    assert_eq!(v["lending_value"]["basis"], "point");
    assert!(v["seed"].is_null() && v["stages"]["simulation"].is_null());

    // A bad quantile in a rulebook is one line and exit 2.
    let rb = rulebook_file("badq.toml", "downside", Some("1.5"));
    let out = bin()
        .args(["pipeline", "--rulebook", rb.to_str().expect("path")])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "badq.toml: pledge.quantile = 1.5: must be a quantile strictly between 0 and 1"
        ),
        "{err}"
    );
}
