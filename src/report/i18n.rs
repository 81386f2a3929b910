//! The report language and the message catalogue: every label and sentence of the reports,
//! charts and workbook in Chinese and English, in one file (`src/report/messages.toml`, compiled
//! in), looked up by key.
//!
//! Keys are `group.name`: `report.*` the valuation report, `memo.*` the credit memo, `set.*` the
//! charts and the report set, `workbook.*` the audit workbook, `common.*` shared labels, and the
//! id tables `approach.*`, `method.*`, `kind.*`, `input.*` (case field paths), `factor.*` (the
//! market approach's adjustment factors) and `counter_guarantee.*`. A text may hold `{name}`
//! placeholders, filled by [`Lang::f`]. A test checks that every key the code and the templates
//! use is in the catalogue with both languages.
//!
//! The group `core.*` is a pattern table for the English the computing core writes (formulas,
//! audit steps, sources, warnings, notes), which stays English in the JSON output: each entry is
//! `["中文模板", "English template"]`, where `{}` stands for a variable part (number, identifier,
//! name) and the Chinese template uses the same placeholders in order, or `{0}`, `{1}`, … to
//! reorder them. [`Lang::core`] translates a core text through it at the report layer.

use crate::subject::IpKind;
use crate::valuation::Approach;
use regex::{Regex, RegexSet};
use serde::Serialize;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt::Display;
use std::sync::OnceLock;

/// The catalogue file (compiled in).
pub const MESSAGES: &str = include_str!("messages.toml");

type Catalogue = BTreeMap<String, BTreeMap<String, [String; 2]>>;

/// The parsed catalogue (parsed once; a parse error leaves it empty, which the tests forbid).
pub fn catalogue() -> &'static Catalogue {
    static CAT: OnceLock<Catalogue> = OnceLock::new();
    CAT.get_or_init(|| toml::from_str(MESSAGES).unwrap_or_default())
}

/// The entry of `key` (`group.name`; the name may itself contain dots).
fn entry(key: &str) -> Option<&'static [String; 2]> {
    let (group, name) = key.split_once('.')?;
    catalogue().get(group)?.get(name)
}

/// Report language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    /// 中文.
    #[default]
    Zh,
    /// English.
    En,
}

impl Lang {
    fn ix(self) -> usize {
        match self {
            Lang::Zh => 0,
            Lang::En => 1,
        }
    }

    /// The catalogue text of `key` in this language (the key itself when the catalogue lacks
    /// it; the tests make sure it never does).
    pub fn t(self, key: &str) -> &'static str {
        match entry(key) {
            Some(e) => e[self.ix()].as_str(),
            None => {
                debug_assert!(false, "message key {key} is not in messages.toml");
                // A leaked key is better than a panic in a report; tests catch it.
                Box::leak(key.to_string().into_boxed_str())
            }
        }
    }

    /// The catalogue text of `key` with its `{name}` placeholders filled from `args`.
    pub fn f(self, key: &str, args: &[(&str, &dyn Display)]) -> String {
        fill(self.t(key), args)
    }

    /// The text of `id` in the id table `group` (`method`, `input`, `counter_guarantee`, …), or
    /// `id` itself when the table has no entry for it.
    pub fn name(self, group: &str, id: &str) -> String {
        catalogue()
            .get(group)
            .and_then(|g| g.get(id))
            .map_or_else(|| id.to_string(), |e| e[self.ix()].clone())
    }

    /// A text of the computing core (formula, audit step, source, warning, note) in this
    /// language: English unchanged; Chinese through the `core.*` patterns of the catalogue (the
    /// variable parts translated in turn), or the text unchanged when no pattern matches.
    pub fn core(self, text: &str) -> Cow<'_, str> {
        match self {
            Lang::En => Cow::Borrowed(text),
            Lang::Zh => core_zh(text, 0),
        }
    }

    /// The HTML `lang` attribute.
    pub fn html_lang(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// Approach name in this language.
    pub fn approach(self, a: Approach) -> &'static str {
        match a {
            Approach::Income => self.t("approach.income"),
            Approach::Cost => self.t("approach.cost"),
            Approach::Market => self.t("approach.market"),
        }
    }

    /// Name of a method id (`profit_split`, `multiplier`, …) in this language.
    pub fn method(self, id: &str) -> String {
        self.name("method", id)
    }

    /// Name of an IP kind in this language.
    pub fn kind(self, k: IpKind) -> &'static str {
        self.t(&format!("kind.{}", k.as_str()))
    }

    /// A readable name of a case field path (the path itself when there is none).
    pub fn input(self, path: &str) -> String {
        if let Some(i) = path
            .strip_prefix("income.revenue[")
            .and_then(|r| r.strip_suffix(']'))
            .and_then(|i| i.parse::<usize>().ok())
        {
            return self.f("input.revenue_year", &[("year", &(i + 1))]);
        }
        self.name("input", path)
    }
}

/// One `core.*` entry compiled: the English template as an anchored regex, the Chinese template.
struct CorePattern {
    re: Regex,
    zh: &'static str,
}

/// The `core.*` patterns, most specific first (more literal text, then fewer placeholders, then
/// key order), and a set of all of them to find the candidates of a text in one pass.
fn core_patterns() -> &'static (RegexSet, Vec<CorePattern>) {
    static PATS: OnceLock<(RegexSet, Vec<CorePattern>)> = OnceLock::new();
    PATS.get_or_init(|| {
        let mut entries: Vec<(usize, usize, &str, &'static [String; 2])> = catalogue()
            .get("core")
            .map(|g| {
                g.iter()
                    .map(|(k, e)| {
                        let parts = e[1].split("{}").count();
                        let literal = e[1].chars().count() - 2 * (parts - 1);
                        (literal, parts, k.as_str(), e)
                    })
                    .collect()
            })
            .unwrap_or_default();
        entries.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(b.2)));
        let pats: Vec<CorePattern> = entries
            .iter()
            .filter_map(|(_, _, _, e)| {
                Regex::new(&template_regex(&e[1]))
                    .ok()
                    .map(|re| CorePattern {
                        re,
                        zh: e[0].as_str(),
                    })
            })
            .collect();
        let set =
            RegexSet::new(pats.iter().map(|p| p.re.as_str())).unwrap_or_else(|_| RegexSet::empty());
        (set, pats)
    })
}

/// The anchored regex of an English template: literal parts escaped, each `{}` a lazy group.
fn template_regex(en: &str) -> String {
    let body: Vec<String> = en.split("{}").map(regex::escape).collect();
    format!("(?s)^{}$", body.join("(.+?)"))
}

/// The placeholders of a Chinese template in order: `{}` takes the next variable part, `{n}`
/// the n-th (0-based); any other brace is text.
fn placeholders(zh: &str) -> Vec<(usize, usize, usize)> {
    let mut out = Vec::new();
    let mut next = 0;
    let b = zh.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'{' {
            let j = i + 1 + b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
            if j < b.len() && b[j] == b'}' {
                let ix = if j == i + 1 {
                    next += 1;
                    next - 1
                } else {
                    zh[i + 1..j].parse().unwrap_or(usize::MAX)
                };
                out.push((i, j + 1, ix));
                i = j + 1;
                continue;
            }
        }
        i += 1;
    }
    out
}

/// The Chinese of a core text (see [`Lang::core`]); `depth` bounds the translation of the
/// variable parts.
fn core_zh(text: &str, depth: u32) -> Cow<'_, str> {
    let (set, pats) = core_patterns();
    let Some(ix) = set.matches(text).into_iter().next() else {
        return Cow::Borrowed(text);
    };
    let p = &pats[ix];
    let Some(caps) = p.re.captures(text) else {
        return Cow::Borrowed(text);
    };
    let parts: Vec<Cow<'_, str>> = caps
        .iter()
        .skip(1)
        .map(|m| {
            let m = m.map_or("", |m| m.as_str());
            if depth < 4 {
                core_zh(m, depth + 1)
            } else {
                Cow::Borrowed(m)
            }
        })
        .collect();
    let mut out = String::with_capacity(p.zh.len() + text.len());
    let mut last = 0;
    for (a, b, i) in placeholders(p.zh) {
        out.push_str(&p.zh[last..a]);
        match parts.get(i) {
            Some(v) => out.push_str(v),
            None => out.push_str(&p.zh[a..b]),
        }
        last = b;
    }
    out.push_str(&p.zh[last..]);
    Cow::Owned(out)
}

/// Replaces every `{name}` of `text` with its value from `args` (unknown placeholders stay).
pub fn fill(text: &str, args: &[(&str, &dyn Display)]) -> String {
    let mut out = String::with_capacity(text.len() + 32);
    let mut rest = text;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let tail = &rest[i + 1..];
        match tail.find('}') {
            Some(j) => {
                let name = &tail[..j];
                match args.iter().find(|(k, _)| *k == name) {
                    Some((_, v)) => out.push_str(&v.to_string()),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &tail[j + 1..];
            }
            None => {
                out.push_str(&rest[i..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_parses_and_every_entry_has_both_languages() {
        let cat: Catalogue = toml::from_str(MESSAGES).expect("messages.toml parses");
        assert!(cat.len() >= 5);
        for (g, entries) in &cat {
            for (k, [zh, en]) in entries {
                assert!(!zh.is_empty() && !en.is_empty(), "{g}.{k} lacks a language");
            }
        }
    }

    /// Every key of a `lang.t(…)` / `lang.f(…)` call with a literal key in the sources is
    /// in the catalogue.
    #[test]
    fn every_key_used_is_in_the_catalogue() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
        let mut files = Vec::new();
        let mut stack = vec![std::path::PathBuf::from(root)];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else if matches!(
                    p.extension().and_then(|x| x.to_str()),
                    Some("rs") | Some("html")
                ) {
                    files.push(p);
                }
            }
        }
        let mut missing = Vec::new();
        let mut used = 0;
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            for pat in ["lang.t(\"", "lang.f(\""] {
                let mut rest = text.as_str();
                while let Some(i) = rest.find(pat) {
                    let tail = &rest[i + pat.len()..];
                    let end = tail.find('"').unwrap_or(0);
                    let key = &tail[..end];
                    let looks_like_key = key.contains('.')
                        && key
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
                    if looks_like_key {
                        used += 1;
                        if entry(key).is_none() {
                            missing.push(format!("{}: {key}", f.display()));
                        }
                    }
                    rest = &tail[end..];
                }
            }
        }
        assert!(used > 100, "found only {used} keys: the scan is broken");
        assert!(
            missing.is_empty(),
            "keys not in messages.toml: {missing:#?}"
        );
    }

    #[test]
    fn placeholders_are_filled() {
        assert_eq!(fill("第{year}年收入", &[("year", &3)]), "第3年收入");
        assert_eq!(fill("{a}-{b}-{a}", &[("a", &1), ("b", &"x")]), "1-x-1");
        assert_eq!(fill("{unknown} {", &[]), "{unknown} {");
        assert_eq!(Lang::En.input("income.revenue[0]"), "revenue, year 1");
        assert_eq!(Lang::Zh.input("income.growth"), "收入增长率");
        assert_eq!(Lang::Zh.input("income.unknown"), "income.unknown");
    }

    #[test]
    fn core_texts_are_translated_by_pattern() {
        // Two placeholders, the variable parts kept.
        let en = "tenor 36 months exceeds the rulebook's limit; capped at 12 months";
        assert_eq!(
            Lang::Zh.core(en),
            "贷款期限 36 个月超过业务规则上限，按 12 个月确定"
        );
        // A variable part is itself translated when it is a core text.
        assert_eq!(
            Lang::Zh.core("models/legal_terms.toml terms.utility_model (origin: builtin (models/ compiled in))"),
            "models/legal_terms.toml terms.utility_model（来源：内置（models/，已编入程序））"
        );
        // Reordered placeholders (`{1}（{0}）`).
        assert_eq!(
            Lang::Zh.core("statutory term of utility_model (实用新型专利), from filing"),
            "实用新型专利（utility_model）的法定保护期限，自申请日起算"
        );
        // The more specific pattern wins over `not assessed: missing {}`.
        assert_eq!(
            Lang::Zh.core("not assessed: missing the case has no [finance.borrower]"),
            "未测算：案例文件未给出 [finance.borrower]"
        );
        assert_eq!(
            Lang::Zh.core("not assessed: missing revenue_growth"),
            "未测算：缺少 revenue_growth"
        );
        assert!(Lang::Zh
            .core("the approaches disagree: the largest value is 4.4422× the smallest (factor 2): explain the gap before relying on the weighted value")
            .contains("4.4422"));
        // Unknown text unchanged; English unchanged.
        assert_eq!(
            Lang::Zh.core("no such core text here"),
            "no such core text here"
        );
        assert_eq!(Lang::Zh.core("B_1 = 0.5"), "B_1 = 0.5");
        assert_eq!(Lang::En.core(en), en);
        assert!(matches!(Lang::En.core(en), Cow::Borrowed(_)));
        // Placeholder parsing: `{}` in order, `{n}` by index, other braces are text.
        assert_eq!(placeholders("{1}与{0}"), [(0, 3, 1), (6, 9, 0)]);
        assert!(placeholders("Σ_{t=1..N}").is_empty());
    }

    /// Every `core.*` entry has literal text, compiles, and has the same variable parts in both
    /// languages (`{}` in order, or each of `{0}` … `{n−1}` once).
    #[test]
    fn core_entries_have_the_same_placeholders_in_both_languages() {
        let core = catalogue().get("core").expect("messages.toml has [core]");
        assert!(core.len() > 100, "only {} core entries", core.len());
        let mut bad = Vec::new();
        for (k, [zh, en]) in core {
            let n = en.matches("{}").count();
            let mut ix: Vec<usize> = placeholders(zh).iter().map(|p| p.2).collect();
            ix.sort_unstable();
            let literal = en.replace("{}", "");
            if ix != (0..n).collect::<Vec<_>>()
                || literal.trim().is_empty()
                || Regex::new(&template_regex(en)).is_err()
            {
                bad.push(format!("{k}: {n} in English, {ix:?} in Chinese"));
            }
        }
        assert!(
            bad.is_empty(),
            "core entries with unequal placeholders: {bad:#?}"
        );
        assert_eq!(
            core_patterns().1.len(),
            core.len(),
            "a pattern did not compile"
        );
    }
}
