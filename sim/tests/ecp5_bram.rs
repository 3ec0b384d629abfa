//! spikemesh's `DP16KD` model (`hdl/src/fpga/ecp5_models.rs`) in the 36-bit pseudo-dual-port
//! mode (`PDPW16KD`), which Yosys picks for memories wider than 18 bits. A 512 x 36 memory with
//! byte enables is synthesized for the ECP5 with the flow's script; the netlist, on the model,
//! must read back what the RTL memory reads, cycle by cycle, through random writes and reads.

use rand::{Rng, SeedableRng};
use spikemesh_hdl::fpga::flow::Device;
use spikemesh_hdl::fpga::netlist::{post_synthesis, Fault};
use spikemesh_sim::verilator::Model;

/// One write port with four 9-bit byte enables, one read port with a registered output: what
/// a core's widest memories look like to Yosys.
const RTL: &str = "
module mem36(clk, we, be, waddr, wdata, re, raddr, rdata);
    input clk;
    input we;
    input [3:0] be;
    input [8:0] waddr;
    input [35:0] wdata;
    input re;
    input [8:0] raddr;
    output reg [35:0] rdata;
    reg [35:0] m [0:511];
    integer k;
    always @(posedge clk) begin
        if (we)
            for (k = 0; k < 4; k = k + 1)
                if (be[k]) m[waddr][k * 9 +: 9] <= wdata[k * 9 +: 9];
        if (re) rdata <= m[raddr];
    end
endmodule
";

#[test]
fn dp16kd_36_bit_mode_reads_what_the_rtl_reads() {
    let netlist = post_synthesis(RTL, "mem36", Device::Ecp5_25k, Fault::None).expect("Yosys synthesizes the memory");
    assert!(
        netlist.verilog.contains(".DATA_WIDTH_A(32'd36)"),
        "Yosys mapped the memory to the 36-bit mode (else this test checks nothing): {}",
        netlist.dir.display()
    );
    let mut rtl = Model::open(RTL, "mem36", "ECP5 BRAM test (RTL)", None).unwrap();
    let mut net = Model::open(&netlist.verilog, "mem36", "ECP5 BRAM test (netlist)", None).unwrap();
    let names = ["we", "be", "waddr", "wdata", "re", "raddr"];
    let mut r = rand_chacha::ChaCha8Rng::seed_from_u64(36);
    let mask36 = (1u64 << 36) - 1;
    // Every word written whole first: an unwritten word is X in the RTL and 0 in the block RAM.
    let fill: Vec<[u64; 6]> = (0..512u64).map(|a| [1, 0xf, a, r.gen::<u64>() & mask36, 0, 0]).collect();
    let random = (0..20000).map(|_| {
        let a = r.gen_range(0..512u64);
        // Reads often land on the word just written, so a write and a read of one word in one
        // clock happen too (both read the word as it was before the clock).
        let ra = if r.gen_bool(0.3) { a } else { r.gen_range(0..512u64) };
        [r.gen_bool(0.5) as u64, r.gen_range(0..16u64), a, r.gen::<u64>() & mask36, r.gen_bool(0.7) as u64, ra]
    });
    let (clk_r, clk_n) = (rtl.port("clk"), net.port("clk"));
    let (out_r, out_n) = (rtl.port("rdata"), net.port("rdata"));
    let mut reads = 0;
    for (cycle, values) in fill.into_iter().chain(random).enumerate() {
        for (name, v) in names.iter().zip(values) {
            let (pr, pn) = (rtl.port(name), net.port(name));
            rtl.set(pr, v);
            net.set(pn, v);
        }
        rtl.tick(clk_r, 1);
        net.tick(clk_n, 1);
        if values[4] == 1 {
            reads += 1;
            assert_eq!(net.get(out_n), rtl.get(out_r), "cycle {cycle}: read of word {} (inputs {values:?})", values[5]);
        }
    }
    assert!(reads > 10000, "{reads} reads compared");
}
