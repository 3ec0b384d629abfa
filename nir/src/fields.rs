//! One NIR node's fields as the HDF5 tree holds them, read with the checks every node type
//! shares (present, numeric, finite, shaped). Below both `graph` (assembly) and `ops` (linear
//! nodes), so neither imports the other's internals.

use crate::error::{NirError, Result};
use crate::hdf5::{Group, Value};
use std::path::Path;

/// The fields of one node group, checked for NaN and infinity.
pub(crate) struct Fields<'a> {
    pub file: &'a Path,
    pub node: &'a str,
    pub kind: &'a str,
    pub g: &'a Group,
}

impl Fields<'_> {
    pub fn err(&self, msg: impl Into<String>) -> NirError {
        NirError::node(self.file, self.node, format!("{} {}", self.kind, msg.into()))
    }
    /// A numeric field, or None when absent.
    pub fn opt(&self, field: &str) -> Result<Option<(Vec<usize>, Vec<f64>)>> {
        match self.g.values.get(field) {
            None => Ok(None),
            Some(Value::Text { data, .. }) => Err(self.err(format!("`{field}` is text ({data:?}), not numbers"))),
            Some(Value::Array { shape, data }) => {
                if let Some(i) = data.iter().position(|x| !x.is_finite()) {
                    return Err(
                        self.err(format!("`{field}` holds {} at element {i}; parameters must be finite", data[i]))
                    );
                }
                Ok(Some((shape.clone(), data.clone())))
            }
        }
    }
    /// A numeric field that must be present.
    pub fn get(&self, field: &str) -> Result<(Vec<usize>, Vec<f64>)> {
        self.opt(field)?.ok_or_else(|| self.err(format!("has no `{field}`")))
    }
    /// A string field, or None when absent.
    pub fn opt_text(&self, field: &str) -> Option<String> {
        match self.g.values.get(field) {
            Some(Value::Text { data, .. }) if data.len() == 1 => Some(data[0].clone()),
            _ => None,
        }
    }
    /// A shape field (non-negative integers).
    pub fn shape(&self, field: &str) -> Result<Option<Vec<usize>>> {
        let Some((_, d)) = self.opt(field)? else { return Ok(None) };
        d.iter()
            .map(|&x| {
                if x >= 1.0 && x.fract() == 0.0 {
                    Ok(x as usize)
                } else {
                    Err(self.err(format!("`{field}` = {d:?} is not a shape")))
                }
            })
            .collect::<Result<Vec<_>>>()
            .map(Some)
    }
}
