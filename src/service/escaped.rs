//! [`Escaped`]: text taken from a request, shown in a log line without its control characters.
//!
//! Its own file because both the access log and the error mapping log with it, and the access
//! log depends on the error type.

use std::fmt;

/// A value shown in a log with its control characters escaped (`\n` as `\\n`, others as
/// `\\u{..}`), so that text taken from a request can never start a line of its own or move
/// the terminal's cursor: `tracing::warn!(id = %Escaped(&id), "...")`.
pub struct Escaped<T>(pub T);

impl<T: fmt::Display> fmt::Display for Escaped<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Out<'a, 'b>(&'a mut fmt::Formatter<'b>);
        impl fmt::Write for Out<'_, '_> {
            fn write_str(&mut self, s: &str) -> fmt::Result {
                for c in s.chars() {
                    if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
                        write!(self.0, "{}", c.escape_default())?;
                    } else {
                        self.0.write_char(c)?;
                    }
                }
                Ok(())
            }
        }
        fmt::write(&mut Out(f), format_args!("{}", self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::Escaped;

    #[test]
    fn control_characters_are_escaped() {
        let forged = "x\nFORGED line\r\u{1b}[2J\u{2028}end";
        let shown = Escaped(forged).to_string();
        assert!(
            !shown.contains(['\n', '\r', '\u{1b}', '\u{2028}']),
            "{shown}"
        );
        assert_eq!(shown, "x\\nFORGED line\\r\\u{1b}[2J\\u{2028}end");
        assert_eq!(Escaped("plain: café").to_string(), "plain: café");
    }
}
