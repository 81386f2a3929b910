use super::*;
use crate::finance::rules::VcStage;

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn stages() -> VcStageTable {
    VcStageTable {
        source: "test".into(),
        stage: vec![VcStage {
            id: "startup".into(),
            name_zh: "初创期".into(),
            min: d("0.5"),
            max: d("0.7"),
        }],
    }
}

#[test]
fn target_multiple_and_stage_set_the_return() {
    let r = required_return(None, Some(d("10")), None, 5, &stages()).unwrap();
    assert_eq!(r.multiple, d("10"));
    // 10^(1/5) − 1 = 0.584893192…
    assert!((r.rate - d("0.584893192")).abs() < d("0.000000001"));
    let r = required_return(None, None, Some("startup"), 2, &stages()).unwrap();
    assert_eq!(r.rate, d("0.6"));
    assert_eq!(r.multiple, d("2.56"));
    assert!(required_return(None, None, Some("mezzanine"), 2, &stages()).is_err());
    assert!(required_return(None, None, None, 2, &stages()).is_err());
}

#[test]
fn success_rate_and_retention_scale_the_post_money() {
    let mut tr = AuditTrail::new();
    let req = required_return(None, Some(d("10")), None, 5, &stages()).unwrap();
    let v = vc_method(
        Money::from_yuan(100_000_000),
        5,
        &req,
        d("0.5"),
        d("0.8"),
        Some(Money::from_yuan(1_000_000)),
        &mut tr,
    )
    .unwrap();
    // 100,000,000 × 0.5 / 10 × 0.8 = 4,000,000
    assert_eq!(v.post_money, Money::from_yuan(4_000_000));
    assert_eq!(v.pre_money, Some(Money::from_yuan(3_000_000)));
    assert_eq!(v.stake, Some(d("0.25")));
}

#[test]
fn conversion_follows_the_formula() {
    let mut tr = AuditTrail::new();
    let c = conversion(
        Money::from_yuan(2_000_000),
        Money::from_yuan(50_000_000),
        d("0.2"),
        &mut tr,
    )
    .unwrap();
    // 2,000,000 / (50,000,000 × 0.8) = 0.05
    assert_eq!(c.stake, d("0.05"));
    assert!(conversion(Money::from_yuan(1), Money::from_yuan(1), d("0.5"), &mut tr).is_err());
}
