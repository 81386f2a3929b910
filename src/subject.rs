//! The subject of a valuation: one patent, software copyright, know-how or technology
//! achievement (科技成果), and the province-level regions techval knows.

use crate::error::{Error, Result};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Kind of intellectual property.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IpKind {
    /// 发明专利 — 20 years from filing.
    InventionPatent,
    /// 实用新型 — 10 years from filing.
    UtilityModel,
    /// 外观设计 — 15 years from filing (filed from 2021-06-01), 10 years before.
    DesignPatent,
    /// 计算机软件著作权 — 50 years (legal persons: from first publication / creation).
    SoftwareCopyright,
    /// 技术秘密 / know-how — no statutory term; economic life governs.
    KnowHow,
    /// 科技成果 not protected by a patent — economic life governs.
    Achievement,
    /// 商标 — 10 years, renewable without limit; economic life governs.
    Trademark,
}

impl IpKind {
    /// All kinds, in schema order.
    pub const ALL: [IpKind; 7] = [
        IpKind::InventionPatent,
        IpKind::UtilityModel,
        IpKind::DesignPatent,
        IpKind::SoftwareCopyright,
        IpKind::KnowHow,
        IpKind::Achievement,
        IpKind::Trademark,
    ];

    /// The schema name (`invention_patent`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            IpKind::InventionPatent => "invention_patent",
            IpKind::UtilityModel => "utility_model",
            IpKind::DesignPatent => "design_patent",
            IpKind::SoftwareCopyright => "software_copyright",
            IpKind::KnowHow => "know_how",
            IpKind::Achievement => "achievement",
            IpKind::Trademark => "trademark",
        }
    }

    /// Chinese name.
    pub fn name_zh(self) -> &'static str {
        match self {
            IpKind::InventionPatent => "发明专利",
            IpKind::UtilityModel => "实用新型专利",
            IpKind::DesignPatent => "外观设计专利",
            IpKind::SoftwareCopyright => "计算机软件著作权",
            IpKind::KnowHow => "技术秘密",
            IpKind::Achievement => "科技成果",
            IpKind::Trademark => "商标",
        }
    }

    /// Parses the schema name.
    pub fn parse(s: &str) -> Option<IpKind> {
        IpKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A province-level region of mainland China: Chinese and English names as in the
/// technology-market statistics.
pub const REGIONS: [(&str, &str); 31] = [
    ("北京", "Beijing"),
    ("天津", "Tianjin"),
    ("河北", "Hebei"),
    ("山西", "Shanxi"),
    ("内蒙古", "Inner Mongolia"),
    ("辽宁", "Liaoning"),
    ("吉林", "Jilin"),
    ("黑龙江", "Heilongjiang"),
    ("上海", "Shanghai"),
    ("江苏", "Jiangsu"),
    ("浙江", "Zhejiang"),
    ("安徽", "Anhui"),
    ("福建", "Fujian"),
    ("江西", "Jiangxi"),
    ("山东", "Shandong"),
    ("河南", "Henan"),
    ("湖北", "Hubei"),
    ("湖南", "Hunan"),
    ("广东", "Guangdong"),
    ("广西", "Guangxi"),
    ("海南", "Hainan"),
    ("重庆", "Chongqing"),
    ("四川", "Sichuan"),
    ("贵州", "Guizhou"),
    ("云南", "Yunnan"),
    ("西藏", "Tibet"),
    ("陕西", "Shaanxi"),
    ("甘肃", "Gansu"),
    ("青海", "Qinghai"),
    ("宁夏", "Ningxia"),
    ("新疆", "Xinjiang"),
];

/// Normalises a region name (Chinese or English, with or without 省/市/自治区) to its English
/// name as used in the statistics, e.g. `广东省` → `Guangdong`.
pub fn normalize_region(s: &str) -> Option<&'static str> {
    let t = s.trim();
    let stripped = [
        "壮族自治区",
        "回族自治区",
        "维吾尔自治区",
        "自治区",
        "省",
        "市",
    ]
    .iter()
    .find_map(|suf| t.strip_suffix(suf))
    .unwrap_or(t);
    REGIONS
        .iter()
        .find(|(zh, en)| *zh == stripped || en.eq_ignore_ascii_case(t))
        .map(|(_, en)| *en)
}

/// The Chinese name of a region given its English name.
pub fn region_zh(en: &str) -> Option<&'static str> {
    REGIONS.iter().find(|(_, e)| *e == en).map(|(z, _)| *z)
}

/// The thing being valued.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subject {
    /// Identifier, used for file names (letters, digits, `-`, `_`, `.`).
    pub id: String,
    /// Title of the patent or achievement.
    pub name: String,
    /// Kind of IP.
    pub kind: IpKind,
    /// Industry: GB/T 4754-2017 code (`C27` pharmaceuticals, `C39` electronics …).
    pub industry: String,
    /// Province-level region (Chinese or English name).
    pub region: String,
    /// Filing (application) date; required for patents (their terms run from it).
    #[serde(default, deserialize_with = "crate::dates::de_opt_date")]
    pub filing_date: Option<NaiveDate>,
    /// First publication (首次发表日); required for software copyright (its term runs from it).
    #[serde(default, deserialize_with = "crate::dates::de_opt_date")]
    pub publication_date: Option<NaiveDate>,
    /// Grant date, when granted.
    #[serde(default, deserialize_with = "crate::dates::de_opt_date")]
    pub grant_date: Option<NaiveDate>,
    /// Valuation date (评估基准日).
    #[serde(deserialize_with = "crate::dates::de_date")]
    pub valuation_date: NaiveDate,
    /// Owner (权利人).
    pub owner: String,
    /// Registration or patent number, if any.
    #[serde(default)]
    pub registration_no: Option<String>,
    /// Free-text description for the report.
    #[serde(default)]
    pub description: Option<String>,
}

impl Subject {
    /// Checks names, dates and region; paths are `subject.*`.
    pub fn validate(&self) -> Result<()> {
        if self.id.is_empty()
            || self.id.len() > 64
            || !self
                .id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
            || self.id.starts_with('.')
        {
            return Err(Error::field(
                "subject.id",
                format!("\"{}\"", self.id),
                "must be 1–64 characters of letters, digits, '-', '_' or '.' (it names output files)",
            ));
        }
        if self.name.trim().is_empty() {
            return Err(Error::field("subject.name", "\"\"", "must not be empty"));
        }
        if self.owner.trim().is_empty() {
            return Err(Error::field("subject.owner", "\"\"", "must not be empty"));
        }
        let ind = self.industry.trim();
        let ok_industry = !ind.is_empty()
            && ind.len() <= 5
            && ind.chars().next().is_some_and(|c| c.is_ascii_uppercase())
            && ind.chars().skip(1).all(|c| c.is_ascii_digit());
        if !ok_industry {
            return Err(Error::field(
                "subject.industry",
                format!("\"{}\"", self.industry),
                "must be a GB/T 4754-2017 code: a section letter and up to 4 digits, e.g. \"C27\"",
            ));
        }
        if normalize_region(&self.region).is_none() {
            return Err(Error::field(
                "subject.region",
                format!("\"{}\"", self.region),
                "must be a province-level region of mainland China, e.g. \"广东\" or \"Guangdong\"",
            ));
        }
        let needs_filing = matches!(
            self.kind,
            IpKind::InventionPatent | IpKind::UtilityModel | IpKind::DesignPatent
        );
        if self.kind == IpKind::SoftwareCopyright && self.publication_date.is_none() {
            return Err(Error::field(
                "subject.publication_date",
                "",
                "is required for kind software_copyright (its 50-year term runs from the first publication, 计算机软件保护条例 art. 14)",
            ));
        }
        if let Some(p) = self.publication_date {
            if p > self.valuation_date {
                return Err(Error::field(
                    "subject.publication_date",
                    p,
                    format!(
                        "must not be after subject.valuation_date = {}",
                        self.valuation_date
                    ),
                ));
            }
        }
        if needs_filing && self.filing_date.is_none() {
            return Err(Error::field(
                "subject.filing_date",
                "",
                format!(
                    "is required for kind {} (the legal term runs from it)",
                    self.kind.as_str()
                ),
            ));
        }
        if let Some(f) = self.filing_date {
            if f > self.valuation_date {
                return Err(Error::field(
                    "subject.filing_date",
                    f,
                    format!(
                        "must not be after subject.valuation_date = {}",
                        self.valuation_date
                    ),
                ));
            }
            if let Some(g) = self.grant_date {
                if g < f {
                    return Err(Error::field(
                        "subject.grant_date",
                        g,
                        format!("must not be before subject.filing_date = {f}"),
                    ));
                }
            }
        }
        if let Some(g) = self.grant_date {
            if g > self.valuation_date {
                return Err(Error::field(
                    "subject.grant_date",
                    g,
                    format!(
                        "must not be after subject.valuation_date = {}",
                        self.valuation_date
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The region's English name (after [`validate`](Self::validate) this never fails).
    pub fn region_en(&self) -> &'static str {
        normalize_region(&self.region).unwrap_or("")
    }
}
