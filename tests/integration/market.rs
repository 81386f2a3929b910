//! Market approach: deal loader (rejects, missing columns, CSV = Parquet), indices, selection,
//! adjustment arithmetic, low-confidence handling, back-test, CLI.

use polars::prelude::*;
use std::path::{Path, PathBuf};
use std::process::Command;
use techval::data::{load_deals, shipped_deals, MarketIndices};
use techval::synth::{synthesize, SynthOptions};
use techval::valuation::market::{evaluate, MarketAssumptions, PairColumns};
use techval::{Case, Error, ModelBook};

/// A fresh folder for one test.
fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("techval-market-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn synth(rows: usize, seed: u64) -> DataFrame {
    synthesize(SynthOptions { rows, seed }, &ModelBook::builtin().unwrap()).unwrap()
}

fn csv_text(df: &mut DataFrame) -> String {
    let mut buf = Vec::new();
    CsvWriter::new(&mut buf)
        .include_header(true)
        .finish(df)
        .unwrap();
    String::from_utf8(buf).unwrap()
}

fn write_parquet(df: &mut DataFrame, p: &Path) {
    let f = std::fs::File::create(p).unwrap();
    ParquetWriter::new(f).finish(df).unwrap();
}

fn demo_case() -> Case {
    let c = Case::load(Path::new("datasets/cases/invention_patent_market.toml")).unwrap();
    c.validate(&ModelBook::builtin().unwrap()).unwrap();
    c
}

const HEADER: &str = "deal_id,date,region,industry,ip_kind,transaction_type,price_yuan,royalty_rate,remaining_life_years,claims,citations,family_size,trl,tech_score,seller_type";

/// A deal row in the schema (no scale, no provenance columns).
#[allow(clippy::too_many_arguments)]
fn row(id: &str, date: &str, region: &str, ty: &str, price: f64, life: f64, score: f64) -> String {
    format!("{id},{date},{region},C39,invention_patent,{ty},{price},,{life},10,3,2,6,{score},enterprise")
}

fn subject_case(extra: &str) -> Case {
    let text = format!(
        r#"
[subject]
id = "t"
name = "test patent"
kind = "invention_patent"
industry = "C39"
region = "广东"
filing_date = 2015-01-01
valuation_date = 2023-06-30
owner = "o"
[market]
transaction_type = "exclusive_licence"
remaining_life = 8
tech_score = 60
{extra}
"#
    );
    let c = Case::parse("test.toml", &text).unwrap();
    c.validate(&ModelBook::builtin().unwrap()).unwrap();
    c
}

fn market(c: &Case) -> &MarketAssumptions {
    c.market.as_ref().unwrap()
}

#[test]
fn five_bad_rows_in_a_thousand_are_rejected_and_listed() {
    let dir = tmp("rejects");
    let text = csv_text(&mut synth(1000, 11));
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let header: Vec<String> = lines[0].split(',').map(str::to_string).collect();
    let ix = |c: &str| header.iter().position(|h| *h == c).unwrap();
    // (data row, column, bad value)
    let bad = [
        (17u64, "price_yuan", "abc"),
        (200, "date", "2023-02-30"),
        (450, "region", "Atlantis"),
        (700, "ip_kind", "patent"),
        (999, "claims", "-3"),
    ];
    for (r, c, v) in bad {
        let mut f: Vec<String> = lines[r as usize].split(',').map(str::to_string).collect();
        f[ix(c)] = v.to_string();
        lines[r as usize] = f.join(",");
    }
    let p = dir.join("deals.csv");
    std::fs::write(&p, lines.join("\n") + "\n").unwrap();
    let h = load_deals(&p).unwrap();
    assert_eq!(h.rows_read, 1000);
    assert_eq!(h.len(), 995);
    assert_eq!(h.rows_rejected, 5);
    let got: Vec<(u64, &str, &str)> = h
        .rejects
        .iter()
        .map(|r| (r.row, r.column.as_str(), r.value.as_str()))
        .collect();
    assert_eq!(got, bad.to_vec());
    for r in &h.rejects {
        assert_eq!(r.file, p.display().to_string());
        assert!(!r.reason.is_empty());
    }
    assert!(
        h.rejects[0].reason.starts_with("not a number"),
        "{}",
        h.rejects[0].reason
    );
    assert!(
        h.rejects[1].reason.starts_with("not a date"),
        "{}",
        h.rejects[1].reason
    );
    assert!(
        h.rejects[3].reason.contains("invention_patent"),
        "{}",
        h.rejects[3].reason
    );
    assert!(
        h.rejects[4].reason.starts_with("out of range"),
        "{}",
        h.rejects[4].reason
    );
    // The valid rows are typed and normalised.
    assert_eq!(h.frame.column("date").unwrap().dtype(), &DataType::Date);
    assert_eq!(h.frame.column("claims").unwrap().dtype(), &DataType::Int64);
    assert!(h.synthetic);
}

#[test]
fn a_missing_column_is_one_error_naming_it() {
    let dir = tmp("missing");
    let mut df = synth(50, 12).drop("price_yuan").unwrap();
    let p = dir.join("deals.csv");
    std::fs::write(&p, csv_text(&mut df)).unwrap();
    let e = load_deals(&p).unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, Error::InFile { .. }), "{e:?}");
    assert!(
        msg.starts_with(&format!(
            "{}: missing column price_yuan (or price_wan):",
            p.display()
        )),
        "{msg}"
    );
    assert!(!msg.contains('\n'));
    // The same through the CLI: exit 2, one line.
    let out = Command::new(env!("CARGO_BIN_EXE_techval"))
        .args(["backtest", "--deals"])
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("missing column price_yuan"), "{err}");
}

#[test]
fn csv_and_parquet_copies_give_identical_valuations() {
    let dir = tmp("csv-parquet");
    let mut df = synth(4000, 13);
    let (pc, pp) = (dir.join("d.csv"), dir.join("d.parquet"));
    std::fs::write(&pc, csv_text(&mut df)).unwrap();
    write_parquet(&mut df, &pp);
    let (hc, hp) = (load_deals(&pc).unwrap(), load_deals(&pp).unwrap());
    assert!(hc.frame.equals_missing(&hp.frame));
    let models = ModelBook::builtin().unwrap();
    let c = demo_case();
    let oc = evaluate(market(&c), &c.subject, &models, &hc).unwrap();
    let op = evaluate(market(&c), &c.subject, &models, &hp).unwrap();
    assert_eq!(oc.valuation.value, op.valuation.value);
    assert_eq!(oc.comparables, op.comparables);
    assert_eq!(oc.summary, op.summary);
    // The audit trails differ only in the file named as source.
    let strip = |v: &techval::Valuation| {
        serde_json::to_string(&v.audit)
            .unwrap()
            .replace(&pc.display().to_string(), "F")
            .replace(&pp.display().to_string(), "F")
    };
    assert_eq!(strip(&oc.valuation), strip(&op.valuation));
    assert!(oc.summary.n_used >= 3);
}

#[test]
fn keeping_only_the_summary_columns_gives_the_same_summary() {
    // The portfolio, the back-test and bench-market keep only the summary columns of the
    // pairs (the projection skips gathering the wide columns): the summary must not change.
    let dir = tmp("summary-columns");
    let p = dir.join("d.parquet");
    write_parquet(&mut synth(20_000, 21), &p);
    let h = load_deals(&p).unwrap();
    let models = ModelBook::builtin().unwrap();
    let run = |keep| {
        techval::valuation::market::value_frame(&h, &models.market, synth(400, 22), keep).unwrap()
    };
    let all = run(PairColumns::All);
    let brief = run(PairColumns::Summary);
    assert!(all.summary.equals_missing(&brief.summary));
    assert_eq!(all.pairs.height(), brief.pairs.height());
    assert!(all.pairs.width() > brief.pairs.width());
    let used = brief.summary.column("n_used").unwrap().u32().unwrap().sum();
    assert!(used.unwrap_or(0) > 1000, "{used:?}");
    for c in brief.pairs.get_column_names() {
        let (x, y) = (all.pairs.column(c).unwrap(), brief.pairs.column(c).unwrap());
        assert!(x.equals_missing(y), "column {c}");
    }
}

#[test]
fn time_index_reproduces_the_2023_national_average() {
    let ix = MarketIndices::shipped().unwrap();
    let (v, y) = ix.time_index(2023);
    assert_eq!(y, 2023);
    // 614,756,578 万元 / 945,946 contracts = 649.89 万元 per contract.
    assert!((v - 614_756_578.0 / 945_946.0).abs() < 1e-9, "{v}");
    assert_eq!(format!("{v:.2}"), "649.89");
}

/// Hand-computed adjustment: subject score 60, 2023, Guangdong, exclusive licence, 8 years.
#[test]
fn adjusted_prices_follow_the_documented_factors() {
    let dir = tmp("factors");
    let ex = "exclusive_licence";
    let rows = [
        // Same year, province, type and life: only F_tech = 60 / score moves the price.
        row("A1", "2023-01-15", "广东", ex, 1_000_000.0, 8.0, 50.0), // × 1.2  = 1,200,000
        row("A2", "2023-02-15", "Guangdong", ex, 2_000_000.0, 8.0, 60.0), // × 1 = 2,000,000
        row("A3", "2023-03-15", "广东省", ex, 1_500_000.0, 8.0, 40.0), // × 1.5 = 2,250,000
        row("A4", "2023-04-15", "guangdong", ex, 900_000.0, 8.0, 60.0), // × 1 = 900,000
        row("A5", "2023-05-15", "广东", ex, 3_000_000.0, 8.0, 75.0), // × 0.8 = 2,400,000
    ];
    let p = dir.join("d.csv");
    std::fs::write(&p, format!("{HEADER}\n{}\n", rows.join("\n"))).unwrap();
    let h = load_deals(&p).unwrap();
    assert_eq!(h.len(), 5);
    assert!(!h.synthetic);
    let c = subject_case("");
    let models = ModelBook::builtin().unwrap();
    let o = evaluate(market(&c), &c.subject, &models, &h).unwrap();
    let adj: std::collections::BTreeMap<&str, f64> = o
        .comparables
        .iter()
        .map(|r| (r.deal_id.as_str(), r.adjusted_yuan))
        .collect();
    for (id, want) in [
        ("A1", 1_200_000.0),
        ("A2", 2_000_000.0),
        ("A3", 2_250_000.0),
        ("A4", 900_000.0),
        ("A5", 2_400_000.0),
    ] {
        assert!((adj[id] - want).abs() < 1e-6, "{id}: {} vs {want}", adj[id]);
    }
    assert_eq!(o.summary.level, 0);
    assert_eq!(o.summary.n_used, 5);
    // Median of 0.9, 1.2, 2.0, 2.25, 2.4 million.
    assert_eq!(o.valuation.value, techval::Money::from_yuan(2_000_000));
    // Similarity-weighted mean lies inside the range.
    let wm = o.summary.weighted_mean.unwrap();
    assert!(wm > 900_000.0 && wm < 2_400_000.0);
    assert!(o.valuation.audit.find("comparable[4]").is_some());
    assert!(o.valuation.audit.find("value").is_some());

    // Time, region, terms and life factors against the published statistics.
    let more = [
        row(
            "B1",
            "2022-06-30",
            "北京",
            "assignment",
            1_000_000.0,
            4.0,
            60.0,
        ),
        row("B2", "2023-01-10", "广东", ex, 1_000_000.0, 8.0, 60.0),
        row("B3", "2023-01-11", "广东", ex, 1_000_000.0, 8.0, 60.0),
    ];
    let p2 = dir.join("d2.csv");
    std::fs::write(
        &p2,
        format!("{HEADER}\n{}\n{}\n", rows.join("\n"), more.join("\n")),
    )
    .unwrap();
    let h2 = load_deals(&p2).unwrap();
    // k = 8 makes level 0 (5 + 2 Guangdong exclusive licences) too few: relaxed to level 4.
    let c8 = subject_case("k = 8");
    let o2 = evaluate(market(&c8), &c8.subject, &models, &h2).unwrap();
    assert_eq!(o2.summary.level, 4, "{:?}", o2.summary);
    let b1 = o2.comparables.iter().find(|r| r.deal_id == "B1").unwrap();
    // I(2023) / I(2022) = (614,756,578 / 945,946) / (477,910,166 / 772,507).
    let f_time = (614_756_578.0 / 945_946.0) / (477_910_166.0 / 772_507.0);
    assert!((b1.f_time - f_time).abs() < 1e-12, "{}", b1.f_time);
    // R(Guangdong 2023) / R(Beijing 2022), each province average over the national one.
    let ix = MarketIndices::shipped().unwrap();
    let f_region =
        ix.region_index("Guangdong", 2023).unwrap().0 / ix.region_index("Beijing", 2022).unwrap().0;
    let f_region = f_region.clamp(0.5, 2.0);
    assert!((b1.f_region - f_region).abs() < 1e-12, "{}", b1.f_region);
    // T(exclusive) / T(assignment) = 0.8 / 1.0.
    assert!((b1.f_terms - 0.8).abs() < 1e-12);
    // AF(10 %, 8) / AF(10 %, 4) = 5.334926 / 3.169865 = 1.683013.
    assert!((b1.f_life - 1.683_013).abs() < 1e-6, "{}", b1.f_life);
    assert!((b1.f_tech - 1.0).abs() < 1e-12 && (b1.f_scale - 1.0).abs() < 1e-12);
    let want = 1_000_000.0 * f_time * f_region * 0.8 * b1.f_life;
    assert!((b1.adjusted_yuan - want).abs() < 1e-6);
}

#[test]
fn relaxation_widens_the_region_before_anything_else() {
    let dir = tmp("relax");
    let ex = "exclusive_licence";
    let mut rows = vec![
        row("G1", "2023-01-15", "广东", ex, 1_000_000.0, 8.0, 60.0),
        row("G2", "2023-02-15", "广东", ex, 1_100_000.0, 8.0, 60.0),
    ];
    for i in 0..6 {
        rows.push(row(
            &format!("J{i}"),
            "2022-09-01",
            "江苏",
            ex,
            1_000_000.0 + 1e4 * i as f64,
            8.0,
            60.0,
        ));
    }
    // A later deal (after the valuation date) is never a comparable.
    rows.push(row(
        "LATE",
        "2023-09-01",
        "广东",
        ex,
        5_000_000.0,
        8.0,
        60.0,
    ));
    let p = dir.join("d.csv");
    std::fs::write(&p, format!("{HEADER}\n{}\n", rows.join("\n"))).unwrap();
    let h = load_deals(&p).unwrap();
    let c = subject_case("");
    let o = evaluate(market(&c), &c.subject, &ModelBook::builtin().unwrap(), &h).unwrap();
    assert_eq!(o.summary.level, 1);
    assert_eq!(o.summary.n_found, 8);
    assert!(o.comparables.iter().all(|r| r.deal_id != "LATE"));
    assert!(o
        .valuation
        .warnings
        .iter()
        .any(|w| w.contains("relaxed to level 1")));
    // Same province is more similar: the Guangdong deals come first.
    assert!(o.comparables[..2]
        .iter()
        .all(|r| r.deal_id.starts_with('G')));
}

#[test]
fn iqr_fences_drop_an_outlier() {
    let dir = tmp("iqr");
    let ex = "exclusive_licence";
    let mut rows: Vec<String> = (0..7)
        .map(|i| {
            row(
                &format!("N{i}"),
                "2023-01-15",
                "广东",
                ex,
                1_000_000.0 * (1.0 + 0.05 * i as f64),
                8.0,
                60.0,
            )
        })
        .collect();
    rows.push(row(
        "OUT",
        "2023-01-15",
        "广东",
        ex,
        900_000_000.0,
        8.0,
        60.0,
    ));
    let p = dir.join("d.csv");
    std::fs::write(&p, format!("{HEADER}\n{}\n", rows.join("\n"))).unwrap();
    let h = load_deals(&p).unwrap();
    let c = subject_case("");
    let o = evaluate(market(&c), &c.subject, &ModelBook::builtin().unwrap(), &h).unwrap();
    let out = o.comparables.iter().find(|r| r.deal_id == "OUT").unwrap();
    assert!(!out.kept);
    assert_eq!(o.summary.n_selected, 8);
    assert_eq!(o.summary.n_used, 7);
    // Median of 1.00 … 1.30 million (step 0.05): 1.15 million.
    assert_eq!(o.valuation.value, techval::Money::from_yuan(1_150_000));
}

#[test]
fn fewer_than_three_comparables_is_an_error_or_a_flag() {
    let dir = tmp("few");
    let ex = "exclusive_licence";
    let rows = [
        row("F1", "2023-01-15", "广东", ex, 1_000_000.0, 8.0, 60.0),
        row("F2", "2023-02-15", "广东", ex, 2_000_000.0, 8.0, 60.0),
    ];
    let p = dir.join("d.csv");
    std::fs::write(&p, format!("{HEADER}\n{}\n", rows.join("\n"))).unwrap();
    let h = load_deals(&p).unwrap();
    let models = ModelBook::builtin().unwrap();
    let c = subject_case("");
    let e = evaluate(market(&c), &c.subject, &models, &h).unwrap_err();
    assert!(matches!(e, Error::Unsupported(_)));
    assert!(e.to_string().contains("only 2 comparables"), "{e}");
    assert!(e.to_string().contains("allow_low_confidence"), "{e}");
    let c = subject_case("allow_low_confidence = true");
    let o = evaluate(market(&c), &c.subject, &models, &h).unwrap();
    assert!(o.summary.low_confidence);
    assert!(o
        .valuation
        .warnings
        .iter()
        .any(|w| w.starts_with("LOW CONFIDENCE")));
    assert_eq!(o.valuation.value, techval::Money::from_yuan(1_500_000));
}

#[test]
fn backtest_runs_on_the_shipped_deals_and_beats_the_naive_predictor() {
    let h = shipped_deals().unwrap();
    assert!(h.len() >= 50_000);
    assert!(h.synthetic);
    let models = ModelBook::builtin().unwrap();
    let r = techval::valuation::backtest::backtest(&h, &models.market).unwrap();
    let all = r.rows.iter().find(|x| x.by == "all").unwrap();
    assert_eq!(all.deals as usize, h.len());
    assert!(
        f64::from(all.market.predicted) > 0.95 * f64::from(all.deals),
        "{all:?}"
    );
    let (m, n) = (
        all.market.median_abs_log_error.unwrap(),
        all.naive.median_abs_log_error.unwrap(),
    );
    // The generator prices deals by the factors the approach undoes, so the approach must
    // land clearly closer than the industry median; its median error is bounded below by the
    // generator's noise (σ = 0.5: median |N(0, 0.5)| ≈ 0.34).
    assert!(m < 0.8 * n, "market {m} vs naive {n}");
    assert!(m > 0.3, "{m}");
    assert!(all.market.within_2x.unwrap() > all.naive.within_2x.unwrap());
    assert!(r.rows.iter().filter(|x| x.by == "ip_kind").count() == 7);
    assert!(r
        .rows
        .iter()
        .any(|x| x.by == "industry" && x.group == "C39"));
}

#[test]
fn cli_market_value_says_its_data_and_thread_count_does_not_change_it() {
    let bin = env!("CARGO_BIN_EXE_techval");
    let case = "datasets/cases/invention_patent_market.toml";
    let run = |threads: &str, args: &[&str]| {
        let out = Command::new(bin)
            .env("POLARS_MAX_THREADS", threads)
            .args(args)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    // Default: the public set of real deals (42 single fixed-price invention-patent deals).
    let j1 = run("1", &["comparables", "--case", case, "--format", "json"]);
    let j2 = run("2", &["comparables", "--case", case, "--format", "json"]);
    assert_eq!(j1, j2);
    let v: serde_json::Value = serde_json::from_str(&j1).unwrap();
    assert_eq!(v["data_provenance"]["synthetic"], false);
    assert_eq!(
        v["data_provenance"]["deals_file"],
        "datasets/deals_public.csv (shipped)"
    );
    let t = run("2", &["value", "--case", case, "--approach", "market"]);
    assert!(t.contains("real deals"), "{t}");
    // The synthetic set on request, labelled, and thread-independent too.
    let s1 = run(
        "1",
        &[
            "comparables",
            "--case",
            case,
            "--deals",
            "synthetic",
            "--format",
            "json",
        ],
    );
    let s2 = run(
        "2",
        &[
            "comparables",
            "--case",
            case,
            "--deals",
            "synthetic",
            "--format",
            "json",
        ],
    );
    assert_eq!(s1, s2);
    let v: serde_json::Value = serde_json::from_str(&s1).unwrap();
    assert_eq!(v["data_provenance"]["synthetic"], true);
    let t = run(
        "2",
        &[
            "value",
            "--case",
            case,
            "--approach",
            "market",
            "--deals",
            "synthetic",
        ],
    );
    assert!(t.contains("SYNTHETIC"), "{t}");
    let j = run(
        "2",
        &[
            "value",
            "--case",
            case,
            "--approach",
            "market",
            "--format",
            "json",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&j).unwrap();
    assert_eq!(v["data_provenance"]["synthetic"], false);
    assert_eq!(v["valuations"][0]["approach"], "market");
    let csv = run("2", &["market-stats", "--format", "csv", "--what", "time"]);
    assert!(
        csv.lines()
            .any(|l| l.starts_with("2023,945946,614756578,649.885")),
        "{csv}"
    );
}

/// A kind the public set cannot serve (2 single fixed-price utility-model deals, fewer than
/// k = 5) falls back to the synthetic set, and the output says why.
#[test]
fn a_kind_the_real_set_cannot_serve_falls_back_to_synthetic_and_says_so() {
    let dir = tmp("fallback");
    let src = std::fs::read_to_string("datasets/cases/invention_patent_market.toml").unwrap();
    let body = src.replace("kind = \"invention_patent\"", "kind = \"utility_model\"");
    assert_ne!(body, src);
    let p = dir.join("um.toml");
    std::fs::write(&p, body).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_techval"))
        .args(["comparables", "--format", "json", "--case"])
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["data_provenance"]["synthetic"], true);
    let note = v["data_provenance"]["note"].as_str().unwrap();
    assert!(
        note.starts_with("the public set of real deals has 2 single fixed-price deals of kind utility_model (fewer than k = 5)"),
        "{note}"
    );
}

#[test]
fn cli_market_without_deals_file_is_a_clean_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_techval"))
        .args([
            "value",
            "--case",
            "datasets/cases/invention_patent_market.toml",
            "--approach",
            "market",
            "--deals",
            "no/such/deals.parquet",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no/such/deals.parquet") && err.contains("no such file"),
        "{err}"
    );
}

#[test]
fn bad_market_inputs_name_the_field_or_file() {
    let text = r#"
[subject]
id = "t"
name = "n"
kind = "invention_patent"
industry = "C39"
region = "广东"
filing_date = 2015-01-01
valuation_date = 2023-06-30
owner = "o"
[market]
transaction_type = "exclusive_licence"
remaining_life = 8
trl = 12
"#;
    let models = ModelBook::builtin().unwrap();
    let c = Case::parse("bad.toml", text).unwrap();
    let e = c
        .validate(&models)
        .unwrap_err()
        .in_file("bad.toml")
        .to_string();
    assert_eq!(
        e,
        "bad.toml: market.trl = 12: must be a technology readiness level from 1 to 9"
    );
    let e = Case::parse("bad.toml", &text.replace("exclusive_licence", "rent"))
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("bad.toml: market.transaction_type"), "{e}");
    // An edited models/market.toml with k above max_comparables names the file.
    let dir = tmp("models");
    let m = techval::models::BUILTIN_FILES
        .iter()
        .find(|f| f.0 == "market.toml")
        .unwrap()
        .1
        .replace("k = 5 ", "k = 50 ");
    std::fs::write(dir.join("market.toml"), m).unwrap();
    let e = ModelBook::from_dir(&dir).unwrap_err().to_string();
    assert!(e.contains("market.toml") && e.contains("k = 50"), "{e}");
}
