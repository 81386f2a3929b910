//! Charts and reports (issue 6): glyph coverage of every label, every chart in the HTML, the
//! workbook's formulas against the JSON results, 大写 amounts, and the `techval report` command.

use calamine::{Data, Reader, Xlsx};
use chrono::NaiveDate;
use rand::SeedableRng;
use rand_distr::{Distribution, LogNormal};
use rust_decimal::{Decimal, MathematicalOps};
use std::collections::HashMap;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::process::Command;
use techval::chart::{self, font, Chart};
use techval::report::credit::{self, CreditMemo};
use techval::report::{self, capital, valuation as vr, Conclusion, Lang, Provenance};
use techval::{Case, ModelBook, Money, Rate};

const MARKET_CSV: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/data/tech_market_by_province.csv"
);

fn market_rows() -> Vec<chart::TechMarketRow> {
    chart::read_tech_market_csv(Path::new(MARKET_CSV)).unwrap_or_else(|e| {
        panic!("the technology-market CSV of shared/data is needed beside the repo: {e}")
    })
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// A fixture with every kind of chart, labelled in `lang` (numbers made up for the pictures).
fn all_charts(lang: Lang) -> Vec<Chart> {
    let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(20250630);
    let ln = LogNormal::new(2_400_000f64.ln(), 0.22).unwrap();
    let mut samples: Vec<f64> = (0..4000).map(|_| ln.sample(&mut rng)).collect();
    samples.sort_by(f64::total_cmp);
    let pct = |p: f64| samples[((samples.len() - 1) as f64 * p).round() as usize];
    let t = |zh: &str, en: &str| lang.t(zh, en).to_string();
    let hist = Chart::McHistogram(chart::McHistogram {
        title: t(
            "蒙特卡洛模拟：评估价值分布",
            "Monte Carlo: distribution of the value",
        ),
        x_label: t("评估价值（万元）", "Value (10k CNY)"),
        y_label: t("频率（%）", "Frequency (%)"),
        samples: samples.clone(),
        bins: 40,
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
                region: lang.t(zh, en).to_string(),
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

fn demo() -> (Case, ModelBook) {
    let models = ModelBook::builtin().unwrap();
    let case = Case::demo().unwrap();
    case.validate(&models).unwrap();
    (case, models)
}

fn valuation_html(lang: Lang, charts: &[Chart]) -> String {
    let (case, models) = demo();
    let (vals, skipped) = techval::cli::report::run_available(&case, &models, "demo").unwrap();
    let conclusion = Conclusion::select(&vals, None).unwrap();
    let rendered = report::render_charts(charts, 1.0).unwrap();
    let prov = Provenance {
        techval_version: "test".into(),
        case_file: "demo".into(),
        models: "builtin".into(),
        seed: Some(42),
        draws: Some(4000),
        data: vec![],
    };
    vr::render(&vr::ValuationReportInput {
        lang,
        case: &case,
        valuations: &vals,
        not_performed: &skipped,
        conclusion: &conclusion,
        charts: &rendered,
        provenance: &prov,
        warnings: &[],
    })
    .unwrap()
}

fn memo() -> CreditMemo {
    let m = |x: f64| Money::from_f64_boundary(x).unwrap();
    let rate = |s: &str| Rate::parse(s).unwrap();
    let (p, r, n) = (1_000_000.0f64, 0.0435 / 12.0, 12u32);
    let pay = p * r / (1.0 - (1.0 + r).powi(-(n as i32)));
    let mut bal = p;
    let schedule = (1..=n)
        .map(|k| {
            let i = bal * r;
            let pr = pay - i;
            bal -= pr;
            credit::ScheduleLine {
                period: k,
                date: Some(d(2025 + ((6 + k) / 12) as i32, (6 + k) % 12 + 1, 20)),
                payment: m(pay),
                principal: m(pr),
                interest: m(i),
                balance: m(bal.max(0.0)),
            }
        })
        .collect();
    CreditMemo {
        borrower: "深圳某微电子有限公司".into(),
        lender: "某银行深圳分行".into(),
        guarantors: vec!["深圳市某融资担保有限公司".into()],
        subject_name: "一种低功耗毫米波雷达信号处理方法".into(),
        appraised_value: m(2_483_646.93),
        valuation_date: d(2025, 6, 30),
        valuation_report: Some("某评报字〔2025〕第 0123 号".into()),
        pledge_rate: rate("40%"),
        pledge_value: m(993_458.77),
        limits: vec![
            credit::SizeLimit {
                name: "质押价值 × 质押率".into(),
                amount: m(993_458.77),
                binding: true,
            },
            credit::SizeLimit {
                name: "DSCR ≥ 1.25 上限".into(),
                amount: m(1_200_000.0),
                binding: false,
            },
        ],
        loan: credit::LoanTerms {
            principal: m(1_000_000.0),
            annual_rate: rate("4.35%"),
            rate_basis: Some("1年期LPR 3.00% + 135bp".into()),
            term_months: 12,
            repayment: "等额本息".into(),
            start_date: Some(d(2025, 7, 20)),
        },
        schedule,
        totals: None,
        risk: Some(credit::CreditRisk {
            pd: rate("2%"),
            lgd: rate("45%"),
            ead: m(1_000_000.0),
            expected_loss: m(9_000.0),
            rating: Some("BBB".into()),
        }),
        loss_sharing: Some(credit::LossSharingTable {
            parties: vec![
                "银行".into(),
                "担保公司".into(),
                "再担保".into(),
                "风险补偿资金池".into(),
            ],
            shares: vec![rate("20%"), rate("40%"), rate("20%"), rate("20%")],
            scenarios: vec![(
                "损失 100 万元".into(),
                vec![m(200_000.0), m(400_000.0), m(200_000.0), m(200_000.0)],
            )],
            rule: Some("银行:担保:再担保:资金池 = 2:4:2:2".into()),
        }),
        conditions: vec!["放款前办妥专利权质押登记。".into()],
        notes: vec!["评估值 ≥ 质押价值 ÷ 40%。".into()],
    }
}

#[test]
fn capital_numerals() {
    let cap = |s: &str| capital::capital_yuan(Money::parse(s).unwrap()).unwrap();
    assert_eq!(cap("2483646.93"), "贰佰肆拾捌万叁仟陆佰肆拾陆元玖角叁分");
    assert_eq!(cap("1409.50"), "壹仟肆佰零玖元伍角整");
    assert_eq!(cap("100100"), "壹拾万零壹佰元整");
    assert_eq!(cap("100000001.05"), "壹亿零壹元零伍分");
    assert_eq!(cap("0"), "零元整");
}

#[test]
fn every_chart_and_report_label_has_a_glyph() {
    for lang in [Lang::Zh, Lang::En] {
        let charts = all_charts(lang);
        for c in &charts {
            let svg = chart::render_svg(c, chart::ChartSize::default()).unwrap();
            let text = chart::svg_text(&svg);
            assert!(
                text.chars().filter(|c| !c.is_whitespace()).count() > 20,
                "{}: too little text",
                c.name()
            );
            assert_eq!(
                font::missing_glyphs(&text).unwrap(),
                Vec::<char>::new(),
                "chart {} ({lang:?})",
                c.name()
            );
        }
        let html = valuation_html(lang, &charts);
        let text = report::html::visible_text(&html);
        assert_eq!(
            font::missing_glyphs(&text).unwrap(),
            Vec::<char>::new(),
            "valuation report ({lang:?})"
        );
        let m = memo();
        let mc = report::render_charts(&credit::memo_charts(&m, lang), 1.0).unwrap();
        let html = credit::render(&m, lang, &mc, &Provenance::default()).unwrap();
        let text = report::html::visible_text(&html);
        assert_eq!(
            font::missing_glyphs(&text).unwrap(),
            Vec::<char>::new(),
            "credit memo ({lang:?})"
        );
    }
    // The check does catch a missing glyph.
    assert_eq!(font::missing_glyphs("评估𠮷").unwrap(), vec!['𠮷']);
}

#[test]
fn html_contains_every_chart_and_renders_pngs() {
    let charts = all_charts(Lang::Zh);
    let html = valuation_html(Lang::Zh, &charts);
    for c in &charts {
        let id = format!("id=\"chart-{}\"", c.name());
        assert_eq!(html.matches(&id).count(), 1, "{id}");
        assert!(
            html.contains(&format!("<figcaption>{}</figcaption>", c.title())),
            "{}",
            c.name()
        );
    }
    assert!(html.contains("@font-face{font-family:\"TechvalSans\""));
    assert!(
        html.contains("贰佰肆拾") || html.contains("大写"),
        "conclusion in capital numerals"
    );
    assert!(!html.contains("<script"), "self-contained, no scripts");
    assert!(
        !html.contains("http://")
            || html.matches("http://").count()
                == html.matches("http://www.w3.org/2000/svg").count(),
        "no external resources"
    );
    // A gallery for looking at: target/tmp/report-gallery/{*.png,*.svg,report.html}.
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("report-gallery");
    for c in &charts {
        let r = chart::render_all(c, 1.5).unwrap();
        assert_eq!(&r.png[1..4], b"PNG");
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
        assert!(r.svg_standalone.contains("@font-face"), "{}", c.name());
        techval::input::write_atomic(&dir.join(format!("{}.png", c.name())), &r.png).unwrap();
        techval::input::write_atomic(
            &dir.join(format!("{}.svg", c.name())),
            r.svg_standalone.as_bytes(),
        )
        .unwrap();
    }
    techval::input::write_atomic(&dir.join("report.html"), html.as_bytes()).unwrap();
    let m = memo();
    let mc = report::render_charts(&credit::memo_charts(&m, Lang::Zh), 1.0).unwrap();
    let memo_html = credit::render(&m, Lang::Zh, &mc, &Provenance::default()).unwrap();
    assert!(
        memo_html.contains("id=\"chart-loan_schedule\"")
            && memo_html.contains("id=\"chart-loss_sharing\"")
    );
    techval::input::write_atomic(&dir.join("credit_memo.html"), memo_html.as_bytes()).unwrap();
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

// ---- a small evaluator for the workbook's formulas --------------------------------------------

struct Eval<'a> {
    s: Vec<char>,
    i: usize,
    cell: &'a dyn Fn(u32, u32) -> f64,
}

fn col_row(r: &str) -> (u32, u32) {
    let r = r.replace('$', "");
    let letters: String = r.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
    let digits = &r[letters.len()..];
    let col = letters
        .chars()
        .fold(0u32, |a, c| a * 26 + (c as u32 - 'A' as u32 + 1))
        - 1;
    (digits.parse::<u32>().unwrap() - 1, col)
}

impl Eval<'_> {
    fn peek(&self) -> Option<char> {
        self.s.get(self.i).copied()
    }
    fn expr(&mut self) -> f64 {
        let mut v = self.term();
        while let Some(c @ ('+' | '-')) = self.peek() {
            self.i += 1;
            let t = self.term();
            v = if c == '+' { v + t } else { v - t };
        }
        v
    }
    fn term(&mut self) -> f64 {
        let mut v = self.factor();
        while let Some(c @ ('*' | '/')) = self.peek() {
            self.i += 1;
            let t = self.factor();
            v = if c == '*' { v * t } else { v / t };
        }
        v
    }
    fn factor(&mut self) -> f64 {
        match self.peek() {
            Some('-') => {
                self.i += 1;
                -self.factor()
            }
            Some('(') => {
                self.i += 1;
                let v = self.expr();
                assert_eq!(self.peek(), Some(')'));
                self.i += 1;
                v
            }
            Some(c) if c.is_ascii_digit() || c == '.' => {
                let st = self.i;
                while self.peek().is_some_and(|c| c.is_ascii_digit() || c == '.') {
                    self.i += 1;
                }
                self.s[st..self.i]
                    .iter()
                    .collect::<String>()
                    .parse()
                    .unwrap()
            }
            Some(_) => {
                let st = self.i;
                while self
                    .peek()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || c == '$')
                {
                    self.i += 1;
                }
                let word: String = self.s[st..self.i].iter().collect();
                if self.peek() == Some('(') {
                    self.i += 1;
                    let v = match word.as_str() {
                        "SUM" => {
                            let a = self.reference();
                            assert_eq!(self.peek(), Some(':'));
                            self.i += 1;
                            let b = self.reference();
                            let (a, b) = (col_row(&a), col_row(&b));
                            let mut s = 0.0;
                            for r in a.0..=b.0 {
                                for c in a.1..=b.1 {
                                    s += (self.cell)(r, c);
                                }
                            }
                            s
                        }
                        "ROUND" => {
                            let x = self.expr();
                            assert_eq!(self.peek(), Some(','));
                            self.i += 1;
                            let dp = self.expr() as i32;
                            let k = 10f64.powi(dp);
                            (x * k).abs().round().copysign(x) / k
                        }
                        other => panic!("function {other} not expected in the workbook"),
                    };
                    assert_eq!(self.peek(), Some(')'));
                    self.i += 1;
                    v
                } else {
                    let (r, c) = col_row(&word);
                    (self.cell)(r, c)
                }
            }
            None => panic!("unexpected end of formula"),
        }
    }
    fn reference(&mut self) -> String {
        let st = self.i;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '$')
        {
            self.i += 1;
        }
        self.s[st..self.i].iter().collect()
    }
}

/// Re-evaluates every formula of a sheet from the cached values of the cells it references and
/// checks it against its own cached value. Returns (cell → cached value, formula count).
fn check_sheet(wb: &mut Xlsx<Cursor<Vec<u8>>>, sheet: &str) -> (HashMap<(u32, u32), f64>, usize) {
    let values = wb.worksheet_range(sheet).unwrap();
    let formulas = wb.worksheet_formula(sheet).unwrap();
    let mut cached = HashMap::new();
    for (r, c, v) in values.used_cells() {
        let (r, c) = (
            r as u32 + values.start().unwrap().0,
            c as u32 + values.start().unwrap().1,
        );
        if let Data::Float(x) = v {
            cached.insert((r, c), *x);
        } else if let Data::Int(x) = v {
            cached.insert((r, c), *x as f64);
        }
    }
    let mut n = 0;
    let start = formulas.start().unwrap_or((0, 0));
    for (r, c, f) in formulas.used_cells() {
        if f.is_empty() {
            continue;
        }
        let (r, c) = (r as u32 + start.0, c as u32 + start.1);
        let lookup = |rr: u32, cc: u32| {
            *cached.get(&(rr, cc)).unwrap_or_else(|| {
                panic!("{sheet}: formula at ({r},{c}) refers to an empty cell ({rr},{cc})")
            })
        };
        let mut e = Eval {
            s: f.trim_start_matches('=')
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect(),
            i: 0,
            cell: &lookup,
        };
        let got = e.expr();
        assert_eq!(e.i, e.s.len(), "{sheet}: formula `{f}` not fully parsed");
        let want = cached[&(r, c)];
        let tol = if want.abs() > 1.0 { 0.005 } else { 1e-9 };
        assert!(
            (got - want).abs() <= tol,
            "{sheet}!{}: `{f}` evaluates to {got}, cached {want}",
            techval::report::xlsx::a1(r, c as u16)
        );
        n += 1;
    }
    (cached, n)
}

#[test]
fn workbook_formulas_agree_with_the_json_results() {
    let (case, models) = demo();
    let set =
        techval::cli::report::build(&case, "demo", &models, Lang::Zh, None, None, 1.0).unwrap();
    let json: serde_json::Value = serde_json::from_str(&set.results_json).unwrap();
    let cost_value: f64 = json["valuations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["approach"] == "cost")
        .and_then(|v| v["value"].as_str())
        .unwrap()
        .parse()
        .unwrap();
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(set.xlsx.clone())).unwrap();
    let names = wb.sheet_names();
    assert!(
        names.contains(&"成本法 Cost".to_string()) && names.contains(&"审计轨迹 Audit".to_string()),
        "{names:?}"
    );
    let (cached, n) = check_sheet(&mut wb, "成本法 Cost");
    assert!(n >= 8, "only {n} formulas in the cost sheet");
    // The last formula cell of column D is the value, =ROUND(V,2): it matches the JSON.
    let formulas = wb.worksheet_formula("成本法 Cost").unwrap();
    let start = formulas.start().unwrap();
    let (vr, vc) = formulas
        .used_cells()
        .filter(|(_, _, f)| f.starts_with("ROUND") || f.starts_with("=ROUND"))
        .map(|(r, c, _)| (r as u32 + start.0, c as u32 + start.1))
        .next_back()
        .expect("a ROUND formula for the value");
    assert!(
        (cached[&(vr, vc)] - cost_value).abs() < 0.01,
        "workbook {} vs JSON {cost_value}",
        cached[&(vr, vc)]
    );

    // An income valuation with a period table (made-up numbers in the layout the income method
    // produces): attributable = base × rate, PV = attributable × DF, value = ROUND(Σ PV, 2).
    let mut rows = Vec::new();
    let mut sum = Decimal::ZERO;
    for t in 1..=5u32 {
        let base = Decimal::from(10_000_000 + 1_000_000 * t);
        let rate = Decimal::new(3, 2);
        let df = Decimal::ONE / (Decimal::new(115, 2).powu(u64::from(t)));
        let attr = base * rate;
        let pv = attr * df;
        sum += pv;
        rows.push(techval::valuation::PeriodRow {
            period: t,
            fraction: "1".into(),
            t: t.to_string(),
            base: Money::new(base),
            rate: rate.to_string(),
            attributable: Money::new(attr),
            discount_factor: df.to_string(),
            pv: Money::new(pv),
        });
    }
    let income = techval::Valuation {
        approach: techval::Approach::Income,
        method: "revenue_split".into(),
        value: Money::new(sum).round_fen(),
        periods: rows,
        audit: Default::default(),
        warnings: vec![],
    };
    let concl = Conclusion::select(std::slice::from_ref(&income), None).unwrap();
    let bytes = report::xlsx::workbook(
        &case,
        std::slice::from_ref(&income),
        &concl,
        &Provenance::default(),
        Lang::En,
    )
    .unwrap();
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    let (cached, n) = check_sheet(&mut wb, "收益法 Income");
    assert_eq!(
        n,
        5 * 2 + 2,
        "attributable and PV per period, Σ and the value"
    );
    let value = cached.values().copied().fold(f64::NAN, |a, b| {
        if (b - income.value.to_f64()).abs() < 0.01 {
            b
        } else {
            a
        }
    });
    assert!(
        value.is_finite(),
        "the income value {} is in the sheet",
        income.value
    );
}

fn techval_bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_techval"))
}

#[test]
fn report_command_writes_the_set_and_fails_cleanly() {
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("report-cli");
    let _ = std::fs::remove_dir_all(&tmp);
    let out = tmp.join("set");
    let o = techval_bin()
        .args(["report", "--out"])
        .arg(&out)
        .args(["--lang", "en", "--market-stats", MARKET_CSV])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for f in [
        "report.html",
        "workbook.xlsx",
        "results.json",
        "charts/football_field.svg",
        "charts/football_field.png",
        "charts/market_stats.svg",
        "charts/market_stats.png",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains("id=\"chart-football_field\"") && html.contains("id=\"chart-market_stats\"")
    );
    assert!(html.contains("Cost approach"));
    let leftovers: Vec<_> = walk(&out)
        .into_iter()
        .filter(|p| p.to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // A bad case file: exit 2, one line naming the file and field, nothing written.
    let bad = tmp.join("bad.toml");
    let text = techval::case::DEMO_CASE
        .1
        .replace("used_years = 6.3", "used_years = -1");
    std::fs::write(&bad, text).unwrap();
    let out2 = tmp.join("bad-set");
    let o = techval_bin()
        .args(["report", "--case"])
        .arg(&bad)
        .arg("--out")
        .arg(&out2)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("bad.toml") && err.contains("cost.used_years"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(!out2.exists());

    // A bad statistics file names the file and line.
    let csv = tmp.join("m.csv");
    std::fs::write(&csv, "region_zh,region_en,year,direction,contracts,value_wan_yuan\n北京,Beijing,2020,inflow,x,1\n").unwrap();
    let o = techval_bin()
        .args(["report", "--out"])
        .arg(tmp.join("s3"))
        .arg("--market-stats")
        .arg(&csv)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("m.csv: line 2: column contracts = x"), "{err}");
}

fn walk(p: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(p) {
        for e in rd.flatten() {
            let path = e.path();
            if path.is_dir() {
                out.extend(walk(&path));
            } else {
                out.push(path);
            }
        }
    }
    out
}
