//! Fully bilingual reports (issue 10, item 13): in the Chinese valuation report and credit memo
//! every sentence is Chinese — formula descriptions, audit steps, the core's warnings and notes —
//! while `--lang en` keeps the core's English.
//!
//! The check renders the report set of the demo and of every sample case on every shipped
//! rulebook, takes the visible text of `report.html` and `credit_memo.html` (not `<style>`, not
//! the charts' `<svg>`), and fails on any run of three or more consecutive English words.
//!
//! * A *word* is a token of two or more ASCII letters (an inner `-` or `'` allowed).
//! * Identifiers are not words: a token with a digit, `_`, `/`, `::` or an inner `.` (field paths
//!   such as `income.growth`, files such as `models/market.toml`, deal ids, `P_adj`, `F_tech`).
//! * Acronyms in capitals are symbols, not words (`CPI`, `LPR`, `DSCR`, `IQR`, `EBIT`).
//! * [`SYMBOLS`] lists the few lower-case formula symbols and names that stay as they are.
//! * Identifiers, symbols, numbers and ASCII punctuation neither count nor break a run; a Chinese
//!   character (or CJK punctuation) ends it.

use super::report::case_set_on;
use techval::report::Lang;

/// Formula symbols and proper names that are not English prose: function names in formulas
/// (`min`, `max`, `ln`, `AF`…), the risk-free-rate symbol `Rf`, and the names of the tool and
/// of the R package the market statistics come from.
const SYMBOLS: &[&str] = &["min", "max", "ln", "Rf", "techval", "techme"];

/// The shipped cases (`None`: the bundled demo).
const CASES: &[Option<&str>] = &[
    None,
    Some("datasets/cases/invention_patent_license.toml"),
    Some("datasets/cases/invention_patent_market.toml"),
    Some("datasets/cases/university_achievement.toml"),
    Some("datasets/cases/utility_model_manufacturer.toml"),
];

/// The shipped rulebooks (`None`: the default, `bank_default`).
const RULEBOOKS: &[Option<&str>] = &[
    None,
    Some("jinan_2242"),
    Some("sichuan_tianfu_zhilaidai"),
    Some("national_reguarantee"),
];

/// The visible text nodes of an HTML page: `<style>`, `<script>` and `<svg>` skipped, tags
/// removed, the escaper's entities decoded.
pub(super) fn visible_text(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    let mut skip: Option<&str> = None;
    while !rest.is_empty() {
        match rest.find('<') {
            Some(i) => {
                if skip.is_none() {
                    push_text(&mut out, &rest[..i]);
                }
                let tag = &rest[i..];
                let end = tag.find('>').map_or(tag.len(), |j| j + 1);
                let name: String = tag[1..end.min(tag.len())]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '/')
                    .collect::<String>()
                    .to_ascii_lowercase();
                match skip {
                    Some(s) if name == format!("/{s}") => skip = None,
                    Some(_) => {}
                    None => {
                        for s in ["style", "script", "svg"] {
                            if name == s {
                                skip = Some(s);
                            }
                        }
                    }
                }
                rest = &tag[end..];
            }
            None => {
                if skip.is_none() {
                    push_text(&mut out, rest);
                }
                rest = "";
            }
        }
    }
    out
}

fn push_text(out: &mut Vec<String>, raw: &str) {
    let t = raw
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&amp;", "&");
    let t = t.trim();
    if !t.is_empty() {
        out.push(t.to_string());
    }
}

/// A Chinese character or CJK punctuation / full-width form: it ends a run of English words.
fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x9FFF | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFFEF)
}

fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '/' | ':' | '\'' | '-')
}

/// True when `tok` is an English word (see the module documentation).
fn is_word(tok: &str) -> bool {
    let t = tok.trim_matches(|c| matches!(c, '.' | ':' | '\'' | '-'));
    if t.chars()
        .any(|c| c.is_ascii_digit() || c == '_' || c == '/')
        || t.contains("::")
        || t.contains('.')
        || t.contains(':')
    {
        return false;
    }
    let letters = t.chars().filter(|c| c.is_ascii_alphabetic()).count();
    if letters < 2
        || !t
            .chars()
            .all(|c| c.is_ascii_alphabetic() || c == '-' || c == '\'')
    {
        return false;
    }
    if t.chars().all(|c| !c.is_ascii_lowercase()) {
        return false; // an acronym
    }
    !SYMBOLS.contains(&t)
}

/// The runs of three or more consecutive English words in one text node.
pub(super) fn english_runs(text: &str) -> Vec<String> {
    let mut runs = Vec::new();
    let mut run: Vec<String> = Vec::new();
    let mut tok = String::new();
    let mut close = |run: &mut Vec<String>| {
        if run.len() >= 3 {
            runs.push(run.join(" "));
        }
        run.clear();
    };
    for c in text.chars().chain(std::iter::once(' ')) {
        if is_token_char(c) {
            tok.push(c);
            continue;
        }
        if !tok.is_empty() {
            if is_word(&tok) {
                run.push(std::mem::take(&mut tok));
            }
            tok.clear();
        }
        if is_cjk(c) {
            close(&mut run);
        }
    }
    close(&mut run);
    runs
}

/// Every English run of a page, with the text node it is in.
pub(super) fn page_runs(html: &str) -> Vec<(String, String)> {
    visible_text(html)
        .into_iter()
        .flat_map(|t| {
            english_runs(&t)
                .into_iter()
                .map(move |r| (r, t.clone()))
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
pub(super) fn the_checker_finds_english_and_passes_chinese() {
    assert_eq!(
        english_runs("成本法：cost index ends in 2024: years after it are held flat"),
        ["cost index ends in years after it are held flat"]
    );
    // Identifiers, acronyms and symbols are not words; two words are not a run.
    assert!(english_runs("models/market.toml income.growth P_adj LPR DSCR_min ln min").is_empty());
    assert!(english_runs("案例文件：income.discount.beta；期限 36 个月").is_empty());
    assert!(english_runs("combined (P_adj / P)").is_empty());
    assert_eq!(
        english_runs("n = min(legal remaining, economic life)").len(),
        1
    );
    // A Chinese character ends a run.
    assert!(english_runs("the 收益法 value 元 is low").is_empty());
    let page = "<style>the quick brown fox</style><p>一 <b>two words</b> here too</p>\
                <svg><text>the svg text is skipped</text></svg><td>A &amp; B are here now</td>";
    assert_eq!(
        visible_text(page),
        ["一", "two words", "here too", "A & B are here now"]
    );
    assert_eq!(page_runs(page).len(), 1, "{:?}", page_runs(page));
}

/// The zh report and memo of the demo and of every sample case, on every shipped rulebook, have
/// no English sentence left; the English report of the same cases still has the core's English.
#[test]
pub(super) fn chinese_reports_have_no_english_sentences() {
    let combos: Vec<(Option<&str>, Option<&str>)> = CASES
        .iter()
        .flat_map(|c| RULEBOOKS.iter().map(move |r| (*c, *r)))
        .collect();
    // Two threads: the sets are independent and each is mostly chart rendering.
    let found: Vec<String> = std::thread::scope(|s| {
        let halves: Vec<_> = combos
            .chunks(combos.len().div_ceil(2))
            .map(|part| {
                s.spawn(move || {
                    let mut found = Vec::new();
                    for (case, rb) in part {
                        let set = case_set_on(*case, *rb, Lang::Zh);
                        let mut pages = vec![("report.html", set.html.clone())];
                        if let Some(m) = &set.credit_html {
                            pages.push(("credit_memo.html", m.clone()));
                        }
                        for (page, html) in pages {
                            for (run, text) in page_runs(&html) {
                                found.push(format!(
                                    "{} / {} / {page}: «{run}» in «{text}»",
                                    case.unwrap_or("demo"),
                                    rb.unwrap_or("bank_default")
                                ));
                            }
                        }
                    }
                    found
                })
            })
            .collect();
        halves
            .into_iter()
            .flat_map(|h| h.join().expect("a report set panicked"))
            .collect()
    });
    // The English report keeps the core's own English (translation is for Chinese only).
    let en = case_set_on(None, None, Lang::En);
    for core in [
        "round half away from zero to the fen",
        "whole years from the valuation date to expiry (= start + term) + remaining days / days of that year",
        "R_technology from the case",
    ] {
        assert!(en.html.contains(core), "the English report lacks «{core}»");
    }
    let mut distinct: Vec<&String> = found.iter().collect();
    distinct.sort();
    distinct.dedup();
    assert!(
        found.is_empty(),
        "{} English runs in the Chinese reports:\n{}",
        found.len(),
        distinct
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
}
