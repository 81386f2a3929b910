//! The shared vocabulary of the case file, the model book and the deal history: the three
//! approaches, the purpose of a valuation, the transaction types and the seller types. It sits
//! below every other module so that schemas (`models`, `data::schema`, `case`) and engines
//! (`valuation`, `finance`) can name these without importing each other.

use serde::{Deserialize, Serialize};

/// Why the valuation is made; sets default reconciliation weights and report wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// 质押融资: the value backs a loan.
    PledgeFinancing,
    /// 转让: assignment of the right.
    Transfer,
    /// 许可: licensing.
    Licensing,
    /// 投资: investment screening or pricing.
    Investment,
    /// 作价入股: contribution to a company's equity.
    EquityContribution,
}

impl Purpose {
    /// Schema name (`pledge_financing`).
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::PledgeFinancing => "pledge_financing",
            Purpose::Transfer => "transfer",
            Purpose::Licensing => "licensing",
            Purpose::Investment => "investment",
            Purpose::EquityContribution => "equity_contribution",
        }
    }

    /// Chinese name.
    pub fn name_zh(self) -> &'static str {
        match self {
            Purpose::PledgeFinancing => "质押融资",
            Purpose::Transfer => "转让",
            Purpose::Licensing => "许可使用",
            Purpose::Investment => "投资",
            Purpose::EquityContribution => "作价入股",
        }
    }
}

/// The three approaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Approach {
    /// 收益法.
    Income,
    /// 成本法.
    Cost,
    /// 市场法.
    Market,
}

impl Approach {
    /// Schema name.
    pub fn as_str(self) -> &'static str {
        match self {
            Approach::Income => "income",
            Approach::Cost => "cost",
            Approach::Market => "market",
        }
    }
    /// Chinese name.
    pub fn name_zh(self) -> &'static str {
        match self {
            Approach::Income => "收益法",
            Approach::Cost => "成本法",
            Approach::Market => "市场法",
        }
    }
}

/// Kind of transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransactionType {
    /// 转让: the right is assigned.
    Assignment,
    /// 独占许可: only the licensee may exploit (the owner neither).
    ExclusiveLicence,
    /// 排他许可: the licensee and the owner may exploit, no third party.
    SoleLicence,
    /// 普通许可: the owner may license others too.
    NonExclusiveLicence,
    /// 许可 of unstated exclusivity (public announcements often say only "许可").
    Licence,
    /// 作价入股: contributed to a company's equity.
    EquityContribution,
}

impl TransactionType {
    /// All types, in schema order.
    pub const ALL: [TransactionType; 6] = [
        TransactionType::Assignment,
        TransactionType::ExclusiveLicence,
        TransactionType::SoleLicence,
        TransactionType::NonExclusiveLicence,
        TransactionType::Licence,
        TransactionType::EquityContribution,
    ];

    /// Schema name.
    pub fn as_str(self) -> &'static str {
        match self {
            TransactionType::Assignment => "assignment",
            TransactionType::ExclusiveLicence => "exclusive_licence",
            TransactionType::SoleLicence => "sole_licence",
            TransactionType::NonExclusiveLicence => "non_exclusive_licence",
            TransactionType::Licence => "licence",
            TransactionType::EquityContribution => "equity_contribution",
        }
    }

    /// Chinese name.
    pub fn name_zh(self) -> &'static str {
        match self {
            TransactionType::Assignment => "转让",
            TransactionType::ExclusiveLicence => "独占许可",
            TransactionType::SoleLicence => "排他许可",
            TransactionType::NonExclusiveLicence => "普通许可",
            TransactionType::Licence => "许可（方式未载明）",
            TransactionType::EquityContribution => "作价入股",
        }
    }

    /// Parses the schema name.
    pub fn parse(s: &str) -> Option<TransactionType> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// Who sold or licensed the technology.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SellerType {
    /// 高校.
    University,
    /// 科研院所.
    Institute,
    /// 医院 (hospitals license clinical inventions like institutes).
    Hospital,
    /// 企业.
    Enterprise,
    /// 个人.
    Individual,
}

impl SellerType {
    /// All types, in schema order.
    pub const ALL: [SellerType; 5] = [
        SellerType::University,
        SellerType::Institute,
        SellerType::Hospital,
        SellerType::Enterprise,
        SellerType::Individual,
    ];

    /// Schema name.
    pub fn as_str(self) -> &'static str {
        match self {
            SellerType::University => "university",
            SellerType::Institute => "institute",
            SellerType::Hospital => "hospital",
            SellerType::Enterprise => "enterprise",
            SellerType::Individual => "individual",
        }
    }
}
