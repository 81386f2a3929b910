//! Shared handling of `--deals PATH` and `--rejects PATH` for the market commands.

use crate::data::{self, DealHistory};
use crate::input::write_atomic;
use std::path::{Path, PathBuf};

/// Loads the deal history named by `--deals`, or the shipped synthetic one. Reports rejected
/// rows on standard error (the first ten) and writes the full rejects report to `rejects` when
/// given.
pub fn load(deals: Option<&PathBuf>, rejects: Option<&Path>) -> crate::Result<DealHistory> {
    let h = match deals {
        Some(p) => data::load_deals(p)?,
        None => data::shipped_deals()?,
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
        ""
    };
    format!(
        "data: {tag}{} deals from {} ({}); indices: {}\n",
        h.len(),
        h.source,
        h.provenance,
        h.indices.source
    )
}
