//! Loading a deal history: lazy CSV or Parquet scan, validation with polars expressions, a
//! rejects report for the bad rows, the valid rows kept.
//!
//! Steps (one lazy query, collected once):
//! 1. scan the file (CSV: every column read as text, so that a bad cell is reported, not
//!    fatal; Parquet: the file's own types); a required column missing from the header is one
//!    error naming every missing column;
//! 2. for each schema column build a typed expression and a *reason code* expression (0 when
//!    the cell is fine, else the number of a message; texts are built for rejected rows only):
//!    numbers and dates are parsed and range-checked by
//!    expressions; the categorical columns (`ip_kind`, `transaction_type`, `seller_type`,
//!    `industry`, `region`) are normalised once per *distinct* value (trim, case, province
//!    aliases as `subject::normalize_region`, GB/T 4754 code shape) into a small lookup table
//!    joined back to the rows (or, when every distinct value is already normalised, used as
//!    they are) — no per-row string work; a later duplicate `deal_id` is rejected;
//! 3. collect once; rows with any reason go to the rejects report (file, row, column, value,
//!    reason), the others form the typed frame the market approach receives.

use super::cells::*;
use super::schema::{ColKind, DealHistory, Reject, COLUMNS};
#[cfg(test)]
use super::schema::{MAX_DATE_DAYS, MIN_DATE_DAYS};
use super::stats::MarketIndices;
use crate::error::{Error, Result};
use polars::prelude::*;
use std::path::Path;

/// The shipped synthetic deal history (compiled in), by its path in the repository.
pub const SHIPPED_DEALS: (&str, &[u8]) = (
    "datasets/deals_synthetic.parquet",
    include_bytes!("../../datasets/deals_synthetic.parquet"),
);

/// `e` computed per group of `by` (a window expression), without the fallible builder.
pub fn over(e: Expr, by: &str) -> Expr {
    Expr::Over {
        function: Arc::new(e),
        partition_by: vec![col(by)],
        order_by: None,
        mapping: WindowMapping::default(),
    }
}

/// Texts read as an empty cell.
pub(super) const NULL_TEXTS: [&str; 6] = ["", "NA", "N/A", "null", "NULL", "-"];

fn pe(label: &str) -> impl Fn(PolarsError) -> Error + '_ {
    move |e| Error::InFile {
        file: label.to_string(),
        detail: polars_message(&e),
    }
}

/// A polars error in one line, without its backtrace hints.
pub fn polars_message(e: &PolarsError) -> String {
    let s = e.to_string();
    let first = s.split("\n\n").next().unwrap_or(&s);
    let one: String = first.split_whitespace().collect::<Vec<_>>().join(" ");
    // A parser error can quote the rest of a damaged file: never more than 200 characters.
    if one.chars().count() > 200 {
        format!("{}…", one.chars().take(200).collect::<String>())
    } else {
        one
    }
}

/// File format of a deal history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DealFormat {
    /// Comma-separated text with a header row.
    Csv,
    /// Apache Parquet.
    Parquet,
    /// An Excel workbook (first sheet).
    Xlsx,
}

/// Chooses the format by extension (`.csv`, `.parquet`/`.pq`), else by the Parquet magic bytes.
pub fn detect_format(path: &Path) -> Result<DealFormat> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "csv" | "txt" => return Ok(DealFormat::Csv),
        "parquet" | "pq" => return Ok(DealFormat::Parquet),
        "xlsx" | "xlsm" | "xls" => return Ok(DealFormat::Xlsx),
        _ => {}
    }
    use std::io::Read;
    let mut head = [0u8; 4];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .map_err(|e| Error::Io {
            path: path.display().to_string(),
            message: format!("cannot read: {}", crate::input::io_reason(&e)),
        })?;
    Ok(if n == 4 && &head == b"PAR1" {
        DealFormat::Parquet
    } else {
        DealFormat::Csv
    })
}

/// Loads and validates a deal history from a CSV or Parquet file. Bad rows are set aside in
/// `rejects`; a missing required column, an unreadable file or a file with no valid row is an
/// error naming the file.
pub fn load_deals(path: &Path) -> Result<DealHistory> {
    let label = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| Error::Io {
        path: label.clone(),
        message: format!("cannot read: {}", crate::input::io_reason(&e)),
    })?;
    if meta.is_dir() {
        return Err(Error::Io {
            path: label,
            message: "is a folder: expected a CSV or Parquet file of deals".into(),
        });
    }
    if meta.len() == 0 {
        return Err(Error::InFile {
            file: label,
            detail: "file is empty: expected a CSV or Parquet file of deals with a header".into(),
        });
    }
    let Some(p) = path.to_str() else {
        return Err(Error::Io {
            path: label,
            message: "the path is not valid UTF-8".into(),
        });
    };
    let lf = match detect_format(path)? {
        DealFormat::Csv if !super::sheet::check_csv(path)?.damaged.is_empty() => {
            return deals_from_text(&label, super::sheet::read_csv(path)?);
        }
        DealFormat::Csv => LazyCsvReader::new(PlRefPath::new(p))
            .with_has_header(true)
            .with_infer_schema_length(Some(0))
            .with_missing_is_null(true)
            .finish()
            .map_err(pe(&label))?,
        DealFormat::Parquet => {
            LazyFrame::scan_parquet(PlRefPath::new(p), ScanArgsParquet::default())
                .map_err(pe(&label))?
        }
        DealFormat::Xlsx => {
            return deals_from_text(&label, super::sheet::read_xlsx(path, None)?);
        }
    };
    load_deals_frame(&label, lf, MarketIndices::shipped()?)
}

/// A deal history from a table of text (XLSX, or CSV read record by record): the damaged
/// records are rejects with their row numbers, the others are validated as any deal file.
fn deals_from_text(label: &str, t: super::sheet::TextTable) -> Result<DealHistory> {
    let cols = t.columns();
    let df = DataFrame::new_infer_height(
        t.header
            .iter()
            .zip(cols)
            .map(|(h, v)| Column::new(h.as_str().into(), v))
            .collect(),
    )
    .map_err(pe(label))?;
    let mut h = load_deals_frame(label, df.lazy(), MarketIndices::shipped()?)?;
    // Rows of the frame are the readable records: their numbers in the file.
    for r in &mut h.rejects {
        if let Some(n) = usize::try_from(r.row)
            .ok()
            .and_then(|i| i.checked_sub(1))
            .and_then(|i| t.row_numbers.get(i))
        {
            r.row = *n;
        }
    }
    for (row, what) in &t.damaged {
        h.rejects.push(Reject {
            file: label.to_string(),
            row: *row,
            column: String::new(),
            value: String::new(),
            reason: format!("damaged record, left out: {what}"),
        });
    }
    h.rejects.sort_by_key(|r| r.row);
    h.rows_read += t.damaged.len();
    h.rows_rejected += t.damaged.len();
    Ok(h)
}

/// The public deal set (compiled in), by its path in the repository: real transactions from
/// public records, each with its source (see `datasets/README.md`).
pub const PUBLIC_DEALS: (&str, &[u8]) = (
    "datasets/deals_public.csv",
    include_bytes!("../../datasets/deals_public.csv"),
);

/// The public deal set of real transactions (compiled into the binary).
pub fn public_deals() -> Result<DealHistory> {
    let (label, bytes) = PUBLIC_DEALS;
    let df = CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .map_parse_options(|o| o.with_missing_is_null(true))
        .into_reader_with_file_handle(std::io::Cursor::new(bytes))
        .finish()
        .map_err(pe(label))?;
    load_deals_frame(
        &format!("{label} (shipped)"),
        df.lazy(),
        MarketIndices::shipped()?,
    )
}

/// The shipped synthetic deal history (compiled into the binary).
pub fn shipped_deals() -> Result<DealHistory> {
    let (label, bytes) = SHIPPED_DEALS;
    let df = ParquetReader::new(std::io::Cursor::new(bytes))
        .finish()
        .map_err(pe(label))?;
    load_deals_frame(
        &format!("{label} (shipped)"),
        df.lazy(),
        MarketIndices::shipped()?,
    )
}

/// Validates a scanned deal frame (any source) and splits it into valid rows and rejects.
/// `label` names the file in errors and in the rejects report.
pub fn load_deals_frame(
    label: &str,
    mut lf: LazyFrame,
    indices: MarketIndices,
) -> Result<DealHistory> {
    let schema = lf.collect_schema().map_err(pe(label))?;
    // A UTF-8 byte-order mark sticks to the first header name of some CSV exports: names are
    // matched without it and without surrounding spaces.
    let clean = |n: &str| n.trim_start_matches('\u{feff}').trim().to_string();
    let present = |n: &str| schema.iter_names().any(|h| clean(h) == n);
    let missing: Vec<String> = COLUMNS
        .iter()
        .filter(|c| c.required && !present(c.name) && !c.alias.is_some_and(|(a, _)| present(a)))
        .map(|c| match c.alias {
            Some((a, _)) => format!("{} (or {a})", c.name),
            None => c.name.to_string(),
        })
        .collect();
    if !missing.is_empty() {
        return Err(Error::InFile {
            file: label.to_string(),
            detail: format!(
                "missing column{} {}: a deal history needs the columns {} (see datasets/README.md)",
                if missing.len() > 1 { "s" } else { "" },
                missing.join(", "),
                super::schema::required_columns().join(", ")
            ),
        });
    }
    // The file's column for each schema column, under its name or its alias (absent optional
    // columns become nulls), and the factor its numbers are multiplied by.
    let mut dtypes = Vec::new();
    let mut raw_cols = Vec::new();
    let mut file_names = Vec::new();
    let mut factors = Vec::new();
    for spec in COLUMNS.iter() {
        let by_name = schema
            .iter()
            .find(|(n, _)| clean(n) == spec.name)
            .map(|(n, d)| (n, d, 1.0));
        let by_alias = || {
            let (a, f) = spec.alias?;
            schema
                .iter()
                .find(|(n, _)| clean(n) == a)
                .map(|(n, d)| (n, d, f))
        };
        match by_name.or_else(by_alias) {
            Some((n, d, f)) => {
                check_type(spec, d, label)?;
                raw_cols.push(col(n.as_str()).alias(raw_name(spec.name)));
                dtypes.push(d.clone());
                file_names.push(clean(n));
                factors.push(f);
            }
            None => {
                // An absent optional column: empty text cells (as a CSV column of blanks).
                raw_cols.push(lit(NULL).cast(DataType::String).alias(raw_name(spec.name)));
                dtypes.push(DataType::String);
                file_names.push(spec.name.to_string());
                factors.push(1.0);
            }
        }
    }
    let raw_df = lf
        .with_row_index("__row", Some(1))
        .select(
            std::iter::once(col("__row"))
                .chain(raw_cols)
                .collect::<Vec<_>>(),
        )
        .collect()
        .map_err(pe(label))?;
    let mut reasons = Reasons::default();
    let mut join = JoinArgs::new(JoinType::Left);
    join.maintain_order = MaintainOrderJoin::Left;
    let mut base = raw_df.clone().lazy();
    let mut typed_exprs = Vec::new();
    let mut code_exprs = Vec::new();
    for ((spec, dtype), factor) in COLUMNS.iter().zip(&dtypes).zip(&factors) {
        let lk = match spec.kind {
            ColKind::Enum(_) | ColKind::Industry | ColKind::Region => {
                Some(lookup(&raw_df, spec, &mut reasons).map_err(pe(label))?)
            }
            _ => None,
        };
        if let Some(Lookup::Join(map)) = &lk {
            base = base.join(
                map.clone().lazy(),
                [col(raw_name(spec.name))],
                [col(map_key(spec.name))],
                join.clone(),
            );
        }
        let plan = plan_column(spec, dtype, *factor, lk.as_ref(), &mut reasons);
        typed_exprs.push(plan.typed.alias(spec.name));
        code_exprs.push(plan.code.alias(code_name(spec.name)));
    }
    // Duplicate ids: every occurrence after the first is rejected.
    let dup = col("__row")
        .neq(over(col("__row").min(), "deal_id"))
        .and(col("deal_id").is_not_null());
    let id_code = when(col(code_name("deal_id")).neq(lit_code(0)))
        .then(col(code_name("deal_id")))
        .when(dup)
        .then(lit_code(
            reasons.code("duplicate deal_id: an earlier row has the same id"),
        ))
        .otherwise(lit_code(0))
        .alias(code_name("deal_id"));
    let checked = base
        .with_columns(typed_exprs)
        .with_columns(code_exprs)
        .with_column(id_code)
        .select(
            std::iter::once(col("__row"))
                .chain(COLUMNS.iter().map(|c| col(c.name)))
                .chain(COLUMNS.iter().map(|c| col(code_name(c.name))))
                .chain(COLUMNS.iter().map(|c| col(raw_name(c.name))))
                .collect::<Vec<_>>(),
        )
        .collect()
        .map_err(pe(label))?;
    let rows_read = checked.height();
    let mut ok = lit(true);
    for c in COLUMNS.iter() {
        ok = ok.and(col(code_name(c.name)).eq(lit_code(0)));
    }
    let typed_cols: Vec<Expr> = COLUMNS.iter().map(|c| col(c.name)).collect();
    let bad = checked
        .clone()
        .lazy()
        .filter(ok.clone().not())
        .collect()
        .map_err(pe(label))?;
    let frame = if bad.height() == 0 {
        // Nothing rejected: the typed columns as they are (no copy).
        checked.clone().lazy().select(typed_cols)
    } else {
        checked.clone().lazy().filter(ok).select(typed_cols)
    }
    .collect()
    .map_err(pe(label))?;
    // The rejects report, long form: one row per bad cell, by row then schema order.
    let mut parts = Vec::new();
    for (i, c) in COLUMNS.iter().enumerate() {
        parts.push(
            bad.clone()
                .lazy()
                .filter(col(code_name(c.name)).neq(lit_code(0)))
                .select([
                    col("__row").cast(DataType::UInt64).alias("row"),
                    lit(i as u32).cast(DataType::UInt32).alias("col_ix"),
                    col(raw_name(c.name))
                        .cast(DataType::String)
                        .fill_null(lit(""))
                        .alias("value"),
                    col(code_name(c.name)).alias("code"),
                ]),
        );
    }
    let rej = concat(parts, UnionArgs::default())
        .and_then(|l| {
            l.sort_by_exprs(
                [col("row"), col("col_ix")],
                SortMultipleOptions::default().with_maintain_order(true),
            )
            .collect()
        })
        .map_err(pe(label))?;
    let rejects = rejects_from(label, &rej, &reasons, &file_names).map_err(pe(label))?;
    let rows_rejected = bad.height();
    if frame.height() == 0 {
        let first = rejects
            .first()
            .map(|r| {
                format!(
                    "; first problem: row {}, column {} = \"{}\": {}",
                    r.row, r.column, r.value, r.reason
                )
            })
            .unwrap_or_default();
        return Err(Error::InFile {
            file: label.to_string(),
            detail: format!("no valid deal among {rows_read} rows{first}"),
        });
    }
    let (provenance, synthetic) = provenance_of(label, &frame)?;
    Ok(DealHistory {
        frame,
        source: label.to_string(),
        provenance,
        synthetic,
        rows_read,
        rejects,
        rows_rejected,
        indices,
        note: None,
    })
}

/// The rejects, one per bad cell; `file_names` are the file's names of the schema columns (an
/// alias when the file used it).
fn rejects_from(
    label: &str,
    rej: &DataFrame,
    reasons: &Reasons,
    file_names: &[String],
) -> PolarsResult<Vec<Reject>> {
    let row = rej.column("row")?.u64()?;
    let ix = rej.column("col_ix")?.u32()?;
    let val = rej.column("value")?.str()?;
    let code = rej.column("code")?.u32()?;
    Ok(row
        .iter()
        .zip(ix.iter())
        .zip(val.iter())
        .zip(code.iter())
        .map(|(((r, i), v), k)| Reject {
            file: label.to_string(),
            row: r.unwrap_or(0),
            column: i
                .and_then(|i| file_names.get(i as usize))
                .map_or("?", String::as_str)
                .to_string(),
            value: v.unwrap_or("").to_string(),
            reason: reasons.text(k.unwrap_or(0)).to_string(),
        })
        .collect())
}

/// The provenance of the data: the distinct `provenance` values (the shipped rows say
/// `synthetic …`), else "user-supplied deal history".
fn provenance_of(label: &str, frame: &DataFrame) -> Result<(String, bool)> {
    let u = frame
        .clone()
        .lazy()
        .select([col("provenance").drop_nulls().unique_stable().head(Some(3))])
        .collect()
        .map_err(pe(label))?;
    let vals: Vec<String> = u
        .column("provenance")
        .and_then(|c| c.str().cloned())
        .map(|s| s.iter().flatten().map(str::to_string).collect())
        .unwrap_or_default();
    if vals.is_empty() {
        return Ok((format!("user-supplied deal history ({label})"), false));
    }
    let synthetic = vals.iter().any(|v| v.to_lowercase().contains("synthetic"));
    Ok((vals.join("; "), synthetic))
}

/// Renders the rejects report as CSV (`file,row,column,value,reason`).
pub fn rejects_csv(rejects: &[Reject]) -> String {
    fn q(s: &str) -> String {
        if s.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    }
    let mut out = String::from("file,row,column,value,reason\n");
    for r in rejects {
        out.push_str(&format!(
            "{},{},{},{},{}\n",
            q(&r.file),
            r.row,
            q(&r.column),
            q(&r.value),
            q(&r.reason)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_bounds_are_the_documented_days() {
        let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
        let d = |y, m, dd| {
            (chrono::NaiveDate::from_ymd_opt(y, m, dd).unwrap() - epoch).num_days() as i32
        };
        assert_eq!(d(1985, 1, 1), MIN_DATE_DAYS);
        assert_eq!(d(2100, 12, 31), MAX_DATE_DAYS);
    }
}
