//! The HDF5 layer: a NIR file as a tree of groups holding numeric arrays and strings.
//!
//! NIR files are written by h5py: a group per node, a `type` string in each, numeric datasets
//! for parameters, and a `(n, 2)` array of variable-length strings for `edges`. Everything is
//! read as it is stored (f32 stays f32 until widened to f64 here, exactly).

use crate::error::{NirError, Result};
use hdf5_reader::{Datatype, Hdf5File};
use std::collections::BTreeMap;
use std::path::Path;

/// One dataset.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A numeric array (row-major), widened to f64 without rounding.
    Array {
        /// Dimensions; empty for a scalar.
        shape: Vec<usize>,
        /// Elements in row-major order.
        data: Vec<f64>,
    },
    /// One string or an array of strings (row-major).
    Text {
        /// Dimensions; empty for a scalar.
        shape: Vec<usize>,
        /// The strings.
        data: Vec<String>,
    },
}

/// One group: its datasets and its subgroups, by name.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Group {
    /// Datasets by name.
    pub values: BTreeMap<String, Value>,
    /// Subgroups by name.
    pub groups: BTreeMap<String, Group>,
}

/// HDF5's format signature; a file may carry a user block before it, at 512, 1024, 2048, ...
const SIGNATURE: &[u8; 8] = b"\x89HDF\r\n\x1a\n";

/// Reads the whole file as a tree.
pub fn read(path: &Path) -> Result<Group> {
    let bytes = std::fs::read(path).map_err(|e| NirError::file(path, format!("cannot read the file: {e}")))?;
    let mut at = 0usize;
    let found = loop {
        if bytes.len() >= at + 8 && &bytes[at..at + 8] == SIGNATURE {
            break true;
        }
        at = if at == 0 { 512 } else { at * 2 };
        if at >= bytes.len() {
            break false;
        }
    };
    if !found {
        return Err(NirError::file(
            path,
            format!(
                "not an HDF5 file ({} bytes, no HDF5 signature at offset 0, 512, 1024, ...); NIR files are HDF5",
                bytes.len()
            ),
        ));
    }
    // The reader is hardened against malformed input, but a panic in a dependency must still
    // become an error that names the file, never a crash.
    let outcome = std::panic::catch_unwind(|| -> std::result::Result<Group, String> {
        let file = Hdf5File::from_vec(bytes).map_err(|e| e.to_string())?;
        let root = file.root_group().map_err(|e| e.to_string())?;
        group(&root, "/")
    });
    match outcome {
        Ok(Ok(g)) => Ok(g),
        Ok(Err(e)) => Err(NirError::file(path, format!("broken or truncated HDF5 file: {e}"))),
        Err(_) => Err(NirError::file(path, "broken HDF5 file: the HDF5 reader gave up on it")),
    }
}

fn group(g: &hdf5_reader::group::Group, at: &str) -> std::result::Result<Group, String> {
    let mut out = Group::default();
    let (groups, datasets) = g.members().map_err(|e| format!("{at}: {e}"))?;
    for d in datasets {
        let name = d.name().rsplit('/').next().unwrap_or(d.name()).to_string();
        let v = value(&d).map_err(|e| format!("{at}{name}: {e}"))?;
        out.values.insert(name, v);
    }
    for sub in groups {
        let name = sub.name().rsplit('/').next().unwrap_or(sub.name()).to_string();
        let inner = group(&sub, &format!("{at}{name}/"))?;
        out.groups.insert(name, inner);
    }
    Ok(out)
}

fn value(d: &hdf5_reader::Dataset) -> std::result::Result<Value, String> {
    let shape: Vec<usize> = d.shape().iter().map(|&n| n as usize).collect();
    let e = |e: hdf5_reader::error::Error| e.to_string();
    let data: Vec<f64> = match d.dtype() {
        Datatype::FloatingPoint { size: 4, .. } => {
            d.read_array::<f32>().map_err(e)?.iter().map(|&x| x as f64).collect()
        }
        Datatype::FloatingPoint { size: 8, .. } => d.read_array::<f64>().map_err(e)?.iter().copied().collect(),
        Datatype::FixedPoint { size, signed, .. } => match (size, signed) {
            (1, true) => d.read_array::<i8>().map_err(e)?.iter().map(|&x| x as f64).collect(),
            (1, false) => d.read_array::<u8>().map_err(e)?.iter().map(|&x| x as f64).collect(),
            (2, true) => d.read_array::<i16>().map_err(e)?.iter().map(|&x| x as f64).collect(),
            (2, false) => d.read_array::<u16>().map_err(e)?.iter().map(|&x| x as f64).collect(),
            (4, true) => d.read_array::<i32>().map_err(e)?.iter().map(|&x| x as f64).collect(),
            (4, false) => d.read_array::<u32>().map_err(e)?.iter().map(|&x| x as f64).collect(),
            (8, true) => int64(d.read_array::<i64>().map_err(e)?.iter().copied())?,
            (8, false) => {
                d.read_array::<u64>()
                    .map_err(e)?
                    .iter()
                    .map(|&x| {
                        if x <= 1 << 53 {
                            Ok(x as f64)
                        } else {
                            Err(format!("integer {x} does not fit a float exactly"))
                        }
                    })
                    .collect::<std::result::Result<Vec<f64>, String>>()?
            }
            _ => return Err(format!("integers of {size} bytes are not a NIR type")),
        },
        Datatype::FloatingPoint { .. } => return Err(format!("unsupported number type {:?}", d.dtype())),
        _ => return Ok(Value::Text { shape, data: d.read_strings().map_err(e)? }),
    };
    Ok(Value::Array { shape, data })
}

/// Widens i64 to f64, refusing values that f64 cannot hold exactly (no silent rounding).
fn int64(xs: impl Iterator<Item = i64>) -> std::result::Result<Vec<f64>, String> {
    xs.map(|x| {
        if x.unsigned_abs() <= 1 << 53 {
            Ok(x as f64)
        } else {
            Err(format!("integer {x} does not fit a float exactly"))
        }
    })
    .collect()
}
