//! Behavioural models of the two ECP5 primitives the pinned Yosys ships only as black boxes:
//! `DP16KD` (block RAM) and `MULT18X18D` (multiplier). Without them an ECP5 netlist cannot be
//! simulated. They are spikemesh's own, written from Lattice's ECP5 memory and DSP usage guides
//! for exactly the configurations Yosys's `lattice/brams_map_16kd.v` and `dsp_map_18x18.v`
//! produce, and every other configuration stops the simulation at elaboration (`$fatal`)
//! instead of being simulated wrongly. Port and parameter declarations are taken verbatim from
//! Yosys's own black boxes, so the netlist binds to them unchanged.
//!
//! What they cannot show: that silicon behaves as modelled. They follow the documented
//! behaviour; no ECP5 board was available to compare against.

/// `{X17, X16, ..., X0}`: a bus of the primitive's single-bit ports, most significant first.
fn bus(prefix: &str, n: usize) -> String {
    let bits: Vec<String> = (0..n).rev().map(|i| format!("{prefix}{i}")).collect();
    format!("{{{}}}", bits.join(", "))
}

/// The body of `DP16KD`: 1024 rows of 18 bits, ports of equal width 1, 2, 4, 9 or 18, or the
/// pseudo-dual-port 36-bit mode (`PDPW16KD`) that Yosys maps to `DP16KD` with both widths 36.
fn dp16kd_body() -> String {
    let mut init = String::new();
    for k in 0..64 {
        init += &format!(
            "        for (i = 0; i < 16; i = i + 1) for (j = 0; j < 18; j = j + 1) mem[({k} * 16 + i) * 18 + j] = INITVAL_{k:02X}[i * 20 + j];\n"
        );
    }
    let wires = |p: &str| {
        format!(
            "
    wire [13:0] ad{l} = {ad};
    wire [17:0] di{l} = {di};
    reg [17:0] do{l};
    assign {dout} = do{l};",
            l = p.to_lowercase(),
            ad = bus(&format!("AD{p}"), 14),
            di = bus(&format!("DI{p}"), 18),
            dout = bus(&format!("DO{p}"), 18),
        )
    };
    let port = |p: &str| {
        format!(
            "
    // Writes, bit by bit, so two ports writing different bits of one row in one clock both land.
    always @(posedge CLK{p}) begin
        if (CE{p} && WE{p}) begin
            for (j = 0; j < DATA_WIDTH_{p}; j = j + 1)
                if (DATA_WIDTH_{p} != 18 || (j < 9 ? ad{l}[0] : ad{l}[1]))
                    mem[ad{l}[13:4] * 18 + phys(DATA_WIDTH_{p}, ad{l}, j)] <= di{l}[j];
        end
    end
    // The output latch: reads see the row before this clock's writes (non-blocking above).
    task automatic out_{l};
        integer k;
        begin
            for (k = 0; k < 18; k = k + 1) begin
                if (k >= DATA_WIDTH_{p})
                    do{l}[k] <= 1'b0;
                else if (WE{p} && WRITEMODE_{p} == \"WRITETHROUGH\" && (DATA_WIDTH_{p} != 18 || (k < 9 ? ad{l}[0] : ad{l}[1])))
                    do{l}[k] <= di{l}[k];
                else
                    do{l}[k] <= mem[ad{l}[13:4] * 18 + phys(DATA_WIDTH_{p}, ad{l}, k)];
            end
        end
    endtask
    if (RESETMODE == \"ASYNC\") begin : reset_{l}
        always @(posedge CLK{p} or posedge RST{p})
            if (RST{p}) do{l} <= 18'b0;
            else if (CE{p} && !(WE{p} && WRITEMODE_{p} == \"NORMAL\")) out_{l};
    end else begin : reset_{l}
        always @(posedge CLK{p})
            if (RST{p}) do{l} <= 18'b0;
            else if (CE{p} && !(WE{p} && WRITEMODE_{p} == \"NORMAL\")) out_{l};
    end
",
            l = p.to_lowercase(),
        )
    };
    format!(
        "
    // ---- behaviour: spikemesh's model (hdl/src/fpga/ecp5_models.rs), not Lattice's ----
    reg mem [0:18431];
    integer i, j;
    // Physical bit of data bit `b` of a `w`-bit word at address `ad` in row ad[13:4]: x18 is
    // the row, x9 a half (ad[3]), x4/x2/x1 a slice of the 16 data bits (parity bits 8 and 17
    // skipped).
    function automatic integer phys(input integer w, input [13:0] ad, input integer b);
        integer p;
        begin
            case (w)
                18: phys = b;
                9: phys = (ad[3] ? 9 : 0) + b;
                default: begin
                    p = (w == 4 ? ad[3:2] * 4 : w == 2 ? ad[3:1] * 2 : ad[3:0]) + b;
                    phys = p < 8 ? p : p + 1;
                end
            endcase
        end
    endfunction
    initial begin
        if (DATA_WIDTH_A != DATA_WIDTH_B)
            $fatal(1, \"DP16KD model: mixed port widths (%0d, %0d) are not modelled\", DATA_WIDTH_A, DATA_WIDTH_B);
        if (!(DATA_WIDTH_A == 1 || DATA_WIDTH_A == 2 || DATA_WIDTH_A == 4 || DATA_WIDTH_A == 9 || DATA_WIDTH_A == 18
              || DATA_WIDTH_A == 36))
            $fatal(1, \"DP16KD model: port width %0d is not modelled\", DATA_WIDTH_A);
        if (REGMODE_A != \"NOREG\" || REGMODE_B != \"NOREG\")
            $fatal(1, \"DP16KD model: output registers (REGMODE OUTREG) are not modelled\");
        if (CSDECODE_A != \"0b000\" || CSDECODE_B != \"0b000\")
            $fatal(1, \"DP16KD model: chip-select decoding is not modelled\");
        if (CLKAMUX != \"CLKA\" || CLKBMUX != \"CLKB\")
            $fatal(1, \"DP16KD model: inverted clocks are not modelled\");
{init}    end
{wa}{wb}
    generate if (DATA_WIDTH_A != 36) begin : true_dual_port
{a}{b}
    end else begin : pseudo_dual_port_36
    // PDPW16KD as Yosys's `brams_map_16kd.v` maps it: port A writes 36 bits (DIA bits 17:0,
    // DIB bits 35:18) to word ADA[13:5], ADA[3:0] enabling its four 9-bit bytes; port B reads
    // word ADB[13:5] onto DOA (bits 17:0) and DOB (bits 35:18). 36-bit word w is 18-bit rows
    // 2w (low) and 2w + 1 (high), as Yosys lays out INIT (`init_slice`, two rows per word).
    function automatic [35:0] word36(input [13:0] ad);
        integer b;
        for (b = 0; b < 36; b = b + 1) word36[b] = mem[(ad[13:5] * 2 + b / 18) * 18 + b % 18];
    endfunction
    always @(posedge CLKA) begin
        if (CEA && WEA) begin
            for (j = 0; j < 36; j = j + 1)
                if (ada[j / 9])
                    mem[(ada[13:5] * 2 + j / 18) * 18 + j % 18] <= j < 18 ? dia[j] : dib[j - 18];
        end
    end
    // Reads see the word before this clock's writes, as the other modes' ports do.
    if (RESETMODE == \"ASYNC\") begin : reset_36
        always @(posedge CLKB or posedge RSTB)
            if (RSTB) {{dob, doa}} <= 36'b0;
            else if (CEB) {{dob, doa}} <= word36(adb);
    end else begin : reset_36
        always @(posedge CLKB)
            if (RSTB) {{dob, doa}} <= 36'b0;
            else if (CEB) {{dob, doa}} <= word36(adb);
    end
    end endgenerate
",
        wa = wires("A"),
        wb = wires("B"),
        a = port("A"),
        b = port("B"),
    )
}

/// The body of `MULT18X18D`: the combinational 18x18 product Yosys's DSP map instantiates.
fn mult18x18d_body() -> String {
    let zero = |p: &str, n: usize| format!("    assign {} = {n}'b0;\n", bus(p, n));
    format!(
        "
    // ---- behaviour: spikemesh's model (hdl/src/fpga/ecp5_models.rs), not Lattice's ----
    wire [17:0] a = {a};
    wire [17:0] b = {b};
    // SIGNEDA/SIGNEDB say whether each operand is two's complement: extend by one bit.
    wire signed [18:0] sa = {{SIGNEDA & A17, a}};
    wire signed [18:0] sb = {{SIGNEDB & B17, b}};
    wire signed [37:0] product = sa * sb;
    assign {p} = product[35:0];
    assign SIGNEDP = SIGNEDA | SIGNEDB;
{zeros}    initial begin
        if (REG_INPUTA_CLK != \"NONE\" || REG_INPUTB_CLK != \"NONE\" || REG_INPUTC_CLK != \"NONE\"
            || REG_PIPELINE_CLK != \"NONE\" || REG_OUTPUT_CLK != \"NONE\")
            $fatal(1, \"MULT18X18D model: registered modes are not modelled\");
        if (SOURCEB_MODE != \"B_SHIFT\" || MULT_BYPASS != \"DISABLED\")
            $fatal(1, \"MULT18X18D model: only the plain multiply is modelled\");
    end
",
        a = bus("A", 18),
        b = bus("B", 18),
        p = bus("P", 36),
        zeros = ["SROA", "SROB", "ROA", "ROB", "ROC"].iter().map(|p| zero(p, 18)).collect::<String>(),
    )
}

/// Finds `module NAME` in `text` and returns (start, end) of the whole module, `endmodule`
/// included, with any `(* blackbox *)` attribute just before it.
pub(crate) fn module_span(text: &str, name: &str) -> Option<(usize, usize)> {
    let key = format!("module {name}");
    let at = text.match_indices(&key).map(|(i, _)| i).find(|&i| {
        let at_line_start = i == 0 || text[..i].ends_with('\n');
        let next = text[i + key.len()..].chars().next();
        at_line_start && next.is_some_and(|c| c == '(' || c == '#' || c.is_whitespace())
    })?;
    let end = at + text[at..].find("endmodule")? + "endmodule".len();
    let before = text[..at].trim_end();
    let start = if before.ends_with("(* blackbox *)") { before.len() - "(* blackbox *)".len() } else { at };
    Some((start, end))
}

/// The black box `name` of `text` with `body` before its `endmodule`.
fn complete(text: &str, name: &str, body: &str) -> Result<String, String> {
    let (s, e) = module_span(text, name).ok_or_else(|| format!("no black box `{name}` in Yosys's ECP5 cells"))?;
    let decl = text[s..e].trim_start_matches("(* blackbox *)").trim_start();
    let cut = decl.len() - "endmodule".len();
    Ok(format!("{}{}endmodule\n", &decl[..cut], body))
}

/// Yosys's ECP5 cell models (`cells_sim`, includes inlined) with `DP16KD` given a body, plus
/// `MULT18X18D` from Yosys's black boxes (`cells_bb`) with a body.
pub fn with_models(cells_sim: &str, cells_bb: &str) -> Result<String, String> {
    let dp = complete(cells_sim, "DP16KD", &dp16kd_body())?;
    let (s, e) = module_span(cells_sim, "DP16KD").expect("found above");
    let mult = complete(cells_bb, "MULT18X18D", &mult18x18d_body())?;
    Ok(format!("{}{dp}{}\n{mult}", &cells_sim[..s], &cells_sim[e..]))
}
