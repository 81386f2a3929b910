//! `techval lend`: a bare schedule (`--amount --rate --periods`) or the loan offer of a case,
//! as a table, CSV or JSON.

use super::*;
use crate::cli::output::{emit, Align, Table};
use crate::envelope::Envelope;
use crate::finance::guarantee::GuaranteePlan;
use crate::finance::inputs::RepayMethod;
use crate::finance::lend::{self, LoanOffer, Schedule};
use crate::models::ModelBook;
use crate::money::Money;
use crate::pipeline;
use serde::Serialize;
use std::path::Path;

/// The schedule as a table.
pub fn render_schedule(s: &Schedule) -> String {
    let mut t = Table::new(
        &[
            "period",
            "opening (元)",
            "payment (元)",
            "interest (元)",
            "principal (元)",
            "balance (元)",
        ],
        &[Align::Right; 6],
    );
    for l in &s.lines {
        t.row([
            l.period.to_string(),
            yuan(l.opening),
            yuan(l.payment),
            yuan(l.interest),
            yuan(l.principal),
            yuan(l.balance),
        ]);
    }
    t.row([
        "total".to_string(),
        String::new(),
        yuan(s.total_payment),
        yuan(s.total_interest),
        yuan(s.principal),
        String::new(),
    ]);
    let mut out = format!(
        "{} {}: {} 元 at {} a year, {} payments ({} a year), period rate {}\n",
        s.method.name_zh(),
        s.method.as_str(),
        yuan(s.principal),
        pct(s.annual_rate, 4),
        s.lines.len(),
        s.periods_per_year,
        s.period_rate.normalize()
    );
    out.push_str(&t.render());
    out
}

/// The schedule as CSV (plain decimals in 元).
pub fn schedule_csv(s: &Schedule) -> String {
    let mut out = String::from("period,opening,payment,interest,principal,balance\n");
    for l in &s.lines {
        let f = |m: Money| {
            let mut d = m.amount();
            d.rescale(2);
            d.to_string()
        };
        out.push_str(&format!(
            "{},{},{},{},{},{}\n",
            l.period,
            f(l.opening),
            f(l.payment),
            f(l.interest),
            f(l.principal),
            f(l.balance)
        ));
    }
    out
}

/// The loan offer as text.
pub fn render_offer(o: &LoanOffer) -> String {
    let mut out = String::new();
    let mut t = Table::new(
        &["constraint", "cap (元)", "formula / note"],
        &[Align::Left, Align::Right, Align::Left],
    );
    for c in &o.constraints {
        t.row([
            format!(
                "{}{} {}",
                if c.constraint == o.binding {
                    "▶ "
                } else {
                    "  "
                },
                c.constraint.name_zh(),
                c.constraint.as_str()
            ),
            c.amount.map_or("—".to_string(), yuan),
            c.note.clone().unwrap_or_else(|| c.formula.clone()),
        ]);
    }
    out.push_str(&t.render());
    out.push_str(&format!(
        "loan {} 元 (binding: {} {}), {} months, {} {}\n",
        yuan(o.amount),
        o.binding.name_zh(),
        o.binding.as_str(),
        o.tenor_months,
        o.method.name_zh(),
        o.method.as_str()
    ));
    out.push_str(&format!(
        "rate {} = {} {} ({}) + spread {}{}\n",
        pct(o.rate.rate, 2),
        o.rate.lpr.base.as_str(),
        pct(o.rate.lpr.rate, 2),
        o.rate.lpr.row_date,
        pct(o.rate.spread, 2),
        if o.rate.capped { " (capped)" } else { "" }
    ));
    out.push_str(&format!(
        "cost: interest {} + fees {} − subsidy {} = {} 元; 年化利率 {} nominal, {} effective (IRR of the cash flows); simple ratio {}\n",
        yuan(o.cost.interest),
        yuan(o.cost.fees),
        yuan(o.cost.subsidy),
        yuan(o.cost.net_cost),
        o.cost.apr_nominal.map_or("n/a".to_string(), |r| pct(r, 3)),
        o.cost.apr_effective.map_or("n/a".to_string(), |r| pct(r, 3)),
        o.cost.simple_ratio.map_or("n/a".to_string(), |r| pct(r, 3))
    ));
    if let Some(r) = &o.risk {
        out.push_str(&format!(
            "risk: PD {}, EAD {}, recovery {} (IP liquidation value {}), LGD {}, EL {} 元, bank's net EL {} 元\n",
            pct(r.pd, 2),
            yuan(r.ead),
            yuan(r.recovery),
            yuan(r.liquidation_value),
            pct(r.lgd, 2),
            yuan(r.expected_loss),
            yuan(r.bank_net_expected_loss)
        ));
    }
    out.push_str(&render_outcome(&o.guarantee));
    out
}

/// Runs `techval lend`.
pub fn run_lend(a: LendArgs, models: &ModelBook, models_dir: Option<&Path>) -> anyhow::Result<()> {
    let amount = a
        .amount
        .as_deref()
        .map(|s| parse_money("--amount", s))
        .transpose()?;
    if let Some(r) = &a.rate {
        // Bare schedule calculator.
        if a.common.case.is_some() || a.common.rulebook.is_some() {
            return Err(crate::Error::field(
                "--rate",
                r,
                "prints a bare schedule and does not combine with --case or --rulebook (the case's rate comes from the rulebook)",
            )
            .into());
        }
        let rate = crate::money::Rate::parse(r)
            .map_err(|e| crate::Error::field("--rate", r, e.to_string()))?
            .value();
        let amt =
            amount.ok_or_else(|| crate::Error::field("--amount", "", "is required with --rate"))?;
        let n = a
            .periods
            .ok_or_else(|| crate::Error::field("--periods", "", "is required with --rate"))?;
        let m = a.per_year.unwrap_or(12);
        let method = a.method.map_or(RepayMethod::Annuity, Into::into);
        let s = lend::schedule(amt, rate, n, m, method, a.first_period_days)?;
        let text = match a.format {
            LendFormat::Csv => schedule_csv(&s),
            LendFormat::Json => {
                #[derive(Serialize)]
                struct Doc<'a> {
                    schedule: &'a lend::Schedule,
                }
                Envelope::new("lend", &models.origin)
                    .wrap(Doc { schedule: &s })
                    .to_json()?
            }
            LendFormat::Table => render_schedule(&s),
        };
        emit(a.common.out.as_deref(), &text)?;
        return Ok(());
    }
    let mut ld = Loaded::load(
        a.common.case.as_ref(),
        a.common.rulebook.as_deref(),
        models,
        models_dir,
    )?;
    {
        let f = ld.case.finance.get_or_insert_with(Default::default);
        if let Some(x) = amount {
            f.loan.amount = Some(x);
        }
        if let Some(m) = a.method {
            f.loan.method = m.into();
        }
        if let Some(m) = a.per_year {
            f.loan.periods_per_year = Some(m);
        }
        if let Some(d) = a.first_period_days {
            f.loan.first_period_days = Some(d);
        }
        if let Some(n) = a.periods {
            let m = f.loan.periods_per_year.unwrap_or(12);
            f.loan.tenor_months = Some(n.saturating_mul(12) / m.max(1));
        }
        f.validate()?;
    }
    ld.load_deals(None, models.market.selection.k as usize)?;
    let ctx = ld.ctx(models);
    let ev = pipeline::evaluate(&ld.case, &ctx).map_err(|e| ld.in_case(e))?;
    let plan = pipeline::guarantee_stage(&ld.case, &ev, &ctx).map_err(|e| ld.in_case(e))?;
    let offer = pipeline::lend_stage(&ld.case, &plan, &ctx).map_err(|e| ld.in_case(e))?;
    let text = match a.format {
        LendFormat::Csv => schedule_csv(&offer.schedule),
        LendFormat::Json => {
            #[derive(Serialize)]
            struct Doc<'a> {
                rulebook_origin: &'a str,
                lpr_table: &'a str,
                guarantee: &'a GuaranteePlan,
                loan: &'a LoanOffer,
            }
            ld.envelope("lend", models, ev.simulation.as_ref())
                .wrap(Doc {
                    rulebook_origin: &ld.rulebook.origin,
                    lpr_table: &ld.lpr.1,
                    guarantee: &plan,
                    loan: &offer,
                })
                .to_json()?
        }
        LendFormat::Table => {
            let mut s = render_plan_head(&plan, &ld.rulebook);
            s.push_str(&render_offer(&offer));
            s.push_str(&render_schedule(&offer.schedule));
            warnings(&mut s, &plan.warnings);
            warnings(&mut s, &offer.warnings);
            s
        }
    };
    emit(a.common.out.as_deref(), &text)?;
    Ok(())
}
