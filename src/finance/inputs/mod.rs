//! The `[finance]` section of a case file: borrower figures, the loan request, the investment
//! round and the trade terms. Every part is optional; a stage whose inputs are missing says so
//! in its result instead of inventing numbers.
//!
//! ```toml
//! [finance.borrower]
//! revenue_last_year = "30000000"      # 上年度销售收入
//! profit_margin_last_year = "0.10"    # 上年度销售利润率
//! revenue_growth = "0.15"             # 预计销售收入年增长率
//! working_capital_turnover = "3"      # 营运资金周转次数 (or [finance.borrower.turnover_days])
//! own_funds = "4000000"               # 借款人自有资金
//! existing_wc_loans = "2000000"       # 现有流动资金贷款
//! other_funding = "0"                 # 其他渠道提供的营运资金
//! cfads = "4200000"                   # cash flow available for debt service, per year
//! pd = "0.03"                         # probability of default over the loan
//! [finance.loan]
//! amount = "3000000"
//! tenor_months = 12
//! method = "bullet"                   # annuity | equal_principal | bullet
//! ```

mod checks;
mod early;
mod invest;
mod lend;
mod trade;

use checks::*;
pub use early::*;
pub use invest::*;
pub use lend::*;
pub use trade::*;

use crate::error::{Error, Result};
use crate::money::de_decimal;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

fn de_opt_decimal<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<Decimal>, D::Error> {
    de_decimal(d).map(Some)
}

/// `[finance]`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FinanceInputs {
    /// Other IP pledged together with the subject.
    #[serde(default)]
    pub pledges: Vec<ExtraPledge>,
    /// The borrower's figures (DSCR and working-capital caps, PD).
    #[serde(default)]
    pub borrower: Option<Borrower>,
    /// The loan request.
    #[serde(default)]
    pub loan: LoanRequest,
    /// The investment round.
    #[serde(default)]
    pub invest: Option<InvestInputs>,
    /// The trade (transfer / licence) terms.
    #[serde(default)]
    pub trade: Option<TradeInputs>,
}

impl FinanceInputs {
    /// Checks values and their relations; errors name `finance.*` field paths.
    pub fn validate(&self) -> Result<()> {
        let (z, one) = (Decimal::ZERO, Decimal::ONE);
        for (i, p) in self.pledges.iter().enumerate() {
            check_money(&format!("finance.pledges[{i}].value"), p.value, false)?;
        }
        if let Some(b) = &self.borrower {
            let p = "finance.borrower";
            for (f, m) in [
                ("revenue_last_year", b.revenue_last_year),
                ("own_funds", b.own_funds),
                ("existing_wc_loans", b.existing_wc_loans),
                ("other_funding", b.other_funding),
                ("cfads", b.cfads),
            ] {
                if let Some(m) = m {
                    check_money(&format!("{p}.{f}"), m, false)?;
                }
            }
            if let Some(x) = b.profit_margin_last_year {
                check_frac(
                    &format!("{p}.profit_margin_last_year"),
                    x,
                    -one,
                    one,
                    "must be a margin from -1 to 1",
                )?;
            }
            if let Some(x) = b.revenue_growth {
                check_frac(
                    &format!("{p}.revenue_growth"),
                    x,
                    -one,
                    Decimal::TEN,
                    "must be a growth rate from -1 to 10",
                )?;
            }
            if let Some(x) = b.working_capital_turnover {
                if x <= z || x > Decimal::from(360) {
                    return Err(Error::field(
                        format!("{p}.working_capital_turnover"),
                        x.normalize(),
                        "must be a number of turns per year above 0 and at most 360",
                    ));
                }
                if b.turnover_days.is_some() {
                    return Err(Error::field(
                        format!("{p}.turnover_days"),
                        "",
                        "give either working_capital_turnover or turnover_days, not both",
                    ));
                }
            }
            if let Some(d) = &b.turnover_days {
                for (f, v) in [
                    ("inventory", d.inventory),
                    ("receivables", d.receivables),
                    ("payables", d.payables),
                    ("prepayments", d.prepayments),
                    ("advances", d.advances),
                ] {
                    check_frac(
                        &format!("{p}.turnover_days.{f}"),
                        v,
                        z,
                        Decimal::from(3650),
                        "must be a number of days from 0 to 3650",
                    )?;
                }
                let net = d.inventory + d.receivables - d.payables + d.prepayments - d.advances;
                if net <= z {
                    return Err(Error::field(
                        format!("{p}.turnover_days"),
                        net.normalize(),
                        "inventory + receivables − payables + prepayments − advances must be above 0 days",
                    ));
                }
            }
            if let Some(x) = b.pd {
                check_frac(
                    &format!("{p}.pd"),
                    x,
                    z,
                    one,
                    "must be a probability from 0 to 1",
                )?;
            }
        }
        let l = &self.loan;
        if let Some(a) = l.amount {
            check_money("finance.loan.amount", a, true)?;
        }
        if let Some(t) = l.tenor_months {
            if !(1..=360).contains(&t) {
                return Err(Error::field(
                    "finance.loan.tenor_months",
                    t,
                    "must be from 1 to 360 months",
                ));
            }
        }
        if let Some(m) = l.periods_per_year {
            if ![1, 2, 4, 12].contains(&m) {
                return Err(Error::field(
                    "finance.loan.periods_per_year",
                    m,
                    "must be 12 (monthly), 4 (quarterly), 2 or 1",
                ));
            }
        }
        if let Some(s) = l.spread {
            check_frac(
                "finance.loan.spread",
                s,
                Decimal::new(-2, 1),
                Decimal::new(2, 1),
                "must be a spread from -0.2 to 0.2 (0.01 = 100 bp)",
            )?;
        }
        if let Some(d) = l.first_period_days {
            if !(1..=366).contains(&d) {
                return Err(Error::field(
                    "finance.loan.first_period_days",
                    d,
                    "must be from 1 to 366 days",
                ));
            }
        }
        if let Some(iv) = &self.invest {
            iv.validate()?;
        }
        if let Some(t) = &self.trade {
            t.validate()?;
        }
        Ok(())
    }
}
