//! 评 Evaluate: the income, cost and market approaches, uncertainty and reconciliation.
//!
//! Every method takes the subject and its assumptions (plus the model book or market data) and
//! returns a [`Valuation`]: the concluded value rounded to the fen, the method used, a table of
//! periods where the method has one, and the audit trail of every intermediate number.
//! Nothing here does I/O.

use crate::audit::AuditTrail;
use crate::money::Money;
use serde::{Deserialize, Serialize};

pub use crate::vocab::{Approach, Purpose};

/// One period of an income-approach table (all money unrounded, in 元).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeriodRow {
    /// Period number, 1-based.
    pub period: u32,
    /// Share of a full year in the period (1 except a partial last year).
    pub fraction: String,
    /// Discount time in years (end-year: t; mid-year: t − ½ of the period).
    pub t: String,
    /// The base stream (revenue, profit, or net cash flow) for the period, after `fraction`.
    pub base: Money,
    /// The split / royalty rate applied (1 where the stream is already attributable).
    pub rate: String,
    /// Amount attributable to the subject (before discounting).
    pub attributable: Money,
    /// Discount factor 1/(1+r)^t.
    pub discount_factor: String,
    /// Present value.
    pub pv: Money,
}

/// The result of one valuation method.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Valuation {
    /// The approach.
    pub approach: Approach,
    /// The method within the approach (`profit_split`, `relief_from_royalty`, `multiplier`, …).
    pub method: String,
    /// The concluded value, rounded to the fen (half away from zero).
    pub value: Money,
    /// The period table, where the method has one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub periods: Vec<PeriodRow>,
    /// Every intermediate number.
    pub audit: AuditTrail,
    /// Things the reader should know (e.g. an index held flat past its last year).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

pub mod backtest;
pub mod cost;
pub mod discount;
pub mod hedonic;
pub mod income;
pub mod market;
pub mod reconcile;
pub mod uncertainty;

/// One numeric input of a compiled model: its field path in the case and its assumption.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanInput {
    /// Field path, e.g. `income.discount.rate` or `income.revenue[2]`.
    pub path: String,
    /// The assumption (point value and optional distribution).
    pub param: crate::param::Param,
}

/// A valuation method compiled for fast repeated evaluation in `f64` (Monte Carlo, sensitivity).
///
/// `inputs()` lists every scalar numeric input (fixed ones too) in a fixed order; `eval(x)` returns
/// the value in 元, unrounded, with `x[i]` standing for `inputs()[i]`. With `x` = the point values,
/// `eval` agrees with the audited `rust_decimal` method to within a fen (tested per method).
/// Money crosses back from `f64` only through `Money::from_f64_boundary`.
pub trait Model: Sync {
    /// The inputs, in the order `eval` expects them.
    fn inputs(&self) -> &[PlanInput];
    /// The value for these input values.
    fn eval(&self, x: &[f64]) -> f64;
    /// Why these input values lie outside the method's domain — a combination the case itself
    /// would reject, such as a discount rate at or below the growth rate — or `None` when the
    /// method is defined there (the default). `eval` still returns a number outside the domain;
    /// sensitivity leaves such points out and Monte Carlo counts and reports them.
    fn domain_error(&self, _x: &[f64]) -> Option<String> {
        None
    }
    /// The value and whether these inputs lie outside the domain (`domain_error(x).is_some()`)
    /// in one call: Monte Carlo asks both on every path. The default calls the two; a model
    /// that shares work between them overrides it with the same answers.
    fn eval_checked(&self, x: &[f64]) -> (f64, bool) {
        (self.eval(x), self.domain_error(x).is_some())
    }
    /// The values and out-of-domain flags of a block of paths whose inputs are held in
    /// columns (Monte Carlo evaluates its paths a block at a time): `values[j]` and
    /// `outside[j]` are `eval_checked` of path `j`, bit for bit. The default gathers each
    /// path's inputs and calls `eval_checked`; a model whose arithmetic runs across the paths
    /// of a block (the income approach's period loop) overrides it.
    fn eval_block(&self, c: Columns<'_>, values: &mut [f64], outside: &mut [bool]) {
        let mut x = vec![0.0; c.inputs()];
        for (j, (v, o)) in values.iter_mut().zip(outside.iter_mut()).enumerate() {
            c.gather(j, &mut x);
            (*v, *o) = self.eval_checked(&x);
        }
    }
    /// The point values of the inputs.
    fn point(&self) -> Vec<f64> {
        use rust_decimal::prelude::ToPrimitive;
        self.inputs()
            .iter()
            .map(|i| i.param.point.to_f64().unwrap_or(f64::NAN))
            .collect()
    }
}

/// A block of Monte Carlo paths with their inputs in columns, owned (the sampler's buffer):
/// input `i` of path `j` is `col(i)[j]`. Constant inputs keep their value in every row of their
/// column; the sampler overwrites the columns of the random ones block after block. Models read
/// it through [`Columns`].
#[derive(Debug, Clone)]
pub struct ColumnBlock {
    width: usize,
    len: usize,
    data: Vec<f64>,
}

impl ColumnBlock {
    /// Columns of `width` paths, every path holding `base` (one value per input).
    pub fn new(base: &[f64], width: usize) -> ColumnBlock {
        let mut data = Vec::with_capacity(base.len() * width);
        for &b in base {
            data.extend(std::iter::repeat_n(b, width));
        }
        ColumnBlock {
            width,
            len: width,
            data,
        }
    }

    /// Uses the first `len` paths (clamped to the width).
    pub fn set_len(&mut self, len: usize) {
        self.len = len.min(self.width);
    }

    /// The paths in use.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when no path is in use.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Input `i` on the paths in use, to write.
    #[inline]
    pub fn col_mut(&mut self, i: usize) -> &mut [f64] {
        &mut self.data[i * self.width..i * self.width + self.len]
    }

    /// Sets input `i` of path `j`.
    #[inline]
    pub fn set(&mut self, i: usize, j: usize, v: f64) {
        self.data[i * self.width + j] = v;
    }

    /// The block as the models read it.
    pub fn view(&self) -> Columns<'_> {
        Columns {
            width: self.width,
            len: self.len,
            data: &self.data,
        }
    }
}

/// Paths with their inputs in columns, as a model reads them ([`Model::eval_block`]): input
/// `i` of path `j` is `col(i)[j]`. A view of a [`ColumnBlock`], or of a contiguous run of its
/// inputs ([`Columns::sub`]: the inputs of one part of a combined model).
#[derive(Debug, Clone, Copy)]
pub struct Columns<'a> {
    width: usize,
    len: usize,
    data: &'a [f64],
}

impl<'a> Columns<'a> {
    /// The number of inputs.
    pub fn inputs(&self) -> usize {
        self.data.len().checked_div(self.width).unwrap_or(0)
    }

    /// The paths in use.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when no path is in use.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Inputs `start .. start + count` as columns of their own (input 0 of the view is input
    /// `start` of this one).
    pub fn sub(&self, start: usize, count: usize) -> Columns<'a> {
        Columns {
            width: self.width,
            len: self.len,
            data: &self.data[start * self.width..(start + count) * self.width],
        }
    }

    /// Input `i` on the paths in use.
    #[inline]
    pub fn col(&self, i: usize) -> &'a [f64] {
        &self.data[i * self.width..i * self.width + self.len]
    }

    /// Input `i` of path `j`.
    #[inline]
    pub fn at(&self, i: usize, j: usize) -> f64 {
        self.data[i * self.width + j]
    }

    /// Path `j`'s inputs, into `x` (one value per input).
    pub fn gather(&self, j: usize, x: &mut [f64]) {
        for (i, xi) in x.iter_mut().enumerate() {
            *xi = self.data[i * self.width + j];
        }
    }
}
