//! 贷 Lend: loan size, rate, repayment schedule, all-in cost and expected loss.
//!
//! * **Size** `L = min(Σ V_i × pledge rate_i, DSCR cap, working-capital need, programme cap,
//!   request)`, naming the binding constraint. A constraint whose inputs the case lacks is
//!   listed as not assessed (with a warning), never guessed.
//!   * DSCR cap `= CFADS / DSCR_min / m × AF(r/m, n)` with `AF(i, n) = (1 − (1+i)^−n) / i`
//!     (`n` periods, `m` per year): the loan whose level payment keeps annual debt service
//!     within CFADS / DSCR_min (ARCHITECTURE.md, 贷). For a bullet loan it measures serviceability as if
//!     the loan amortised; refinancing risk at maturity is not modelled.
//!   * Working-capital need by the 流动资金贷款 formula (《流动资金贷款管理办法》, 国家金融监督管理
//!     总局令 2024 年第 2 号, annex 流动资金贷款需求量的测算参考; the same formula as the 2010
//!     《流动资金贷款管理暂行办法》 annex):
//!     营运资金量 = 上年度销售收入 × (1 − 上年度销售利润率) × (1 + 预计销售收入年增长率) /
//!     营运资金周转次数, 营运资金周转次数 = 360 / (存货 + 应收账款 − 应付账款 + 预付账款 − 预收账款
//!     周转天数); 新增流动资金贷款额度 = 营运资金量 − 自有资金 − 现有流动资金贷款 − 其他渠道资金.
//! * **Rate** `r = LPR (on the drawdown date) + spread`, the spread capped by the rulebook.
//!   The period rate is `r / m` (月利率 = 年利率 / 12).
//! * **Schedules** ([`schedule`]) 等额本息, 等额本金, 先息后本, exact to the fen: each line's
//!   interest is `round(opening balance × r/m)` (half away from zero); principal per line is
//!   the rounded level payment less interest (annuity) or `round(L/n)` (equal principal); the
//!   last line takes the remaining balance, so principal sums exactly to the loan. An optional
//!   broken first period charges interest on actual days at `r/360`; its principal is as
//!   scheduled.
//! * **All-in cost** per year = (interest + borrower's fees − subsidy) / Σ (opening balance ×
//!   period length in years) — the cost per 元-year actually borrowed. The subsidy (贴息) per
//!   line is `round(opening balance × s/m)`, never more than that line's interest.
//! * **Expected loss** `EL = PD × LGD × EAD`: EAD = the loan (fully drawn); recovery = the
//!   pledged IP's liquidation value `Σ V_i × (1 − haircut) × (1 − disposal cost)`, at most EAD;
//!   LGD = (EAD − recovery) / EAD. The loss at default goes through the guarantee waterfall;
//!   the bank's net EL is PD × its after-pool share.

mod cover;
mod offer;
mod repay;
#[cfg(test)]
mod tests;

pub use cover::*;
pub use offer::*;
pub use repay::*;
