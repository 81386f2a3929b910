//! `techval backtest`: leave-one-out back-test of the market approach beside a naive predictor.

use super::deals;
use super::output::{emit, Align, Table};
use crate::data::DataProvenance;
use crate::envelope::Envelope;
use crate::valuation::backtest::{self, BacktestReport};
use clap::{Args, ValueEnum};
use serde::Serialize;
use std::path::PathBuf;

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum BacktestFormat {
    /// Tables for the terminal.
    #[default]
    Table,
    /// JSON.
    Json,
}

/// Arguments of `techval backtest`.
#[derive(Debug, Args)]
pub struct BacktestArgs {
    /// Deal history: a CSV or Parquet file, or `public` / `synthetic` for a shipped set.
    /// Default: the public set of real deals (datasets/deals_public.csv).
    #[arg(long, value_name = "PATH")]
    pub deals: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = BacktestFormat::Table)]
    pub format: BacktestFormat,
    /// Write to this file (atomically) instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Write the rows rejected from --deals to this CSV file.
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,
    /// Write the hedonic model fitted on every evaluated deal (in-sample) to this TOML file
    /// (`models/hedonic.toml` is written this way from the public deals).
    #[arg(long, value_name = "FILE")]
    pub write_model: Option<PathBuf>,
}

#[derive(Serialize)]
struct Doc<'a> {
    report: &'a BacktestReport,
}

fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "-".into(), |v| format!("{:.1}%", v * 100.0))
}
fn num(x: Option<f64>) -> String {
    x.map_or_else(|| "-".into(), |v| format!("{v:.3}"))
}

/// Renders the report as tables.
pub fn render(r: &BacktestReport) -> String {
    let mut out = format!(
        "back-test over {} deals ({} single fixed-price deals evaluated) — {}\n",
        r.deals, r.evaluated, r.settings
    );
    for (by, title) in [
        ("all", "overall"),
        ("ip_kind", "by IP kind"),
        ("industry", "by industry"),
    ] {
        out.push_str(&format!("\n{title}\n"));
        let mut head = vec!["group".to_string(), "deals".into(), "scored".into()];
        let mut align = vec![Align::Left, Align::Right, Align::Right];
        for m in ["market", "hedonic", "naive"] {
            for h in ["n", "med|ln|", "within 2×", "bias"] {
                head.push(format!("{m} {h}"));
                align.push(Align::Right);
            }
        }
        let head_ref: Vec<&str> = head.iter().map(String::as_str).collect();
        let mut t = Table::new(&head_ref, &align);
        for row in r.rows.iter().filter(|x| x.by == by) {
            let mut cells = vec![
                row.group.clone(),
                row.deals.to_string(),
                row.scored.to_string(),
            ];
            for m in [&row.market, &row.hedonic, &row.naive] {
                cells.extend([
                    m.predicted.to_string(),
                    num(m.median_abs_log_error),
                    pct(m.within_2x),
                    num(m.bias),
                ]);
            }
            t.row(cells);
        }
        out.push_str(&t.render());
    }
    out.push_str("\nn = deals the method predicted; med|ln| = median |ln(predicted / actual)|, within 2× = share with 0.5 ≤ predicted / actual ≤ 2, bias = median ln(predicted / actual) — all three on the `scored` deals, which every method predicted; every prediction leaves its deal out\n");
    if let Some(f) = &r.hedonic_fit {
        out.push_str(&format!(
            "\nhedonic model fitted on all {} evaluated deals (IN-SAMPLE: R² {:.3}, adjusted R² {:.3}, σ(ln P) {:.3})\n",
            f.n, f.r2, f.adj_r2, f.sigma
        ));
        let mut t = Table::new(
            &["term", "β", "s.e.", "t", "rows"],
            &[
                Align::Left,
                Align::Right,
                Align::Right,
                Align::Right,
                Align::Right,
            ],
        );
        for c in &f.coefficients {
            t.row([
                c.term.clone(),
                format!("{:.4}", c.estimate),
                format!("{:.4}", c.std_error),
                format!("{:.2}", c.t),
                c.rows.to_string(),
            ]);
        }
        out.push_str(&t.render());
        if !f.dropped.is_empty() {
            out.push_str(&format!(
                "terms not fitted (fewer than {} deals on one side): {}\n",
                crate::valuation::hedonic::MIN_TERM_ROWS,
                f.dropped.join(", ")
            ));
        }
        for (why, n) in &f.excluded {
            out.push_str(&format!("left out: {n} deals — {why}\n"));
        }
    }
    for w in &r.warnings {
        out.push_str(&format!("warning: {w}\n"));
    }
    out
}

/// Runs `techval backtest`.
pub fn run(a: BacktestArgs, models: &crate::ModelBook) -> anyhow::Result<()> {
    let h = deals::load(a.deals.as_ref(), a.rejects.as_deref(), None, 0)?;
    let t0 = std::time::Instant::now();
    let r = backtest::backtest(&h, &models.market)?;
    let secs = t0.elapsed().as_secs_f64();
    let text = match a.format {
        BacktestFormat::Json => Envelope::new("backtest", &models.origin)
            .data(Some(DataProvenance::of(&h)))
            .wrap(Doc { report: &r })
            .to_json()?,
        BacktestFormat::Table => {
            let mut s = render(&r);
            s.push_str(&deals::footer(&h));
            s
        }
    };
    eprintln!("back-test computed in {secs:.2} s");
    if let Some(p) = &a.write_model {
        let fit = r.hedonic_fit.as_ref().ok_or_else(|| {
            crate::Error::Unsupported(format!(
                "--write-model: no hedonic model on {}: {}",
                h.source,
                r.warnings.join("; ")
            ))
        })?;
        let name = h.source.trim_end_matches(" (shipped)");
        let file = crate::valuation::hedonic::HedonicModelFile::from_fit(fit, name);
        let body = format!(
            "# The hedonic price model fitted on {name} — IN-SAMPLE figures (fitted and measured on\n# the same deals). Regenerate, do not edit: techval backtest --deals {name} --write-model FILE\n{}",
            toml::to_string(&file)?
        );
        crate::input::write_atomic(p, body.as_bytes())?;
        eprintln!("wrote {}", p.display());
    }
    emit(a.out.as_deref(), &text)?;
    Ok(())
}
