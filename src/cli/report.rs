//! `techval report`: value a case and write the report set into a folder:
//! `report.html` (self-contained), `workbook.xlsx` (live formulas), `results.json` (every audit
//! step) and `charts/<name>.svg` + `.png`. Every file is written atomically.

use super::value::{load_case, ValueDocument};
use crate::chart::{self, Chart};
use crate::models::ModelBook;
use crate::report::{self, valuation as vr, Conclusion, Lang, Provenance, ReportSet};
use crate::valuation::{self, Approach, Valuation};
use crate::Error;
use clap::{Args, ValueEnum};
use std::path::PathBuf;
use std::time::Instant;

/// Report language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LangArg {
    /// 中文.
    Zh,
    /// English.
    En,
}

/// Approach to conclude from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ConcludeArg {
    /// 收益法.
    Income,
    /// 成本法.
    Cost,
    /// 市场法.
    Market,
}

/// Arguments of `techval report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Case file (TOML or JSON). Without it the bundled demo case runs.
    #[arg(long, value_name = "FILE")]
    pub case: Option<PathBuf>,
    /// Output folder (default: reports/<case id>/).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Report language.
    #[arg(long, value_enum, default_value_t = LangArg::Zh)]
    pub lang: LangArg,
    /// Technology-market statistics CSV (tech_market_by_province.csv) for the market chart.
    #[arg(long, value_name = "FILE")]
    pub market_stats: Option<PathBuf>,
    /// The approach whose value is the conclusion (default: [report].conclude, else income,
    /// market, cost — the first performed).
    #[arg(long, value_enum)]
    pub conclude: Option<ConcludeArg>,
    /// PNG resolution relative to the SVG size (0.5 to 4).
    #[arg(long, default_value_t = 1.5, value_name = "X")]
    pub png_scale: f64,
}

/// The valuations performed and the approaches not performed, with the reason.
pub type Performed = (Vec<Valuation>, Vec<(Approach, String)>);

/// Runs every approach the case has; an approach that cannot run yet (not built, no data) is
/// listed as not performed with its reason, any other error stops.
pub fn run_available(
    case: &crate::Case,
    models: &ModelBook,
    label: &str,
) -> anyhow::Result<Performed> {
    let mut vals = Vec::new();
    let mut skipped = Vec::new();
    for a in valuation::available(case) {
        match valuation::run_approaches(case, models, &[a], None) {
            Ok(mut v) => vals.append(&mut v),
            Err(Error::Unsupported(why)) => skipped.push((a, why)),
            Err(e) => return Err(e.in_file(label).into()),
        }
    }
    Ok((vals, skipped))
}

/// Builds the whole report set in memory.
pub fn build(
    case: &crate::Case,
    label: &str,
    models: &ModelBook,
    lang: Lang,
    market: Option<(&[chart::TechMarketRow], String)>,
    conclude: Option<Approach>,
    png_scale: f64,
) -> anyhow::Result<ReportSet> {
    let (vals, not_performed) = run_available(case, models, label)?;
    if vals.is_empty() {
        let why = not_performed
            .iter()
            .map(|(a, w)| format!("{}: {w}", a.as_str()))
            .collect::<Vec<_>>()
            .join("; ");
        return Err(
            Error::Unsupported(format!("{label}: no approach could be performed ({why})")).into(),
        );
    }
    let preferred = conclude.or(case.report.as_ref().and_then(|r| r.conclude));
    let conclusion = Conclusion::select(&vals, preferred).map_err(|e| e.in_file(label))?;
    let mut prov = Provenance {
        techval_version: env!("CARGO_PKG_VERSION").into(),
        case_file: label.into(),
        models: models.origin.clone(),
        ..Provenance::default()
    };
    if let Some((_, src)) = &market {
        prov.data.push(src.clone());
    }
    let charts: Vec<Chart> = vr::report_charts(
        lang,
        case,
        &vals,
        &conclusion,
        market.as_ref().map(|(r, s)| (*r, s.as_str())),
    );
    let rendered = report::render_charts(&charts, png_scale)?;
    let mut warnings = Vec::new();
    let subject_text = format!(
        "{} {} {}",
        case.subject.name,
        case.subject.owner,
        case.subject.description.clone().unwrap_or_default()
    );
    if let Some(w) = report::glyph_warning(
        lang.t("评估对象信息", "subject details"),
        &subject_text,
        lang,
    )? {
        warnings.push(w);
    }
    let html = vr::render(&vr::ValuationReportInput {
        lang,
        case,
        valuations: &vals,
        not_performed: &not_performed,
        conclusion: &conclusion,
        charts: &rendered,
        provenance: &prov,
        warnings: &warnings,
    })?;
    let xlsx = report::xlsx::workbook(case, &vals, &conclusion, &prov, lang)?;
    let doc = ValueDocument {
        techval_version: env!("CARGO_PKG_VERSION"),
        case_file: label.to_string(),
        models: &models.origin,
        subject: &case.subject,
        purpose: case.purpose,
        valuations: &vals,
        simulations: Vec::new(),
        simulation_notes: Vec::new(),
        reconciliation: None,
        reconciled_simulation: None,
        data_provenance: None,
    };
    let mut results_json = serde_json::to_string_pretty(&doc)?;
    results_json.push('\n');
    Ok(ReportSet {
        html,
        xlsx,
        results_json,
        charts: rendered,
        warnings,
    })
}

/// Runs `techval report`.
pub fn run(a: ReportArgs, models: &ModelBook) -> anyhow::Result<()> {
    let t0 = Instant::now();
    let (case, label) = load_case(a.case.as_ref(), models)?;
    let lang = match a.lang {
        LangArg::Zh => Lang::Zh,
        LangArg::En => Lang::En,
    };
    let rows;
    let market = match &a.market_stats {
        Some(p) => {
            rows = chart::read_tech_market_csv(p)?;
            Some((
                rows.as_slice(),
                lang.t(
                    "《中国科技统计年鉴》技术市场成交合同（techme 汇编）",
                    "China Statistical Yearbook on Science and Technology, technology-market contracts (compiled in techme)",
                )
                .to_string(),
            ))
        }
        None => None,
    };
    let conclude = a.conclude.map(|c| match c {
        ConcludeArg::Income => Approach::Income,
        ConcludeArg::Cost => Approach::Cost,
        ConcludeArg::Market => Approach::Market,
    });
    let set = build(&case, &label, models, lang, market, conclude, a.png_scale)?;
    let dir = a
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("reports").join(&case.subject.id));
    let written = set.write(&dir)?;
    for w in &set.warnings {
        eprintln!("warning: {w}");
    }
    println!(
        "wrote {} files to {} in {} ms",
        written.len(),
        dir.display(),
        t0.elapsed().as_millis()
    );
    for p in &written {
        println!("  {}", p.display());
    }
    Ok(())
}
