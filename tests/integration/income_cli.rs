//! The income approach through the built binary: the bad-input corpus and the sample cases.

use super::income::*;
use std::path::Path;
use std::process::Command;

// ---------------------------------------------------------------------------------------------
// The binary: bad inputs and sample cases.

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_techval"))
}

/// Each bad case and what its one-line error must name (field path or line/column).
const BAD: &[(&str, &str)] = &[
    ("bad_distribution.toml", "income.economic_life = "),
    ("bad_region.toml", "subject.region = \"Atlantis\""),
    ("binary_garbage.toml", "not UTF-8"),
    ("dates_out_of_order.toml", "subject.grant_date = 2018-01-05"),
    (
        "duplicate_key.json",
        "income.economic_life (line 15, column 19): given twice",
    ),
    (
        "duplicate_key.toml",
        "income.economic_life (line 16, column 1): given twice",
    ),
    ("empty.toml", "file is empty"),
    ("growth_overflow.toml", "income.growth = 0.5"),
    (
        "huge_money.toml",
        "income.revenue[0] = 100000000000000000000",
    ),
    ("kmin_above_kmax.toml", "income.split.k_min = 0.09"),
    (
        "missing_field.toml",
        "subject.valuation_date (line 2, column 1): missing",
    ),
    ("missing_margin.toml", "income.split.margin: required"),
    (
        "missing_royalty.toml",
        "income.royalty: required when income.method = relief_from_royalty",
    ),
    ("negative_life.toml", "income.economic_life = -3"),
    ("no_approach.toml", "income: a case needs at least one"),
    ("non_numeric_money.toml", "income.revenue[1]"),
    (
        "score_out_of_range.toml",
        "income.split.scores.technical = 1.4",
    ),
    ("syntax_error.toml", "line 14, column 17"),
    ("tab_life_zero.toml", "income.royalty.tab_life = 0"),
    ("truncated.json", "line 13, column 19"),
    ("unknown_distribution.toml", "income.economic_life"),
    ("unknown_field.toml", "income.discount.rsik_free"),
    ("unknown_industry.toml", "subject.industry = \"A01\""),
    ("unknown_kind.toml", "subject.kind"),
    ("unknown_score_factor.toml", "income.split.scores.market"),
    (
        "unknown_sector.toml",
        "income.split.sector = \"space_mining\"",
    ),
    ("with_without_lengths.toml", "income.with_without.without"),
    ("wrong_type.json", "income.revenue"),
    ("wrong_type.toml", "income.economic_life"),
];

#[test]
fn every_bad_case_gives_one_line_naming_file_and_field() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad_cases");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .expect("tests/bad_cases")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let listed: Vec<&str> = BAD.iter().map(|b| b.0).collect();
    assert!(files.len() >= 18, "{files:?}");
    for f in &files {
        assert!(
            listed.contains(&f.as_str()),
            "{f} has no expectation in BAD"
        );
    }
    for (name, want) in BAD {
        let path = dir.join(name);
        assert!(path.exists(), "{name} listed but missing");
        let out = bin()
            .args(["value", "--case"])
            .arg(&path)
            .output()
            .expect("run techval");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert!(out.stdout.is_empty(), "{name}: wrote to stdout");
        let lines: Vec<&str> = stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{name}: {stderr}");
        let line = lines[0];
        assert!(line.starts_with("error: "), "{name}: {line}");
        assert!(
            line.contains(&path.display().to_string()),
            "{name}: file not named: {line}"
        );
        assert!(line.contains(want), "{name}: expected `{want}` in: {line}");
        assert!(!line.contains("panicked"), "{name}: {line}");
    }
}

#[test]
fn every_sample_case_prints_a_table_and_valid_json() {
    for p in sample_cases() {
        let out = bin()
            .args(["value", "--case"])
            .arg(&p)
            .output()
            .expect("run");
        let so = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{}: {}",
            p.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        // Every sample case prints its approaches; those with [income] print the period table.
        let text = std::fs::read_to_string(&p).expect("read case");
        if text.contains("[income]") {
            assert!(so.contains("收益法"), "{}: {so}", p.display());
            assert!(so.contains("periods"), "{}", p.display());
        }
        assert!(so.contains("audit trail"), "{}", p.display());

        let out = bin()
            .args(["value", "--format", "json", "--case"])
            .arg(&p)
            .output()
            .expect("run");
        assert!(out.status.success(), "{}", p.display());
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{}: invalid JSON: {e}", p.display()));
        let vals = doc["valuations"].as_array().expect("valuations");
        assert!(!vals.is_empty(), "{}: no valuation", p.display());
        for v in vals {
            assert!(v["value"].as_str().is_some(), "{}", p.display());
            let audit = v["audit"].as_array().expect("audit");
            assert!(!audit.is_empty(), "{}", p.display());
            for st in audit {
                for k in ["name", "formula", "inputs", "value"] {
                    assert!(st.get(k).is_some(), "{}: step without {k}", p.display());
                }
            }
            if v["approach"] == "income" {
                assert!(!v["periods"].as_array().expect("periods").is_empty());
            }
        }
        if text.contains("[income]") {
            assert!(
                vals.iter().any(|v| v["approach"] == "income"),
                "{}",
                p.display()
            );
        }
    }
    // The university achievement is valued by both approaches.
    let p =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/cases/university_achievement.toml");
    let out = bin()
        .args(["value", "--format", "json", "--case"])
        .arg(&p)
        .output()
        .expect("run");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let approaches: Vec<&str> = doc["valuations"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v["approach"].as_str())
        .collect();
    assert_eq!(approaches, ["income", "cost"]);
    assert_eq!(doc["subject"]["kind"], "achievement");
}

#[test]
fn the_demo_runs_without_a_case() {
    let out = bin().args(["value"]).output().expect("run");
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("bundled demo"));
    assert!(String::from_utf8_lossy(&out.stdout).contains("revenue_split"));
}
