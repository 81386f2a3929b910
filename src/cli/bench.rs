//! `techval bench simulate`: the Monte Carlo benchmark of the project (not a test).
//!
//! A 10-year relief-from-royalty case with three random inputs, run through the production path
//! (`valuation::uncertainty::simulate`: sampler, chunked rayon run, full statistics):
//!
//! ```text
//! V = scale × k × (1 − T) × Σ_{t=1..10} S₁·(1+g)^(t−1) / (1+r)^t
//! S₁ = 10,000,000 元, g = 5 %, T = 25 %
//! scale ~ lognormal(mean 1, sd 0.25)   k ~ triangular(3 %, 5 %, 7 %)   r ~ normal(12 %, 1.5 %)
//! ```
//!
//! `benches/rfr10.toml` states the same case in the case-file schema (for the income approach's
//! compiled model), and `benches/mc_reference.py` is the numpy-vectorised reference of the same
//! model; `benches/README.md` says how to run them side by side.
//!
//! Phase 1 note: the income approach's compiled model is being written separately; until it is
//! merged the model below is a stand-in with the same formula.

use super::output::emit;
use super::OutputFormat;
use crate::param::{Dist, Param};
use crate::valuation::uncertainty::{self, SimSettings, DEFAULT_CHUNK_SIZE, DEFAULT_SEED};
use crate::valuation::{Model, PlanInput};
use clap::{Args, Subcommand};
use rust_decimal::Decimal;
use serde::Serialize;
use std::time::Instant;

/// Arguments of `techval bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// What to benchmark.
    #[command(subcommand)]
    pub what: BenchCommand,
}

/// The benchmarks.
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Monte Carlo of a 10-year relief-from-royalty case with three random inputs.
    Simulate {
        /// Number of paths.
        #[arg(long, default_value_t = 1_000_000)]
        paths: u64,
        /// Master seed.
        #[arg(long, default_value_t = DEFAULT_SEED)]
        seed: u64,
        /// Paths per chunk.
        #[arg(long, default_value_t = DEFAULT_CHUNK_SIZE)]
        chunk_size: u64,
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
}

/// The benchmark's relief-from-royalty model (10 years, end-year discounting).
#[derive(Debug, Clone)]
pub struct RfrBench {
    inputs: Vec<PlanInput>,
}

/// Years of the benchmark model.
pub const BENCH_YEARS: usize = 10;

fn d(s: &str) -> Decimal {
    s.parse().unwrap_or(Decimal::ZERO)
}

impl RfrBench {
    /// The benchmark case: S₁ = 10,000,000, g = 5 %, T = 25 %, scale ~ lognormal(1, 0.25),
    /// k ~ triangular(0.03, 0.05, 0.07), r ~ normal(0.12, 0.015).
    pub fn new() -> RfrBench {
        let dist = |dist: Dist, point: &str| Param {
            point: d(point),
            dist: Some(dist),
        };
        let inputs = vec![
            PlanInput {
                path: "income.revenue[0]".into(),
                param: Param::fixed(d("10000000")),
            },
            PlanInput {
                path: "income.growth".into(),
                param: Param::fixed(d("0.05")),
            },
            PlanInput {
                path: "income.stream_scale".into(),
                param: dist(
                    Dist::Lognormal {
                        mean: d("1"),
                        sd: d("0.25"),
                    },
                    "1",
                ),
            },
            PlanInput {
                path: "income.royalty.rate".into(),
                param: dist(
                    Dist::Triangular {
                        min: d("0.03"),
                        mode: d("0.05"),
                        max: d("0.07"),
                    },
                    "0.05",
                ),
            },
            PlanInput {
                path: "income.royalty.tax_rate".into(),
                param: Param::fixed(d("0.25")),
            },
            PlanInput {
                path: "income.discount.rate".into(),
                param: dist(
                    Dist::Normal {
                        mean: d("0.12"),
                        sd: d("0.015"),
                        min: None,
                        max: None,
                    },
                    "0.12",
                ),
            },
        ];
        RfrBench { inputs }
    }
}

impl Default for RfrBench {
    fn default() -> Self {
        RfrBench::new()
    }
}

impl Model for RfrBench {
    fn inputs(&self) -> &[PlanInput] {
        &self.inputs
    }
    fn eval(&self, x: &[f64]) -> f64 {
        let (s1, g, scale, k, tax, r) = (x[0], x[1], x[2], x[3], x[4], x[5]);
        let v = 1.0 / (1.0 + r);
        let (mut s, mut df, mut pv) = (s1, v, 0.0);
        for _ in 0..BENCH_YEARS {
            pv += s * df;
            s *= 1.0 + g;
            df *= v;
        }
        scale * k * (1.0 - tax) * pv
    }
}

/// The benchmark's report.
#[derive(Debug, Serialize)]
pub struct BenchReport {
    /// What ran.
    pub model: &'static str,
    /// Paths.
    pub paths: u64,
    /// Master seed.
    pub seed: u64,
    /// Paths per chunk.
    pub chunk_size: u64,
    /// Rayon worker threads.
    pub threads: usize,
    /// Wall time of the simulation and its statistics, seconds.
    pub simulate_seconds: f64,
    /// Paths per second.
    pub trials_per_second: f64,
    /// Paths per second per thread (wall clock: understates throughput on a busy machine).
    pub trials_per_second_per_core: f64,
    /// CPU time of all threads during the run, seconds (Linux: `/proc/self/task/*/schedstat`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_seconds: Option<f64>,
    /// Paths per CPU-second: the per-core throughput, independent of other load.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trials_per_cpu_second: Option<f64>,
    /// Mean value, 元.
    pub mean: f64,
    /// Standard error of the mean, 元.
    pub std_error: f64,
    /// P5, 元.
    pub p5: f64,
    /// P50, 元.
    pub p50: f64,
    /// P95, 元.
    pub p95: f64,
    /// The dists of the random inputs (for the numpy reference).
    pub inputs: Vec<String>,
}

/// Runs `techval bench`.
pub fn run(a: BenchArgs) -> anyhow::Result<()> {
    let BenchCommand::Simulate {
        paths,
        seed,
        chunk_size,
        format,
    } = a.what;
    let model = RfrBench::new();
    let settings = SimSettings {
        samples: paths,
        seed,
        chunk_size,
        ..SimSettings::default()
    };
    let cpu0 = cpu_seconds();
    let t0 = Instant::now();
    let sim = uncertainty::simulate(&model, &[], &settings)?;
    let secs = t0.elapsed().as_secs_f64();
    let cpu = cpu_seconds().zip(cpu0).map(|(b, a)| b - a);
    let threads = rayon::current_num_threads();
    let st = &sim.stats;
    let rep = BenchReport {
        model: "relief from royalty, 10 years, 3 random inputs (scale lognormal, royalty triangular, discount normal)",
        paths,
        seed,
        chunk_size,
        threads,
        simulate_seconds: secs,
        trials_per_second: paths as f64 / secs,
        trials_per_second_per_core: paths as f64 / secs / threads as f64,
        cpu_seconds: cpu,
        trials_per_cpu_second: cpu.filter(|c| *c > 0.0).map(|c| paths as f64 / c),
        mean: st.mean,
        std_error: st.std_error,
        p5: st.percentile("P5").unwrap_or(f64::NAN),
        p50: st.percentile("P50").unwrap_or(f64::NAN),
        p95: st.percentile("P95").unwrap_or(f64::NAN),
        inputs: model
            .inputs()
            .iter()
            .filter(|i| i.param.is_uncertain())
            .map(|i| {
                format!(
                    "{} ~ {}",
                    i.path,
                    i.param
                        .dist
                        .as_ref()
                        .map(crate::param::describe)
                        .unwrap_or_default()
                )
            })
            .collect(),
    };
    let text = match format {
        OutputFormat::Json => {
            let mut s = serde_json::to_string_pretty(&rep)?;
            s.push('\n');
            s
        }
        OutputFormat::Table => {
            use super::simulation::{fmt_num, fmt_yuan};
            format!(
                "{}\n  {}\npaths {}  threads {}  seed {}  chunk {}\nsimulate + statistics: {} s wall, {} s CPU\ntrials/s: {}  trials/s/core (wall): {}  trials per CPU-second: {}\nmean {} ± {} (se)  P5 {}  P50 {}  P95 {}\n",
                rep.model,
                rep.inputs.join("\n  "),
                rep.paths,
                rep.threads,
                rep.seed,
                rep.chunk_size,
                fmt_num(rep.simulate_seconds, 4),
                rep.cpu_seconds.map_or("?".into(), |c| fmt_num(c, 4)),
                fmt_num(rep.trials_per_second.round(), 0),
                fmt_num(rep.trials_per_second_per_core.round(), 0),
                rep.trials_per_cpu_second
                    .map_or("?".into(), |c| fmt_num(c.round(), 0)),
                fmt_yuan(rep.mean),
                fmt_yuan(rep.std_error),
                fmt_yuan(rep.p5),
                fmt_yuan(rep.p50),
                fmt_yuan(rep.p95),
            )
        }
    };
    emit(None, &text)?;
    Ok(())
}

/// CPU time consumed so far by all threads of this process, in seconds: the sum of the first
/// field (ns on CPU) of `/proc/self/task/*/schedstat`. `None` where that is not available.
fn cpu_seconds() -> Option<f64> {
    let mut ns: u64 = 0;
    for t in std::fs::read_dir("/proc/self/task").ok()?.flatten() {
        let s = std::fs::read_to_string(t.path().join("schedstat")).ok()?;
        ns += s.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    Some(ns as f64 / 1e9)
}
