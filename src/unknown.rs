//! The error of reading a name from a fixed list: a side, a format, a level, a view.
//!
//! Every `FromStr` of the crate's small enums fails with [`UnknownValue`], whose message names
//! the kind of value, what was given and what is accepted, e.g.
//! `unknown side 'cmo': expected 'it' or 'marketing'`.

/// A name that is not one of the accepted values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} '{value}': expected {expected}")]
pub struct UnknownValue {
    /// What kind of value (`side`, `format`, `level`).
    pub what: &'static str,
    /// What was given (lower-cased where the parse ignores case).
    pub value: String,
    /// The accepted values, as a sentence says them.
    pub expected: &'static str,
}

impl UnknownValue {
    /// `value` is not a `what`; `expected` lists what is.
    pub fn new(what: &'static str, value: &str, expected: &'static str) -> UnknownValue {
        UnknownValue {
            what,
            value: value.to_string(),
            expected,
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_message_names_the_value_and_the_choices() {
        let e = super::UnknownValue::new("side", "cmo", "'it' or 'marketing'");
        assert_eq!(
            e.to_string(),
            "unknown side 'cmo': expected 'it' or 'marketing'"
        );
    }
}
