//! The valuation report (资产评估报告) as self-contained HTML.
//!
//! Structure (《资产评估执业准则——资产评估报告》, CAS 2018): summary; 一 委托人及其他报告使用人;
//! 二 评估目的; 三 评估对象和评估范围; 四 价值类型; 五 评估基准日; 六 评估依据; 七 评估方法;
//! 八 评估程序实施过程和情况; 九 评估假设; 十 评估结论 (with the amount in capital numerals);
//! 十一 特别事项说明; 十二 评估报告使用限制说明; 十三 评估报告日 and signatures; appendices with
//! the period tables and every audit step; a footer with the provenance.
//!
//! Numbers come from the [`Valuation`]s and the [`Conclusion`] as given; this module formats them.

use super::assemble::{input_label, ConcludedDistribution};
use super::html::{esc, kv_table, table};
use super::{capital, Conclusion, ConclusionBasis, Lang, Provenance};
use crate::audit::{AuditValue, Unit};
use crate::case::{Case, Purpose};
use crate::chart::{self, RenderedChart};
use crate::error::Result;
use crate::money::{group_thousands, round_half_away, Money};
use crate::report::info::{ReportInfo, ValueType};
use crate::subject::IpKind;
use crate::valuation::market::MarketOutcome;
use crate::valuation::reconcile::Reconciliation;
use crate::valuation::uncertainty::{Sensitivity, SimulationSummary};
use crate::valuation::{Approach, Valuation};
use rust_decimal::Decimal;

/// Everything a valuation report shows.
#[derive(Debug, Clone, Copy)]
pub struct ValuationReportInput<'a> {
    /// Language.
    pub lang: Lang,
    /// The case (subject, assumptions, `[report]`).
    pub case: &'a Case,
    /// The approaches performed.
    pub valuations: &'a [Valuation],
    /// Approaches not performed and why.
    pub not_performed: &'a [(Approach, String)],
    /// The concluded value.
    pub conclusion: &'a Conclusion,
    /// The reconciliation of the approaches, when more than one ran.
    pub reconciliation: Option<&'a Reconciliation>,
    /// Monte Carlo of each approach.
    pub simulations: &'a [SimulationSummary],
    /// Monte Carlo of the concluded value.
    pub distribution: Option<ConcludedDistribution<'a>>,
    /// Sensitivity of the concluded value.
    pub sensitivity: Option<&'a Sensitivity>,
    /// The market approach's comparables.
    pub market: Option<&'a MarketOutcome>,
    /// Charts to show (rendered; placed by kind).
    pub charts: &'a [RenderedChart],
    /// Footer provenance.
    pub provenance: &'a Provenance,
    /// Warnings to list under 特别事项说明.
    pub warnings: &'a [String],
}

/// Name of an IP kind in the language.
pub fn kind_name(lang: Lang, k: IpKind) -> &'static str {
    match lang {
        Lang::Zh => k.name_zh(),
        Lang::En => match k {
            IpKind::InventionPatent => "invention patent",
            IpKind::UtilityModel => "utility model patent",
            IpKind::DesignPatent => "design patent",
            IpKind::SoftwareCopyright => "software copyright",
            IpKind::KnowHow => "know-how",
            IpKind::Achievement => "technology achievement",
            IpKind::Trademark => "trademark",
        },
    }
}

/// `2,483,646.93`.
fn yuan(m: Money) -> String {
    group_thousands(m.amount(), 2)
}

/// A decimal text shortened to `dp` places for display (text passes through).
fn short(s: &str, dp: u32) -> String {
    match s.parse::<Decimal>() {
        Ok(d) => round_half_away(d, dp).normalize().to_string(),
        Err(_) => s.to_string(),
    }
}

/// An audit value for display: money to the fen with separators, numbers to 6 places.
pub fn show_value(v: &AuditValue, lang: Lang) -> String {
    match v.unit {
        Unit::Yuan => match v.value.parse::<Decimal>() {
            Ok(d) => format!("{} {}", group_thousands(d, 2), lang.t("元", "CNY")),
            Err(_) => v.value.clone(),
        },
        Unit::Rate | Unit::Number => short(&v.value, 6),
        Unit::Years => format!("{} {}", short(&v.value, 4), lang.t("年", "y")),
        Unit::Text => v.value.clone(),
    }
}

fn section(no_zh: &str, no_en: &str, zh: &str, en: &str, lang: Lang) -> String {
    format!(
        "<h2>{}</h2>\n",
        esc(&match lang {
            Lang::Zh => format!("{no_zh}、{zh}"),
            Lang::En => format!("{no_en}. {en}"),
        })
    )
}

fn p(text: &str) -> String {
    format!("<p>{}</p>\n", esc(text))
}

fn list(items: &[String]) -> String {
    let mut o = String::from("<ol>");
    for i in items {
        o.push_str(&format!("<li>{}</li>", esc(i)));
    }
    o.push_str("</ol>\n");
    o
}

fn figure(c: &RenderedChart) -> String {
    format!(
        "<figure>{}<figcaption>{}</figcaption></figure>\n",
        chart::inline_svg(&c.svg, c.name, &c.title),
        esc(&c.title)
    )
}

fn purpose_text(lang: Lang, case: &Case, client: &str) -> String {
    let s = &case.subject;
    let k = kind_name(lang, s.kind);
    match lang {
        Lang::Zh => match case.purpose {
            Some(Purpose::PledgeFinancing) => format!("{client}拟以其持有的{k}“{}”办理知识产权质押融资，本次评估为该经济行为涉及的{k}于评估基准日的价值提供参考依据。", s.name),
            Some(Purpose::Transfer) => format!("{client}拟转让其持有的{k}“{}”，本次评估为该转让行为提供价值参考依据。", s.name),
            Some(Purpose::Licensing) => format!("{client}拟许可他人使用其持有的{k}“{}”，本次评估为确定许可使用费提供价值参考依据。", s.name),
            Some(Purpose::Investment) => format!("为{client}就{k}“{}”相关的投资决策提供价值参考依据。", s.name),
            Some(Purpose::EquityContribution) => format!("{client}拟以其持有的{k}“{}”作价出资（入股），本次评估为该出资行为提供价值参考依据。", s.name),
            None => format!("为委托人了解{k}“{}”于评估基准日的价值提供参考依据。", s.name),
        },
        Lang::En => match case.purpose {
            Some(Purpose::PledgeFinancing) => format!("{client} intends to pledge the {k} “{}” as security for a loan (IP-pledge financing); this valuation gives the value of the {k} on the valuation date as a reference for that transaction.", s.name),
            Some(Purpose::Transfer) => format!("{client} intends to assign the {k} “{}”; this valuation gives a reference value for the assignment.", s.name),
            Some(Purpose::Licensing) => format!("{client} intends to license the {k} “{}”; this valuation gives a reference value for the licence fee.", s.name),
            Some(Purpose::Investment) => format!("This valuation gives {client} a reference value of the {k} “{}” for an investment decision.", s.name),
            Some(Purpose::EquityContribution) => format!("{client} intends to contribute the {k} “{}” to a company's equity; this valuation gives a reference value for the contribution.", s.name),
            None => format!("This valuation informs the client of the value of the {k} “{}” on the valuation date.", s.name),
        },
    }
}

fn basis_list(lang: Lang, vals: &[Valuation]) -> Vec<String> {
    let mut v: Vec<String> = match lang {
        Lang::Zh => vec![
            "法律法规依据：《中华人民共和国资产评估法》《中华人民共和国专利法》《中华人民共和国民法典》等；".into(),
            "准则依据：《资产评估基本准则》（财资〔2017〕43号）、《资产评估执业准则——无形资产》、《专利资产评估指导意见》、《资产评估执业准则——资产评估报告》、《资产评估价值类型指导意见》，GB/T 42748-2023《专利评估指引》；".into(),
            "权属依据：委托人提供的权利证书、登记或授权文件及缴费凭证；".into(),
        ],
        Lang::En => vec![
            "Laws: Asset Appraisal Law of the PRC, Patent Law of the PRC, Civil Code of the PRC;".into(),
            "Standards: CAS Basic Standard for Asset Appraisal (2017); practice standards on intangible assets, on patent appraisal, on appraisal reports and on value types; GB/T 42748-2023 Guidelines for Patent Evaluation;".into(),
            "Title: certificates, registration or grant documents and fee receipts provided by the client;".into(),
        ],
    };
    let mut sources: Vec<&str> = Vec::new();
    for val in vals {
        for st in &val.audit.steps {
            if let Some(s) = st.source.as_deref() {
                if !sources.contains(&s) {
                    sources.push(s);
                }
            }
        }
    }
    let pricing = if sources.is_empty() {
        lang.t(
            "取价依据：委托人提供的财务与经营资料、案例文件中的评估参数。",
            "Pricing: financial and operating data provided by the client, and the parameters of the case file.",
        )
        .to_string()
    } else {
        format!(
            "{}{}。",
            lang.t(
                "取价依据：委托人提供的财务与经营资料、案例文件中的评估参数，以及：",
                "Pricing: financial and operating data provided by the client, the parameters of the case file, and: "
            ),
            sources.join(lang.t("；", "; "))
        )
    };
    v.push(pricing);
    v
}

fn general_assumptions(lang: Lang) -> Vec<String> {
    match lang {
        Lang::Zh => vec![
            "交易假设：假定评估对象处在交易过程中，评估师根据评估对象的交易条件等模拟市场进行估价。".into(),
            "公开市场假设：假定评估对象可以在公开市场上自由交易，买卖双方地位平等，均有获取足够市场信息的机会和时间。".into(),
            "持续使用假设：假定评估对象按照目前的用途和使用方式在可预见的未来持续使用。".into(),
            "假设国家现行有关法律法规及政策、国家宏观经济形势无重大变化，评估对象所处地区的政治、经济和社会环境无重大变化。".into(),
            "假设评估对象权属清晰，相关费用按期缴纳，权利在收益期内持续有效，不存在未披露的权利限制或纠纷。".into(),
            "假设委托人提供的资料真实、完整、合法，收益预测所依据的经营计划能够如期实现。".into(),
        ],
        Lang::En => vec![
            "Transaction: the subject is assumed to be in the course of a transaction; the appraiser values it on the terms of a simulated market.".into(),
            "Open market: the subject can be traded freely in an open market between parties of equal standing with adequate information and time.".into(),
            "Continued use: the subject continues in its present use and manner of use for the foreseeable future.".into(),
            "No material change in the laws, regulations, policies and the macroeconomic, political and social environment.".into(),
            "Clear title: fees are paid when due, the right stays in force over the income period, and there is no undisclosed restriction or dispute.".into(),
            "The information provided by the client is true, complete and lawful, and the business plans behind the forecasts are achieved as planned.".into(),
        ],
    }
}

fn procedure(lang: Lang) -> Vec<String> {
    match lang {
        Lang::Zh => vec![
            "明确业务基本事项，订立业务委托合同，编制评估计划；".into(),
            "进行评估现场调查，核实评估对象的权属状况、法律状态与实施情况；".into(),
            "收集整理评估资料，包括权属文件、研发成本、财务资料、行业与市场资料；".into(),
            "选择评估方法，确定评估参数，进行评定估算（计算过程见附件计算明细）；".into(),
            "对评估结果进行分析，形成评估结论，履行内部审核程序；".into(),
            "编制并出具资产评估报告，整理归集评估档案。".into(),
        ],
        Lang::En => vec![
            "Agreed the engagement terms, signed the engagement contract and planned the work;".into(),
            "Inspected the subject: title, legal status and how the technology is used;".into(),
            "Collected the information: title documents, R&D costs, financial, industry and market data;".into(),
            "Chose the approaches, set the parameters and computed the values (see the calculation appendix);".into(),
            "Analysed the results, formed the conclusion and passed internal review;".into(),
            "Issued the report and filed the working papers.".into(),
        ],
    }
}

fn limits(lang: Lang) -> Vec<String> {
    match lang {
        Lang::Zh => vec![
            "本评估报告只能用于本报告载明的评估目的和用途，只能由本报告载明的评估报告使用人使用。".into(),
            "委托人或者其他评估报告使用人未按照法律、行政法规规定和本报告载明的使用范围使用评估报告的，资产评估机构及其资产评估专业人员不承担责任。".into(),
            "除委托人、评估报告中载明的其他评估报告使用人和法律、行政法规规定的评估报告使用人之外，其他任何机构和个人不能成为评估报告的使用人。".into(),
            "评估报告使用人应当正确理解和使用评估结论，评估结论不等同于评估对象可实现价格，不应被认为是对评估对象可实现价格的保证。".into(),
            "评估结论的使用有效期原则上为自评估基准日起一年。".into(),
        ],
        Lang::En => vec![
            "This report may be used only for the purpose stated in it and only by the users named in it.".into(),
            "The appraisal firm and its appraisers bear no responsibility where the client or another user uses the report against the law or beyond the stated scope.".into(),
            "No institution or person other than the client, the users named in the report and those designated by law may use it.".into(),
            "The concluded value is not a price that can be realised and must not be taken as a guarantee of one.".into(),
            "The conclusion is valid, in principle, for one year from the valuation date.".into(),
        ],
    }
}

/// The key formulas of a valuation: the formula of each non-indexed step, once.
fn key_formulas(v: &Valuation) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in &v.audit.steps {
        if s.name.contains('[') || s.formula.starts_with("round") {
            continue;
        }
        if !out.contains(&s.formula) {
            out.push(s.formula.clone());
        }
    }
    out
}

fn audit_table(v: &Valuation, lang: Lang) -> String {
    let rows: Vec<Vec<String>> = v
        .audit
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let inputs = s
                .inputs
                .iter()
                .map(|iv| format!("{} = {}", iv.name, show_value(iv, lang)))
                .collect::<Vec<_>>()
                .join(lang.t("；", "; "));
            vec![
                (i + 1).to_string(),
                s.name.clone(),
                s.formula.clone(),
                inputs,
                format!("{} = {}", s.value.name, show_value(&s.value, lang)),
                s.source.clone().unwrap_or_default(),
            ]
        })
        .collect();
    table(
        &[
            "#",
            lang.t("步骤", "Step"),
            lang.t("公式", "Formula"),
            lang.t("输入", "Inputs"),
            lang.t("结果", "Result"),
            lang.t("来源", "Source"),
        ],
        &[true, false, false, false, true, false],
        &rows,
    )
}

fn period_table(v: &Valuation, lang: Lang) -> String {
    let rows: Vec<Vec<String>> = v
        .periods
        .iter()
        .map(|r| {
            vec![
                r.period.to_string(),
                short(&r.t, 4),
                yuan(r.base),
                short(&r.rate, 6),
                yuan(r.attributable),
                short(&r.discount_factor, 6),
                yuan(r.pv),
            ]
        })
        .collect();
    table(
        &[
            lang.t("期次", "Period"),
            lang.t("折现期 t", "t"),
            lang.t("收益基数（元）", "Base (CNY)"),
            lang.t("分成率", "Rate"),
            lang.t("归属收益（元）", "Attributable (CNY)"),
            lang.t("折现系数", "Discount factor"),
            lang.t("现值（元）", "PV (CNY)"),
        ],
        &[true; 7],
        &rows,
    )
}

fn f2(x: f64) -> String {
    chart::draw::fmt_num(x, 2)
}

fn market_summary(m: &MarketOutcome, lang: Lang) -> String {
    let s = &m.summary;
    let opt = |x: Option<f64>| x.map_or("—".to_string(), f2);
    let rows: Vec<(&str, String)> = vec![
        (
            lang.t("筛选条件", "Selection level"),
            format!("{} ({})", s.level, s.level_name),
        ),
        (
            lang.t(
                "符合条件 / 选取 / 采用的交易",
                "Deals found / selected / used",
            ),
            format!("{} / {} / {}", s.n_found, s.n_selected, s.n_used),
        ),
        (
            lang.t("调整后价格中位数（元）", "Median adjusted price (CNY)"),
            opt(s.median),
        ),
        (
            lang.t("相似度加权平均（元）", "Similarity-weighted mean (CNY)"),
            opt(s.weighted_mean),
        ),
        (
            lang.t("四分位区间（元）", "Interquartile range (CNY)"),
            format!("{} – {}", opt(s.q1), opt(s.q3)),
        ),
        (
            lang.t("采用区间（元）", "Range used (CNY)"),
            format!("{} – {}", opt(s.min), opt(s.max)),
        ),
    ];
    let mut o = kv_table(&rows);
    if s.low_confidence {
        o.push_str(&p(lang.t(
            "可比交易少于要求的数量，市场法结果为低可信度，仅供参考。",
            "Fewer comparables than required: the market value is of low confidence.",
        )));
    }
    o
}

fn reconciliation_table(r: &Reconciliation, lang: Lang) -> String {
    let rows: Vec<Vec<String>> = r
        .approaches
        .iter()
        .map(|w| {
            vec![
                lang.approach(w.approach).to_string(),
                yuan(w.value),
                round_half_away(w.stated_weight, 4).normalize().to_string(),
                round_half_away(w.weight, 6).normalize().to_string(),
            ]
        })
        .collect();
    let mut o = table(
        &[
            lang.t("评估方法", "Approach"),
            lang.t("评估值（元）", "Value (CNY)"),
            lang.t("设定权重", "Stated weight"),
            lang.t("采用权重", "Weight applied"),
        ],
        &[false, true, true, true],
        &rows,
    );
    o.push_str(&p(&format!(
        "{}{}{} {}（{}）。{}",
        lang.t("权重来源：", "Weights: "),
        r.weights_source,
        lang.t("；加权评估值", "; weighted value"),
        yuan(r.concluded_value),
        lang.t("元", "CNY"),
        if r.disagree {
            match lang {
                Lang::Zh => format!(
                    "各方法结果差异超过设定倍数 {}（最大/最小 = {}），请关注。",
                    r.disagreement_factor.normalize(),
                    r.ratio.map_or("—".into(), |x| x.normalize().to_string())
                ),
                Lang::En => format!(
                    "The approaches disagree by more than the factor {} (max/min = {}).",
                    r.disagreement_factor.normalize(),
                    r.ratio.map_or("—".into(), |x| x.normalize().to_string())
                ),
            }
        } else {
            String::new()
        }
    )));
    for n in &r.notes {
        o.push_str(&format!("<p class=\"muted\">{}</p>\n", esc(n)));
    }
    o
}

fn distribution_table(
    d: &ConcludedDistribution<'_>,
    sims: &[SimulationSummary],
    lang: Lang,
) -> String {
    let mut header: Vec<String> = vec![lang.t("统计量", "Statistic").into()];
    let mut cols: Vec<&crate::valuation::uncertainty::ValueDistribution> = vec![d.dist];
    header.push(match lang {
        Lang::Zh => "评估结论（元）".to_string(),
        Lang::En => format!("{} (CNY)", d.of),
    });
    for s in sims {
        // The concluded value of a single approach is that approach's own simulation.
        if s.dist.seed == d.dist.seed
            && s.dist.samples == d.dist.samples
            && s.dist.stats.mean == d.dist.stats.mean
        {
            continue;
        }
        header.push(format!(
            "{}{}",
            lang.approach(s.approach),
            lang.t("（元）", " (CNY)")
        ));
        cols.push(&s.dist);
    }
    let money = |m: crate::money::Money| yuan(m);
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut row =
        |name: String, f: &dyn Fn(&crate::valuation::uncertainty::ValueDistribution) -> String| {
            let mut r = vec![name];
            r.extend(cols.iter().map(|c| f(c)));
            rows.push(r);
        };
    row(lang.t("均值", "Mean").into(), &|c| money(c.money.mean));
    row(lang.t("标准差", "Standard deviation").into(), &|c| {
        f2(c.stats.sd)
    });
    row(lang.t("均值标准误", "Standard error").into(), &|c| {
        f2(c.stats.std_error)
    });
    for l in ["P5", "P10", "P25", "P50", "P75", "P90", "P95"] {
        row(l.into(), &|c| match l {
            "P5" => money(c.money.p5),
            "P10" => money(c.money.p10),
            "P50" => money(c.money.p50),
            "P90" => money(c.money.p90),
            "P95" => money(c.money.p95),
            _ => c.stats.percentile(l).map_or("—".into(), f2),
        });
    }
    row(
        format!(
            "{}（{}）",
            lang.t("质押价值", "Pledge value"),
            d.dist.stats.pledge.label
        ),
        &|c| money(c.money.pledge_value),
    );
    let h: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut num = vec![false];
    num.extend(cols.iter().map(|_| true));
    table(&h, &num, &rows)
}

fn sensitivity_table(s: &Sensitivity, lang: Lang) -> String {
    let rows: Vec<Vec<String>> = s
        .tornado
        .iter()
        .map(|b| {
            vec![
                format!("{}（{}）", input_label(&b.input, lang), b.input),
                chart::draw::fmt_num(b.point, 6),
                f2(b.value_at_low_input),
                f2(b.value_at_high_input),
                f2(b.swing),
            ]
        })
        .collect();
    let sw = chart::draw::fmt_num(s.swing * 100.0, 0);
    let mut o = p(&match lang {
        Lang::Zh => format!(
            "各输入分别变动 ±{sw}%、其余取点估计值时的评估价值；基准值 {} 元。",
            f2(s.base_value)
        ),
        Lang::En => format!(
            "The value with each input moved ±{sw}% and the others at their point values; base value CNY {}.",
            f2(s.base_value)
        ),
    });
    o.push_str(&table(
        &[
            lang.t("输入（字段）", "Input (field)"),
            lang.t("点估计", "Point"),
            lang.t(
                &format!("下调 {sw}% 时价值（元）"),
                "Value, input lowered (CNY)",
            ),
            lang.t(
                &format!("上调 {sw}% 时价值（元）"),
                "Value, input raised (CNY)",
            ),
            lang.t("摆幅（元）", "Swing (CNY)"),
        ],
        &[false, true, true, true, true],
        &rows,
    ));
    for k in &s.skipped {
        o.push_str(&format!(
            "<p class=\"muted\">{}: {}</p>\n",
            esc(&k.input),
            esc(&k.reason)
        ));
    }
    o
}

fn comparables_table(m: &MarketOutcome, lang: Lang) -> String {
    let x = |v: f64| chart::draw::fmt_num(v, 4);
    let rows: Vec<Vec<String>> = m
        .comparables
        .iter()
        .map(|c| {
            vec![
                c.deal_id.clone(),
                c.date.clone(),
                match lang {
                    Lang::Zh => crate::subject::region_zh(&c.region)
                        .unwrap_or(&c.region)
                        .to_string(),
                    Lang::En => c.region.clone(),
                },
                c.transaction_type.clone(),
                f2(c.price_yuan),
                x(c.f_tech),
                x(c.f_time),
                x(c.f_region),
                x(c.f_terms),
                x(c.f_scale),
                x(c.f_life),
                f2(c.adjusted_yuan),
                x(c.similarity),
                if c.kept {
                    lang.t("是", "yes").into()
                } else {
                    lang.t("否（离群）", "no (outlier)").into()
                },
            ]
        })
        .collect();
    table(
        &[
            lang.t("交易", "Deal"),
            lang.t("日期", "Date"),
            lang.t("地区", "Region"),
            lang.t("交易类型", "Type"),
            lang.t("价格（元）", "Price (CNY)"),
            lang.t("技术", "Tech"),
            lang.t("时间", "Time"),
            lang.t("地区", "Region"),
            lang.t("交易条件", "Terms"),
            lang.t("规模", "Scale"),
            lang.t("寿命", "Life"),
            lang.t("调整后（元）", "Adjusted (CNY)"),
            lang.t("相似度", "Similarity"),
            lang.t("采用", "Used"),
        ],
        &[
            false, false, false, false, true, true, true, true, true, true, true, true, true, false,
        ],
        &rows,
    )
}

/// Renders the valuation report as a complete HTML document.
pub fn render(inp: &ValuationReportInput<'_>) -> Result<String> {
    let lang = inp.lang;
    let case = inp.case;
    let s = &case.subject;
    let info: ReportInfo = case.report.clone().unwrap_or_default();
    let client = info.client.clone().unwrap_or_else(|| s.owner.clone());
    let vt = info.value_type.unwrap_or(ValueType::MarketValue);
    let (vt_name, vt_def) = match lang {
        Lang::Zh => vt.zh(),
        Lang::En => vt.en(),
    };
    let kind = kind_name(lang, s.kind);
    let title = match lang {
        Lang::Zh => format!("{}“{}”资产评估报告", s.owner, s.name),
        Lang::En => format!("Valuation report: the {kind} “{}”", s.name),
    };
    let concl = inp.conclusion;
    let amount = yuan(concl.value);
    let capital = capital::capital_yuan(concl.value)?;
    let chosen = match &concl.basis {
        ConclusionBasis::Selected { approach, method } => {
            format!("{}（{}）", lang.approach(*approach), lang.method(method))
        }
        ConclusionBasis::Reconciled { description } => description.clone(),
    };
    let date = s.valuation_date.to_string();

    let mut b = String::new();
    b.push_str(&format!("<h1>{}</h1>\n", esc(&title)));
    b.push_str(&format!(
        "<p class=\"subtitle\">{}</p>\n",
        esc(&[
            info.firm.clone().unwrap_or_default(),
            info.report_no.clone().unwrap_or_default(),
        ]
        .iter()
        .filter(|x| !x.is_empty())
        .cloned()
        .collect::<Vec<_>>()
        .join(" · "))
    ));

    // Summary.
    b.push_str("<div class=\"summary\">");
    b.push_str(&format!(
        "<h3>{}</h3>",
        esc(lang.t("评估报告摘要", "Summary"))
    ));
    let sum_rows: Vec<(&str, String)> = vec![
        (lang.t("委托人", "Client"), client.clone()),
        (lang.t("评估对象", "Subject"), format!("{kind}“{}”", s.name)),
        (
            lang.t("评估目的", "Purpose"),
            case.purpose
                .map(|p| match lang {
                    Lang::Zh => p.name_zh().to_string(),
                    Lang::En => format!("{p:?}"),
                })
                .unwrap_or_else(|| lang.t("价值咨询", "Value advice").into()),
        ),
        (lang.t("价值类型", "Value type"), vt_name.into()),
        (lang.t("评估基准日", "Valuation date"), date.clone()),
        (
            lang.t("评估方法", "Approach concluded from"),
            chosen.clone(),
        ),
        (
            lang.t("评估结论", "Concluded value"),
            format!(
                "{} {amount} {}（{}：{capital}）",
                lang.t("人民币", "CNY"),
                lang.t("元", ""),
                lang.t("大写", "in capital numerals")
            ),
        ),
    ];
    b.push_str(&kv_table(&sum_rows));
    b.push_str("</div>\n");

    // 一 委托人及其他报告使用人
    b.push_str(&section(
        "一",
        "1",
        "委托人及其他报告使用人",
        "Client and other users of the report",
        lang,
    ));
    b.push_str(&kv_table(&[
        (lang.t("委托人", "Client"), client.clone()),
        (lang.t("产权持有人", "Owner of the right"), s.owner.clone()),
        (
            lang.t("其他报告使用人", "Other users"),
            info.other_users.clone().unwrap_or_else(|| {
                let mut d = lang
                    .t(
                        "法律、行政法规规定的评估报告使用人",
                        "users designated by law",
                    )
                    .to_string();
                if case.purpose == Some(Purpose::PledgeFinancing) {
                    d = format!(
                        "{}{d}",
                        lang.t("质权人（贷款银行）、", "the pledgee (lending bank); ")
                    );
                }
                d
            }),
        ),
    ]));

    // 二 评估目的
    b.push_str(&section(
        "二",
        "2",
        "评估目的",
        "Purpose of the valuation",
        lang,
    ));
    b.push_str(&p(&purpose_text(lang, case, &client)));

    // 三 评估对象和评估范围
    b.push_str(&section(
        "三",
        "3",
        "评估对象和评估范围",
        "Subject and scope",
        lang,
    ));
    b.push_str(&p(&match lang {
        Lang::Zh => format!("评估对象为{}持有的{kind}“{}”的权利价值；评估范围为该{kind}及其所包含的全部技术内容与相关权利。", s.owner, s.name),
        Lang::En => format!("The subject is the right in the {kind} “{}” held by {}; the scope is that {kind} with all its technical content and related rights.", s.name, s.owner),
    }));
    let mut subj: Vec<(&str, String)> = vec![
        (lang.t("名称", "Title"), s.name.clone()),
        (lang.t("类型", "Kind"), kind.into()),
    ];
    if let Some(r) = &s.registration_no {
        subj.push((
            lang.t("专利号 / 登记号", "Patent / registration no."),
            r.clone(),
        ));
    }
    if let Some(d) = s.filing_date {
        subj.push((lang.t("申请日", "Filing date"), d.to_string()));
    }
    if let Some(d) = s.grant_date {
        subj.push((lang.t("授权日", "Grant date"), d.to_string()));
    }
    subj.push((lang.t("权利人", "Owner"), s.owner.clone()));
    subj.push((
        lang.t("所属行业（GB/T 4754-2017）", "Industry (GB/T 4754-2017)"),
        s.industry.clone(),
    ));
    subj.push((
        lang.t("所在地区", "Region"),
        match lang {
            Lang::Zh => crate::subject::region_zh(s.region_en())
                .unwrap_or(&s.region)
                .to_string(),
            Lang::En => s.region_en().to_string(),
        },
    ));
    if let Some(d) = &s.description {
        subj.push((lang.t("说明", "Description"), d.clone()));
    }
    b.push_str(&kv_table(&subj));

    // 四 价值类型
    b.push_str(&section("四", "4", "价值类型", "Value type", lang));
    b.push_str(&p(&format!(
        "{}{vt_name}。{vt_def}",
        lang.t("本次评估的价值类型为", "The value type is ")
    )));

    // 五 评估基准日
    b.push_str(&section("五", "5", "评估基准日", "Valuation date", lang));
    b.push_str(&p(&match lang {
        Lang::Zh => format!("评估基准日为 {date}。评估基准日由委托人确定，本次评估采用的取价标准均为评估基准日有效的价格标准。"),
        Lang::En => format!("The valuation date is {date}, set by the client; all prices and parameters are those in force on that date."),
    }));

    // 六 评估依据
    b.push_str(&section(
        "六",
        "6",
        "评估依据",
        "Basis of the valuation",
        lang,
    ));
    b.push_str(&list(&basis_list(lang, inp.valuations)));

    // 七 评估方法
    b.push_str(&section(
        "七",
        "7",
        "评估方法",
        "Valuation approaches",
        lang,
    ));
    b.push_str(&p(lang.t(
        "资产评估的基本方法包括收益法、市场法和成本法。评估人员根据评估目的、评估对象、价值类型、资料收集情况等相关条件，分析三种基本方法的适用性，选择评估方法。",
        "The basic approaches are the income, market and cost approaches. The appraiser chose among them by the purpose, the subject, the value type and the information available.",
    )));
    for v in inp.valuations {
        b.push_str(&format!(
            "<h3>{}：{}</h3>\n",
            esc(lang.approach(v.approach)),
            esc(&lang.method(&v.method))
        ));
        let f = key_formulas(v);
        if !f.is_empty() {
            b.push_str("<ul>");
            for x in f {
                b.push_str(&format!("<li class=\"formula\">{}</li>", esc(&x)));
            }
            b.push_str("</ul>\n");
        }
        if v.approach == Approach::Market {
            if let Some(m) = inp.market {
                b.push_str(&market_summary(m, lang));
                for c in inp.charts.iter().filter(|c| c.name == "comparables") {
                    b.push_str(&figure(c));
                }
            }
        }
        b.push_str(&p(&format!(
            "{}{} {}{}",
            lang.t(
                "按该方法评估的价值为人民币 ",
                "Value by this approach: CNY "
            ),
            yuan(v.value),
            lang.t("元", ""),
            lang.t(
                "，计算过程见附件。",
                "; the calculation is in the appendix."
            )
        )));
    }
    for (a, why) in inp.not_performed {
        b.push_str(&p(&format!(
            "{}{}{}",
            lang.approach(*a),
            lang.t("：本次未采用。原因：", ": not used. Reason: "),
            why
        )));
    }

    // 八 评估程序
    b.push_str(&section(
        "八",
        "8",
        "评估程序实施过程和情况",
        "Procedure",
        lang,
    ));
    b.push_str(&list(&procedure(lang)));

    // 九 评估假设
    b.push_str(&section("九", "9", "评估假设", "Assumptions", lang));
    let mut assum = general_assumptions(lang);
    assum.extend(info.assumptions.iter().cloned());
    b.push_str(&list(&assum));

    // 十 评估结论
    b.push_str(&section("十", "10", "评估结论", "Conclusion", lang));
    b.push_str(&format!(
        "<div class=\"conclusion\">{}</div>\n",
        esc(&match lang {
            Lang::Zh => format!(
                "经评估，{}“{}”于评估基准日 {date} 的{vt_name}为人民币 {amount} 元（大写：人民币{capital}）。",
                kind, s.name
            ),
            Lang::En => format!(
                "The {vt_name_l} of the {kind} “{}” on the valuation date {date} is CNY {amount} (in Chinese capital numerals: 人民币{capital}).",
                s.name,
                vt_name_l = vt_name.to_lowercase()
            ),
        })
    ));
    let rows: Vec<Vec<String>> = inp
        .valuations
        .iter()
        .map(|v| {
            vec![
                lang.approach(v.approach).to_string(),
                lang.method(&v.method),
                yuan(v.value),
                v.value.display_wan(),
            ]
        })
        .collect();
    b.push_str(&table(
        &[
            lang.t("评估方法", "Approach"),
            lang.t("具体方法", "Method"),
            lang.t("评估值（元）", "Value (CNY)"),
            lang.t("评估值（万元）", "Value (10k CNY)"),
        ],
        &[false, false, true, true],
        &rows,
    ));
    let reason = concl.reason.clone().or(info.conclusion_reason.clone()).unwrap_or_else(|| {
        match (&concl.basis, lang) {
            (ConclusionBasis::Selected { .. }, Lang::Zh) => format!("本次评估选取{chosen}的结果作为评估结论：该方法的结果反映了评估对象在评估基准日的{vt_name}，所依据的资料较为充分。"),
            (ConclusionBasis::Selected { .. }, Lang::En) => format!("The conclusion is the value by the {chosen}: it reflects the {} of the subject on the valuation date and rests on the most complete information.", vt_name.to_lowercase()),
            (ConclusionBasis::Reconciled { .. }, Lang::Zh) => "评估结论为各评估方法结果的加权综合，权重见附件。".into(),
            (ConclusionBasis::Reconciled { .. }, Lang::En) => "The conclusion weighs the results of the approaches; the weights are in the appendix.".into(),
        }
    });
    b.push_str(&p(&reason));
    if let Some(r) = inp.reconciliation {
        b.push_str(&reconciliation_table(r, lang));
    }
    for c in inp.charts.iter().filter(|c| c.name == "football_field") {
        b.push_str(&figure(c));
    }
    if let Some(d) = &inp.distribution {
        b.push_str(&p(&match lang {
            Lang::Zh => format!(
                "评估参数的不确定性以概率分布表示（见附件），经 {} 次蒙特卡洛模拟（随机种子 {}，分块 {}），{}的分布如下表；质押价值取 {} 分位数。",
                d.dist.samples, d.dist.seed, d.dist.chunk_size,
                if inp.reconciliation.is_some() { "加权评估结论" } else { "评估价值" },
                d.dist.stats.pledge.label
            ),
            Lang::En => format!(
                "The uncertain parameters are stated as distributions (see the appendix); {} Monte Carlo paths (seed {}, chunk size {}) give the distribution of the {} below; the pledge value is its {}.",
                d.dist.samples, d.dist.seed, d.dist.chunk_size, d.of, d.dist.stats.pledge.label
            ),
        }));
        b.push_str(&distribution_table(d, inp.simulations, lang));
        for n in &d.dist.notes {
            b.push_str(&format!("<p class=\"muted\">{}</p>\n", esc(n)));
        }
    }
    for name in ["mc_histogram", "tornado"] {
        for c in inp.charts.iter().filter(|c| c.name == name) {
            b.push_str(&figure(c));
        }
    }

    // 十一 特别事项说明
    b.push_str(&section(
        "十一",
        "11",
        "特别事项说明",
        "Special matters",
        lang,
    ));
    let mut special: Vec<String> = info.special_matters.clone();
    for v in inp.valuations {
        for w in &v.warnings {
            special.push(format!("{}：{w}", lang.approach(v.approach)));
        }
    }
    special.extend(inp.warnings.iter().cloned());
    special.push(lang.t(
        "本报告的计算结果由 techval 依据案例文件与模型参数生成，全部数值可在附件“计算明细”中逐步追溯；报告未对计算结果作任何再加工。",
        "The figures were computed by techval from the case file and the model parameters; each can be traced step by step in the calculation appendix, and the report shows them without further processing.",
    ).into());
    if case.purpose == Some(Purpose::PledgeFinancing) {
        special.push(lang.t(
            "评估结论未考虑质押物处置时可能发生的处置费用、税费及快速变现折扣，质权人确定质押率时应予关注。",
            "The conclusion does not allow for disposal costs, taxes or a forced-sale discount on enforcement of the pledge; the pledgee should consider them when setting the pledge rate.",
        ).into());
    }
    b.push_str(&list(&special));

    // 十二 使用限制
    b.push_str(&section(
        "十二",
        "12",
        "评估报告使用限制说明",
        "Limits on the use of the report",
        lang,
    ));
    b.push_str(&list(&limits(lang)));

    // 十三 评估报告日
    b.push_str(&section("十三", "13", "评估报告日", "Report date", lang));
    let rdate = info
        .report_date
        .map(|d| d.to_string())
        .unwrap_or_else(|| lang.t("____年__月__日", "____-__-__").into());
    b.push_str(&p(&format!(
        "{}{rdate}",
        lang.t("评估报告日：", "Report date: ")
    )));
    b.push_str("<div class=\"sign\">");
    b.push_str(&format!(
        "<div>{}{}</div>",
        esc(lang.t("资产评估机构（盖章）：", "Appraisal firm (seal): ")),
        esc(&info
            .firm
            .clone()
            .unwrap_or_else(|| "________________".into()))
    ));
    let names = if info.appraisers.is_empty() {
        "________  ________".to_string()
    } else {
        info.appraisers.join("  ")
    };
    b.push_str(&format!(
        "<div>{}{}</div>",
        esc(lang.t("资产评估师（签名）：", "Appraisers (signature): ")),
        esc(&names)
    ));
    b.push_str("</div>\n");

    // Appendices.
    b.push_str("<section class=\"appendix\">");
    b.push_str(&format!(
        "<h2>{}</h2>\n",
        esc(lang.t("附件：计算明细", "Appendix: calculations"))
    ));
    for (i, v) in inp.valuations.iter().enumerate() {
        b.push_str(&format!(
            "<h3>{} {}. {}（{}）</h3>\n",
            esc(lang.t("附表", "Table")),
            i + 1,
            esc(lang.approach(v.approach)),
            esc(&lang.method(&v.method))
        ));
        if !v.periods.is_empty() {
            b.push_str(&period_table(v, lang));
        }
        b.push_str(&audit_table(v, lang));
    }
    if let Some(sens) = inp.sensitivity {
        b.push_str(&format!(
            "<h3>{}</h3>\n",
            esc(lang.t("附表：敏感性分析", "Table: sensitivity"))
        ));
        b.push_str(&sensitivity_table(sens, lang));
    }
    if let Some(m) = inp.market {
        b.push_str(&format!(
            "<h3>{}</h3>\n",
            esc(lang.t(
                "附表：可比交易及调整系数",
                "Table: comparable deals and adjustment factors"
            ))
        ));
        b.push_str(&comparables_table(m, lang));
    }
    let others: Vec<&RenderedChart> = inp
        .charts
        .iter()
        .filter(|c| c.name == "market_stats")
        .collect();
    if !others.is_empty() {
        b.push_str(&format!(
            "<h2>{}</h2>\n",
            esc(lang.t("附图", "Appendix: charts"))
        ));
        for c in others {
            b.push_str(&figure(c));
        }
    }
    b.push_str("</section>\n");
    b.push_str(&format!(
        "<footer class=\"prov\">{}</footer>\n",
        esc(&inp.provenance.line(lang))
    ));
    super::html::document(lang.html_lang(), &title, &b)
}
