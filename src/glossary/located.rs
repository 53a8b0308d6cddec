//! A concept as read from a glossary file, with the line each of its parts was written on:
//! what both readers ([`super::scan`], the one-pass reader, and [`super::load`], the `toml`
//! path) produce, so that neither depends on the other.

use super::model::Concept;

/// A concept as read from a file, with the line each part was written on.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Located {
    pub concept: Concept,
    /// Line of the `[[concept]]` table (or of its id).
    pub line: usize,
    /// Line of the id.
    pub id_line: usize,
    pub lines: FieldLines,
}

/// Lines of a concept's optional parts (kept as numbers: names are only spelled out when a
/// problem is reported, see [`Located::line_of`]).
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct FieldLines {
    pub tags: Option<usize>,
    pub cues: Option<usize>,
    pub not_in: Option<usize>,
    /// The `it` and `marketing` sides.
    pub sides: [Option<SideLines>; 2],
}

/// Lines of one side: its table, its definition, each of its terms.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct SideLines {
    pub line: usize,
    pub definition: Option<usize>,
    pub terms: Vec<usize>,
}

impl SideLines {
    pub(crate) fn new(line: usize) -> SideLines {
        SideLines {
            line,
            definition: None,
            terms: Vec::new(),
        }
    }
}

impl Located {
    /// The line on which `field` (as named by [`crate::glossary::ConceptError`]) was written.
    pub(crate) fn line_of(&self, field: &str) -> usize {
        self.field_lines()
            .iter()
            .rev()
            .find(|(f, _)| {
                field == f
                    || field.starts_with(&format!("{f}."))
                    || field.starts_with(&format!("{f}["))
            })
            .map_or(self.line, |(_, l)| *l)
    }

    /// Every field that was written, with its line, in the order of the file's structure.
    fn field_lines(&self) -> Vec<(String, usize)> {
        let mut out = vec![("id".to_string(), self.id_line)];
        if let Some(l) = self.lines.tags {
            out.push(("tags".into(), l));
        }
        if let Some(l) = self.lines.cues {
            out.push(("cues".into(), l));
        }
        if let Some(l) = self.lines.not_in {
            out.push(("not_in".into(), l));
        }
        for (name, side) in ["it", "marketing"].iter().zip(&self.lines.sides) {
            let Some(side) = side else { continue };
            out.push((name.to_string(), side.line));
            if let Some(l) = side.definition {
                out.push((format!("{name}.definition"), l));
            }
            for (i, &l) in side.terms.iter().enumerate() {
                out.push((format!("{name}.terms[{i}]"), l));
            }
        }
        // The side-less "terms" rule is reported where the concept starts.
        out.push(("terms".into(), self.line));
        out
    }
}
