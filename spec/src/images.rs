//! Image datasets read as they are published: IDX files (MNIST, Fashion-MNIST) and numpy `.npy`
//! arrays, so that `spikemesh evaluate` needs no spike CSV of a test set.
//!
//! Every image is flattened in file order (row-major) and scaled to `0..=1`: `uint8` pixels by
//! 255, float pixels taken as they are (they must lie in `0..=1`).

use crate::error::{Diagnostic, SpecError};
use std::path::Path;

/// Images, flattened: image `i` is `pixels[i * size..(i + 1) * size]`, each in `0..=1`.
#[derive(Debug, Clone, PartialEq)]
pub struct Images {
    /// Values per image.
    pub size: usize,
    /// Every image's values, image after image.
    pub pixels: Vec<f64>,
}

impl Images {
    /// Number of images.
    pub fn count(&self) -> usize {
        self.pixels.len().checked_div(self.size).unwrap_or(0)
    }

    /// Image `i`.
    pub fn image(&self, i: usize) -> &[f64] {
        &self.pixels[i * self.size..(i + 1) * self.size]
    }

    /// Reads an IDX file (`*-idx3-ubyte`, gzip or not) or a `.npy` array `[n, ...]` of `uint8` or
    /// of floats in `0..=1`.
    pub fn read(path: &Path) -> crate::Result<Images> {
        let (shape, values) = read_array(path)?;
        let Some((&n, rest)) = shape.split_first() else {
            return Err(bad(path, "holds a single number, not images: expected [n, ...]".into()));
        };
        let size: usize = rest.iter().product::<usize>().max(1);
        if let Some(i) = values.iter().position(|v| !(0.0..=1.0).contains(v)) {
            return Err(bad(
                path,
                format!(
                    "value {} (element {i}) is outside 0..=1: float images must be scaled to 0..=1 (uint8 ones are divided by 255)",
                    values[i]
                ),
            ));
        }
        debug_assert_eq!(values.len(), n * size);
        Ok(Images { size, pixels: values })
    }
}

/// Reads labels: an IDX file (`*-idx1-ubyte`) or a `.npy` vector of non-negative integers.
pub fn read_labels(path: &Path) -> crate::Result<Vec<u32>> {
    let (shape, values, _) = read_array_raw(path)?;
    if shape.len() != 1 {
        return Err(bad(path, format!("labels must be a vector [n]; this array is {shape:?}")));
    }
    values
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            if v >= 0.0 && v.fract() == 0.0 && v <= u32::MAX as f64 {
                Ok(v as u32)
            } else {
                Err(bad(path, format!("label {i} is {v}, not a class (0 or more)")))
            }
        })
        .collect()
}

fn bad(path: &Path, message: String) -> SpecError {
    SpecError::Invalid(vec![Diagnostic::whole_file(path, message)])
}

/// Shape and values, `uint8` scaled to `0..=1`.
fn read_array(path: &Path) -> crate::Result<(Vec<usize>, Vec<f64>)> {
    let (shape, mut values, bytes) = read_array_raw(path)?;
    if bytes {
        values.iter_mut().for_each(|v| *v /= 255.0);
    }
    Ok((shape, values))
}

fn is_npy(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "npy")
}

fn open_npy(path: &Path) -> crate::Result<npyz::NpyFile<std::io::BufReader<std::fs::File>>> {
    let f = std::fs::File::open(path).map_err(|e| bad(path, format!("cannot read the file: {e}")))?;
    npyz::NpyFile::new(std::io::BufReader::new(f))
        .map_err(|e| bad(path, format!("not a numpy .npy file ({e}); save arrays with numpy.save")))
}

/// Shape, values as stored (no scaling), and whether they are unsigned bytes (IDX ubyte, or a
/// `.npy` of `|u1`), read in one pass over the file.
fn read_array_raw(path: &Path) -> crate::Result<(Vec<usize>, Vec<f64>, bool)> {
    if is_npy(path) {
        let npy = open_npy(path)?;
        let shape: Vec<usize> = npy.shape().iter().map(|&d| d as usize).collect();
        if npy.order() == npyz::Order::Fortran {
            return Err(bad(path, "is in Fortran order; save a C-ordered array (numpy.ascontiguousarray)".into()));
        }
        let descr = npy.dtype().descr();
        let bytes = descr == "'|u1'";
        let values: Vec<f64> = match descr.trim_matches('\'') {
            "|u1" => npy.into_vec::<u8>().map(|v| v.into_iter().map(f64::from).collect()),
            "<f4" => npy.into_vec::<f32>().map(|v| v.into_iter().map(f64::from).collect()),
            "<f8" => npy.into_vec::<f64>(),
            "<i8" => npy.into_vec::<i64>().map(|v| v.into_iter().map(|x| x as f64).collect()),
            "<i4" => npy.into_vec::<i32>().map(|v| v.into_iter().map(f64::from).collect()),
            other => {
                return Err(bad(
                    path,
                    format!("dtype {other} is not read: images are uint8 or float32/64, labels integers"),
                ))
            }
        }
        .map_err(|e| bad(path, format!("truncated or unreadable data ({e})")))?;
        return Ok((shape, values, bytes));
    }
    let raw = std::fs::read(path).map_err(|e| bad(path, format!("cannot read the file: {e}")))?;
    let raw = if path.extension().is_some_and(|e| e == "gz") { gunzip(path, &raw)? } else { raw };
    // IDX: two zero bytes, the type (0x08 = unsigned byte), the number of dimensions, then each
    // dimension as a big-endian u32, then the data.
    if raw.len() < 4 || raw[0] != 0 || raw[1] != 0 {
        return Err(bad(path, "bytes 0-1 are not 0 0: not an IDX file (or give a .npy array)".into()));
    }
    if raw[2] != 0x08 {
        return Err(bad(path, format!("byte 2 is 0x{:02x}: only unsigned-byte IDX files (0x08) are read", raw[2])));
    }
    let dims = raw[3] as usize;
    let header = 4 + 4 * dims;
    if raw.len() < header {
        return Err(bad(path, format!("ends at byte {} inside its {dims} dimensions", raw.len())));
    }
    let shape: Vec<usize> = (0..dims)
        .map(|i| u32::from_be_bytes(raw[4 + 4 * i..8 + 4 * i].try_into().expect("4 bytes")) as usize)
        .collect();
    let want = shape.iter().product::<usize>();
    if raw.len() - header != want {
        return Err(bad(
            path,
            format!("holds {} data bytes after its header; its shape {shape:?} needs {want}", raw.len() - header),
        ));
    }
    Ok((shape, raw[header..].iter().map(|&b| f64::from(b)).collect(), true))
}

fn gunzip(path: &Path, raw: &[u8]) -> crate::Result<Vec<u8>> {
    use std::io::Read;
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(raw)
        .read_to_end(&mut out)
        .map_err(|e| bad(path, format!("not a readable gzip file ({e})")))?;
    Ok(out)
}
