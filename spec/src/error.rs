//! Diagnostics that name the file, line and field of every bad input.

use std::fmt;
use std::path::{Path, PathBuf};

/// One segment of a field path: a table key or an array index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    /// A key inside a table.
    Key(String),
    /// An index inside an array (or array of tables).
    Index(usize),
}

/// A dotted path to a field, e.g. `population[2].neuron.threshold`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldPath(pub Vec<Seg>);

impl FieldPath {
    /// The empty path (the whole file).
    pub fn root() -> Self {
        Self(Vec::new())
    }
    /// This path extended by a key.
    pub fn key(&self, k: &str) -> Self {
        let mut v = self.0.clone();
        v.push(Seg::Key(k.to_string()));
        Self(v)
    }
    /// This path extended by an index.
    pub fn index(&self, i: usize) -> Self {
        let mut v = self.0.clone();
        v.push(Seg::Index(i));
        Self(v)
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.0.iter().enumerate() {
            match s {
                Seg::Key(k) if i == 0 => write!(f, "{k}")?,
                Seg::Key(k) => write!(f, ".{k}")?,
                Seg::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// One problem found in an input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file the problem is in.
    pub file: PathBuf,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
    /// The field (or CSV column) at fault; empty for the whole file.
    pub field: String,
    /// What is wrong, and what would be right.
    pub message: String,
}

impl Diagnostic {
    /// A diagnostic at a line (and column name) of a data file such as a CSV.
    pub fn at_line(file: &Path, line: Option<usize>, field: &str, message: impl Into<String>) -> Self {
        Self { file: file.to_path_buf(), line, column: None, field: field.into(), message: message.into() }
    }

    /// A diagnostic without a position (e.g. an unreadable file).
    pub fn whole_file(file: &Path, message: impl Into<String>) -> Self {
        Self { file: file.to_path_buf(), line: None, column: None, field: String::new(), message: message.into() }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
            if let Some(c) = self.column {
                write!(f, ":{c}")?;
            }
        }
        if !self.field.is_empty() {
            write!(f, ": field `{}`", self.field)?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Everything that can go wrong while reading the spikemesh inputs.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    /// One or more problems in an input file, each with its position.
    #[error("{}", render(.0))]
    Invalid(Vec<Diagnostic>),
}

fn render(d: &[Diagnostic]) -> String {
    let mut s = String::new();
    for (i, x) in d.iter().enumerate() {
        if i > 0 {
            s.push('\n');
        }
        s.push_str(&x.to_string());
    }
    if d.len() > 1 {
        s.push_str(&format!("\n({} problems)", d.len()));
    }
    s
}

impl SpecError {
    /// The diagnostics carried by this error.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            SpecError::Invalid(d) => d,
        }
    }
}

impl From<Diagnostic> for SpecError {
    fn from(d: Diagnostic) -> Self {
        SpecError::Invalid(vec![d])
    }
}

/// Result alias for this crate.
pub type Result<T> = std::result::Result<T, SpecError>;

/// 1-based line and column of a byte offset in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let col = before.rfind('\n').map_or(offset, |p| offset - p - 1) + 1;
    (line, col)
}
