//! Tables of text read from XLSX workbooks and from CSV files with structural damage reported by
//! line: the shared reader of portfolio tables and deal histories.
//!
//! * **XLSX** (calamine): the first sheet or the one named; the first row is the header; a
//!   number is written as the shortest text that reads back to it, a date cell as
//!   `YYYY-MM-DD`, an error cell (`#N/A`) as empty.
//! * **CSV** (the `csv` crate, flexible records): a record with more or fewer fields than the
//!   header is a damaged row, reported by its line and left out; a quote that opens a field
//!   and never closes (the rest of the file would be one cell) is one error naming its line.
//!   Messages never quote more than 120 characters of a cell.

use crate::error::{Error, Result};
use calamine::{Data, Reader};
use std::path::Path;

/// A table of text cells: the header, and the rows with their data-row numbers (1-based,
/// header not counted; for CSV the line of the record minus 1).
#[derive(Debug, Clone, Default)]
pub struct TextTable {
    /// Column names as written (a UTF-8 byte-order mark removed).
    pub header: Vec<String>,
    /// Rows (each as long as the header).
    pub rows: Vec<Vec<String>>,
    /// Data-row number of each row.
    pub row_numbers: Vec<u64>,
    /// Damaged records left out: (data-row number, what is wrong).
    pub damaged: Vec<(u64, String)>,
}

impl TextTable {
    /// The cells by column, trimmed, an empty cell as `None` (the columns of a text frame).
    pub fn columns(&self) -> Vec<Vec<Option<String>>> {
        let n = self.header.len();
        let mut cols: Vec<Vec<Option<String>>> = vec![Vec::with_capacity(self.rows.len()); n];
        for r in &self.rows {
            for (j, c) in r.iter().take(n).enumerate() {
                let c = c.trim();
                cols[j].push((!c.is_empty()).then(|| c.to_string()));
            }
        }
        cols
    }
}

fn clip(s: &str) -> String {
    const MAX: usize = 120;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(MAX).collect::<String>())
    }
}

fn io(label: &str, e: impl std::fmt::Display) -> Error {
    Error::InFile {
        file: label.to_string(),
        detail: clip(&e.to_string().replace('\n', " ")),
    }
}

/// The text of an XLSX cell.
fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => {
            // Excel's serial day number (1900 system): day 0 = 1899-12-30.
            let base = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).unwrap_or_default();
            let days = dt.as_f64().floor() as i64;
            base.checked_add_signed(chrono::Duration::days(days))
                .map_or_else(|| dt.as_f64().to_string(), |d| d.to_string())
        }
    }
}

/// Reads a sheet of an XLSX workbook (the first, or `sheet`).
pub fn read_xlsx(path: &Path, sheet: Option<&str>) -> Result<TextTable> {
    let label = path.display().to_string();
    let mut wb = calamine::open_workbook_auto(path).map_err(|e| io(&label, e))?;
    let names = wb.sheet_names();
    let name = match sheet {
        Some(s) => names
            .iter()
            .find(|n| n.as_str() == s)
            .cloned()
            .ok_or_else(|| {
                io(
                    &label,
                    format!("no sheet named {s}: the workbook has {}", names.join(", ")),
                )
            })?,
        None => names
            .first()
            .cloned()
            .ok_or_else(|| io(&label, "the workbook has no sheet"))?,
    };
    let range = wb.worksheet_range(&name).map_err(|e| io(&label, e))?;
    let mut it = range.rows();
    let header: Vec<String> = it
        .next()
        .ok_or_else(|| {
            io(
                &label,
                format!("sheet {name} is empty: expected a header row"),
            )
        })?
        .iter()
        .map(|c| {
            cell_text(c)
                .trim_start_matches('\u{feff}')
                .trim()
                .to_string()
        })
        .collect();
    // The sheet's range is as wide as its widest row: the header ends at its last name.
    let named = header
        .iter()
        .rposition(|h| !h.is_empty())
        .map_or(0, |p| p + 1);
    let mut t = TextTable {
        header: header[..named].to_vec(),
        ..TextTable::default()
    };
    for (i, r) in it.enumerate() {
        let mut cells: Vec<String> = r.iter().map(cell_text).collect();
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        // A value past the header: the same rule as a CSV record with extra fields.
        if let Some(j) = cells.iter().skip(named).position(|c| !c.trim().is_empty()) {
            t.damaged.push((
                i as u64 + 1,
                format!(
                    "sheet {name}, row {}: a value in column {} past the header's {named} columns",
                    i + 2,
                    named + j + 1
                ),
            ));
            continue;
        }
        cells.resize(t.header.len(), String::new());
        t.rows.push(cells);
        t.row_numbers.push(i as u64 + 1);
    }
    Ok(t)
}

/// Reads a CSV file as text, reporting damaged records by line (see the module documentation).
pub fn read_csv(path: &Path) -> Result<TextTable> {
    let label = path.display().to_string();
    let bytes = crate::input::read_bytes(path)?;
    read_csv_bytes(&label, &bytes)
}

/// [`read_csv`] on bytes; `label` names the file in errors.
pub fn read_csv_bytes(label: &str, bytes: &[u8]) -> Result<TextTable> {
    scan(label, bytes, true)
}

/// The structure of a CSV file without keeping its cells: the header and the damaged records
/// (`rows` stays empty), or the one error of an unbalanced quote. A deal history is checked so
/// before polars reads it, because polars' reader takes a record with extra fields silently.
pub fn check_csv(path: &Path) -> Result<TextTable> {
    let label = path.display().to_string();
    let bytes = crate::input::read_bytes(path)?;
    scan(&label, &bytes, false)
}

fn scan(label: &str, bytes: &[u8], keep: bool) -> Result<TextTable> {
    let mut rd = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut t = TextTable::default();
    let mut rec = csv::ByteRecord::new();
    let mut first = true;
    let total_lines = bytes.iter().filter(|b| **b == b'\n').count() as u64 + 1;
    loop {
        let start_line = rd.position().line();
        match rd.read_byte_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(start_line, |p| p.line());
                return Err(io(label, format!("line {line}: {e}")));
            }
        }
        let line = rec.position().map_or(start_line, |p| p.line());
        let end_line = rd.position().line();
        let nf = rec.len();
        let fields: Vec<String> = if keep || first || nf == 1 {
            rec.iter()
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .collect()
        } else {
            Vec::new()
        };
        if first {
            first = false;
            t.header = fields
                .iter()
                .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
                .collect();
            continue;
        }
        if nf == 1 && fields[0].trim().is_empty() {
            continue;
        }
        let row = line.saturating_sub(1);
        // A quoted field that swallowed line breaks up to the end of the file: the quote never
        // closes.
        let spans = end_line.saturating_sub(line);
        let at_end = rd.position().byte() as usize >= bytes.len();
        if spans > 1 && at_end && end_line + 1 >= total_lines && nf != t.header.len() {
            return Err(io(
                label,
                format!(
                    "line {line}: a quote opens a field that never closes (the rest of the file, {spans} lines, would be one cell): remove or double the stray quote"
                ),
            ));
        }
        if nf != t.header.len() {
            let what = if spans > 1 {
                format!(
                    "lines {line}–{}: a quoted field runs over {spans} lines, giving {} fields where the header has {} (a stray quote)",
                    end_line.saturating_sub(1).max(line),
                    nf,
                    t.header.len()
                )
            } else {
                format!(
                    "line {line}: {} fields where the header has {} (a stray delimiter or quote)",
                    nf,
                    t.header.len()
                )
            };
            t.damaged.push((row, what));
            continue;
        }
        if keep {
            t.rows.push(fields);
            t.row_numbers.push(row);
        }
    }
    if first {
        return Err(io(label, "file is empty: expected a header row"));
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn damaged_records_are_reported_by_line() {
        let t = read_csv_bytes("x.csv", b"a,b\n1,2\n3,4,5\n6,7\n").unwrap();
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.row_numbers, vec![1, 3]);
        assert_eq!(t.damaged.len(), 1);
        assert_eq!(t.damaged[0].0, 2);
        assert!(
            t.damaged[0].1.starts_with("line 3: 3 fields"),
            "{:?}",
            t.damaged
        );
        let e = read_csv_bytes("x.csv", b"a,b\n1,2\n\"3,4\n5,6\n7,8\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("x.csv: line 3: a quote opens a field that never closes"),
            "{e}"
        );
        assert!(e.len() < 300);
    }
}
