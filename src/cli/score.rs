//! `techval score`: a case's `[scoring]` ratings on an indicator tree — dimension scores, total,
//! grade, coverage, vetoes and the gate — as a table or JSON; `--list` prints the tree's rating
//! sheet (indicators, weights, what a 1, 3 and 5 mean).

use super::output::{emit, Align, Table};
use super::OutputFormat;
use crate::case::{Case, DEMO_CASE};
use crate::envelope::Envelope;
use crate::scoring::{engine, ScoreCard, ScoringInput, ScoringTree};
use clap::Args;
use std::path::PathBuf;

/// Arguments of `techval score`.
#[derive(Debug, Args)]
pub struct ScoreArgs {
    /// Case file (TOML or JSON) with a [scoring] section. Without it the bundled demo runs.
    #[arg(long, value_name = "FILE")]
    pub case: Option<PathBuf>,
    /// Tree: gbt42748, cnipa, ipscore, concept, or an edited tree file (.toml). Default: the
    /// case's scoring.model, else gbt42748.
    #[arg(long, value_name = "ID|FILE")]
    pub model: Option<String>,
    /// Scenario of the tree (pledge_financing, licensing_transfer, …). Default: the case's
    /// scoring.scenario, else the tree's scenario for the case's purpose, else its default.
    #[arg(long, value_name = "ID")]
    pub scenario: Option<String>,
    /// Print the tree's rating sheet instead of scoring a case.
    #[arg(long)]
    pub list: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
    /// Write to this file (atomically) instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Reads an edited tree file (errors name the file and the entry).
fn tree_file(p: &str) -> crate::Result<ScoringTree> {
    let path = std::path::Path::new(p);
    let bytes = crate::input::read_bytes(path)?;
    let text = crate::input::as_text(p, &bytes)?;
    let t: ScoringTree = crate::input::parse_str(p, text, crate::input::Format::Toml)?;
    t.check(p)?;
    Ok(t)
}

/// Runs `techval score`.
pub fn run(a: ScoreArgs, models: &crate::ModelBook) -> anyhow::Result<()> {
    let owned;
    let pick = |id: &str, path: &str| crate::case::scoring::tree(models, id, path);
    if a.list {
        let id = a.model.as_deref().unwrap_or(crate::scoring::DEFAULT_MODEL);
        let t = if id.ends_with(".toml") {
            owned = tree_file(id)?;
            &owned
        } else {
            pick(id, "--model")?
        };
        return Ok(emit(a.out.as_deref(), &sheet(t, a.format)?)?);
    }
    let (case, label) = match &a.case {
        Some(p) => (Case::load(p)?, p.display().to_string()),
        None => {
            eprintln!(
                "note: no --case given; scoring the bundled demo case ({})",
                DEMO_CASE.0
            );
            (Case::demo()?, DEMO_CASE.0.to_string())
        }
    };
    case.subject.validate().map_err(|e| e.in_file(&label))?;
    let mut input: ScoringInput = case.scoring.clone().ok_or_else(|| {
        crate::Error::field(
            "scoring",
            "",
            "the case has no [scoring] section: add scoring.ratings (see `techval score --list`)",
        )
        .in_file(&label)
    })?;
    if let Some(s) = &a.scenario {
        input.scenario = Some(s.clone());
    }
    let (id, path) = match &a.model {
        Some(m) => (m.clone(), "--model"),
        None => (input.model_id().to_string(), "scoring.model"),
    };
    let t = if id.ends_with(".toml") {
        owned = tree_file(&id)?;
        &owned
    } else {
        input.model = Some(id.clone());
        pick(&id, path).map_err(|e| e.in_file(&label))?
    };
    if let Some(s) = &a.scenario {
        // Named on the command line: the error names the flag, not the case file.
        engine::pick_scenario(t, Some(s), None).map_err(|_| {
            crate::Error::field(
                "--scenario",
                s,
                format!(
                    "is not a scenario of the {} tree (allowed: {})",
                    t.id,
                    t.scenario
                        .iter()
                        .map(|x| x.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })?;
    }
    let card = engine::score(t, &input, case.purpose.map(|p| p.as_str()))
        .map_err(|e| e.in_file(&label))?;
    let text = match a.format {
        OutputFormat::Json => Envelope::new("score", &models.origin)
            .case(&label)
            .wrap(&card)
            .to_json()?,
        OutputFormat::Table => table(&case.subject.id, &card),
    };
    Ok(emit(a.out.as_deref(), &text)?)
}

fn opt(d: Option<rust_decimal::Decimal>) -> String {
    d.map_or("—".into(), |x| x.round_dp(2).normalize().to_string())
}

/// The score card as text.
pub fn table(subject: &str, c: &ScoreCard) -> String {
    let mut out = format!(
        "{subject} — {} ({}), scenario {} ({}; {})\n\n",
        c.model_name_en, c.model, c.scenario, c.scenario_name_zh, c.scenario_source
    );
    let mut t = Table::new(
        &["dimension", "维度", "weight", "score 0–100", "rated share"],
        &[
            Align::Left,
            Align::Left,
            Align::Right,
            Align::Right,
            Align::Right,
        ],
    );
    for d in &c.dimensions {
        t.row([
            d.id.clone(),
            d.name_zh.clone(),
            d.weight.normalize().to_string(),
            opt(d.score),
            d.coverage.normalize().to_string(),
        ]);
    }
    out.push_str(&t.render());
    out.push_str(&format!(
        "\ntotal {}   grade {}   coverage {} (floor {})   status {:?}\n",
        opt(c.total),
        c.grade.map_or("—", |g| g.as_str()),
        c.coverage.round_dp(4).normalize(),
        c.coverage_floor.normalize(),
        c.status
    ));
    for v in &c.vetoes {
        out.push_str(&format!("veto {}: {} ({})\n", v.id, v.reason_en, v.fact));
    }
    if !c.missing.is_empty() {
        out.push_str(&format!(
            "not rated ({}; left out, not read as 0): {}\n",
            c.missing.len(),
            c.missing.join(", ")
        ));
    }
    if let Some(g) = &c.gate {
        out.push_str(&format!("gate: {}\n", g.outcome.as_str()));
        for (_, en) in &g.reasons {
            out.push_str(&format!("  - {en}\n"));
        }
    }
    let mut t = Table::new(
        &["indicator", "指标", "rating", "weight", "points"],
        &[
            Align::Left,
            Align::Left,
            Align::Right,
            Align::Right,
            Align::Right,
        ],
    );
    for l in &c.lines {
        t.row([
            l.indicator.clone(),
            l.name_zh.clone(),
            opt(l.rating),
            l.weight.normalize().to_string(),
            opt(l.points),
        ]);
    }
    out.push('\n');
    out.push_str(&t.render());
    out.push_str(&format!("\nweights: {}\n", c.weights_source));
    out
}

fn sheet(t: &ScoringTree, f: OutputFormat) -> crate::Result<String> {
    if f == OutputFormat::Json {
        return Envelope::new("score --list", "models").wrap(t).to_json();
    }
    let [lo, mid, hi] = t.scale.guide_points();
    let mut tab = Table::new(
        &[
            "indicator",
            "指标",
            "weight",
            &lo.to_string(),
            &mid.to_string(),
            &hi.to_string(),
        ],
        &[
            Align::Left,
            Align::Left,
            Align::Right,
            Align::Left,
            Align::Left,
            Align::Left,
        ],
    );
    for i in &t.indicator {
        let g = |p: i64| i.guide.get(&p.to_string()).cloned().unwrap_or_default();
        tab.row([
            i.id.clone(),
            i.name_zh.clone(),
            i.weight.normalize().to_string(),
            g(lo),
            g(mid),
            g(hi),
        ]);
    }
    Ok(format!(
        "{} — {} (scale {}–{}; scenarios {})\n\n{}\nsource: {}\nweights: {}\n",
        t.id,
        t.name_zh,
        t.scale.min,
        t.scale.max,
        t.scenario
            .iter()
            .map(|s| s.id.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        tab.render(),
        t.source,
        t.weights_source
    ))
}
