//! Reading a portfolio table (I/O): CSV, Parquet or XLSX, every cell as text. A CSV record with
//! the wrong number of fields is a row-level reject naming its line (`data::sheet`).

use crate::data::schema::Reject;
use crate::data::sheet::{self, TextTable};
use crate::error::{Error, Result};
use polars::prelude::*;
use std::path::Path;

/// A portfolio table: column names (field paths) and text cells, with each row's data-row
/// number and the damaged records already set aside.
#[derive(Debug, Clone)]
pub struct PortfolioTable {
    /// The file as the user named it.
    pub label: String,
    /// Column names.
    pub columns: Vec<String>,
    /// One `String` column per name (nulls for empty cells), same order.
    pub frame: DataFrame,
    /// Data-row number (1-based, header not counted) of each frame row.
    pub row_numbers: Vec<u64>,
    /// Data rows read, damaged ones included.
    pub rows_read: usize,
    /// Damaged records (wrong number of fields), as rejects.
    pub rejects: Vec<Reject>,
}

fn pe(label: &str) -> impl Fn(PolarsError) -> Error + '_ {
    move |e| Error::InFile {
        file: label.to_string(),
        detail: crate::data::load::polars_message(&e),
    }
}

impl PortfolioTable {
    /// A table from text rows (CSV or XLSX).
    pub fn from_text(label: &str, t: TextTable) -> Result<PortfolioTable> {
        let cols = t.columns();
        let frame = DataFrame::new_infer_height(
            t.header
                .iter()
                .enumerate()
                .zip(cols)
                .map(|((j, h), v)| Column::new(format!("{j}:{h}").into(), v))
                .collect(),
        )
        .map_err(pe(label))?;
        let rejects = t
            .damaged
            .iter()
            .map(|(row, what)| Reject {
                file: label.to_string(),
                row: *row,
                column: String::new(),
                value: String::new(),
                reason: format!("damaged record, left out: {what}"),
            })
            .collect::<Vec<_>>();
        Ok(PortfolioTable {
            label: label.to_string(),
            rows_read: t.rows.len() + rejects.len(),
            columns: t.header,
            frame,
            row_numbers: t.row_numbers,
            rejects,
        })
    }

    /// A table from a polars frame (any column types; each cast to text).
    pub fn from_frame(label: &str, df: DataFrame) -> Result<PortfolioTable> {
        let columns: Vec<String> = df
            .get_column_names()
            .iter()
            .map(|c| c.to_string())
            .collect();
        let exprs: Vec<Expr> = columns
            .iter()
            .enumerate()
            .map(|(j, c)| {
                col(c.as_str())
                    .cast(DataType::String)
                    .alias(format!("{j}:{c}"))
            })
            .collect();
        let frame = df.lazy().select(exprs).collect().map_err(pe(label))?;
        let n = frame.height();
        Ok(PortfolioTable {
            label: label.to_string(),
            columns,
            frame,
            row_numbers: (1..=n as u64).collect(),
            rows_read: n,
            rejects: Vec::new(),
        })
    }

    /// The rows of `self` from `start`, at most `len` (a chunk of a long table).
    pub fn slice(&self, start: usize, len: usize) -> PortfolioTable {
        let end = (start + len).min(self.row_numbers.len());
        PortfolioTable {
            label: self.label.clone(),
            columns: self.columns.clone(),
            frame: self.frame.slice(start as i64, end.saturating_sub(start)),
            row_numbers: self.row_numbers[start.min(end)..end].to_vec(),
            rows_read: end.saturating_sub(start),
            rejects: Vec::new(),
        }
    }

    /// Number of readable rows.
    pub fn len(&self) -> usize {
        self.row_numbers.len()
    }

    /// True when no row is readable.
    pub fn is_empty(&self) -> bool {
        self.row_numbers.is_empty()
    }
}

fn open(path: &Path, label: &str) -> Result<std::fs::File> {
    std::fs::File::open(path).map_err(|e| Error::Io {
        path: label.to_string(),
        message: format!("cannot read: {}", crate::input::io_reason(&e)),
    })
}

/// The column names and the number of rows of a Parquet table, from its footer alone: a folder
/// of partitions is planned (which approaches, how many rows) before any partition is read, so
/// that only one partition is in memory at a time.
pub fn parquet_outline(path: &Path) -> Result<(Vec<String>, usize)> {
    let label = path.display().to_string();
    let mut r = ParquetReader::new(open(path, &label)?);
    let schema = r.schema().map_err(pe(&label))?;
    let columns = schema.iter_names().map(|n| n.to_string()).collect();
    let rows = r.num_rows().map_err(pe(&label))?;
    Ok((columns, rows))
}

/// Reads a portfolio table by its extension: `.csv`/`.txt`, `.parquet`/`.pq`, `.xlsx`/`.xls`
/// (`sheet`: the sheet to read, default the first).
pub fn read_table(path: &Path, sheet: Option<&str>) -> Result<PortfolioTable> {
    let label = path.display().to_string();
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "parquet" | "pq" => {
            let df = ParquetReader::new(open(path, &label)?)
                .finish()
                .map_err(pe(&label))?;
            PortfolioTable::from_frame(&label, df)
        }
        "xlsx" | "xlsm" | "xls" => {
            PortfolioTable::from_text(&label, sheet::read_xlsx(path, sheet)?)
        }
        _ => PortfolioTable::from_text(&label, sheet::read_csv(path)?),
    }
}
