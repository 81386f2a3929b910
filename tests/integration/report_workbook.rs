//! The audit workbook's formulas re-computed against results.json, and the `techval report`
//! command writing the set.

use super::report::*;
use calamine::{Data, Reader, Xlsx};
use std::collections::HashMap;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::process::Command;
use techval::report::Lang;

// ---- a small evaluator for the workbook's formulas --------------------------------------------

struct Eval<'a> {
    s: Vec<char>,
    i: usize,
    cell: &'a dyn Fn(u32, u32) -> f64,
}

fn col_row(r: &str) -> (u32, u32) {
    let r = r.replace('$', "");
    let letters: String = r.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
    let digits = &r[letters.len()..];
    let col = letters
        .chars()
        .fold(0u32, |a, c| a * 26 + (c as u32 - 'A' as u32 + 1))
        - 1;
    (digits.parse::<u32>().unwrap() - 1, col)
}

impl Eval<'_> {
    fn peek(&self) -> Option<char> {
        self.s.get(self.i).copied()
    }
    fn expr(&mut self) -> f64 {
        let mut v = self.term();
        while let Some(c @ ('+' | '-')) = self.peek() {
            self.i += 1;
            let t = self.term();
            v = if c == '+' { v + t } else { v - t };
        }
        v
    }
    fn term(&mut self) -> f64 {
        let mut v = self.factor();
        while let Some(c @ ('*' | '/')) = self.peek() {
            self.i += 1;
            let t = self.factor();
            v = if c == '*' { v * t } else { v / t };
        }
        v
    }
    fn factor(&mut self) -> f64 {
        match self.peek() {
            Some('-') => {
                self.i += 1;
                -self.factor()
            }
            Some('(') => {
                self.i += 1;
                let v = self.expr();
                assert_eq!(self.peek(), Some(')'));
                self.i += 1;
                v
            }
            Some(c) if c.is_ascii_digit() || c == '.' => {
                let st = self.i;
                while self.peek().is_some_and(|c| c.is_ascii_digit() || c == '.') {
                    self.i += 1;
                }
                self.s[st..self.i]
                    .iter()
                    .collect::<String>()
                    .parse()
                    .unwrap()
            }
            Some(_) => {
                let st = self.i;
                while self
                    .peek()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || c == '$')
                {
                    self.i += 1;
                }
                let word: String = self.s[st..self.i].iter().collect();
                if self.peek() == Some('(') {
                    self.i += 1;
                    let v = match word.as_str() {
                        "SUM" => {
                            let a = self.reference();
                            assert_eq!(self.peek(), Some(':'));
                            self.i += 1;
                            let b = self.reference();
                            let (a, b) = (col_row(&a), col_row(&b));
                            let mut s = 0.0;
                            for r in a.0..=b.0 {
                                for c in a.1..=b.1 {
                                    s += (self.cell)(r, c);
                                }
                            }
                            s
                        }
                        "MEDIAN" => {
                            let mut v = vec![self.expr()];
                            while self.peek() == Some(',') {
                                self.i += 1;
                                v.push(self.expr());
                            }
                            v.sort_by(f64::total_cmp);
                            let n = v.len();
                            if n % 2 == 1 {
                                v[n / 2]
                            } else {
                                (v[n / 2 - 1] + v[n / 2]) / 2.0
                            }
                        }
                        "ROUND" => {
                            let x = self.expr();
                            assert_eq!(self.peek(), Some(','));
                            self.i += 1;
                            let dp = self.expr() as i32;
                            let k = 10f64.powi(dp);
                            (x * k).abs().round().copysign(x) / k
                        }
                        other => panic!("function {other} not expected in the workbook"),
                    };
                    assert_eq!(self.peek(), Some(')'));
                    self.i += 1;
                    v
                } else {
                    let (r, c) = col_row(&word);
                    (self.cell)(r, c)
                }
            }
            None => panic!("unexpected end of formula"),
        }
    }
    fn reference(&mut self) -> String {
        let st = self.i;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '$')
        {
            self.i += 1;
        }
        self.s[st..self.i].iter().collect()
    }
}

/// Re-evaluates every formula of a sheet from the cached values of the cells it references and
/// checks it against its own cached value. Returns (cell → cached value, formula count).
fn check_sheet(wb: &mut Xlsx<Cursor<Vec<u8>>>, sheet: &str) -> (HashMap<(u32, u32), f64>, usize) {
    let values = wb.worksheet_range(sheet).unwrap();
    let formulas = wb.worksheet_formula(sheet).unwrap();
    let mut cached = HashMap::new();
    for (r, c, v) in values.used_cells() {
        let (r, c) = (
            r as u32 + values.start().unwrap().0,
            c as u32 + values.start().unwrap().1,
        );
        if let Data::Float(x) = v {
            cached.insert((r, c), *x);
        } else if let Data::Int(x) = v {
            cached.insert((r, c), *x as f64);
        }
    }
    let mut n = 0;
    let start = formulas.start().unwrap_or((0, 0));
    for (r, c, f) in formulas.used_cells() {
        if f.is_empty() {
            continue;
        }
        let (r, c) = (r as u32 + start.0, c as u32 + start.1);
        let lookup = |rr: u32, cc: u32| {
            *cached.get(&(rr, cc)).unwrap_or_else(|| {
                panic!("{sheet}: formula at ({r},{c}) refers to an empty cell ({rr},{cc})")
            })
        };
        let mut e = Eval {
            s: f.trim_start_matches('=')
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect(),
            i: 0,
            cell: &lookup,
        };
        let got = e.expr();
        assert_eq!(e.i, e.s.len(), "{sheet}: formula `{f}` not fully parsed");
        let want = cached[&(r, c)];
        let tol = if want.abs() > 1.0 { 0.005 } else { 1e-9 };
        assert!(
            (got - want).abs() <= tol,
            "{sheet}!{}: `{f}` evaluates to {got}, cached {want}",
            techval::report::xlsx::a1(r, c as u16)
        );
        n += 1;
    }
    (cached, n)
}

/// The cached value of the last formula of a sheet that starts with `prefix` (e.g. `ROUND`).
fn last_formula(wb: &mut Xlsx<Cursor<Vec<u8>>>, sheet: &str, prefix: &str) -> (u32, u32) {
    let formulas = wb.worksheet_formula(sheet).unwrap();
    let start = formulas.start().unwrap();
    formulas
        .used_cells()
        .filter(|(_, _, f)| f.trim_start_matches('=').starts_with(prefix))
        .map(|(r, c, _)| (r as u32 + start.0, c as u32 + start.1))
        .next_back()
        .unwrap_or_else(|| panic!("{sheet}: no {prefix} formula"))
}

fn json_money(v: &serde_json::Value) -> f64 {
    v.as_str().unwrap().parse().unwrap()
}

#[test]
fn workbook_formulas_agree_with_the_json_results() {
    let set = case_set(None, Lang::Zh);
    let json: serde_json::Value = serde_json::from_str(&set.results_json).unwrap();
    let value_of = |a: &str| {
        json_money(
            &json["valuations"]
                .as_array()
                .unwrap()
                .iter()
                .find(|v| v["approach"] == a)
                .unwrap()["value"],
        )
    };
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(set.xlsx.clone())).unwrap();
    let names = wb.sheet_names();
    for s in [
        "收益法 Income",
        "成本法 Cost",
        "综合 Reconciliation",
        "蒙特卡洛 Monte Carlo",
        "还款计划 Schedule",
        "审计轨迹 Audit",
    ] {
        assert!(names.contains(&s.to_string()), "{s} missing: {names:?}");
    }
    // Each sheet's formulas re-evaluate to their cached values, and the values they conclude
    // are the JSON's, within 0.01 元.
    let close = |a: f64, b: f64, what: &str| {
        assert!((a - b).abs() < 0.01, "{what}: workbook {a} vs JSON {b}")
    };
    let (cached, n) = check_sheet(&mut wb, "成本法 Cost");
    assert!(n >= 8, "only {n} formulas in the cost sheet");
    close(
        cached[&last_formula(&mut wb, "成本法 Cost", "ROUND")],
        value_of("cost"),
        "cost value",
    );
    let (cached, n) = check_sheet(&mut wb, "收益法 Income");
    let periods = json["valuations"][0]["periods"].as_array().unwrap().len();
    assert_eq!(
        n,
        periods * 2 + 2,
        "attributable and PV per period, Σ and the value"
    );
    close(
        cached[&last_formula(&mut wb, "收益法 Income", "ROUND")],
        value_of("income"),
        "income value",
    );
    let (cached, n) = check_sheet(&mut wb, "综合 Reconciliation");
    assert_eq!(n, 2 + 2, "weighted per approach, Σ and the concluded value");
    close(
        cached[&last_formula(&mut wb, "综合 Reconciliation", "ROUND")],
        json_money(&json["reconciliation"]["concluded_value"]),
        "concluded value",
    );
    let (cached, n) = check_sheet(&mut wb, "还款计划 Schedule");
    let lines = json["loan"]["schedule"]["lines"].as_array().unwrap();
    assert!(
        n >= lines.len() * 3,
        "{n} formulas for {} periods",
        lines.len()
    );
    let (r, c) = last_formula(&mut wb, "还款计划 Schedule", "SUM");
    close(
        cached[&(r, c)],
        json_money(&json["loan"]["amount"]),
        "Σ principal = the loan",
    );
    close(
        cached[&(r, c - 1)],
        json_money(&json["loan"]["schedule"]["total_interest"]),
        "Σ interest",
    );
    let (_, n) = check_sheet(&mut wb, "蒙特卡洛 Monte Carlo");
    assert_eq!(
        n,
        json["simulation"]["stats"]["histogram"]
            .as_array()
            .unwrap()
            .len()
    );

    // The market case: adjusted = price × factors, the value = ROUND(MEDIAN(kept), 2).
    let set = case_set(Some(MARKET_CASE), Lang::En);
    let json: serde_json::Value = serde_json::from_str(&set.results_json).unwrap();
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(set.xlsx.clone())).unwrap();
    let (cached, n) = check_sheet(&mut wb, "市场法 Market");
    let comps = json["market"]["comparables"].as_array().unwrap().len();
    assert!(n >= comps + 2, "{n} formulas for {comps} comparables");
    close(
        cached[&last_formula(&mut wb, "市场法 Market", "ROUND")],
        json_money(&json["valuations"][0]["value"]),
        "market value",
    );
}

fn techval_bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_techval"))
}

#[test]
fn report_command_writes_the_set_and_fails_cleanly() {
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("report-cli");
    let _ = std::fs::remove_dir_all(&tmp);
    let out = tmp.join("set");
    let o = techval_bin()
        .args(["report", "--out"])
        .arg(&out)
        .args(["--lang", "en"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for f in [
        "report.html",
        "credit_memo.html",
        "workbook.xlsx",
        "results.json",
        "charts/football_field.svg",
        "charts/football_field.png",
        "charts/market_stats.svg",
        "charts/market_stats.png",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains("id=\"chart-football_field\"") && html.contains("id=\"chart-market_stats\"")
    );
    assert!(html.contains("Cost approach"));
    let leftovers: Vec<_> = walk(&out)
        .into_iter()
        .filter(|p| p.to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // `techval pipeline` writes the same set beside pipeline.json; --no-report only the JSON.
    let p = tmp.join("pipe");
    let o = techval_bin()
        .args(["pipeline", "--out"])
        .arg(&p)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let dir = p.join("demo-invention-c39");
    for f in [
        "pipeline.json",
        "report.html",
        "credit_memo.html",
        "workbook.xlsx",
        "charts/mc_histogram.png",
        "charts/loan_schedule.svg",
    ] {
        assert!(dir.join(f).is_file(), "pipeline: {f} missing");
    }
    let pj: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("pipeline.json")).unwrap()).unwrap();
    let rj: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("results.json")).unwrap()).unwrap();
    assert_eq!(
        pj["stages"]["loan"], rj["loan"],
        "the memo shows the pipeline's loan"
    );
    assert_eq!(pj["seed"], rj["seed"]);
    let p2 = tmp.join("pipe-only");
    let o = techval_bin()
        .args(["pipeline", "--no-report", "--format", "json", "--out"])
        .arg(&p2)
        .output()
        .unwrap();
    assert!(o.status.success());
    let files = walk(&p2);
    assert_eq!(files.len(), 1, "{files:?}");

    // A second set written into the same folder leaves no file of the first one behind: the
    // loss-sharing chart of the Jinan programme goes when the plain bank policy has none.
    let again = tmp.join("again");
    for rb in ["jinan_2242", "bank_default"] {
        let o = techval_bin()
            .args(["report", "--rulebook", rb, "--out"])
            .arg(&again)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert_eq!(
            again.join("charts/loss_sharing.png").is_file(),
            rb == "jinan_2242",
            "{rb}"
        );
    }

    // An option out of range: exit 2, one line, nothing written.
    let o = techval_bin()
        .args(["report", "--png-scale", "9", "--out"])
        .arg(tmp.join("scale"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("--png-scale = 9: must be a number from 0.5 to 4"),
        "{err}"
    );
    assert!(!tmp.join("scale").exists());

    // A bad case file: exit 2, one line naming the file and field, nothing written.
    let bad = tmp.join("bad.toml");
    let text = techval::case::DEMO_CASE
        .1
        .replace("used_years = 6.3", "used_years = -1");
    std::fs::write(&bad, text).unwrap();
    let out2 = tmp.join("bad-set");
    let o = techval_bin()
        .args(["report", "--case"])
        .arg(&bad)
        .arg("--out")
        .arg(&out2)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("bad.toml") && err.contains("cost.used_years"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(!out2.exists());

    // A bad statistics file names the file and line.
    let csv = tmp.join("m.csv");
    std::fs::write(&csv, "region_zh,region_en,year,direction,contracts,value_wan_yuan\n北京,Beijing,2020,inflow,x,1\n").unwrap();
    let o = techval_bin()
        .args(["report", "--out"])
        .arg(tmp.join("s3"))
        .arg("--market-stats")
        .arg(&csv)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("m.csv: line 2: column contracts = x"), "{err}");
}

fn walk(p: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(p) {
        for e in rd.flatten() {
            let path = e.path();
            if path.is_dir() {
                out.extend(walk(&path));
            } else {
                out.push(path);
            }
        }
    }
    out
}
