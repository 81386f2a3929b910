//! Where the data of an output came from: the `data_provenance` block of every JSON document
//! that used a deal history, and the encoding of frames to Parquet or CSV bytes.

use crate::data::{self, DealHistory};
use polars::prelude::*;
use std::path::Path;

/// The `data_provenance` block of JSON outputs.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
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
    /// Why techval chose this deal history (the default data), when it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
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
            note: h.note.clone(),
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
