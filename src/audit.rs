//! The audit trail: every number in a result says how it was obtained.
//!
//! An [`AuditStep`] records a name, the formula in words or symbols, the inputs with their values
//! and units, and the value obtained. Values are kept as text in full precision (decimals are
//! written exactly, money in 元 unrounded unless the step is itself a rounding step), so a report
//! can reproduce every figure from the steps before it.

use crate::money::{Money, Rate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The unit a value in the trail is expressed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// An amount in 元.
    Yuan,
    /// A fraction (0.05 = 5 %).
    Rate,
    /// Years.
    Years,
    /// A pure number (factor, score, count).
    Number,
    /// Text (a choice, a name, a date).
    Text,
}

/// A named value in the trail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditValue {
    /// Symbol or name, e.g. `C_ip` or `revenue[3]`.
    pub name: String,
    /// Exact value as text (`"0.153846153846153846153846"`, `"2483646.93"`, `"2026-06-30"`).
    pub value: String,
    /// Unit of the value.
    pub unit: Unit,
}

impl AuditValue {
    /// A money value (written unrounded).
    pub fn money(name: impl Into<String>, m: Money) -> Self {
        Self {
            name: name.into(),
            value: m.to_string(),
            unit: Unit::Yuan,
        }
    }
    /// A rate (fraction).
    pub fn rate(name: impl Into<String>, r: Rate) -> Self {
        Self {
            name: name.into(),
            value: r.to_string(),
            unit: Unit::Rate,
        }
    }
    /// A fraction given as a decimal.
    pub fn rate_dec(name: impl Into<String>, d: Decimal) -> Self {
        Self {
            name: name.into(),
            value: d.normalize().to_string(),
            unit: Unit::Rate,
        }
    }
    /// A duration in years.
    pub fn years(name: impl Into<String>, d: Decimal) -> Self {
        Self {
            name: name.into(),
            value: d.normalize().to_string(),
            unit: Unit::Years,
        }
    }
    /// A pure number.
    pub fn number(name: impl Into<String>, d: Decimal) -> Self {
        Self {
            name: name.into(),
            value: d.normalize().to_string(),
            unit: Unit::Number,
        }
    }
    /// A pure number from `f64` (statistics).
    pub fn number_f64(name: impl Into<String>, x: f64) -> Self {
        Self {
            name: name.into(),
            value: format!("{x}"),
            unit: Unit::Number,
        }
    }
    /// Text.
    pub fn text(name: impl Into<String>, s: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: s.into(),
            unit: Unit::Text,
        }
    }
}

/// One step of a calculation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditStep {
    /// Short name of what is computed, e.g. `split_rate` or `pv[3]`.
    pub name: String,
    /// The formula, e.g. `K = C_ip(1+R_ip) / [C_ip(1+R_ip) + C_b(1+R_b)]`.
    pub formula: String,
    /// Inputs with their values.
    pub inputs: Vec<AuditValue>,
    /// The result of the step.
    pub value: AuditValue,
    /// Where the inputs came from when not the case file (e.g. `models/royalty_ranges.toml`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// An ordered list of steps; the last step of a method is its result.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AuditTrail {
    /// The steps in the order they were computed.
    pub steps: Vec<AuditStep>,
    /// A muted trail records nothing ([`AuditTrail::muted`]).
    #[serde(skip)]
    muted: bool,
}

/// Records a step (as [`AuditTrail::record`]) only when the trail is on: for a muted trail the
/// arguments, formatted text and exact decimals, are never built.
macro_rules! record {
    ($tr:expr, $($arg:expr),+ $(,)?) => {
        if $tr.is_on() {
            $tr.record($($arg),+)
        }
    };
}
pub(crate) use record;

/// Records a sourced step (as [`AuditTrail::record_sourced`]) only when the trail is on.
macro_rules! record_sourced {
    ($tr:expr, $($arg:expr),+ $(,)?) => {
        if $tr.is_on() {
            $tr.record_sourced($($arg),+)
        }
    };
}
pub(crate) use record_sourced;

impl AuditTrail {
    /// An empty trail.
    pub fn new() -> Self {
        Self::default()
    }

    /// A trail that records nothing, for batch work that keeps only the figures (a portfolio
    /// row: its value and warnings are the same as with a full trail, and `techval value` on
    /// that row's case shows the trail). Steps recorded through the `record!` macros are not
    /// even formatted.
    pub fn muted() -> Self {
        Self {
            steps: Vec::new(),
            muted: true,
        }
    }

    /// False for a [`muted`](Self::muted) trail.
    pub fn is_on(&self) -> bool {
        !self.muted
    }

    /// Records a step and returns nothing; use the builder helpers for brevity.
    pub fn push(&mut self, step: AuditStep) {
        if !self.muted {
            self.steps.push(step);
        }
    }

    /// Records `name = formula` with `inputs`, yielding `value`.
    pub fn record(
        &mut self,
        name: impl Into<String>,
        formula: impl Into<String>,
        inputs: Vec<AuditValue>,
        value: AuditValue,
    ) {
        if self.muted {
            return;
        }
        self.steps.push(AuditStep {
            name: name.into(),
            formula: formula.into(),
            inputs,
            value,
            source: None,
        });
    }

    /// Like [`record`](Self::record), naming where inputs came from.
    pub fn record_sourced(
        &mut self,
        name: impl Into<String>,
        formula: impl Into<String>,
        inputs: Vec<AuditValue>,
        value: AuditValue,
        source: impl Into<String>,
    ) {
        if self.muted {
            return;
        }
        self.steps.push(AuditStep {
            name: name.into(),
            formula: formula.into(),
            inputs,
            value,
            source: Some(source.into()),
        });
    }

    /// Appends another trail, prefixing its step names (`prefix.name`).
    pub fn extend_prefixed(&mut self, prefix: &str, other: AuditTrail) {
        if self.muted {
            return;
        }
        for mut s in other.steps {
            s.name = format!("{prefix}.{}", s.name);
            self.steps.push(s);
        }
    }

    /// Finds the first step with this name.
    pub fn find(&self, name: &str) -> Option<&AuditStep> {
        self.steps.iter().find(|s| s.name == name)
    }

    /// Number of steps.
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    /// True when no step was recorded.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }
}
