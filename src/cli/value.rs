//! `techval value`: value one subject and print a table or the JSON with every audit step.

use super::output::{emit, Align, Table};
use super::OutputFormat;
use crate::case::{Case, DEMO_CASE};
use crate::data::DataProvenance;
use crate::envelope::Envelope;
use crate::evaluate;
use crate::models::ModelBook;
use crate::valuation::{Approach, Valuation};
use clap::{Args, ValueEnum};
use serde::Serialize;
use std::path::PathBuf;

/// Which approach(es) to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ApproachArg {
    /// 收益法.
    Income,
    /// 成本法.
    Cost,
    /// 市场法 (deal history from --deals, default the public set of real deals).
    Market,
    /// Every approach the case has assumptions for.
    All,
}

/// Arguments of `techval value`.
#[derive(Debug, Args)]
pub struct ValueArgs {
    /// Case file (TOML or JSON). Without it the bundled demo case runs.
    #[arg(long, value_name = "FILE")]
    pub case: Option<PathBuf>,
    /// Approach to run.
    #[arg(long, value_enum, default_value_t = ApproachArg::All)]
    pub approach: ApproachArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
    /// Write the output to this file (atomically) instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Monte Carlo: simulate N paths of each approach that has a compiled model (overrides
    /// [simulation].samples; a case with a [simulation] section simulates without this flag).
    #[arg(long, value_name = "N")]
    pub simulate: Option<u64>,
    /// Master seed of the simulation (overrides [simulation].seed).
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Paths per chunk (overrides [simulation].chunk_size). Results depend on the seed, the
    /// sample count and the chunk size, never on the number of threads.
    #[arg(long, value_name = "N")]
    pub chunk_size: Option<u64>,
    /// Deal history: a CSV or Parquet file (schema in datasets/README.md), or `public` / `synthetic`
    /// for a shipped set. Default: the public set of real deals (datasets/deals_public.csv) when
    /// it holds at least k single fixed-price deals of the subject's kind, else the shipped
    /// SYNTHETIC deals (the output says which).
    #[arg(long, value_name = "PATH")]
    pub deals: Option<PathBuf>,
    /// Write the rows rejected from --deals to this CSV file.
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,
}

/// The body of the JSON document `techval value --format json` writes (after the
/// [`crate::envelope::Envelope`]). Layout documented in README.
#[derive(Debug, Serialize)]
pub struct ValueDocument<'a> {
    /// The subject.
    pub subject: &'a crate::Subject,
    /// Purpose, when the case gives one.
    pub purpose: Option<crate::case::Purpose>,
    /// One result per approach.
    pub valuations: &'a [Valuation],
    /// Monte Carlo summaries, one per approach with a compiled model (when simulating).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub simulations: Vec<crate::valuation::uncertainty::SimulationSummary>,
    /// Approaches left out of the simulation, and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub simulation_notes: Vec<String>,
    /// The concluded value, when more than one approach ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reconciliation: Option<crate::valuation::reconcile::Reconciliation>,
    /// Monte Carlo of the concluded value (when simulating and more than one approach ran):
    /// its distribution and the downside pledge value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reconciled_simulation: Option<crate::valuation::reconcile::ReconciledSimulation>,
    /// The case's score (`[scoring]`) and the values it drove.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<&'a crate::case::Scored>,
}

/// The score in brief and what it drove (`techval score` prints the whole card).
pub fn score_lines(s: &crate::case::Scored) -> String {
    let c = &s.card;
    let mut t = format!(
        "\nscore ({} {}, scenario {}): total {}, grade {}, coverage {}",
        c.model,
        c.model_name_zh,
        c.scenario,
        c.total
            .map_or("—".into(), |x| x.round_dp(2).normalize().to_string()),
        c.grade.map_or("—", |g| g.as_str()),
        c.coverage.normalize()
    );
    for v in &c.vetoes {
        t.push_str(&format!("; veto {} ({})", v.id, v.fact));
    }
    if let Some(g) = &c.gate {
        t.push_str(&format!("; gate {}", g.outcome.as_str()));
    }
    t.push('\n');
    for d in &s.derived {
        t.push_str(&format!(
            "  {} = {}: {}\n",
            d.path,
            d.value.normalize(),
            d.formula
        ));
    }
    t
}

/// Loads the case named by `--case` or the bundled demo, and validates it.
pub fn load_case(path: Option<&PathBuf>, models: &ModelBook) -> crate::Result<(Case, String)> {
    let (case, label) = match path {
        Some(p) => (Case::load(p)?, p.display().to_string()),
        None => {
            eprintln!(
                "note: no --case given; running the bundled demo case ({})",
                DEMO_CASE.0
            );
            (Case::demo()?, DEMO_CASE.0.to_string())
        }
    };
    let case = case.prepare(models).map_err(|e| e.in_file(&label))?;
    Ok((case, label))
}

/// Runs `techval value`.
pub fn run(a: ValueArgs, models: &ModelBook) -> anyhow::Result<()> {
    let (case, label) = load_case(a.case.as_ref(), models)?;
    let which = match a.approach {
        ApproachArg::Income => vec![Approach::Income],
        ApproachArg::Cost => vec![Approach::Cost],
        ApproachArg::Market => vec![Approach::Market],
        ApproachArg::All => evaluate::available(&case),
    };
    let deals = if which.contains(&Approach::Market) {
        Some(super::deals::load(
            a.deals.as_ref(),
            a.rejects.as_deref(),
            Some(case.subject.kind.as_str()),
            models.market.selection.k as usize,
        )?)
    } else {
        None
    };
    let vals = evaluate::run_approaches(&case, models, &which, deals.as_ref())
        .map_err(|e| e.in_file(&label))?;
    let reconciliation =
        evaluate::reconcile_all(&case, models, &vals).map_err(|e| e.in_file(&label))?;
    let simulate = a.simulate.is_some()
        || a.seed.is_some()
        || a.chunk_size.is_some()
        || case.simulation.is_some();
    let mut seed = None;
    let (simulations, simulation_notes, reconciled_simulation) = if simulate {
        let settings = crate::valuation::uncertainty::SimSettings::resolve(
            case.simulation.as_ref(),
            a.simulate,
            a.seed,
            a.chunk_size,
        )?;
        seed = Some(settings.seed);
        let ran: Vec<Approach> = vals.iter().map(|v| v.approach).collect();
        let compiled = evaluate::compile(&case, models, &ran).map_err(|e| e.in_file(&label))?;
        let sims = compiled
            .simulate_each(&settings)
            .map_err(|e| e.in_file(&label))?;
        let rec_sim = match &reconciliation {
            Some(r) if !compiled.models.is_empty() => Some(
                compiled
                    .simulate_reconciled(r, &settings)
                    .map_err(|e| e.in_file(&label))?,
            ),
            _ => None,
        };
        (sims, compiled.notes, rec_sim)
    } else {
        (Vec::new(), Vec::new(), None)
    };
    let text = match a.format {
        OutputFormat::Json => {
            let body = ValueDocument {
                subject: &case.subject,
                purpose: case.purpose,
                valuations: &vals,
                simulations,
                simulation_notes,
                reconciliation,
                reconciled_simulation,
                score: case.scored.as_ref(),
            };
            Envelope::new("value", &models.origin)
                .case(&label)
                .seed(seed)
                .data(deals.as_ref().map(DataProvenance::of))
                .wrap(body)
                .to_json()?
        }
        OutputFormat::Table => {
            let mut t = render_table(&case, &vals);
            for s in &simulations {
                t.push_str(&super::simulation::render_summary(s));
            }
            for n in &simulation_notes {
                t.push_str(&format!("note: {n}\n"));
            }
            if let Some(r) = &reconciliation {
                t.push_str(&super::simulation::render_reconciliation(r));
            }
            if let Some(r) = &reconciled_simulation {
                t.push_str(&super::simulation::render_reconciled(r));
            }
            if let Some(s) = &case.scored {
                t.push_str(&score_lines(s));
            }
            if let Some(d) = &deals {
                t.push('\n');
                t.push_str(&super::deals::footer(d));
            }
            t
        }
    };
    emit(a.out.as_deref(), &text)?;
    Ok(())
}

/// The terminal view: a summary line per approach, then each method's key steps.
pub fn render_table(case: &Case, vals: &[Valuation]) -> String {
    let s = &case.subject;
    let mut out = format!(
        "{} — {} ({}, {}, {})  valuation date {}\n\n",
        s.id,
        s.name,
        s.kind.name_zh(),
        s.industry,
        s.region,
        s.valuation_date
    );
    let mut t = Table::new(
        &["approach", "method", "value (元)", "value"],
        &[Align::Left, Align::Left, Align::Right, Align::Right],
    );
    for v in vals {
        t.row([
            format!("{} {}", v.approach.name_zh(), v.approach.as_str()),
            v.method.clone(),
            crate::money::group_thousands(v.value.amount(), 2),
            v.value.display_auto(),
        ]);
    }
    out.push_str(&t.render());
    for v in vals {
        if !v.periods.is_empty() {
            out.push_str(&format!(
                "\n{} — periods ({})\n",
                v.approach.name_zh(),
                period_note(&v.method)
            ));
            let mut pt = Table::new(
                &[
                    "year",
                    "fraction",
                    "t",
                    "base (元)",
                    "rate",
                    "attributable (元)",
                    "discount factor",
                    "PV (元)",
                ],
                &[Align::Right; 8],
            );
            let mut total = crate::Money::ZERO;
            for p in &v.periods {
                total = total.checked_add(p.pv).unwrap_or(total);
                pt.row([
                    p.period.to_string(),
                    short_dec(&p.fraction, 4),
                    short_dec(&p.t, 4),
                    crate::money::group_thousands(p.base.amount(), 2),
                    short_dec(&p.rate, 6),
                    crate::money::group_thousands(p.attributable.amount(), 2),
                    short_dec(&p.discount_factor, 6),
                    crate::money::group_thousands(p.pv.amount(), 2),
                ]);
            }
            pt.row([
                "Σ".to_string(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                crate::money::group_thousands(total.amount(), 2),
            ]);
            out.push_str(&pt.render());
            if let Some(tab) = v.audit.find("tab") {
                out.push_str(&format!(
                    "× TAB {} (tax amortisation benefit)\n",
                    short_dec(&tab.value.value, 6)
                ));
            }
        }
        out.push_str(&format!(
            "\n{} — audit trail ({} steps)\n",
            v.approach.name_zh(),
            v.audit.len()
        ));
        let mut at = Table::new(
            &["step", "formula", "value"],
            &[Align::Left, Align::Left, Align::Right],
        );
        for st in &v.audit.steps {
            at.row([
                st.name.clone(),
                st.formula.clone(),
                short_dec(&st.value.value, 6),
            ]);
        }
        out.push_str(&at.render());
        for w in &v.warnings {
            out.push_str(&format!("warning: {w}\n"));
        }
    }
    out
}

/// What `base` and `rate` of a period row mean for an income method.
pub fn period_note(method: &str) -> &'static str {
    match method {
        "profit_split" => "base = profit, rate = K_profit",
        "revenue_split" => "base = revenue, rate = K_sales",
        "relief_from_royalty" => "base = revenue, rate = royalty × (1 − tax)",
        "mpeem" => "base = revenue, rate = excess-earnings margin after contributory charges",
        "with_without" => "base = cash flow with − without the asset",
        _ => "base × rate = attributable",
    }
}

/// Shortens a decimal string to `dp` decimals for display (text passes through).
pub fn short_dec(s: &str, dp: u32) -> String {
    match s.parse::<rust_decimal::Decimal>() {
        Ok(d) => crate::money::round_half_away(d, dp).normalize().to_string(),
        Err(_) => s.to_string(),
    }
}
