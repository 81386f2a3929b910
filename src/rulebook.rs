//! Reading the finance rulebooks (`models/rulebooks/*.toml`), the LPR table (`models/lpr.toml`)
//! and the venture-return table (`models/vc_stage_returns.toml`).
//!
//! The shipped files are compiled in. `--rulebook NAME|FILE` picks one: a path (anything
//! containing a path separator or ending in `.toml` / `.json`, or an existing file) is read
//! from disk; otherwise NAME is a shipped rulebook — or `DIR/rulebooks/NAME.toml` when
//! `--models DIR` holds one. `--models DIR` also replaces `lpr.toml` and
//! `vc_stage_returns.toml` when DIR has them.
//!
//! Every error is one line naming the file and the field path; the CLI exits with code 2.

use crate::error::{Error, Result};
use crate::finance::rules::{LprTable, Rulebook, VcStageTable};
use crate::input::{self, Format};
use std::path::Path;

/// The rulebook used when none is named.
pub const DEFAULT_RULEBOOK: &str = "bank_default";

/// The shipped rulebooks: (name, file text).
pub const BUILTIN_RULEBOOKS: [(&str, &str); 4] = [
    (
        "bank_default",
        include_str!("../models/rulebooks/bank_default.toml"),
    ),
    (
        "jinan_2242",
        include_str!("../models/rulebooks/jinan_2242.toml"),
    ),
    (
        "sichuan_tianfu_zhilaidai",
        include_str!("../models/rulebooks/sichuan_tianfu_zhilaidai.toml"),
    ),
    (
        "national_reguarantee",
        include_str!("../models/rulebooks/national_reguarantee.toml"),
    ),
];

const LPR_TOML: &str = include_str!("../models/lpr.toml");
const VC_TOML: &str = include_str!("../models/vc_stage_returns.toml");

/// A rulebook and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedRulebook {
    /// The rulebook.
    pub rulebook: Rulebook,
    /// `models/rulebooks/NAME.toml (builtin)` or the file path.
    pub origin: String,
}

/// Parses and validates rulebook text; `label` names the file in errors.
pub fn parse_rulebook(label: &str, text: &str) -> Result<Rulebook> {
    let rb: Rulebook = input::parse_str(label, text, Format::detect(label, text))?;
    rb.validate().map_err(|e| Error::from(e).in_file(label))?;
    Ok(rb)
}

/// Reads and validates a rulebook file.
pub fn load_rulebook_file(path: &Path) -> Result<Rulebook> {
    let label = path.display().to_string();
    let bytes = input::read_bytes(path)?;
    let text = input::as_text(&label, &bytes)?;
    parse_rulebook(&label, text)
}

fn looks_like_path(spec: &str) -> bool {
    let l = spec.to_ascii_lowercase();
    spec.contains('/') || spec.contains('\\') || l.ends_with(".toml") || l.ends_with(".json")
}

/// Resolves `--rulebook NAME|FILE` (default [`DEFAULT_RULEBOOK`]).
pub fn load_rulebook(spec: Option<&str>, models_dir: Option<&Path>) -> Result<LoadedRulebook> {
    let spec = spec.unwrap_or(DEFAULT_RULEBOOK);
    if looks_like_path(spec) || Path::new(spec).is_file() {
        let p = Path::new(spec);
        return Ok(LoadedRulebook {
            rulebook: load_rulebook_file(p)?,
            origin: p.display().to_string(),
        });
    }
    if let Some(dir) = models_dir {
        let p = dir.join("rulebooks").join(format!("{spec}.toml"));
        if p.is_file() {
            return Ok(LoadedRulebook {
                rulebook: load_rulebook_file(&p)?,
                origin: p.display().to_string(),
            });
        }
    }
    match BUILTIN_RULEBOOKS.iter().find(|(n, _)| *n == spec) {
        Some((n, text)) => {
            let label = format!("models/rulebooks/{n}.toml");
            Ok(LoadedRulebook {
                rulebook: parse_rulebook(&label, text)?,
                origin: format!("{label} (builtin)"),
            })
        }
        None => Err(Error::field(
            "--rulebook",
            spec,
            format!(
                "is neither a file nor a shipped rulebook ({})",
                builtin_names().join(", ")
            ),
        )),
    }
}

/// Names of the shipped rulebooks.
pub fn builtin_names() -> Vec<&'static str> {
    BUILTIN_RULEBOOKS.iter().map(|(n, _)| *n).collect()
}

fn model_text(models_dir: Option<&Path>, name: &str, builtin: &str) -> Result<(String, String)> {
    if let Some(dir) = models_dir {
        let p = dir.join(name);
        if p.is_file() {
            let label = p.display().to_string();
            let bytes = input::read_bytes(&p)?;
            return Ok((input::as_text(&label, &bytes)?.to_string(), label));
        }
    }
    Ok((builtin.to_string(), format!("models/{name}")))
}

/// The LPR table (the shipped one, or `DIR/lpr.toml` under `--models DIR`), and its origin.
pub fn load_lpr(models_dir: Option<&Path>) -> Result<(LprTable, String)> {
    let (text, label) = model_text(models_dir, "lpr.toml", LPR_TOML)?;
    let t: LprTable = input::parse_str(&label, &text, Format::Toml)?;
    t.validate().map_err(|e| Error::from(e).in_file(&label))?;
    Ok((t, label))
}

/// The venture-return table, and its origin.
pub fn load_vc_stages(models_dir: Option<&Path>) -> Result<(VcStageTable, String)> {
    let (text, label) = model_text(models_dir, "vc_stage_returns.toml", VC_TOML)?;
    let t: VcStageTable = input::parse_str(&label, &text, Format::Toml)?;
    t.validate().map_err(|e| Error::from(e).in_file(&label))?;
    Ok((t, label))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_rulebook_loads() {
        for n in builtin_names() {
            let r = load_rulebook(Some(n), None).unwrap();
            assert_eq!(r.rulebook.id, n);
        }
        assert_eq!(
            load_rulebook(None, None).unwrap().rulebook.id,
            DEFAULT_RULEBOOK
        );
        assert!(load_rulebook(Some("no_such_rulebook"), None).is_err());
        load_lpr(None).unwrap();
        load_vc_stages(None).unwrap();
    }
}
