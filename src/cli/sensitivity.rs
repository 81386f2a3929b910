//! `techval sensitivity`: tornado and spider data from the deterministic model of each approach,
//! and the rank correlation of each sampled input with the simulated value.

use super::output::{emit, Align, Table};
use super::simulation::{fmt_num, fmt_yuan};
use super::value::load_case;
use super::OutputFormat;
use crate::models::ModelBook;
use crate::valuation::uncertainty::{self, Sensitivity, SimSettings, SimulationSummary};
use crate::valuation::Approach;
use clap::Args;
use serde::Serialize;
use std::path::PathBuf;

/// Arguments of `techval sensitivity`.
#[derive(Debug, Args)]
pub struct SensitivityArgs {
    /// Case file (TOML or JSON). Without it the bundled demo case runs.
    #[arg(long, value_name = "FILE")]
    pub case: Option<PathBuf>,
    /// Approach to analyse (default: every approach the case has and techval has a compiled
    /// model for).
    #[arg(long, value_enum, default_value_t = super::value::ApproachArg::All)]
    pub approach: super::value::ApproachArg,
    /// Relative swing of each input for the tornado (0.1 = ±10 %); the spider runs over
    /// −2×, −1×, −½×, 0, ½×, 1×, 2× this swing.
    #[arg(long, default_value_t = 0.1, value_name = "X")]
    pub swing: f64,
    /// Paths of the simulation behind the rank correlations (default: [simulation].samples or
    /// 10000).
    #[arg(long, value_name = "N")]
    pub simulate: Option<u64>,
    /// Master seed of that simulation (default: [simulation].seed).
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Paths per chunk of that simulation.
    #[arg(long, value_name = "N")]
    pub chunk_size: Option<u64>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
    /// Write the output to this file (atomically) instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Sensitivity of one approach.
#[derive(Debug, Serialize)]
pub struct ApproachSensitivity {
    /// The approach.
    pub approach: Approach,
    /// Tornado and spider data (deterministic, f64 元).
    pub sensitivity: Sensitivity,
    /// The simulation behind the rank correlations (absent when no input is uncertain).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub simulation: Option<SimulationSummary>,
}

/// The body of the JSON document of `techval sensitivity --format json` (after the
/// [`crate::envelope::Envelope`]).
#[derive(Debug, Serialize)]
pub struct SensitivityDocument<'a> {
    /// Subject id.
    pub subject_id: &'a str,
    /// One entry per approach analysed.
    pub approaches: Vec<ApproachSensitivity>,
    /// Approaches left out, and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// Runs `techval sensitivity`.
pub fn run(a: SensitivityArgs, models: &ModelBook) -> anyhow::Result<()> {
    use super::value::ApproachArg;
    let (case, label) = load_case(a.case.as_ref(), models)?;
    let which = match a.approach {
        ApproachArg::Income => vec![Approach::Income],
        ApproachArg::Cost => vec![Approach::Cost],
        ApproachArg::Market => vec![Approach::Market],
        ApproachArg::All => crate::evaluate::available(&case),
    };
    let compiled =
        crate::evaluate::compile(&case, models, &which).map_err(|e| e.in_file(&label))?;
    if compiled.models.is_empty() {
        return Err(crate::Error::Unsupported(format!(
            "{label}: nothing to analyse: {}",
            compiled.notes.join("; ")
        ))
        .into());
    }
    let mut sens = Vec::new();
    for (_, m) in &compiled.models {
        sens.push(uncertainty::sensitivity(m.as_ref(), a.swing)?);
    }
    let mut settings =
        SimSettings::resolve(case.simulation.as_ref(), a.simulate, a.seed, a.chunk_size)?;
    settings.rank_correlation = true;
    let sims = compiled
        .simulate_each(&settings)
        .map_err(|e| e.in_file(&label))?;
    let mut approaches = Vec::new();
    for (((ap, _), sim), sensitivity) in compiled.models.iter().zip(sims).zip(sens) {
        let has_random = !sim.dist.uncertain_inputs.is_empty();
        approaches.push(ApproachSensitivity {
            approach: *ap,
            sensitivity,
            simulation: has_random.then_some(sim),
        });
    }
    let doc = SensitivityDocument {
        subject_id: &case.subject.id,
        approaches,
        notes: compiled.notes,
    };
    let text = match a.format {
        OutputFormat::Json => crate::envelope::Envelope::new("sensitivity", &models.origin)
            .case(&label)
            .seed(Some(settings.seed))
            .wrap(&doc)
            .to_json()?,
        OutputFormat::Table => render(&doc),
    };
    emit(a.out.as_deref(), &text)?;
    Ok(())
}

fn pct(x: f64) -> String {
    let s = fmt_num(x * 100.0, 2);
    if x > 0.0 {
        format!("+{s}%")
    } else {
        format!("{s}%")
    }
}

/// The terminal view.
pub fn render(doc: &SensitivityDocument) -> String {
    let mut out = format!("{} — sensitivity\n", doc.subject_id);
    for ap in &doc.approaches {
        let s = &ap.sensitivity;
        out.push_str(&format!(
            "\n{} {} — base value {} 元; each input moved by ±{} of its point value\n",
            ap.approach.name_zh(),
            ap.approach.as_str(),
            fmt_yuan(s.base_value),
            pct(s.swing).trim_start_matches('+')
        ));
        let mut t = Table::new(
            &[
                "input",
                "point",
                &format!("value at {}", pct(-s.swing)),
                &format!("value at {}", pct(s.swing)),
                "swing (元)",
                "tornado",
            ],
            &[
                Align::Left,
                Align::Right,
                Align::Right,
                Align::Right,
                Align::Right,
                Align::Left,
            ],
        );
        let lo = s.tornado.iter().map(|b| b.low).fold(s.base_value, f64::min);
        let hi = s
            .tornado
            .iter()
            .map(|b| b.high)
            .fold(s.base_value, f64::max);
        let width = 30.0;
        let scale = if hi > lo { width / (hi - lo) } else { 0.0 };
        for b in &s.tornado {
            let pos = |v: f64| ((v - lo) * scale).round() as usize;
            let (l, r, c) = (pos(b.low), pos(b.high), pos(s.base_value));
            let mut bar: Vec<char> = vec![' '; width as usize + 1];
            for (i, ch) in bar.iter_mut().enumerate() {
                if i >= l && i <= r {
                    *ch = '=';
                }
                if i == c {
                    *ch = '|';
                }
            }
            let mut bar: String = bar.into_iter().collect();
            if !b.monotone {
                bar.push_str(" (not monotone)");
            }
            t.row([
                b.input.clone(),
                fmt_num(b.point, 6),
                fmt_yuan(b.value_at_low_input),
                fmt_yuan(b.value_at_high_input),
                fmt_yuan(b.swing),
                bar.trim_end().to_string(),
            ]);
        }
        out.push_str(&t.render());
        let mut header = vec!["spider: input".to_string()];
        header.extend(s.spider_changes.iter().map(|c| pct(*c)));
        let hr: Vec<&str> = header.iter().map(String::as_str).collect();
        let mut align = vec![Align::Left];
        align.extend(std::iter::repeat_n(Align::Right, s.spider_changes.len()));
        let mut sp = Table::new(&hr, &align);
        for l in &s.spider {
            let mut row = vec![l.input.clone()];
            row.extend(
                l.values
                    .iter()
                    .map(|v| v.map_or_else(|| "—".to_string(), fmt_yuan)),
            );
            sp.row(row);
        }
        out.push('\n');
        out.push_str(&sp.render());
        for l in &s.spider {
            for g in &l.gaps {
                out.push_str(&format!("spider {} at {g}\n", l.input));
            }
        }
        for k in &s.skipped {
            out.push_str(&format!("skipped {}: {}\n", k.input, k.reason));
        }
        match &ap.simulation {
            Some(sim) => {
                out.push_str(&format!(
                    "\nrank (Spearman) correlation with the simulated value ({} paths, seed {}, chunk size {}):\n",
                    sim.dist.samples, sim.dist.seed, sim.dist.chunk_size
                ));
                for r in &sim.dist.rank_correlations {
                    out.push_str(&format!("  {:>7}  {}\n", fmt_num(r.rho, 4), r.input));
                }
            }
            None => out.push_str(
                "\nno input has a distribution: no rank correlations (give inputs a dist table)\n",
            ),
        }
    }
    for n in &doc.notes {
        out.push_str(&format!("note: {n}\n"));
    }
    out
}
