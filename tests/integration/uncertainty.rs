//! Monte Carlo, sensitivity and their CLI: degenerate distributions, a closed-form lognormal
//! case, thread-count determinism, tornado ordering, copula rank correlation, bad input.

use std::path::PathBuf;
use std::process::Command;
use techval::valuation::uncertainty::{
    self, sensitivity, simulate, summarize, Correlation, SimSettings,
};
use techval::valuation::{Approach, Model, PlanInput};
use techval::{Case, ModelBook};

pub(super) fn param(text: &str) -> techval::param::Param {
    #[derive(serde::Deserialize)]
    struct W {
        p: techval::param::Param,
    }
    let w: W = toml::from_str(&format!("p = {text}")).expect("test param parses");
    w.p
}

pub(super) fn input(path: &str, text: &str) -> PlanInput {
    PlanInput {
        path: path.to_string(),
        param: param(text),
    }
}

pub(super) fn corr(a: &str, b: &str, rho: &str) -> Correlation {
    Correlation {
        a: a.into(),
        b: b.into(),
        rho: techval::param::DecimalValue(rho.parse().expect("decimal")),
    }
}

pub(super) const SUBJECT: &str = r#"
[subject]
id = "mc-test"
name = "测试专利"
kind = "invention_patent"
industry = "C39"
region = "广东"
filing_date = 2019-03-15
valuation_date = 2025-06-30
owner = "某公司"
"#;

pub(super) fn tmp_case(name: &str, body: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("techval-uncertainty-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let p = dir.join(name);
    std::fs::write(&p, format!("{SUBJECT}\n{body}")).expect("write case");
    p
}

pub(super) fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_techval"))
}

/// A cost case where every uncertain-looking input is a degenerate distribution.
pub(super) const DEGENERATE_COST: &str = r#"
[cost]
method = "multiplier"
used_years = { dist = "fixed", value = 6 }
remaining_years = { dist = "scenarios", values = [8], probs = [1] }
functional_obsolescence = { dist = "fixed", value = 0.05 }
beta1 = { dist = "fixed", value = 2.2 }
beta2 = { dist = "scenarios", values = [0.3, 0.9], probs = [1, 0] }
profit_rate = { dist = "fixed", value = 0.15 }
[[cost.items]]
name = "labour"
amount = { dist = "fixed", value = "1833333.33" }
category = "labour"
[[cost.items]]
name = "material"
amount = { dist = "fixed", value = "654321.07" }
category = "material"
"#;

/// A cost case with uncertain inputs and a correlation.
pub(super) const UNCERTAIN_COST: &str = r#"
[cost]
method = "multiplier"
used_years = 6
remaining_years = { dist = "triangular", min = 5, mode = 8, max = 10 }
functional_obsolescence = { dist = "uniform", min = 0.0, max = 0.1 }
beta1 = { dist = "pert", min = 1.5, mode = 2.0, max = 3.0 }
beta2 = 0.3
profit_rate = { dist = "normal", mean = 0.15, sd = 0.03, min = 0.05, max = 0.3 }
[[cost.items]]
name = "labour"
amount = { dist = "lognormal", mean = 1800000, sd = 200000 }
category = "labour"
[[cost.items]]
name = "material"
amount = "650000"
category = "material"

[simulation]
threshold = "3000000"
[[simulation.correlation]]
a = "cost.beta1"
b = "cost.items[0].amount"
rho = 0.6
"#;

pub(super) fn load(body: &str) -> (Case, ModelBook) {
    let case = Case::parse("test.toml", &format!("{SUBJECT}\n{body}")).expect("case parses");
    let book = ModelBook::builtin().expect("models");
    case.validate(&book).expect("case validates");
    (case, book)
}

#[test]
pub(super) fn degenerate_distributions_reproduce_the_deterministic_value_to_the_fen() {
    let (case, book) = load(DEGENERATE_COST);
    let vals = techval::evaluate::run_approaches(&case, &book, &[Approach::Cost], None)
        .expect("cost runs");
    let model = techval::evaluate::compile_model(&case, &book, Approach::Cost)
        .expect("compiles")
        .expect("cost has a model");
    let settings = SimSettings {
        samples: 100_003,
        chunk_size: 4_096,
        ..SimSettings::default()
    };
    let s = summarize(Approach::Cost, model.as_ref(), &[], &settings).expect("simulates");
    let s = &s.dist;
    assert!(s.uncertain_inputs.is_empty());
    assert_eq!(s.money.mean, vals[0].value, "mean after the money boundary");
    assert_eq!(s.money.p5, vals[0].value);
    assert_eq!(s.money.p95, vals[0].value);
    assert_eq!(s.money.pledge_value, vals[0].value);
    assert_eq!(s.stats.sd, 0.0);
    assert_eq!(s.stats.min, s.stats.max);
    assert_eq!(s.stats.histogram.len(), 1);
    assert_eq!(s.stats.histogram[0].count, 100_003);
}

/// Relief from royalty written for this test: V = Σ S_t·k·(1−T)/(1+r)^t, one input per year.
pub(super) struct Rfr {
    inputs: Vec<PlanInput>,
    k: f64,
    tax: f64,
    r: f64,
}

impl Model for Rfr {
    fn inputs(&self) -> &[PlanInput] {
        &self.inputs
    }
    fn eval(&self, x: &[f64]) -> f64 {
        let v = 1.0 / (1.0 + self.r);
        let mut df = v;
        let mut pv = 0.0;
        for s in x {
            pv += s * df;
            df *= v;
        }
        pv * self.k * (1.0 - self.tax)
    }
}

/// Ten years of lognormal revenue, mean m_t = 10,000,000 × 1.05^(t−1), sd 0.3·m_t.
pub(super) fn lognormal_rfr() -> (Rfr, f64, f64) {
    let (k, tax, r): (f64, f64, f64) = (0.05, 0.25, 0.12);
    let mut inputs = Vec::new();
    let (mut mean, mut var) = (0.0, 0.0);
    for t in 1..=10 {
        let m = 10_000_000.0 * 1.05f64.powi(t - 1);
        let m = (m * 100.0).round() / 100.0;
        let sd = (0.3 * m * 100.0).round() / 100.0;
        inputs.push(input(
            &format!("income.revenue[{}]", t - 1),
            &format!("{{ dist = \"lognormal\", mean = \"{m:.2}\", sd = \"{sd:.2}\" }}"),
        ));
        let c = k * (1.0 - tax) / (1.0 + r).powi(t);
        mean += c * m;
        var += (c * sd) * (c * sd);
    }
    (Rfr { inputs, k, tax, r }, mean, var.sqrt())
}

#[test]
pub(super) fn lognormal_revenue_matches_the_closed_form_expected_pv() {
    let (model, expected, sd) = lognormal_rfr();
    let settings = SimSettings {
        samples: 200_000,
        seed: 4242,
        ..SimSettings::default()
    };
    let sim = simulate(&model, &[], &settings).expect("simulates");
    let st = &sim.stats;
    assert!(
        (st.mean - expected).abs() < 3.0 * st.std_error,
        "mean {} vs closed form {} (se {})",
        st.mean,
        expected,
        st.std_error
    );
    assert!(
        (st.sd / sd - 1.0).abs() < 0.03,
        "sd {} vs closed form {}",
        st.sd,
        sd
    );
    // Correlating the years changes the spread, not the expectation (linearity).
    let c = vec![
        corr("income.revenue[0]", "income.revenue[1]", "0.8"),
        corr("income.revenue[1]", "income.revenue[2]", "0.8"),
        corr("income.revenue[0]", "income.revenue[2]", "0.64"),
    ];
    let sim = simulate(&model, &c, &settings).expect("simulates");
    assert!(
        (sim.stats.mean - expected).abs() < 3.0 * sim.stats.std_error,
        "correlated mean {} vs {} (se {})",
        sim.stats.mean,
        expected,
        sim.stats.std_error
    );
    assert!(
        sim.stats.sd > st.sd,
        "positive correlation widens the spread"
    );
}

/// Value = the first input; the others are only correlated with it.
pub(super) struct First {
    inputs: Vec<PlanInput>,
}

impl Model for First {
    fn inputs(&self) -> &[PlanInput] {
        &self.inputs
    }
    fn eval(&self, x: &[f64]) -> f64 {
        x[0]
    }
}

#[test]
pub(super) fn copula_gives_the_requested_rank_correlations() {
    let model = First {
        inputs: vec![
            input("a", "{ dist = \"triangular\", min = 1, mode = 2, max = 6 }"),
            input("b", "{ dist = \"lognormal\", mean = 1, sd = 0.5 }"),
            input("c", "{ dist = \"uniform\", min = -1, max = 1 }"),
            input("d", "{ dist = \"pert\", min = 0, mode = 1, max = 4 }"),
            input("e", "{ dist = \"normal\", mean = 0, sd = 1, min = -1 }"),
        ],
    };
    let c = vec![
        corr("a", "b", "0.7"),
        corr("a", "c", "-0.4"),
        corr("a", "d", "0.2"),
        corr("e", "a", "0.5"),
    ];
    let settings = SimSettings {
        samples: 100_000,
        seed: 99,
        rank_correlation: true,
        ..SimSettings::default()
    };
    let sim = simulate(&model, &c, &settings).expect("simulates");
    let rho = |name: &str| {
        sim.rank_correlations
            .iter()
            .find(|r| r.input == name)
            .map(|r| r.rho)
            .expect("reported")
    };
    assert!((rho("a") - 1.0).abs() < 1e-12);
    for (name, target) in [("b", 0.7), ("c", -0.4), ("d", 0.2), ("e", 0.5)] {
        assert!(
            (rho(name) - target).abs() < 0.015,
            "{name}: rank correlation {} vs target {target}",
            rho(name)
        );
    }
    // Ordered by |ρ|.
    let abs: Vec<f64> = sim.rank_correlations.iter().map(|r| r.rho.abs()).collect();
    assert!(abs.windows(2).all(|w| w[0] >= w[1]));
    // Marginal of the first input unchanged by the copula: triangular mean (1+2+6)/3 = 3.
    assert!((sim.stats.mean - 3.0).abs() < 4.0 * sim.stats.std_error);
}

#[test]
pub(super) fn inconsistent_or_misnamed_correlations_are_rejected() {
    let model = First {
        inputs: vec![
            input("a", "{ dist = \"uniform\", min = 0, max = 1 }"),
            input("b", "{ dist = \"uniform\", min = 0, max = 1 }"),
            input("c", "{ dist = \"uniform\", min = 0, max = 1 }"),
            input("f", "3"),
        ],
    };
    let s = SimSettings::default();
    let bad = vec![
        corr("a", "b", "0.9"),
        corr("a", "c", "0.9"),
        corr("b", "c", "-0.9"),
    ];
    let e = simulate(&model, &bad, &s).unwrap_err().to_string();
    assert!(e.starts_with("simulation.correlation = "), "{e}");
    assert!(e.contains("not positive semi-definite"), "{e}");
    let e = simulate(&model, &[corr("a", "zz", "0.5")], &s)
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("simulation.correlation[0].b = zz:"), "{e}");
    let e = simulate(&model, &[corr("a", "f", "0.5")], &s)
        .unwrap_err()
        .to_string();
    assert!(e.contains("is not uncertain"), "{e}");
}

#[test]
pub(super) fn a_path_without_a_finite_value_is_an_error_naming_its_inputs() {
    struct Inv {
        inputs: Vec<PlanInput>,
    }
    impl Model for Inv {
        fn inputs(&self) -> &[PlanInput] {
            &self.inputs
        }
        fn eval(&self, x: &[f64]) -> f64 {
            1.0 / x[0].round()
        }
    }
    let m = Inv {
        inputs: vec![input(
            "income.discount.rate",
            "{ dist = \"normal\", mean = 0, sd = 1 }",
        )],
    };
    let e = simulate(&m, &[], &SimSettings::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("gave no finite value"), "{e}");
    assert!(e.contains("income.discount.rate = "), "{e}");
}

#[test]
pub(super) fn tornado_bars_are_ordered_by_swing_and_contain_the_base_value() {
    let (case, book) = load(UNCERTAIN_COST);
    let model = techval::evaluate::compile_model(&case, &book, Approach::Cost)
        .expect("compiles")
        .expect("model");
    let s = sensitivity(model.as_ref(), 0.1).expect("sensitivity");
    assert!(s.tornado.len() >= 6);
    assert!(s.tornado.windows(2).all(|w| w[0].swing >= w[1].swing));
    for b in &s.tornado {
        assert!(b.low <= s.base_value && s.base_value <= b.high, "{b:?}");
        assert!((b.swing - (b.high - b.low)).abs() < 1e-9);
    }
    // 成新率 rises with the remaining life: value at +10 % above value at −10 %.
    let rem = s
        .tornado
        .iter()
        .find(|b| b.input == "cost.remaining_years")
        .expect("bar");
    assert!(rem.value_at_high_input > rem.value_at_low_input && rem.monotone);
    // Zero-point inputs are reported as skipped, not drawn as empty bars.
    assert!(s
        .skipped
        .iter()
        .any(|k| k.input == "cost.economic_obsolescence"));
    // Spider: one line per bar, the middle point is the base value.
    let mid = s.spider_changes.iter().position(|c| *c == 0.0).expect("0");
    for l in &s.spider {
        assert_eq!(l.values[mid], Some(s.base_value));
        assert!(l.gaps.is_empty());
    }

    // A value that is not monotone in its input: both moves raise it; the bar still spans
    // the base value.
    struct Bowl {
        inputs: Vec<PlanInput>,
    }
    impl Model for Bowl {
        fn inputs(&self) -> &[PlanInput] {
            &self.inputs
        }
        fn eval(&self, x: &[f64]) -> f64 {
            1000.0 + (x[0] - 2.0).powi(2) * 100.0 + x[1] * 10.0
        }
    }
    let m = Bowl {
        inputs: vec![input("u", "2"), input("w", "1")],
    };
    let s = sensitivity(&m, 0.5).expect("sensitivity");
    let u = s.tornado.iter().find(|b| b.input == "u").expect("bar");
    assert!(!u.monotone);
    assert_eq!(u.low, s.base_value);
    assert!(u.high > s.base_value);
    assert_eq!(s.tornado[0].input, "u", "swing 100 > swing 10");
    assert!(sensitivity(&m, 0.0).is_err());
}

pub(super) fn run_json(args: &[&str], threads: &str) -> Vec<u8> {
    let out = bin()
        .args(args)
        .env("RAYON_NUM_THREADS", threads)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{:?} failed: {}",
        args,
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
pub(super) fn same_seed_gives_byte_identical_json_on_one_and_two_threads() {
    let case = tmp_case("threads.toml", UNCERTAIN_COST);
    let c = case.to_str().expect("utf-8 path");
    let args = [
        "value",
        "--case",
        c,
        "--simulate",
        "60000",
        "--seed",
        "11",
        "--chunk-size",
        "1000",
        "--format",
        "json",
    ];
    let one = run_json(&args, "1");
    let two = run_json(&args, "2");
    assert!(one == two, "JSON differs between 1 and 2 threads");
    let v: serde_json::Value = serde_json::from_slice(&one).expect("json");
    let s = &v["simulations"][0];
    assert_eq!(s["samples"], 60000);
    assert_eq!(s["seed"], 11);
    assert_eq!(s["chunk_size"], 1000);
    for key in [
        "mean",
        "sd",
        "std_error",
        "min",
        "max",
        "percentiles",
        "pledge",
        "histogram",
    ] {
        assert!(!s["stats"][key].is_null(), "stats.{key} missing");
    }
    assert_eq!(s["stats"]["percentiles"].as_array().map(Vec::len), Some(7));
    assert!(s["stats"]["prob_below_threshold"].is_number());
    assert!(s["money"]["pledge_value"].is_string());
    // Another seed gives other numbers (the seed is used).
    let mut other = args;
    other[6] = "12";
    assert!(run_json(&other, "2") != one);
    // Sensitivity JSON is deterministic too.
    let sargs = [
        "sensitivity",
        "--case",
        c,
        "--simulate",
        "20000",
        "--chunk-size",
        "700",
        "--format",
        "json",
    ];
    let s1 = run_json(&sargs, "1");
    assert!(s1 == run_json(&sargs, "2"));
    let v: serde_json::Value = serde_json::from_slice(&s1).expect("json");
    let bars = v["approaches"][0]["sensitivity"]["tornado"]
        .as_array()
        .expect("tornado");
    let swings: Vec<f64> = bars.iter().filter_map(|b| b["swing"].as_f64()).collect();
    assert!(swings.len() >= 6 && swings.windows(2).all(|w| w[0] >= w[1]));
    let rc = v["approaches"][0]["simulation"]["rank_correlations"]
        .as_array()
        .expect("rank correlations");
    assert_eq!(rc.len(), 5, "five sampled inputs");
}

#[test]
pub(super) fn bad_simulation_input_exits_2_with_one_line() {
    let case = tmp_case("ok.toml", UNCERTAIN_COST);
    let out = bin()
        .args([
            "value",
            "--case",
            case.to_str().expect("path"),
            "--simulate",
            "0",
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--simulate = 0: must be a number of paths"),
        "{err}"
    );

    let bad = UNCERTAIN_COST.replace("b = \"cost.items[0].amount\"", "b = \"cost.beta3\"");
    let case = tmp_case("badcorr.toml", &bad);
    let out = bin()
        .args(["value", "--case", case.to_str().expect("path")])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("badcorr.toml: simulation.correlation[0].b = cost.beta3: names no input"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");

    let bad = UNCERTAIN_COST.replace(
        "rho = 0.6",
        "rho = 0.6\n[[simulation.correlation]]\na = \"cost.beta1\"\nb = \"cost.used_years\"\nrho = 0.2",
    );
    let case = tmp_case("fixedcorr.toml", &bad);
    let out = bin()
        .args(["value", "--case", case.to_str().expect("path")])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("simulation.correlation[1].b = cost.used_years: is not uncertain"),
        "{err}"
    );

    let bad = UNCERTAIN_COST.replace("rho = 0.6", "rho = 1.6");
    let case = tmp_case("badrho.toml", &bad);
    let out = bin()
        .args(["value", "--case", case.to_str().expect("path")])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("simulation.correlation[0].rho = 1.6: must be a rank correlation from -1 to 1"));

    let case = tmp_case("ok2.toml", UNCERTAIN_COST);
    let out = bin()
        .args([
            "sensitivity",
            "--case",
            case.to_str().expect("path"),
            "--swing",
            "1.5",
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--swing = 1.5"));
}

#[test]
pub(super) fn pledge_quantile_and_threshold_come_from_the_case() {
    let body = UNCERTAIN_COST.replace(
        "threshold = \"3000000\"",
        "threshold = \"3000000\"\npledge_quantile = 0.05\nbins = 7",
    );
    let (case, book) = load(&body);
    let model = techval::evaluate::compile_model(&case, &book, Approach::Cost)
        .expect("compiles")
        .expect("model");
    let settings =
        SimSettings::resolve(case.simulation.as_ref(), Some(20_000), None, None).expect("ok");
    let corr = &case.simulation.as_ref().expect("sim").correlation;
    let s = summarize(Approach::Cost, model.as_ref(), corr, &settings)
        .expect("simulates")
        .dist;
    assert_eq!(s.stats.pledge.label, "P5");
    assert_eq!(s.stats.pledge.value, s.stats.percentile("P5").expect("P5"));
    assert_eq!(s.stats.histogram.len(), 7);
    assert_eq!(
        s.stats.histogram.iter().map(|b| b.count).sum::<u64>(),
        20_000
    );
    let pb = s.stats.prob_below_threshold.expect("threshold");
    // P(value < t) agrees with where t falls among the percentiles.
    let p10 = s.stats.percentile("P10").expect("P10");
    let p25 = s.stats.percentile("P25").expect("P25");
    if p10 < 3_000_000.0 && 3_000_000.0 < p25 {
        assert!((0.10..=0.25).contains(&pb), "{pb}");
    }
    let ps: Vec<f64> = s.stats.percentiles.iter().map(|p| p.value).collect();
    assert!(ps.windows(2).all(|w| w[0] <= w[1]));
    assert!(uncertainty::MoneyHeadline::from_stats(&s.stats).is_ok());
}

#[test]
pub(super) fn value_table_shows_the_simulation() {
    let case = tmp_case("table.toml", UNCERTAIN_COST);
    let out = bin()
        .args([
            "value",
            "--case",
            case.to_str().expect("path"),
            "--simulate",
            "3000",
        ])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let t = String::from_utf8_lossy(&out.stdout);
    for s in [
        "Monte Carlo: 3000 paths, seed 20250630, chunk size 16384",
        "pledge value (P10)",
        "P(value < 3,000,000.00)",
        "rank correlation cost.beta1 ~ cost.items[0].amount = 0.6",
        "histogram:",
    ] {
        assert!(t.contains(s), "missing {s:?} in\n{t}");
    }
}
