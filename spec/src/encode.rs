//! Encoders from pixel values (`0..=1`) to input spikes, for `spikemesh evaluate --images`.
//! Each is deterministic: the same image gives the same spikes on every run and machine.
//! `docs/config.md` defines them; the names are what `--encoder` takes.

use rand::{Rng, SeedableRng};
use std::str::FromStr;

/// A named pixel-to-spike encoder over the first `window` timesteps of a sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoder {
    /// `count:K`: value x gives q = round(K x) spikes (ties to even, as numpy's `rint`), evenly
    /// spaced: one at timestep t < K when floor((t+1) q / K) > floor(t q / K).
    /// examples/mnist/train.py trains MNIST with `count:4`, Fashion-MNIST with `count:2`.
    Count {
        /// K.
        window: usize,
    },
    /// `latency:K`: one spike at timestep round((K - 1)(1 - x)) (ties to even), none for
    /// x = 0: the brighter the pixel, the earlier (time to first spike).
    Latency {
        /// K.
        window: usize,
    },
    /// `rate:K:SEED`: in each timestep t < K a spike with probability x, drawn from ChaCha8
    /// seeded with SEED and the image's index (so an image's spikes do not depend on which
    /// other images are evaluated or in what order).
    Rate {
        /// K.
        window: usize,
        /// SEED.
        seed: u64,
    },
}

impl FromStr for Encoder {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let usage = "encoders: count:K, latency:K or rate:K:SEED (K timesteps, e.g. count:8)";
        let parts: Vec<&str> = s.split(':').collect();
        let window = |k: &str| match k.parse::<usize>() {
            Ok(k) if k >= 1 => Ok(k),
            _ => Err(format!("'{k}' in '{s}' is not a window of 1 or more timesteps; {usage}")),
        };
        match parts.as_slice() {
            ["count", k] => Ok(Encoder::Count { window: window(k)? }),
            ["latency", k] => Ok(Encoder::Latency { window: window(k)? }),
            ["rate", k, seed] => Ok(Encoder::Rate {
                window: window(k)?,
                seed: seed.parse().map_err(|_| format!("'{seed}' in '{s}' is not a seed (0 or more); {usage}"))?,
            }),
            _ => Err(format!("unknown encoder '{s}'; {usage}")),
        }
    }
}

impl Encoder {
    /// The timesteps it uses (a sample must run at least these).
    pub fn window(&self) -> usize {
        match *self {
            Encoder::Count { window } | Encoder::Latency { window } | Encoder::Rate { window, .. } => window,
        }
    }

    /// The spikes of image `index` with values `x`: per timestep (`steps` of them, at least
    /// the window), the indices of the values that spike, ascending.
    pub fn encode(&self, index: usize, x: &[f64], steps: usize) -> Vec<Vec<u32>> {
        let mut out = vec![Vec::new(); steps];
        match *self {
            Encoder::Count { window } => {
                for (j, &v) in x.iter().enumerate() {
                    let q = (window as f64 * v).round_ties_even() as usize;
                    for (t, step) in out.iter_mut().enumerate().take(window) {
                        if (t + 1) * q / window > t * q / window {
                            step.push(j as u32);
                        }
                    }
                }
            }
            Encoder::Latency { window } => {
                for (j, &v) in x.iter().enumerate().filter(|(_, &v)| v > 0.0) {
                    let t = ((window - 1) as f64 * (1.0 - v)).round_ties_even() as usize;
                    out[t].push(j as u32);
                }
            }
            Encoder::Rate { window, seed } => {
                let mut rng =
                    rand_chacha::ChaCha8Rng::seed_from_u64(seed ^ (index as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
                for step in out.iter_mut().take(window) {
                    for (j, &v) in x.iter().enumerate() {
                        if rng.gen::<f64>() < v {
                            step.push(j as u32);
                        }
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn count_spreads_round_k_x_spikes_evenly() {
        let e: Encoder = "count:8".parse().unwrap();
        // 255/255 -> 8 spikes, 128/255 -> round(4.016) = 4, 0 -> none, 16/255 -> round(0.502) = 1.
        let s = e.encode(0, &[1.0, 128.0 / 255.0, 0.0, 16.0 / 255.0], 10);
        let per_pixel = |j: u32| -> Vec<usize> { (0..10).filter(|&t| s[t].contains(&j)).collect() };
        assert_eq!(per_pixel(0), (0..8).collect::<Vec<_>>());
        assert_eq!(per_pixel(1), vec![1, 3, 5, 7]);
        assert!(per_pixel(2).is_empty());
        assert_eq!(per_pixel(3), vec![7]);
        assert!(s[8].is_empty() && s[9].is_empty(), "nothing past the window");
    }

    #[test]
    fn latency_fires_brighter_pixels_earlier_and_once() {
        let e: Encoder = "latency:5".parse().unwrap();
        let s = e.encode(0, &[1.0, 0.5, 0.01, 0.0], 5);
        assert_eq!(s, vec![vec![0], vec![], vec![1], vec![], vec![2]]);
    }

    #[test]
    fn rate_is_deterministic_per_image_and_follows_the_value() {
        let e: Encoder = "rate:200:7".parse().unwrap();
        let x = [0.0, 0.25, 1.0];
        assert_eq!(e.encode(3, &x, 200), e.encode(3, &x, 200));
        assert_ne!(e.encode(3, &x, 200), e.encode(4, &x, 200));
        let count = |j: u32| e.encode(3, &x, 200).iter().filter(|s| s.contains(&j)).count();
        assert_eq!((count(0), count(2)), (0, 200));
        assert!((30..70).contains(&count(1)), "{}", count(1));
    }

    #[test]
    fn bad_names_say_what_is_known() {
        for bad in ["poisson:8", "count", "count:0", "rate:8", "rate:8:x"] {
            let e = bad.parse::<Encoder>().unwrap_err();
            assert!(e.contains("count:K, latency:K or rate:K:SEED"), "{bad}: {e}");
        }
    }
}
