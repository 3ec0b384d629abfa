//! The host's side of the wire for the bridge tests: a virtual board (the whole chip in
//! Verilator behind its UART pins) spoken to frame by frame.

use spikemesh_sim::board::VirtualBoard;
use spikemesh_sim::Golden;
use spikemesh_spec::memory_map::{self, config_writes};
use spikemesh_spec::protocol::{Command, Decoder, Response, WRITE_WORDS};
use spikemesh_spec::{Mapping, Network};
use std::path::Path;

/// A virtual board and the host's frame decoder and sequence number.
pub struct Link {
    /// The chip in Verilator behind its UART pins.
    pub board: VirtualBoard,
    dec: Decoder,
    /// The seq of the last command sent.
    pub seq: u8,
}

impl Link {
    pub fn open(net: &Network) -> Self {
        Self { board: VirtualBoard::new(&net.hardware, None).unwrap(), dec: Decoder::new(), seq: 0 }
    }

    /// Sends raw bytes and returns every answer until the board is idle.
    pub fn raw(&mut self, bytes: &[u8]) -> Vec<(u8, Response)> {
        self.board.send(bytes);
        let mut out = Vec::new();
        for _ in 0..10_000 {
            self.board.run(1_000_000, &mut out).unwrap();
            if self.board.is_idle() {
                break;
            }
        }
        assert!(self.board.is_idle(), "the board never went idle");
        self.dec
            .push(&out)
            .into_iter()
            .map(|f| {
                let f = f.expect("the board sends valid frames");
                (f.seq, Response::parse(&f).expect("the board sends valid messages"))
            })
            .collect()
    }

    pub fn cmd(&mut self, c: &Command) -> Vec<Response> {
        self.seq = self.seq.wrapping_add(1);
        let r = self.raw(&c.frame(self.seq).encode());
        for (s, _) in &r {
            assert_eq!(*s, self.seq, "answers carry the command's seq");
        }
        r.into_iter().map(|(_, r)| r).collect()
    }

    /// Steps the golden model on `inputs` and injects them, opening the board's timestep;
    /// returns the recorded slots the golden model spiked.
    pub fn open_timestep(&mut self, m: &Mapping, gold: &mut Golden, inputs: &[(u32, u32)]) -> Vec<u32> {
        let want = gold.step(inputs).iter().copied().filter(|&s| m.is_recorded(s)).collect();
        let flits = m.input_flits(inputs);
        if !flits.is_empty() {
            self.ack(&Command::Inject(flits));
        }
        want
    }

    pub fn ack(&mut self, c: &Command) {
        assert_eq!(self.cmd(c), vec![Response::Ack], "{c:?}");
    }

    pub fn read(&mut self, core: u8, mem: u8, row: u32, col: u16, count: u16) -> Vec<i64> {
        match &self.cmd(&Command::ReadMem { core, mem, row, col, count })[..] {
            [Response::Data(d)] => d.clone(),
            other => panic!("READ_MEM answered {other:?}"),
        }
    }

    pub fn load(&mut self, m: &Mapping) {
        for (c, img) in m.cores.iter().enumerate() {
            let w = config_writes(img, m.hardware.delay_bits);
            for chunk in memory_map::column_runs(&w).into_iter().flat_map(|run| run.chunks(WRITE_WORDS)) {
                let data = chunk.iter().map(|x| x.data as i64).collect();
                let (mem, row, col) = (chunk[0].mem, chunk[0].row, chunk[0].col as u16);
                self.ack(&Command::WriteMem { core: c as u8, mem, row, col, data });
            }
        }
        self.ack(&Command::Reset);
    }
}

pub fn net(name: &str) -> Network {
    Network::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples").join(name)).unwrap()
}
