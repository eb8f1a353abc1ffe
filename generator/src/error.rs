//! The generator's one error type. Every variant names the file it is about,
//! and document errors name the JSON pointer of the offending node.

use std::path::PathBuf;

/// Where the documents of a release can be fetched from a running server.
pub const FETCH_HINT: &str = "a Keyfactor Command server serves its documents at \
<base>/swagger/v1/swagger.json and <base>/swagger/v2/swagger.json (for example \
https://HOST/KeyfactorAPI/swagger/v1/swagger.json); save them under the names the \
release manifest lists, or point --spec-dir / KEYFACTOR_SPEC_DIR at them";

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read.
    #[error("{}: cannot read: {source}", path.display())]
    Read { path: PathBuf, source: std::io::Error },
    /// An output file or directory could not be written.
    #[error("{}: cannot write: {source}", path.display())]
    Write { path: PathBuf, source: std::io::Error },
    /// A document (or the release manifest) is wrong at `pointer`.
    #[error("{}#{pointer}: {message}{}", file.display(), help.as_deref().map(|h| format!(" (help: {h})")).unwrap_or_default())]
    Document {
        file: PathBuf,
        /// JSON pointer (RFC 6901) of the offending node; empty for the root.
        pointer: String,
        message: String,
        help: Option<String>,
    },
    /// A document listed in the release manifest is missing or differs from
    /// the recorded checksum.
    #[error("{}: {message} ({FETCH_HINT})", path.display())]
    Spec { path: PathBuf, message: String },
}

impl Error {
    pub(crate) fn doc(file: &std::path::Path, pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Document { file: file.to_path_buf(), pointer: pointer.into(), message: message.into(), help: None }
    }

    pub(crate) fn with_help(mut self, text: impl Into<String>) -> Self {
        if let Error::Document { help, .. } = &mut self {
            *help = Some(text.into());
        }
        self
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Escapes one reference token of a JSON pointer (RFC 6901).
pub(crate) fn pointer_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Builds a JSON pointer from reference tokens.
pub(crate) fn pointer<'a>(tokens: impl IntoIterator<Item = &'a str>) -> String {
    tokens.into_iter().map(|t| format!("/{}", pointer_token(t))).collect()
}
