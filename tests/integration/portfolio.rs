//! `techval portfolio`: the shipped sample with no arguments, per-row rejects on a 100,000-row
//! table, determinism across thread counts and partitionings, XLSX in and out, damaged input.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use techval::portfolio::generate;

/// The shipped template case the generated tables are valued on.
const TEMPLATE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/datasets/portfolios/template.toml"
);

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("techval-portfolio-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn techval(args: &[&str], cwd: Option<&Path>, threads: Option<&str>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_techval"));
    c.args(args);
    if let Some(d) = cwd {
        c.current_dir(d);
    }
    if let Some(t) = threads {
        c.env("RAYON_NUM_THREADS", t);
    }
    c.output().unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A CSV line of cells (quoted when needed).
fn csv_line(cells: &[String]) -> String {
    cells
        .iter()
        .map(|c| {
            if c.contains(',') || c.contains('"') {
                format!("\"{}\"", c.replace('"', "\"\""))
            } else {
                c.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

#[test]
fn sample_runs_with_no_arguments_and_writes_every_output() {
    let d = dir("sample");
    let o = techval(&["portfolio"], Some(&d), None);
    assert!(o.status.success(), "{}", text(&o));
    let t = text(&o);
    assert!(t.contains("running the shipped sample portfolio"), "{t}");
    assert!(t.contains("1200 rows read, 1200 valued, 0 rejected"), "{t}");
    let out = d.join("reports/portfolio");
    for f in [
        "portfolio.parquet",
        "rejects.csv",
        "summary.json",
        "portfolio.html",
        "charts/portfolio_distribution.svg",
        "charts/portfolio_distribution.png",
        "charts/portfolio_by_industry.svg",
        "charts/portfolio_by_industry.png",
        "charts/portfolio_by_region.svg",
        "charts/portfolio_by_region.png",
    ] {
        let p = out.join(f);
        assert!(
            p.metadata().map(|m| m.len() > 0).unwrap_or(false),
            "{f} missing"
        );
    }
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(s["command"], "portfolio");
    assert_eq!(s["rows_valued"], 1200);
    assert_eq!(s["data_provenance"]["synthetic"], false);
    let html = std::fs::read_to_string(out.join("portfolio.html")).unwrap();
    assert_eq!(
        html.matches("<svg").count(),
        5,
        "five charts inline: distribution, by industry, by province, score against value, radar"
    );
    assert!(html.contains("评分短名单") && html.contains("评分与评估价值"));
    assert_eq!(s["scoring"]["rows_scored"], 1200);
    let grades: u64 = ["A", "B", "C", "D"]
        .iter()
        .map(|g| s["scoring"]["by_grade"][g].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(grades, 1200, "every sample row is graded");
    assert!(
        s["scoring"]["vetoed"].as_u64().unwrap() > 0,
        "the sample has lapsed rows"
    );
    assert!(html.contains("科技成果组合评估概览") && html.contains("按省份"));
    // The totals in the summary are the sums of the rows (money to the fen).
    use polars::prelude::SerReader;
    let df = polars::prelude::ParquetReader::new(
        std::fs::File::open(out.join("portfolio.parquet")).unwrap(),
    )
    .finish()
    .unwrap();
    assert_eq!(df.height(), 1200);
    let total: rust_decimal::Decimal = df
        .column("value_yuan")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|v| v.unwrap().parse::<rust_decimal::Decimal>().unwrap())
        .sum();
    let stated: rust_decimal::Decimal = s["total_value"].as_str().unwrap().parse().unwrap();
    assert_eq!(total, stated);
    // No temporary file is left behind.
    let leftovers: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
}

/// 100,000 rows (income + cost, market columns left empty), 17 of them bad in six ways.
#[test]
fn one_hundred_thousand_rows_with_seventeen_bad_rows() {
    let d = dir("bad17");
    let mut header: Vec<String> = generate::COLUMNS.iter().map(|c| c.to_string()).collect();
    header.push("income.colour".into()); // an unknown field path: empty except in bad rows
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    let (kind, rev, filing, life, colour) = (
        col("subject.kind"),
        col("income.revenue"),
        col("subject.filing_date"),
        col("income.economic_life"),
        col("income.colour"),
    );
    let market: Vec<usize> = (0..header.len())
        .filter(|&j| header[j].starts_with("market."))
        .collect();
    // Bad rows (0-based data-row index → its kind of damage).
    let bad: Vec<(usize, &str)> = vec![
        (17, "kind"),
        (40_001, "kind"),
        (99_999, "kind"),
        (5, "revenue"),
        (12_345, "revenue"),
        (77_777, "revenue"),
        (0, "dates"),
        (50_000, "dates"),
        (88_888, "dates"),
        (3, "empty"),
        (23_456, "empty"),
        (65_432, "empty"),
        (9, "unknown"),
        (33_333, "unknown"),
        (99_000, "unknown"),
        (44_444, "extra"),
        (70_707, "extra"),
    ];
    let mut lines = vec![csv_line(&header)];
    for i in 0..100_000u64 {
        let mut r = generate::row(1, i);
        for &j in &market {
            r[j].clear();
        }
        r.push(String::new());
        match bad.iter().find(|b| b.0 == i as usize).map(|b| b.1) {
            Some("kind") => r[kind] = "patent_of_invention".into(),
            Some("revenue") => r[rev] = "-500000;600000;700000;800000;900000".into(),
            Some("dates") => r[filing] = "2026-03-01".into(),
            Some("empty") => r[life].clear(),
            Some("unknown") => r[colour] = "blue".into(),
            Some("extra") => r.push("surplus".into()),
            _ => {}
        }
        lines.push(csv_line(&r));
    }
    let table = d.join("subjects.csv");
    std::fs::write(&table, lines.join("\n") + "\n").unwrap();
    let out = d.join("out");
    let o = techval(
        &[
            "portfolio",
            "--subjects",
            table.to_str().unwrap(),
            "--template",
            TEMPLATE,
            "--out",
            out.to_str().unwrap(),
            "--format",
            "csv",
        ],
        None,
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("100000 rows read, 99983 valued, 17 rejected"),
        "{}",
        text(&o)
    );
    let mut rd = csv::Reader::from_path(out.join("rejects.csv")).unwrap();
    let rejects: Vec<csv::StringRecord> = rd.records().map(|r| r.unwrap()).collect();
    assert_eq!(rejects.len(), 17, "{rejects:?}");
    let rows: BTreeSet<u64> = rejects.iter().map(|r| r[1].parse().unwrap()).collect();
    let expected: BTreeSet<u64> = bad.iter().map(|b| b.0 as u64 + 1).collect();
    assert_eq!(rows, expected);
    // Each reject names what is wrong.
    for r in &rejects {
        let row: u64 = r[1].parse().unwrap();
        let what = bad.iter().find(|b| b.0 as u64 + 1 == row).unwrap().1;
        let (column, reason) = (&r[2], &r[4]);
        match what {
            "kind" => assert_eq!(column, "subject.kind", "{r:?}"),
            "revenue" => assert!(column.starts_with("income.revenue"), "{r:?}"),
            "dates" => assert!(column.starts_with("subject."), "{r:?}"),
            "empty" => assert!(
                column.contains("economic_life") || reason.contains("economic_life"),
                "{r:?}"
            ),
            "unknown" => assert_eq!(column, "income.colour", "{r:?}"),
            "extra" => assert!(reason.contains("fields where the header has"), "{r:?}"),
            _ => unreachable!(),
        }
    }
    let valued = std::fs::read_to_string(out.join("portfolio.csv")).unwrap();
    assert_eq!(valued.lines().count(), 99_983 + 1);
}

fn read_csv_rows(p: &Path, drop: &[&str]) -> Vec<Vec<String>> {
    let mut rd = csv::Reader::from_path(p).unwrap();
    let h: Vec<String> = rd
        .headers()
        .unwrap()
        .iter()
        .map(|s| s.to_string())
        .collect();
    let keep: Vec<usize> = (0..h.len())
        .filter(|&j| !drop.contains(&h[j].as_str()))
        .collect();
    rd.records()
        .map(|r| {
            let r = r.unwrap();
            keep.iter().map(|&j| r[j].to_string()).collect()
        })
        .collect()
}

/// Writes a generated portfolio of `rows` rows to `out`: one file, or a folder of `partitions`.
fn generate(rows: usize, partitions: Option<usize>, out: &Path) {
    let (rows, parts) = (rows.to_string(), partitions.map(|p| p.to_string()));
    let mut args = vec!["datasets", "portfolio", "--rows", &rows];
    if let Some(p) = &parts {
        args.extend(["--partitions", p.as_str()]);
    }
    args.extend(["--out", out.to_str().unwrap()]);
    let o = techval(&args, None, None);
    assert!(o.status.success(), "{}", text(&o));
}

#[test]
fn results_do_not_depend_on_threads_or_partitions() {
    let d = dir("determinism");
    let single = d.join("single.parquet");
    let parts = d.join("parts");
    generate(1500, None, &single);
    generate(1500, Some(3), &parts);
    let run = |subjects: &Path, out: &Path, threads: &str, format: &str| {
        let o = techval(
            &[
                "portfolio",
                "--subjects",
                subjects.to_str().unwrap(),
                "--template",
                TEMPLATE,
                "--simulate",
                "400",
                "--seed",
                "7",
                "--format",
                format,
                "--out",
                out.to_str().unwrap(),
            ],
            None,
            Some(threads),
        );
        assert!(o.status.success(), "{}", text(&o));
    };
    run(&single, &d.join("t1"), "1", "parquet");
    run(&single, &d.join("t2"), "2", "parquet");
    let a = std::fs::read(d.join("t1/portfolio.parquet")).unwrap();
    let b = std::fs::read(d.join("t2/portfolio.parquet")).unwrap();
    assert!(a == b, "portfolio.parquet differs between 1 and 2 threads");
    // The single file and the partitions: the same values row for row (row numbers and ranks,
    // by value and by score, are within each partition).
    run(&single, &d.join("c1"), "2", "csv");
    run(&parts, &d.join("c3"), "1", "csv");
    let whole = read_csv_rows(&d.join("c1/portfolio.csv"), &["row", "rank", "score_rank"]);
    let mut split = Vec::new();
    for k in 0..3 {
        split.extend(read_csv_rows(
            &d.join(format!("c3/portfolio/part-{k:05}.csv")),
            &["row", "rank", "score_rank"],
        ));
    }
    assert_eq!(whole.len(), 1500);
    assert!(
        whole == split,
        "partitioned results differ from the single-file run"
    );
    let s1 = std::fs::read_to_string(d.join("c1/summary.json")).unwrap();
    let s3 = std::fs::read_to_string(d.join("c3/summary.json")).unwrap();
    let v1: serde_json::Value = serde_json::from_str(&s1).unwrap();
    let v3: serde_json::Value = serde_json::from_str(&s3).unwrap();
    assert_eq!(v1["total_value"], v3["total_value"]);
    assert_eq!(v1["top"], v3["top"]);
}

#[test]
fn xlsx_in_and_out_and_damaged_input() {
    use calamine::Reader;
    let d = dir("xlsx");
    // XLSX out: the rows and a summary sheet.
    let o = techval(
        &[
            "portfolio",
            "--format",
            "xlsx",
            "--out",
            d.join("x").to_str().unwrap(),
        ],
        Some(&d),
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    let mut wb = calamine::open_workbook_auto(d.join("x/portfolio.xlsx")).unwrap();
    assert_eq!(
        wb.sheet_names(),
        vec!["概要 Summary".to_string(), "组合 Portfolio".to_string()]
    );
    let rows = wb.worksheet_range("组合 Portfolio").unwrap();
    assert_eq!(rows.height(), 1201);
    // XLSX in: the workbook's rows sheet is not a subjects table, but a subjects table written
    // as XLSX reads like the CSV.
    let sample = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/datasets/portfolios/sample.csv"
    );
    let mut w = rust_xlsxwriter::Workbook::new();
    let ws = w.add_worksheet();
    let mut rd = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(sample)
        .unwrap();
    for (i, r) in rd.records().take(201).enumerate() {
        for (j, c) in r.unwrap().iter().enumerate() {
            ws.write_string(i as u32, j as u16, c).unwrap();
        }
    }
    let xin = d.join("subjects.xlsx");
    w.save(&xin).unwrap();
    let o = techval(
        &[
            "portfolio",
            "--subjects",
            xin.to_str().unwrap(),
            "--template",
            TEMPLATE,
            "--format",
            "csv",
            "--out",
            d.join("y").to_str().unwrap(),
        ],
        None,
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("200 rows read, 200 valued"),
        "{}",
        text(&o)
    );
    // An unbalanced quote: one line naming the line, exit 2, nothing written.
    let mut body = std::fs::read_to_string(sample).unwrap();
    let at = body.match_indices('\n').nth(5).unwrap().0 + 1;
    body.insert(at, '"');
    let bad = d.join("quote.csv");
    std::fs::write(&bad, body).unwrap();
    let o = techval(
        &[
            "portfolio",
            "--subjects",
            bad.to_str().unwrap(),
            "--template",
            TEMPLATE,
            "--out",
            d.join("z").to_str().unwrap(),
        ],
        None,
        None,
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(
        err.lines().filter(|l| l.starts_with("error")).count(),
        1,
        "{err}"
    );
    assert!(err.contains("line 7") && err.len() < 400, "{err}");
    assert!(!d.join("z").exists());
    // No row valued: exit 2.
    let none = d.join("none.csv");
    std::fs::write(&none, "subject.id,subject.kind\nx,nonsense\n").unwrap();
    let o = techval(
        &[
            "portfolio",
            "--subjects",
            none.to_str().unwrap(),
            "--out",
            d.join("n").to_str().unwrap(),
        ],
        None,
        None,
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}

#[test]
fn deal_history_in_xlsx_with_a_damaged_row() {
    let d = dir("deals-xlsx");
    let public = concat!(env!("CARGO_MANIFEST_DIR"), "/datasets/deals_public.csv");
    let mut w = rust_xlsxwriter::Workbook::new();
    let ws = w.add_worksheet();
    let mut rd = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(public)
        .unwrap();
    let mut width = 0;
    for (i, r) in rd.records().enumerate() {
        let r = r.unwrap();
        width = width.max(r.len());
        for (j, c) in r.iter().enumerate() {
            if !c.is_empty() {
                ws.write_string(i as u32, j as u16, c).unwrap();
            }
        }
        if i == 4 {
            ws.write_string(4, width as u16, "extra").unwrap(); // a cell past the header
        }
    }
    let x = d.join("deals.xlsx");
    w.save(&x).unwrap();
    let case = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/datasets/cases/invention_patent_market.toml"
    );
    let o = techval(
        &[
            "value",
            "--case",
            case,
            "--approach",
            "market",
            "--deals",
            x.to_str().unwrap(),
        ],
        None,
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    let t = text(&o);
    assert!(t.contains("row 4") && t.contains("damaged record"), "{t}");
}

/// Without a template the sample rows lack `cost.method` and more: every row is a reject, the
/// command exits 2 with the rejects listed, and nothing but rejects.csv is written (it used to
/// fail drawing an empty histogram before saying why).
#[test]
fn a_table_with_no_valuable_row_lists_the_rejects_and_exits_2() {
    let d = std::env::temp_dir().join(format!("techval-pf-none-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    let sample = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/datasets/portfolios/sample.csv"
    ))
    .unwrap();
    let t = d.join("t.csv");
    std::fs::write(
        &t,
        sample.lines().take(4).collect::<Vec<_>>().join("\n") + "\n",
    )
    .unwrap();
    let out = d.join("out");
    let o = techval(
        &[
            "portfolio",
            "--subjects",
            t.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        None,
        None,
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("no row of") && err.contains("3 rejected"),
        "{err}"
    );
    assert!(err.contains("row 1, column cost"), "{err}");
    let files: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(files, ["rejects.csv"]);
}

/// A folder whose last partition is not Parquet: the run stops before valuing anything (every
/// partition's footer is read first, to plan the run), with one line naming that file, exit 2,
/// and no output at all — partitions are valued one at a time, but nothing is written until
/// all of them are.
#[test]
fn a_damaged_partition_stops_the_run_before_any_output() {
    let d = dir("damaged-partition");
    let parts = d.join("parts");
    generate(40, Some(2), &parts);
    std::fs::write(
        parts.join("part-00002.parquet"),
        "subject.id\nnot parquet\n",
    )
    .unwrap();
    let out = d.join("out");
    let o = techval(
        &[
            "portfolio",
            "--subjects",
            parts.to_str().unwrap(),
            "--template",
            TEMPLATE,
            "--approach",
            "income,cost",
            "--out",
            out.to_str().unwrap(),
        ],
        None,
        None,
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(lines[0].contains("part-00002.parquet"), "{err}");
    assert!(
        !out.exists() || std::fs::read_dir(&out).unwrap().next().is_none(),
        "outputs were written: {:?}",
        std::fs::read_dir(&out).map(|r| r.count())
    );
}
