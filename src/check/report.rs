//! Where `broker check`'s findings go: a compiler-style text list, JSON, SARIF 2.1.0 for code
//! scanning, and GitHub Actions workflow commands.

use serde::Serialize;
use serde_json::Value;

use super::{Finding, Level, Rule};

/// The findings of one file, under the path a report shows for it.
#[derive(Debug, Clone)]
pub struct FileFindings {
    /// The path as given or found, with `/` separators.
    pub path: String,
    pub findings: Vec<Finding>,
}

/// An output format of `broker check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    Text,
    Json,
    Sarif,
    Github,
}

impl std::str::FromStr for Output {
    type Err = crate::UnknownValue;

    /// `text`, `json`, `sarif` or `github`, as `--output` takes them.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "text" => Ok(Output::Text),
            "json" => Ok(Output::Json),
            "sarif" => Ok(Output::Sarif),
            "github" => Ok(Output::Github),
            other => Err(crate::UnknownValue::new(
                "output",
                other,
                "text, json, sarif or github",
            )),
        }
    }
}

/// The report in `output`'s format, ending with a newline when not empty.
/// `errors` (paths, configurations or glossaries that could not be used) go into the JSON
/// report; the other formats leave them to standard error.
pub fn write(output: Output, files: &[FileFindings], errors: &[String]) -> String {
    match output {
        Output::Text => text(files),
        Output::Json => format!("{}\n", pretty(&json_report(files, errors))),
        Output::Sarif => format!("{}\n", pretty(&sarif(files))),
        Output::Github => github(files),
    }
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).expect("a JSON value always serialises")
}

/// `path:line:col: level rule: message`, one finding a line, like a compiler.
fn text(files: &[FileFindings]) -> String {
    let mut out = String::new();
    for f in files {
        for x in &f.findings {
            out.push_str(&format!(
                "{}:{}:{}: {} {}: {}\n",
                f.path,
                x.line,
                x.column,
                x.level.as_str(),
                x.rule.id(),
                x.message
            ));
            if let Some(e) = &x.explanation {
                out.push_str(&format!("    broker explains: {e}\n"));
            }
        }
    }
    out
}

/// One finding in the JSON report.
#[derive(Serialize)]
struct FindingOut<'a> {
    path: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    column_utf16: usize,
    end_column_utf16: usize,
    start: usize,
    end: usize,
    level: &'static str,
    rule: &'static str,
    text: &'a str,
    message: &'a str,
    explanation: Option<&'a str>,
    replacement: Option<&'a str>,
    concept_id: Option<&'a str>,
}

/// The JSON report: findings, errors and counts by level.
#[derive(Serialize)]
struct JsonReport<'a> {
    files: usize,
    findings: Vec<FindingOut<'a>>,
    errors: &'a [String],
    counts: Counts,
}

#[derive(Serialize)]
struct Counts {
    error: usize,
    warning: usize,
    note: usize,
}

fn json_report(files: &[FileFindings], errors: &[String]) -> Value {
    let findings = files
        .iter()
        .flat_map(|f| {
            f.findings.iter().map(move |x| FindingOut {
                path: &f.path,
                line: x.line,
                column: x.column,
                end_line: x.end_line,
                end_column: x.end_column,
                column_utf16: x.column_utf16,
                end_column_utf16: x.end_column_utf16,
                start: x.start,
                end: x.end,
                level: x.level.as_str(),
                rule: x.rule.id(),
                text: &x.text,
                message: &x.message,
                explanation: x.explanation.as_deref(),
                replacement: x.replacement.as_deref(),
                concept_id: x.concept_id.as_deref(),
            })
        })
        .collect();
    let report = JsonReport {
        files: files.len(),
        findings,
        errors,
        counts: Counts {
            error: count(files, Level::Error),
            warning: count(files, Level::Warning),
            note: count(files, Level::Note),
        },
    };
    serde_json::to_value(report).unwrap_or(Value::Null)
}

/// How many findings of `files` are at `level`.
pub fn count(files: &[FileFindings], level: Level) -> usize {
    files
        .iter()
        .flat_map(|f| &f.findings)
        .filter(|x| x.level == level)
        .count()
}

/// A relative path as a URI reference (SARIF `artifactLocation.uri`, relative to
/// `%SRCROOT%`), or a `file://` URI for an absolute one.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.trim_start_matches("./").bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    if out.starts_with('/') {
        format!("file://{out}")
    } else {
        out
    }
}

/// A SARIF log (the parts broker writes).
#[derive(Serialize)]
struct SarifLog<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool,
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
struct Driver {
    name: &'static str,
    version: &'static str,
    rules: Vec<RuleOut>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RuleOut {
    id: &'static str,
    name: &'static str,
    short_description: Text<'static>,
    full_description: Text<'static>,
    help: Help,
    default_configuration: LevelOut,
}

#[derive(Serialize)]
struct Text<'a> {
    text: std::borrow::Cow<'a, str>,
}

impl<'a> Text<'a> {
    fn of(text: impl Into<std::borrow::Cow<'a, str>>) -> Text<'a> {
        Text { text: text.into() }
    }
}

#[derive(Serialize)]
struct Help {
    text: &'static str,
    markdown: &'static str,
}

#[derive(Serialize)]
struct LevelOut {
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text<'a>,
    locations: Vec<LocationOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fixes: Option<Vec<Fix<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<Properties<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LocationOut<'a> {
    physical_location: PhysicalLocation<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation<'a> {
    artifact_location: ArtifactLocation,
    region: Region<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region<'a> {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    snippet: Option<Text<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Fix<'a> {
    description: Text<'a>,
    artifact_changes: Vec<ArtifactChange<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange<'a> {
    artifact_location: ArtifactLocation,
    replacements: Vec<Replacement<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement<'a> {
    deleted_region: Region<'a>,
    inserted_content: Text<'a>,
}

#[derive(Serialize)]
struct Properties<'a> {
    concept_id: &'a str,
}

/// The region of finding `x` (columns in UTF-16 code units), with its text as the snippet
/// when `snippet`.
fn region(x: &Finding, snippet: bool) -> Region<'_> {
    Region {
        start_line: x.line,
        start_column: x.column_utf16,
        end_line: x.end_line,
        end_column: x.end_column_utf16,
        snippet: snippet.then(|| Text::of(x.text.as_str())),
    }
}

/// SARIF 2.1.0: one run, the three rules with help text, a result per finding with its region
/// (columns in UTF-16 code units) and, where `rewrite` has a word, a fix.
fn sarif(files: &[FileFindings]) -> Value {
    let rules = Rule::ALL
        .iter()
        .map(|r| RuleOut {
            id: r.id(),
            name: rule_name(*r),
            short_description: Text::of(r.summary()),
            full_description: Text::of(r.summary()),
            help: Help {
                text: r.help(),
                markdown: r.help(),
            },
            default_configuration: LevelOut {
                level: r.default_level().as_str(),
            },
        })
        .collect();
    let mut results = Vec::new();
    for f in files {
        for x in &f.findings {
            results.push(SarifResult {
                rule_id: x.rule.id(),
                rule_index: Rule::ALL.iter().position(|r| *r == x.rule).unwrap_or(0),
                level: x.level.as_str(),
                message: Text::of(match &x.explanation {
                    Some(e) => format!("{} (broker explains: {e})", x.message),
                    None => x.message.clone(),
                }),
                locations: vec![LocationOut {
                    physical_location: PhysicalLocation {
                        artifact_location: location_of(&f.path),
                        region: region(x, true),
                    },
                }],
                fixes: x.replacement.as_ref().map(|replacement| {
                    vec![Fix {
                        description: Text::of(format!("Write '{replacement}' instead")),
                        artifact_changes: vec![ArtifactChange {
                            artifact_location: location_of(&f.path),
                            replacements: vec![Replacement {
                                deleted_region: region(x, false),
                                inserted_content: Text::of(replacement.as_str()),
                            }],
                        }],
                    }]
                }),
                properties: x
                    .concept_id
                    .as_deref()
                    .map(|concept_id| Properties { concept_id }),
            });
        }
    }
    let log = SarifLog {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "broker",
                    version: env!("CARGO_PKG_VERSION"),
                    rules,
                },
            },
            // GitHub code scanning counts columns in UTF-16 code units, whatever columnKind says.
            column_kind: "utf16CodeUnits",
            results,
        }],
    };
    serde_json::to_value(log).unwrap_or(Value::Null)
}

fn location_of(path: &str) -> ArtifactLocation {
    let uri = uri(path);
    let uri_base_id = (!uri.starts_with("file://")).then_some("%SRCROOT%");
    ArtifactLocation { uri, uri_base_id }
}

fn rule_name(r: Rule) -> &'static str {
    match r {
        Rule::Jargon => "Jargon",
        Rule::FalseFriend => "FalseFriend",
        Rule::Gap => "GlossaryGap",
    }
}

/// GitHub Actions workflow commands: `::warning file=…,line=…,col=…,endLine=…,endColumn=…,
/// title=…::message`, values escaped as the runner expects.
fn github(files: &[FileFindings]) -> String {
    let mut out = String::new();
    for f in files {
        for x in &f.findings {
            let command = match x.level {
                Level::Note => "notice",
                Level::Warning => "warning",
                Level::Error => "error",
            };
            let mut message = x.message.clone();
            if let Some(e) = &x.explanation {
                message.push_str(&format!("\nbroker explains: {e}"));
            }
            out.push_str(&format!(
                "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
                escape_property(&f.path),
                x.line,
                x.column,
                x.end_line,
                x.end_column,
                escape_property(&format!("broker {}", x.rule.id())),
                escape_data(&message)
            ));
        }
    }
    out
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_command_values_are_escaped() {
        assert_eq!(escape_data("50% off\nnow"), "50%25 off%0Anow");
        assert_eq!(escape_property("a,b:c.md"), "a%2Cb%3Ac.md");
    }

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(uri("./docs/my brief.md"), "docs/my%20brief.md");
        assert_eq!(uri("/tmp/a#1.md"), "file:///tmp/a%231.md");
        assert_eq!(uri("docs/été.md"), "docs/%C3%A9t%C3%A9.md");
    }
}
