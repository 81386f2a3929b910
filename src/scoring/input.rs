//! The case's `[scoring]` section: which tree, which scenario, the ratings and the facts the
//! vetoes read.
//!
//! ```toml
//! [scoring]
//! model = "gbt42748"              # default
//! scenario = "pledge_financing"   # default: by the case's purpose, else the tree's default
//! technology_premium = true       # derive income.discount.technology from the score (optional)
//! [scoring.ratings]               # 1–5; an indicator left out is unknown, never 0
//! "legal.stability" = 4
//! "technical.advancement" = 5
//! [scoring.facts]
//! legal_status = "valid"          # lapsed / invalidated / expired → veto
//! annuity_paid = true
//! ownership_dispute = false
//! ```

use crate::param::DecimalValue;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A fact the vetoes read: text or a yes/no.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Fact {
    /// true / false.
    Flag(bool),
    /// A word (`lapsed`).
    Text(String),
}

impl Fact {
    /// The fact as the text the vetoes compare (`true`, `lapsed`).
    pub fn as_text(&self) -> String {
        match self {
            Fact::Flag(b) => b.to_string(),
            Fact::Text(s) => s.trim().to_string(),
        }
    }
}

/// `[scoring]` of a case (or the score columns of a portfolio row).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ScoringInput {
    /// Tree id (`gbt42748`, `cnipa`, `ipscore`, `concept`); default `gbt42748`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Scenario id; default: the tree's scenario for the case's purpose, else its default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario: Option<String>,
    /// Derive `income.discount.technology` (build-up) from the tree's technology-premium
    /// mapping; an error when the case also gives it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub technology_premium: bool,
    /// Rating per indicator id, on the tree's scale. Written flat (`"legal.stability" = 4`) or
    /// nested (`[scoring.ratings.legal] stability = 4`, and the portfolio column
    /// `scoring.ratings.legal.stability`): both read as the id `legal.stability`.
    #[serde(default, deserialize_with = "de_ratings")]
    pub ratings: BTreeMap<String, DecimalValue>,
    /// Facts for the vetoes (`legal_status`, `annuity_paid`, `ownership_dispute`): text or
    /// true/false; any other value is an error naming the fact (a number would silently match
    /// no veto).
    #[serde(default, deserialize_with = "de_facts")]
    pub facts: BTreeMap<String, Fact>,
}

/// A rating or a nested table of ratings.
#[derive(Deserialize)]
#[serde(untagged)]
enum Node {
    Rating(DecimalValue),
    Table(BTreeMap<String, Node>),
    Other(serde_json::Value),
}

fn flatten<E: serde::de::Error>(
    prefix: &str,
    m: BTreeMap<String, Node>,
    out: &mut BTreeMap<String, DecimalValue>,
) -> Result<(), E> {
    for (k, n) in m {
        let id = if prefix.is_empty() {
            k
        } else {
            format!("{prefix}.{k}")
        };
        match n {
            Node::Rating(r) => {
                if out.insert(id.clone(), r).is_some() {
                    return Err(E::custom(format!("{id}: rated twice")));
                }
            }
            Node::Table(t) => flatten(&id, t, out)?,
            Node::Other(v) => {
                return Err(E::custom(format!(
                    "{id} = {v}: a rating must be a number on the tree's scale (leave it out when unknown)"
                )))
            }
        }
    }
    Ok(())
}

/// A fact as written: text, a yes/no, or anything else (refused by [`de_facts`]).
#[derive(Deserialize)]
#[serde(untagged)]
enum FactNode {
    Fact(Fact),
    Other(serde_json::Value),
}

fn de_facts<'de, D: serde::Deserializer<'de>>(d: D) -> Result<BTreeMap<String, Fact>, D::Error> {
    let m = BTreeMap::<String, FactNode>::deserialize(d)?;
    m.into_iter()
        .map(|(k, n)| match n {
            FactNode::Fact(f) => Ok((k, f)),
            FactNode::Other(v) => Err(serde::de::Error::custom(format!(
                "{k} = {v}: a fact is text (legal_status = \"valid\" | \"lapsed\" | \"invalidated\" | \"expired\") or true / false (annuity_paid, ownership_dispute)"
            ))),
        })
        .collect()
}

fn de_ratings<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, DecimalValue>, D::Error> {
    let m = BTreeMap::<String, Node>::deserialize(d)?;
    let mut out = BTreeMap::new();
    flatten("", m, &mut out)?;
    Ok(out)
}

impl ScoringInput {
    /// The tree id asked for (`gbt42748` by default).
    pub fn model_id(&self) -> &str {
        self.model.as_deref().unwrap_or(super::DEFAULT_MODEL)
    }
}
