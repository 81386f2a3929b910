//! Scoring (issue 12): the shipped trees, the engine on hand-checkable ratings, what the score
//! drives (split rate, pledge rate by grade, market technology score) and bad ratings.

use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use techval::case::Case;
use techval::models::ModelBook;
use techval::param::DecimalValue;
use techval::rulebook;
use techval::scoring::{engine, Grade, ScoreStatus, ScoringInput, ScoringTree};

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_techval"))
}

fn book() -> ModelBook {
    ModelBook::builtin().unwrap()
}

/// Every indicator of the tree rated `r`.
fn all(t: &ScoringTree, r: i64) -> ScoringInput {
    ScoringInput {
        model: Some(t.id.clone()),
        ratings: t
            .indicator
            .iter()
            .map(|i| (i.id.clone(), DecimalValue(Decimal::from(r))))
            .collect(),
        ..Default::default()
    }
}

fn scenario(mut i: ScoringInput, s: &str) -> ScoringInput {
    i.scenario = Some(s.to_string());
    i
}

#[test]
fn each_shipped_tree_loads_with_weights_summing_to_one_names_and_guides() {
    let b = book();
    assert_eq!(
        b.trees.keys().cloned().collect::<Vec<_>>(),
        ["cnipa", "concept", "gbt42748", "ipscore"]
    );
    for t in b.trees.values() {
        let [lo, mid, hi] = t.scale.guide_points();
        assert_eq!((lo, mid, hi), (1, 3, 5), "{}: a 1–5 scale", t.id);
        for i in &t.indicator {
            assert!(
                !i.name_zh.trim().is_empty() && !i.name_en.trim().is_empty(),
                "{}",
                i.id
            );
            for p in ["1", "3", "5"] {
                assert!(!i.guide[p].trim().is_empty(), "{} guide {p}", i.id);
                assert!(!i.guide_en[p].trim().is_empty(), "{} guide_en {p}", i.id);
            }
        }
        assert!(!t.scenario.is_empty());
        for sc in &t.scenario {
            let dims: Decimal = sc.dimension_weights.values().map(|w| w.0).sum();
            assert_eq!(dims, Decimal::ONE, "{} {}: dimension weights", t.id, sc.id);
            for dim in &t.dimension {
                let s: Decimal = t
                    .indicator
                    .iter()
                    .filter(|i| i.dimension == dim.id)
                    .map(|i| t.weight_in(sc, i))
                    .sum();
                assert_eq!(
                    s,
                    Decimal::ONE,
                    "{} {} {}: indicator weights",
                    t.id,
                    sc.id,
                    dim.id
                );
            }
        }
    }
    // GB/T 42748's three first-level dimensions and five scenario kinds.
    let g = &b.trees["gbt42748"];
    let names: Vec<&str> = g.dimension.iter().map(|x| x.name_zh.as_str()).collect();
    assert_eq!(names, ["法律价值", "技术价值", "经济价值"]);
    assert_eq!(g.scenario.len(), 5);
}

#[test]
fn all_fives_score_the_maximum_and_all_ones_the_minimum_in_every_tree_and_scenario() {
    let b = book();
    for t in b.trees.values() {
        for sc in &t.scenario {
            let top = engine::score(t, &scenario(all(t, 5), &sc.id), None).unwrap();
            assert_eq!(top.total, Some(Decimal::ONE_HUNDRED), "{} {}", t.id, sc.id);
            assert_eq!(top.grade, Some(Grade::A));
            assert_eq!(top.coverage, Decimal::ONE);
            let bottom = engine::score(t, &scenario(all(t, 1), &sc.id), None).unwrap();
            assert_eq!(bottom.total, Some(Decimal::ZERO), "{} {}", t.id, sc.id);
            assert_eq!(bottom.grade, Some(Grade::D));
            // All 3s: the middle, 50 (a grade C at the shipped thresholds).
            let mid = engine::score(t, &scenario(all(t, 3), &sc.id), None).unwrap();
            assert_eq!(mid.total, Some(d("50")));
            assert_eq!(mid.grade, Some(Grade::C));
        }
    }
}

#[test]
fn raising_one_rating_never_lowers_the_score() {
    let b = book();
    // A fixed pseudo-random walk over ratings (LCG): every base, every indicator, every step up.
    let mut seed: u64 = 20261201;
    let mut next = || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as i64
    };
    for t in b.trees.values() {
        for sc in &t.scenario {
            for _ in 0..6 {
                let mut base = all(t, 1);
                for v in base.ratings.values_mut() {
                    *v = DecimalValue(Decimal::from(1 + next() % 5));
                }
                let base = scenario(base, &sc.id);
                let s0 = engine::score(t, &base, None).unwrap().total.unwrap();
                for i in &t.indicator {
                    let r = base.ratings[&i.id].0;
                    if r == Decimal::from(5) {
                        continue;
                    }
                    let mut up = base.clone();
                    up.ratings
                        .insert(i.id.clone(), DecimalValue(r + Decimal::ONE));
                    let s1 = engine::score(t, &up, None).unwrap().total.unwrap();
                    assert!(s1 >= s0, "{} {} {}: {s0} → {s1}", t.id, sc.id, i.id);
                    assert!(
                        s1 > s0,
                        "{} {} {}: weight > 0 so the score rises",
                        t.id,
                        sc.id,
                        i.id
                    );
                }
            }
        }
    }
}

#[test]
fn a_veto_gives_grade_d_whatever_the_ratings() {
    let b = book();
    let t = &b.trees["gbt42748"];
    for (fact, value) in [
        ("legal_status", "lapsed"),
        ("legal_status", "invalidated"),
        ("annuity_paid", "false"),
        ("ownership_dispute", "true"),
    ] {
        let mut i = all(t, 5);
        let v: techval::scoring::input::Fact = if value == "true" || value == "false" {
            techval::scoring::input::Fact::Flag(value == "true")
        } else {
            techval::scoring::input::Fact::Text(value.into())
        };
        i.facts.insert(fact.into(), v);
        let c = engine::score(t, &i, None).unwrap();
        assert_eq!(c.status, ScoreStatus::Vetoed, "{fact} = {value}");
        assert_eq!(c.grade, Some(Grade::D), "{fact} = {value}");
        assert_eq!(
            c.total,
            Some(Decimal::ONE_HUNDRED),
            "the ratings still show"
        );
        assert!(c.usable().is_err());
    }
    // A valid patent with its annuity paid is not vetoed.
    let mut i = all(t, 5);
    i.facts.insert(
        "legal_status".into(),
        techval::scoring::input::Fact::Text("valid".into()),
    );
    i.facts.insert(
        "annuity_paid".into(),
        techval::scoring::input::Fact::Flag(true),
    );
    assert_eq!(engine::score(t, &i, None).unwrap().grade, Some(Grade::A));
}

#[test]
fn a_missing_rating_lowers_coverage_and_is_reported_never_read_as_zero() {
    let b = book();
    let t = &b.trees["gbt42748"];
    let mut i = scenario(all(t, 5), "licensing_transfer");
    i.ratings.remove("legal.stability");
    let c = engine::score(t, &i, None).unwrap();
    assert_eq!(c.missing, ["legal.stability"]);
    // licensing_transfer: W_legal 0.35, w_stability 0.20 there → coverage 1 − 0.07.
    assert_eq!(c.coverage, d("0.93"));
    assert_eq!(
        c.total,
        Some(Decimal::ONE_HUNDRED),
        "the rest are all 5: unknown ≠ 0"
    );
    let mut zero = scenario(all(t, 5), "licensing_transfer");
    zero.ratings
        .insert("legal.stability".into(), DecimalValue(Decimal::ONE));
    let z = engine::score(t, &zero, None).unwrap();
    // A rating of 1 (the minimum) costs 0.35 × 0.20 × 100 = 7 points; leaving it out costs none.
    assert_eq!(z.total, Some(d("93")));
    // Below the floor (0.60): not graded, and the gate-less tree says why.
    let mut few = ScoringInput {
        model: Some("gbt42748".into()),
        ..Default::default()
    };
    for id in ["legal.stability", "legal.scope", "technical.advancement"] {
        few.ratings
            .insert(id.into(), DecimalValue(Decimal::from(4)));
    }
    let f = engine::score(t, &few, None).unwrap();
    assert_eq!(f.status, ScoreStatus::BelowCoverage);
    assert_eq!((f.total, f.grade), (None, None));
    assert!(f
        .usable()
        .unwrap_err()
        .contains("under the tree's floor 0.6"));
    assert_eq!(f.dimensions[2].score, None, "economic: no rating, unknown");
}

#[test]
fn the_concept_gate_passes_revises_and_rejects_with_reasons() {
    let b = book();
    let t = &b.trees["concept"];
    let pass = engine::score(t, &all(t, 5), None).unwrap();
    assert_eq!(pass.gate.as_ref().unwrap().outcome.as_str(), "pass");
    // All 5 but TRL 2: the total passes (≥ 70) but the must-rule TRL ≥ 3 sends it back.
    let mut low_trl = all(t, 5);
    low_trl
        .ratings
        .insert("concept.trl".into(), DecimalValue(Decimal::from(2)));
    let g = engine::score(t, &low_trl, None).unwrap().gate.unwrap();
    assert_eq!(g.outcome.as_str(), "revise");
    assert!(
        g.reasons.iter().any(|(_, en)| en.contains("TRL below 3")),
        "{:?}",
        g.reasons
    );
    // All 2s: total 25, below the revise mark 50 → reject.
    let r = engine::score(t, &all(t, 2), None).unwrap();
    assert_eq!(r.total, Some(d("25")));
    assert_eq!(r.gate.unwrap().outcome.as_str(), "reject");
}

const SPLIT_CASE: &str = r#"
purpose = "licensing"
[subject]
id = "split-scored"
name = "t"
kind = "invention_patent"
industry = "C39"
region = "广东"
filing_date = 2019-03-15
grant_date = 2021-08-20
valuation_date = 2025-06-30
owner = "o"
[income]
method = "revenue_split"
economic_life = 6
convention = "end_year"
revenue = ["10000000", "12000000", "14000000"]
growth = 0.02
[income.discount]
method = "given"
rate = 0.12
[income.split]
method = "scoring"
"#;

/// Ratings whose licensing_transfer dimension scores are exact: legal 5 and 3 → see below.
const RATINGS: &str = r#"
[scoring]
model = "gbt42748"
[scoring.ratings]
"legal.stability" = 5
"legal.scope" = 5
"legal.infringement_detectability" = 5
"legal.remaining_term" = 5
"legal.multinational" = 5
"legal.ownership" = 5
"legal.license_status" = 5
"technical.advancement" = 4
"technical.maturity" = 4
"technical.substitutability" = 4
"technical.applicability" = 4
"technical.complementary_dependence" = 4
"economic.market_size" = 3
"economic.market_share" = 3
"economic.competition" = 3
"economic.policy_fit" = 3
"economic.profitability" = 3
"#;

#[test]
fn a_case_rated_through_gbt42748_places_k_exactly_as_the_same_scores_would() {
    let m = book();
    let rated = Case::parse(
        "rated.toml",
        &format!("{SPLIT_CASE}scoring_model = \"gbt42748\"\n{RATINGS}"),
    )
    .unwrap()
    .prepare(&m)
    .unwrap();
    let card = &rated.scored.as_ref().unwrap().card;
    assert_eq!(card.scenario, "licensing_transfer", "by purpose licensing");
    let dims: Vec<Option<Decimal>> = card.dimensions.iter().map(|x| x.score).collect();
    assert_eq!(dims, [Some(d("100")), Some(d("75")), Some(d("50"))]);
    let given = Case::parse(
        "given.toml",
        &format!("{SPLIT_CASE}scores = {{ legal = 1, technical = 0.75, economic = 0.5 }}\n"),
    )
    .unwrap()
    .prepare(&m)
    .unwrap();
    let v = |c: &Case| {
        techval::evaluate::run_approaches(c, &m, &[techval::vocab::Approach::Income], None).unwrap()
    };
    let (a, b) = (v(&rated), v(&given));
    assert_eq!(a[0].value, b[0].value, "same value through either path");
    let k = |vals: &[techval::valuation::Valuation]| {
        vals[0]
            .audit
            .find("split_rate")
            .map(|s| s.value.value.clone())
    };
    assert!(k(&a).is_some());
    assert_eq!(k(&a), k(&b));
    assert_eq!(k(&a).unwrap(), "0.0925");
    // By hand: C39 (optics/electronics) range 7 %–10 % of sales; score = 0.3·1 + 0.4·0.75 + 0.3·0.5
    // = 0.75; K = 0.07 + 0.03 × 0.75 = 0.0925.
    let score = a[0].audit.find("split.score").unwrap();
    assert_eq!(score.value.value, "0.75");
    // Both scores and scoring_model: refused with the field path.
    let both = Case::parse(
        "both.toml",
        &format!("{SPLIT_CASE}scoring_model = \"gbt42748\"\nscores = {{ legal = 1, technical = 0.75, economic = 0.5 }}\n{RATINGS}"),
    )
    .unwrap()
    .prepare(&m)
    .unwrap_err()
    .to_string();
    assert!(both.contains("income.split.scores"), "{both}");
    // A lapsed patent cannot place K.
    let lapsed = Case::parse(
        "lapsed.toml",
        &format!("{SPLIT_CASE}scoring_model = \"gbt42748\"\n{RATINGS}[scoring.facts]\nlegal_status = \"lapsed\"\n"),
    )
    .unwrap()
    .prepare(&m)
    .unwrap_err()
    .to_string();
    assert!(
        lapsed.contains("income.split.scoring_model") && lapsed.contains("vetoed"),
        "{lapsed}"
    );
}

/// The demo with its ratings set to `r` everywhere, through the pipeline under the default bank
/// rulebook (which tiers the pledge rate by grade).
fn demo_loan_at(r: i64) -> (Option<Grade>, Decimal, Decimal) {
    let m = book();
    let mut case = Case::demo().unwrap();
    let s = case.scoring.as_mut().unwrap();
    for v in s.ratings.values_mut() {
        *v = DecimalValue(Decimal::from(r));
    }
    case.simulation = None;
    let case = case.prepare(&m).unwrap();
    let rb = rulebook::load_rulebook(None, None).unwrap();
    let (lpr, _) = rulebook::load_lpr(None).unwrap();
    let (stages, _) = rulebook::load_vc_stages(None).unwrap();
    let ctx = techval::pipeline::Context {
        models: &m,
        rulebook: &rb.rulebook,
        lpr: &lpr,
        stages: &stages,
        deals: None,
    };
    let res = techval::pipeline::run(&case, &ctx).unwrap();
    let p = &res.loan.pledges[0];
    (p.item.grade, p.rate, res.loan.amount.amount())
}

#[test]
fn a_lower_grade_lowers_the_pledge_rate_and_the_loan_under_a_tiered_rulebook() {
    let rb = rulebook::load_rulebook(None, None).unwrap();
    let tiers = rb
        .rulebook
        .pledge
        .rate_by_grade
        .as_ref()
        .expect("bank_default tiers by grade");
    let (ga, ra, la) = demo_loan_at(5);
    let (gc, rc, lc) = demo_loan_at(3);
    let (gd, rd, ld) = demo_loan_at(1);
    assert_eq!(
        (ga, gc, gd),
        (Some(Grade::A), Some(Grade::C), Some(Grade::D))
    );
    let base = d("0.25"); // invention patents
    assert_eq!(ra, base * tiers.a.0);
    assert_eq!(rc, base * tiers.c.0);
    assert_eq!(rd, base * tiers.d.0);
    assert!(ra > rc && rc > rd, "{ra} {rc} {rd}");
    assert!(la >= lc && lc >= ld, "loan {la} ≥ {lc} ≥ {ld}");
    assert!(la > ld, "a grade-D patent lends less than a grade-A one");
}

#[test]
fn the_market_approach_takes_the_technical_score_when_no_tech_score_is_given() {
    let m = book();
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/cases/invention_patent_market.toml");
    let case = Case::load(&path).unwrap().prepare(&m).unwrap();
    let sc = case.scored.as_ref().unwrap();
    let tech = sc
        .card
        .dimensions
        .iter()
        .find(|x| x.id == "technical")
        .unwrap()
        .score
        .unwrap();
    assert_eq!(
        case.market
            .as_ref()
            .unwrap()
            .tech_score
            .as_ref()
            .unwrap()
            .point,
        tech
    );
    assert!(sc.derived.iter().any(|x| x.path == "market.tech_score"));
}

fn run_err(args: &[&str]) -> (i32, String) {
    let o = bin().args(args).output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    (o.status.code().unwrap_or(-1), err)
}

#[test]
fn bad_ratings_and_edited_trees_give_one_line_errors_with_the_field_path_and_exit_2() {
    let root = std::env::temp_dir().join(format!("techval-scoring-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    let base = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/cases/invention_patent_license.toml"),
    )
    .unwrap();
    let cases: BTreeMap<&str, (String, &str)> = [
        (
            "six",
            (
                base.replace("\"legal.stability\" = 5", "\"legal.stability\" = 6"),
                "scoring.ratings.legal.stability = 6: must be a rating from 1 to 5",
            ),
        ),
        (
            "unknown",
            (
                base.replace("\"legal.scope\" = 4", "\"legal.scoop\" = 4"),
                "scoring.ratings.legal.scoop = 4: unknown indicator id",
            ),
        ),
        (
            "model",
            (
                base.replace("model = \"gbt42748\"", "model = \"gbt4274\""),
                "scoring.model = gbt4274: is not a scoring tree",
            ),
        ),
        (
            "text_rating",
            (
                base.replace("\"legal.scope\" = 4", "\"legal.scope\" = \"high\""),
                "legal.scope = \"high\": a rating must be a number",
            ),
        ),
        (
            "numeric_fact",
            (
                base.replace("annuity_paid = true", "annuity_paid = 1"),
                "annuity_paid = 1: a fact is text",
            ),
        ),
    ]
    .into_iter()
    .collect();
    for (name, (text, want)) in &cases {
        let p = root.join(format!("{name}.toml"));
        std::fs::write(&p, text).unwrap();
        for cmd in ["score", "value"] {
            let (code, err) = run_err(&[cmd, "--case", p.to_str().unwrap()]);
            assert_eq!(code, 2, "{cmd} {name}: {err}");
            assert_eq!(
                err.trim_end().lines().count(),
                1,
                "{cmd} {name}: one line: {err}"
            );
            assert!(err.contains(want), "{cmd} {name}: {err}");
        }
    }
    let (code, err) = run_err(&["score", "--scenario", "pledge"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--scenario = pledge: is not a scenario of the gbt42748 tree (allowed: licensing_transfer, pledge_financing"), "{err}");
    // An edited tree whose weights do not sum to 1: through --model FILE and through --models DIR.
    let tree = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("models/scoring/gbt42748.toml"),
    )
    .unwrap();
    let edited = tree.replacen("weight = \"0.25\"", "weight = \"0.35\"", 1);
    assert_ne!(edited, tree);
    let tf = root.join("tree.toml");
    std::fs::write(&tf, &edited).unwrap();
    let (code, err) = run_err(&["score", "--model", tf.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("dimension legal: indicator weights sum to 1.10: they must sum to 1"),
        "{err}"
    );
    let md = root.join("models/scoring");
    std::fs::create_dir_all(&md).unwrap();
    std::fs::write(md.join("gbt42748.toml"), &edited).unwrap();
    let (code, err) = run_err(&["--models", root.join("models").to_str().unwrap(), "score"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("scoring/gbt42748.toml") && err.contains("sum to 1.10"),
        "{err}"
    );
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
}

#[test]
fn techval_score_prints_the_card_and_json_of_the_demo() {
    let o = bin().args(["score"]).output().unwrap();
    assert!(o.status.success());
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("scenario pledge_financing"), "{out}");
    assert!(out.contains("grade B"), "{out}");
    let o = bin()
        .args(["score", "--format", "json", "--scenario", "infringement"])
        .output()
        .unwrap();
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["scenario"], "infringement");
    assert!(v["trail"].as_array().is_some_and(|s| s.len() > 17), "{v}");
    let o = bin()
        .args(["score", "--list", "--model", "ipscore"])
        .output()
        .unwrap();
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stdout).lines().count() > 40);
}

#[test]
fn a_bad_rating_in_a_portfolio_row_is_a_row_reject_naming_its_column() {
    let root = std::env::temp_dir().join(format!("techval-scoring-pf-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    let man = Path::new(env!("CARGO_MANIFEST_DIR"));
    let sample = std::fs::read_to_string(man.join("datasets/portfolios/sample.csv")).unwrap();
    let mut lines: Vec<String> = sample.lines().take(6).map(str::to_string).collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let col = header
        .iter()
        .position(|h| *h == "scoring.ratings.legal.stability")
        .expect("the sample has the rating columns");
    // Row 3 of the table (line 4 of the file): legal.stability = 6.
    let mut cells: Vec<String> = lines[3].split(',').map(str::to_string).collect();
    cells[col] = "6".into();
    lines[3] = cells.join(",");
    let table = root.join("t.csv");
    std::fs::write(&table, lines.join("\n") + "\n").unwrap();
    let out = root.join("out");
    let o = bin()
        .args([
            "portfolio",
            "--subjects",
            table.to_str().unwrap(),
            "--template",
            man.join("datasets/portfolios/template.toml")
                .to_str()
                .unwrap(),
            "--approach",
            "income,cost",
            "--format",
            "csv",
            "--out",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let rejects = std::fs::read_to_string(out.join("rejects.csv")).unwrap();
    assert_eq!(rejects.lines().count(), 2, "{rejects}");
    assert!(
        rejects.contains("scoring.ratings.legal.stability") && rejects.contains("from 1 to 5"),
        "{rejects}"
    );
    let rows = std::fs::read_to_string(out.join("portfolio.csv")).unwrap();
    assert_eq!(
        rows.lines().count(),
        1 + 4,
        "the other four rows are valued"
    );
    let head: Vec<&str> = rows.lines().next().unwrap().split(',').collect();
    for c in ["score_total", "score_grade", "score_coverage", "score_rank"] {
        assert!(head.contains(&c), "{c} in {head:?}");
    }
}

#[test]
fn a_brief_score_has_the_full_scores_figures_without_lines_or_trail() {
    // Portfolio rows are prepared with `prepare_brief` (the card kept per row without its
    // rating lines and audit trail): every figure and every value the score drives must be
    // the full preparation's.
    let m = book();
    for f in [
        "invention_patent_license",
        "invention_patent_market",
        "invention_patent_scored",
        "university_achievement",
        "utility_model_manufacturer",
    ] {
        let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("datasets/cases/{f}.toml"));
        let full = Case::load(&p).unwrap().prepare(&m).unwrap();
        let brief = Case::load(&p).unwrap().prepare_brief(&m).unwrap();
        let (a, b) = (
            full.scored.as_ref().unwrap(),
            brief.scored.as_ref().unwrap(),
        );
        assert!(!a.card.lines.is_empty() && !a.card.trail.is_empty(), "{f}");
        assert!(b.card.lines.is_empty() && b.card.trail.is_empty(), "{f}");
        let mut slim = a.card.clone();
        slim.lines.clear();
        slim.trail = b.card.trail.clone();
        assert_eq!(slim, b.card, "{f}");
        assert_eq!(a.derived, b.derived, "{f}");
        assert_eq!(full.income, brief.income, "{f}");
        assert_eq!(full.market, brief.market, "{f}");
    }
}
