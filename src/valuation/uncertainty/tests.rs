//! Unit tests of the uncertainty module: distributions, sampling, statistics, settings.

use super::*;
use crate::param::{DecimalValue, Param};
use rand::{RngExt, SeedableRng};
use rand_distr::StandardNormal;
use rand_pcg::Pcg64Mcg;
use rust_decimal::Decimal;
use serde::Deserialize;
use statrs::function::beta::ln_beta;

fn param(toml_text: &str) -> Param {
    #[derive(Deserialize)]
    struct W {
        p: Param,
    }
    let w: W = toml::from_str(&format!("p = {toml_text}")).unwrap();
    w.p
}

/// Draws `n` values of one marginal, independently and through the copula path.
fn draws(p: &Param, n: usize, latent: bool) -> Vec<f64> {
    let m = Marginal::of(p, "x").unwrap();
    let mut rng = Pcg64Mcg::from_seed(chunk_seed(7, 0));
    if latent {
        (0..n)
            .map(|_| {
                let z: f64 = rng.sample(StandardNormal);
                m.at_z(z)
            })
            .collect()
    } else {
        // Column by column, as the sampler draws a block (the last one short).
        let mut v = vec![0.0; n];
        for col in v.chunks_mut(64) {
            m.draw_column(&mut rng, col);
        }
        v
    }
}

fn moments(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0);
    (m, var)
}

fn phi(z: f64) -> f64 {
    (-z * z / 2.0).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

/// Mean within 4 standard errors, variance within 3 % (n = 200 000).
fn check(p: &str, mean: f64, var: f64) {
    let n = 200_000;
    for latent in [false, true] {
        let v = draws(&param(p), n, latent);
        let (m, s2) = moments(&v);
        let se = (var / n as f64).sqrt();
        assert!(
            (m - mean).abs() < 4.0 * se,
            "{p} (latent {latent}): mean {m} vs {mean} (se {se})"
        );
        assert!(
            (s2 / var - 1.0).abs() < 0.03,
            "{p} (latent {latent}): var {s2} vs {var}"
        );
    }
}

#[test]
fn sampler_moments_match_each_distribution() {
    check("{ dist = \"uniform\", min = 2, max = 5 }", 3.5, 9.0 / 12.0);
    // Triangular: mean (a+b+c)/3, var (a²+b²+c²−ab−ac−bc)/18.
    let (a, c, b) = (1.0f64, 2.0f64, 6.0f64);
    check(
        "{ dist = \"triangular\", min = 1, mode = 2, max = 6 }",
        (a + b + c) / 3.0,
        (a * a + b * b + c * c - a * b - a * c - b * c) / 18.0,
    );
    // PERT (λ = 4): mean (a + 4m + b)/6; α, β as above, var = αβ(b−a)²/((α+β)²(α+β+1)).
    let (al, be) = (1.0 + 4.0 * 1.0 / 5.0, 1.0 + 4.0 * 4.0 / 5.0);
    check(
        "{ dist = \"pert\", min = 1, mode = 2, max = 6 }",
        (1.0 + 8.0 + 6.0) / 6.0,
        al * be * 25.0 / ((al + be) * (al + be) * (al + be + 1.0)),
    );
    check("{ dist = \"normal\", mean = 0.1, sd = 0.02 }", 0.1, 0.0004);
    check("{ dist = \"lognormal\", mean = 1.0, sd = 0.3 }", 1.0, 0.09);
    check(
        "{ dist = \"scenarios\", values = [1, 2, 4], probs = [0.2, 0.5, 0.3] }",
        0.2 + 1.0 + 1.2,
        0.2 + 2.0 + 4.8 - 2.4 * 2.4,
    );
    // Truncated normal on [μ − σ, μ + 2σ]: standard formulas with α = −1, β = 2.
    let (al, be) = (-1.0, 2.0);
    let zc = norm_cdf(be) - norm_cdf(al);
    let mt = (phi(al) - phi(be)) / zc;
    let vt = 1.0 + (al * phi(al) - be * phi(be)) / zc - mt * mt;
    check(
        "{ dist = \"normal\", mean = 10, sd = 2, min = 8, max = 14 }",
        10.0 + 2.0 * mt,
        4.0 * vt,
    );
    // Truncated above the mean (mirrored branch): [μ + σ, ∞).
    let al = 1.0;
    let zc = 1.0 - norm_cdf(al);
    let mt = phi(al) / zc;
    let vt = 1.0 + al * phi(al) / zc - mt * mt;
    check("{ dist = \"normal\", mean = 0, sd = 1, min = 1 }", mt, vt);
}

#[test]
fn bounded_marginals_stay_in_their_support_even_at_extreme_u() {
    for p in [
        "{ dist = \"triangular\", min = 1, mode = 1, max = 6 }",
        "{ dist = \"pert\", min = 1, mode = 6, max = 6 }",
        "{ dist = \"normal\", mean = 0, sd = 1, min = -0.5, max = 0.5 }",
        "{ dist = \"uniform\", min = 1, max = 6 }",
    ] {
        let m = Marginal::of(&param(p), "x").unwrap();
        for u in [0.0, 1e-300, 1e-12, 0.5, 1.0 - 1e-12, 1.0] {
            let x = m.at_u(u);
            assert!(x.is_finite(), "{p} at {u}: {x}");
            assert!(
                (-0.5..=6.0).contains(&x) || (1.0..=6.0).contains(&x),
                "{p} at {u}: {x}"
            );
        }
        for z in [-40.0, -9.0, 0.0, 9.0, 40.0] {
            assert!(m.at_z(z).is_finite(), "{p} at z = {z}");
        }
    }
    let m = Marginal::of(&param("{ dist = \"lognormal\", mean = 1, sd = 1 }"), "x").unwrap();
    assert!(m.at_u(1.0).is_finite() && m.at_u(0.0) > 0.0);
}

#[test]
fn beta_cdf_matches_statrs() {
    use statrs::function::beta::checked_beta_reg;
    for (a, b) in [
        (1.0, 1.0),
        (5.0, 1.0),
        (1.0, 5.0),
        (1.8, 4.2),
        (3.0, 3.0),
        (4.96, 1.04),
    ] {
        let lnb = ln_beta(a, b);
        for i in 1..1000 {
            let x = i as f64 / 1000.0;
            let (mine, _) = beta_cdf_pdf(a, b, lnb, x);
            let theirs = checked_beta_reg(a, b, x).unwrap();
            assert!(
                (mine - theirs).abs() < 1e-13,
                "({a}, {b}, {x}): {mine} vs {theirs}"
            );
        }
    }
}

#[test]
fn beta_inverse_inverts_the_cdf_over_pert_shapes() {
    for (a, b) in [
        (1.0, 1.0),
        (5.0, 1.0),
        (1.0, 5.0),
        (1.8, 4.2),
        (3.0, 3.0),
        (4.96, 1.04),
    ] {
        for i in 0..=1000 {
            let u = i as f64 / 1000.0;
            let x = beta_inv_with(a, b, ln_beta(a, b), u);
            assert!((0.0..=1.0).contains(&x), "({a}, {b}, {u}) -> {x}");
            let back = statrs::function::beta::checked_beta_reg(a, b, x).unwrap();
            assert!((back - u).abs() < 1e-9, "({a}, {b}, {u}): I_x = {back}");
        }
    }
}

#[test]
fn degenerate_distributions_are_constants() {
    for p in [
        "{ dist = \"fixed\", value = 3 }",
        "{ dist = \"scenarios\", values = [3, 9], probs = [1, 0] }",
        "3",
    ] {
        let m = Marginal::of(&param(p), "x").unwrap();
        assert_eq!(m, Marginal::Const(3.0), "{p}");
    }
}

#[test]
fn cholesky_accepts_psd_and_rejects_the_rest() {
    let l = cholesky_psd(&[1.0, 0.5, 0.5, 1.0], 2).unwrap();
    assert!((l[2] - 0.5).abs() < 1e-15 && (l[3] - 0.75f64.sqrt()).abs() < 1e-15);
    // Perfect correlation: rank deficient, still PSD.
    assert!(cholesky_psd(&[1.0, 1.0, 1.0, 1.0], 2).is_ok());
    // a~b = 0.9, a~c = 0.9, b~c = −0.9 is impossible.
    let m = [1.0, 0.9, 0.9, 0.9, 1.0, -0.9, 0.9, -0.9, 1.0];
    assert!(cholesky_psd(&m, 3).is_err());
}

#[test]
fn quantiles_follow_type_7() {
    let v = [1.0, 2.0, 3.0, 4.0];
    assert_eq!(quantile_sorted(&v, 0.0), 1.0);
    assert_eq!(quantile_sorted(&v, 1.0), 4.0);
    assert_eq!(quantile_sorted(&v, 0.5), 2.5);
    // numpy.percentile([1,2,3,4], 10) = 1.3
    assert!((quantile_sorted(&v, 0.1) - 1.3).abs() < 1e-12);
    assert_eq!(quantile_sorted(&[5.0], 0.3), 5.0);
}

#[test]
fn percentiles_are_the_sorted_order_statistics_bit_for_bit() {
    // The bucketed selection must read exactly what a full sort reads: skewed data with
    // outliers, heavy ties, negative values, a constant, and small samples.
    let mut rng = Pcg64Mcg::seed_from_u64(7);
    let mut cases: Vec<Vec<f64>> = Vec::new();
    for n in [1usize, 2, 3, 5, 17, 1_000, 10_000, 200_003] {
        cases.push(
            (0..n)
                .map(|_| {
                    let z: f64 = rng.sample(StandardNormal);
                    (14.0 + 0.6 * z).exp()
                })
                .collect(),
        );
    }
    cases.push((0..50_000).map(|i| f64::from(i % 7) - 3.0).collect());
    cases.push(vec![2.5; 4_000]);
    let mut outliers: Vec<f64> = (0..30_000).map(|i| f64::from(i) * 1e-3).collect();
    outliers.extend([1e15, -1e12, 0.0, -0.0]);
    cases.push(outliers);
    let mut steps: Vec<f64> = (0..40_000).map(|i| f64::from(i / 2_000)).collect();
    steps.reverse();
    cases.push(steps);
    let mut settings = SimSettings {
        pledge_quantile: 0.07,
        ..SimSettings::default()
    };
    for (i, v) in cases.into_iter().enumerate() {
        settings.bins = [20, 7, 1, 300, 2][i % 5];
        let mut sorted = v.clone();
        sorted.sort_by(f64::total_cmp);
        let st = statistics(v.clone(), &settings);
        for p in st.percentiles.iter().chain([&st.pledge]) {
            let want = quantile_sorted(&sorted, p.p);
            assert_eq!(
                p.value.to_bits(),
                want.to_bits(),
                "{} of {} values",
                p.label,
                v.len()
            );
        }
        assert_eq!(st.min, sorted[0]);
        assert_eq!(st.max, sorted[sorted.len() - 1]);
        let total: u64 = st.histogram.iter().map(|b| b.count).sum();
        assert_eq!(total, v.len() as u64);
        // The histogram is a sorted scan's: bin b holds [hi(b−1), hi(b)), the last bin is
        // closed at max.
        if st.histogram.len() > 1 {
            let edges: Vec<f64> = st.histogram[..st.histogram.len() - 1]
                .iter()
                .map(|b| b.hi)
                .collect();
            let mut scan = vec![0u64; st.histogram.len()];
            for x in &sorted {
                scan[edges.iter().filter(|e| *x >= **e).count()] += 1;
            }
            let got: Vec<u64> = st.histogram.iter().map(|b| b.count).collect();
            assert_eq!(got, scan, "histogram of {} values", v.len());
        }
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        assert!((st.mean - mean).abs() <= 1e-12 * mean.abs().max(1.0));
    }
}

#[test]
fn ranks_average_ties() {
    assert_eq!(ranks(&[10.0, 20.0, 10.0, 30.0]), vec![1.5, 3.0, 1.5, 4.0]);
    assert!((spearman(&[1.0, 2.0, 3.0], &[10.0, 20.0, 30.0]) - 1.0).abs() < 1e-12);
    assert!((spearman(&[1.0, 2.0, 3.0], &[3.0, 1.0, 0.0]) + 1.0).abs() < 1e-12);
}

#[test]
fn chunk_seeds_differ() {
    let s: Vec<[u8; 16]> = (0..100).map(|i| chunk_seed(1, i)).collect();
    for i in 0..s.len() {
        for j in (i + 1)..s.len() {
            assert_ne!(s[i], s[j]);
        }
    }
    assert_ne!(chunk_seed(1, 0), chunk_seed(2, 0));
}

#[test]
fn spec_validation_names_the_field() {
    let bad = SimulationSpec {
        pledge_quantile: Some(DecimalValue(Decimal::ONE)),
        ..Default::default()
    };
    let e = validate_spec(&bad).unwrap_err().to_string();
    assert!(e.starts_with("simulation.pledge_quantile = 1:"), "{e}");
    let bad = SimulationSpec {
        correlation: vec![Correlation {
            a: "x".into(),
            b: "y".into(),
            rho: DecimalValue(Decimal::new(15, 1)),
        }],
        ..Default::default()
    };
    let e = validate_spec(&bad).unwrap_err().to_string();
    assert!(e.starts_with("simulation.correlation[0].rho = 1.5:"), "{e}");
    let bad = SimulationSpec {
        samples: Some(0),
        ..Default::default()
    };
    assert!(validate_spec(&bad).is_err());
}

#[test]
fn a_triangular_column_is_the_inverse_cdf_of_the_same_uniforms() {
    // `draw_column` turns a column of uniforms into triangular values with the vector kernel,
    // not through `at_u`: the same bits from the same uniforms, on both sides of the mode and
    // for a mode at either end.
    for text in [
        r#"{ dist = "triangular", min = 0.03, mode = 0.05, max = 0.07 }"#,
        r#"{ dist = "triangular", min = 1, mode = 1, max = 4 }"#,
        r#"{ dist = "triangular", min = -2, mode = 5, max = 5 }"#,
    ] {
        let m = Marginal::of(&param(text), "x").unwrap();
        let (mut a, mut b) = (
            Pcg64Mcg::from_seed(chunk_seed(11, 3)),
            Pcg64Mcg::from_seed(chunk_seed(11, 3)),
        );
        let mut col = vec![0.0; 10_000];
        m.draw_column(&mut a, &mut col);
        for v in &col {
            let u: f64 = b.sample(rand::distr::Open01);
            assert_eq!(v.to_bits(), m.at_u(u).to_bits(), "{text}");
        }
    }
}

/// Draws blocks of `m`'s inputs (the sample case's own distributions) and checks that
/// `eval_block` gives every path's `eval_checked`, bit for bit: blocks of 64, of 37 and of 1
/// paths; then, for a model with an economic life among its inputs, blocks whose lives are all
/// one fractional value (the period loop across paths with a fractional last period) and blocks
/// whose lives differ (path by path), with some discount rates pushed to 0 and below.
fn check_blocks(label: &str, m: &dyn crate::valuation::Model) {
    use crate::valuation::ColumnBlock;
    let sampler = Sampler::new(m.inputs(), &[]).unwrap();
    let mut rng = Pcg64Mcg::from_seed(chunk_seed(5, 0));
    let k = sampler.correlated.len();
    let (mut eps, mut z) = (vec![0.0; k], vec![0.0; k]);
    let mut block = ColumnBlock::new(&sampler.base, BLOCK);
    let find = |p: &str| m.inputs().iter().position(|i| i.path == p);
    let life = find("income.economic_life");
    let rate = find("income.discount.rate");
    let mut x = vec![0.0; m.inputs().len()];
    let mut outside = 0;
    for (round, len) in [64usize, 37, 1, 64, 64, 64].into_iter().enumerate() {
        block.set_len(len);
        sampler.fill_block(&mut rng, &mut block, &mut eps, &mut z);
        if let (Some(l), true) = (life, round >= 3) {
            for (j, v) in block.col_mut(l).iter_mut().enumerate() {
                *v = if round == 3 {
                    6.4
                } else {
                    1.0 + (j % 9) as f64 * 0.75
                };
            }
        }
        if let (Some(r), true) = (rate, round == 5) {
            for (j, v) in block.col_mut(r).iter_mut().enumerate() {
                if j % 5 == 0 {
                    *v = -0.02 * (j % 3) as f64;
                }
            }
        }
        let (mut vals, mut outs) = (vec![0.0; len], vec![false; len]);
        m.eval_block(block.view(), &mut vals, &mut outs);
        for j in 0..len {
            block.view().gather(j, &mut x);
            let (v, o) = m.eval_checked(&x);
            assert_eq!(
                vals[j].to_bits(),
                v.to_bits(),
                "{label}: block {round}, path {j}"
            );
            assert_eq!(outs[j], o, "{label}: block {round}, path {j}");
            outside += usize::from(o);
        }
    }
    if rate.is_some() {
        assert!(
            outside > 0,
            "{label}: no path outside the domain was checked"
        );
    }
}

#[test]
fn a_block_is_evaluated_as_its_paths_are() {
    use crate::case::Case;
    use crate::evaluate::{compile_model, reconcile_all, run_approaches};
    use crate::valuation::reconcile::ReconciledModel;
    use crate::valuation::{Approach, Model};
    let models = crate::models::ModelBook::builtin().unwrap();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/cases");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    // The Monte Carlo benchmark's case: a stream scale and an after-tax rate together.
    files.push(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/rfr10.toml"));
    let mut reconciled = 0;
    for f in &files {
        let label = f.display().to_string();
        let case = Case::load(f).unwrap().prepare(&models).unwrap();
        let mut compiled: Vec<(Approach, Box<dyn Model>)> = Vec::new();
        for a in [Approach::Income, Approach::Cost] {
            if let Some(m) = compile_model(&case, &models, a).unwrap() {
                check_blocks(&format!("{label} {a:?}"), m.as_ref());
                compiled.push((a, m));
            }
        }
        let which: Vec<Approach> = compiled.iter().map(|(a, _)| *a).collect();
        let vals = run_approaches(&case, &models, &which, None).unwrap();
        if let Some(rec) = reconcile_all(&case, &models, &vals).unwrap() {
            let refs: Vec<(Approach, &dyn Model)> =
                compiled.iter().map(|(a, m)| (*a, m.as_ref())).collect();
            let m = ReconciledModel::new(&rec, &refs).unwrap();
            check_blocks(&format!("{label} reconciled"), &m);
            reconciled += 1;
        }
    }
    assert!(
        files.len() >= 5 && reconciled >= 2,
        "{} cases, {reconciled} reconciled",
        files.len()
    );
}
