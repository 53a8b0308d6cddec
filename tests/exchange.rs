//! Glossary import/export end to end: round trips through TBX and CSV, files in the shapes
//! real terminology tools write, malformed files, and the `broker glossary export|import`
//! commands (run as the real binary, writing only into temporary directories).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use broker::glossary::exchange::{self, csv, tbx, Format, LangMap, Location, Problem};
use broker::glossary::{write, Concept, Glossary, Pos, SideEntry, Term};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/exchange")
        .join(name)
}

fn broker(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_broker"))
        .args(args)
        .env_remove("BROKER_GLOSSARY")
        .env("RUST_LOG", "warn")
        .output()
        .expect("the broker binary runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("temporary paths are UTF-8")
}

fn side(terms: &[Term], definition: &str) -> Option<SideEntry> {
    Some(SideEntry {
        terms: terms.to_vec(),
        definition: definition.into(),
    })
}

fn term(text: &str) -> Term {
    Term::new(text)
}

/// The default glossary plus concepts that exercise every corner of the model.
fn rich_concepts() -> Vec<Concept> {
    let mut concepts = Glossary::embedded().concepts().to_vec();
    concepts.push(Concept {
        draft: false,
        id: "go".into(),
        tags: vec!["languages".into(), "web analytics".into()],
        note: Some("Two lines;\nwith <markup> & \"quotes\".".into()),
        cues: vec!["goroutine".into(), "compile".into()],
        not_in: vec!["go for it".into(), "on the go".into()],
        it: side(
            &[
                Term {
                    text: "Go".into(),
                    case_sensitive: Some(true),
                    fuzzy: Some(false),
                    pos: None,
                },
                Term {
                    text: "golang".into(),
                    case_sensitive: None,
                    fuzzy: Some(true),
                    pos: Some(Pos::Noun),
                },
                Term {
                    text: "go live".into(),
                    case_sensitive: None,
                    fuzzy: None,
                    pos: Some(Pos::Verb),
                },
                term("R&D <team>"),
            ],
            "  A compiled language, \"simple\" & fast.  ",
        ),
        marketing: side(&[], "Technology behind the café's ordering app — ünïcödé."),
    });
    concepts.push(Concept {
        id: "churn".into(),
        marketing: side(
            &[term("widget churn"), term("widget churn rate")],
            "Customers who leave.",
        ),
        ..Concept::default()
    });
    concepts
}

/// Exports `concepts` from a glossary directory with the CLI, imports the file into a new
/// directory, and loads that directory.
fn cli_round_trip(concepts: &[Concept], format: &str) -> Vec<Concept> {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    std::fs::create_dir(&src).unwrap();
    std::fs::write(src.join("all.toml"), write::to_toml(concepts)).unwrap();
    let file = tmp.path().join(format!("glossary.{format}"));
    let out = tmp.path().join("out");
    let o = broker(&[
        "glossary",
        "export",
        "--to",
        format,
        "--glossary",
        path_str(&src),
        "--output",
        path_str(&file),
    ]);
    assert!(o.status.success(), "export: {}", stderr(&o));
    let o = broker(&[
        "glossary",
        "import",
        path_str(&file),
        "--into",
        path_str(&out),
    ]);
    assert!(o.status.success(), "import: {}", stderr(&o));
    assert!(
        !stderr(&o).contains("warning:"),
        "a broker file imports without warnings: {}",
        stderr(&o)
    );
    assert!(out.join("glossary.toml").is_file());
    Glossary::load_dir(&out).unwrap().concepts().to_vec()
}

#[test]
fn default_glossary_round_trips_through_tbx() {
    let concepts = Glossary::embedded().concepts().to_vec();
    assert_eq!(cli_round_trip(&concepts, "tbx"), concepts);
}

#[test]
fn default_glossary_round_trips_through_csv() {
    let concepts = Glossary::embedded().concepts().to_vec();
    assert_eq!(cli_round_trip(&concepts, "csv"), concepts);
}

#[test]
fn every_field_round_trips_through_both_formats() {
    let concepts = rich_concepts();
    assert_eq!(cli_round_trip(&concepts, "tbx"), concepts);
    assert_eq!(cli_round_trip(&concepts, "csv"), concepts);
}

#[test]
fn library_round_trip_without_the_cli() {
    let concepts = rich_concepts();
    let mut xml = Vec::new();
    tbx::export(&mut xml, &concepts, "test").unwrap();
    let back = exchange::import(Format::Tbx, &xml, &LangMap::default()).unwrap();
    assert_eq!(back.concepts, concepts);
    let mut text = Vec::new();
    csv::export(&mut text, &concepts).unwrap();
    let back = exchange::import(Format::Csv, &text, &LangMap::default()).unwrap();
    assert_eq!(back.concepts, concepts);
}

/// `(line, column, words the message contains)` for each expected warning, in order.
fn assert_warnings(warnings: &[Problem], want: &[(usize, usize, &str)]) {
    let got = warnings
        .iter()
        .map(|w| match w.location {
            Location::Text { line, column } => (line, column, w.to_string()),
            Location::Row { .. } => panic!("XML warnings have line:column: {w}"),
        })
        .collect::<Vec<_>>();
    assert_eq!(got.len(), want.len(), "{got:#?}");
    for ((line, column, text), (wl, wc, words)) in got.iter().zip(want) {
        assert_eq!((line, column), (wl, wc), "{text}");
        assert!(text.contains(words), "{text} should contain {words}");
    }
}

fn read_fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixture(name)).unwrap()
}

#[test]
fn tbx_v3_from_another_tool() {
    let langs = LangMap::with(&["en-US".into()], &["en-GB".into()]).unwrap();
    let im = exchange::import(Format::Tbx, &read_fixture("v3.tbx"), &langs).unwrap();
    let want = vec![
        Concept {
            draft: false,
            id: "uptime-sla".into(),
            tags: vec!["reliability".into(), "contracts".into()],
            note: Some("Measured per calendar month.".into()),
            cues: vec![],
            not_in: vec![],
            it: side(
                &[
                    Term {
                        text: "SLA".into(),
                        case_sensitive: Some(true),
                        fuzzy: Some(false),
                        pos: None,
                    },
                    // TBX-Basic's partOfSpeech is read into the term's pos.
                    Term {
                        pos: Some(Pos::Noun),
                        ..term("uptime SLA")
                    },
                ],
                "Availability the service commits to, e.g. 99.9 % of minutes.",
            ),
            marketing: side(
                &[term("service guarantee")],
                "Our promise that the product is there when customers need it & what we pay back if not.",
            ),
        },
        Concept {
            id: "retargeting".into(),
            cues: vec!["cohort".into(), "campaign".into()],
            it: side(
                &[],
                "Serving ads to visitors identified by a cookie or pixel.",
            ),
            marketing: side(
                &[term("retargeting")],
                "Showing ads to people who already visited.",
            ),
            ..Concept::default()
        },
    ];
    assert_eq!(im.concepts, want);
    assert_warnings(
        &im.warnings,
        &[
            (14, 7, "entry 'Uptime_SLA': id imported as 'uptime-sla'"),
            (18, 9, "<transacGrp> in <conceptEntry> is not supported"),
            (40, 13, "<descrip type=\"context\"> in <termSec>"),
            (43, 9, "language 'de' is mapped to no side"),
            (
                62,
                7,
                "entry 'c-3': no terms in a language mapped to a side",
            ),
            (63, 9, "language 'de' is mapped to no side"),
        ],
    );
}

#[test]
fn tbx_v2_martif_from_a_cat_tool() {
    let langs = LangMap::with(&["en-us".into()], &["EN-GB".into()]).unwrap();
    let im = exchange::import(Format::Tbx, &read_fixture("martif.tbx"), &langs).unwrap();
    let want = vec![
        Concept {
            id: "3f2a".into(),
            tags: vec!["Analytics".into()],
            it: side(
                &[Term {
                    pos: Some(Pos::Noun),
                    ..term("click rate")
                }],
                "Clicks divided by impressions, from the event log.",
            ),
            // The preferred term comes first whatever its place in the file.
            marketing: side(
                &[term("click-through rate"), term("CTR")],
                "The share of people who saw a link and clicked it.",
            ),
            ..Concept::default()
        },
        Concept {
            id: "lead".into(),
            marketing: side(
                &[term("lead"), term("MQL")],
                "A potential customer who showed interest.",
            ),
            ..Concept::default()
        },
    ];
    assert_eq!(im.concepts, want);
    assert_warnings(
        &im.warnings,
        &[
            (19, 7, "entry '_3f2a': id imported as '3f2a'"),
            (21, 9, "<transacGrp> in <termEntry>"),
            (29, 13, "<admin type=\"source\"> in <descripGrp>"),
            (36, 13, "<admin type=\"customerSubset\"> in <ntig>"),
            (52, 9, "language 'fr' is mapped to no side"),
            (
                58,
                7,
                "entry '_99': no terms in a language mapped to a side",
            ),
            (59, 9, "language 'fr' is mapped to no side"),
        ],
    );
}

#[test]
fn unmapped_languages_import_nothing() {
    let im = exchange::import(
        Format::Tbx,
        &read_fixture("martif.tbx"),
        &LangMap::default(),
    )
    .unwrap();
    assert_eq!(im.concepts, vec![]);
    assert!(im
        .warnings
        .iter()
        .any(|w| w.message.contains("language 'EN-US' is mapped to no side")));

    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = broker(&[
        "glossary",
        "import",
        path_str(&fixture("martif.tbx")),
        "--into",
        path_str(&out),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("nothing to import"), "{}", stderr(&o));
    assert!(!out.exists());
}

#[test]
fn cli_maps_languages_to_sides() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = broker(&[
        "glossary",
        "import",
        path_str(&fixture("martif.tbx")),
        "--into",
        path_str(&out),
        "--it-lang",
        "en-US",
        "--marketing-lang",
        "en-GB",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains(
            "martif.tbx:21:9: entry '_3f2a': <transacGrp> in <termEntry> is not supported"
        ),
        "{err}"
    );
    let g = Glossary::load_dir(&out).unwrap();
    assert_eq!(g.concepts().len(), 2);
    let text = std::fs::read_to_string(out.join("martif.toml")).unwrap();
    assert!(text.starts_with("# Imported by broker"), "{text}");
}

/// Runs an import that must fail; returns stderr and checks nothing was written.
/// Imports `file`, expecting exit `code` (1: the file was read and refused; 2: a usage error).
fn failed_import(file: &Path, extra: &[&str], code: i32) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let mut args = vec![
        "glossary",
        "import",
        path_str(file),
        "--into",
        path_str(&out),
    ];
    args.extend_from_slice(extra);
    let o = broker(&args);
    assert_eq!(o.status.code(), Some(code), "{}", stderr(&o));
    assert!(!out.exists(), "a failed import writes nothing");
    stderr(&o)
}

#[test]
fn malformed_files_give_positions() {
    let err = failed_import(&fixture("broken.tbx"), &[], 1);
    assert!(
        err.contains("broken.tbx:10:5: malformed XML: ill-formed document: expected `</body>`, but `</bodi>` was found"),
        "{err}"
    );
    let err = failed_import(&fixture("no-definition.tbx"), &[], 1);
    assert!(
        err.contains("no-definition.tbx:10:9: entry 'api': marketing.definition: is required"),
        "{err}"
    );
    let err = failed_import(&fixture("bad-row.csv"), &[], 1);
    assert!(
        err.contains("bad-row.csv: row 4, column 'side': entry 'ctr': unknown side 'advertising'"),
        "{err}"
    );
    assert!(
        err.contains("bad-row.csv: row 5: 3 cells where the header has 5"),
        "{err}"
    );
    let err = failed_import(&fixture("v3.tbx"), &["--from", "csv"], 1);
    assert!(err.contains("missing column"), "{err}");
}

#[test]
fn format_comes_from_the_extension_or_from() {
    let tmp = tempfile::tempdir().unwrap();
    let odd = tmp.path().join("terms.txt");
    std::fs::copy(fixture("no-definition.tbx"), &odd).unwrap();
    let err = failed_import(&odd, &[], 2);
    assert!(err.contains("use --from tbx|csv"), "{err}");
    let err = failed_import(&odd, &["--from", "tbx"], 1);
    assert!(err.contains("marketing.definition"), "{err}");
}

#[test]
fn import_never_overwrites_without_force() {
    let tmp = tempfile::tempdir().unwrap();
    let csv_file = tmp.path().join("terms.csv");
    let o = broker(&[
        "glossary",
        "export",
        "--to",
        "csv",
        "-o",
        path_str(&csv_file),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = tmp.path().join("out");
    let import = |force: bool| {
        let mut args = vec![
            "glossary",
            "import",
            path_str(&csv_file),
            "--into",
            path_str(&out),
        ];
        if force {
            args.push("--force");
        }
        broker(&args)
    };
    assert!(import(false).status.success());
    let target = out.join("terms.toml");
    std::fs::write(&target, "# hand edits\n").unwrap();
    let o = import(false);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("already exists (use --force"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "# hand edits\n");
    let o = import(true);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        Glossary::load_dir(&out).unwrap().concepts(),
        Glossary::embedded().concepts()
    );
}

#[test]
fn import_validates_the_whole_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("glossary");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(
        dir.join("core.toml"),
        write::to_toml(Glossary::embedded().concepts()),
    )
    .unwrap();
    let tbx_file = tmp.path().join("default.tbx");
    let o = broker(&[
        "glossary",
        "export",
        "--to",
        "tbx",
        "-o",
        path_str(&tbx_file),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = broker(&[
        "glossary",
        "import",
        path_str(&tbx_file),
        "--into",
        path_str(&dir),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    let first = Glossary::embedded().concepts()[0].id.clone();
    assert!(
        err.contains(&format!(
            "default.toml:4: duplicate id '{first}' (first defined at"
        )),
        "{err}"
    );
    let names = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect::<Vec<_>>();
    assert_eq!(
        names,
        ["core.toml"],
        "nothing else is left in the directory"
    );
}

#[test]
fn export_goes_to_stdout_by_default() {
    let o = broker(&["glossary", "export", "--to", "tbx"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let xml = String::from_utf8(o.stdout).unwrap();
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<tbx type=\"TBX-Basic\" style=\"dca\" xml:lang=\"en\" xmlns=\"urn:iso:std:iso:30042:ed-2\">"));
    assert!(xml.contains("<langSec xml:lang=\"en-x-marketing\">"));
    let o = broker(&["glossary", "export", "--to", "csv"]);
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.starts_with("\u{feff}id,side,term,definition,tags,"));
}
