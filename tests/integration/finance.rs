//! Finance chain (保 贷 投 易) and `techval pipeline`: published worked numbers, independent
//! references, the rulebooks, bad rulebooks and the CLI.
//!
//! The repayment references were computed independently of techval with Python's `decimal`
//! module at 50 significant digits by `tests/reference/finance_schedules.py` (in this repo):
//! PMT = P·i / (1 − (1+i)^−n) with i = 0.0435/12 = 0.003625, n = 36, P = 1,000,000; the level
//! payment rounded half up to the fen (29,679.93 — the spreadsheet PMT(4.35%/12, 36, −1000000)
//! = 29,679.934107… rounded); each line's interest = round(opening balance × i); principal =
//! payment − interest (等额本息) or round(P/36) = 27,777.78 (等额本金); the last line takes the
//! remaining balance. All values below are the script's output, copied verbatim.

use super::finance_stages::lending_value;
use rust_decimal::Decimal;
use std::path::PathBuf;
use std::process::Command;
use techval::finance::guarantee::{self, SharingTerms};
use techval::finance::inputs::RepayMethod;
use techval::finance::invest;
use techval::finance::lend;
use techval::finance::rules::{PoolTiming, Role};
use techval::money::Money;
use techval::rulebook;

pub(super) fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

pub(super) fn m(s: &str) -> Money {
    Money::new(d(s))
}

/// (period, payment, interest, principal, closing balance) — 等额本息, reference script output.
pub(super) const ANNUITY_REF: [(u32, &str, &str, &str, &str); 36] = [
    (1, "29679.93", "3625.00", "26054.93", "973945.07"),
    (2, "29679.93", "3530.55", "26149.38", "947795.69"),
    (3, "29679.93", "3435.76", "26244.17", "921551.52"),
    (4, "29679.93", "3340.62", "26339.31", "895212.21"),
    (5, "29679.93", "3245.14", "26434.79", "868777.42"),
    (6, "29679.93", "3149.32", "26530.61", "842246.81"),
    (7, "29679.93", "3053.14", "26626.79", "815620.02"),
    (8, "29679.93", "2956.62", "26723.31", "788896.71"),
    (9, "29679.93", "2859.75", "26820.18", "762076.53"),
    (10, "29679.93", "2762.53", "26917.40", "735159.13"),
    (11, "29679.93", "2664.95", "27014.98", "708144.15"),
    (12, "29679.93", "2567.02", "27112.91", "681031.24"),
    (13, "29679.93", "2468.74", "27211.19", "653820.05"),
    (14, "29679.93", "2370.10", "27309.83", "626510.22"),
    (15, "29679.93", "2271.10", "27408.83", "599101.39"),
    (16, "29679.93", "2171.74", "27508.19", "571593.20"),
    (17, "29679.93", "2072.03", "27607.90", "543985.30"),
    (18, "29679.93", "1971.95", "27707.98", "516277.32"),
    (19, "29679.93", "1871.51", "27808.42", "488468.90"),
    (20, "29679.93", "1770.70", "27909.23", "460559.67"),
    (21, "29679.93", "1669.53", "28010.40", "432549.27"),
    (22, "29679.93", "1567.99", "28111.94", "404437.33"),
    (23, "29679.93", "1466.09", "28213.84", "376223.49"),
    (24, "29679.93", "1363.81", "28316.12", "347907.37"),
    (25, "29679.93", "1261.16", "28418.77", "319488.60"),
    (26, "29679.93", "1158.15", "28521.78", "290966.82"),
    (27, "29679.93", "1054.75", "28625.18", "262341.64"),
    (28, "29679.93", "950.99", "28728.94", "233612.70"),
    (29, "29679.93", "846.85", "28833.08", "204779.62"),
    (30, "29679.93", "742.33", "28937.60", "175842.02"),
    (31, "29679.93", "637.43", "29042.50", "146799.52"),
    (32, "29679.93", "532.15", "29147.78", "117651.74"),
    (33, "29679.93", "426.49", "29253.44", "88398.30"),
    (34, "29679.93", "320.44", "29359.49", "59038.81"),
    (35, "29679.93", "214.02", "29465.91", "29572.90"),
    (36, "29680.10", "107.20", "29572.90", "0.00"),
];

/// (period, payment, interest, principal, closing balance) — 等额本金, reference script output.
pub(super) const EQUAL_PRINCIPAL_REF: [(u32, &str, &str, &str, &str); 36] = [
    (1, "31402.78", "3625.00", "27777.78", "972222.22"),
    (2, "31302.09", "3524.31", "27777.78", "944444.44"),
    (3, "31201.39", "3423.61", "27777.78", "916666.66"),
    (4, "31100.70", "3322.92", "27777.78", "888888.88"),
    (5, "31000.00", "3222.22", "27777.78", "861111.10"),
    (6, "30899.31", "3121.53", "27777.78", "833333.32"),
    (7, "30798.61", "3020.83", "27777.78", "805555.54"),
    (8, "30697.92", "2920.14", "27777.78", "777777.76"),
    (9, "30597.22", "2819.44", "27777.78", "749999.98"),
    (10, "30496.53", "2718.75", "27777.78", "722222.20"),
    (11, "30395.84", "2618.06", "27777.78", "694444.42"),
    (12, "30295.14", "2517.36", "27777.78", "666666.64"),
    (13, "30194.45", "2416.67", "27777.78", "638888.86"),
    (14, "30093.75", "2315.97", "27777.78", "611111.08"),
    (15, "29993.06", "2215.28", "27777.78", "583333.30"),
    (16, "29892.36", "2114.58", "27777.78", "555555.52"),
    (17, "29791.67", "2013.89", "27777.78", "527777.74"),
    (18, "29690.97", "1913.19", "27777.78", "499999.96"),
    (19, "29590.28", "1812.50", "27777.78", "472222.18"),
    (20, "29489.59", "1711.81", "27777.78", "444444.40"),
    (21, "29388.89", "1611.11", "27777.78", "416666.62"),
    (22, "29288.20", "1510.42", "27777.78", "388888.84"),
    (23, "29187.50", "1409.72", "27777.78", "361111.06"),
    (24, "29086.81", "1309.03", "27777.78", "333333.28"),
    (25, "28986.11", "1208.33", "27777.78", "305555.50"),
    (26, "28885.42", "1107.64", "27777.78", "277777.72"),
    (27, "28784.72", "1006.94", "27777.78", "249999.94"),
    (28, "28684.03", "906.25", "27777.78", "222222.16"),
    (29, "28583.34", "805.56", "27777.78", "194444.38"),
    (30, "28482.64", "704.86", "27777.78", "166666.60"),
    (31, "28381.95", "604.17", "27777.78", "138888.82"),
    (32, "28281.25", "503.47", "27777.78", "111111.04"),
    (33, "28180.56", "402.78", "27777.78", "83333.26"),
    (34, "28079.86", "302.08", "27777.78", "55555.48"),
    (35, "27979.17", "201.39", "27777.78", "27777.70"),
    (36, "27878.39", "100.69", "27777.70", "0.00"),
];

pub(super) fn check_against(method: RepayMethod, reference: &[(u32, &str, &str, &str, &str); 36]) {
    let s = lend::schedule(
        Money::from_yuan(1_000_000),
        d("0.0435"),
        36,
        12,
        method,
        None,
    )
    .unwrap();
    assert_eq!(s.lines.len(), 36);
    for (l, r) in s.lines.iter().zip(reference.iter()) {
        assert_eq!(l.period, r.0);
        assert_eq!(l.payment, m(r.1), "payment, period {}", r.0);
        assert_eq!(l.interest, m(r.2), "interest, period {}", r.0);
        assert_eq!(l.principal, m(r.3), "principal, period {}", r.0);
        assert_eq!(l.balance, m(r.4), "balance, period {}", r.0);
    }
    let principal = Money::checked_sum(s.lines.iter().map(|l| l.principal)).unwrap();
    assert_eq!(
        principal,
        Money::from_yuan(1_000_000),
        "principal sums exactly to the loan"
    );
}

#[test]
pub(super) fn annuity_payment_is_the_spreadsheet_pmt_rounded_to_the_fen() {
    let s = lend::schedule(
        Money::from_yuan(1_000_000),
        d("0.0435"),
        36,
        12,
        RepayMethod::Annuity,
        None,
    )
    .unwrap();
    // Reference PMT at 50 digits: 29679.934107626599123078520432080911824114946784688.
    let exact = s.level_payment_exact.unwrap();
    assert!((exact - d("29679.9341076265991230785204")).abs() < d("0.0000000000000000001"));
    assert_eq!(s.lines[0].payment, m("29679.93"));
    // Totals from the reference script: interest 68,477.65.
    assert_eq!(s.total_interest, m("68477.65"));
}

#[test]
pub(super) fn annuity_schedule_matches_the_independent_reference() {
    check_against(RepayMethod::Annuity, &ANNUITY_REF);
}

#[test]
pub(super) fn equal_principal_schedule_matches_the_independent_reference() {
    check_against(RepayMethod::EqualPrincipal, &EQUAL_PRINCIPAL_REF);
    let s = lend::schedule(
        Money::from_yuan(1_000_000),
        d("0.0435"),
        36,
        12,
        RepayMethod::EqualPrincipal,
        None,
    )
    .unwrap();
    // Totals from the reference script: interest 67,062.50.
    assert_eq!(s.total_interest, m("67062.50"));
}

#[test]
pub(super) fn vc_method_reproduces_the_published_worked_sheet() {
    // Terminal-year net income 2,500,000 × P/E 15 = 37,500,000; required return 50%, 5 years:
    // post-money = 37,500,000 / 1.5^5 = 4,938,271.6049… → 4,938,271.60.
    let (stages, _) = rulebook::load_vc_stages(None).unwrap();
    let req = invest::required_return(Some(d("0.5")), None, None, 5, &stages).unwrap();
    assert_eq!(req.multiple, d("7.59375"));
    let tv = Money::from_yuan(2_500_000).checked_mul(d("15")).unwrap();
    let mut tr = techval::AuditTrail::new();
    let v = invest::vc_method(
        tv,
        5,
        &req,
        Decimal::ONE,
        Decimal::ONE,
        Some(Money::from_yuan(1_000_000)),
        &mut tr,
    )
    .unwrap();
    assert_eq!(v.post_money, m("4938271.60"));
    assert_eq!(v.pre_money, Some(m("3938271.60")));
    assert!(tr.find("vc.post_money").is_some());
}

#[test]
pub(super) fn jinan_waterfall_puts_200000_on_the_bank_before_the_pool() {
    let rb = rulebook::load_rulebook(Some("jinan_2242"), None)
        .unwrap()
        .rulebook;
    let terms = SharingTerms::from_rulebook(&rb);
    let loss = Money::from_yuan(1_000_000);
    let wf = guarantee::waterfall(&terms, loss).unwrap();
    let bank = wf.bank().unwrap();
    assert_eq!(bank.role, Role::Bank);
    assert_eq!(bank.before_pool, Money::from_yuan(200_000));
    assert_eq!(
        wf.line("national_fund").unwrap().before_pool,
        Money::from_yuan(200_000)
    );
    assert_eq!(
        wf.line("provincial_reguarantor").unwrap().before_pool,
        Money::from_yuan(200_000)
    );
    assert_eq!(
        wf.line("city_guarantor").unwrap().before_pool,
        Money::from_yuan(400_000)
    );
    // The pool rule as the rulebook writes it: after the split, reimburse `rate` × the covered
    // parties' borne loss, in total at most cap_share_of_loss × the principal loss.
    let pool = rb.risk_sharing.pool.as_ref().unwrap();
    assert_eq!(pool.timing, PoolTiming::AfterSplit);
    assert_eq!(pool.covers, vec!["bank".to_string()]);
    let claim = bank.before_pool.checked_mul(pool.rate).unwrap();
    let cap = loss.checked_mul(pool.cap_share_of_loss).unwrap();
    let expected_pool = claim.min(cap).round_fen();
    assert_eq!(wf.pool_pays, expected_pool);
    assert_eq!(bank.pool_compensation, expected_pool);
    assert_eq!(
        bank.after_pool,
        Money::from_yuan(200_000)
            .checked_sub(expected_pool)
            .unwrap()
    );
    // As shipped (rate 50%, cap 50% of the loss): the pool pays 100,000; the bank keeps 100,000.
    assert_eq!(wf.pool_pays, Money::from_yuan(100_000));
    // Other parties are not covered by the pool.
    assert!(wf
        .lines
        .iter()
        .filter(|l| l.role != Role::Bank)
        .all(|l| l.pool_compensation.is_zero()));
    let total = Money::checked_sum(wf.lines.iter().map(|l| l.after_pool))
        .unwrap()
        .checked_add(wf.pool_pays)
        .unwrap();
    assert_eq!(total, loss);
}

#[test]
pub(super) fn every_shipped_rulebook_loads_with_its_published_figures() {
    let names = rulebook::builtin_names();
    assert_eq!(names.len(), 4);
    // Every file in models/rulebooks/ is shipped (compiled in) and loads from its path too.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models/rulebooks");
    let mut on_disk = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "toml") {
            on_disk += 1;
            let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
            assert!(
                names.iter().any(|n| *n == stem),
                "{stem} is not compiled in"
            );
            let rb = rulebook::load_rulebook(Some(p.to_str().unwrap()), None)
                .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
                .rulebook;
            assert_eq!(rb.id, stem);
        }
    }
    assert_eq!(on_disk, names.len());
    for n in &names {
        let rb = rulebook::load_rulebook(Some(n), None).unwrap().rulebook;
        let sum: Decimal = rb.risk_sharing.parties.iter().map(|p| p.share).sum();
        assert_eq!(sum, Decimal::ONE, "{n}");
    }
    let bank = rulebook::load_rulebook(None, None).unwrap().rulebook;
    assert_eq!(bank.id, "bank_default");
    use techval::IpKind;
    assert_eq!(bank.pledge_rate(IpKind::InventionPatent), Some(d("0.25")));
    assert_eq!(bank.pledge_rate(IpKind::UtilityModel), Some(d("0.15")));
    assert_eq!(bank.pledge_rate(IpKind::Trademark), Some(d("0.50")));
    assert_eq!(bank.loan.max_tenor_months, 36);
    let sc = rulebook::load_rulebook(Some("sichuan_tianfu_zhilaidai"), None)
        .unwrap()
        .rulebook;
    assert_eq!(sc.loan.max_amount, Some(Money::from_yuan(10_000_000)));
    assert_eq!(sc.loan.max_tenor_months, 12);
    assert_eq!(sc.loan.rate.max_spread, Some(d("0.015")));
    assert_eq!(sc.guarantee.as_ref().unwrap().fees[0].rate, d("0.01"));
    assert_eq!(sc.subsidy.as_ref().unwrap().rate, d("0.015"));
    let na = rulebook::load_rulebook(Some("national_reguarantee"), None)
        .unwrap()
        .rulebook;
    assert_eq!(na.party("national_fund").unwrap().share, d("0.2"));
    assert!(na.bank().unwrap().share >= d("0.2"));
    let re = &na.guarantee.as_ref().unwrap().fees[1];
    assert_eq!(
        (re.rate, re.reduced.as_ref().unwrap().rate),
        (d("0.005"), d("0.003"))
    );
    assert_eq!(
        re.reduced.as_ref().unwrap().up_to,
        Money::from_yuan(5_000_000)
    );
    let jn = rulebook::load_rulebook(Some("jinan_2242"), None)
        .unwrap()
        .rulebook;
    assert_eq!(jn.guarantee.as_ref().unwrap().fees[0].rate, d("0.0076"));
    assert_eq!(jn.risk_sharing.bank_share_max, Some(d("0.20")));
}

#[test]
pub(super) fn national_reguarantee_fee_drops_to_0_3_percent_at_or_below_5_million() {
    let rb = rulebook::load_rulebook(Some("national_reguarantee"), None)
        .unwrap()
        .rulebook;
    let (lpr, _) = rulebook::load_lpr(None).unwrap();
    let _ = lpr;
    let lv = lending_value(40_000_000);
    let plan = guarantee::plan(
        &lv,
        ("x", techval::IpKind::InventionPatent),
        &[],
        &rb,
        None,
        Some(12),
    )
    .unwrap();
    // 5,000,000 guaranteed: the fund's risk 20% = 1,000,000 × 0.3% × 1 year = 3,000.00.
    let o = guarantee::outcome(&plan, Money::from_yuan(5_000_000), Money::ZERO, None).unwrap();
    let re = o.fees.iter().find(|f| f.name == "再担保费").unwrap();
    assert_eq!((re.rate, re.amount), (d("0.003"), Money::from_yuan(3_000)));
    // 5,000,000.01 guaranteed: 0.5% on 1,000,000.00 (the fund's 20%, rounded) = 5,000.00.
    let o = guarantee::outcome(&plan, m("5000000.01"), Money::ZERO, None).unwrap();
    let re = o.fees.iter().find(|f| f.name == "再担保费").unwrap();
    assert_eq!((re.rate, re.amount), (d("0.005"), Money::from_yuan(5_000)));
    // The re-guarantee fee is the guarantor's cost, not the borrower's: 1% guarantee fee only.
    assert_eq!(o.borrower_fees, m("50000.00"));
}

// ── CLI ──────────────────────────────────────────────────────────────────────────────────

pub(super) fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_techval"))
}

pub(super) fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub(super) fn fixture() -> String {
    root()
        .join("tests/fixtures/cost_only_finance.toml")
        .display()
        .to_string()
}

pub(super) fn tmp(name: &str) -> PathBuf {
    let p = std::env::temp_dir().join(format!("techval-finance-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&p);
    std::fs::create_dir_all(&p).unwrap();
    p
}

#[test]
pub(super) fn cli_lend_csv_matches_the_reference() {
    let out = bin()
        .args([
            "lend",
            "--amount",
            "1000000",
            "--rate",
            "4.35%",
            "--periods",
            "36",
            "--format",
            "csv",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "period,opening,payment,interest,principal,balance"
    );
    assert_eq!(lines.len(), 37);
    for (line, r) in lines[1..].iter().zip(ANNUITY_REF.iter()) {
        let f: Vec<&str> = line.split(',').collect();
        assert_eq!(
            (f[0], f[2], f[3], f[4], f[5]),
            (r.0.to_string().as_str(), r.1, r.2, r.3, r.4)
        );
    }
}

#[test]
pub(super) fn cli_bad_rulebooks_fail_with_one_line_errors_and_exit_2() {
    let cases = [
        (
            "splits_not_100.toml",
            "risk_sharing.parties[*].share",
            "sum to 1 (100%)",
        ),
        (
            "negative_fee_rate.toml",
            "guarantee.fees[0].rate",
            "must not be negative",
        ),
        (
            "negative_pledge_rate.toml",
            "pledge.rates.utility_model",
            "must not be negative",
        ),
        (
            "missing_share.toml",
            "risk_sharing.parties[3].share",
            "missing: the field is required",
        ),
        (
            "missing_dscr.toml",
            "loan.dscr_min",
            "missing: the field is required",
        ),
        (
            "bank_share_above_max.toml",
            "risk_sharing.parties[3].share",
            "bank_share_max",
        ),
        (
            "pool_covers_unknown.toml",
            "risk_sharing.pool.covers[0]",
            "is not the id of a party",
        ),
    ];
    for (file, path, problem) in cases {
        let f = root().join("tests/bad_rulebooks").join(file);
        for cmd in ["guarantee", "pipeline"] {
            let out = bin()
                .args([
                    cmd,
                    "--case",
                    &fixture(),
                    "--rulebook",
                    &f.display().to_string(),
                ])
                .args(if cmd == "pipeline" {
                    vec!["--out", "/nonexistent-techval-dir"]
                } else {
                    vec![]
                })
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(2), "{file} {cmd}");
            let err = String::from_utf8(out.stderr).unwrap();
            assert_eq!(err.trim_end().lines().count(), 1, "{file}: one line: {err}");
            assert!(err.contains(file), "{file}: names the file: {err}");
            assert!(err.contains(path), "{file}: names {path}: {err}");
            assert!(err.contains(problem), "{file}: says {problem}: {err}");
        }
    }
}

#[test]
pub(super) fn cli_unknown_rulebook_name_is_a_user_error() {
    let out = bin()
        .args([
            "guarantee",
            "--case",
            &fixture(),
            "--rulebook",
            "no_such_programme",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("--rulebook") && err.contains("bank_default"),
        "{err}"
    );
}

#[test]
pub(super) fn cli_pipeline_on_a_cost_only_case_writes_every_stage() {
    let dir = tmp("pipeline");
    for rb in rulebook::builtin_names() {
        let out = bin()
            .args(["pipeline", "--case", &fixture(), "--rulebook", rb, "--out"])
            .arg(&dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{rb}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let summary = String::from_utf8(out.stdout).unwrap();
        assert!(summary.contains("binding:"), "{summary}");
        assert!(summary.lines().count() < 40, "one screen:\n{summary}");
        let path = dir.join("cost-only-c39").join("pipeline.json");
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(v["rulebook"]["id"], *rb);
        assert_eq!(v["case_id"], "cost-only-c39");
        assert!(v["seed"].is_null());
        for stage in ["guarantee", "loan", "invest", "trade"] {
            let steps = v["stages"][stage]["audit"].as_array().unwrap();
            assert!(!steps.is_empty(), "{rb}: {stage} has an audit trail");
        }
        assert_eq!(v["stages"]["valuations"][0]["approach"], "cost");
        assert_eq!(v["lending_value"]["approach"], "cost");
        // The loan's schedule sums to the loan.
        let loan: Decimal = v["stages"]["loan"]["amount"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        let sum: Decimal = v["stages"]["loan"]["schedule"]["lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["principal"].as_str().unwrap().parse::<Decimal>().unwrap())
            .sum();
        assert_eq!(sum, loan, "{rb}");
        // The report set is written beside the JSON, and no temporary file is left behind.
        let left: Vec<String> = std::fs::read_dir(dir.join("cost-only-c39"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        for f in [
            "pipeline.json",
            "report.html",
            "credit_memo.html",
            "workbook.xlsx",
        ] {
            assert!(left.iter().any(|x| x == f), "{rb}: {f} missing in {left:?}");
        }
        assert!(!left.iter().any(|x| x.ends_with(".tmp")), "{left:?}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
pub(super) fn cli_each_stage_runs_alone() {
    for cmd in ["guarantee", "lend", "invest", "trade"] {
        for fmt in ["table", "json"] {
            let out = bin()
                .args([
                    cmd,
                    "--case",
                    &fixture(),
                    "--rulebook",
                    "jinan_2242",
                    "--format",
                    fmt,
                ])
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{cmd} {fmt}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            if fmt == "json" {
                let _: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            }
        }
    }
    // The acceptance loss split through the CLI.
    let out = bin()
        .args([
            "guarantee",
            "--case",
            &fixture(),
            "--rulebook",
            "jinan_2242",
            "--amount",
            "1000000",
            "--loss",
            "1000000",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let lines = v["outcome"]["waterfall"]["lines"].as_array().unwrap();
    let bank = lines.iter().find(|l| l["role"] == "bank").unwrap();
    assert_eq!(bank["before_pool"], "200000");
    assert_eq!(bank["after_pool"], "100000");
    assert_eq!(v["outcome"]["waterfall"]["pool_pays"], "100000");
}

#[test]
pub(super) fn cli_lend_rejects_bad_flags_with_exit_2() {
    for args in [
        vec!["lend", "--amount", "1000000", "--rate", "0.0435"],
        vec!["lend", "--amount=-5", "--rate", "0.0435", "--periods", "12"],
        vec![
            "lend",
            "--amount",
            "1000",
            "--rate",
            "abc",
            "--periods",
            "12",
        ],
        vec![
            "lend",
            "--amount",
            "1000",
            "--rate",
            "0.04",
            "--periods",
            "12",
            "--per-year",
            "5",
        ],
        vec!["lend", "--case", "x.toml", "--rate", "0.04"],
    ] {
        let out = bin().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
    }
}

/// `techval pipeline` with no arguments runs the bundled demo (income + cost) through all stages.
#[test]
pub(super) fn cli_pipeline_with_no_arguments_runs_the_demo() {
    let dir = tmp("demo");
    let out = bin().arg("pipeline").current_dir(&dir).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let path = dir
        .join("reports")
        .join("demo-invention-c39")
        .join("pipeline.json");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(v["rulebook"]["id"], "bank_default");
    // The demo has income + cost and a [simulation]: the reconciled value's P10 is lent on.
    let lv = &v["lending_value"];
    assert!(lv["approach"].is_null() && lv["reconciled"] == true, "{lv}");
    assert_eq!(lv["basis"], "downside");
    assert_eq!(lv["downside"]["label"], "P10");
    assert_eq!(lv["downside"]["of"], "reconciled value");
    assert_eq!(lv["downside"]["samples"], 20000);
    assert_eq!(v["seed"], lv["downside"]["seed"]);
    assert_eq!(
        lv["point_value"],
        v["stages"]["reconciliation"]["concluded_value"]
    );
    let parse = |x: &serde_json::Value| x.as_str().unwrap().parse::<Decimal>().unwrap();
    assert!(parse(&lv["value"]) < parse(&lv["point_value"]));
    assert_eq!(
        lv["value"],
        v["stages"]["simulation"]["money"]["pledge_value"]
    );
    assert!(v["lending_rule"].as_str().unwrap().contains("reconciled"));
    let summary = String::from_utf8(out.stdout).unwrap();
    for s in [
        "reconciled",
        "P5 ",
        "P50 ",
        "P95 ",
        "pledge value P10",
        "value lent on",
    ] {
        assert!(summary.contains(s), "missing {s:?} in\n{summary}");
    }
    for stage in ["guarantee", "loan", "invest", "trade"] {
        assert!(!v["stages"][stage]["audit"].as_array().unwrap().is_empty());
    }
    // 评 carries its trail too: every valuation and the reconciliation.
    let vals = v["stages"]["valuations"].as_array().unwrap();
    assert_eq!(vals.len(), 2);
    for val in vals {
        let steps = val["audit"].as_array().unwrap();
        assert!(steps.len() >= 5, "{}", val["approach"]);
        for st in steps {
            assert!(st["name"].is_string() && st["formula"].is_string() && st["value"].is_object());
        }
    }
    assert!(!v["stages"]["reconciliation"]["audit"]
        .as_array()
        .unwrap()
        .is_empty());
    assert_eq!(v["stages"]["simulation"]["samples"], 20000);
    let _ = std::fs::remove_dir_all(&dir);
}
