//! Charts and reports (issue 6): glyph coverage of every label, every chart in the HTML, the
//! workbook's formulas against the JSON results, 大写 amounts, and the `techval report` and
//! `techval pipeline` commands writing the report set.

use chrono::NaiveDate;
use rand::SeedableRng;
use rand_distr::{Distribution, LogNormal};
use std::path::{Path, PathBuf};
use techval::chart::{self, font, Chart};
use techval::cli::finance::Loaded;
use techval::cli::report::{build_set, LangArg, ReportOptions, StageResults};
use techval::report::{self, capital, Lang, ReportSet};
use techval::{ModelBook, Money};

/// The shipped technology-market statistics (in the repository).
pub(super) const MARKET_CSV: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/datasets/tech_market_by_province.csv"
);

pub(super) fn market_rows() -> Vec<chart::TechMarketRow> {
    chart::read_tech_market_csv(Path::new(MARKET_CSV)).unwrap()
}

pub(super) fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// Equal-width bins from min to max, as the Monte Carlo stage makes them.
pub(super) fn bin(sorted: &[f64], n: usize) -> Vec<techval::valuation::uncertainty::HistogramBin> {
    let (lo, hi) = (sorted[0], sorted[sorted.len() - 1]);
    let w = (hi - lo) / n as f64;
    (0..n)
        .map(|b| {
            let a = lo + w * b as f64;
            let z = if b + 1 == n { hi } else { a + w };
            let count = sorted
                .iter()
                .filter(|v| **v >= a && (**v < z || (b + 1 == n && **v <= z)))
                .count() as u64;
            techval::valuation::uncertainty::HistogramBin {
                lo: a,
                hi: z,
                count,
            }
        })
        .collect()
}

/// The text of the language.
pub(super) fn pick<'a>(lang: Lang, zh: &'a str, en: &'a str) -> &'a str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// A fixture with every kind of chart, labelled in `lang` (numbers made up for the pictures).
pub(super) fn all_charts(lang: Lang) -> Vec<Chart> {
    let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(20250630);
    let ln = LogNormal::new(2_400_000f64.ln(), 0.22).unwrap();
    let mut samples: Vec<f64> = (0..4000).map(|_| ln.sample(&mut rng)).collect();
    samples.sort_by(f64::total_cmp);
    let pct = |p: f64| samples[((samples.len() - 1) as f64 * p).round() as usize];
    // Fixture labels of the test's own (not the report catalogue's).
    let t = |zh: &str, en: &str| pick(lang, zh, en).to_string();
    let hist = Chart::McHistogram(chart::McHistogram {
        title: t(
            "蒙特卡洛模拟：评估价值分布",
            "Monte Carlo: distribution of the value",
        ),
        x_label: t("评估价值（万元）", "Value (10k CNY)"),
        y_label: t("频率（%）", "Frequency (%)"),
        bins: bin(&samples, 40),
        p5: pct(0.05),
        p50: pct(0.5),
        p95: pct(0.95),
        pledge: Some(chart::Marker {
            label: t("质押价值", "Pledge value"),
            value: pct(0.05) * 0.8,
        }),
    });
    let bar = |zh: &str, en: &str, lo: f64, hi: f64, ln: &str, hn: &str| chart::TornadoBar {
        label: t(zh, en),
        value_low: lo,
        value_high: hi,
        low_note: Some(ln.into()),
        high_note: Some(hn.into()),
    };
    let tornado = Chart::Tornado(chart::Tornado {
        title: t("敏感性分析：各输入的影响", "Sensitivity: swing by input"),
        x_label: t("评估价值（万元）", "Value (10k CNY)"),
        base: 2_483_646.93,
        legend: (t("输入取低值", "Input low"), t("输入取高值", "Input high")),
        bars: vec![
            bar(
                "折现率 r",
                "Discount rate r",
                2_900_000.0,
                2_150_000.0,
                "14%",
                "20%",
            ),
            bar(
                "分成率 K",
                "Split rate K",
                2_050_000.0,
                2_900_000.0,
                "7.0%",
                "10.0%",
            ),
            bar(
                "收入增长率 g",
                "Growth g",
                2_380_000.0,
                2_590_000.0,
                "0%",
                "4%",
            ),
            bar(
                "经济寿命 n",
                "Economic life n",
                2_120_000.0,
                2_700_000.0,
                "6 年",
                "10 年",
            ),
            bar(
                "成新率",
                "Newness",
                2_440_000.0,
                2_520_000.0,
                "≤ 50%",
                "≥ 60%",
            ),
        ],
    });
    let football = Chart::FootballField(chart::FootballField {
        title: t(
            "各评估方法结果与评估结论",
            "Value by approach and the conclusion",
        ),
        x_label: t("价值（万元）", "Value (10k CNY)"),
        bars: vec![
            chart::RangeBar {
                label: t("收益法", "Income"),
                low: 1_950_000.0,
                high: 3_100_000.0,
                point: Some(2_483_646.93),
            },
            chart::RangeBar {
                label: t("市场法", "Market"),
                low: 1_700_000.0,
                high: 3_400_000.0,
                point: Some(2_300_000.0),
            },
            chart::RangeBar {
                label: t("成本法", "Cost"),
                low: 1_460_000.0,
                high: 1_460_000.0,
                point: Some(1_460_000.0),
            },
        ],
        concluded: Some(chart::Marker {
            label: t("评估结论", "Concluded"),
            value: 2_483_646.93,
        }),
        legend: (t("点估计", "Point value"), t("区间 P5–P95", "Range P5–P95")),
    });
    let regions = [
        ("北京", "Beijing"),
        ("上海", "Shanghai"),
        ("广东", "Guangdong"),
    ];
    let points = (0..15)
        .map(|i| {
            let (zh, en) = regions[i % 3];
            chart::ComparablePoint {
                date: d(2019 + (i as i32) / 3, 1 + (i as u32 * 5) % 12, 15),
                adjusted_price: 1_600_000.0
                    + 95_000.0 * i as f64
                    + 180_000.0 * ((i * 7) % 5) as f64,
                region: pick(lang, zh, en).to_string(),
            }
        })
        .collect();
    let comparables = Chart::Comparables(chart::Comparables {
        title: t(
            "可比交易案例：调整后价格",
            "Comparable deals: adjusted price",
        ),
        x_label: t("交易日期", "Deal date"),
        y_label: t("调整后价格（万元）", "Adjusted price (10k CNY)"),
        points,
        subject: Some(chart::Marker {
            label: t("评估对象（市场法）", "Subject (market)"),
            value: 2_300_000.0,
        }),
    });
    let (p, r, n) = (1_000_000.0f64, 0.0435 / 12.0, 12u32);
    let pay = p * r / (1.0 - (1.0 + r).powi(-(n as i32)));
    let mut bal = p;
    let periods = (1..=n)
        .map(|k| {
            let i = bal * r;
            let pr = pay - i;
            bal -= pr;
            chart::LoanPeriod {
                period: k,
                principal: pr,
                interest: i,
                balance: bal.max(0.0),
            }
        })
        .collect();
    let loan = Chart::LoanSchedule(chart::LoanSchedule {
        title: t("还款计划（等额本息）", "Repayment schedule (annuity)"),
        x_label: t("期次（月）", "Period (month)"),
        y_label: t("每期还款（万元）", "Payment (10k CNY)"),
        y2_label: t("剩余本金（万元）", "Balance (10k CNY)"),
        legend: [
            t("本金", "Principal"),
            t("利息", "Interest"),
            t("剩余本金", "Balance"),
        ],
        periods,
    });
    let loss = Chart::LossSharing(chart::LossSharing {
        title: t("违约损失分担", "Sharing of a default loss"),
        x_label: t("承担损失（万元）", "Loss borne (10k CNY)"),
        parties: vec![
            t("银行", "Bank"),
            t("市担保公司", "City guarantor"),
            t("省再担保", "Provincial re-guarantor"),
            t("风险补偿资金池", "Risk pool"),
        ],
        scenarios: vec![
            chart::LossScenario {
                label: t("损失 100 万元", "Loss 1.0m"),
                amounts: vec![200_000.0, 400_000.0, 200_000.0, 200_000.0],
            },
            chart::LossScenario {
                label: t("损失 60 万元", "Loss 0.6m"),
                amounts: vec![120_000.0, 240_000.0, 120_000.0, 120_000.0],
            },
            chart::LossScenario {
                label: t("损失 20 万元", "Loss 0.2m"),
                amounts: vec![40_000.0, 80_000.0, 40_000.0, 40_000.0],
            },
        ],
    });
    let market = Chart::MarketStats(chart::MarketStats {
        title: t(
            "技术合同成交额（输出地域）",
            "Technology-contract value by seller region",
        ),
        x_label: t("年份", "Year"),
        y_label: t("成交额（亿元）", "Value (100m CNY)"),
        series: chart::market_series(
            &market_rows(),
            chart::Flow::Outflow,
            5,
            Some("Guangdong"),
            lang == Lang::Zh,
        ),
        source: Some(t(
            "来源：《中国科技统计年鉴》（techme 汇编）",
            "Source: China Statistical Yearbook on Science and Technology (techme)",
        )),
    });
    vec![hist, tornado, football, comparables, loan, loss, market]
}

/// The report set of a shipped case (`None`: the bundled demo) after the whole pipeline, as
/// `techval pipeline` writes it.
pub(super) fn case_set(case: Option<&str>, lang: Lang) -> ReportSet {
    case_set_on(case, None, lang)
}

/// [`case_set`] on a rulebook.
pub(super) fn case_set_on(case: Option<&str>, rulebook: Option<&str>, lang: Lang) -> ReportSet {
    let models = ModelBook::builtin().unwrap();
    let path = case.map(|c| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(c));
    let mut ld = Loaded::load(path.as_ref(), rulebook, &models, None).unwrap();
    ld.load_deals(None, models.market.selection.k as usize)
        .unwrap();
    let ctx = ld.ctx(&models);
    let r = techval::pipeline::run(&ld.case, &ctx).unwrap();
    let opts = ReportOptions {
        lang: match lang {
            Lang::Zh => LangArg::Zh,
            Lang::En => LangArg::En,
        },
        market_stats: None,
        conclude: None,
        swing: 0.1,
        png_scale: 1.0,
    };
    build_set(
        &ld,
        &models,
        StageResults {
            valuations: &r.valuations,
            reconciliation: r.reconciliation.as_ref(),
            simulation: r.simulation.as_ref(),
            finance: Some((&r.guarantee, &r.loan)),
        },
        &opts,
    )
    .unwrap()
}

pub(super) const MARKET_CASE: &str = "datasets/cases/invention_patent_market.toml";

pub(super) fn no_missing_glyphs(what: &str, text: &str) {
    assert_eq!(
        font::missing_glyphs(text).unwrap(),
        Vec::<char>::new(),
        "{what}"
    );
}

#[test]
pub(super) fn capital_numerals() {
    let cap = |s: &str| capital::capital_yuan(Money::parse(s).unwrap()).unwrap();
    assert_eq!(cap("2483646.93"), "贰佰肆拾捌万叁仟陆佰肆拾陆元玖角叁分");
    assert_eq!(cap("1409.50"), "壹仟肆佰零玖元伍角整");
    assert_eq!(cap("100100"), "壹拾万零壹佰元整");
    assert_eq!(cap("100000001.05"), "壹亿零壹元零伍分");
    assert_eq!(cap("0"), "零元整");
}

#[test]
pub(super) fn every_chart_and_report_label_has_a_glyph() {
    for lang in [Lang::Zh, Lang::En] {
        // Every kind of chart, from a fixture.
        for c in &all_charts(lang) {
            let svg = chart::render_svg(c, chart::ChartSize::default()).unwrap();
            let text = chart::svg_text(&svg);
            assert!(
                text.chars().filter(|c| !c.is_whitespace()).count() > 20,
                "{}: too little text",
                c.name()
            );
            no_missing_glyphs(&format!("fixture chart {} ({lang:?})", c.name()), &text);
        }
        // Every chart and report of the real report sets.
        for case in [None, Some(MARKET_CASE)] {
            let set = case_set(case, lang);
            for c in &set.charts {
                no_missing_glyphs(
                    &format!("{case:?} chart {} ({lang:?})", c.name),
                    &chart::svg_text(&c.svg),
                );
            }
            no_missing_glyphs(
                &format!("{case:?} valuation report ({lang:?})"),
                &report::html::visible_text(&set.html),
            );
            let memo = set.credit_html.as_deref().expect("a credit memo");
            no_missing_glyphs(
                &format!("{case:?} credit memo ({lang:?})"),
                &report::html::visible_text(memo),
            );
        }
    }
    // The check does catch a missing glyph.
    assert_eq!(font::missing_glyphs("评估𠮷").unwrap(), vec!['𠮷']);
}

pub(super) fn figure_ids(html: &str) -> Vec<String> {
    html.match_indices("id=\"chart-")
        .map(|(i, _)| {
            let rest = &html[i + 10..];
            rest[..rest.find('"').unwrap()].to_string()
        })
        .collect()
}

#[test]
pub(super) fn reports_show_every_chart_of_their_stages() {
    let gallery = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("report-gallery");
    // The demo: income + cost reconciled, Monte Carlo of the reconciled value, the loan.
    // On the plain bank policy (no guarantee) there is no loss sharing to chart.
    let plain = case_set(None, Lang::Zh);
    let names: Vec<&str> = plain.charts.iter().map(|c| c.name).collect();
    assert_eq!(
        names,
        [
            "football_field",
            "mc_histogram",
            "tornado",
            "loan_schedule",
            "market_stats",
            "score_radar"
        ]
    );
    // Under the Jinan 2:2:4:2 programme the memo charts and tabulates the loss sharing.
    let set = case_set_on(None, Some("jinan_2242"), Lang::Zh);
    let names: Vec<&str> = set.charts.iter().map(|c| c.name).collect();
    assert_eq!(
        names,
        [
            "football_field",
            "mc_histogram",
            "tornado",
            "loan_schedule",
            "loss_sharing",
            "market_stats",
            "score_radar"
        ]
    );
    // The demo's ratings: the scoring section (七) and the memo's pledge section show the radar.
    assert_eq!(
        figure_ids(&set.html),
        [
            "score_radar",
            "football_field",
            "mc_histogram",
            "tornado",
            "market_stats"
        ]
    );
    let memo = set.credit_html.as_deref().unwrap();
    assert_eq!(
        figure_ids(memo),
        ["score_radar", "loan_schedule", "loss_sharing"]
    );
    assert!(
        memo.contains("分担比例") && memo.contains("本金全损"),
        "loss-sharing table"
    );
    for c in &set.charts {
        assert!(
            set.html
                .contains(&format!("<figcaption>{}</figcaption>", c.title))
                || memo.contains(&format!("<figcaption>{}</figcaption>", c.title)),
            "{}",
            c.name
        );
        assert_eq!(&c.png[1..4], b"PNG");
        assert!(c.svg_standalone.contains("@font-face"), "{}", c.name);
    }
    // The numbers shown are the stages' numbers.
    let json: serde_json::Value = serde_json::from_str(&set.results_json).unwrap();
    let concluded = json["reconciliation"]["concluded_value"].as_str().unwrap();
    let shown = techval::money::group_thousands(concluded.parse().unwrap(), 2);
    assert!(set.html.contains(&format!("人民币 {shown} 元")), "{shown}");
    let cap = capital::capital_yuan(Money::parse(concluded).unwrap()).unwrap();
    assert!(set.html.contains(&cap), "{cap}");
    let loan = json["loan"]["amount"].as_str().unwrap();
    let loan_shown = techval::money::group_thousands(loan.parse().unwrap(), 2);
    assert!(memo.contains(&format!("{loan_shown} 元")), "{loan_shown}");
    let el = json["loan"]["risk"]["expected_loss"].as_str().unwrap();
    assert!(memo.contains(&techval::money::group_thousands(el.parse().unwrap(), 2)));
    let seed = json["seed"].as_u64().unwrap();
    assert!(set.html.contains(&format!("随机种子 {seed}")));
    assert!(!set.html.contains("<script"), "self-contained, no scripts");
    assert!(
        set.html.matches("http://").count()
            == set.html.matches("http://www.w3.org/2000/svg").count(),
        "no external resources"
    );
    set.write(&gallery.join("demo")).unwrap();

    // The market case: comparables in the market-approach section, on the default public set
    // of real deals, labelled with the count of real comparables.
    let set = case_set(Some(MARKET_CASE), Lang::En);
    assert!(figure_ids(&set.html).contains(&"comparables".to_string()));
    assert!(
        set.html.contains("REAL deals from public records"),
        "real data labelled in the footer"
    );
    let json: serde_json::Value = serde_json::from_str(&set.results_json).unwrap();
    assert_eq!(json["data_provenance"]["synthetic"], false);
    let n_used = json["market"]["summary"]["n_used"].as_u64().unwrap_or(0);
    assert!(
        set.html
            .contains(&format!("{n_used} comparables used, all real deals")),
        "{n_used}"
    );
    set.write(&gallery.join("market")).unwrap();

    // Fixture charts at 1.5×: PNG size follows the preferred size.
    for c in &all_charts(Lang::Zh) {
        let r = chart::render_all(c, 1.5).unwrap();
        let dec = png::Decoder::new(std::io::Cursor::new(&r.png))
            .read_info()
            .unwrap();
        let sz = c.preferred_size();
        assert_eq!(
            (dec.info().width, dec.info().height),
            (sz.width * 3 / 2, sz.height * 3 / 2),
            "{}",
            c.name()
        );
    }
    // One bar / one scenario still draws (a one-row category axis).
    let one = Chart::LossSharing(chart::LossSharing {
        title: "x".into(),
        x_label: "y".into(),
        parties: vec!["银行".into()],
        scenarios: vec![chart::LossScenario {
            label: "s".into(),
            amounts: vec![100_000.0],
        }],
    });
    let svg = chart::render_svg(&one, one.preferred_size()).unwrap();
    assert!(
        svg.contains("<rect") && svg.matches("fill=\"#4C78A8\"").count() >= 2,
        "bar and legend drawn"
    );
}
