//! Where `broker check`'s findings go: a compiler-style text list, JSON, SARIF 2.1.0 for code
//! scanning, and GitHub Actions workflow commands.

use serde_json::{json, Value};

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
    type Err = String;

    /// `text`, `json`, `sarif` or `github`, as `--output` takes them.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "text" => Ok(Output::Text),
            "json" => Ok(Output::Json),
            "sarif" => Ok(Output::Sarif),
            "github" => Ok(Output::Github),
            other => Err(format!(
                "unknown output '{other}': expected text, json, sarif or github"
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

fn json_report(files: &[FileFindings], errors: &[String]) -> Value {
    let findings: Vec<Value> = files
        .iter()
        .flat_map(|f| {
            f.findings.iter().map(move |x| {
                json!({
                    "path": f.path,
                    "line": x.line,
                    "column": x.column,
                    "end_line": x.end_line,
                    "end_column": x.end_column,
                    "column_utf16": x.column_utf16,
                    "end_column_utf16": x.end_column_utf16,
                    "start": x.start,
                    "end": x.end,
                    "level": x.level.as_str(),
                    "rule": x.rule.id(),
                    "text": x.text,
                    "message": x.message,
                    "explanation": x.explanation,
                    "replacement": x.replacement,
                    "concept_id": x.concept_id,
                })
            })
        })
        .collect();
    json!({
        "files": files.len(),
        "findings": findings,
        "errors": errors,
        "counts": {
            "error": count(files, Level::Error),
            "warning": count(files, Level::Warning),
            "note": count(files, Level::Note),
        },
    })
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

/// SARIF 2.1.0: one run, the three rules with help text, a result per finding with its region
/// (columns in UTF-16 code units) and, where `rewrite` has a word, a fix.
fn sarif(files: &[FileFindings]) -> Value {
    let rules: Vec<Value> = Rule::ALL
        .iter()
        .map(|r| {
            json!({
                "id": r.id(),
                "name": rule_name(*r),
                "shortDescription": {"text": r.summary()},
                "fullDescription": {"text": r.summary()},
                "help": {"text": r.help(), "markdown": r.help()},
                "defaultConfiguration": {"level": r.default_level().as_str()},
            })
        })
        .collect();
    let mut results = Vec::new();
    for f in files {
        let location = |x: &Finding| {
            json!({
                "artifactLocation": location_of(&f.path),
                "region": {
                    "startLine": x.line,
                    "startColumn": x.column_utf16,
                    "endLine": x.end_line,
                    "endColumn": x.end_column_utf16,
                    "snippet": {"text": x.text},
                },
            })
        };
        for x in &f.findings {
            let mut r = json!({
                "ruleId": x.rule.id(),
                "ruleIndex": Rule::ALL.iter().position(|r| *r == x.rule).unwrap_or(0),
                "level": x.level.as_str(),
                "message": {"text": match &x.explanation {
                    Some(e) => format!("{} (broker explains: {e})", x.message),
                    None => x.message.clone(),
                }},
                "locations": [{"physicalLocation": location(x)}],
            });
            if let Some(replacement) = &x.replacement {
                r["fixes"] = json!([{
                    "description": {"text": format!("Write '{replacement}' instead")},
                    "artifactChanges": [{
                        "artifactLocation": location_of(&f.path),
                        "replacements": [{
                            "deletedRegion": {
                                "startLine": x.line,
                                "startColumn": x.column_utf16,
                                "endLine": x.end_line,
                                "endColumn": x.end_column_utf16,
                            },
                            "insertedContent": {"text": replacement},
                        }],
                    }],
                }]);
            }
            if let Some(c) = &x.concept_id {
                r["properties"] = json!({"concept_id": c});
            }
            results.push(r);
        }
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "broker",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            // GitHub code scanning counts columns in UTF-16 code units, whatever columnKind says.
            "columnKind": "utf16CodeUnits",
            "results": results,
        }],
    })
}

fn location_of(path: &str) -> Value {
    let u = uri(path);
    if u.starts_with("file://") {
        json!({"uri": u})
    } else {
        json!({"uri": u, "uriBaseId": "%SRCROOT%"})
    }
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
