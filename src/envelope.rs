//! The one envelope of every JSON document techval writes (`value --format json`,
//! `pipeline.json`, the report set's `results.json`, `sensitivity`, `comparables`, `backtest`,
//! `market-stats`, the finance stages): which techval, which command, which case file and model
//! book, the Monte Carlo seed (null when nothing was drawn) and where the deal data came from.
//! The command's own fields follow the envelope's at the top level of the document.
//!
//! ```json
//! { "techval_version": "0.1.0", "command": "value", "case_file": "…", "models": "builtin …",
//!   "seed": 20250630, "data_provenance": { "deals_file": "…", "synthetic": true, … },
//!   "subject": { … }, "valuations": [ … ] }
//! ```

use crate::data::DataProvenance;
use serde::Serialize;

/// The fields every JSON document starts with.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Envelope<'a> {
    /// techval version (`CARGO_PKG_VERSION`).
    pub techval_version: &'static str,
    /// The command that wrote the document (`value`, `pipeline`, `report`, …).
    pub command: &'a str,
    /// The case file (or the bundled demo's path), when the command read one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case_file: Option<&'a str>,
    /// Where the model book came from (`builtin …` or the `--models` folder).
    pub models: &'a str,
    /// The master seed of the Monte Carlo run behind the document; null when nothing was
    /// drawn.
    pub seed: Option<u64>,
    /// Where the deal history came from (synthetic or not), when one was used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_provenance: Option<DataProvenance>,
}

impl<'a> Envelope<'a> {
    /// The envelope of `command` run with the model book from `models`.
    pub fn new(command: &'a str, models: &'a str) -> Envelope<'a> {
        Envelope {
            techval_version: env!("CARGO_PKG_VERSION"),
            command,
            case_file: None,
            models,
            seed: None,
            data_provenance: None,
        }
    }

    /// With the case file read.
    pub fn case(mut self, file: &'a str) -> Envelope<'a> {
        self.case_file = Some(file);
        self
    }

    /// With the seed of the simulation behind the document.
    pub fn seed(mut self, seed: Option<u64>) -> Envelope<'a> {
        self.seed = seed;
        self
    }

    /// With the provenance of the deal history used.
    pub fn data(mut self, data: Option<DataProvenance>) -> Envelope<'a> {
        self.data_provenance = data;
        self
    }

    /// The document: the envelope's fields, then the body's.
    pub fn wrap<T: Serialize>(self, body: T) -> Document<'a, T> {
        Document {
            envelope: self,
            body,
        }
    }
}

/// A JSON document: the [`Envelope`] and the command's own fields, flattened into one object.
#[derive(Debug, Serialize)]
pub struct Document<'a, T: Serialize> {
    /// The envelope.
    #[serde(flatten)]
    pub envelope: Envelope<'a>,
    /// The command's fields.
    #[serde(flatten)]
    pub body: T,
}

impl<T: Serialize> Document<'_, T> {
    /// Pretty-printed JSON with a final line break.
    pub fn to_json(&self) -> crate::Result<String> {
        let mut s = serde_json::to_string_pretty(self)
            .map_err(|e| crate::Error::Internal(format!("JSON encoding failed: {e}")))?;
        s.push('\n');
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_fields_come_first_and_seed_is_always_there() {
        #[derive(Serialize)]
        struct Body {
            value: u32,
        }
        let doc = Envelope::new("value", "builtin")
            .case("c.toml")
            .wrap(Body { value: 3 });
        let s = doc.to_json().unwrap();
        let v: serde_json::Value = serde_json::from_str(&s).unwrap();
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "techval_version",
                "command",
                "case_file",
                "models",
                "seed",
                "value"
            ]
        );
        assert!(v["seed"].is_null());
    }
}
