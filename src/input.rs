//! Reading structured input files (case files, rulebooks, models) with one-line errors.
//!
//! TOML and JSON share one schema. Every error names the file and either the field path
//! (`income.discount.rate`) or the line and column of a syntax error, the bad value when there is
//! one, and what is allowed. This module does I/O; the computing core never calls it.

use crate::error::{Error, Result};
use serde::de::DeserializeOwned;
use std::path::Path;

/// Input format of a structured file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// TOML.
    Toml,
    /// JSON.
    Json,
}

impl Format {
    /// Chooses by extension (`.json` → JSON, otherwise TOML unless the text starts with `{`).
    pub fn detect(path: &str, text: &str) -> Format {
        if path.to_ascii_lowercase().ends_with(".json") || text.trim_start().starts_with('{') {
            Format::Json
        } else {
            Format::Toml
        }
    }
}

/// Reads a file's bytes, mapping I/O failures to a one-line user error.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::Io {
        path: path.display().to_string(),
        message: format!("cannot read: {}", io_reason(&e)),
    })
}

/// A short reason for an I/O error (without the OS error number).
pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => {
            let s = e.to_string();
            s.split(" (os error").next().unwrap_or(&s).to_string()
        }
    }
}

/// Checks that bytes are non-empty UTF-8 text; `label` is the file name for errors.
pub fn as_text<'a>(label: &str, bytes: &'a [u8]) -> Result<&'a str> {
    let text = std::str::from_utf8(bytes).map_err(|e| Error::InFile {
        file: label.to_string(),
        detail: format!(
            "byte {} is not UTF-8 text: expected a TOML or JSON text file",
            e.valid_up_to()
        ),
    })?;
    if text.contains('\0') {
        return Err(Error::InFile {
            file: label.to_string(),
            detail: "contains NUL bytes: expected a TOML or JSON text file".into(),
        });
    }
    if text.trim().is_empty() {
        return Err(Error::InFile {
            file: label.to_string(),
            detail: "file is empty: expected a TOML or JSON document".into(),
        });
    }
    Ok(text.strip_prefix('\u{feff}').unwrap_or(text))
}

/// Parses `text` as `T`, naming `label` and the field path in errors.
pub fn parse_str<T: DeserializeOwned>(label: &str, text: &str, format: Format) -> Result<T> {
    match format {
        Format::Toml => {
            let de = toml::de::Deserializer::parse(text)
                .map_err(|e| toml_error(label, text, &e, None))?;
            serde_path_to_error::deserialize(de).map_err(|e| {
                let path = e.path().to_string();
                toml_error(label, text, e.inner(), Some(path))
            })
        }
        Format::Json => {
            let mut de = serde_json::Deserializer::from_str(text);
            let v: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
                let path = e.path().to_string();
                let inner = e.into_inner();
                json_error(label, &inner, Some(path))
            })?;
            de.end().map_err(|e| json_error(label, &e, None))?;
            Ok(v)
        }
    }
}

/// Reads and parses a TOML or JSON file.
pub fn load_file<T: DeserializeOwned>(path: &Path) -> Result<T> {
    let label = path.display().to_string();
    let bytes = read_bytes(path)?;
    let text = as_text(&label, &bytes)?;
    parse_str(&label, text, Format::detect(&label, text))
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Moves the field a serde message names into the path: `subject` + "missing field
/// `valuation_date`" → `subject.valuation_date` + "missing: the field is required".
fn field_into_path(path: Option<String>, msg: String) -> (Option<String>, String) {
    for (prefix, what) in [
        ("missing field `", "missing: the field is required"),
        (
            "duplicate field `",
            "given twice: each field may appear once",
        ),
    ] {
        if let Some(rest) = msg.strip_prefix(prefix) {
            if let Some((field, _)) = rest.split_once('`') {
                let full = match path.as_deref().filter(|p| *p != "." && !p.is_empty()) {
                    Some(p) => format!("{p}.{field}"),
                    None => field.to_string(),
                };
                return (Some(full), what.to_string());
            }
        }
    }
    (path, msg)
}

/// The dotted path of the key defined on the line at `offset` of a TOML text: the nearest
/// `[table]` header above it and the key before `=` (for a duplicate-key error, which the TOML
/// parser reports by position only).
fn toml_key_at(text: &str, offset: usize) -> Option<String> {
    let start = text[..offset.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let line = text[start..].lines().next()?;
    let key = line.split_once('=').map(|(k, _)| k.trim())?;
    if key.is_empty() {
        return None;
    }
    let header = text[..start]
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('['))
        .map(|l| l.trim_matches(|c| c == '[' || c == ']').trim().to_string());
    Some(match header {
        Some(h) if !h.is_empty() => format!("{h}.{key}"),
        _ => key.to_string(),
    })
}

fn toml_error(label: &str, text: &str, e: &toml::de::Error, path: Option<String>) -> Error {
    let msg = one_line(e.message());
    let pos = e.span().map(|s| line_col(text, s.start));
    let (path, msg) = match (&path, e.span()) {
        (None, Some(sp)) if msg.contains("duplicate key") => match toml_key_at(text, sp.start) {
            Some(k) => (Some(k), "given twice: each key may appear once".to_string()),
            None => (path, msg),
        },
        _ => field_into_path(path, msg),
    };
    let detail = match (path.filter(|p| p != "." && !p.is_empty()), pos) {
        (Some(p), Some((l, c))) => format!("{p} (line {l}, column {c}): {msg}"),
        (Some(p), None) => format!("{p}: {msg}"),
        (None, Some((l, c))) => format!("line {l}, column {c}: {msg}"),
        (None, None) => msg,
    };
    Error::InFile {
        file: label.to_string(),
        detail,
    }
}

fn json_error(label: &str, e: &serde_json::Error, path: Option<String>) -> Error {
    // serde_json appends " at line L column C"; keep the message, put the position first.
    let full = e.to_string();
    let msg = full
        .rsplit_once(" at line ")
        .map_or(full.as_str(), |(m, _)| m)
        .to_string();
    let (path, msg) = field_into_path(path, one_line(&msg));
    let detail = match path.filter(|p| p != "." && !p.is_empty()) {
        Some(p) => format!(
            "{p} (line {}, column {}): {}",
            e.line(),
            e.column(),
            one_line(&msg)
        ),
        None => format!(
            "line {}, column {}: {}",
            e.line(),
            e.column(),
            one_line(&msg)
        ),
    };
    Error::InFile {
        file: label.to_string(),
        detail,
    }
}

/// Writes `bytes` to `path` atomically: a temporary file in the same folder, then a rename, so
/// that no reader ever sees a partial file. Creates the folder when missing.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let io_err = |e: std::io::Error| Error::Io {
        path: path.display().to_string(),
        message: format!("cannot write: {}", io_reason(&e)),
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io_err)?;
    }
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let tmp = path.with_file_name(format!(".{file_name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(io_err(e));
    }
    Ok(())
}
