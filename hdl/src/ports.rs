//! Reads the port list of a generated top module, so the shim and the Rust side agree on it.

/// Direction of a top-level port.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    /// Driven by the testbench.
    Input,
    /// Read by the testbench.
    Output,
}

/// One port of the top module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Port {
    /// Verilog name.
    pub name: String,
    /// Direction.
    pub dir: Dir,
    /// Width in bits (1..=64).
    pub width: u32,
}

/// The ports of module `top` in `verilog`, in declaration order.
pub fn parse_ports(verilog: &str, top: &str) -> Result<Vec<Port>, String> {
    let start = verilog.find(&format!("module {top}(")).ok_or_else(|| format!("no module {top} in the Verilog"))?;
    let body = &verilog[start..];
    let end = body.find("endmodule").unwrap_or(body.len());
    let mut ports = Vec::new();
    for line in body[..end].lines() {
        let l = line.trim();
        let dir = if l.starts_with("input ") {
            Dir::Input
        } else if l.starts_with("output ") {
            Dir::Output
        } else {
            continue;
        };
        let decl = l.trim_end_matches(';');
        let name = decl.split_whitespace().last().ok_or("empty port declaration")?.to_string();
        let width = match (decl.find('['), decl.find(':')) {
            (Some(a), Some(b)) if b > a => {
                let msb: u32 = decl[a + 1..b].trim().parse().map_err(|_| format!("cannot read the width of `{l}`"))?;
                msb + 1
            }
            _ => 1,
        };
        if width > 64 {
            return Err(format!("port {name} is {width} bits wide; the shim handles ports up to 64 bits"));
        }
        ports.push(Port { name, dir, width });
    }
    if ports.is_empty() {
        return Err(format!("module {top} has no ports"));
    }
    Ok(ports)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rust_hdl_port_declarations() {
        let v = "module top(a,b,c);\n    input wire signed [31:0] a;\n    input wire  clock;\n    output reg  [7:0] b;\nendmodule\n";
        let p = parse_ports(v, "top").unwrap();
        assert_eq!(p[0], Port { name: "a".into(), dir: Dir::Input, width: 32 });
        assert_eq!(p[1], Port { name: "clock".into(), dir: Dir::Input, width: 1 });
        assert_eq!(p[2], Port { name: "b".into(), dir: Dir::Output, width: 8 });
    }
}
