//! Normalising words: Unicode NFKC, case folding, quotes, plural and possessive forms.
//!
//! Everything the matcher compares goes through [`fold`], on glossary terms and text alike,
//! so the two sides always agree on what "the same word" means.

use unicode_normalization::UnicodeNormalization;

/// NFKC, lower case, typographic apostrophes and quotes made straight.
///
/// ASCII input (the common case) skips the Unicode tables.
pub(crate) fn fold_into(word: &str, out: &mut String) {
    out.clear();
    if word.is_ascii() {
        out.push_str(word);
        out.make_ascii_lowercase();
        return;
    }
    for c in word.nfkc() {
        match c {
            '\u{2018}' | '\u{2019}' | '\u{201B}' | '\u{2032}' | '\u{02BC}' => out.push('\''),
            '\u{201C}' | '\u{201D}' | '\u{201F}' | '\u{2033}' | '\u{00AB}' | '\u{00BB}' => {
                out.push('"')
            }
            c => out.extend(c.to_lowercase()),
        }
    }
}

/// [`fold_into`] returning a new string.
pub(crate) fn fold(word: &str) -> String {
    let mut s = String::with_capacity(word.len());
    fold_into(word, &mut s);
    s
}

/// NFKC with quotes made straight, keeping case: what case-sensitive terms compare.
pub(crate) fn nfkc_keep_case(word: &str) -> String {
    if word.is_ascii() {
        return word.to_string();
    }
    word.nfkc()
        .map(|c| match c {
            '\u{2018}' | '\u{2019}' | '\u{201B}' | '\u{2032}' | '\u{02BC}' => '\'',
            '\u{201C}' | '\u{201D}' | '\u{201F}' | '\u{2033}' | '\u{00AB}' | '\u{00BB}' => '"',
            c => c,
        })
        .collect()
}

/// Strips a possessive ending (`'s`, or a lone trailing `'`) from a folded word.
pub(crate) fn strip_possessive(w: &str) -> &str {
    if let Some(base) = w.strip_suffix("'s") {
        if !base.is_empty() {
            return base;
        }
    }
    w
}

/// Singular forms a folded word may be the plural of, most likely first (`kpis` → `kpi`,
/// `hotfixes` → `hotfix`, `companies` → `company`), without allocating: `f` is called with
/// each until it returns true.
pub(crate) fn each_singular(w: &str, buf: &mut String, mut f: impl FnMut(&str) -> bool) -> bool {
    if let Some(b) = w.strip_suffix("ies").filter(|b| b.chars().count() >= 2) {
        buf.clear();
        buf.push_str(b);
        buf.push('y');
        if f(buf) {
            return true;
        }
    }
    if let Some(b) = w
        .strip_suffix('s')
        .filter(|b| !b.is_empty() && !b.ends_with('s') || b.ends_with("ss"))
    {
        if f(b) {
            return true;
        }
    }
    if let Some(b) = w.strip_suffix("es").filter(|b| b.chars().count() >= 2) {
        if f(b) {
            return true;
        }
    }
    false
}

/// The forms of a folded word that may be a cue's base form: itself, its singulars, and
/// simple verb forms ("deployed", "deploying" → "deploy"; "released" → "release").
pub(crate) fn cue_forms(w: &str) -> impl Iterator<Item = std::borrow::Cow<'_, str>> {
    use std::borrow::Cow;
    let mut out: Vec<Cow<'_, str>> = vec![Cow::Borrowed(w)];
    each_singular(w, &mut String::new(), |s| {
        out.push(Cow::Owned(s.to_owned()));
        false
    });
    for suffix in ["ing", "ed"] {
        if let Some(base) = w.strip_suffix(suffix).filter(|b| b.len() >= 3) {
            out.push(Cow::Borrowed(base));
            out.push(Cow::Owned(format!("{base}e")));
        }
    }
    if let Some(base) = w
        .strip_suffix('d')
        .filter(|b| b.len() >= 3 && b.ends_with('e'))
    {
        out.push(Cow::Borrowed(base));
    }
    out.into_iter()
}

/// A term is an acronym when it has no lower-case letter and at least two capitals
/// ("SLA", "IT", "B2B", "CI/CD"): it then matches only in capitals.
pub(crate) fn is_acronym(term: &str) -> bool {
    !term.chars().any(char::is_lowercase) && term.chars().filter(|c| c.is_uppercase()).count() >= 2
}

/// Letters (and digits) in a string: the denominator of the fuzzy score.
pub(crate) fn letters(s: &str) -> usize {
    s.chars().filter(|c| c.is_alphanumeric()).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding() {
        assert_eq!(fold("Customer’s"), "customer's");
        assert_eq!(fold("ＡＰＩ"), "api");
        assert_eq!(fold("KPIs"), "kpis");
        assert_eq!(fold("ﬁle"), "file");
    }

    #[test]
    fn plural_and_possessive() {
        let s = |w: &str| {
            let mut out = Vec::new();
            each_singular(w, &mut String::new(), |s| {
                out.push(s.to_string());
                false
            });
            out
        };
        assert!(s("companies").contains(&"company".to_string()));
        assert!(s("hotfixes").contains(&"hotfix".to_string()));
        assert!(s("kpis").contains(&"kpi".to_string()));
        assert!(s("classes").contains(&"class".to_string()));
        assert!(!s("class").contains(&"clas".to_string()));
        assert_eq!(strip_possessive("customer's"), "customer");
        assert_eq!(strip_possessive("'s"), "'s");
    }

    #[test]
    fn acronyms() {
        for a in ["SLA", "IT", "B2B", "CTR", "CI/CD", "2FA"] {
            assert!(is_acronym(a), "{a}");
        }
        for n in ["K8s", "Go", "A", "latency", "A/B test", "I"] {
            assert!(!is_acronym(n), "{n}");
        }
    }
}
