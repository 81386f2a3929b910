//! Unit tests of the income approach: the legal term, unused sections, relations between inputs.

use super::plan::*;
use super::*;
use crate::models::ModelBook;
use crate::money::Money;
use crate::subject::Subject;
use rust_decimal::Decimal;
use std::str::FromStr;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn subject(kind: &str, filing: &str, vd: &str) -> Subject {
    toml::from_str(&format!(
        "id = \"x\"\nname = \"x\"\nkind = \"{kind}\"\nindustry = \"C39\"\nregion = \"广东\"\n{}valuation_date = \"{vd}\"\nowner = \"o\"",
        if filing.is_empty() { String::new() } else { format!("filing_date = \"{filing}\"\n") }
    ))
    .unwrap()
}

fn income(t: &str) -> IncomeAssumptions {
    toml::from_str(t).unwrap()
}

const RS: &str = r#"method = "revenue_split"
economic_life = 4
revenue = ["1000", "1000", "1000", "1000"]
[split]
method = "given"
rate = 0.1
basis = "sales"
[discount]
method = "given"
rate = 0.1
"#;

#[test]
fn an_expired_legal_term_values_at_zero_with_a_warning() {
    let m = ModelBook::builtin().unwrap();
    let v = value(
        &income(RS),
        &subject("utility_model", "2010-01-01", "2025-06-30"),
        &m,
    )
    .unwrap();
    assert_eq!(v.value, Money::ZERO);
    assert!(v.periods.is_empty());
    assert!(
        v.warnings
            .iter()
            .any(|w| w.contains("expired on 2020-01-01")),
        "{:?}",
        v.warnings
    );
}

#[test]
fn sections_the_method_does_not_use_are_reported_not_fatal() {
    let m = ModelBook::builtin().unwrap();
    let t = format!("{RS}[royalty]\ntax_rate = 0.25\n");
    let v = value(&income(&t), &subject("know_how", "", "2025-06-30"), &m).unwrap();
    assert!(v
        .warnings
        .iter()
        .any(|w| w.starts_with("income.royalty is ignored")));
    // 4 × 100 discounted at 10 %, end-year.
    let want = 100.0 * (1.0 - 1.1f64.powi(-4)) / 0.1;
    assert!((v.value.to_f64() - want).abs() < 0.006, "{}", v.value);
}

#[test]
fn relations_are_checked_with_field_paths() {
    let m = ModelBook::builtin().unwrap();
    let s = subject("know_how", "", "2025-06-30");
    let err = |t: &str| validate(&income(t), &s, &m).unwrap_err().to_string();
    let t = RS.replace("[discount]\nmethod = \"given\"\nrate = 0.1\n", "[discount]\nmethod = \"build_up\"\ntechnology = 0.01\nmarket = 0.01\ncapital = 0.01\nmanagement = 0.01\nrisk_free = 0.02\n");
    let t = t.replace("economic_life = 4", "economic_life = 4\ngrowth = 0.07");
    // r ≤ g over a finite horizon (no perpetuity is computed): allowed, and said.
    let plan = IncomePlan::compile(&income(&t), &s, &m).unwrap();
    assert!(
        plan.warnings
            .iter()
            .any(|w| w.starts_with("income.growth = 0.07 is at or above the discount rate 0.06")),
        "{:?}",
        plan.warnings
    );
    let t = RS.replace("economic_life = 4", "economic_life = 6");
    assert!(err(&t).starts_with(
        "income.growth: required: the horizon can reach 6 years but income.revenue lists 4"
    ));
    let t = RS.replace("basis = \"sales\"", "basis = \"profit\"");
    assert!(err(&t).starts_with("income.split.margin: required to convert K_profit to K_sales"));
    let t = RS.replace("rate = 0.1\nbasis", "ip_cost = \"5\"\nrate = 0.1\nbasis");
    assert_eq!(err(&t), "income.split.ip_cost: is only used when income.split.method = equivalent_investment (here it is given)");
    let t = RS.replace("method = \"revenue_split\"", "method = \"profit_split\"");
    assert!(err(&t).starts_with("income.profit: required (at least one year of profit"));
    let t = RS.replace("\"1000\", \"1000\"]", "\"1000\", \"-5\"]");
    assert!(err(&t).starts_with("income.revenue[3] = -5: must be an amount"));
}

#[test]
fn legal_remaining_counts_whole_years_and_days() {
    let m = ModelBook::builtin().unwrap();
    let l = legal_term(&subject("utility_model", "2020-03-01", "2025-03-01"), &m)
        .unwrap()
        .unwrap();
    assert_eq!(l.expiry.to_string(), "2030-03-01");
    assert_eq!(l.remaining, d("5"));
    let l = legal_term(&subject("utility_model", "2020-03-01", "2025-09-01"), &m)
        .unwrap()
        .unwrap();
    // 4 whole years to 2029-09-01, then 181 of the 365 days to 2030-09-01.
    assert_eq!(
        l.remaining,
        Decimal::from(4) + Decimal::from(181) / Decimal::from(365)
    );
    let l = legal_term(&subject("utility_model", "2010-03-01", "2025-09-01"), &m)
        .unwrap()
        .unwrap();
    assert_eq!(l.remaining, Decimal::ZERO);
    assert!(legal_term(&subject("know_how", "", "2025-09-01"), &m)
        .unwrap()
        .is_none());
}

#[test]
fn eval_checked_is_eval_and_domain_error_in_one_call() {
    // Monte Carlo calls `eval_checked` on every path: the same value, bit for bit, as `eval`,
    // and "outside" exactly when `domain_error` says so — for whole and fractional lives
    // (the integer part is taken by a cast, not `floor`) and rates at, below and above 0.
    use crate::valuation::Model;
    let m = ModelBook::builtin().unwrap();
    let s = subject("invention_patent", "2024-01-01", "2025-06-30");
    let plan = IncomePlan::compile(&income(RS), &s, &m).unwrap();
    let life = plan
        .inputs()
        .iter()
        .position(|i| i.path == "income.economic_life")
        .unwrap();
    let rate = plan
        .inputs()
        .iter()
        .position(|i| i.path == "income.discount.rate")
        .unwrap();
    let mut outside = 0;
    for n in [0.0, 0.4, 1.0, 2.5, 3.999_999, 4.0, 6.25] {
        for r in [-0.5, -0.01, 0.0, 1e-9, 0.08, 0.1, 0.35] {
            let mut x = plan.point();
            x[life] = n;
            x[rate] = r;
            let (v, out) = plan.eval_checked(&x);
            assert_eq!(v.to_bits(), plan.eval(&x).to_bits(), "life {n}, r {r}");
            assert_eq!(out, plan.domain_error(&x).is_some(), "life {n}, r {r}");
            outside += usize::from(out);
        }
    }
    assert_eq!(outside, 7 * 3);
    // A fractional life: the last part-year counts as a fraction of a period.
    let mut x = plan.point();
    x[life] = 2.5;
    let (two, _) = {
        let mut y = x.clone();
        y[life] = 2.0;
        plan.eval_checked(&y)
    };
    let (three, _) = {
        let mut y = x.clone();
        y[life] = 3.0;
        plan.eval_checked(&y)
    };
    let (half, _) = plan.eval_checked(&x);
    assert!(two < half && half < three, "{two} {half} {three}");
}
