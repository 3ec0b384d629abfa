//! The mesh top: `mesh_x x mesh_y` tiles (`mesh/tile.rs`) wired into a 2D mesh, the host port on
//! the west side of tile (0,0), a timestep counter, and `quiet`: the exact barrier condition.
//!
//! Every flit is always held in some register with a valid bit (a FIFO slot, an output
//! register, a fan-out register), and every core reports queued events and spikes in `busy`;
//! so "no tile busy" means every flit of the timestep has been delivered and integrated. No
//! counting, no timeouts. The host starts timestep t+1 only when `quiet` is high and it has
//! handed over all its own flits of timestep t.
//!
//! The tiles are rust-hdl (one module for every position: coordinates arrive on ports); this
//! top is generated wiring text, because rust-hdl fixes a block's structure at compile time
//! and the mesh size comes from the user's file.

pub mod fanout;
pub mod router;
pub mod tile;

use crate::mesh::router::FLIT;
use crate::mesh::tile::Tile;
use crate::shape::{CoreShape, DW};
use spikemesh_spec::neuron::ModelId;

/// Bits of the `cfg_core` port (up to 256 cores).
pub const CORE_BITS: usize = 8;

/// Renames rust-hdl's `top` and `top$...` modules to `name` and `name$...`.
pub fn rename_top(v: &str, name: &str) -> String {
    let mut out = String::with_capacity(v.len());
    let b = v.as_bytes();
    let mut i = 0;
    while i < v.len() {
        let boundary = i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_' || b[i - 1] == b'$');
        if boundary && v[i..].starts_with("top$") {
            out.push_str(name);
            out.push('$');
            i += 4;
        } else if boundary && v[i..].starts_with("top(") {
            out.push_str(name);
            out.push('(');
            i += 4;
        } else {
            let c = v[i..].chars().next().unwrap_or(' ');
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// Verilog of a whole chip: `mesh_x x mesh_y` tiles of `shape` with `destinations` fan-out
/// entries each, as module `top`. `with_models` appends vendor-primitive models (Verilator).
pub fn mesh_verilog(shape: &CoreShape, destinations: usize, mesh_x: usize, mesh_y: usize, with_models: bool) -> String {
    let cores = vec![shape.clone(); mesh_x * mesh_y];
    mesh_module(shape, &cores, destinations, mesh_x, mesh_y, with_models, "top")
}

/// The shape of every core of `hw` on its board, row-major: its model's datapath (`models`)
/// and its own crossbar rows.
pub fn core_shapes(hw: &spikemesh_spec::Hardware, models: &[ModelId]) -> Vec<CoreShape> {
    models.iter().enumerate().map(|(c, &m)| CoreShape::for_core(hw, c).with_model(m)).collect()
}

/// The tile module of a core of shape `s`: one per model, per row count where a core holds
/// fewer rows than the chip addresses, and per kernel shape (`core_kernels`).
fn tile_name(s: &CoreShape) -> String {
    let mut name = format!("sm_tile_{}", s.model.name());
    if s.guards_rows() {
        name += &format!("_r{}", s.axons);
    }
    if let Some(k) = s.kernel {
        name += &format!("_k{}_{}_{}", k.segment, k.taps, k.rows);
    }
    name
}

/// [`mesh_verilog`] with the mesh module named `module`, and core `i` (row-major) of shape
/// `cores[i]` (its model's datapath, its crossbar rows): one tile module per distinct shape.
/// `shape` gives what the cores share (packing, counters, primitive models).
pub fn mesh_module(
    shape: &CoreShape,
    cores: &[CoreShape],
    destinations: usize,
    mesh_x: usize,
    mesh_y: usize,
    with_models: bool,
    module: &str,
) -> String {
    assert!(mesh_x * mesh_y <= 1 << CORE_BITS && mesh_x <= 16 && mesh_y <= 16);
    assert_eq!(cores.len(), mesh_x * mesh_y, "one shape per core");
    let p = crate::mesh::fanout::Packing::new(shape, destinations, mesh_x, mesh_y);
    let mut distinct: Vec<&CoreShape> = Vec::new();
    for s in cores {
        if !distinct.iter().any(|d| tile_name(d) == tile_name(s)) {
            distinct.push(s);
        }
    }
    let mut v = String::new();
    for s in distinct {
        // Each tile compiled for its shape's datapath width (`neuron::datapath_bits`).
        let tile = match crate::neuron::datapath_bits(s) {
            18 => crate::verilog_of(Tile::<18>::new(s, destinations, &p)),
            26 => crate::verilog_of(Tile::<26>::new(s, destinations, &p)),
            _ => crate::verilog_of(Tile::<DW>::new(s, destinations, &p)),
        };
        let mut tile = rename_top(&tile, &tile_name(s));
        if s.guards_rows() || s.kernel.is_some() {
            // The datapath's modules are named by model alone (`neuron::Datapath`): a second
            // tile of the model, differing only in rows or kernels, renames its copy.
            tile = tile.replace("sm_neuron_", &format!("{}_neuron_", tile_name(s)));
        }
        if s.lut_ram {
            tile = crate::memory::mark_ram_style(&tile);
        }
        v.push_str(&tile);
    }
    if with_models {
        v.push_str(crate::primitive_models(shape));
        if shape.dsp_counters {
            v.push_str(crate::link::counter::SB_MAC16_MODEL);
        }
    }
    let f1 = FLIT - 1;
    let d1 = DW - 1;
    let mut t = String::new();
    t += "\n// Mesh top, generated by spikemesh-hdl (mesh.rs).\n";
    t += &format!("module {module}(clock, start, clear, quiet, timestep, host_in_valid, host_in_flit, host_in_ready, host_out_valid, host_out_flit, host_out_ready, cfg_core, cfg_mem, cfg_row, cfg_col, cfg_wdata, cfg_we, cfg_re, cfg_rdata, cfg_rvalid);\n");
    t += "    input wire clock;\n    input wire start;\n    input wire clear;\n    output wire quiet;\n    output wire [31:0] timestep;\n";
    t += &format!(
        "    input wire host_in_valid;\n    input wire [{f1}:0] host_in_flit;\n    output wire host_in_ready;\n"
    );
    t += &format!(
        "    output wire host_out_valid;\n    output wire [{f1}:0] host_out_flit;\n    input wire host_out_ready;\n"
    );
    t += &format!(
        "    input wire [{}:0] cfg_core;\n    input wire [3:0] cfg_mem;\n    input wire [19:0] cfg_row;\n    input wire [11:0] cfg_col;\n    input wire [{d1}:0] cfg_wdata;\n    input wire cfg_we;\n    input wire cfg_re;\n    output wire [{d1}:0] cfg_rdata;\n    output wire cfg_rvalid;\n",
        CORE_BITS - 1
    );
    let name = |x: usize, y: usize| format!("t{x}_{y}");
    for y in 0..mesh_y {
        for x in 0..mesh_x {
            let n = name(x, y);
            t += &format!("    wire {n}_busy, {n}_rv;\n    wire [3:0] {n}_iv, {n}_ir, {n}_ov, {n}_or;\n    wire [{d1}:0] {n}_rd;\n");
            for d in 0..4 {
                t += &format!("    wire [{f1}:0] {n}_if{d}, {n}_of{d};\n");
            }
        }
    }
    // Link wiring: direction d of a tile meets direction opp(d) of its neighbour.
    let opp = |d: usize| (d + 2) % 4;
    let neighbour = |x: usize, y: usize, d: usize| -> Option<(usize, usize)> {
        match d {
            0 if y > 0 => Some((x, y - 1)),
            1 if x + 1 < mesh_x => Some((x + 1, y)),
            2 if y + 1 < mesh_y => Some((x, y + 1)),
            3 if x > 0 => Some((x - 1, y)),
            _ => None,
        }
    };
    let mut unused = Vec::new();
    for y in 0..mesh_y {
        for x in 0..mesh_x {
            let n = name(x, y);
            for d in 0..4 {
                match neighbour(x, y, d) {
                    Some((nx, ny)) => {
                        let m = name(nx, ny);
                        let o = opp(d);
                        t += &format!("    assign {n}_iv[{d}] = {m}_ov[{o}];\n    assign {n}_if{d} = {m}_of{o};\n    assign {n}_or[{d}] = {m}_ir[{o}];\n");
                    }
                    None if x == 0 && y == 0 && d == 3 => {
                        t += &format!("    assign {n}_iv[3] = host_in_valid;\n    assign {n}_if3 = host_in_flit;\n    assign host_in_ready = {n}_ir[3];\n");
                        t += &format!("    assign host_out_valid = {n}_ov[3];\n    assign host_out_flit = {n}_of3;\n    assign {n}_or[3] = host_out_ready;\n");
                    }
                    None => {
                        // Mesh edge: nothing arrives; nothing may leave (XY routing never
                        // sends a flit off the mesh, and a stuck flit would show as busy).
                        t += &format!("    assign {n}_iv[{d}] = 1'b0;\n    assign {n}_if{d} = {FLIT}'d0;\n    assign {n}_or[{d}] = 1'b0;\n");
                        unused.push(format!("{n}_ir[{d}], {n}_ov[{d}], {n}_of{d}"));
                    }
                }
            }
        }
    }
    let mut busy = Vec::new();
    let mut rd = Vec::new();
    let mut rv = Vec::new();
    for y in 0..mesh_y {
        for x in 0..mesh_x {
            let n = name(x, y);
            let idx = y * mesh_x + x;
            let mut ports = vec![
                ".clock(clock)".to_string(),
                format!(".my_x(4'd{x})"),
                format!(".my_y(4'd{y})"),
                ".start(start)".into(),
                ".clear(clear)".into(),
                format!(".busy({n}_busy)"),
            ];
            for d in 0..4 {
                ports.push(format!(".in_valid${d}({n}_iv[{d}])"));
                ports.push(format!(".in_flit${d}({n}_if{d})"));
                ports.push(format!(".in_ready${d}({n}_ir[{d}])"));
                ports.push(format!(".out_valid${d}({n}_ov[{d}])"));
                ports.push(format!(".out_flit${d}({n}_of{d})"));
                ports.push(format!(".out_ready${d}({n}_or[{d}])"));
            }
            ports.push(format!(".cfg_sel(cfg_core == {CORE_BITS}'d{idx})"));
            for p in ["cfg_mem", "cfg_row", "cfg_col", "cfg_wdata", "cfg_we", "cfg_re"] {
                ports.push(format!(".{p}({p})"));
            }
            ports.push(format!(".cfg_rdata({n}_rd)"));
            ports.push(format!(".cfg_rvalid({n}_rv)"));
            let tile = tile_name(&cores[y * mesh_x + x]);
            t += &format!("    {tile} {n}(\n        {}\n    );\n", ports.join(",\n        "));
            busy.push(format!("{n}_busy"));
            rd.push(format!("{n}_rd"));
            rv.push(format!("{n}_rv"));
        }
    }
    if !unused.is_empty() {
        t += &format!("    wire unused_edges = &{{1'b0, {}, 1'b0}};\n", unused.join(", "));
    }
    t += &format!("    assign quiet = ~|{{{}}};\n", busy.join(", "));
    t += &format!("    assign cfg_rdata = {};\n", rd.join(" | "));
    t += &format!("    assign cfg_rvalid = |{{{}}};\n", rv.join(", "));
    t += &crate::link::counter::counter_body(shape.dsp_counters, "timestep_q", "clock", "clear", "start");
    t += "    assign timestep = timestep_q;\nendmodule\n";
    v.push_str(&t);
    v
}
