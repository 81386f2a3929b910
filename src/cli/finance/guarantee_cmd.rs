//! `techval guarantee`: the guarantee plan, fees and the loss-sharing waterfall as tables
//! or JSON.

use super::*;
use crate::cli::output::{emit, Align, Table};
use crate::cli::OutputFormat;
use crate::finance::guarantee::{self, GuaranteeOutcome, GuaranteePlan, Waterfall};
use crate::models::ModelBook;
use crate::pipeline;
use crate::rulebook::LoadedRulebook;
use serde::Serialize;
use std::path::Path;

/// The waterfall as a table.
pub fn render_waterfall(w: &Waterfall) -> String {
    let mut t = Table::new(
        &[
            "party",
            "role",
            "share",
            "before pool (元)",
            "pool (元)",
            "after pool (元)",
        ],
        &[
            Align::Left,
            Align::Left,
            Align::Right,
            Align::Right,
            Align::Right,
            Align::Right,
        ],
    );
    for l in &w.lines {
        t.row([
            format!("{} {}", l.name_zh, l.party),
            l.role.as_str().to_string(),
            pct(l.share, 1),
            yuan(l.before_pool),
            yuan(l.pool_compensation),
            yuan(l.after_pool),
        ]);
    }
    if let Some(tm) = w.pool_timing {
        t.row([
            format!("compensation pool ({})", tm.as_str()),
            "pool".into(),
            String::new(),
            String::new(),
            String::new(),
            yuan(w.pool_pays),
        ]);
    }
    t.row([
        "total".to_string(),
        String::new(),
        String::new(),
        yuan(w.loss),
        String::new(),
        yuan(w.loss),
    ]);
    let mut out = format!(
        "loss {} 元: guaranteed part {} 元, unguaranteed (bank) {} 元\n",
        yuan(w.loss),
        yuan(w.guaranteed_loss),
        yuan(w.unguaranteed_loss)
    );
    out.push_str(&t.render());
    out
}

pub(super) fn render_outcome(o: &GuaranteeOutcome) -> String {
    let mut out = format!(
        "loan {} 元 over {} months: guaranteed amount {} 元",
        yuan(o.loan),
        o.tenor_months,
        yuan(o.guaranteed_amount)
    );
    if let Some(c) = o.counter_guarantee_cover {
        out.push_str(&format!(
            "; counter-guarantee cover (IP liquidation value / guaranteed) {}",
            pct(c, 1)
        ));
    }
    out.push('\n');
    if !o.fees.is_empty() {
        let mut t = Table::new(
            &[
                "fee",
                "payer",
                "to",
                "base (元)",
                "rate/yr",
                "years",
                "amount (元)",
            ],
            &[
                Align::Left,
                Align::Left,
                Align::Left,
                Align::Right,
                Align::Right,
                Align::Right,
                Align::Right,
            ],
        );
        for f in &o.fees {
            t.row([
                f.name.clone(),
                format!("{:?}", f.payer).to_lowercase(),
                f.recipient.clone(),
                yuan(f.base),
                pct(f.rate, 2),
                f.years.normalize().to_string(),
                yuan(f.amount),
            ]);
        }
        out.push_str(&t.render());
    }
    out.push_str(&render_waterfall(&o.waterfall));
    if !o.expected_losses.is_empty() {
        let parts: Vec<String> = o
            .expected_losses
            .iter()
            .map(|e| format!("{} {}", e.name_zh, yuan(e.expected_loss)))
            .collect();
        out.push_str(&format!(
            "expected loss (PD × after pool): {}",
            parts.join("; ")
        ));
        if let Some(p) = o.pool_expected {
            out.push_str(&format!("; pool {}", yuan(p)));
        }
        out.push('\n');
    }
    out
}

pub(super) fn render_plan_head(p: &GuaranteePlan, rb: &LoadedRulebook) -> String {
    let lv = &p.lending_value;
    let mut out = format!(
        "rulebook {} {} ({})\nlending value {} 元 ({}, {}; {})\n",
        rb.rulebook.id,
        rb.rulebook.name_zh,
        rb.origin,
        yuan(lv.value),
        lv.basis.as_str(),
        match lv.approach {
            Some(a) => format!("{} {}", a.as_str(), lv.method),
            None => lv.method.clone(),
        },
        lv.note
    );
    if p.guaranteed {
        out.push_str(&format!(
            "guarantee: coverage {}, counter-guarantee [{}], IP liquidation value {} 元\n",
            pct(p.terms.coverage, 0),
            p.counter_guarantee.kinds.join(", "),
            yuan(p.counter_guarantee.ip_liquidation_value)
        ));
    } else {
        out.push_str(&format!(
            "no guarantee: the bank bears the loss; IP liquidation value {} 元\n",
            yuan(p.counter_guarantee.ip_liquidation_value)
        ));
    }
    out
}

pub(super) fn warnings(out: &mut String, w: &[String]) {
    for x in w {
        out.push_str(&format!("warning: {x}\n"));
    }
}

/// Runs `techval guarantee`.
pub fn run_guarantee(
    a: GuaranteeArgs,
    models: &ModelBook,
    models_dir: Option<&Path>,
) -> anyhow::Result<()> {
    let amount = a
        .amount
        .as_deref()
        .map(|s| parse_money("--amount", s))
        .transpose()?;
    let loss = a
        .loss
        .as_deref()
        .map(|s| parse_money("--loss", s))
        .transpose()?;
    let mut ld = Loaded::load(
        a.common.case.as_ref(),
        a.common.rulebook.as_deref(),
        models,
        models_dir,
    )?;
    ld.load_deals(None, models.market.selection.k as usize)?;
    let ctx = ld.ctx(models);
    let ev = pipeline::evaluate(&ld.case, &ctx).map_err(|e| ld.in_case(e))?;
    let plan = pipeline::guarantee_stage(&ld.case, &ev, &ctx).map_err(|e| ld.in_case(e))?;
    let (amt, amt_from) = match (amount, plan.requested) {
        (Some(x), _) => (x, "--amount".to_string()),
        (None, Some(x)) => (x, "finance.loan.amount".to_string()),
        (None, None) => {
            let offer = pipeline::lend_stage(&ld.case, &plan, &ctx).map_err(|e| ld.in_case(e))?;
            (
                offer.amount,
                "the loan the lending stage offers".to_string(),
            )
        }
    };
    let loss = loss.unwrap_or(amt);
    let pd = ld
        .case
        .finance
        .as_ref()
        .and_then(|f| f.borrower.as_ref())
        .and_then(|b| b.pd);
    let o = guarantee::outcome(&plan, amt, loss, pd).map_err(|e| ld.in_case(e))?;
    let text = match a.format {
        OutputFormat::Json => {
            #[derive(Serialize)]
            struct Doc<'a> {
                rulebook_origin: &'a str,
                amount_from: &'a str,
                plan: &'a GuaranteePlan,
                outcome: &'a GuaranteeOutcome,
            }
            ld.envelope("guarantee", models, ev.simulation.as_ref())
                .wrap(Doc {
                    rulebook_origin: &ld.rulebook.origin,
                    amount_from: &amt_from,
                    plan: &plan,
                    outcome: &o,
                })
                .to_json()?
        }
        OutputFormat::Table => {
            let mut s = render_plan_head(&plan, &ld.rulebook);
            s.push_str(&format!("amount from {amt_from}\n"));
            s.push_str(&render_outcome(&o));
            warnings(&mut s, &plan.warnings);
            s
        }
    };
    emit(a.common.out.as_deref(), &text)?;
    Ok(())
}
