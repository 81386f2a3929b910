//! The valuation of a portfolio's rows: cases read in parallel, the market approach for every
//! row in one pass, then per row (in parallel) income and cost, reconciliation, the Monte Carlo
//! downside with the row's own seed, the value lent on and the pledge value.

use super::rows::{row_case, shown, ColumnPath};
use super::{duplicate_ids, PortfolioContext, PortfolioOptions, PortfolioTable};
use crate::audit::{AuditTrail, AuditValue};
use crate::case::Case;
use crate::data::schema::Reject;
use crate::error::{Error, MoneyContext, Result};
use crate::evaluate;
use crate::finance::{self as fin, DownsideValue};
use crate::money::{round_half_away, Money};
use crate::subject::IpKind;
use crate::valuation::market::{self, MarketRun, SubjectSpec};
use crate::valuation::uncertainty::{SimSettings, DEFAULT_CHUNK_SIZE};
use crate::valuation::{cost, income, reconcile, Approach, Valuation};
use polars::prelude::*;
use rayon::prelude::*;
use rust_decimal::Decimal;
use serde::Serialize;
use std::sync::atomic::{AtomicU64, Ordering};

/// A Monte Carlo request for every row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimRequest {
    /// Paths per row.
    pub samples: u64,
    /// The run seed (each row's seed is [`row_seed`] of it).
    pub seed: u64,
    /// Paths per chunk (default `uncertainty::DEFAULT_CHUNK_SIZE`).
    pub chunk_size: Option<u64>,
}

/// A row's seed: SplitMix64 of the run seed XOR the FNV-1a hash of the row's `subject.id` —
/// the same for a subject whatever its row, partition or thread.
pub fn row_seed(run_seed: u64, id: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    let mut z = (run_seed ^ h).wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The Monte Carlo figures of a row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowSimulation {
    /// The row's seed.
    pub seed: u64,
    /// P5 of the simulated value.
    pub p5: Money,
    /// Median.
    pub p50: Money,
    /// P95.
    pub p95: Money,
    /// The downside at the pledge quantile.
    pub downside: Money,
    /// Its label (`P10`).
    pub downside_label: String,
}

/// One valued row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowResult {
    /// Data-row number in the table (1-based).
    pub row: u64,
    /// `subject.id`.
    pub id: String,
    /// `subject.name`.
    pub name: String,
    /// IP kind.
    pub kind: IpKind,
    /// GB/T 4754 code.
    pub industry: String,
    /// Province (English name, as `subject::normalize_region`).
    pub region: String,
    /// Income-approach value.
    pub income: Option<Money>,
    /// Cost-approach value.
    pub cost: Option<Money>,
    /// Market-approach value.
    pub market: Option<Money>,
    /// Comparables the market value rests on.
    pub market_comparables: Option<u32>,
    /// Selection level the market approach reached (0 = all filters).
    pub market_level: Option<u32>,
    /// The concluded value: reconciled when several approaches ran, else the one value.
    pub value: Money,
    /// `reconciled (income 0.5 + …)` or the one approach.
    pub value_method: String,
    /// True when the approaches disagree beyond the reconciliation's factor.
    pub approaches_disagree: bool,
    /// True when the market value rests on fewer comparables than the minimum.
    pub market_low_confidence: bool,
    /// True when the market approach ran on synthetic deals.
    pub synthetic_data: bool,
    /// The Monte Carlo figures, when simulated.
    pub simulation: Option<RowSimulation>,
    /// The value lent on (`finance::lending_value`), when it could be set.
    pub lending_value: Option<Money>,
    /// The rulebook's pledge rate for the kind (`None`: the kind is not accepted).
    pub pledge_rate: Option<Decimal>,
    /// Pledge rate × value lent on, rounded to the fen (0 when not accepted).
    pub pledge_value: Money,
    /// The row's score (`scoring.*` columns), when it has ratings.
    pub score: Option<RowScore>,
    /// Notes and warnings of the row.
    pub warnings: Vec<String>,
}

/// A row's score card in brief (the portfolio's score columns).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowScore {
    /// Tree id.
    pub model: String,
    /// Scenario id.
    pub scenario: String,
    /// Total 0–100 (None below the coverage floor).
    pub total: Option<Decimal>,
    /// Grade (None below the coverage floor).
    pub grade: Option<crate::scoring::Grade>,
    /// Share of the weight rated.
    pub coverage: Decimal,
    /// Veto ids that applied (empty: none).
    pub vetoes: Vec<String>,
    /// Gate outcome, for a tree with a gate.
    pub gate: Option<crate::scoring::GateOutcome>,
    /// (dimension id, score 0–100) in the tree's order.
    pub dimensions: Vec<(String, Option<Decimal>)>,
}

impl RowScore {
    /// The brief of a case's score card.
    pub fn of(c: &crate::scoring::ScoreCard) -> RowScore {
        RowScore {
            model: c.model.clone(),
            scenario: c.scenario.clone(),
            total: c.total,
            grade: c.grade,
            coverage: c.coverage,
            vetoes: c.vetoes.iter().map(|v| v.id.clone()).collect(),
            gate: c.gate.as_ref().map(|g| g.outcome),
            dimensions: c
                .dimensions
                .iter()
                .map(|d| (d.id.clone(), d.score))
                .collect(),
        }
    }
}

/// A string column's values (rechunked once).
fn text_columns(frame: &DataFrame) -> Result<Vec<StringChunked>> {
    frame
        .columns()
        .iter()
        .map(|c| {
            c.as_materialized_series()
                .str()
                .map(|s| s.rechunk().into_owned())
                .map_err(|e| Error::Internal(format!("portfolio table: {e}")))
        })
        .collect()
}

/// Reads every row of the table as a case (in parallel; table order kept); later rows with the
/// `subject.id` of an earlier row are rejected.
pub(super) fn read_cases(
    table: &PortfolioTable,
    template: &toml::Table,
    cols: &[ColumnPath],
    ctx: &PortfolioContext,
) -> Vec<std::result::Result<Case, Reject>> {
    let text = match text_columns(&table.frame) {
        Ok(t) => t,
        Err(e) => {
            return table
                .row_numbers
                .iter()
                .map(|r| {
                    Err(Reject {
                        file: table.label.clone(),
                        row: *r,
                        column: String::new(),
                        value: String::new(),
                        reason: e.to_string(),
                    })
                })
                .collect()
        }
    };
    let mut out: Vec<std::result::Result<Case, Reject>> = (0..table.len())
        .into_par_iter()
        .map(|i| {
            let cells: Vec<Option<&str>> = text.iter().map(|c| c.get(i)).collect();
            row_case(
                template,
                cols,
                &cells,
                ctx.models,
                &table.label,
                table.row_numbers[i],
            )
        })
        .collect();
    let ids = out
        .iter()
        .enumerate()
        .filter_map(|(i, c)| c.as_ref().ok().map(|c| (i, c.subject.id.as_str())));
    let dup = duplicate_ids(ids);
    for (i, first) in dup {
        if let Ok(c) = &out[i] {
            let r = Reject {
                file: table.label.clone(),
                row: table.row_numbers[i],
                column: "subject.id".into(),
                value: shown(&c.subject.id),
                reason: format!(
                    "duplicate subject.id: row {} has the same id (ids name rows and seed their simulations)",
                    table.row_numbers[first as usize]
                ),
            };
            out[i] = Err(r);
        }
    }
    out
}

/// The approaches to run on a case: those asked for that it has assumptions for.
fn approaches_of(case: &Case, opts: &PortfolioOptions) -> Vec<Approach> {
    let av = case.approaches();
    match &opts.approaches {
        Some(req) => req.iter().filter(|a| av.contains(a)).copied().collect(),
        None => av,
    }
}

/// The market figures of subject `j` of a run, by column.
struct MarketColumns {
    level: Vec<Option<u32>>,
    n_selected: Vec<Option<u32>>,
    n_used: Vec<Option<u32>>,
    median: Vec<Option<f64>>,
}

fn market_columns(run: &MarketRun) -> Result<MarketColumns> {
    let s = &run.summary;
    let u = |n: &str| -> Result<Vec<Option<u32>>> {
        Ok(s.column(n)
            .and_then(|c| c.cast(&DataType::UInt32))
            .map_err(|e| Error::Internal(format!("market summary: {e}")))?
            .u32()
            .map_err(|e| Error::Internal(format!("market summary: {e}")))?
            .iter()
            .collect())
    };
    Ok(MarketColumns {
        level: u("level")?,
        n_selected: u("n_selected")?,
        n_used: u("n_used")?,
        median: s
            .column("median")
            .map_err(|e| Error::Internal(format!("market summary: {e}")))?
            .f64()
            .map_err(|e| Error::Internal(format!("market summary: {e}")))?
            .iter()
            .collect(),
    })
}

/// The market valuation of subject `j` of the batch (the median of its adjusted comparables),
/// with the rules of `market::evaluate`: no comparable, or too few without
/// `allow_low_confidence`, is an error.
fn market_valuation(
    m: &MarketColumns,
    j: usize,
    case: &Case,
    ctx: &PortfolioContext,
) -> Result<(Valuation, u32, u32, bool)> {
    let model = &ctx.models.market;
    let min_n = model.selection.min_comparables;
    let selected = m.n_selected[j].unwrap_or(0);
    let used = m.n_used[j].unwrap_or(0);
    let level = m.level[j].unwrap_or(0);
    if selected == 0 {
        return Err(Error::Unsupported(format!(
            "market approach: no comparable deal of kind {} even after relaxing every filter",
            case.subject.kind.as_str()
        )));
    }
    let allow = case.market.as_ref().is_some_and(|a| a.allow_low_confidence);
    let low = used < min_n;
    if low && (!allow || used == 0) {
        return Err(Error::Unsupported(format!(
            "market approach: only {used} comparables left after relaxing every filter and trimming (at least {min_n} are needed)"
        )));
    }
    let median = m.median[j].unwrap_or(f64::NAN);
    let v = Money::from_f64_boundary(median).ctx("market value (median of adjusted prices)")?;
    let mut tr = AuditTrail::new();
    tr.record(
        "median",
        "V = median of P_adj used (market::value_many, one pass for the portfolio)",
        vec![
            AuditValue::number("level", Decimal::from(level)),
            AuditValue::number("selected", Decimal::from(selected)),
            AuditValue::number("used", Decimal::from(used)),
        ],
        AuditValue::money("V", v),
    );
    let mut warnings = Vec::new();
    if low {
        warnings.push(format!(
            "LOW CONFIDENCE: the market value rests on {used} comparables (fewer than {min_n})"
        ));
    }
    Ok((
        Valuation {
            approach: Approach::Market,
            method: "comparables_median".into(),
            value: v,
            periods: Vec::new(),
            audit: tr,
            warnings,
        },
        used,
        level,
        low,
    ))
}

/// Values the read rows; returns the valued rows and the rejects, both in table order.
pub(super) fn value_rows(
    table: &PortfolioTable,
    cases: Vec<std::result::Result<Case, Reject>>,
    opts: &PortfolioOptions,
    ctx: &PortfolioContext,
) -> Result<(Vec<RowResult>, Vec<Reject>)> {
    // The market approach: every row that runs it, in one pass.
    let mut market_ix = vec![None; cases.len()];
    let mut specs = Vec::new();
    for (i, c) in cases.iter().enumerate() {
        if let Ok(case) = c {
            if approaches_of(case, opts).contains(&Approach::Market) {
                if let Some(a) = &case.market {
                    market_ix[i] = Some(specs.len());
                    specs.push(SubjectSpec::from_case(a, &case.subject, &ctx.models.market));
                }
            }
        }
    }
    let market = match (ctx.deals, specs.is_empty()) {
        (Some(d), false) => Some(market_columns(&market::value_many(
            d,
            &ctx.models.market,
            &specs,
            market::PairColumns::Summary,
        )?)?),
        _ => None,
    };
    let done = AtomicU64::new(0);
    let results: Vec<std::result::Result<RowResult, Reject>> = cases
        .into_par_iter()
        .enumerate()
        .map(|(i, c)| {
            let out = c.and_then(|case| {
                value_one(&case, market_ix[i].zip(market.as_ref()), opts, ctx)
                    .map(|mut r| {
                        r.row = table.row_numbers[i];
                        r
                    })
                    .map_err(|e| {
                        let (column, value, reason) = match e {
                            Error::Field(fe) => (fe.path, fe.value, fe.problem),
                            other => (String::new(), String::new(), other.to_string()),
                        };
                        Reject {
                            file: table.label.clone(),
                            row: table.row_numbers[i],
                            column,
                            value: shown(&value),
                            reason,
                        }
                    })
            });
            if let Some(p) = ctx.progress {
                p(done.fetch_add(1, Ordering::Relaxed) + 1);
            }
            out
        })
        .collect();
    let mut rows = Vec::new();
    let mut rejects = Vec::new();
    for r in results {
        match r {
            Ok(x) => rows.push(x),
            Err(x) => rejects.push(x),
        }
    }
    Ok((rows, rejects))
}

/// Values one row's case.
fn value_one(
    case: &Case,
    market: Option<(usize, &MarketColumns)>,
    opts: &PortfolioOptions,
    ctx: &PortfolioContext,
) -> Result<RowResult> {
    let which = approaches_of(case, opts);
    if which.is_empty() {
        return Err(Error::Unsupported(match &opts.approaches {
            Some(req) => format!(
                "the row has assumptions for none of the approaches asked for ({})",
                req.iter()
                    .map(|a| a.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            None => "the row has no [income], [cost] or [market] assumptions".into(),
        }));
    }
    let s = &case.subject;
    let mut vals = Vec::new();
    let mut warnings = Vec::new();
    let (mut m_used, mut m_level, mut low) = (None, None, false);
    for a in &which {
        let v = match a {
            Approach::Income => case
                .income
                .as_ref()
                .map(|inc| income::value_figures(inc, s, ctx.models))
                .transpose()?,
            Approach::Cost => case
                .cost
                .as_ref()
                .map(|c| cost::value_figures(c, s, ctx.models))
                .transpose()?,
            Approach::Market => {
                let Some((j, m)) = market else {
                    return Err(Error::Unsupported(
                        "the market approach needs a deal history (--deals)".into(),
                    ));
                };
                match market_valuation(m, j, case, ctx) {
                    Ok((v, used, level, l)) => {
                        m_used = Some(used);
                        m_level = Some(level);
                        low = l;
                        Some(v)
                    }
                    // Not asked for by name and other approaches ran: the row is valued without
                    // it, and says so.
                    Err(Error::Unsupported(why))
                        if opts.approaches.is_none() && which.len() > 1 =>
                    {
                        warnings.push(format!("market approach not used: {why}"));
                        None
                    }
                    Err(e) => return Err(e),
                }
            }
        };
        if let Some(v) = v {
            warnings.extend(
                v.warnings
                    .iter()
                    .map(|w| format!("{}: {w}", v.approach.as_str())),
            );
            vals.push(v);
        }
    }
    let rec = if vals.len() >= 2 {
        Some(reconcile::reconcile_figures(
            &vals,
            case.purpose,
            case.reconcile.as_ref(),
            &ctx.models.reconcile,
        )?)
    } else {
        None
    };
    let by = |a: Approach| vals.iter().find(|v| v.approach == a).map(|v| v.value);
    let (value, value_method) = match &rec {
        Some(r) => (
            r.concluded_value.round_fen(),
            format!(
                "reconciled ({})",
                r.approaches
                    .iter()
                    .map(|w| format!(
                        "{} {}",
                        w.approach.as_str(),
                        round_half_away(w.weight, 4).normalize()
                    ))
                    .collect::<Vec<_>>()
                    .join(" + ")
            ),
        ),
        None => (
            vals[0].value.round_fen(),
            vals[0].approach.as_str().to_string(),
        ),
    };
    // Monte Carlo downside, seeded by the row's id.
    let (q, q_source) = fin::pledge_quantile(ctx.rulebook.pledge.quantile.map(|d| d.0), None);
    let mut simulation = None;
    let mut downside = None;
    if let Some(req) = &opts.simulate {
        let ran: Vec<Approach> = vals.iter().map(|v| v.approach).collect();
        let compiled = evaluate::compile(case, ctx.models, &ran)?;
        if rec.is_none() && compiled.models.is_empty() {
            warnings
                .push("not simulated: the market approach alone has no model of its inputs".into());
        } else {
            let settings = SimSettings {
                samples: req.samples,
                seed: row_seed(req.seed, &s.id),
                chunk_size: req.chunk_size.unwrap_or(DEFAULT_CHUNK_SIZE),
                pledge_quantile: q,
                ..SimSettings::default()
            };
            let sim = compiled.simulate_value(rec.as_ref(), &settings, "portfolio downside")?;
            let m = &sim.dist.money;
            downside = Some(DownsideValue {
                value: m.pledge_value,
                quantile: m.pledge_quantile,
                label: sim.dist.stats.pledge.label.clone(),
                quantile_source: q_source.clone(),
                reason: "techval portfolio --simulate".into(),
                of: sim.of.clone(),
                samples: sim.dist.samples,
                seed: sim.dist.seed,
                chunk_size: sim.dist.chunk_size,
                mean: m.mean,
                p5: m.p5,
                p50: m.p50,
                p95: m.p95,
            });
            simulation = Some(RowSimulation {
                seed: settings.seed,
                p5: m.p5,
                p50: m.p50,
                p95: m.p95,
                downside: m.pledge_value,
                downside_label: sim.dist.stats.pledge.label.clone(),
            });
        }
    }
    let lv = match fin::lending_value(
        &vals,
        rec.as_ref(),
        ctx.rulebook.pledge.basis,
        simulation.is_some(),
        downside.as_ref(),
    ) {
        Ok(lv) => Some(lv.value),
        Err(e) => {
            warnings.push(format!("no value lent on: {e}"));
            None
        }
    };
    let grade = case.scored.as_ref().and_then(|x| x.grade());
    let rate = ctx
        .rulebook
        .pledge_rate_graded(s.kind, grade)
        .map(|(r, _)| r);
    let pledge_value = match (rate, lv) {
        (Some(r), Some(v)) => Money::new(round_half_away(v.amount() * r, 2)),
        _ => Money::ZERO,
    };
    if rate.is_none() {
        warnings.push(format!(
            "the rulebook does not accept {} as collateral (pledge value 0)",
            s.kind.as_str()
        ));
    }
    Ok(RowResult {
        row: 0,
        id: s.id.clone(),
        name: s.name.clone(),
        kind: s.kind,
        industry: s.industry.clone(),
        region: s.region_en().to_string(),
        income: by(Approach::Income),
        cost: by(Approach::Cost),
        market: by(Approach::Market),
        market_comparables: m_used,
        market_level: m_level,
        value,
        value_method,
        approaches_disagree: rec.as_ref().is_some_and(|r| r.disagree),
        market_low_confidence: low,
        synthetic_data: m_used.is_some() && ctx.deals.is_some_and(|d| d.synthetic),
        simulation,
        lending_value: lv,
        pledge_rate: rate,
        pledge_value,
        score: case.scored.as_ref().map(|x| RowScore::of(&x.card)),
        warnings,
    })
}
