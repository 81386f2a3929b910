//! Rows of a portfolio table as cases: column names are case-file field paths, a cell is a TOML
//! value (number, `true`/`false`, text, an inline table `{ dist = "pert", … }` or array), a
//! list field holds its items separated by `;`, an empty cell leaves the template's value. The
//! row is merged over the template and read by the very deserializer and validation of a case
//! file, so a portfolio row and a case file have one schema.

use crate::case::Case;
use crate::data::schema::Reject;
use crate::error::Error;
use crate::models::ModelBook;
use serde::Deserialize;
use toml::{Table, Value};

/// One segment of a field path: a key, or a key with an index (`items[0]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Segment {
    key: String,
    index: Option<usize>,
}

/// A column of the table: its name as written and its parsed path (`None`: not a field path).
#[derive(Debug, Clone)]
pub(super) struct ColumnPath {
    pub(super) name: String,
    segments: Option<Vec<Segment>>,
}

impl ColumnPath {
    /// Parses a column name: dot-separated keys of letters, digits and `_`, each optionally
    /// followed by `[i]`.
    pub(super) fn parse(name: &str) -> ColumnPath {
        let clean = name.trim_start_matches('\u{feff}').trim().to_string();
        let mut segments = Vec::new();
        let mut ok = !clean.is_empty();
        for part in clean.split('.') {
            let (key, index) = match part.split_once('[') {
                Some((k, rest)) => match rest.strip_suffix(']').and_then(|i| i.parse().ok()) {
                    Some(i) => (k, Some(i)),
                    None => {
                        ok = false;
                        (k, None)
                    }
                },
                None => (part, None),
            };
            ok &= !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            segments.push(Segment {
                key: key.to_string(),
                index,
            });
        }
        ColumnPath {
            name: clean,
            segments: ok.then_some(segments),
        }
    }
}

/// How a cell is written into the row's case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// As the cell reads (number, boolean, inline table, text).
    Natural,
    /// As text even when it reads as a number (`subject.id = 10086`).
    Text,
    /// As a one-item list (`income.revenue = 1200000` for a one-year forecast).
    List,
}

/// A cell's TOML value: integers and decimal numbers as numbers, `true`/`false`, inline
/// tables and arrays as TOML, everything else as text (dates too: the case reads `YYYY-MM-DD`
/// text).
fn scalar(s: &str, shape: Shape) -> Value {
    let t = s.trim();
    if shape == Shape::Text {
        return Value::String(t.to_string());
    }
    let numeric = !t.is_empty()
        && t.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | '.' | 'e' | 'E'))
        && t.chars().any(|c| c.is_ascii_digit());
    if numeric {
        if let Ok(i) = t.parse::<i64>() {
            return Value::Integer(i);
        }
        if let Ok(f) = t.parse::<f64>() {
            if f.is_finite() {
                return Value::Float(f);
            }
        }
    }
    match t {
        "true" => return Value::Boolean(true),
        "false" => return Value::Boolean(false),
        _ => {}
    }
    if t.starts_with('{') || t.starts_with('[') {
        if let Ok(mut tb) = toml::from_str::<Table>(&format!("v = {t}")) {
            if let Some(v) = tb.remove("v") {
                return v;
            }
        }
    }
    Value::String(t.to_string())
}

/// A cell's value: items separated by `;` form an array.
fn cell_value(s: &str, shape: Shape) -> Value {
    if s.contains(';') || shape == Shape::List {
        let inner = if shape == Shape::List {
            Shape::Natural
        } else {
            shape
        };
        Value::Array(
            s.split(';')
                .map(str::trim)
                .filter(|x| !x.is_empty())
                .map(|x| scalar(x, inner))
                .collect(),
        )
    } else {
        scalar(s, shape)
    }
}

/// Writes `v` at `path` into `t`, creating tables and array elements on the way.
fn insert(t: &mut Table, path: &[Segment], v: Value) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    let slot = match first.index {
        None => {
            if rest.is_empty() {
                t.insert(first.key.clone(), v);
                return;
            }
            t.entry(first.key.clone())
                .or_insert_with(|| Value::Table(Table::new()))
        }
        Some(i) => {
            let arr = t
                .entry(first.key.clone())
                .or_insert_with(|| Value::Array(Vec::new()));
            if !arr.is_array() {
                *arr = Value::Array(Vec::new());
            }
            let Some(a) = arr.as_array_mut() else {
                return;
            };
            while a.len() <= i {
                a.push(Value::Table(Table::new()));
            }
            if rest.is_empty() {
                a[i] = v;
                return;
            }
            &mut a[i]
        }
    };
    if !slot.is_table() {
        *slot = Value::Table(Table::new());
    }
    if let Some(inner) = slot.as_table_mut() {
        insert(inner, rest, v);
    }
}

/// The column a field path of an error belongs to: the column of that path, or of a prefix
/// of it (`income.revenue` for `income.revenue[2]`), or of the unknown field the message names.
fn column_of<'a>(cols: &'a [ColumnPath], path: &str, message: &str) -> Option<&'a ColumnPath> {
    let unknown = message
        .strip_prefix("unknown field `")
        .and_then(|r| r.split('`').next())
        .map(|f| {
            if path.is_empty() || path == "." {
                f.to_string()
            } else if path.ends_with(f) {
                path.to_string()
            } else {
                format!("{path}.{f}")
            }
        });
    let target = unknown.as_deref().unwrap_or(path);
    let boundary = |p: &str, c: &str| {
        p == c || p.starts_with(c) && matches!(p[c.len()..].chars().next(), Some('.' | '['))
    };
    cols.iter()
        .filter(|c| boundary(target, &c.name))
        .max_by_key(|c| c.name.len())
}

/// What a serde type error asks for, to rewrite the cell (`expected a string`, `expected a
/// sequence`), or `None`.
fn reshape_for(message: &str) -> Option<Shape> {
    let m = message.to_ascii_lowercase();
    if !m.contains("invalid type") {
        return None;
    }
    if m.contains("expected a string") || m.contains("expected a borrowed string") {
        Some(Shape::Text)
    } else if m.contains("expected a sequence") || m.contains("expected an array") {
        Some(Shape::List)
    } else {
        None
    }
}

/// The shortened cell text shown in a reject (a damaged cell can be long).
pub(super) fn shown(v: &str) -> String {
    const MAX: usize = 120;
    if v.chars().count() <= MAX {
        v.to_string()
    } else {
        format!("{}…", v.chars().take(MAX).collect::<String>())
    }
}

/// One row's case, or the reject that sets it aside. `cells[j]` is the text of column `j`
/// (`None` or empty: not set). `label` names the file, `row` the data row (1-based).
pub(super) fn row_case(
    template: &Table,
    cols: &[ColumnPath],
    cells: &[Option<&str>],
    models: &ModelBook,
    label: &str,
    row: u64,
) -> std::result::Result<Case, Reject> {
    let reject = |column: &str, value: &str, reason: String| Reject {
        file: label.to_string(),
        row,
        column: column.to_string(),
        value: shown(value),
        reason,
    };
    let mut shapes = vec![Shape::Natural; cols.len()];
    // A cell whose text reads as a number where the case wants text (or one item where it
    // wants a list) is rewritten and read again — at most once per column.
    for _attempt in 0..=cols.len().min(8) {
        let build = || {
            let mut t = template.clone();
            for (j, (c, cell)) in cols.iter().zip(cells).enumerate() {
                let Some(text) = cell.map(str::trim).filter(|s| !s.is_empty()) else {
                    continue;
                };
                let Some(segs) = &c.segments else {
                    return Err(reject(
                        &c.name,
                        text,
                        "the column is not a case field path (dot-separated keys such as subject.kind or income.revenue)".into(),
                    ));
                };
                insert(&mut t, segs, cell_value(text, shapes[j]));
            }
            Ok(Value::Table(t))
        };
        // Read without tracking the field path first: tracking allocates every key on the
        // way down (a fifth of the time of reading a row); only a row that fails is built and
        // read again, tracked, for the path its reject names.
        let read: std::result::Result<Case, _> = match Case::deserialize(build()?) {
            Ok(case) => Ok(case),
            Err(_) => serde_path_to_error::deserialize(build()?),
        };
        let e = match read {
            Ok(case) => {
                return match case.prepare_brief(models) {
                    // The ratings are not read again once scored (the card holds the figures);
                    // a partition's cases are in memory at once, with about 1.5 KB of them each.
                    Ok(mut case) => {
                        case.scoring = None;
                        Ok(case)
                    }
                    Err(e) => Err(field_reject(e, cols, cells, &reject)),
                };
            }
            Err(e) => e,
        };
        let path = e.path().to_string();
        let message = e.inner().to_string();
        let message = message.lines().next().unwrap_or("").trim().to_string();
        let col = column_of(cols, &path, &message);
        let ix = col.and_then(|c| cols.iter().position(|x| x.name == c.name));
        if let (Some(j), Some(shape)) = (ix, reshape_for(&message)) {
            if shapes[j] == Shape::Natural {
                shapes[j] = shape;
                continue;
            }
        }
        let value = ix.and_then(|j| cells[j]).unwrap_or("");
        let column = col.map_or(path.as_str(), |c| c.name.as_str());
        return Err(reject(column, value, message));
    }
    Err(reject("", "", "the row could not be read as a case".into()))
}

/// A validation error of a row's case as a reject: the column of its field path.
fn field_reject(
    e: Error,
    cols: &[ColumnPath],
    cells: &[Option<&str>],
    reject: &dyn Fn(&str, &str, String) -> Reject,
) -> Reject {
    match e {
        Error::Field(fe) => {
            let col = column_of(cols, &fe.path, "");
            let ix = col.and_then(|c| cols.iter().position(|x| x.name == c.name));
            let value = match ix.and_then(|j| cells[j]) {
                Some(v) if !v.trim().is_empty() => v.to_string(),
                _ => fe.value.clone(),
            };
            reject(
                &fe.path,
                &value,
                if fe.value.is_empty() || fe.value == value {
                    fe.problem
                } else {
                    format!("{} (value {})", fe.problem, fe.value)
                },
            )
        }
        other => reject("", "", other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_cells_and_insertion() {
        let p = ColumnPath::parse("cost.items[1].amount");
        assert_eq!(p.segments.as_ref().map(Vec::len), Some(3));
        assert!(ColumnPath::parse("income revenue").segments.is_none());
        assert!(ColumnPath::parse("a..b").segments.is_none());
        assert_eq!(scalar("12", Shape::Natural), Value::Integer(12));
        assert_eq!(scalar("0.1", Shape::Natural), Value::Float(0.1));
        assert_eq!(scalar("12", Shape::Text), Value::String("12".into()));
        assert_eq!(scalar("inf", Shape::Natural), Value::String("inf".into()));
        assert_eq!(
            scalar("2019-03-15", Shape::Natural),
            Value::String("2019-03-15".into())
        );
        assert!(scalar(
            "{ dist = \"pert\", min = 1, mode = 2, max = 3 }",
            Shape::Natural
        )
        .is_table());
        assert_eq!(
            cell_value("1; 2;3", Shape::Natural),
            Value::Array(vec![
                Value::Integer(1),
                Value::Integer(2),
                Value::Integer(3)
            ])
        );
        let mut t = Table::new();
        insert(&mut t, p.segments.as_ref().unwrap(), Value::Integer(5));
        let items = t["cost"]["items"].as_array().unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[1]["amount"].as_integer(), Some(5));
    }
}
