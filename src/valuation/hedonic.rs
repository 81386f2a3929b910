//! Hedonic price model of technology deals: `ln P = X·β + ε`, fitted by least squares over the
//! attributes real deals have, and its leave-one-out error.
//!
//! **Terms** (columns of X; each dummy against the base level named):
//! * intercept;
//! * sector (base: manufacturing other than pharmaceuticals): agriculture (A), pharmaceuticals
//!   (C27), services and other sections (not A, not C), unknown;
//! * IP kind (base: technology achievement): patent (invention, utility model, design),
//!   know-how, trademark, software copyright;
//! * transaction type (base: assignment): licence (any exclusivity), equity contribution;
//! * seller type (base: enterprise, individual or unknown): university, institute or hospital;
//! * buyer: listed company;
//! * `ln(1 + patents)` where the number of patents is stated, and a dummy where it is not;
//! * `ln I(year)`, the national average value per technology contract of the deal year
//!   (`data::stats`), and `ln R(province, year)`, the seller province's relative value per
//!   contract, with a dummy where the province is not stated (its ln R is 0).
//!
//! **Rows**: single deals (`aggregate` false) with a fixed price (`price_basis` `lump_sum` or
//! `equity_value`, or not stated); totals of several contracts, caps, upfront-only payments and
//! contract totals with milestones are left out (they are not the price of one right).
//!
//! **Fit**: QR decomposition of X (nalgebra): `R·β = Qᵀ·y`; σ² = RSS / (n − p); the standard
//! errors are √diag(σ²·(XᵀX)⁻¹) with `(XᵀX)⁻¹ = R⁻¹·R⁻ᵀ`; R² = 1 − RSS / TSS. A term no row has
//! (or that every row has) is dropped before the fit and listed.
//!
//! **Leave-one-out**: each row is predicted by the model fitted on the others (`n` fits); the
//! error is `ln(predicted / actual)`. The fit on all rows (its coefficients and R²) is
//! in-sample and says so; every error figure is out-of-sample.
//!
//! No I/O: the caller passes the validated deal history.

use crate::data::schema::DealHistory;
use crate::error::{Error, Result};
use crate::valuation::market::{prepare, MarketModel};
use nalgebra::{DMatrix, DVector};
use polars::prelude::*;
use serde::Serialize;

/// One coefficient of the fit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coefficient {
    /// The term (`intercept`, `sector=pharmaceuticals`, `ln_time_index`, …).
    pub term: String,
    /// β.
    pub estimate: f64,
    /// Its standard error.
    pub std_error: f64,
    /// β / se.
    pub t: f64,
    /// Rows with the dummy set (the row count for a continuous term).
    pub rows: usize,
}

/// The fitted model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HedonicFit {
    /// Rows fitted.
    pub n: usize,
    /// Coefficients.
    pub coefficients: Vec<Coefficient>,
    /// Terms dropped (no row, or every row, has them).
    pub dropped: Vec<String>,
    /// R² (in-sample).
    pub r2: f64,
    /// Adjusted R² (in-sample).
    pub adj_r2: f64,
    /// Residual standard deviation of ln P.
    pub sigma: f64,
    /// The rows left out of the fit and why, as (reason, count).
    pub excluded: Vec<(String, usize)>,
    /// Says that these figures are in-sample.
    pub note: String,
}

/// `models/hedonic.toml`: a fit written by `techval backtest --write-model` (in-sample figures,
/// labelled as such), re-checked by a test against a refit of the same data.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HedonicModelFile {
    /// What was fitted, on what, and how to refit it.
    pub source: String,
    /// The deal history fitted.
    pub fitted_on: String,
    /// Rows fitted.
    pub n: usize,
    /// R² (in-sample).
    pub r2: f64,
    /// Adjusted R² (in-sample).
    pub adj_r2: f64,
    /// Residual standard deviation of ln P.
    pub sigma: f64,
    /// Says the figures are in-sample.
    pub note: String,
    /// Terms not fitted.
    pub dropped: Vec<String>,
    /// The coefficients.
    pub coefficient: Vec<CoefficientRow>,
}

/// One coefficient row of [`HedonicModelFile`].
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoefficientRow {
    /// The term.
    pub term: String,
    /// β.
    pub estimate: f64,
    /// Standard error.
    pub std_error: f64,
    /// Rows with the term.
    pub rows: usize,
}

impl HedonicModelFile {
    /// The file for a fit on `fitted_on`.
    pub fn from_fit(fit: &HedonicFit, fitted_on: &str) -> HedonicModelFile {
        HedonicModelFile {
            source: format!(
                "techval backtest --deals {fitted_on} --write-model models/hedonic.toml: least squares (QR, nalgebra) of ln price on the terms of valuation::hedonic over the single fixed-price deals"
            ),
            fitted_on: fitted_on.to_string(),
            n: fit.n,
            r2: fit.r2,
            adj_r2: fit.adj_r2,
            sigma: fit.sigma,
            note: fit.note.clone(),
            dropped: fit.dropped.clone(),
            coefficient: fit
                .coefficients
                .iter()
                .map(|c| CoefficientRow {
                    term: c.term.clone(),
                    estimate: c.estimate,
                    std_error: c.std_error,
                    rows: c.rows,
                })
                .collect(),
        }
    }
}

/// The design of the model over a deal history: y = ln price, X, the term names, and each row's
/// deal id and sector.
#[derive(Debug, Clone)]
pub struct Design {
    /// Deal ids of the rows.
    pub ids: Vec<String>,
    /// Sector label of each row (`agriculture`, `pharmaceuticals`, `manufacturing`,
    /// `services`, `unknown`).
    pub sector: Vec<String>,
    /// ln price.
    pub y: Vec<f64>,
    /// Term names (columns of `x`).
    pub terms: Vec<String>,
    /// Row-major n × p.
    pub x: Vec<f64>,
    /// Rows left out and why.
    pub excluded: Vec<(String, usize)>,
}

fn pe(e: PolarsError) -> Error {
    Error::Internal(format!(
        "hedonic model query: {}",
        crate::data::load::polars_message(&e)
    ))
}

fn has(c: &str, cols: &[String]) -> bool {
    cols.iter().any(|x| x == c)
}

/// Builds the design from a deal history (one polars query; the dummies are expressions).
pub fn design(deals: &DealHistory, model: &MarketModel) -> Result<Design> {
    let names: Vec<String> = deals
        .frame
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    let opt_str = |c: &str| {
        if has(c, &names) {
            col(c)
        } else {
            lit(NULL).cast(DataType::String)
        }
    };
    let basis = opt_str("price_basis");
    let aggregate = if has("aggregate", &names) {
        col("aggregate").eq(lit("true")).fill_null(lit(false))
    } else {
        lit(false)
    };
    let fixed = basis
        .clone()
        .is_null()
        .or(basis.clone().eq(lit("lump_sum")))
        .or(basis.clone().eq(lit("equity_value")));
    let reason = when(aggregate.clone())
        .then(lit("a total of several contracts"))
        .when(fixed.clone().not())
        .then(
            lit("not a fixed price (").cast(DataType::String)
                + basis.clone().fill_null(lit(""))
                + lit(")"),
        )
        .otherwise(lit(NULL).cast(DataType::String))
        .alias("__excluded");
    let all = prepare(deals.frame.clone().lazy(), model, deals)?
        .with_column(reason)
        .collect()
        .map_err(pe)?;
    let excluded_df = all
        .clone()
        .lazy()
        .filter(col("__excluded").is_not_null())
        .group_by([col("__excluded")])
        .agg([len().alias("n")])
        .sort(["__excluded"], SortMultipleOptions::default())
        .collect()
        .map_err(pe)?;
    let mut excluded = Vec::new();
    {
        let r = excluded_df
            .column("__excluded")
            .map_err(pe)?
            .str()
            .map_err(pe)?;
        let n = excluded_df.column("n").map_err(pe)?.u32().map_err(pe)?;
        for (a, b) in r.iter().zip(n.iter()) {
            excluded.push((a.unwrap_or("").to_string(), b.unwrap_or(0) as usize));
        }
    }
    let ind = col("industry");
    let sector = when(ind.clone().is_null())
        .then(lit("unknown"))
        .when(ind.clone().str().starts_with(lit("A")))
        .then(lit("agriculture"))
        .when(ind.clone().str().starts_with(lit("C27")))
        .then(lit("pharmaceuticals"))
        .when(ind.clone().str().starts_with(lit("C")))
        .then(lit("manufacturing"))
        .otherwise(lit("services"));
    let kind = col("ip_kind");
    let tt = col("transaction_type");
    let st = col("seller_type");
    let flag = |e: Expr| e.fill_null(lit(false)).cast(DataType::Float64);
    let n_pat = if has("n_patents", &names) {
        col("n_patents").cast(DataType::Float64)
    } else {
        lit(NULL).cast(DataType::Float64)
    };
    let listed = if has("buyer_type", &names) {
        flag(col("buyer_type").eq(lit("listed_company")))
    } else {
        lit(0.0)
    };
    let ln = |e: Expr| e.log(lit(std::f64::consts::E));
    let terms: Vec<(&str, Expr)> = vec![
        ("intercept", lit(1.0)),
        (
            "sector=agriculture",
            flag(col("__sector").eq(lit("agriculture"))),
        ),
        (
            "sector=pharmaceuticals",
            flag(col("__sector").eq(lit("pharmaceuticals"))),
        ),
        ("sector=services", flag(col("__sector").eq(lit("services")))),
        ("sector=unknown", flag(col("__sector").eq(lit("unknown")))),
        (
            "kind=patent",
            flag(
                kind.clone()
                    .eq(lit("invention_patent"))
                    .or(kind.clone().eq(lit("utility_model")))
                    .or(kind.clone().eq(lit("design_patent"))),
            ),
        ),
        ("kind=know_how", flag(kind.clone().eq(lit("know_how")))),
        ("kind=trademark", flag(kind.clone().eq(lit("trademark")))),
        (
            "kind=software",
            flag(kind.clone().eq(lit("software_copyright"))),
        ),
        (
            "type=licence",
            flag(
                tt.clone()
                    .eq(lit("licence"))
                    .or(tt.clone().eq(lit("exclusive_licence")))
                    .or(tt.clone().eq(lit("sole_licence")))
                    .or(tt.clone().eq(lit("non_exclusive_licence"))),
            ),
        ),
        (
            "type=equity",
            flag(tt.clone().eq(lit("equity_contribution"))),
        ),
        (
            "seller=research",
            flag(
                st.clone()
                    .eq(lit("university"))
                    .or(st.clone().eq(lit("institute")))
                    .or(st.clone().eq(lit("hospital"))),
            ),
        ),
        ("buyer=listed_company", listed),
        (
            "ln(1+patents)",
            ln(n_pat.clone() + lit(1.0)).fill_null(lit(0.0)),
        ),
        ("patents_unknown", flag(n_pat.is_null())),
        ("ln_time_index", ln(col("time_index"))),
        (
            "ln_region_index",
            ln(col("region_index")).fill_null(lit(0.0)),
        ),
        ("region_unknown", flag(col("region_index").is_null())),
    ];
    let mut sel = vec![
        col("deal_id"),
        col("__sector"),
        ln(col("price_yuan")).alias("__y"),
    ];
    for (i, (_, e)) in terms.iter().enumerate() {
        sel.push(e.clone().alias(format!("__x{i}")));
    }
    let rows = all
        .lazy()
        .filter(col("__excluded").is_null())
        .with_column(sector.alias("__sector"))
        .select(sel)
        .collect()
        .map_err(pe)?;
    let f64s = |name: &str| -> Result<Vec<f64>> {
        Ok(rows
            .column(name)
            .map_err(pe)?
            .cast(&DataType::Float64)
            .map_err(pe)?
            .f64()
            .map_err(pe)?
            .iter()
            .map(|v| v.unwrap_or(f64::NAN))
            .collect())
    };
    let n = rows.height();
    let p = terms.len();
    let mut x = vec![0.0; n * p];
    for j in 0..p {
        for (i, v) in f64s(&format!("__x{j}"))?.into_iter().enumerate() {
            x[i * p + j] = v;
        }
    }
    let strs = |name: &str| -> Result<Vec<String>> {
        Ok(rows
            .column(name)
            .map_err(pe)?
            .str()
            .map_err(pe)?
            .iter()
            .map(|v| v.unwrap_or("").to_string())
            .collect())
    };
    Ok(Design {
        ids: strs("deal_id")?,
        sector: strs("__sector")?,
        y: f64s("__y")?,
        terms: terms.iter().map(|(t, _)| t.to_string()).collect(),
        x,
        excluded,
    })
}

/// A dummy term is fitted only when at least this many rows have it and at least this many do
/// not: a level seen in one or two deals would be fitted exactly to them (its residuals 0, its
/// leave-one-out prediction undefined).
pub const MIN_TERM_ROWS: usize = 3;

/// The terms fitted on rows `keep`: the intercept, continuous terms that vary, dummies with at
/// least [`MIN_TERM_ROWS`] rows on each side.
fn used_terms(d: &Design, keep: &[usize]) -> Vec<usize> {
    let p = d.terms.len();
    (0..p)
        .filter(|&j| {
            if j == 0 {
                return true;
            }
            let vals = || keep.iter().map(|&i| d.x[i * p + j]);
            let binary = vals().all(|v| v == 0.0 || v == 1.0);
            if binary {
                let ones = vals().filter(|v| *v == 1.0).count();
                ones >= MIN_TERM_ROWS && keep.len() - ones >= MIN_TERM_ROWS
            } else {
                let first = d.x[keep[0] * p + j];
                vals().any(|v| v != first)
            }
        })
        .collect()
}

/// One least-squares solution.
struct Solved {
    /// Indices of the fitted terms.
    used: Vec<usize>,
    /// β of the fitted terms.
    beta: DVector<f64>,
    /// R⁻¹ of the QR decomposition.
    rinv: DMatrix<f64>,
    /// Residuals y − Xβ.
    resid: DVector<f64>,
    /// Leverages h_ii = ‖Q_i‖².
    leverage: Vec<f64>,
}

/// Least squares by QR (nalgebra) on the rows `keep` of the design.
fn solve(d: &Design, keep: &[usize], used: Vec<usize>) -> Result<Solved> {
    let p = d.terms.len();
    let n = keep.len();
    let k = used.len();
    if n <= k {
        return Err(Error::Unsupported(format!(
            "the hedonic model has {k} terms but only {n} rows with a fixed price: add deals"
        )));
    }
    let xm = DMatrix::from_fn(n, k, |r, c| d.x[keep[r] * p + used[c]]);
    let ym = DVector::from_iterator(n, keep.iter().map(|&i| d.y[i]));
    let qr = xm.clone().qr();
    let r = qr.r();
    let q = qr.q();
    let scale = (0..k).map(|i| r[(i, i)].abs()).fold(0.0, f64::max);
    for i in 0..k {
        if r[(i, i)].abs() <= 1e-10 * scale.max(1.0) {
            return Err(Error::Unsupported(format!(
                "the hedonic model's term {} is collinear with the others on these rows",
                d.terms[used[i]]
            )));
        }
    }
    let qty = q.transpose() * &ym;
    let beta = r
        .solve_upper_triangular(&qty)
        .ok_or_else(|| Error::Internal("hedonic model: R is singular".into()))?;
    let rinv = r
        .try_inverse()
        .ok_or_else(|| Error::Internal("hedonic model: R is singular".into()))?;
    let resid = &ym - &xm * &beta;
    let leverage = (0..n).map(|i| q.row(i).norm_squared()).collect();
    Ok(Solved {
        used,
        beta,
        rinv,
        resid,
        leverage,
    })
}

/// Fits the model on every row of the design (in-sample).
pub fn fit(d: &Design) -> Result<HedonicFit> {
    let n = d.y.len();
    if n == 0 {
        return Err(Error::Unsupported(
            "the hedonic model has no deal with a fixed price to fit".into(),
        ));
    }
    let keep: Vec<usize> = (0..n).collect();
    let s = solve(d, &keep, used_terms(d, &keep))?;
    let p = d.terms.len();
    let k = s.used.len();
    let rss = s.resid.dot(&s.resid);
    let mean = d.y.iter().sum::<f64>() / n as f64;
    let tss: f64 = d.y.iter().map(|y| (y - mean) * (y - mean)).sum();
    let sigma2 = rss / (n - k) as f64;
    let cov = &s.rinv * s.rinv.transpose() * sigma2;
    let coefficients = s
        .used
        .iter()
        .enumerate()
        .map(|(c, &j)| {
            let se = cov[(c, c)].sqrt();
            let rows = if d.terms[j].starts_with("ln") || j == 0 {
                n
            } else {
                (0..n).filter(|&i| d.x[i * p + j] != 0.0).count()
            };
            Coefficient {
                term: d.terms[j].clone(),
                estimate: s.beta[c],
                std_error: se,
                t: s.beta[c] / se,
                rows,
            }
        })
        .collect();
    let r2 = 1.0 - rss / tss;
    Ok(HedonicFit {
        n,
        coefficients,
        dropped: (0..p)
            .filter(|j| !s.used.contains(j))
            .map(|j| d.terms[j].clone())
            .collect(),
        r2,
        adj_r2: 1.0 - (1.0 - r2) * (n as f64 - 1.0) / (n - k) as f64,
        sigma: sigma2.sqrt(),
        excluded: d.excluded.clone(),
        note: "in-sample: coefficients, R² and σ are fitted and measured on the same rows; the back-test's errors are leave-one-out".into(),
    })
}

/// Leave-one-out predictions of ln P: row i from the model fitted on the other rows, by the
/// exact least-squares identity `ŷ₍₋ᵢ₎ = yᵢ − eᵢ / (1 − hᵢᵢ)` (one fit, not n; the test
/// checks it against n refits). The terms are those of the full fit. `None` where hᵢᵢ ≈ 1 (the
/// row alone determines a coefficient).
pub fn leave_one_out(d: &Design) -> Result<Vec<Option<f64>>> {
    let n = d.y.len();
    let keep: Vec<usize> = (0..n).collect();
    let s = solve(d, &keep, used_terms(d, &keep))?;
    Ok((0..n)
        .map(|i| {
            let h = s.leverage[i];
            (h < 1.0 - 1e-9).then(|| d.y[i] - s.resid[i] / (1.0 - h))
        })
        .collect())
}

/// The prediction of ln P for a row of attributes `x` (length = all terms) from a fit's
/// coefficients (terms not in the fit count 0).
pub fn predict(fit: &HedonicFit, terms: &[String], x: &[f64]) -> f64 {
    fit.coefficients
        .iter()
        .map(|c| {
            terms
                .iter()
                .position(|t| *t == c.term)
                .map_or(0.0, |j| c.estimate * x[j])
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A design with a known exact linear law is fitted exactly; leave-one-out recovers it.
    #[test]
    fn exact_linear_law_is_recovered() {
        let n = 12;
        let terms = vec!["intercept".to_string(), "a".into(), "b".into()];
        let mut x = Vec::new();
        let mut y = Vec::new();
        for i in 0..n {
            let a = (i % 2) as f64;
            let b = i as f64 * 0.5;
            x.extend([1.0, a, b]);
            y.push(2.0 + 0.7 * a - 0.3 * b);
        }
        let d = Design {
            ids: (0..n).map(|i| i.to_string()).collect(),
            sector: vec!["x".into(); n],
            y,
            terms,
            x,
            excluded: Vec::new(),
        };
        let f = fit(&d).unwrap();
        assert!((f.coefficients[0].estimate - 2.0).abs() < 1e-10);
        assert!((f.coefficients[1].estimate - 0.7).abs() < 1e-10);
        assert!((f.coefficients[2].estimate + 0.3).abs() < 1e-10);
        assert!(f.r2 > 1.0 - 1e-12);
        for (i, p) in leave_one_out(&d).unwrap().iter().enumerate() {
            assert!((p.unwrap() - d.y[i]).abs() < 1e-9);
        }
    }

    /// The one-fit leave-one-out identity equals n explicit refits on noisy data.
    #[test]
    fn leave_one_out_identity_matches_refits() {
        let n = 30;
        let terms = vec!["intercept".to_string(), "d".into(), "z".into()];
        let mut x = Vec::new();
        let mut y = Vec::new();
        for i in 0..n {
            let dd = f64::from(u8::from(i % 3 == 0));
            let z = (i as f64 * 0.37).sin() * 2.0;
            x.extend([1.0, dd, z]);
            // deterministic "noise"
            y.push(1.0 + 0.5 * dd + 0.2 * z + ((i * 7919) % 13) as f64 / 13.0 - 0.5);
        }
        let d = Design {
            ids: (0..n).map(|i| i.to_string()).collect(),
            sector: vec!["x".into(); n],
            y,
            terms,
            x,
            excluded: Vec::new(),
        };
        let fast = leave_one_out(&d).unwrap();
        let all: Vec<usize> = (0..n).collect();
        let used = used_terms(&d, &all);
        for (i, fast_i) in fast.iter().enumerate() {
            let keep: Vec<usize> = (0..n).filter(|&j| j != i).collect();
            let s = solve(&d, &keep, used.clone()).unwrap();
            let refit: f64 = s
                .used
                .iter()
                .enumerate()
                .map(|(c, &j)| s.beta[c] * d.x[i * 3 + j])
                .sum();
            assert!((fast_i.unwrap() - refit).abs() < 1e-10, "row {i}");
        }
    }
}
