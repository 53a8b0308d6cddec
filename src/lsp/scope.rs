//! Who reads a document and with which glossary: the nearest `.broker.toml` above it (the
//! same [`Config`] as `broker check`), else the client's settings (`broker.reader`,
//! `broker.glossary` from `initializationOptions` or `workspace/configuration`).

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::check::config::Config;
use crate::check::Levels;
use crate::glossary::Side;

/// Where draft concepts go when `.broker.toml` does not say, relative to the project root.
pub const DEFAULT_DRAFTS: &str = "glossary/drafts.toml";

/// What the editor told the server.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientSettings {
    pub reader: Option<Side>,
    /// A glossary directory, resolved against the workspace root.
    pub glossary: Option<PathBuf>,
}

/// Settings the client sent that cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SettingsError {
    #[error("broker.reader: unknown reader '{0}': expected it or marketing")]
    UnknownReader(String),
    #[error("broker settings: {0}")]
    Shape(String),
}

#[derive(Deserialize, Default)]
struct RawSettings {
    reader: Option<String>,
    glossary: Option<String>,
    broker: Option<Box<RawSettings>>,
}

impl ClientSettings {
    /// Reads `{"broker": {"reader": …, "glossary": …}}` or the inner object alone (what
    /// `workspace/configuration` answers for section `broker`). `null` means no settings.
    ///
    /// # Errors
    /// [`SettingsError`] naming the field.
    pub fn parse(
        value: &serde_json::Value,
        root: Option<&Path>,
    ) -> Result<ClientSettings, SettingsError> {
        if value.is_null() {
            return Ok(ClientSettings::default());
        }
        let raw: RawSettings = serde_json::from_value(value.clone())
            .map_err(|e| SettingsError::Shape(e.to_string()))?;
        let raw = match raw.broker {
            Some(inner) => *inner,
            None => raw,
        };
        let reader = raw
            .reader
            .filter(|r| !r.is_empty())
            .map(|r| {
                r.parse::<Side>()
                    .map_err(|_| SettingsError::UnknownReader(r))
            })
            .transpose()?;
        let glossary = raw.glossary.filter(|g| !g.is_empty()).map(|g| {
            let p = PathBuf::from(g);
            match root {
                Some(root) if p.is_relative() => root.join(p),
                _ => p,
            }
        });
        Ok(ClientSettings { reader, glossary })
    }
}

/// How one document is checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Scope {
    pub reader: Side,
    pub levels: Levels,
    /// `None`: the embedded glossary.
    pub glossary: Option<PathBuf>,
    /// Where "Add a draft concept" writes.
    pub drafts: PathBuf,
    /// What paths are shown relative to (the `.broker.toml` directory or the workspace).
    pub root: Option<PathBuf>,
}

/// What applies to a document.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolution {
    Check(Scope),
    /// `.broker.toml` ignores it.
    Ignored,
    /// No reader covers it.
    NoReader,
    /// The `.broker.toml` above it does not load (the message names `file:line`).
    Broken(String),
}

/// The scope of the document at `path` (`None` for an unsaved buffer).
pub fn resolve(path: Option<&Path>, client: &ClientSettings, root: Option<&Path>) -> Resolution {
    let config = match path.and_then(|p| p.parent()).and_then(Config::find) {
        None => None,
        Some(file) => match Config::load(&file) {
            Ok(c) => Some(c),
            Err(e) => return Resolution::Broken(e.to_string()),
        },
    };
    if let (Some(c), Some(p)) = (&config, path) {
        if c.ignores(p) {
            return Resolution::Ignored;
        }
    }
    let reader = config
        .as_ref()
        .zip(path)
        .and_then(|(c, p)| c.reader_for(p))
        .or(client.reader);
    let Some(reader) = reader else {
        return Resolution::NoReader;
    };
    let base = config
        .as_ref()
        .map(|c| c.root.clone())
        .or_else(|| root.map(Path::to_path_buf))
        .or_else(|| path.and_then(Path::parent).map(Path::to_path_buf));
    Resolution::Check(Scope {
        reader,
        levels: config.as_ref().map_or_else(Levels::default, |c| c.levels),
        glossary: config
            .as_ref()
            .and_then(|c| c.glossary.clone())
            .or_else(|| client.glossary.clone()),
        drafts: config
            .as_ref()
            .and_then(|c| c.drafts.clone())
            .unwrap_or_else(|| {
                base.clone()
                    .unwrap_or_else(|| PathBuf::from("."))
                    .join(DEFAULT_DRAFTS)
            }),
        root: base,
    })
}

/// The message a document without a reader gets, once.
pub fn no_reader_message(shown: &str) -> String {
    format!(
        "broker: no reader for {shown}, so it is not checked. Name one in a .broker.toml above \
         it ([[readers]] paths = [\"**\"], for = \"marketing\" or \"it\"), or set broker.reader \
         (\"it\" or \"marketing\") in your editor's settings for this server."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_nested_flat_and_wrong() {
        let root = Path::new("/w");
        let nested = serde_json::from_str::<serde_json::Value>(
            r#"{"broker": {"reader": "marketing", "glossary": "g"}}"#,
        )
        .unwrap();
        assert_eq!(
            ClientSettings::parse(&nested, Some(root)).unwrap(),
            ClientSettings {
                reader: Some(Side::Marketing),
                glossary: Some(PathBuf::from("/w/g"))
            }
        );
        let flat = serde_json::from_str::<serde_json::Value>(r#"{"reader": "it"}"#).unwrap();
        assert_eq!(
            ClientSettings::parse(&flat, None).unwrap().reader,
            Some(Side::It)
        );
        let bad = serde_json::from_str::<serde_json::Value>(r#"{"reader": "sales"}"#).unwrap();
        assert_eq!(
            ClientSettings::parse(&bad, None).unwrap_err().to_string(),
            "broker.reader: unknown reader 'sales': expected it or marketing"
        );
        assert_eq!(
            ClientSettings::parse(&serde_json::Value::Null, None).unwrap(),
            ClientSettings::default()
        );
    }
}
