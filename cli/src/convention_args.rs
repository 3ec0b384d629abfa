//! The flags that override the convention a NIR file settles (docs/nir.md), shared by
//! `import`, `simulate --engine reference` and `evaluate --engine reference`.

use anyhow::{bail, Result};
use spikemesh_nir::convention::{Framework, Reset, FRAMEWORKS};
use spikemesh_nir::Forced;

/// The float reference's order of a timestep (docs/nir.md, "The float reference").
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RulesKind {
    /// The framework's that wrote the file.
    Framework,
    /// The chip's: one timestep per hop, the reset at once.
    Chip,
}

/// `--dt`, `--convention`, `--reset`.
#[derive(clap::Args, Clone, Default)]
pub struct ConventionArgs {
    /// Timestep in seconds (forward Euler); default: the one the file's exporter wrote, or 1e-3.
    #[arg(long)]
    pub dt: Option<f64>,
    /// Whose conventions the file is written in: nir, snntorch, norse or spyx (default: what
    /// the file's parameters settle, else nir).
    #[arg(long)]
    pub convention: Option<String>,
    /// What a spike does to the potential: value (v = v_reset) or subtract (v -= v_threshold);
    /// default: the convention's.
    #[arg(long)]
    pub reset: Option<String>,
}

impl ConventionArgs {
    /// The flags as the importer takes them; an unknown name is an error listing the known ones.
    pub fn forced(&self) -> Result<Forced> {
        let framework = match &self.convention {
            None => None,
            Some(c) => match Framework::parse(c) {
                Some(f) => Some(f),
                None => bail!("unknown --convention '{c}' (known: {})", FRAMEWORKS.join(", ")),
            },
        };
        let reset = match self.reset.as_deref() {
            None => None,
            Some("value") => Some(Reset::Value),
            Some("subtract") => Some(Reset::Subtract),
            Some(r) => bail!("unknown --reset '{r}' (known: value, subtract)"),
        };
        Ok(Forced { dt: self.dt, framework, reset })
    }
}

impl RulesKind {
    /// The rules this choice picks from a settled convention.
    pub fn of(self, c: &spikemesh_nir::Convention) -> spikemesh_nir::convention::Rules {
        match self {
            RulesKind::Framework => c.framework_rules,
            RulesKind::Chip => c.chip_rules(),
        }
    }
}
