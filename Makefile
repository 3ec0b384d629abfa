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
# Every recipe line sees the tool paths (YOSYS, NEXTPNR_ICE40, VERILATOR, ...).
TOOLS_ENV = eval "$$(scripts/tools.sh env)"

# The FPGA flow: `make bitstream SYNTH_NET=examples/one-core.toml` (or BOARD=ulx3s-85f ...).
SYNTH_NET ?= examples/one-core.toml
FPGA_OUT ?= build/fpga
BOARD_ARG = $(if $(BOARD),--board $(BOARD),)
SYNTH = $(TOOLS_ENV); $(BIN) synth $(SYNTH_NET) $(BOARD_ARG) --out $(FPGA_OUT)

.PHONY: all build tools tool-versions demo test lint fmt bench clean synth pnr bitstream prog

all: build

build:
	$(CARGO) build --release --workspace

tools:
	@scripts/tools.sh install

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
	@echo "== spikemesh bench rtl (one core: synaptic operations per clock)"
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
	@echo "demo done: $(OUT)/spikes.csv, $(OUT)/raster.png, $(OUT)/rtl-spikes.csv, $(OUT)/rtl-raster.png, $(OUT)/board-spikes.csv, $(OUT)/fpga/"

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
test: tools lint
	@scripts/tools.sh versions
	$(TOOLS_ENV); $(CARGO) test --release --workspace

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --release --workspace --all-targets -- -D warnings

fmt:
	$(CARGO) fmt --all

## bench: throughput figures (printed, never asserted).
bench: tools build
	$(BIN) bench golden
	$(BIN) bench golden --net examples/bench-1024-cuba.toml
	$(TOOLS_ENV); $(BIN) bench rtl
	$(TOOLS_ENV); $(BIN) bench mesh
	$(TOOLS_ENV); $(BIN) bench fpga
	$(TOOLS_ENV); $(BIN) bench link
	$(CARGO) bench -p spikemesh-sim

clean:
	$(CARGO) clean
	rm -rf $(OUT)
