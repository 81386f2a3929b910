//! The Gaussian copula's linear algebra: the Cholesky factor of the latent correlation
//! matrix (positive semi-definite, zero pivots allowed).

/// Cholesky factor `L` (row-major, lower) of a symmetric positive semi-definite `k×k` matrix.
/// Zero pivots (rank-deficient but PSD, e.g. ρ = 1) give a zero column; a negative pivot or an
/// inconsistent zero-pivot column is an error.
pub(super) fn cholesky_psd(a: &[f64], k: usize) -> std::result::Result<Vec<f64>, ()> {
    const TOL: f64 = 1e-10;
    let mut l = vec![0.0; k * k];
    for j in 0..k {
        let mut d = a[j * k + j];
        for p in 0..j {
            d -= l[j * k + p] * l[j * k + p];
        }
        if d < -TOL {
            return Err(());
        }
        if d <= TOL {
            for i in (j + 1)..k {
                let mut s = a[i * k + j];
                for p in 0..j {
                    s -= l[i * k + p] * l[j * k + p];
                }
                if s.abs() > 1e-7 {
                    return Err(());
                }
            }
            continue;
        }
        let djj = d.sqrt();
        l[j * k + j] = djj;
        for i in (j + 1)..k {
            let mut s = a[i * k + j];
            for p in 0..j {
                s -= l[i * k + p] * l[j * k + p];
            }
            l[i * k + j] = s / djj;
        }
    }
    Ok(l)
}
