//! `techval invest` and `techval trade`: the investment view and the trade terms.

use super::*;
use crate::cli::output::{emit, Align, Table};
use crate::cli::OutputFormat;
use crate::finance::invest::InvestmentView;
use crate::finance::trade::TradeTerms;
use crate::models::ModelBook;
use crate::money::Money;
use crate::pipeline;
use serde::Serialize;
use std::path::Path;

/// The investment view as text.
pub fn render_invest(v: &InvestmentView) -> String {
    let mut out = format!(
        "IP value {} 元; loan offered {} 元; investment {} ({})\n",
        yuan(v.ip_value),
        yuan(v.loan_amount),
        v.investment
            .map_or("none".to_string(), |i| format!("{} 元", yuan(i))),
        v.investment_from
    );
    let mut t = Table::new(
        &["method", "pre-money (元)", "post-money (元)", "note"],
        &[Align::Left, Align::Right, Align::Right, Align::Left],
    );
    let opt = |m: Option<Money>| m.map_or("—".to_string(), yuan);
    if let Some(x) = &v.vc {
        t.row([
            "VC method".to_string(),
            opt(x.pre_money),
            yuan(x.post_money),
            format!(
                "TV {} / (1+{})^{} × p {} × R {}{}",
                yuan(x.terminal_value),
                pct(x.required.rate, 2),
                x.years,
                x.success_probability.normalize(),
                x.retention.normalize(),
                x.stake
                    .map_or(String::new(), |s| format!("; stake {}", pct(s, 2)))
            ),
        ]);
    }
    if let Some(x) = &v.first_chicago {
        t.row([
            "First Chicago".to_string(),
            opt(x.pre_money),
            yuan(x.post_money),
            format!("{} scenarios", x.scenarios.len()),
        ]);
    }
    if let Some(x) = &v.scorecard {
        t.row([
            "scorecard".to_string(),
            yuan(x.pre_money),
            opt(x.post_money),
            format!("average × {}", x.multiplier.normalize()),
        ]);
    }
    if let Some(x) = &v.checklist {
        t.row([
            "checklist".to_string(),
            yuan(x.pre_money),
            opt(x.post_money),
            format!("maximum × {}", x.multiplier.normalize()),
        ]);
    }
    for (name, m, note) in [
        ("Berkus", &v.berkus, "Σ max × achievement"),
        (
            "risk-factor summation",
            &v.risk_factor_summation,
            "base + step × Σ rating",
        ),
    ] {
        if let Some(x) = m {
            t.row([
                name.to_string(),
                yuan(x.pre_money),
                opt(x.post_money),
                note.to_string(),
            ]);
        }
    }
    out.push_str(&t.render());
    out.push_str(&format!(
        "retention R {} ({}){}\n",
        v.retention.used.normalize(),
        v.retention.from,
        v.retention
            .stated
            .map_or(String::new(), |s| format!("; stated {}", s.normalize()))
    ));
    if let Some(o) = &v.real_option {
        out.push_str(&format!(
            "real option: S {} 元, K {} 元 at {} y, σ {}, r {}: Black–Scholes {} 元 (d1 {:.4}, d2 {:.4}); lattice ({} steps, {} stage(s)) {} 元; static NPV {} 元; flexibility {} 元\n",
            yuan(o.underlying),
            yuan(o.investment),
            o.years.normalize(),
            o.volatility.normalize(),
            o.risk_free.normalize(),
            yuan(o.black_scholes),
            o.d1,
            o.d2,
            o.steps,
            o.stages,
            yuan(o.lattice),
            yuan(o.static_npv),
            yuan(o.flexibility)
        ));
    }
    if let Some(c) = &v.conversion {
        out.push_str(&format!(
            "先投后股: {} 元 converts at {} 元 (next post {} × (1 − {})): stake {}\n",
            yuan(c.funding),
            yuan(c.conversion_valuation),
            yuan(c.next_post_money),
            c.discount.normalize(),
            pct(c.stake, 3)
        ));
    }
    if !v.dilution.is_empty() {
        let mut d = Table::new(
            &[
                "round",
                "investment (元)",
                "post (元)",
                "new",
                "fund",
                "converted",
                "pool",
                "founders & others",
            ],
            &[
                Align::Left,
                Align::Right,
                Align::Right,
                Align::Right,
                Align::Right,
                Align::Right,
                Align::Right,
                Align::Right,
            ],
        );
        for r in &v.dilution {
            d.row([
                r.round.clone(),
                yuan(r.investment),
                yuan(r.post_money),
                pct(r.new_investors, 2),
                pct(r.fund, 2),
                pct(r.converted, 2),
                pct(r.option_pool, 2),
                pct(r.founders_and_others, 2),
            ]);
        }
        out.push_str(&d.render());
    }
    if let Some(s) = v.ip_share_of_post {
        out.push_str(&format!("IP value / post-money: {}\n", pct(s, 2)));
    }
    out
}

/// The trade terms as text.
pub fn render_trade(t: &TradeTerms) -> String {
    let mut out = String::new();
    if let Some(r) = &t.reserve {
        out.push_str(&format!(
            "reserve {} 元 vs appraised {} 元 (ratio {}; 90% = {} 元; {}): {}\n",
            yuan(r.proposed),
            yuan(r.appraised),
            r.ratio.map_or("n/a".to_string(), |x| pct(x, 2)),
            yuan(r.approval_threshold),
            if r.state_owned {
                "state-owned"
            } else {
                "not state-owned"
            },
            r.status.describe()
        ));
    }
    let mut m = Table::new(
        &[
            "mode",
            "factor",
            "price basis (元)",
            "stake",
            "what transfers",
        ],
        &[
            Align::Left,
            Align::Right,
            Align::Right,
            Align::Right,
            Align::Left,
        ],
    );
    for x in &t.modes {
        m.row([
            format!(
                "{}{} {}",
                if x.intended { "▶ " } else { "  " },
                x.name_zh,
                x.mode.as_str()
            ),
            x.factor.normalize().to_string(),
            yuan(x.price_basis),
            x.equity_stake.map_or("—".to_string(), |s| pct(s, 2)),
            x.what_transfers.clone(),
        ]);
    }
    out.push_str(&m.render());
    if !t.offers.is_empty() {
        out.push_str(&format!(
            "offers at the buyer's rate {}\n",
            t.buyer_rate.map_or("n/a".to_string(), |r| pct(r, 2))
        ));
        let mut o = Table::new(
            &["#", "form", "nominal (元)", "expected (元)", "PV (元)"],
            &[
                Align::Right,
                Align::Left,
                Align::Right,
                Align::Right,
                Align::Right,
            ],
        );
        for x in &t.offers {
            o.row([
                format!(
                    "{}{}",
                    if Some(x.index) == t.best_offer {
                        "▶ "
                    } else {
                        ""
                    },
                    x.index
                ),
                format!("{} {}", x.form_zh, x.form),
                yuan(x.nominal),
                yuan(x.expected),
                yuan(x.pv),
            ]);
        }
        out.push_str(&o.render());
    }
    if let Some(p) = &t.proceeds {
        out.push_str(&format!(
            "proceeds ({}): gross {} − broker {} − costs {} = net {} 元 → research team {} ({}) / institution {}\n",
            p.gross_from,
            yuan(p.gross),
            yuan(p.broker),
            yuan(p.costs),
            yuan(p.net),
            yuan(p.team),
            pct(p.team_share, 0),
            yuan(p.institution)
        ));
    }
    out
}

/// Runs `techval invest` or `techval trade`.
pub fn run_invest_or_trade(
    a: SimpleStageArgs,
    trade: bool,
    models: &ModelBook,
    models_dir: Option<&Path>,
) -> anyhow::Result<()> {
    let mut ld = Loaded::load(
        a.common.case.as_ref(),
        a.common.rulebook.as_deref(),
        models,
        models_dir,
    )?;
    ld.load_deals(None, models.market.selection.k as usize)?;
    let ctx = ld.ctx(models);
    let r = pipeline::run(&ld.case, &ctx).map_err(|e| ld.in_case(e))?;
    let text = match (a.format, trade) {
        (OutputFormat::Json, false) => {
            #[derive(Serialize)]
            struct Doc<'a> {
                invest: &'a crate::finance::invest::InvestmentView,
            }
            ld.envelope("invest", models, r.simulation.as_ref())
                .wrap(Doc { invest: &r.invest })
                .to_json()?
        }
        (OutputFormat::Json, true) => {
            #[derive(Serialize)]
            struct Doc<'a> {
                trade: &'a crate::finance::trade::TradeTerms,
            }
            ld.envelope("trade", models, r.simulation.as_ref())
                .wrap(Doc { trade: &r.trade })
                .to_json()?
        }
        (OutputFormat::Table, false) => {
            let mut s = render_invest(&r.invest);
            warnings(&mut s, &r.invest.warnings);
            s
        }
        (OutputFormat::Table, true) => {
            let mut s = render_trade(&r.trade);
            warnings(&mut s, &r.trade.warnings);
            s
        }
    };
    emit(a.common.out.as_deref(), &text)?;
    Ok(())
}
