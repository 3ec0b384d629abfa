//! Import errors: each names the file and, where one is at fault, the node.

use std::fmt;
use std::path::PathBuf;

/// Why a NIR file cannot be imported.
#[derive(Debug, Clone, PartialEq)]
pub struct NirError {
    /// The NIR file.
    pub file: PathBuf,
    /// The node at fault (its path in the flattened graph, `sub.node` for nested graphs).
    pub node: Option<String>,
    /// What is wrong, and what would be right.
    pub message: String,
}

impl NirError {
    /// An error about the file as a whole.
    pub fn file(file: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        NirError { file: file.into(), node: None, message: message.into() }
    }
    /// An error about one node.
    pub fn node(file: impl Into<PathBuf>, node: &str, message: impl Into<String>) -> Self {
        NirError { file: file.into(), node: Some(node.to_string()), message: message.into() }
    }
}

impl fmt::Display for NirError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.node {
            Some(n) => write!(f, "{}: node `{n}`: {}", self.file.display(), self.message),
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

impl std::error::Error for NirError {}

/// Result of an import step.
pub type Result<T> = std::result::Result<T, NirError>;
