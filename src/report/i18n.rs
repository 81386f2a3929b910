//! The report language and the message catalogue: every label and sentence of the reports,
//! charts and workbook in Chinese and English, in one file (`src/report/messages.toml`, compiled
//! in), looked up by key.
//!
//! Keys are `group.name`: `report.*` the valuation report, `memo.*` the credit memo, `set.*` the
//! charts and the report set, `workbook.*` the audit workbook, `common.*` shared labels, and the
//! id tables `approach.*`, `method.*`, `kind.*`, `input.*` (case field paths) and
//! `counter_guarantee.*`. A text may hold `{name}` placeholders, filled by [`Lang::f`]. A test
//! checks that every key the code and the templates use is in the catalogue with both languages.

use crate::subject::IpKind;
use crate::valuation::Approach;
use serde::Serialize;
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
}
