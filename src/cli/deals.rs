//! Shared handling of `--deals PATH` and `--rejects PATH` for the market commands.

use crate::data::{self, DealHistory};
use crate::input::write_atomic;
use std::path::{Path, PathBuf};

/// `--deals` keyword for the shipped public set of real deals.
pub const PUBLIC: &str = "public";
/// `--deals` keyword for the shipped synthetic set.
pub const SYNTHETIC: &str = "synthetic";

/// Loads the deal history named by `--deals` (a file, or the keyword `public` / `synthetic`
/// for a shipped set), else the default: the shipped **public** set of real deals where it can
/// serve — it holds at least `k` single fixed-price deals of the subject's IP kind
/// `subject_kind` (always, without a subject) — else the shipped synthetic set, with the
/// reason recorded in [`DealHistory::note`]. Reports rejected rows on standard error (the first
/// ten) and writes the full rejects report to `rejects` when given.
pub fn load(
    deals: Option<&PathBuf>,
    rejects: Option<&Path>,
    subject_kind: Option<&str>,
    k: usize,
) -> crate::Result<DealHistory> {
    let keyword = deals
        .filter(|p| !p.exists())
        .and_then(|p| p.to_str())
        .filter(|s| [PUBLIC, SYNTHETIC].contains(s));
    let h = match (deals, keyword) {
        (_, Some(PUBLIC)) => data::public_deals()?,
        (_, Some(_)) => data::shipped_deals()?,
        (Some(p), None) => data::load_deals(p)?,
        (None, None) => {
            let public = data::public_deals()?;
            match subject_kind {
                Some(kind) if public.comparable_count(kind) < k => {
                    let n = public.comparable_count(kind);
                    let mut s = data::shipped_deals()?;
                    let why = format!(
                        "the public set of real deals has {n} single fixed-price deal{} of kind {kind} (fewer than k = {k}): the shipped SYNTHETIC deals are used; give --deals FILE for real comparables",
                        if n == 1 { "" } else { "s" }
                    );
                    eprintln!("note: {why}");
                    s.note = Some(why);
                    s
                }
                _ => {
                    let mut p = public;
                    p.note = Some(
                        "default data: the public set of real deals (datasets/deals_public.csv); --deals synthetic for the generated set".into(),
                    );
                    p
                }
            }
        }
    };
    if !h.rejects.is_empty() {
        eprintln!(
            "note: {} of {} rows of {} were rejected and left out ({} problem{}):",
            h.rows_rejected,
            h.rows_read,
            h.source,
            h.rejects.len(),
            if h.rejects.len() == 1 { "" } else { "s" }
        );
        for r in h.rejects.iter().take(10) {
            eprintln!(
                "  row {}, column {} = \"{}\": {}",
                r.row, r.column, r.value, r.reason
            );
        }
        if h.rejects.len() > 10 {
            eprintln!(
                "  … {} more{}",
                h.rejects.len() - 10,
                if rejects.is_some() {
                    ""
                } else {
                    " (write them all with --rejects FILE)"
                }
            );
        }
    }
    if let Some(p) = rejects {
        write_atomic(p, data::load::rejects_csv(&h.rejects).as_bytes())?;
    }
    Ok(h)
}

/// The one-line data footer of every table that used deal data.
pub fn footer(h: &DealHistory) -> String {
    let tag = if h.synthetic {
        "SYNTHETIC data — "
    } else {
        "real deals — "
    };
    let note = h
        .note
        .as_ref()
        .map(|n| format!("note: {n}\n"))
        .unwrap_or_default();
    format!(
        "data: {tag}{} deals from {} ({}); indices: {}\n{note}",
        h.len(),
        h.source,
        h.provenance,
        h.indices.source
    )
}
