//! Finance stage arithmetic on hand-checkable numbers: LPR lookup, all-in cost, expected loss,
//! working-capital and DSCR caps, the value lent on, First Chicago and dilution.

use super::finance::*;
use rust_decimal::Decimal;
use techval::finance::guarantee;
use techval::finance::inputs::RepayMethod;
use techval::finance::invest;
use techval::finance::lend;
use techval::money::Money;
use techval::rulebook;

// ── Stage arithmetic on hand-checkable numbers ───────────────────────────────────────────

pub(super) fn lending_value(v: i64) -> techval::finance::LendingValue {
    techval::finance::LendingValue {
        value: Money::from_yuan(v),
        basis: techval::finance::rules::ValueBasis::Point,
        approach: Some(techval::Approach::Cost),
        method: "test".into(),
        reconciled: false,
        point_value: Money::from_yuan(v),
        downside: None,
        capped_at_point: false,
        note: "test".into(),
    }
}

fn date(s: &str) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[test]
fn lpr_table_picks_the_row_in_force() {
    use techval::finance::rules::RateBase;
    let (t, _) = rulebook::load_lpr(None).unwrap();
    assert_eq!(
        t.on(date("2025-05-20"), RateBase::Lpr1y).unwrap().rate,
        d("0.03")
    );
    assert_eq!(
        t.on(date("2025-05-19"), RateBase::Lpr1y).unwrap().rate,
        d("0.031")
    );
    assert_eq!(
        t.on(date("2025-05-19"), RateBase::Lpr5y).unwrap().rate,
        d("0.036")
    );
    assert_eq!(
        t.on(date("2019-08-20"), RateBase::Lpr5y).unwrap().rate,
        d("0.0485")
    );
    assert!(t.on(date("2019-08-19"), RateBase::Lpr1y).is_err());
    assert!(t.on(date("2099-01-01"), RateBase::Lpr1y).unwrap().stale);
}

#[test]
fn sichuan_all_in_cost_is_rate_plus_fee_minus_subsidy_for_a_bullet_loan() {
    use techval::finance::inputs::{Borrower, LoanRequest};
    let rb = rulebook::load_rulebook(Some("sichuan_tianfu_zhilaidai"), None)
        .unwrap()
        .rulebook;
    let (lpr, _) = rulebook::load_lpr(None).unwrap();
    let plan = guarantee::plan(
        &lending_value(40_000_000),
        ("x", techval::IpKind::InventionPatent),
        &[],
        &rb,
        Some(Money::from_yuan(1_000_000)),
        Some(12),
    )
    .unwrap();
    let req = LoanRequest {
        amount: Some(Money::from_yuan(1_000_000)),
        tenor_months: Some(12),
        method: RepayMethod::Bullet,
        spread: Some(d("0.02")), // asks LPR + 200 bp: the programme caps it at 150 bp
        ..Default::default()
    };
    let b = Borrower {
        pd: Some(d("0.02")),
        ..Default::default()
    };
    let o = lend::offer(&plan, &rb, &lpr, Some(&b), &req, date("2025-06-30")).unwrap();
    assert_eq!(o.binding, lend::Constraint::Request);
    assert_eq!(o.amount, Money::from_yuan(1_000_000));
    assert!(o.rate.capped);
    assert_eq!(o.rate.rate, d("0.045")); // 3.00% + 1.50%
                                         // interest 12 × 3,750 = 45,000; fee 1% × 1,000,000 × 1 year = 10,000;
                                         // subsidy 12 × round(1,000,000 × 1.5%/12) = 15,000; per 元-year borrowed 1,000,000:
                                         // all-in = (45,000 + 10,000 − 15,000) / 1,000,000 = 4.0% = 4.5% + 1% − 1.5%.
    assert_eq!(o.cost.interest, Money::from_yuan(45_000));
    assert_eq!(o.cost.fees, Money::from_yuan(10_000));
    assert_eq!(o.cost.subsidy, Money::from_yuan(15_000));
    assert_eq!(o.cost.simple_ratio, Some(d("0.04")));
    // 年化利率 of the borrower's flows: +990,000 at drawdown (fee paid then), −2,500 a month
    // (3,750 interest − 1,250 subsidy), −1,000,000 at month 12. Monthly IRR m by bisection
    // (independent script): 12m = 4.0219 %, (1 + m)^12 − 1 = 4.0969 %.
    let (eff, nom) = (o.cost.apr_effective.unwrap(), o.cost.apr_nominal.unwrap());
    assert!((eff - d("0.040969")).abs() < d("0.00001"), "{eff}");
    assert!((nom - d("0.040219")).abs() < d("0.00001"), "{nom}");
    // LV = 40,000,000 × (1 − 0.8) × (1 − 0.15) = 6,800,000 ≥ EAD: no loss given default.
    let r = o.risk.unwrap();
    assert_eq!((r.lgd, r.expected_loss), (Decimal::ZERO, Money::ZERO));
}

#[test]
fn expected_loss_uses_the_liquidation_value_and_the_waterfall() {
    use techval::finance::inputs::{Borrower, LoanRequest};
    let (lpr, _) = rulebook::load_lpr(None).unwrap();
    let b = Borrower {
        pd: Some(d("0.03")),
        ..Default::default()
    };
    let req = LoanRequest::default();
    // Plain bank: V = 1,000,000 invention patent → pledge cap 250,000 (binding, no request).
    let rb = rulebook::load_rulebook(None, None).unwrap().rulebook;
    let plan = guarantee::plan(
        &lending_value(1_000_000),
        ("x", techval::IpKind::InventionPatent),
        &[],
        &rb,
        None,
        None,
    )
    .unwrap();
    let o = lend::offer(&plan, &rb, &lpr, Some(&b), &req, date("2025-06-30")).unwrap();
    assert_eq!(o.binding, lend::Constraint::Pledge);
    assert_eq!(o.amount, Money::from_yuan(250_000));
    let r = o.risk.unwrap();
    // LV = 1,000,000 × 0.2 × 0.85 = 170,000; loss at default 80,000; LGD 0.32; EL 2,400.
    assert_eq!(r.liquidation_value, Money::from_yuan(170_000));
    assert_eq!(r.lgd, d("0.32"));
    assert_eq!(r.expected_loss, Money::from_yuan(2_400));
    assert_eq!(r.bank_net_expected_loss, Money::from_yuan(2_400));
    // Jinan: the same 80,000 loss is split 2:2:4:2; the bank's 16,000 is half reimbursed.
    let rb = rulebook::load_rulebook(Some("jinan_2242"), None)
        .unwrap()
        .rulebook;
    let plan = guarantee::plan(
        &lending_value(1_000_000),
        ("x", techval::IpKind::InventionPatent),
        &[],
        &rb,
        None,
        None,
    )
    .unwrap();
    let o = lend::offer(&plan, &rb, &lpr, Some(&b), &req, date("2025-06-30")).unwrap();
    let r = o.risk.unwrap();
    assert_eq!(r.expected_loss, Money::from_yuan(2_400));
    assert_eq!(r.bank_net_expected_loss, Money::from_yuan(240)); // 0.03 × 8,000
    let city = o
        .guarantee
        .expected_losses
        .iter()
        .find(|e| e.party == "city_guarantor")
        .unwrap();
    assert_eq!(city.expected_loss, Money::from_yuan(960)); // 0.03 × 32,000
    assert_eq!(o.guarantee.pool_expected, Some(Money::from_yuan(240)));
}

#[test]
fn working_capital_and_dscr_caps_follow_their_formulas() {
    use techval::finance::inputs::{Borrower, LoanRequest, TurnoverDays};
    let rb = rulebook::load_rulebook(None, None).unwrap().rulebook;
    let (lpr, _) = rulebook::load_lpr(None).unwrap();
    let b = Borrower {
        revenue_last_year: Some(Money::from_yuan(30_000_000)),
        profit_margin_last_year: Some(d("0.10")),
        revenue_growth: Some(d("0.20")),
        turnover_days: Some(TurnoverDays {
            inventory: d("60"),
            receivables: d("75"),
            payables: d("45"),
            prepayments: d("10"),
            advances: d("0"),
        }),
        own_funds: Some(Money::from_yuan(4_000_000)),
        existing_wc_loans: Some(Money::from_yuan(2_000_000)),
        other_funding: Some(Money::from_yuan(500_000)),
        cfads: Some(Money::from_yuan(600_000)),
        ..Default::default()
    };
    let plan = guarantee::plan(
        &lending_value(100_000_000),
        ("x", techval::IpKind::InventionPatent),
        &[],
        &rb,
        None,
        Some(36),
    )
    .unwrap();
    let o = lend::offer(
        &plan,
        &rb,
        &lpr,
        Some(&b),
        &LoanRequest::default(),
        date("2025-06-30"),
    )
    .unwrap();
    let cap = |c: lend::Constraint| {
        o.constraints
            .iter()
            .find(|x| x.constraint == c)
            .unwrap()
            .amount
    };
    // turnover 360 / 100 = 3.6; 30,000,000 × 0.9 × 1.2 / 3.6 = 9,000,000; − 6,500,000.
    assert_eq!(
        cap(lend::Constraint::WorkingCapital),
        Some(Money::from_yuan(2_500_000))
    );
    // DSCR: 600,000 / 1.25 / 12 = 40,000 a month × AF(4.5%/12, 36). Independent f64 check.
    let i = 0.045_f64 / 12.0;
    let af = (1.0 - (1.0 + i).powi(-36)) / i;
    let want = 40_000.0 * af;
    let got = cap(lend::Constraint::Dscr).unwrap().to_f64();
    // At most a few fen below: the cap is truncated to the fen, then stepped down until the
    // rounded schedule (its last payment takes the rounding residue) also holds DSCR ≥ 1.25.
    assert!(got <= want && want - got < 0.05, "{got} vs {want}");
    assert_eq!(o.binding, lend::Constraint::Dscr);
    // The loan's level payment is then 40,000 to within rounding: DSCR = 1.25 exactly.
    let p = o.schedule.lines[0].payment.to_f64();
    assert!((p - 40_000.0).abs() < 0.02, "{p}");
    // Every constraint was assessed; only the missing PD is reported.
    assert_eq!(o.warnings.len(), 1, "{:?}", o.warnings);
    assert!(o.warnings[0].contains("pd"));
}

#[test]
fn the_value_lent_on_is_reconciled_then_downside_and_refuses_a_missing_downside() {
    use techval::finance::rules::ValueBasis;
    use techval::finance::{lending_value, DownsideValue};
    let val = |a: techval::Approach, v: i64| techval::Valuation {
        approach: a,
        method: "m".into(),
        value: Money::from_yuan(v),
        periods: vec![],
        audit: techval::AuditTrail::new(),
        warnings: vec![],
    };
    let vals = [
        val(techval::Approach::Income, 300),
        val(techval::Approach::Cost, 100),
    ];
    let book = techval::ModelBook::builtin().unwrap();
    // Weights 0.75 / 0.25 from the case: 0.75 × 300 + 0.25 × 100 = 250.
    let spec = techval::valuation::reconcile::ReconcileSpec {
        weights: Some(
            [
                (
                    techval::Approach::Income,
                    techval::param::DecimalValue(d("0.75")),
                ),
                (
                    techval::Approach::Cost,
                    techval::param::DecimalValue(d("0.25")),
                ),
            ]
            .into_iter()
            .collect(),
        ),
        disagreement_factor: Some(techval::param::DecimalValue(d("5"))),
    };
    let rec = techval::valuation::reconcile::reconcile(&vals, None, Some(&spec), &book.reconcile)
        .unwrap();
    let lv = lending_value(&vals, Some(&rec), ValueBasis::Point, false, None).unwrap();
    assert_eq!(lv.value, Money::from_yuan(250));
    assert!(lv.reconciled && lv.approach.is_none() && lv.basis == ValueBasis::Point);
    assert!(lv.method.contains("income 0.75") && lv.method.contains("cost 0.25"));
    // Several approaches without a reconciliation: refused, not silently one of them.
    assert!(lending_value(&vals, None, ValueBasis::Point, false, None).is_err());
    // One approach: its value.
    let lv = lending_value(&vals[1..], None, ValueBasis::Point, false, None).unwrap();
    assert_eq!(
        (lv.approach, lv.value),
        (Some(techval::Approach::Cost), Money::from_yuan(100))
    );
    // A downside is needed for a downside rulebook and for a case with [simulation].
    for (basis, sim) in [
        (ValueBasis::Downside, false),
        (ValueBasis::Point, true),
        (ValueBasis::Downside, true),
    ] {
        let e = lending_value(&vals, Some(&rec), basis, sim, None).unwrap_err();
        assert!(e.to_string().contains("no downside value"), "{e}");
    }
    let down = |v: i64| DownsideValue {
        value: Money::from_yuan(v),
        quantile: 0.1,
        label: "P10".into(),
        quantile_source: "default".into(),
        reason: "test".into(),
        of: "reconciled value".into(),
        samples: 1000,
        seed: 7,
        chunk_size: 100,
        mean: Money::from_yuan(v + 50),
        p5: Money::from_yuan(v - 10),
        p50: Money::from_yuan(v + 40),
        p95: Money::from_yuan(v + 100),
    };
    let lv = lending_value(&vals, Some(&rec), ValueBasis::Point, true, Some(&down(200))).unwrap();
    assert_eq!(
        (lv.value, lv.point_value, lv.basis),
        (
            Money::from_yuan(200),
            Money::from_yuan(250),
            ValueBasis::Downside
        )
    );
    assert!(!lv.capped_at_point);
    assert!(
        lv.note.contains("1000 paths, seed 7, chunk size 100"),
        "{}",
        lv.note
    );
    // A downside above the point value is capped at the point value.
    let lv = lending_value(
        &vals,
        Some(&rec),
        ValueBasis::Downside,
        false,
        Some(&down(260)),
    )
    .unwrap();
    assert_eq!(lv.value, Money::from_yuan(250));
    assert!(lv.capped_at_point);
    // A downside given while none is asked for is not used.
    let lv = lending_value(
        &vals,
        Some(&rec),
        ValueBasis::Point,
        false,
        Some(&down(200)),
    )
    .unwrap();
    assert_eq!(
        (lv.value, lv.basis),
        (Money::from_yuan(250), ValueBasis::Point)
    );
    // A negative downside is refused.
    assert!(lending_value(
        &vals,
        Some(&rec),
        ValueBasis::Downside,
        false,
        Some(&down(-5))
    )
    .is_err());
    assert!(lending_value(&[], None, ValueBasis::Point, false, None).is_err());
    // The quantile: rulebook, then case, then P10.
    use techval::finance::pledge_quantile;
    assert_eq!(pledge_quantile(Some(d("0.05")), Some(d("0.2"))).0, 0.05);
    assert_eq!(pledge_quantile(None, Some(d("0.2"))).0, 0.2);
    assert_eq!(pledge_quantile(None, None).0, 0.1);
}

#[test]
fn first_chicago_and_dilution_on_round_numbers() {
    use techval::finance::inputs::{InvestInputs, Round, Scenario};
    let (stages, _) = rulebook::load_vc_stages(None).unwrap();
    let rb = rulebook::load_rulebook(None, None).unwrap().rulebook;
    let (lpr, _) = rulebook::load_lpr(None).unwrap();
    let plan = guarantee::plan(
        &lending_value(1_000_000),
        ("x", techval::IpKind::InventionPatent),
        &[],
        &rb,
        None,
        None,
    )
    .unwrap();
    let offer = lend::offer(
        &plan,
        &rb,
        &lpr,
        None,
        &Default::default(),
        date("2025-06-30"),
    )
    .unwrap();
    let inp = InvestInputs {
        investment: Some(Money::from_yuan(2_000_000)),
        funding_need: None,
        years: 2,
        target_return: Some(d("1")), // doubles each year: (1 + 1)^2 = 4
        target_multiple: None,
        stage: None,
        success_probability: None,
        retention: None,
        berkus: None,
        risk_factor_summation: None,
        real_option: None,
        terminal: None,
        scenarios: vec![
            Scenario {
                name: "up".into(),
                probability: d("0.5"),
                terminal_value: Money::from_yuan(40_000_000),
                years: None,
            },
            Scenario {
                name: "down".into(),
                probability: d("0.5"),
                terminal_value: Money::from_yuan(8_000_000),
                years: Some(1),
            },
        ],
        scorecard: None,
        checklist: None,
        convert: None,
        rounds: vec![Round {
            name: "A".into(),
            investment: Money::from_yuan(5_000_000),
            pre_money: Money::from_yuan(15_000_000),
            option_pool: d("0.05"),
        }],
    };
    let v = invest::view(&offer, Money::from_yuan(1_000_000), Some(&inp), &stages).unwrap();
    let fc = v.first_chicago.as_ref().unwrap();
    // 0.5 × 40,000,000 / 4 + 0.5 × 8,000,000 / 2 = 5,000,000 + 2,000,000 = 7,000,000 before
    // dilution; round A takes 25 % new money + 5 % pool, so today's stake keeps R = 0.7 and the
    // post-money on the VC method's basis is 0.7 × 7,000,000 = 4,900,000.
    assert_eq!(v.retention.used, d("0.7"));
    assert_eq!(fc.post_money, Money::from_yuan(4_900_000));
    assert_eq!(fc.pre_money, Some(Money::from_yuan(2_900_000)));
    // Today the fund holds 2/4.9 = 0.4081632653; after round A 0.7 of it.
    let a = &v.dilution[1];
    assert_eq!(a.new_investors, d("0.25"));
    assert_eq!(v.dilution[0].fund, d("0.4081632653"));
    assert_eq!(a.fund, d("0.2857142857"));
    assert_eq!(a.founders_and_others, d("0.4142857143")); // 1 − 0.2857142857 − 0.25 − 0.05
    assert_eq!(v.ip_share_of_post, Some(d("0.2040816327"))); // 1,000,000 / 4,900,000
}
