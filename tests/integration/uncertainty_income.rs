//! Monte Carlo and sensitivity on the real income model (IncomePlan), the reconciled value,
//! and the downside value the pipeline lends on.

use super::uncertainty::*;
use techval::valuation::uncertainty::{self, sensitivity, simulate, summarize, SimSettings};
use techval::valuation::{Approach, Model, PlanInput};
use techval::{Case, ModelBook};

// =============================================================================================
// Phase 2: the real income model (IncomePlan), the reconciled value, and the pipeline.
// =============================================================================================

/// Every income distribution degenerate (`fixed`, or scenarios with one live value), on a case
/// that exercises the scoring split on sales, a yearly decay, mid-year discounting, a partial
/// last year, growth past the list, a stream scale and a build-up rate.
const DEGENERATE_INCOME: &str = r#"
[income]
method = "revenue_split"
economic_life = { dist = "fixed", value = 7.6 }
convention = "mid_year"
revenue = [
  { dist = "fixed", value = "12000000" },
  { dist = "fixed", value = "15600000" },
  { dist = "scenarios", values = ["18720000", "1"], probs = [1, 0] },
]
growth = { dist = "fixed", value = 0.03 }
stream_scale = { dist = "fixed", value = 0.97 }
[income.split]
method = "scoring"
decay = { dist = "fixed", value = 0.05 }
[income.split.scores]
legal = { dist = "fixed", value = 0.8 }
technical = { dist = "fixed", value = 0.7 }
economic = { dist = "scenarios", values = [0.6, 0.9], probs = [1, 0] }
[income.discount]
method = "build_up"
technology = { dist = "fixed", value = 0.04 }
market = { dist = "fixed", value = 0.03 }
capital = { dist = "fixed", value = 0.02 }
management = { dist = "fixed", value = 0.02 }
"#;

/// Relief from royalty with the tax amortisation benefit, every input degenerate.
const DEGENERATE_RFR_TAB: &str = r#"
[income]
method = "relief_from_royalty"
economic_life = { dist = "fixed", value = 9.25 }
revenue = [{ dist = "fixed", value = "8000000" }, { dist = "fixed", value = "9100000" }]
growth = { dist = "fixed", value = 0.04 }
[income.royalty]
rate = { dist = "fixed", value = 0.045 }
tax_rate = { dist = "fixed", value = 0.25 }
tab = true
[income.discount]
method = "given"
rate = { dist = "fixed", value = 0.13 }
"#;

#[test]
fn degenerate_income_distributions_reproduce_the_audited_income_value_to_the_fen() {
    for (label, body) in [
        ("revenue split", DEGENERATE_INCOME),
        ("relief from royalty with TAB", DEGENERATE_RFR_TAB),
    ] {
        let (case, book) = load(body);
        let vals = techval::evaluate::run_approaches(&case, &book, &[Approach::Income], None)
            .expect("income runs");
        let model = techval::evaluate::compile_model(&case, &book, Approach::Income)
            .expect("compiles")
            .expect("income has a model");
        let settings = SimSettings {
            samples: 50_003,
            chunk_size: 999,
            ..SimSettings::default()
        };
        let s = summarize(Approach::Income, model.as_ref(), &[], &settings)
            .expect("simulates")
            .dist;
        assert!(s.uncertain_inputs.is_empty(), "{label}");
        let audited = vals[0].value;
        assert!(
            audited.amount() > rust_decimal::Decimal::from(1_000_000),
            "{label}"
        );
        assert_eq!(
            s.money.mean, audited,
            "{label}: mean after the money boundary"
        );
        for m in [
            s.money.p5,
            s.money.p10,
            s.money.p50,
            s.money.p90,
            s.money.p95,
        ] {
            assert_eq!(m, audited, "{label}");
        }
        assert_eq!(s.money.pledge_value, audited, "{label}");
        assert_eq!(s.stats.sd, 0.0, "{label}");
        assert_eq!(s.out_of_domain, 0, "{label}");
    }
}

/// Relief from royalty, mid-year, 6 years, with TAB: revenue of years 1–4 lognormal (sd 20 % of
/// the mean), years 5 and 6 = year 4 × 1.03 and × 1.03², and a lognormal stream scale
/// (mean 1, sd 0.1), all independent.
const LOGNORMAL_RFR: &str = r#"
[income]
method = "relief_from_royalty"
economic_life = 6
convention = "mid_year"
revenue = [
  { dist = "lognormal", mean = "5000000", sd = "1000000" },
  { dist = "lognormal", mean = "8000000", sd = "1600000" },
  { dist = "lognormal", mean = "11000000", sd = "2200000" },
  { dist = "lognormal", mean = "12000000", sd = "2400000" },
]
growth = 0.03
stream_scale = { dist = "lognormal", mean = 1, sd = 0.1 }
[income.royalty]
rate = 0.05
tax_rate = 0.25
tab = true
[income.discount]
method = "given"
rate = 0.14
"#;

/// The closed form, from the formulas (not from techval's code):
///
/// V = scale · TAB · k(1 − T) · Σ_{t=1..6} S_t · v^(t − ½),  v = 1/(1 + r)  (mid-year)
/// with S_5 = 1.03·S_4, S_6 = 1.03²·S_4, so V = scale · Σ_{i=1..4} a_i·S_i where
/// a_i = TAB·k(1−T)·v^(i−½) for i ≤ 3 and a_4 = TAB·k(1−T)·(v^3.5 + 1.03·v^4.5 + 1.03²·v^5.5);
/// TAB = 1/(1 − T·AF/N), AF = Σ_{t=1..N} v^(t−½), N = 10 (the tax amortisation period of an
/// intangible, models/tax.toml — not the 6-year economic life).
/// The scale and the S_i are independent, so
/// E[V]  = E[scale]·Σ a_i·E[S_i] = Σ a_i·m_i                       (E[scale] = 1),
/// E[V²] = E[scale²]·E[(Σ a_i S_i)²] = (1 + 0.1²)·(Σ a_i² m_i²(1 + c_i²) + Σ_{i≠j} a_i a_j m_i m_j),
/// with c_i = sd_i/m_i = 0.2 the coefficients of variation (E[X²] = m²(1 + c²) for any X).
fn lognormal_rfr_closed_form() -> (f64, f64) {
    let (k, tax, r, g): (f64, f64, f64, f64) = (0.05, 0.25, 0.14, 0.03);
    let v = 1.0 / (1.0 + r);
    let af: f64 = (1..=10).map(|t| v.powf(t as f64 - 0.5)).sum();
    let tab = 1.0 / (1.0 - tax * af / 10.0);
    let c = tab * k * (1.0 - tax);
    let a = [
        c * v.powf(0.5),
        c * v.powf(1.5),
        c * v.powf(2.5),
        c * (v.powf(3.5) + (1.0 + g) * v.powf(4.5) + (1.0 + g) * (1.0 + g) * v.powf(5.5)),
    ];
    let m = [5e6, 8e6, 11e6, 12e6];
    let mean: f64 = a.iter().zip(&m).map(|(a, m)| a * m).sum();
    let mut e2 = 0.0;
    for i in 0..4 {
        for j in 0..4 {
            let cross = a[i] * a[j] * m[i] * m[j];
            e2 += if i == j {
                cross * (1.0 + 0.2 * 0.2)
            } else {
                cross
            };
        }
    }
    let ev2 = (1.0 + 0.1 * 0.1) * e2;
    (mean, (ev2 - mean * mean).sqrt())
}

#[test]
fn lognormal_revenue_on_the_income_model_matches_the_closed_form() {
    let (case, book) = load(LOGNORMAL_RFR);
    let model = techval::evaluate::compile_model(&case, &book, Approach::Income)
        .expect("compiles")
        .expect("model");
    let (mean, sd) = lognormal_rfr_closed_form();
    // The closed form at the point inputs is the deterministic value.
    let point = model.eval(&model.point());
    assert!((point / mean - 1.0).abs() < 1e-12, "{point} vs {mean}");
    let settings = SimSettings {
        samples: 200_000,
        seed: 777,
        ..SimSettings::default()
    };
    let st = simulate(model.as_ref(), &[], &settings)
        .expect("simulates")
        .stats;
    assert!(
        (st.mean - mean).abs() < 3.0 * st.std_error,
        "mean {} vs closed form {mean} (se {})",
        st.mean,
        st.std_error
    );
    assert!((st.sd / sd - 1.0).abs() < 0.03, "sd {} vs {sd}", st.sd);
}

fn income_case_with_correlation() -> String {
    r#"
[income]
method = "revenue_split"
economic_life = 8
revenue = ["12000000", "15600000", "18720000"]
growth = { dist = "triangular", min = 0.0, mode = 0.02, max = 0.06 }
stream_scale = { dist = "lognormal", mean = 1, sd = 0.2 }
[income.split]
method = "scoring"
[income.split.scores]
legal = 0.8
technical = { dist = "uniform", min = 0.5, max = 0.9 }
economic = 0.6
[income.discount]
method = "given"
rate = { dist = "pert", min = 0.10, mode = 0.12, max = 0.16 }

[simulation]
samples = 30000
seed = 5
[[simulation.correlation]]
a = "income.growth"
b = "income.split.scores.technical"
rho = 0.8
"#
    .to_string()
}

/// The value of one input: lets a test read the sampled inputs of a real model.
struct Probe<'a> {
    model: &'a dyn Model,
    ix: usize,
}

impl Model for Probe<'_> {
    fn inputs(&self) -> &[PlanInput] {
        self.model.inputs()
    }
    fn eval(&self, x: &[f64]) -> f64 {
        x[self.ix]
    }
}

/// Where a field path (`a.b[2].c`) points in a parsed case file.
fn resolve<'a>(v: &'a toml::Value, path: &str) -> Option<&'a toml::Value> {
    let mut cur = v;
    for seg in path.split('.') {
        let (key, idx) = match seg.split_once('[') {
            Some((k, rest)) => (k, Some(rest.trim_end_matches(']').parse::<usize>().ok()?)),
            None => (seg, None),
        };
        cur = cur.get(key)?;
        if let Some(i) = idx {
            cur = cur.get(i)?;
        }
    }
    Some(cur)
}

#[test]
fn income_plan_input_paths_are_the_case_field_paths() {
    let book = ModelBook::builtin().expect("models");
    let mut files: Vec<(String, String)> = std::fs::read_dir("datasets/cases")
        .expect("datasets/cases")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("read");
            (p.display().to_string(), text)
        })
        .collect();
    files.push((
        "benches/rfr10.toml".into(),
        std::fs::read_to_string("benches/rfr10.toml").expect("bench case"),
    ));
    // MPEEM and with-and-without, every input written out.
    for (name, body) in [
        (
            "mpeem",
            r#"
[income]
method = "mpeem"
economic_life = { dist = "uniform", min = 5, max = 7 }
revenue = ["1000000", { dist = "normal", mean = "1100000", sd = "50000", min = 0 }]
growth = 0.02
stream_scale = 1.1
[income.mpeem]
ebitda_margin = { dist = "triangular", min = 0.2, mode = 0.25, max = 0.3 }
tax_rate = 0.25
[[income.mpeem.charges]]
kind = "working_capital"
balance_ratio = 0.1
return_on = { dist = "uniform", min = 0.05, max = 0.07 }
[[income.mpeem.charges]]
kind = "fixed_assets"
balance_ratio = { dist = "uniform", min = 0.2, max = 0.3 }
return_on = 0.08
return_of = 0.1
[income.discount]
method = "capm"
risk_free = 0.025
beta = { dist = "uniform", min = 1.0, max = 1.4 }
erp = 0.06
size = 0.02
specific = 0.03
"#,
        ),
        (
            "with_without",
            r#"
[income]
method = "with_without"
economic_life = 3
[income.with_without]
with = ["500000", { dist = "uniform", min = "500000", max = "700000" }, "650000"]
without = ["100000", "100000", { dist = "uniform", min = "50000", max = "150000" }]
[income.discount]
method = "given"
rate = 0.15
"#,
        ),
        ("correlated", income_case_with_correlation().as_str()),
    ] {
        files.push((format!("{name}.toml"), format!("{SUBJECT}\n{body}")));
    }
    let mut resolved_uncertain = 0;
    for (label, text) in &files {
        let case = Case::parse(label, text)
            .and_then(|c| c.prepare(&book))
            .expect("parses and validates");
        let Some(model) =
            techval::evaluate::compile_model(&case, &book, Approach::Income).expect("compiles")
        else {
            continue;
        };
        let doc: toml::Value = toml::from_str(text).expect("toml");
        for inp in model.inputs() {
            match resolve(&doc, &inp.path) {
                Some(v) => {
                    // The file's own value at that path is the input's assumption.
                    let p: techval::param::Param =
                        serde_json::from_value(serde_json::to_value(v).expect("json"))
                            .expect("the path names a numeric assumption");
                    assert_eq!(p, inp.param, "{label}: {}", inp.path);
                    if uncertainty::is_random(&p) {
                        resolved_uncertain += 1;
                    }
                }
                // Not written in the file: a default from models/ (a fixed input).
                None => assert!(
                    !uncertainty::is_random(&inp.param),
                    "{label}: {} is uncertain but not in the file",
                    inp.path
                ),
            }
        }
    }
    assert!(resolved_uncertain >= 15, "{resolved_uncertain}");
}

#[test]
fn rank_correlations_apply_to_income_inputs_by_their_case_paths() {
    let (case, book) = load(&income_case_with_correlation());
    let model = techval::evaluate::compile_model(&case, &book, Approach::Income)
        .expect("compiles")
        .expect("model");
    let corr = &case.simulation.as_ref().expect("[simulation]").correlation;
    let ix = model
        .inputs()
        .iter()
        .position(|i| i.path == "income.growth")
        .expect("income.growth is an input");
    let probe = Probe {
        model: model.as_ref(),
        ix,
    };
    let settings = SimSettings {
        samples: 100_000,
        seed: 3,
        rank_correlation: true,
        ..SimSettings::default()
    };
    // The "value" is income.growth itself: its rank correlation with each sampled input is the
    // correlation the copula gave them.
    let sim = simulate(&probe, corr, &settings).expect("simulates");
    let rho = |p: &str| {
        sim.rank_correlations
            .iter()
            .find(|r| r.input == p)
            .map(|r| r.rho)
            .expect("reported")
    };
    assert!((rho("income.split.scores.technical") - 0.8).abs() < 0.015);
    assert!(rho("income.stream_scale").abs() < 0.015);
    assert!(rho("income.discount.rate").abs() < 0.015);
    // Uncorrelated, the two are independent.
    let sim = simulate(&probe, &[], &settings).expect("simulates");
    let r0 = sim
        .rank_correlations
        .iter()
        .find(|r| r.input == "income.split.scores.technical")
        .expect("reported")
        .rho;
    assert!(r0.abs() < 0.015, "{r0}");

    // Through the CLI on the real model: the correlation is applied and reported.
    let path = tmp_case("correlated.toml", &income_case_with_correlation());
    let out = run_json(
        &[
            "value",
            "--case",
            path.to_str().expect("path"),
            "--format",
            "json",
        ],
        "2",
    );
    let v: serde_json::Value = serde_json::from_slice(&out).expect("json");
    let s = &v["simulations"][0];
    assert_eq!(s["approach"], "income");
    assert_eq!(s["correlations"][0]["a"], "income.growth");
    assert_eq!(s["correlations"][0]["b"], "income.split.scores.technical");
    assert_eq!(s["samples"], 30000);

    // A correlation across approaches, or with a misspelt income path, is one clear line.
    let cost = "\n[cost]\nmethod = \"historical\"\nused_years = 6\nremaining_years = { dist = \"uniform\", min = 6, max = 9 }\n[[cost.items]]\nname = \"x\"\namount = \"100000\"\nyear = 2020\ncategory = \"labour\"\n";
    for (bad, want) in [
        (
            format!(
                "{}{cost}[[simulation.correlation]]\na = \"income.stream_scale\"\nb = \"cost.remaining_years\"\nrho = 0.3\n",
                income_case_with_correlation()
            ),
            "simulation.correlation[1] = income.stream_scale ~ cost.remaining_years: can only correlate inputs of the same approach",
        ),
        (
            income_case_with_correlation()
                .replace("income.split.scores.technical\"", "income.split.scores.technicl\""),
            "simulation.correlation[0].b = income.split.scores.technicl: names no input of the model; uncertain inputs are: ",
        ),
    ] {
        let p = tmp_case("badcorr-income.toml", &bad);
        let out = bin()
            .args(["value", "--case", p.to_str().expect("path")])
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(want), "{err}");
        assert_eq!(err.trim().lines().count(), 1, "{err}");
    }
}

/// r = 10 % against growth 9.5 %: moving either by a few per cent breaks r > g.
const NEAR_GROWTH: &str = r#"
[income]
method = "revenue_split"
economic_life = 9
revenue = ["10000000", "11000000"]
growth = 0.095
[income.split]
method = "given"
rate = 0.06
basis = "sales"
[income.discount]
method = "given"
rate = 0.10
"#;

#[test]
fn tornado_on_the_income_model_orders_bars_and_reports_swings_past_growth() {
    let (case, book) = load(LOGNORMAL_RFR);
    let model = techval::evaluate::compile_model(&case, &book, Approach::Income)
        .expect("compiles")
        .expect("model");
    let s = sensitivity(model.as_ref(), 0.2).expect("sensitivity");
    assert!(s.tornado.len() >= 8, "{}", s.tornado.len());
    assert!(s.tornado.windows(2).all(|w| w[0].swing >= w[1].swing));
    for b in &s.tornado {
        assert!(b.low <= s.base_value && s.base_value <= b.high, "{b:?}");
        assert!(b.swing > 0.0 || b.input == "income.economic_life", "{b:?}");
    }
    // The value falls as the discount rate rises; it is proportional to the royalty rate.
    let r = s
        .tornado
        .iter()
        .find(|b| b.input == "income.discount.rate")
        .expect("bar");
    assert!(r.value_at_high_input < r.value_at_low_input && r.monotone);
    let k = s
        .tornado
        .iter()
        .find(|b| b.input == "income.royalty.rate")
        .expect("bar");
    assert!((k.value_at_high_input / s.base_value - 1.2).abs() < 1e-12);
    assert!(s.skipped.is_empty(), "{:?}", s.skipped);

    // Swings that push r to or below the growth rate are valued: the horizon is finite (no
    // perpetuity is computed), so r ≤ g is a valid point, not a gap.
    let (case, book) = load(NEAR_GROWTH);
    let model = techval::evaluate::compile_model(&case, &book, Approach::Income)
        .expect("compiles")
        .expect("model");
    let s = sensitivity(model.as_ref(), 0.1).expect("sensitivity");
    assert!(s.skipped.is_empty(), "{:?}", s.skipped);
    let bar = |p: &str| s.tornado.iter().find(|b| b.input == p).expect("bar");
    let r = bar("income.discount.rate");
    assert!(
        r.value_at_high_input < r.value_at_low_input && r.monotone,
        "{r:?}"
    );
    let g = bar("income.growth");
    assert!(g.value_at_high_input > g.value_at_low_input, "{g:?}");
    let line = |p: &str| s.spider.iter().find(|l| l.input == p).expect("line");
    assert!(line("income.discount.rate")
        .values
        .iter()
        .all(Option::is_some));
    assert!(line("income.growth").values.iter().all(Option::is_some));

    // The CLI prints every bar and exits 0.
    let p = tmp_case("near_growth.toml", NEAR_GROWTH);
    let out = bin()
        .args(["sensitivity", "--case", p.to_str().expect("path")])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let t = String::from_utf8_lossy(&out.stdout);
    assert!(!t.contains("skipped income.discount.rate"), "{t}");
}

/// Paths whose discount rate falls to or below the growth rate are valued over the finite
/// horizon, not dropped: with r at exactly g the discounted stream is level after the given
/// years, so the value at r = g follows from the value at r = 10 % by the ratio of the two
/// discount sums (end-year, n = 9; independent of the split and the tax).
#[test]
fn paths_at_or_below_the_growth_rate_are_valued_over_the_finite_horizon() {
    let at = |rate: &str| {
        let body = NEAR_GROWTH.replace("rate = 0.10", &format!("rate = {rate}"));
        let (case, book) = load(&body);
        let model = techval::evaluate::compile_model(&case, &book, Approach::Income)
            .expect("compiles")
            .expect("model");
        model.eval(&model.point())
    };
    let sum = |r: f64| -> f64 {
        10e6 / (1.0 + r)
            + (2..=9)
                .map(|t| 11e6 * 1.095f64.powi(t - 2) / (1.0 + r).powi(t))
                .sum::<f64>()
    };
    let (v10, vg) = (at("0.10"), at("0.095"));
    assert!(
        (vg / v10 - sum(0.095) / sum(0.10)).abs() < 1e-9,
        "{vg} / {v10} vs {}",
        sum(0.095) / sum(0.10)
    );
    // Simulated: r ~ normal(10 %, 2 %) on [1 %, 30 %], g = 9.5 %: about 40 % of paths have
    // r ≤ g; none is out of the model's domain.
    let body = NEAR_GROWTH.replace(
        "rate = 0.10",
        "rate = { dist = \"normal\", mean = 0.10, sd = 0.02, min = 0.01, max = 0.3 }",
    );
    let (case, book) = load(&body);
    let model = techval::evaluate::compile_model(&case, &book, Approach::Income)
        .expect("compiles")
        .expect("model");
    let settings = SimSettings {
        samples: 20_000,
        seed: 21,
        chunk_size: 3_000,
        ..SimSettings::default()
    };
    let d = uncertainty::distribution(model.as_ref(), &[], &settings).expect("simulates");
    assert_eq!(d.out_of_domain, 0);
    assert!(d.first_out_of_domain.is_none());
}

#[test]
fn value_on_the_demo_prints_the_reconciled_value_and_every_statistic() {
    let out = bin()
        .args(["value", "--simulate", "5000"])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let t = String::from_utf8_lossy(&out.stdout);
    for s in [
        "收益法 — Monte Carlo: 5000 paths, seed 20250630",
        "成本法 — Monte Carlo: 5000 paths, seed 20250630",
        "reconciliation — weights from models/reconcile_weights.toml [purpose.pledge_financing]",
        "concluded value",
        "reconciled value (income 0.666667 + cost 0.333333) — Monte Carlo: 5000 paths",
        "rank correlation income.split.scores.technical ~ income.stream_scale = 0.5",
        "standard error of the mean",
        "standard deviation",
        "pledge value (P10)",
        "deterministic (point inputs)",
        "histogram:",
    ] {
        assert!(t.contains(s), "missing {s:?} in\n{t}");
    }
    for p in [
        "P5", "P10", "P25", "P50", "P75", "P90", "P95", "min", "max", "mean",
    ] {
        let n = t
            .lines()
            .filter(|l| l.starts_with(&format!("{p} ")))
            .count();
        assert_eq!(
            n, 3,
            "{p}: one row per simulation (income, cost, reconciled)\n{t}"
        );
    }

    let json = run_json(&["value", "--simulate", "5000", "--format", "json"], "2");
    let v: serde_json::Value = serde_json::from_slice(&json).expect("json");
    let rec = &v["reconciliation"]["concluded_value"];
    let rs = &v["reconciled_simulation"];
    assert_eq!(&rs["concluded_value"], rec);
    assert_eq!(rs["samples"], 5000);
    assert_eq!(rs["composition"].as_array().map(Vec::len), Some(2));
    // The reconciled model at the point inputs is the concluded value (to a fen).
    let concluded: f64 = rec.as_str().expect("money").parse().expect("number");
    assert!((rs["point_value"].as_f64().expect("f64") - concluded).abs() <= 0.01);
    // Its mean is the weighted mean of the approaches' simulated means within Monte Carlo
    // error (the same weights; independent draws).
    let w = |i: usize| {
        v["reconciliation"]["approaches"][i]["weight"]
            .as_str()
            .expect("weight")
            .parse::<f64>()
            .expect("number")
    };
    let m = |i: usize| v["simulations"][i]["stats"]["mean"].as_f64().expect("mean");
    let se = |i: usize| {
        v["simulations"][i]["stats"]["std_error"]
            .as_f64()
            .expect("se")
    };
    let weighted = w(0) * m(0) + w(1) * m(1);
    let tol = 4.0
        * ((w(0) * se(0)).hypot(w(1) * se(1)))
            .hypot(rs["stats"]["std_error"].as_f64().expect("se"));
    assert!(
        (rs["stats"]["mean"].as_f64().expect("mean") - weighted).abs() < tol,
        "{} vs {weighted}",
        rs["stats"]["mean"]
    );
}

#[test]
fn income_case_json_is_byte_identical_on_one_and_two_threads() {
    let case = tmp_case("threads-income.toml", &income_case_with_correlation());
    let c = case.to_str().expect("path");
    let args = [
        "value",
        "--case",
        c,
        "--simulate",
        "70001",
        "--seed",
        "8",
        "--chunk-size",
        "4000",
        "--format",
        "json",
    ];
    let one = run_json(&args, "1");
    assert!(
        one == run_json(&args, "2"),
        "JSON differs between 1 and 2 threads"
    );
    let v: serde_json::Value = serde_json::from_slice(&one).expect("json");
    assert_eq!(v["simulations"][0]["approach"], "income");
    assert_eq!(v["simulations"][0]["samples"], 70001);
    // The demo (income + cost + the reconciled value) as well.
    let demo = [
        "value",
        "--simulate",
        "30000",
        "--chunk-size",
        "2500",
        "--format",
        "json",
    ];
    let one = run_json(&demo, "1");
    assert!(
        one == run_json(&demo, "2"),
        "demo JSON differs between 1 and 2 threads"
    );
    // And the pipeline document.
    let dir = std::env::temp_dir().join(format!("techval-unc-pipe-{}", std::process::id()));
    let mut docs = Vec::new();
    for threads in ["1", "2"] {
        let out = bin()
            .args(["pipeline", "--format", "json", "--out"])
            .arg(&dir)
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .expect("runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        docs.push(out.stdout);
    }
    assert!(
        docs[0] == docs[1],
        "pipeline JSON differs between 1 and 2 threads"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
