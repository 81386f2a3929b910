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

use super::schema::{required_columns, ColKind, ColumnSpec, DealHistory, Reject, COLUMNS};
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
const NULL_TEXTS: [&str; 6] = ["", "NA", "N/A", "null", "NULL", "-"];

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
    first.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// File format of a deal history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DealFormat {
    /// Comma-separated text with a header row.
    Csv,
    /// Apache Parquet.
    Parquet,
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
    };
    load_deals_frame(&label, lf, MarketIndices::shipped()?)
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

fn map_typed(c: &str) -> String {
    format!("__map_{c}")
}
fn map_why(c: &str) -> String {
    format!("__mapwhy_{c}")
}
fn map_miss(c: &str) -> String {
    format!("__mapmiss_{c}")
}
fn map_key(c: &str) -> String {
    format!("__mapkey_{c}")
}
fn raw_name(c: &str) -> String {
    format!("__raw_{c}")
}
fn code_name(c: &str) -> String {
    format!("__why_{c}")
}

/// The messages of the rejects report, numbered: a cell's check yields a `UInt32` code (0 =
/// fine), so that no per-row text is built; texts are looked up for the rejected rows only.
#[derive(Debug, Default)]
struct Reasons {
    texts: Vec<String>,
    index: std::collections::HashMap<String, u32>,
}

impl Reasons {
    fn code(&mut self, text: &str) -> u32 {
        if let Some(c) = self.index.get(text) {
            return *c;
        }
        self.texts.push(text.to_string());
        let c = u32::try_from(self.texts.len()).unwrap_or(u32::MAX);
        self.index.insert(text.to_string(), c);
        c
    }
    fn text(&self, code: u32) -> &str {
        code.checked_sub(1)
            .and_then(|i| self.texts.get(i as usize))
            .map_or("invalid value", String::as_str)
    }
}

fn lit_code(c: u32) -> Expr {
    lit(c).cast(DataType::UInt32)
}

/// `when(c1) then code1 … otherwise 0` (a null condition counts as false).
fn chain(conds: Vec<(Expr, u32)>) -> Expr {
    let mut e = lit_code(0);
    for (c, k) in conds.into_iter().rev() {
        e = when(c).then(lit_code(k)).otherwise(e);
    }
    e
}

/// Normalises one distinct value of a categorical column: `Ok(Some(v))` valid, `Ok(None)`
/// an empty cell, `Err(reason)` invalid.
fn normalize_value(spec: &ColumnSpec, raw: &str) -> std::result::Result<Option<String>, String> {
    let t = raw.trim();
    if NULL_TEXTS.contains(&t) {
        return Ok(None);
    }
    match spec.kind {
        ColKind::Enum(names) => {
            let l = t.to_lowercase();
            if names.contains(&l.as_str()) {
                Ok(Some(l))
            } else {
                Err(format!(
                    "{}: must be one of {}",
                    spec.doc,
                    names.join(" | ")
                ))
            }
        }
        ColKind::Industry => {
            let u = t.to_uppercase();
            let mut ch = u.chars();
            let ok = (1..=5).contains(&u.chars().count())
                && ch.next().is_some_and(|c| ('A'..='T').contains(&c))
                && ch.all(|c| c.is_ascii_digit());
            if ok {
                Ok(Some(u))
            } else {
                Err(format!("not an industry code: {}", spec.doc))
            }
        }
        ColKind::Region => crate::subject::normalize_region(t)
            .map(|en| Some(en.to_string()))
            .ok_or_else(|| format!("not a {}", spec.doc)),
        _ => Ok(Some(t.to_string())),
    }
}

/// How a categorical column's cells map to typed values.
enum Lookup {
    /// Every distinct value is already valid and normalised: the column is used as it is.
    Identity,
    /// A table from each distinct raw value to its normalised value, reason code and "empty"
    /// flag, joined back to the rows.
    Join(DataFrame),
}

/// Normalises the distinct values of a categorical column (work per distinct value, not per
/// row).
fn lookup(raw_df: &DataFrame, spec: &ColumnSpec, reasons: &mut Reasons) -> PolarsResult<Lookup> {
    let uniq = raw_df.column(&raw_name(spec.name))?.unique()?;
    let uniq = uniq.str()?;
    let mut keys = Vec::new();
    let mut typed: Vec<Option<String>> = Vec::new();
    let mut why: Vec<u32> = Vec::new();
    let mut miss = Vec::new();
    let mut identity = true;
    for u in uniq.iter().flatten() {
        keys.push(u.to_string());
        match normalize_value(spec, u) {
            Ok(Some(v)) => {
                identity &= v == u;
                typed.push(Some(v));
                why.push(0);
                miss.push(false);
            }
            Ok(None) => {
                identity = false;
                typed.push(None);
                why.push(0);
                miss.push(true);
            }
            Err(r) => {
                identity = false;
                typed.push(None);
                why.push(reasons.code(&r));
                miss.push(false);
            }
        }
    }
    if identity {
        return Ok(Lookup::Identity);
    }
    Ok(Lookup::Join(DataFrame::new_infer_height(vec![
        Column::new(map_key(spec.name).into(), keys),
        Column::new(map_typed(spec.name).into(), typed),
        Column::new(map_why(spec.name).into(), why),
        Column::new(map_miss(spec.name).into(), miss),
    ])?))
}

fn is_null_text(e: Expr) -> Expr {
    let mut m = e.clone().is_null();
    for t in NULL_TEXTS {
        m = m.or(e.clone().eq(lit(t)));
    }
    m
}

/// The typed value of a column and its reason code.
struct ColPlan {
    typed: Expr,
    code: Expr,
}

/// Refuses a file column whose type cannot hold the schema column.
fn check_type(spec: &ColumnSpec, src: &DataType, label: &str) -> Result<()> {
    let want = match spec.kind {
        ColKind::Id | ColKind::Text
            if matches!(src, DataType::String | DataType::Null) || src.is_primitive_numeric() =>
        {
            return Ok(())
        }
        ColKind::Id | ColKind::Text => "text",
        ColKind::Enum(_) | ColKind::Industry | ColKind::Region
            if matches!(src, DataType::String) =>
        {
            return Ok(())
        }
        ColKind::Enum(_) | ColKind::Industry | ColKind::Region => "text",
        ColKind::Date { .. }
            if matches!(
                src,
                DataType::String | DataType::Date | DataType::Datetime(_, _)
            ) =>
        {
            return Ok(())
        }
        ColKind::Date { .. } => "a date",
        ColKind::Float { .. } | ColKind::Int { .. }
            if matches!(src, DataType::String | DataType::Null) || src.is_primitive_numeric() =>
        {
            return Ok(())
        }
        ColKind::Float { .. } => "a number",
        ColKind::Int { .. } => "a whole number",
    };
    Err(Error::InFile {
        file: label.to_string(),
        detail: format!(
            "column {} has type {src}: expected {want} ({})",
            spec.name, spec.doc
        ),
    })
}

fn plan_column(
    spec: &ColumnSpec,
    src: &DataType,
    lookup: Option<&Lookup>,
    reasons: &mut Reasons,
) -> ColPlan {
    let raw = col(raw_name(spec.name));
    let is_text = matches!(src, DataType::String);
    // The cell as trimmed text (text sources) and "missing".
    let text = raw.clone().str().strip_chars(lit(NULL));
    let missing = if is_text {
        is_null_text(text.clone())
    } else {
        raw.clone().is_null()
    };
    let required = reasons.code(&format!("missing value: {} is required", spec.name));
    let mut v: Vec<(Expr, u32)> = Vec::new();
    if !spec.nullable {
        v.push((missing.clone(), required));
    }
    match spec.kind {
        ColKind::Id | ColKind::Text => {
            // Ids are trimmed; free text (provenance) is kept as written (no copy of long text).
            // A row with a missing id is rejected, so its typed value does not matter.
            let typed = match (is_text, spec.kind) {
                (true, ColKind::Id) => text,
                (true, _) => raw,
                (false, _) => raw.cast(DataType::String),
            };
            ColPlan {
                typed,
                code: chain(v),
            }
        }
        ColKind::Enum(_) | ColKind::Industry | ColKind::Region => match lookup {
            Some(Lookup::Join(_)) => {
                let missing = raw
                    .is_null()
                    .or(col(map_miss(spec.name)).fill_null(lit(false)));
                let why = col(map_why(spec.name)).fill_null(lit_code(0));
                let code = when(missing.and(lit(!spec.nullable)))
                    .then(lit_code(required))
                    .otherwise(why);
                ColPlan {
                    typed: col(map_typed(spec.name)),
                    code,
                }
            }
            _ => ColPlan {
                typed: raw.clone(),
                code: chain(if spec.nullable {
                    Vec::new()
                } else {
                    vec![(raw.is_null(), required)]
                }),
            },
        },
        ColKind::Date { min_days, max_days } => {
            let parsed = match src {
                DataType::String => text.str().to_date(StrptimeOptions {
                    format: Some("%Y-%m-%d".into()),
                    strict: false,
                    exact: true,
                    cache: true,
                }),
                DataType::Datetime(_, _) => raw.cast(DataType::Date),
                _ => raw,
            };
            let days = parsed.clone().cast(DataType::Int32);
            v.push((
                missing.not().and(parsed.clone().is_null()),
                reasons.code("not a date: write YYYY-MM-DD, e.g. 2023-06-30"),
            ));
            v.push((
                days.clone().lt(lit(min_days)).or(days.gt(lit(max_days))),
                reasons.code(&format!("out of range: {}", spec.doc)),
            ));
            ColPlan {
                typed: parsed,
                code: chain(v),
            }
        }
        ColKind::Float {
            min,
            min_exclusive,
            max,
        } => {
            let parsed = if is_text {
                text.cast(DataType::Float64)
            } else {
                raw.cast(DataType::Float64)
            };
            let low = if min_exclusive {
                parsed.clone().lt_eq(lit(min))
            } else {
                parsed.clone().lt(lit(min))
            };
            v.push((
                missing.not().and(parsed.clone().is_null()),
                reasons.code(&format!("not a number: {}", spec.doc)),
            ));
            v.push((
                parsed.clone().is_nan().or(parsed.clone().is_infinite()),
                reasons.code(&format!("not a finite number: {}", spec.doc)),
            ));
            v.push((
                low.or(parsed.clone().gt(lit(max))),
                reasons.code(&format!("out of range: {}", spec.doc)),
            ));
            ColPlan {
                typed: parsed,
                code: chain(v),
            }
        }
        ColKind::Int { min, max } => {
            let parsed = if is_text {
                text.cast(DataType::Float64)
            } else {
                raw.cast(DataType::Float64)
            };
            v.push((
                missing.not().and(parsed.clone().is_null()),
                reasons.code(&format!("not a number: {}", spec.doc)),
            ));
            v.push((
                parsed.clone().is_nan().or(parsed.clone().is_infinite()),
                reasons.code(&format!("not a finite number: {}", spec.doc)),
            ));
            v.push((
                parsed
                    .clone()
                    .lt(lit(min as f64))
                    .or(parsed.clone().gt(lit(max as f64))),
                reasons.code(&format!("out of range: {}", spec.doc)),
            ));
            v.push((
                parsed.clone().floor().neq(parsed.clone()),
                reasons.code(&format!("not a whole number: {}", spec.doc)),
            ));
            ColPlan {
                typed: parsed.cast(DataType::Int64),
                code: chain(v),
            }
        }
    }
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
    let missing: Vec<&str> = required_columns()
        .into_iter()
        .filter(|c| !schema.iter_names().any(|n| clean(n) == *c))
        .collect();
    if !missing.is_empty() {
        return Err(Error::InFile {
            file: label.to_string(),
            detail: format!(
                "missing column{} {}: a deal history needs the columns {} (see datasets/README.md)",
                if missing.len() > 1 { "s" } else { "" },
                missing.join(", "),
                required_columns().join(", ")
            ),
        });
    }
    // The file's column for each schema column (absent optional columns become nulls).
    let mut dtypes = Vec::new();
    let mut raw_cols = Vec::new();
    for spec in COLUMNS.iter() {
        match schema.iter().find(|(n, _)| clean(n) == spec.name) {
            Some((n, d)) => {
                check_type(spec, d, label)?;
                raw_cols.push(col(n.as_str()).alias(raw_name(spec.name)));
                dtypes.push(d.clone());
            }
            None => {
                raw_cols.push(lit(NULL).alias(raw_name(spec.name)));
                dtypes.push(DataType::Null);
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
    for (spec, dtype) in COLUMNS.iter().zip(&dtypes) {
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
        let plan = plan_column(spec, dtype, lk.as_ref(), &mut reasons);
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
    // A row needs a technology indicator: tech_score or trl.
    let tech_code = when(col(code_name("tech_score")).neq(lit_code(0)))
        .then(col(code_name("tech_score")))
        .when(
            col("tech_score")
                .is_null()
                .and(col("trl").is_null())
                .and(col(code_name("trl")).eq(lit_code(0))),
        )
        .then(lit_code(
            reasons.code("missing value: give tech_score (0–100) or trl (1–9)"),
        ))
        .otherwise(lit_code(0))
        .alias(code_name("tech_score"));
    let checked = base
        .with_columns(typed_exprs)
        .with_columns(code_exprs)
        .with_columns([id_code, tech_code])
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
    let rejects = rejects_from(label, &rej, &reasons).map_err(pe(label))?;
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
    })
}

fn rejects_from(label: &str, rej: &DataFrame, reasons: &Reasons) -> PolarsResult<Vec<Reject>> {
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
                .and_then(|i| COLUMNS.get(i as usize))
                .map_or("?", |c| c.name)
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
