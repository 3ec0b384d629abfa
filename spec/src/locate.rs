//! Maps TOML field paths to source positions, so validation errors can name a line.

use crate::error::{line_col, Diagnostic, FieldPath};
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml_edit::{ImDocument, Item, Table, Value};

/// Source positions of every key and value of one TOML file.
#[derive(Debug, Clone)]
pub struct Locator {
    file: PathBuf,
    text: String,
    spans: Spans,
}

impl Locator {
    /// Indexes `text`; a file that does not parse yields a locator with no spans.
    pub fn new(file: &Path, text: &str) -> Self {
        let mut spans = Vec::new();
        if let Ok(doc) = ImDocument::parse(text.to_string()) {
            walk_table(doc.as_table(), &FieldPath::root(), &mut spans);
        }
        Self { file: file.to_path_buf(), text: text.to_string(), spans }
    }

    /// The file this locator indexes.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// A diagnostic at `path` (or its nearest located ancestor).
    pub fn at(&self, path: &FieldPath, message: impl Into<String>) -> Diagnostic {
        let mut p = path.0.clone();
        let pos = loop {
            let probe = FieldPath(p.clone());
            if let Some((_, k, v)) = self.spans.iter().find(|(fp, _, _)| *fp == probe) {
                break k.clone().or_else(|| v.clone());
            }
            if p.pop().is_none() {
                break None;
            }
        };
        let (line, column) = match pos {
            Some(r) => {
                let (l, c) = line_col(&self.text, r.start);
                (Some(l), Some(c))
            }
            None => (None, None),
        };
        Diagnostic { file: self.file.clone(), line, column, field: path.to_string(), message: message.into() }
    }

    /// A diagnostic at a byte offset, naming the innermost field that covers it.
    pub fn at_offset(&self, offset: usize, message: impl Into<String>) -> Diagnostic {
        let (line, column) = line_col(&self.text, offset);
        let covers = |r: &Option<Range<usize>>| r.as_ref().is_some_and(|r| r.contains(&offset));
        let field = self
            .spans
            .iter()
            .filter(|(_, k, v)| covers(k) || covers(v))
            .max_by_key(|(fp, _, _)| fp.0.len())
            .map(|(fp, _, _)| fp.to_string())
            .unwrap_or_default();
        Diagnostic { file: self.file.clone(), line: Some(line), column: Some(column), field, message: message.into() }
    }
}

/// (path, span of the key or table header, span of the value), for every field.
type Spans = Vec<(FieldPath, Option<Range<usize>>, Option<Range<usize>>)>;

fn walk_table(t: &Table, at: &FieldPath, out: &mut Spans) {
    for (k, item) in t.iter() {
        let p = at.key(k);
        let key_span = t.key(k).and_then(|key| key.span());
        walk_item(item, &p, key_span, out);
    }
}

fn walk_item(item: &Item, p: &FieldPath, key_span: Option<Range<usize>>, out: &mut Spans) {
    match item {
        Item::None => {}
        Item::Value(v) => walk_value(v, p, key_span, out),
        Item::Table(t) => {
            out.push((p.clone(), key_span, t.span()));
            walk_table(t, p, out);
        }
        Item::ArrayOfTables(a) => {
            out.push((p.clone(), key_span, a.span()));
            for (i, t) in a.iter().enumerate() {
                let pi = p.index(i);
                out.push((pi.clone(), t.span(), t.span()));
                walk_table(t, &pi, out);
            }
        }
    }
}

fn walk_value(v: &Value, p: &FieldPath, key_span: Option<Range<usize>>, out: &mut Spans) {
    out.push((p.clone(), key_span, v.span()));
    match v {
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                walk_value(x, &p.index(i), None, out);
            }
        }
        Value::InlineTable(t) => {
            for (k, x) in t.iter() {
                let ks = t.key(k).and_then(|key| key.span());
                walk_value(x, &p.key(k), ks, out);
            }
        }
        _ => {}
    }
}
