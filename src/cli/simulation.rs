//! Terminal views of Monte Carlo runs and reconciliations, shared by `techval value` and
//! `techval sensitivity` (the runs themselves are [`crate::evaluate`]'s).

use super::output::{Align, Table};
use crate::valuation::reconcile::{ReconciledSimulation, Reconciliation};
use crate::valuation::uncertainty::{SimulationSummary, ValueDistribution};

/// An `f64` amount in 元 with thousands separators and 2 decimals (display only).
pub fn fmt_yuan(x: f64) -> String {
    if !x.is_finite() {
        return x.to_string();
    }
    let s = format!("{:.2}", x.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, "00"));
    let mut g = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            g.push(',');
        }
        g.push(c);
    }
    let sign = if x < 0.0 && s.chars().any(|c| c != '0' && c != '.') {
        "-"
    } else {
        ""
    };
    format!("{sign}{g}.{frac}")
}

/// A plain number with up to `dp` decimals, trailing zeros removed (display only).
pub fn fmt_num(x: f64, dp: usize) -> String {
    let s = format!("{x:.dp$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// The terminal view of one approach's simulation.
pub fn render_summary(s: &SimulationSummary) -> String {
    render_distribution(s.approach.name_zh(), &s.dist)
}

/// The terminal view of the reconciled value's simulation.
pub fn render_reconciled(r: &ReconciledSimulation) -> String {
    let parts: Vec<String> = r
        .composition
        .iter()
        .filter(|p| p.weight > rust_decimal::Decimal::ZERO)
        .map(|p| {
            format!(
                "{} {}{}",
                p.approach.as_str(),
                crate::money::round_half_away(p.weight, 6).normalize(),
                if p.simulated { "" } else { " (held)" }
            )
        })
        .collect();
    render_distribution(
        &format!("reconciled value ({})", parts.join(" + ")),
        &r.dist,
    )
}

/// The terminal view of a simulated distribution under a title.
pub fn render_distribution(title: &str, s: &ValueDistribution) -> String {
    let mut out = format!(
        "\n{} — Monte Carlo: {} paths, seed {}, chunk size {}\n",
        title, s.samples, s.seed, s.chunk_size
    );
    for u in &s.uncertain_inputs {
        out.push_str(&format!(
            "  {} ~ {}\n",
            u.path,
            crate::param::describe(&u.dist)
        ));
    }
    for c in &s.correlations {
        out.push_str(&format!(
            "  rank correlation {} ~ {} = {}\n",
            c.a,
            c.b,
            c.rho.0.normalize()
        ));
    }
    let st = &s.stats;
    let m = &s.money;
    let mut t = Table::new(&["statistic", "value (元)"], &[Align::Left, Align::Right]);
    let money = |x: crate::Money| crate::money::group_thousands(x.amount(), 2);
    t.row(["mean".to_string(), money(m.mean)]);
    t.row([
        "standard error of the mean".to_string(),
        fmt_yuan(st.std_error),
    ]);
    t.row(["standard deviation".to_string(), fmt_yuan(st.sd)]);
    t.row(["min".to_string(), fmt_yuan(st.min)]);
    for p in &st.percentiles {
        let v = match p.label.as_str() {
            "P5" => money(m.p5),
            "P10" => money(m.p10),
            "P50" => money(m.p50),
            "P90" => money(m.p90),
            "P95" => money(m.p95),
            _ => fmt_yuan(p.value),
        };
        t.row([p.label.clone(), v]);
    }
    t.row(["max".to_string(), fmt_yuan(st.max)]);
    t.row([
        format!("pledge value ({})", st.pledge.label),
        money(m.pledge_value),
    ]);
    if let (Some(th), Some(pb)) = (st.threshold, st.prob_below_threshold) {
        t.row([
            format!("P(value < {})", fmt_yuan(th)),
            format!("{} %", fmt_num(pb * 100.0, 2)),
        ]);
    }
    t.row([
        "deterministic (point inputs)".to_string(),
        fmt_yuan(s.point_value),
    ]);
    out.push_str(&t.render());
    out.push_str(&format!("percentiles: {}\n", st.quantile_definition));
    let maxc = st
        .histogram
        .iter()
        .map(|b| b.count)
        .max()
        .unwrap_or(0)
        .max(1);
    if st.histogram.len() > 1 {
        out.push_str("histogram:\n");
        for b in &st.histogram {
            let w = (b.count * 40).div_ceil(maxc) as usize;
            out.push_str(&format!(
                "  {:>18} – {:<18} {:>8}  {}\n",
                fmt_yuan(b.lo),
                fmt_yuan(b.hi),
                b.count,
                "#".repeat(w)
            ));
        }
    }
    if !s.rank_correlations.is_empty() {
        out.push_str("rank correlation of each sampled input with the value:\n");
        for r in &s.rank_correlations {
            out.push_str(&format!("  {:>7}  {}\n", fmt_num(r.rho, 4), r.input));
        }
    }
    for n in &s.notes {
        out.push_str(&format!("note: {n}\n"));
    }
    out
}

/// The terminal view of a reconciliation.
pub fn render_reconciliation(r: &Reconciliation) -> String {
    let mut out = format!("\nreconciliation — weights from {}\n", r.weights_source);
    let mut t = Table::new(
        &["approach", "value (元)", "stated weight", "weight"],
        &[Align::Left, Align::Right, Align::Right, Align::Right],
    );
    for a in &r.approaches {
        t.row([
            format!("{} {}", a.approach.name_zh(), a.approach.as_str()),
            crate::money::group_thousands(a.value.amount(), 2),
            a.stated_weight.normalize().to_string(),
            crate::money::round_half_away(a.weight, 6)
                .normalize()
                .to_string(),
        ]);
    }
    t.row([
        "concluded value".to_string(),
        crate::money::group_thousands(r.concluded_value.amount(), 2),
        String::new(),
        String::new(),
    ]);
    out.push_str(&t.render());
    out.push_str(&format!(
        "range {} – {} 元{}; disagreement factor {}: {}\n",
        crate::money::group_thousands(r.range_low.amount(), 2),
        crate::money::group_thousands(r.range_high.amount(), 2),
        r.ratio
            .map(|x| format!(" (max/min = {})", x.normalize()))
            .unwrap_or_default(),
        r.disagreement_factor.normalize(),
        if r.disagree { "DISAGREE" } else { "consistent" }
    ));
    for n in &r.notes {
        out.push_str(&format!("note: {n}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::ModelBook;
    use crate::valuation::Approach;

    #[test]
    fn reconciliation_table_shows_weights_and_the_flag() {
        use crate::valuation::{reconcile, Valuation};
        let v = |a, y| Valuation {
            approach: a,
            method: "m".into(),
            value: crate::Money::from_yuan(y),
            periods: Vec::new(),
            audit: crate::AuditTrail::new(),
            warnings: Vec::new(),
        };
        let book = ModelBook::builtin().unwrap();
        let r = reconcile::reconcile(
            &[v(Approach::Income, 9_000_000), v(Approach::Cost, 3_000_000)],
            Some(crate::case::Purpose::Licensing),
            None,
            &book.reconcile,
        )
        .unwrap();
        let t = render_reconciliation(&r);
        // Licensing gives cost weight 0: the concluded value is the income value.
        assert!(
            t.contains("concluded value") && t.contains("9,000,000.00"),
            "{t}"
        );
        assert!(t.contains("DISAGREE") && t.contains("max/min = 3"), "{t}");
        assert!(t.contains("market (0.3) did not run"), "{t}");
    }

    #[test]
    fn yuan_formatting() {
        assert_eq!(fmt_yuan(1234567.891), "1,234,567.89");
        assert_eq!(fmt_yuan(-1234.5), "-1,234.50");
        assert_eq!(fmt_yuan(0.004), "0.00");
        assert_eq!(fmt_yuan(-0.001), "0.00");
        assert_eq!(fmt_yuan(999.999), "1,000.00");
        assert_eq!(fmt_num(0.25, 4), "0.25");
    }
}
