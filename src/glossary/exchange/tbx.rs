//! TBX (TermBase eXchange, ISO 30042): TBX-Basic v3 export, TBX v3 and v2/MARTIF import.
//!
//! Export writes one `conceptEntry` per concept with a `langSec` per side, told apart by the
//! private-use language tags `en-x-it` and `en-x-marketing`. What TBX-Basic has no data
//! category for (cues, per-term matching overrides) travels in `x-broker-…` types that other
//! tools show as custom fields. Import reads both the current layout
//! (`tbx`/`conceptEntry`/`langSec`/`termSec`) and the older one that most CAT tools still
//! write (`martif`/`termEntry`/`langSet`/`tig`|`ntig`), and reports with line:column every
//! element it cannot map. The mapping is in `docs/exchange.md`.
//!
//! XML is written with `quick-xml`'s writer and read with its pull parser into a small tree;
//! escaping is the library's job on both sides.

use std::io::{self, Write};

use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesDecl, BytesStart, BytesText, Event};
use quick_xml::{Reader, Writer};

use super::{
    join_problems, sanitize_id, FieldLocations, Import, LangMap, LineIndex, Location, Problem,
    IT_LANG, MARKETING_LANG,
};
use crate::glossary::{Concept, Side, SideEntry, Term};

/// The TBX namespace of ISO 30042:2019 (TBX v3).
pub const NAMESPACE: &str = "urn:iso:std:iso:30042:ed-2";
/// `<termNote type=…>` marking a term preferred or admitted.
const ADMIN_STATUS: &str = "administrativeStatus";
const PREFERRED: &str = "preferredTerm-admn-sts";
const ADMITTED: &str = "admittedTerm-admn-sts";
/// broker's own data categories (see `docs/exchange.md`).
const CUE: &str = "x-broker-cue";
const CASE_SENSITIVE: &str = "x-broker-caseSensitive";
const FUZZY: &str = "x-broker-fuzzy";
const NOT_IN: &str = "x-broker-notIn";
/// TBX-Basic's own data category for a term's part of speech.
const PART_OF_SPEECH: &str = "partOfSpeech";

/// Why a TBX file could not be imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TbxError {
    /// The file is not well-formed XML.
    #[error("{location}: malformed XML: {message}")]
    Xml {
        /// Where the parser stopped.
        location: Location,
        /// The parser's message.
        message: String,
    },
    /// The root element is neither `<tbx>` (v3) nor `<martif>` (v2).
    #[error(
        "{location}: not a TBX file: the root element is <{root}>, expected <tbx> or <martif>"
    )]
    NotTbx {
        /// Where the root element starts.
        location: Location,
        /// Its name.
        root: String,
    },
    /// Entries that map to invalid concepts (e.g. terms but no definition), each located.
    #[error("{}", join_problems(.0))]
    Invalid(Vec<Problem>),
}

/// Writes `concepts` as a TBX-Basic v3 document (DCA style). `description` goes into
/// `tbxHeader/fileDesc/sourceDesc/p`.
///
/// # Errors
/// Only those of the underlying writer.
pub fn export<W: Write>(out: W, concepts: &[Concept], description: &str) -> io::Result<()> {
    let mut w = Writer::new_with_indent(out, b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    w.create_element("tbx")
        .with_attributes([
            ("type", "TBX-Basic"),
            ("style", "dca"),
            ("xml:lang", "en"),
            ("xmlns", NAMESPACE),
        ])
        .write_inner_content(|w| {
            w.create_element("tbxHeader").write_inner_content(|w| {
                w.create_element("fileDesc").write_inner_content(|w| {
                    w.create_element("sourceDesc")
                        .write_inner_content(|w| text_element(w, "p", &[], description))?;
                    Ok(())
                })?;
                Ok(())
            })?;
            w.create_element("text").write_inner_content(|w| {
                w.create_element("body").write_inner_content(|w| {
                    concepts.iter().try_for_each(|c| write_concept(w, c))
                })?;
                Ok(())
            })?;
            Ok(())
        })?;
    w.get_mut().write_all(b"\n")
}

fn write_concept<W: Write>(w: &mut Writer<W>, c: &Concept) -> io::Result<()> {
    w.create_element("conceptEntry")
        .with_attribute(("id", c.id.as_str()))
        .write_inner_content(|w| {
            for tag in &c.tags {
                text_element(w, "descrip", &[("type", "subjectField")], tag)?;
            }
            if let Some(note) = &c.note {
                text_element(w, "note", &[], note)?;
            }
            for cue in &c.cues {
                text_element(w, "admin", &[("type", CUE)], cue)?;
            }
            for phrase in &c.not_in {
                text_element(w, "admin", &[("type", NOT_IN)], phrase)?;
            }
            for side in Side::BOTH {
                if let Some(entry) = c.side(side) {
                    write_side(w, side, entry)?;
                }
            }
            Ok(())
        })?;
    Ok(())
}

fn write_side<W: Write>(w: &mut Writer<W>, side: Side, entry: &SideEntry) -> io::Result<()> {
    let lang = match side {
        Side::It => IT_LANG,
        Side::Marketing => MARKETING_LANG,
    };
    w.create_element("langSec")
        .with_attribute(("xml:lang", lang))
        .write_inner_content(|w| {
            text_element(w, "descrip", &[("type", "definition")], &entry.definition)?;
            for (i, term) in entry.terms.iter().enumerate() {
                w.create_element("termSec").write_inner_content(|w| {
                    text_element(w, "term", &[], &term.text)?;
                    let status = if i == 0 { PREFERRED } else { ADMITTED };
                    text_element(w, "termNote", &[("type", ADMIN_STATUS)], status)?;
                    if let Some(cs) = term.case_sensitive {
                        text_element(w, "termNote", &[("type", CASE_SENSITIVE)], bool_str(cs))?;
                    }
                    if let Some(f) = term.fuzzy {
                        text_element(w, "termNote", &[("type", FUZZY)], bool_str(f))?;
                    }
                    if let Some(p) = term.pos {
                        text_element(w, "termNote", &[("type", PART_OF_SPEECH)], p.as_str())?;
                    }
                    Ok(())
                })?;
            }
            Ok(())
        })?;
    Ok(())
}

fn bool_str(b: bool) -> &'static str {
    if b {
        "true"
    } else {
        "false"
    }
}

/// `<name attrs…>text</name>`, the text escaped by quick-xml.
///
/// Control characters other than tab and line breaks cannot appear in XML 1.0 at all, not
/// even escaped; they are refused rather than written into a file no parser accepts.
fn text_element<W: Write>(
    w: &mut Writer<W>,
    name: &str,
    attrs: &[(&str, &str)],
    text: &str,
) -> io::Result<()> {
    if let Some(c) = text.chars().find(|&c| {
        (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || c == '\u{FFFE}' || c == '\u{FFFF}'
    }) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "<{name}>: character U+{:04X} in {text:?} cannot be written in XML",
                c as u32
            ),
        ));
    }
    w.create_element(name)
        .with_attributes(attrs.iter().copied())
        .write_text_content(BytesText::new(text))?;
    Ok(())
}

/// Reads a TBX v3 or v2/MARTIF document into concepts, mapping language sections to sides
/// with `langs`.
///
/// Entries with no terms in a mapped language, language sections mapped to no side, and
/// elements with no place in the glossary model are left out and reported in
/// [`Import::warnings`].
///
/// # Errors
/// [`TbxError::Xml`] for malformed XML, [`TbxError::NotTbx`] for another root element, and
/// [`TbxError::Invalid`] listing every entry that maps to an invalid concept (a side with
/// terms but no definition, an over-long term, …), each with line:column and entry id.
pub fn import(text: &str, langs: &LangMap) -> Result<Import, TbxError> {
    let lines = LineIndex::new(text);
    let root = parse(text, &lines)?;
    if root.name != "tbx" && root.name != "martif" {
        return Err(TbxError::NotTbx {
            location: lines.location(root.pos),
            root: root.qname.clone(),
        });
    }
    let mut im = Importer {
        lines: &lines,
        langs,
        warnings: Vec::new(),
        errors: Vec::new(),
        concepts: Vec::new(),
    };
    im.root(&root);
    // Reported in file order, whichever pass found them.
    let key = |p: &Problem| match p.location {
        Location::Text { line, column } => (line, column),
        Location::Row { row, .. } => (row, 0),
    };
    im.warnings.sort_by_key(key);
    im.errors.sort_by_key(key);
    if im.errors.is_empty() {
        Ok(Import {
            concepts: im.concepts,
            warnings: im.warnings,
        })
    } else {
        Err(TbxError::Invalid(im.errors))
    }
}

// ---------------------------------------------------------------------------------------
// A small element tree: enough to walk TBX with positions, nothing more.

#[derive(Debug)]
struct Node {
    /// Local name (namespace prefix dropped).
    name: String,
    /// Name as written, for messages.
    qname: String,
    attrs: Vec<(String, String)>,
    children: Vec<Child>,
    /// Byte offset of the `<`.
    pos: usize,
}

#[derive(Debug)]
enum Child {
    Element(Node),
    Text(String),
}

impl Node {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn elements(&self) -> impl Iterator<Item = &Node> {
        self.children.iter().filter_map(|c| match c {
            Child::Element(n) => Some(n),
            Child::Text(_) => None,
        })
    }

    /// All text inside, including that of inline markup such as `<hi>`.
    fn text(&self) -> String {
        let mut out = String::new();
        self.collect_text(&mut out);
        out
    }

    fn collect_text(&self, out: &mut String) {
        for c in &self.children {
            match c {
                Child::Text(t) => out.push_str(t),
                Child::Element(n) => n.collect_text(out),
            }
        }
    }

    /// `<descrip type="definition">` → `descrip type="definition"`, for messages.
    fn describe(&self) -> String {
        match self.attr("type") {
            Some(t) => format!("<{} type=\"{t}\">", self.qname),
            None => format!("<{}>", self.qname),
        }
    }
}

/// TBX needs about eight levels; the limit keeps hostile files from exhausting the stack
/// (the tree is walked and dropped recursively).
const MAX_DEPTH: usize = 64;

fn parse(text: &str, lines: &LineIndex) -> Result<Node, TbxError> {
    let mut reader = Reader::from_str(text);
    let xml_err = |offset: u64, message: String| TbxError::Xml {
        location: lines.location(usize::try_from(offset).unwrap_or(usize::MAX)),
        message,
    };
    let mut stack: Vec<Node> = Vec::new();
    let mut root: Option<Node> = None;
    loop {
        let pos = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|e| xml_err(reader.error_position(), e.to_string()))?;
        let finished = match event {
            Event::Start(e) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(xml_err(
                        pos,
                        format!("elements nested deeper than {MAX_DEPTH} levels"),
                    ));
                }
                stack.push(node(&e, pos, &xml_err)?);
                None
            }
            Event::Empty(e) => Some(node(&e, pos, &xml_err)?),
            Event::End(_) => stack.pop(),
            Event::Text(t) => {
                let s = t.xml10_content().map_err(|e| xml_err(pos, e.to_string()))?;
                push_text(&mut stack, &s);
                None
            }
            Event::CData(t) => {
                let s = t.decode().map_err(|e| xml_err(pos, e.to_string()))?;
                push_text(&mut stack, &s);
                None
            }
            Event::GeneralRef(r) => {
                let name = r.decode().map_err(|e| xml_err(pos, e.to_string()))?;
                let resolved = if r.is_char_ref() {
                    r.resolve_char_ref()
                        .map_err(|e| xml_err(pos, e.to_string()))?
                        .map(String::from)
                } else {
                    resolve_predefined_entity(&name).map(str::to_string)
                };
                let Some(s) = resolved else {
                    return Err(xml_err(pos, format!("unknown entity '&{name};'")));
                };
                push_text(&mut stack, &s);
                None
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => None,
        };
        if let Some(n) = finished {
            match stack.last_mut() {
                Some(parent) => parent.children.push(Child::Element(n)),
                None if root.is_none() => root = Some(n),
                None => {
                    return Err(xml_err(
                        n.pos as u64,
                        format!("a second root element <{}>", n.qname),
                    ))
                }
            }
        }
    }
    if let Some(open) = stack.last() {
        return Err(xml_err(
            open.pos as u64,
            format!("<{}> is never closed", open.qname),
        ));
    }
    root.ok_or_else(|| xml_err(0, "the file holds no element".into()))
}

fn node<F>(e: &BytesStart, pos: u64, xml_err: &F) -> Result<Node, TbxError>
where
    F: Fn(u64, String) -> TbxError,
{
    let qname = String::from_utf8_lossy(e.name().as_ref()).into_owned();
    let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
    let mut attrs = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|err| xml_err(pos, err.to_string()))?;
        let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
        let value = a
            .unescape_value()
            .map_err(|err| xml_err(pos, err.to_string()))?
            .into_owned();
        attrs.push((key, value));
    }
    Ok(Node {
        name,
        qname,
        attrs,
        children: Vec::new(),
        pos: usize::try_from(pos).unwrap_or(usize::MAX),
    })
}

fn push_text(stack: &mut [Node], s: &str) {
    if let Some(top) = stack.last_mut() {
        match top.children.last_mut() {
            Some(Child::Text(t)) => t.push_str(s),
            _ => top.children.push(Child::Text(s.to_string())),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Mapping the tree to concepts.

struct Importer<'a> {
    lines: &'a LineIndex<'a>,
    langs: &'a LangMap,
    warnings: Vec<Problem>,
    errors: Vec<Problem>,
    concepts: Vec<Concept>,
}

/// One side being gathered from one or more language sections.
#[derive(Default)]
struct SideAcc {
    terms: Vec<(Term, bool, Location)>,
    definition: Option<String>,
    location: Option<Location>,
    lang: String,
}

/// What was read from one term container (`termSec`, `tig`, `ntig`).
#[derive(Default)]
struct TermAcc {
    term: Option<(String, Location)>,
    preferred: bool,
    case_sensitive: Option<bool>,
    fuzzy: Option<bool>,
    pos: Option<crate::glossary::Pos>,
}

impl Importer<'_> {
    fn at(&self, n: &Node) -> Location {
        self.lines.location(n.pos)
    }

    fn warn(&mut self, n: &Node, entry: Option<&str>, message: impl Into<String>) {
        let p = Problem::new(self.at(n), entry, message);
        self.warnings.push(p);
    }

    fn unsupported(&mut self, n: &Node, entry: Option<&str>, inside: &str) {
        let what = n.describe();
        self.warn(
            n,
            entry,
            format!("{what} in <{inside}> is not supported; left out"),
        );
    }

    fn root(&mut self, root: &Node) {
        let mut found_text = false;
        for child in root.elements() {
            match child.name.as_str() {
                // Header metadata (file description, encoding notes) has no place in a glossary.
                "tbxHeader" | "martifHeader" => {}
                "text" => {
                    found_text = true;
                    for part in child.elements() {
                        match part.name.as_str() {
                            "body" => self.body(part),
                            "back" if part.elements().next().is_none() => {}
                            _ => self.unsupported(part, None, "text"),
                        }
                    }
                }
                _ => self.unsupported(child, None, &root.qname),
            }
        }
        if !found_text {
            self.warn(root, None, "no <text> element: the file holds no entries");
        }
    }

    fn body(&mut self, body: &Node) {
        for entry in body.elements() {
            match entry.name.as_str() {
                "conceptEntry" | "termEntry" => self.entry(entry),
                _ => self.unsupported(entry, None, "body"),
            }
        }
    }

    fn entry(&mut self, node: &Node) {
        let raw_id = node.attr("id").map(str::to_string);
        let label = raw_id.clone().unwrap_or_else(|| {
            let Location::Text { line, .. } = self.at(node) else {
                return String::new();
            };
            format!("(no id, line {line})")
        });
        let entry = Some(label.as_str());
        let mut concept = Concept::default();
        let mut notes = Vec::new();
        let mut entry_definition: Option<(String, &Node)> = None;
        let mut sides: [SideAcc; 2] = Default::default();

        for child in node.elements() {
            match child.name.as_str() {
                "descrip" | "descripGrp" => {
                    for d in self.descrips(child, entry) {
                        match d.attr("type") {
                            Some("subjectField") => concept.tags.push(d.text()),
                            Some("definition") if entry_definition.is_none() => {
                                entry_definition = Some((d.text(), d));
                            }
                            _ => self.unsupported(d, entry, &node.qname),
                        }
                    }
                }
                "note" => notes.push(child.text()),
                "admin" if child.attr("type") == Some(CUE) => concept.cues.push(child.text()),
                "admin" if child.attr("type") == Some(NOT_IN) => concept.not_in.push(child.text()),
                "langSec" | "langSet" => self.lang_section(child, entry, &mut sides),
                _ => self.unsupported(child, entry, &node.qname),
            }
        }
        if !notes.is_empty() {
            concept.note = Some(notes.join("\n"));
        }

        let mut fields = FieldLocations::new(self.at(node));
        let mut entry_definition_used = false;
        for (side, acc) in Side::BOTH.into_iter().zip(sides) {
            let Some(location) = acc.location else {
                continue;
            };
            fields.set(side.as_str(), location);
            let mut terms = acc.terms;
            // The preferred term comes first; the others keep the file's order.
            if let Some(i) = terms.iter().position(|(_, preferred, _)| *preferred) {
                let t = terms.remove(i);
                terms.insert(0, t);
            }
            for (i, (_, _, at)) in terms.iter().enumerate() {
                fields.set(format!("{side}.terms[{i}]"), at.clone());
            }
            let definition = match (acc.definition, &entry_definition) {
                (Some(d), _) => d,
                (None, Some((d, _))) => {
                    entry_definition_used = true;
                    d.clone()
                }
                (None, None) => String::new(),
            };
            *concept.side_mut(side) = Some(SideEntry {
                terms: terms.into_iter().map(|(t, _, _)| t).collect(),
                definition,
            });
        }
        if let Some((_, d)) = entry_definition {
            let message = if entry_definition_used {
                "entry-level definition used for the sides without a definition of their own"
            } else {
                "entry-level definition left out: every side has its own"
            };
            self.warn(d, entry, message);
        }

        if concept.terms(Side::It).is_empty() && concept.terms(Side::Marketing).is_empty() {
            self.warn(
                node,
                entry,
                "no terms in a language mapped to a side; entry left out",
            );
            return;
        }

        concept.id = self.concept_id(node, raw_id.as_deref(), &concept, entry);
        if let Err(e) = concept.validate() {
            let mut message = e.to_string();
            if e.field.ends_with(".definition") {
                message.push_str(" (no <descrip type=\"definition\"> for this language)");
            }
            self.errors
                .push(Problem::new(fields.get(&e.field), entry, message));
            return;
        }
        self.concepts.push(concept);
    }

    /// The descrip elements of a `descrip` or `descripGrp`; other members of a group are
    /// reported.
    fn descrips<'n>(&mut self, node: &'n Node, entry: Option<&str>) -> Vec<&'n Node> {
        if node.name == "descrip" {
            return vec![node];
        }
        let mut out = Vec::new();
        for c in node.elements() {
            if c.name == "descrip" {
                out.push(c);
            } else {
                self.unsupported(c, entry, "descripGrp");
            }
        }
        out
    }

    fn concept_id(
        &mut self,
        node: &Node,
        raw: Option<&str>,
        concept: &Concept,
        entry: Option<&str>,
    ) -> String {
        let preferred = Side::BOTH
            .iter()
            .find_map(|&s| concept.terms(s).first())
            .map(|t| sanitize_id(&t.text))
            .unwrap_or_default();
        let base = match raw.map(sanitize_id) {
            Some(id) if !id.is_empty() => {
                if Some(id.as_str()) != raw {
                    self.warn(node, entry, format!("id imported as '{id}'"));
                }
                id
            }
            Some(_) => {
                let id = non_empty(preferred, self.concepts.len());
                self.warn(node, entry, format!("id unusable; imported as '{id}'"));
                id
            }
            None => non_empty(preferred, self.concepts.len()),
        };
        let taken = |id: &str| self.concepts.iter().any(|c| c.id == id);
        if !taken(&base) {
            return base;
        }
        let id = (2..)
            .map(|n| format!("{base}-{n}"))
            .find(|id| !taken(id))
            .unwrap_or(base);
        self.warn(node, entry, format!("id already used; imported as '{id}'"));
        id
    }

    fn lang_section(&mut self, node: &Node, entry: Option<&str>, sides: &mut [SideAcc; 2]) {
        let Some(lang) = node.attr("xml:lang").or_else(|| node.attr("lang")) else {
            self.warn(
                node,
                entry,
                format!("<{}> without xml:lang; left out", node.qname),
            );
            return;
        };
        let Some(side) = self.langs.side(lang) else {
            self.warn(
                node,
                entry,
                format!(
                    "language '{lang}' is mapped to no side; section left out \
                     (map it with --it-lang or --marketing-lang)"
                ),
            );
            return;
        };
        let at = self.at(node);
        let acc = &mut sides[side as usize];
        if acc.location.is_none() {
            acc.location = Some(at);
            acc.lang = lang.to_string();
        }
        let mut definitions = Vec::new();
        for child in node.elements() {
            match child.name.as_str() {
                "descrip" | "descripGrp" => {
                    for d in self.descrips(child, entry) {
                        if d.attr("type") == Some("definition") {
                            definitions.push(d);
                        } else {
                            self.unsupported(d, entry, &node.qname);
                        }
                    }
                }
                "termSec" | "tig" | "ntig" => {
                    let mut t = TermAcc::default();
                    self.term_container(child, entry, &mut t, &mut definitions);
                    match t.term {
                        Some((text, at)) => {
                            let term = Term {
                                text,
                                case_sensitive: t.case_sensitive,
                                fuzzy: t.fuzzy,
                                pos: t.pos,
                            };
                            sides[side as usize].terms.push((term, t.preferred, at));
                        }
                        None => self.warn(
                            child,
                            entry,
                            format!("<{}> without a <term>; left out", child.qname),
                        ),
                    }
                }
                _ => self.unsupported(child, entry, &node.qname),
            }
        }
        for d in definitions {
            let acc = &mut sides[side as usize];
            if acc.definition.is_none() {
                acc.definition = Some(d.text());
            } else if acc.definition.as_deref() != Some(d.text().as_str()) {
                let lang = acc.lang.clone();
                self.warn(
                    d,
                    entry,
                    format!("a second definition for the {side} side ('{lang}'); left out"),
                );
            }
        }
    }

    /// Reads `termSec` (v3), `tig` or `ntig`/`termGrp` (v2). Definitions found at term
    /// level are handed to the language section.
    fn term_container<'n>(
        &mut self,
        node: &'n Node,
        entry: Option<&str>,
        t: &mut TermAcc,
        definitions: &mut Vec<&'n Node>,
    ) {
        for child in node.elements() {
            match child.name.as_str() {
                "termGrp" => self.term_container(child, entry, t, definitions),
                "term" if t.term.is_none() => t.term = Some((child.text(), self.at(child))),
                "termNote" => self.term_note(child, entry, t, &node.qname),
                "descrip" | "descripGrp" => {
                    for d in self.descrips(child, entry) {
                        if d.attr("type") == Some("definition") {
                            definitions.push(d);
                        } else {
                            self.unsupported(d, entry, &node.qname);
                        }
                    }
                }
                _ => self.unsupported(child, entry, &node.qname),
            }
        }
    }

    fn term_note(&mut self, n: &Node, entry: Option<&str>, t: &mut TermAcc, inside: &str) {
        let value = n.text();
        let value = value.trim();
        match n.attr("type") {
            Some(ADMIN_STATUS) | Some("normativeAuthorization") => {
                t.preferred = value.starts_with("preferred");
            }
            Some(PART_OF_SPEECH) => match value {
                "noun" => t.pos = Some(crate::glossary::Pos::Noun),
                "verb" => t.pos = Some(crate::glossary::Pos::Verb),
                // TBX-Basic's other values (adjective, adverb, other…): the matcher has no
                // rule for them, so the term keeps the default.
                _ => self.warn(
                    n,
                    entry,
                    format!(
                        "{} '{value}': broker knows noun and verb; left out",
                        n.describe()
                    ),
                ),
            },
            Some(kind @ (CASE_SENSITIVE | FUZZY)) => {
                let parsed = match value {
                    "true" => Some(true),
                    "false" => Some(false),
                    _ => None,
                };
                match parsed {
                    Some(b) if kind == CASE_SENSITIVE => t.case_sensitive = Some(b),
                    Some(b) => t.fuzzy = Some(b),
                    None => self.warn(
                        n,
                        entry,
                        format!(
                            "{} must be 'true' or 'false', not '{value}'; left out",
                            n.describe()
                        ),
                    ),
                }
            }
            _ => self.unsupported(n, entry, inside),
        }
    }
}

fn non_empty(id: String, n: usize) -> String {
    if id.is_empty() {
        format!("concept-{}", n + 1)
    } else {
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::glossary::Glossary;

    fn export_string(concepts: &[Concept]) -> String {
        let mut out = Vec::new();
        export(&mut out, concepts, "test").unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn default_glossary_round_trips() {
        let concepts = Glossary::embedded().concepts().to_vec();
        let xml = export_string(&concepts);
        let back = import(&xml, &LangMap::default()).unwrap();
        assert_eq!(back.warnings, vec![]);
        assert_eq!(back.concepts, concepts);
    }

    #[test]
    fn header_and_escaping() {
        let c = Concept {
            id: "a".into(),
            note: Some("<b> & \"q\"".into()),
            it: Some(SideEntry {
                terms: vec!["R&D".into()],
                definition: "  spaces kept\nand lines  ".into(),
            }),
            ..Concept::default()
        };
        let xml = export_string(std::slice::from_ref(&c));
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<tbx type=\"TBX-Basic\" style=\"dca\" xml:lang=\"en\" xmlns=\"urn:iso:std:iso:30042:ed-2\">"), "{xml}");
        assert!(xml.contains("<term>R&amp;D</term>"), "{xml}");
        assert!(
            xml.contains("<note>&lt;b&gt; &amp; &quot;q&quot;</note>"),
            "{xml}"
        );
        assert_eq!(import(&xml, &LangMap::default()).unwrap().concepts, vec![c]);
    }

    fn wrap(entries: &str) -> String {
        format!("<martif type=\"TBX\"><text><body>{entries}</body></text></martif>")
    }

    #[test]
    fn mapping_corners() {
        // Entry-level definition serves both sides; inline markup inside <term> is kept as
        // text; no id → from the preferred term; a clashing id gets a suffix.
        let xml = wrap(
            r#"<termEntry>
                 <descrip type="definition">Shared.</descrip>
                 <langSet xml:lang="en-x-it"><tig><term>Click <hi>Rate</hi></term></tig></langSet>
                 <langSet xml:lang="en-x-marketing"><tig><term>CTR</term></tig></langSet>
               </termEntry>
               <termEntry id="click-rate">
                 <langSet xml:lang="en-x-it"><descrip type="definition">D.</descrip>
                   <tig><term>x</term><termNote type="x-broker-fuzzy">maybe</termNote></tig>
                 </langSet>
               </termEntry>"#,
        );
        let im = import(&xml, &LangMap::default()).unwrap();
        let ids = im
            .concepts
            .iter()
            .map(|c| c.id.as_str())
            .collect::<Vec<_>>();
        assert_eq!(ids, ["click-rate", "click-rate-2"]);
        let c = &im.concepts[0];
        assert_eq!(c.terms(Side::It)[0].text, "Click Rate");
        assert_eq!(c.marketing.as_ref().unwrap().definition, "Shared.");
        assert_eq!(c.it.as_ref().unwrap().definition, "Shared.");
        let messages = im
            .warnings
            .iter()
            .map(|w| w.message.as_str())
            .collect::<Vec<_>>();
        assert_eq!(
            messages,
            [
                "entry-level definition used for the sides without a definition of their own",
                "id already used; imported as 'click-rate-2'",
                "<termNote type=\"x-broker-fuzzy\"> must be 'true' or 'false', not 'maybe'; left out",
            ]
        );
    }

    #[test]
    fn empty_terms_are_errors_with_positions() {
        let xml = wrap(
            "<termEntry id=\"a\">\n<langSet xml:lang=\"en-x-it\"><descrip type=\"definition\">D</descrip>\n<tig><term>ok</term></tig><tig><term> </term></tig></langSet></termEntry>",
        );
        let err = import(&xml, &LangMap::default()).unwrap_err();
        assert_eq!(err.to_string(), "3:32: entry 'a': it.terms[1]: empty term");
    }

    #[test]
    fn hostile_input_is_refused_not_crashed_on() {
        let deep = "<a>".repeat(100_000);
        let err = import(&deep, &LangMap::default()).unwrap_err();
        assert!(err.to_string().contains("nested deeper than 64"), "{err}");
        let c = Concept {
            id: "a".into(),
            it: Some(SideEntry {
                terms: vec!["bell\u{7}".into()],
                definition: "d".into(),
            }),
            ..Concept::default()
        };
        let err = export(Vec::new(), &[c], "x").unwrap_err();
        assert!(err.to_string().contains("U+0007"), "{err}");
    }

    #[test]
    fn malformed_xml_is_located() {
        let err = import("<tbx>\n  <text><body>\n</tbx>", &LangMap::default()).unwrap_err();
        assert!(matches!(err, TbxError::Xml { .. }), "{err:?}");
        assert!(err.to_string().starts_with("3:1: malformed XML"), "{err}");
        let err = import("<html/>", &LangMap::default()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "1:1: not a TBX file: the root element is <html>, expected <tbx> or <martif>"
        );
        let err = import("", &LangMap::default()).unwrap_err();
        assert!(matches!(err, TbxError::Xml { .. }), "{err:?}");
        let err = import("<tbx>&nbsp;</tbx>", &LangMap::default()).unwrap_err();
        assert!(err.to_string().contains("unknown entity '&nbsp;'"), "{err}");
    }
}
