//! English verbs and their forms (`data/verb_forms.txt`, generated from lemminflect's
//! inflection table by `scripts/language_data.py`), parsed once: read by the tagger
//! ([`super::pos`]), the glossary profiles ([`super::profile`]) and the forms of terms.

use rustc_hash::FxHashMap;
use std::sync::OnceLock;

/// English verbs (`data/verb_forms.txt`, parsed once): each verb's forms, and each form's verb.
struct Verbs {
    /// Verb → past, past participle, -ing, third person.
    forms: FxHashMap<&'static str, [&'static str; 4]>,
    /// Any form → its verb ("deployed" → "deploy").
    lemmas: FxHashMap<&'static str, &'static str>,
}

fn verbs() -> &'static Verbs {
    static V: OnceLock<Verbs> = OnceLock::new();
    V.get_or_init(|| {
        let mut v = Verbs {
            forms: FxHashMap::default(),
            lemmas: FxHashMap::default(),
        };
        for line in super::lexicon::data_lines(include_str!("data/verb_forms.txt")) {
            if line.starts_with('#') {
                continue;
            }
            // Five fields exactly, read without collecting them (6,400 lines a process).
            let mut f = line.split(' ');
            let fields = [f.next(), f.next(), f.next(), f.next(), f.next(), f.next()];
            if let [Some(l), Some(a), Some(b), Some(c), Some(d), None] = fields {
                v.forms.insert(l, [a, b, c, d]);
                for form in [a, b, c, d] {
                    v.lemmas.entry(form).or_insert(l);
                }
            }
        }
        v
    })
}

/// The forms of a verb (`data/verb_forms.txt`): past, past participle, -ing, third person.
pub(crate) fn verb_forms(lemma: &str) -> Option<[&'static str; 4]> {
    verbs().forms.get(lemma).copied()
}

/// A verb of `data/verb_forms.txt` as the table spells it, with its forms.
pub(crate) fn verb_entry(lemma: &str) -> Option<(&'static str, [&'static str; 4])> {
    verbs().forms.get_key_value(lemma).map(|(l, f)| (*l, *f))
}

/// The verb a form belongs to ("deployed": "deploy").
pub(crate) fn verb_of(form: &str) -> Option<&'static str> {
    verbs().lemmas.get(form).copied()
}

/// Every verb form with its verb, in no order.
pub(crate) fn every_form() -> impl Iterator<Item = (&'static str, &'static str)> {
    verbs().lemmas.iter().map(|(f, v)| (*f, *v))
}
