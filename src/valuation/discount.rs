//! Discount rates (given, build-up 风险累加法, CAPM) and discount factors (end-year, mid-year).
//!
//! * Given: r as stated in `income.discount.rate`.
//! * Build-up: r = Rf + R_technology + R_market + R_capital + R_management.
//! * CAPM: r = Rf + β·ERP + size premium + specific premium.
//!
//! A component the case leaves out takes its default from `models/discount.toml`
//! ([`crate::models::DiscountModel`]): the risk-free rate of the valuation year (or the latest
//! earlier year), the middle of each build-up premium's range, the CAPM defaults. Every component
//! becomes one audit step naming where it came from.
//!
//! Discount times: period t (1-based) of a full year is discounted over t years (end-year) or
//! t − ½ (mid-year). A partial last period of length f after k full years is discounted over
//! k + f (end-year: its cash arrives at the end of the partial period) or k + f/2 (mid-year:
//! the middle of the partial period). The discount factor is v^t with v = 1/(1 + r); the
//! annuity factor AF(r, N) = Σ_{t=1..N} v^t (end-year) or Σ v^(t−½) (mid-year).

use crate::audit::{AuditTrail, AuditValue};
use crate::error::{Error, Result};
use crate::models::ModelBook;
use crate::param::Param;
use crate::subject::Subject;
use rust_decimal::{Decimal, MathematicalOps};
use serde::{Deserialize, Serialize};

/// Discounting convention.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Convention {
    /// Cash flows at the end of each year (t = 1, 2, …).
    #[default]
    EndYear,
    /// Cash flows in the middle of each year (t = 0.5, 1.5, …).
    MidYear,
}

/// How the discount rate is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DiscountMethod {
    /// `rate` as given.
    Given,
    /// 风险累加法: r = Rf + technology + market + capital + management.
    BuildUp,
    /// r = Rf + β·ERP + size + specific.
    Capm,
}

/// `[income.discount]`. Components left out take their defaults from `models/discount.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiscountSpec {
    /// How the rate is set.
    pub method: DiscountMethod,
    /// Components filled from the case's score (`Case::prepare`), with how: component name →
    /// derivation (not part of the file).
    #[serde(skip)]
    pub derived: std::collections::BTreeMap<String, String>,
    /// The rate (method = given).
    #[serde(default)]
    pub rate: Option<Param>,
    /// Risk-free rate (build_up, capm); default by valuation year from the models.
    #[serde(default)]
    pub risk_free: Option<Param>,
    /// Technology risk premium (build_up).
    #[serde(default)]
    pub technology: Option<Param>,
    /// Market risk premium (build_up).
    #[serde(default)]
    pub market: Option<Param>,
    /// Capital / financial risk premium (build_up).
    #[serde(default)]
    pub capital: Option<Param>,
    /// Management risk premium (build_up).
    #[serde(default)]
    pub management: Option<Param>,
    /// Beta (capm).
    #[serde(default)]
    pub beta: Option<Param>,
    /// Equity risk premium (capm).
    #[serde(default)]
    pub erp: Option<Param>,
    /// Size premium (capm).
    #[serde(default)]
    pub size: Option<Param>,
    /// Company-specific premium (capm).
    #[serde(default)]
    pub specific: Option<Param>,
}

/// One component of the discount rate, resolved: from the case or from the model book.
#[derive(Debug, Clone, PartialEq)]
pub struct RateComponent {
    /// Symbol in formulas (`Rf`, `R_technology`, `β`, `ERP`, …).
    pub symbol: &'static str,
    /// Case field path (`income.discount.technology`), also used when the default was taken.
    pub path: String,
    /// The assumption (a fixed default when taken from the models).
    pub param: Param,
    /// Where it came from: `case` or the model file and its citation.
    pub source: String,
    /// True when the value came from `models/discount.toml`.
    pub from_models: bool,
}

/// The discount rate of a case: its method and resolved components, in a fixed order
/// (given: `rate`; build-up: Rf, technology, market, capital, management; CAPM: Rf, β, ERP,
/// size, specific).
#[derive(Debug, Clone, PartialEq)]
pub struct DiscountPlan {
    /// How the components combine.
    pub method: DiscountMethod,
    /// The components.
    pub components: Vec<RateComponent>,
}

fn pct(lo: i64, hi: i64) -> (Option<Decimal>, Option<Decimal>) {
    (Some(Decimal::new(lo, 2)), Some(Decimal::new(hi, 2)))
}

/// Field names of each method: (name, symbol, range low %, range high %, what is allowed).
fn fields(
    method: DiscountMethod,
) -> &'static [(&'static str, &'static str, i64, i64, &'static str)] {
    match method {
        DiscountMethod::Given => &[(
            "rate",
            "r",
            0,
            100,
            "must be a discount rate above 0 and at most 1 (100%)",
        )],
        DiscountMethod::BuildUp => &[
            (
                "risk_free",
                "Rf",
                0,
                20,
                "must be a risk-free rate from 0 to 0.20",
            ),
            (
                "technology",
                "R_technology",
                0,
                30,
                "must be a premium from 0 to 0.30",
            ),
            (
                "market",
                "R_market",
                0,
                30,
                "must be a premium from 0 to 0.30",
            ),
            (
                "capital",
                "R_capital",
                0,
                30,
                "must be a premium from 0 to 0.30",
            ),
            (
                "management",
                "R_management",
                0,
                30,
                "must be a premium from 0 to 0.30",
            ),
        ],
        DiscountMethod::Capm => &[
            (
                "risk_free",
                "Rf",
                0,
                20,
                "must be a risk-free rate from 0 to 0.20",
            ),
            ("beta", "β", 0, 500, "must be a beta from 0 to 5"),
            (
                "erp",
                "ERP",
                0,
                30,
                "must be an equity risk premium from 0 to 0.30",
            ),
            (
                "size",
                "size",
                -10,
                30,
                "must be a premium from -0.10 to 0.30",
            ),
            (
                "specific",
                "specific",
                -10,
                30,
                "must be a premium from -0.10 to 0.30",
            ),
        ],
    }
}

fn spec_field<'a>(s: &'a DiscountSpec, name: &str) -> Option<&'a Param> {
    match name {
        "rate" => s.rate.as_ref(),
        "risk_free" => s.risk_free.as_ref(),
        "technology" => s.technology.as_ref(),
        "market" => s.market.as_ref(),
        "capital" => s.capital.as_ref(),
        "management" => s.management.as_ref(),
        "beta" => s.beta.as_ref(),
        "erp" => s.erp.as_ref(),
        "size" => s.size.as_ref(),
        "specific" => s.specific.as_ref(),
        _ => None,
    }
}

const ALL_FIELDS: [&str; 10] = [
    "rate",
    "risk_free",
    "technology",
    "market",
    "capital",
    "management",
    "beta",
    "erp",
    "size",
    "specific",
];

fn method_name(m: DiscountMethod) -> &'static str {
    match m {
        DiscountMethod::Given => "given",
        DiscountMethod::BuildUp => "build_up",
        DiscountMethod::Capm => "capm",
    }
}

impl DiscountPlan {
    /// Checks the components present (ranges, fields that belong to the method) and fills the
    /// missing ones from the model book. `income.discount.rate` is required for `given`.
    pub fn resolve(spec: &DiscountSpec, subject: &Subject, models: &ModelBook) -> Result<Self> {
        let m = spec.method;
        let own = fields(m);
        for f in ALL_FIELDS {
            if let Some(p) = spec_field(spec, f) {
                if !own.iter().any(|o| o.0 == f) {
                    let users: Vec<&str> = [
                        DiscountMethod::Given,
                        DiscountMethod::BuildUp,
                        DiscountMethod::Capm,
                    ]
                    .into_iter()
                    .filter(|mm| fields(*mm).iter().any(|o| o.0 == f))
                    .map(method_name)
                    .collect();
                    return Err(Error::field(
                        format!("income.discount.{f}"),
                        p.shown(),
                        format!(
                            "is only used when income.discount.method = {} (here it is {})",
                            users.join(" or "),
                            method_name(m)
                        ),
                    ));
                }
            }
        }
        let dm = &models.discount;
        let mut components = Vec::new();
        for (name, symbol, lo, hi, allowed) in own {
            let path = format!("income.discount.{name}");
            let (lo_d, hi_d) = pct(*lo, *hi);
            let (param, source, from_models) = match spec_field(spec, name) {
                Some(p) => {
                    p.check_range(&path, lo_d, hi_d, allowed)?;
                    let source = spec
                        .derived
                        .get(*name)
                        .cloned()
                        .unwrap_or_else(|| "case".to_string());
                    (p.clone(), source, false)
                }
                None => {
                    let (d, src) = match *name {
                        "rate" => {
                            return Err(Error::field(
                                path,
                                "",
                                "is required when income.discount.method = given",
                            ))
                        }
                        "risk_free" => {
                            let (rf, year) =
                                dm.risk_free_for(subject.valuation_date).ok_or_else(|| {
                                    Error::field(
                                        path.clone(),
                                        "",
                                        "is required: models/discount.toml has no risk_free.by_year rows",
                                    )
                                })?;
                            (
                                rf,
                                format!(
                                    "models/discount.toml risk_free.by_year.{year} ({})",
                                    dm.risk_free.source
                                ),
                            )
                        }
                        "technology" => (
                            dm.build_up.technology.default,
                            format!(
                                "models/discount.toml build_up.technology default ({})",
                                dm.build_up.source
                            ),
                        ),
                        "market" => (
                            dm.build_up.market.default,
                            format!(
                                "models/discount.toml build_up.market default ({})",
                                dm.build_up.source
                            ),
                        ),
                        "capital" => (
                            dm.build_up.capital.default,
                            format!(
                                "models/discount.toml build_up.capital default ({})",
                                dm.build_up.source
                            ),
                        ),
                        "management" => (
                            dm.build_up.management.default,
                            format!(
                                "models/discount.toml build_up.management default ({})",
                                dm.build_up.source
                            ),
                        ),
                        "beta" => (
                            dm.capm.beta,
                            format!("models/discount.toml capm.beta ({})", dm.capm.source),
                        ),
                        "erp" => (
                            dm.capm.equity_risk_premium,
                            format!(
                                "models/discount.toml capm.equity_risk_premium ({})",
                                dm.capm.source
                            ),
                        ),
                        "size" => (
                            dm.capm.size_premium,
                            format!(
                                "models/discount.toml capm.size_premium ({})",
                                dm.capm.source
                            ),
                        ),
                        _ => (
                            dm.capm.specific_premium,
                            format!(
                                "models/discount.toml capm.specific_premium ({})",
                                dm.capm.source
                            ),
                        ),
                    };
                    let p = Param::fixed(d);
                    // A user's edited model book is checked like the case.
                    p.check_range(&path, lo_d, hi_d, allowed).map_err(|e| {
                        Error::field(
                            path.clone(),
                            d,
                            format!("(default from {src}) {}", strip_path(&e)),
                        )
                    })?;
                    (p, src, true)
                }
            };
            components.push(RateComponent {
                symbol,
                path,
                param,
                source,
                from_models,
            });
        }
        let plan = DiscountPlan {
            method: m,
            components,
        };
        let r = plan.rate(&plan.points());
        if m == DiscountMethod::Given && r <= Decimal::ZERO {
            return Err(Error::field(
                "income.discount.rate",
                r.normalize(),
                "must be a discount rate above 0 and at most 1 (100%)",
            ));
        }
        if r <= Decimal::ZERO || r > Decimal::ONE {
            return Err(Error::field(
                "income.discount",
                format!("{} ({})", r.normalize(), method_name(m)),
                "the resulting discount rate must be above 0 and at most 1 (100%)",
            ));
        }
        Ok(plan)
    }

    /// Point values of the components, in order.
    pub fn points(&self) -> Vec<Decimal> {
        self.components.iter().map(|c| c.param.point).collect()
    }

    /// Combines component values (in order) into the rate.
    pub fn rate(&self, x: &[Decimal]) -> Decimal {
        let g = |i: usize| x.get(i).copied().unwrap_or(Decimal::ZERO);
        match self.method {
            DiscountMethod::Given => g(0),
            DiscountMethod::BuildUp => g(0) + g(1) + g(2) + g(3) + g(4),
            DiscountMethod::Capm => g(0) + g(1) * g(2) + g(3) + g(4),
        }
    }

    /// The formula of the method.
    pub fn formula(&self) -> &'static str {
        match self.method {
            DiscountMethod::Given => "r as given",
            DiscountMethod::BuildUp => {
                "r = Rf + R_technology + R_market + R_capital + R_management   (风险累加法)"
            }
            DiscountMethod::Capm => "r = Rf + β·ERP + size + specific   (CAPM)",
        }
    }

    /// Records one step per component (with its source) and the rate; returns the rate.
    pub fn audit(&self, tr: &mut AuditTrail) -> Decimal {
        let x = self.points();
        if !tr.is_on() {
            return self.rate(&x);
        }
        let mut inputs = Vec::new();
        for c in &self.components {
            let v = if c.symbol == "β" {
                AuditValue::number(c.symbol, c.param.point)
            } else {
                AuditValue::rate_dec(c.symbol, c.param.point)
            };
            if self.method != DiscountMethod::Given {
                crate::audit::record_sourced!(
                    tr,
                    format!("discount.{}", c.path.trim_start_matches("income.discount.")),
                    format!(
                        "{} from {}",
                        c.symbol,
                        if c.from_models {
                            "the model book"
                        } else if c.source != "case" {
                            "the score"
                        } else {
                            "the case"
                        }
                    ),
                    vec![],
                    v.clone(),
                    if c.from_models || c.source != "case" {
                        c.source.clone()
                    } else {
                        format!("case: {}", c.path)
                    },
                );
            }
            inputs.push(v);
        }
        let r = self.rate(&x);
        let step_src = if self.method == DiscountMethod::Given {
            "case: income.discount.rate".to_string()
        } else {
            format!(
                "components: {}",
                self.components
                    .iter()
                    .map(|c| c.symbol)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        crate::audit::record_sourced!(
            tr,
            "discount_rate",
            self.formula(),
            inputs,
            AuditValue::rate_dec("r", r),
            step_src,
        );
        r
    }
}

/// The problem text of a field error without its `path = value: ` prefix.
fn strip_path(e: &Error) -> String {
    match e {
        Error::Field(fe) => fe.problem.clone(),
        other => other.to_string(),
    }
}

/// The discount time of period `period` (1-based) of length `fraction` (1 for a full year; the
/// last period may be shorter): end-year `period − 1 + fraction`, mid-year
/// `period − 1 + fraction/2`.
pub fn discount_time(period: u32, fraction: Decimal, convention: Convention) -> Decimal {
    let before = Decimal::from(period.saturating_sub(1));
    match convention {
        Convention::EndYear => before + fraction,
        Convention::MidYear => before + fraction / Decimal::TWO,
    }
}

/// The discount factor of [`crate::tvm::discount_factor`] (one function for every module).
pub use crate::tvm::discount_factor;

/// The annuity factor AF(r, N) = Σ_{t=1..N} v^t (end-year) or Σ v^(t−½) = (1 + r)^½·AF
/// (mid-year): [`crate::tvm::annuity_factor`] under the convention.
pub fn annuity_factor(r: Decimal, n: u32, convention: Convention) -> Result<Decimal> {
    let end = crate::tvm::annuity_factor(r, n)?;
    match convention {
        Convention::EndYear => Ok(end),
        Convention::MidYear => {
            let root = (Decimal::ONE + r)
                .sqrt()
                .ok_or_else(|| Error::Internal(format!("sqrt(1 + {r}) failed")))?;
            Ok(end * root)
        }
    }
}

/// [`annuity_factor`] in `f64` ([`crate::tvm::annuity_factor_f64`] under the convention), for
/// the fast models.
pub fn annuity_factor_f64(r: f64, n: u32, convention: Convention) -> f64 {
    let end = crate::tvm::annuity_factor_f64(r, f64::from(n));
    match convention {
        Convention::EndYear => end,
        Convention::MidYear => end * (1.0 + r).sqrt(),
    }
}

/// Checks `[income.discount]`: components belong to the method and lie in range, `rate` is
/// present for `given`, and the resulting rate is in (0, 1].
pub fn validate(spec: &DiscountSpec, subject: &Subject, models: &ModelBook) -> Result<Decimal> {
    let plan = DiscountPlan::resolve(spec, subject, models)?;
    Ok(plan.rate(&plan.points()))
}

/// The rate of a plan in `f64` from the inputs `x[start..start + components]`.
pub fn rate_f64(method: DiscountMethod, x: &[f64]) -> f64 {
    rate_with(method, |i| x.get(i).copied().unwrap_or(0.0))
}

/// The rate of a plan in `f64` from its components `g(0)`, `g(1)`, … (0 past the last one).
#[inline]
pub fn rate_with(method: DiscountMethod, g: impl Fn(usize) -> f64) -> f64 {
    match method {
        DiscountMethod::Given => g(0),
        DiscountMethod::BuildUp => g(0) + g(1) + g(2) + g(3) + g(4),
        DiscountMethod::Capm => g(0) + g(1) * g(2) + g(3) + g(4),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::prelude::ToPrimitive;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn subject() -> Subject {
        toml::from_str(
            r#"id = "x"
name = "x"
kind = "invention_patent"
industry = "C39"
region = "广东"
filing_date = "2020-01-01"
valuation_date = "2025-06-30"
owner = "o""#,
        )
        .unwrap()
    }

    fn spec(t: &str) -> DiscountSpec {
        toml::from_str(t).unwrap()
    }

    #[test]
    fn build_up_fills_defaults_from_the_models_with_sources() {
        let m = ModelBook::builtin().unwrap();
        let p = DiscountPlan::resolve(
            &spec("method = \"build_up\"\ntechnology = 0.04"),
            &subject(),
            &m,
        )
        .unwrap();
        // Rf 2024 row = 1.68%, technology 4% (case), market 3%, capital 2%, management 2%.
        assert_eq!(p.rate(&p.points()), d("0.1268"));
        assert!(p.components[0].from_models);
        assert!(p.components[0].source.contains("by_year.2024"));
        assert!(!p.components[1].from_models);
        let mut tr = AuditTrail::new();
        assert_eq!(p.audit(&mut tr), d("0.1268"));
        assert_eq!(tr.len(), 6);
        assert!(tr
            .find("discount.risk_free")
            .unwrap()
            .source
            .as_ref()
            .unwrap()
            .contains("ChinaBond"));
    }

    #[test]
    fn capm_combines_beta_and_erp() {
        let m = ModelBook::builtin().unwrap();
        let p = DiscountPlan::resolve(
            &spec("method = \"capm\"\nrisk_free = 0.025\nbeta = 1.2\nerp = 0.06\nsize = 0.01\nspecific = 0.03"),
            &subject(),
            &m,
        )
        .unwrap();
        assert_eq!(p.rate(&p.points()), d("0.137"));
        assert!(
            (rate_f64(DiscountMethod::Capm, &[0.025, 1.2, 0.06, 0.01, 0.03]) - 0.137).abs() < 1e-15
        );
    }

    #[test]
    fn misplaced_and_missing_components_are_errors() {
        let m = ModelBook::builtin().unwrap();
        let e = DiscountPlan::resolve(&spec("method = \"given\""), &subject(), &m).unwrap_err();
        assert_eq!(
            e.to_string(),
            "income.discount.rate: is required when income.discount.method = given"
        );
        let e = DiscountPlan::resolve(&spec("method = \"build_up\"\nbeta = 1.1"), &subject(), &m)
            .unwrap_err();
        assert!(e.to_string().starts_with(
            "income.discount.beta = 1.1: is only used when income.discount.method = capm"
        ));
        let e = DiscountPlan::resolve(&spec("method = \"given\"\nrate = 0"), &subject(), &m)
            .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("income.discount.rate = 0: must be a discount rate above 0"),
            "{e}"
        );
    }

    #[test]
    fn factors_for_both_conventions_and_partial_years() {
        let r = d("0.12");
        // End-year t = 5.
        assert_eq!(
            crate::money::round_half_away(discount_factor(r, d("5")).unwrap(), 20),
            d("0.56742685571859939311")
        );
        // Mid-year t = 0.5: 1/sqrt(1.12) = 0.944911182523068...
        let f = discount_factor(r, discount_time(1, Decimal::ONE, Convention::MidYear)).unwrap();
        assert!((f - d("0.9449111825230680")).abs() < d("1e-15"));
        // A partial last period of 0.4 after 3 full years: end-year 3.4, mid-year 3.2.
        assert_eq!(discount_time(4, d("0.4"), Convention::EndYear), d("3.4"));
        assert_eq!(discount_time(4, d("0.4"), Convention::MidYear), d("3.2"));
        let f = discount_factor(r, d("3.4")).unwrap().to_f64().unwrap();
        assert!((f - 1.12f64.powf(-3.4)).abs() < 1e-14);
        assert_eq!(discount_factor(r, Decimal::ZERO).unwrap(), Decimal::ONE);
        // 100 years at 100 % (2^-100 ≈ 7.9e-31) underflows Decimal: 0, not an error.
        assert_eq!(
            discount_factor(Decimal::ONE, d("100")).unwrap(),
            Decimal::ZERO
        );
        assert_eq!(
            discount_factor(Decimal::ONE, d("96.5")).unwrap(),
            Decimal::ZERO
        );
        assert!(discount_factor(Decimal::ONE, d("90")).unwrap() > Decimal::ZERO);
    }

    #[test]
    fn annuity_factor_matches_the_closed_form() {
        // AF(12%, 5) = 3.604776202...
        let af = annuity_factor(d("0.12"), 5, Convention::EndYear).unwrap();
        assert!((af - d("3.6047762023")).abs() < d("1e-10"), "{af}");
        assert!((annuity_factor_f64(0.12, 5, Convention::EndYear) - 3.6047762023).abs() < 1e-9);
        let mid = annuity_factor(d("0.12"), 5, Convention::MidYear)
            .unwrap()
            .to_f64()
            .unwrap();
        assert!((mid - annuity_factor_f64(0.12, 5, Convention::MidYear)).abs() < 1e-12);
        assert_eq!(
            annuity_factor(d("0.1"), 0, Convention::EndYear).unwrap(),
            Decimal::ZERO
        );
        assert_eq!(annuity_factor_f64(0.0, 7, Convention::EndYear), 7.0);
    }
}
