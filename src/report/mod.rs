//! Reports: the valuation report (资产评估报告), the credit memo, and the audit workbook.
//!
//! * [`valuation`] — a self-contained HTML valuation report in the structure of a Chinese
//!   asset-appraisal report, Chinese or English, charts inline as SVG, an A4 print stylesheet;
//! * [`credit`] — a credit memo for the guarantee and the loan, from plain input structs;
//! * [`xlsx`] — a workbook with the inputs and the income / cost tables as live formulas;
//! * [`capital`] — amounts in Chinese capital numerals (大写).
//!
//! Reports compute nothing: every number is taken from a [`Valuation`] (its value, period table
//! and audit trail) or from the stage result the report is given, and only formatted
//! (thousands separators, rounding for display). The audit trail is printed in an appendix.

pub mod assemble;
pub mod capital;
pub mod credit;
pub mod html;
pub mod i18n;
pub mod portfolio;
pub mod scoring;
pub mod set;
pub mod valuation;
pub mod xlsx;

use crate::chart::{self, Chart, RenderedChart};
use crate::error::{Error, Result};
use crate::money::Money;
use crate::valuation::reconcile::Reconciliation;
use crate::valuation::{Approach, Valuation};
pub use i18n::Lang;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Where a report's inputs came from; shown in the footer of every report.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Provenance {
    /// techval version.
    pub techval_version: String,
    /// The case file (or the bundled demo's path).
    pub case_file: String,
    /// Where the model book came from.
    pub models: String,
    /// Monte Carlo seed, when a simulation contributed.
    pub seed: Option<u64>,
    /// Monte Carlo draws, when a simulation contributed.
    pub draws: Option<u64>,
    /// Data files used (deal history, market statistics …), as `label: detail`.
    pub data: Vec<String>,
}

impl Provenance {
    /// The footer line in the language.
    pub fn line(&self, lang: Lang) -> String {
        let mut parts = vec![
            format!("techval {}", self.techval_version),
            format!("{} {}", lang.t("common.case_file"), self.case_file),
            format!("{} {}", lang.t("common.models"), lang.core(&self.models)),
        ];
        if let Some(s) = self.seed {
            parts.push(format!("{} {s}", lang.t("common.seed")));
        }
        if let Some(d) = self.draws {
            parts.push(format!("{} {d}", lang.t("common.draws")));
        }
        for d in &self.data {
            parts.push(format!("{} {d}", lang.t("common.data")));
        }
        parts.join(" · ")
    }
}

/// The Monte Carlo distribution of the concluded value (the value lent on).
#[derive(Debug, Clone, Copy)]
pub struct ConcludedDistribution<'a> {
    /// What was simulated, e.g. `reconciled value` or `income value`.
    pub of: &'a str,
    /// The distribution.
    pub dist: &'a crate::valuation::uncertainty::ValueDistribution,
}

/// How the concluded value was obtained.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "basis")]
pub enum ConclusionBasis {
    /// The value of one approach, chosen (the usual practice in Chinese appraisal reports).
    Selected {
        /// The approach chosen.
        approach: Approach,
        /// The method within it.
        method: String,
    },
    /// A reconciliation of several approaches (weights), as the reconciliation stage reports it.
    Reconciled {
        /// Its description in the report language.
        description: String,
    },
}

/// The concluded value of a valuation report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conclusion {
    /// The value, rounded to the fen (as the stage that produced it rounded it).
    pub value: Money,
    /// How it was obtained.
    pub basis: ConclusionBasis,
    /// Why, in the report language (from `[report].conclusion_reason` or a default).
    pub reason: Option<String>,
}

impl Conclusion {
    /// The concluded value: the valuation of `preferred` when one is asked for; otherwise the
    /// reconciled value when several approaches were reconciled (the value the pipeline lends
    /// on), else the one approach's value. Values are the stages' own (no arithmetic here).
    pub fn of(
        vals: &[Valuation],
        rec: Option<&Reconciliation>,
        preferred: Option<Approach>,
        lang: Lang,
    ) -> Result<Conclusion> {
        if let Some(a) = preferred {
            return match vals.iter().find(|v| v.approach == a) {
                Some(v) => Ok(Conclusion {
                    value: v.value,
                    basis: ConclusionBasis::Selected {
                        approach: a,
                        method: v.method.clone(),
                    },
                    reason: None,
                }),
                None => Err(Error::Unsupported(format!(
                    "the report should conclude from the {} approach, but it was not performed",
                    a.as_str()
                ))),
            };
        }
        if let Some(r) = rec {
            let parts = r
                .approaches
                .iter()
                .map(|w| {
                    format!(
                        "{} × {}",
                        lang.approach(w.approach),
                        crate::money::round_half_away(w.weight, 4).normalize()
                    )
                })
                .collect::<Vec<_>>()
                .join(" + ");
            return Ok(Conclusion {
                value: r.concluded_value,
                basis: ConclusionBasis::Reconciled {
                    description: format!("{}{parts}", lang.t("common.weighted")),
                },
                reason: None,
            });
        }
        match vals {
            [v] => Ok(Conclusion {
                value: v.value,
                basis: ConclusionBasis::Selected {
                    approach: v.approach,
                    method: v.method.clone(),
                },
                reason: None,
            }),
            [] => Err(Error::Unsupported(
                "no approach was performed: nothing to conclude".into(),
            )),
            _ => Err(Error::Internal(
                "several approaches ran but no reconciliation was given".into(),
            )),
        }
    }
}

/// A complete report set in memory.
#[derive(Debug, Clone)]
pub struct ReportSet {
    /// `report.html`: the valuation report.
    pub html: String,
    /// `credit_memo.html`: the credit memo, when the finance stages ran.
    pub credit_html: Option<String>,
    /// `workbook.xlsx`.
    pub xlsx: Vec<u8>,
    /// `results.json`: the valuations with every audit step (the numbers the report shows).
    pub results_json: String,
    /// `charts/<name>.svg` and `.png`.
    pub charts: Vec<RenderedChart>,
    /// Things the user should know (e.g. a character the font lacks).
    pub warnings: Vec<String>,
}

impl ReportSet {
    /// Writes the set into `dir` (created when missing), every file atomically, and removes the
    /// files an earlier set left there that this one does not have. Returns the paths written.
    pub fn write(&self, dir: &Path) -> Result<Vec<PathBuf>> {
        let mut written = Vec::new();
        let mut put = |rel: &str, bytes: &[u8]| -> Result<()> {
            let p = dir.join(rel);
            crate::input::write_atomic(&p, bytes)?;
            written.push(p);
            Ok(())
        };
        put("report.html", self.html.as_bytes())?;
        if let Some(c) = &self.credit_html {
            put("credit_memo.html", c.as_bytes())?;
        }
        put("workbook.xlsx", &self.xlsx)?;
        put("results.json", self.results_json.as_bytes())?;
        for c in &self.charts {
            put(
                &format!("charts/{}.svg", c.name),
                c.svg_standalone.as_bytes(),
            )?;
            put(&format!("charts/{}.png", c.name), &c.png)?;
        }
        // Files of an earlier set that this one does not have (a chart whose stage did not run
        // this time, a memo without finance) would be mistaken for part of it: remove them.
        let mut stale: Vec<String> = chart::CHART_NAMES
            .iter()
            .filter(|n| !self.charts.iter().any(|c| c.name == **n))
            .flat_map(|n| [format!("charts/{n}.svg"), format!("charts/{n}.png")])
            .collect();
        if self.credit_html.is_none() {
            stale.push("credit_memo.html".into());
        }
        for rel in stale {
            let p = dir.join(rel);
            if p.is_file() {
                std::fs::remove_file(&p).map_err(|e| Error::Io {
                    path: p.display().to_string(),
                    message: format!(
                        "cannot remove a file of an earlier report set: {}",
                        crate::input::io_reason(&e)
                    ),
                })?;
            }
        }
        Ok(written)
    }
}

/// Renders charts (SVG master, PNG beside it) for a report, in parallel (the output keeps the
/// order of `charts`).
pub fn render_charts(charts: &[Chart], png_scale: f64) -> Result<Vec<RenderedChart>> {
    use rayon::prelude::*;
    chart::font::ensure_registered()?;
    charts
        .par_iter()
        .map(|c| chart::render_all(c, png_scale))
        .collect()
}

/// Characters of `text` the bundled font lacks, as a warning naming `what`.
pub fn glyph_warning(what: &str, text: &str, lang: Lang) -> Result<Option<String>> {
    let missing = chart::font::missing_glyphs(text)?;
    if missing.is_empty() {
        return Ok(None);
    }
    let list: String = missing
        .iter()
        .map(|c| format!("{c} (U+{:04X})", *c as u32))
        .collect::<Vec<_>>()
        .join(", ");
    Ok(Some(match lang {
        Lang::Zh => format!("{what}中的字符 {list} 不在内置字体（GB2312 范围）中：PNG 图表中显示为空白，HTML 中由系统字体显示。"),
        Lang::En => format!("{what}: the characters {list} are not in the bundled font (GB2312 range): PNG charts show them blank; HTML falls back to system fonts."),
    }))
}
