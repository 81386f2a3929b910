//! Shared handling of `--deals PATH` and `--rejects PATH` for the market commands.

use crate::data::{self, DealHistory};
use crate::input::write_atomic;
use polars::prelude::*;
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

/// The `data_provenance` block of JSON outputs.
#[derive(Debug, serde::Serialize)]
pub struct DataProvenance {
    /// The deal file.
    pub deals_file: String,
    /// Where the deals come from.
    pub provenance: String,
    /// True for generated (not real) deals.
    pub synthetic: bool,
    /// Valid deals used.
    pub deals: usize,
    /// Rows read.
    pub rows_read: usize,
    /// Rows rejected.
    pub rows_rejected: usize,
    /// Source of the market statistics (time and region indices).
    pub market_statistics: String,
}

impl DataProvenance {
    /// The block for a deal history.
    pub fn of(h: &DealHistory) -> DataProvenance {
        DataProvenance {
            deals_file: h.source.clone(),
            provenance: h.provenance.clone(),
            synthetic: h.synthetic,
            deals: h.len(),
            rows_read: h.rows_read,
            rows_rejected: h.rows_rejected,
            market_statistics: h.indices.source.clone(),
        }
    }
}

/// Serialises a frame to Parquet (zstd) or CSV bytes, chosen by the file extension.
pub fn frame_bytes(df: &mut DataFrame, path: &Path) -> crate::Result<Vec<u8>> {
    let mut buf = Vec::new();
    let csv = path
        .extension()
        .is_some_and(|e| e.to_string_lossy().eq_ignore_ascii_case("csv"));
    let res = if csv {
        CsvWriter::new(&mut buf).include_header(true).finish(df)
    } else {
        ParquetWriter::new(&mut buf)
            .with_compression(ParquetCompression::Zstd(None))
            .finish(df)
            .map(|_| ())
    };
    res.map_err(|e| crate::Error::Io {
        path: path.display().to_string(),
        message: format!("cannot encode: {}", data::load::polars_message(&e)),
    })?;
    Ok(buf)
}
