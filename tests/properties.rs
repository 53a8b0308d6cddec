//! Property tests: any input never panics, and every annotation's offsets are in bounds,
//! on char boundaries, agree across bytes / chars / UTF-16, and slice to its text.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use broker::matcher::{InputFormat, MatchOptions, Matcher};
use broker::{render::render, Explain, Format, Glossary, Side};
use proptest::prelude::*;

fn matcher() -> &'static Matcher {
    static M: OnceLock<Matcher> = OnceLock::new();
    M.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/glossary");
        Matcher::new(Arc::new(Glossary::load_dir(&dir).unwrap()))
    })
}

/// Text made of glossary words, near-misses, markup, odd whitespace and odd Unicode.
fn text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("latency".to_string()),
        Just("Latencies".to_string()),
        Just("phising".to_string()),
        Just("click-through".to_string()),
        Just(" rate".to_string()),
        Just("API's".to_string()),
        Just("IT".to_string()),
        Just("pipeline".to_string()),
        Just("24/7 support".to_string()),
        Just("web hook".to_string()),
        Just("`".to_string()),
        Just("```\n".to_string()),
        Just("<a href=\"x\">".to_string()),
        Just("</a>".to_string()),
        Just("https://x.io/latency".to_string()),
        Just("&amp;".to_string()),
        Just("\u{301}".to_string()),
        Just("e\u{301}".to_string()),
        Just("🔥".to_string()),
        Just("👩‍💻".to_string()),
        Just("\u{200d}".to_string()),
        Just("’s".to_string()),
        Just("\t\n\n   ".to_string()),
        Just("—".to_string()),
        Just("ﬁ".to_string()),
        "\\PC{0,6}",
        " {0,40}",
    ];
    prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

fn utf16_len(s: &str) -> usize {
    s.chars().map(char::len_utf16).sum()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn offsets_are_consistent(text in text(), fmt in 0..3usize, exact in any::<bool>()) {
        let input = [InputFormat::Plain, InputFormat::Markdown, InputFormat::Html][fmt];
        let opts = MatchOptions { input, exact_only: exact, ..MatchOptions::default() };
        let anns = broker::render::annotate(matcher(), matcher().find(&text, &opts));
        let mut last_end = 0;
        for a in &anns {
            prop_assert!(a.start < a.end && a.end <= text.len());
            prop_assert!(a.start >= last_end, "overlap");
            last_end = a.end;
            prop_assert!(text.is_char_boundary(a.start) && text.is_char_boundary(a.end));
            prop_assert_eq!(&text[a.start..a.end], a.text.as_str());
            prop_assert_eq!(text[..a.start].chars().count(), a.char_start);
            prop_assert_eq!(text[..a.end].chars().count(), a.char_end);
            prop_assert_eq!(utf16_len(&text[..a.start]), a.utf16_start);
            prop_assert_eq!(utf16_len(&text[..a.end]), a.utf16_end);
            prop_assert!(a.score > 0.0 && a.score <= 1.0);
        }
        for format in [Format::Inline, Format::Markdown, Format::Html, Format::Rewrite] {
            for (reader, explain) in Side::BOTH.into_iter().zip([Explain::First, Explain::Every]) {
                let out = render(&text, &anns, reader, format, explain);
                if format != Format::Rewrite {
                    prop_assert!(out.len() >= text.len());
                }
            }
        }
    }

    #[test]
    fn lookups_never_panic(q in "\\PC{0,30}") {
        let m = matcher();
        let _ = m.lookup(&q, None, 5);
        let _ = m.suggest(&q, Some(Side::It), 5);
    }
}
