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

.PHONY: all build tools fpga-tools tool-versions demo demo-full margins test lint fmt bench golden-vs-brian2 clean synth pnr bitstream prog nir-fixtures train-digits framework-fixtures mnist fashion-mnist python-package python-wheel digits formal soak

all: build

build:
	$(CARGO) build --release --workspace

tools: fpga-tools
	@scripts/pyenv.sh formal install

# The FPGA toolchain alone (the demo needs no solvers).
fpga-tools:
	@scripts/tools.sh install

tool-versions: tools
	@scripts/tools.sh versions

# Each demo step prints its title and how long it took (scripts/timed.sh); the times add up
# in $(OUT)/times.txt and are printed at the end.
TIMED = TIMES=$(abspath $(OUT))/times.txt scripts/timed.sh
# The network of the demo's first half: a 2x1 recurrent mesh, quick to build and to load.
DEMO_NET ?= examples/link-2x1.toml

## demo: the whole chain once, on networks that are quick to build (about 7 minutes from a cold
## cache on 2 cores): check, golden simulation and raster, RTL = golden, the virtual board over a
## PTY, NIR import with its accuracy on the float reference, the golden model, the RTL and the
## virtual board, the digits chip's bitstream and report, and its post-synthesis netlist
## classifying test images. The full-size chips are in `make demo-full`.
demo:
	@mkdir -p $(OUT); rm -f $(OUT)/times.txt
	@$(TIMED) "install the pinned FPGA toolchain (once; later runs reuse it)" scripts/tools.sh install
	@# The toolchain's WebAssembly is compiled to machine code on first use (once per cache):
	@# that runs beside cargo, which leaves a core idle for much of its build.
	@$(TIMED) "build spikemesh (cargo, release) while the toolchain compiles (once)" \
		bash -c 'scripts/tools.sh warm ice40 > $(OUT)/tools-warm.log 2>&1 & w=$$!; $(CARGO) build --release --workspace || exit 1; wait $$w || { cat $(OUT)/tools-warm.log; exit 1; }'
	@$(TIMED) "spikemesh check $(DEMO_NET)" $(BIN) check $(DEMO_NET)
	@$(TIMED) "simulate: golden model, $(STEPS) timesteps, raster" \
		$(BIN) simulate $(DEMO_NET) --steps $(STEPS) --record-all --out $(OUT)/spikes.csv --raster $(OUT)/raster.png
	@$(TOOLS_ENV); $(TIMED) "RTL = golden: the mesh in Verilator in lock-step with the golden model, 200 timesteps" \
		$(BIN) simulate $(DEMO_NET) --steps 200 --engine both --record-all --out $(OUT)/rtl-spikes.csv
	@$(TOOLS_ENV); $(TIMED) "the virtual board (the chip in Verilator, UART pins and all) behind a PTY: spikemesh run --verify" \
		scripts/board-run.sh $(BIN) $(DEMO_NET) 200 $(OUT)
	@$(MAKE) --no-print-directory digits OUT=$(OUT)
	@$(TOOLS_ENV); $(TIMED) "netlist: the digits chip as Yosys synthesizes it (vendor cell models), behind the virtual board, classifies $(NETLIST_SAMPLES) test images checked against the golden model" \
		env BOARD_SIM_ARGS=--netlist scripts/board-evaluate.sh $(BIN) $(DIGITS)/net/net.toml $(OUT)/netlist $(DIGITS_EVAL) --limit $(NETLIST_SAMPLES)
	@TIMES=$(abspath $(OUT))/times.txt scripts/timed.sh --summary
	@echo "demo done: $(OUT)/raster.png, $(OUT)/spikes.csv, $(OUT)/rtl-spikes.csv, $(OUT)/board-spikes.csv, $(OUT)/digits/ (import, confusion matrix, fpga/ with the bitstream and report)"
NETLIST_SAMPLES ?= 20

## demo-full: the full-size chips (26 minutes on 2 cores, measured 2026-12-06; the README): the
## iCEBreaker filled (`up5k-feedforward`: all 4 SPRAM blocks, 96.5 % of its logic cells) to a bitstream,
## its post-synthesis netlist behind the virtual board, bench-1024 through the virtual board,
## and the figures of `make bench`'s RTL, mesh, FPGA and link benches.
demo-full: tools build
	@mkdir -p $(OUT)/full; rm -f $(OUT)/times.txt
	@$(TOOLS_ENV); $(TIMED) "simulate $(NET): RTL (2x2 mesh of 256x256 cores) in lock-step with the golden model" \
		$(BIN) simulate $(NET) --steps 200 --engine both --record-all --out $(OUT)/full/rtl-spikes.csv --raster $(OUT)/full/rtl-raster.png
	@$(TOOLS_ENV); $(TIMED) "lif, cuba and alif cores: RTL = golden on examples/mixed-models.toml" \
		$(BIN) simulate examples/mixed-models.toml --steps 200 --engine both --out $(OUT)/full/mixed-spikes.csv
	@$(TOOLS_ENV); $(TIMED) "a cuba chip through the host bridge (virtual board)" scripts/board-run.sh $(BIN) examples/link-cuba.toml 200 $(OUT)/full/cuba
	@$(TOOLS_ENV); $(TIMED) "bench-1024 through the virtual board (1.3 M words loaded at 3 Mbaud)" scripts/board-run.sh $(BIN) examples/bench-1024.toml 50 $(OUT)/full/bench-1024
	@$(TOOLS_ENV); $(TIMED) "spikemesh bench golden, rtl, mesh, fpga, link" bash -c '$(BIN) bench golden && $(BIN) bench rtl && $(BIN) bench mesh && $(BIN) bench fpga && $(BIN) bench link'
	@$(TOOLS_ENV); $(TIMED) "synth $(DEMO_SYNTH): fills the UP5K (all 4 SPRAM blocks, 96.5 % of its logic cells), to a bitstream" \
		$(BIN) synth $(DEMO_SYNTH) --out $(OUT)/full/fpga
	@$(TOOLS_ENV); $(TIMED) "the post-synthesis netlist of that chip behind the virtual board, run --verify" \
		env BOARD_SIM_ARGS=--netlist scripts/board-run.sh $(BIN) $(DEMO_SYNTH) 20 $(OUT)/full/netlist
	@TIMES=$(abspath $(OUT))/times.txt scripts/timed.sh --summary

## digits: the trained digits classifier: NIR import (with its quantisation report), accuracy on
## the float reference, the golden model, the RTL (a few samples, with latency), the virtual
## board (every test sample), and the iCEBreaker bitstream.
digits: fpga-tools build
	@mkdir -p $(OUT)/digits
	@$(TIMED) "spikemesh import $(DIGITS)/digits.nir (trained elsewhere: make train-digits)" \
		bash -c '$(BIN) import $(DIGITS)/digits.nir --board icebreaker --out $(OUT)/digits/net && diff -r $(OUT)/digits/net $(DIGITS)/net && echo "the committed $(DIGITS)/net is what import writes"'
	@$(TIMED) "evaluate: float reference (the NIR graph in float64)" $(BIN) evaluate $(DIGITS)/digits.nir --engine reference $(DIGITS_EVAL)
	@$(TIMED) "evaluate: golden model (quantised, bit-exact with the chip)" \
		$(BIN) evaluate $(DIGITS)/net/net.toml $(DIGITS_EVAL) --confusion-png $(OUT)/digits/confusion.png
	@$(TOOLS_ENV); $(TIMED) "evaluate: RTL in Verilator on 30 samples, each checked against the golden model" \
		$(BIN) evaluate $(DIGITS)/net/net.toml $(DIGITS_EVAL) --engine verilator --limit 30
	@$(TOOLS_ENV); $(TIMED) "evaluate: every test sample through the virtual board (UART at 3 Mbaud), checked against the golden model" \
		scripts/board-evaluate.sh $(BIN) $(DIGITS)/net/net.toml $(OUT)/digits $(DIGITS_EVAL)
	@$(TOOLS_ENV); $(TIMED) "spikemesh synth: the digits chip for the iCEBreaker (bitstream, resource and timing report)" \
		$(BIN) synth $(DIGITS)/net/net.toml --out $(OUT)/digits/fpga

## margins: every bitstream that make demo, make test and the README build, on three placer
## seeds, with its spare logic cells (>= 3 %) and clock slack (>= 5 %) (docs/performance.md).
margins: fpga-tools build
	$(TOOLS_ENV); scripts/margins.sh $(BIN) build/margins

## formal: the SymbiYosys proofs (docs/hardware.md, "Proofs"); make test runs them too.
formal: tools
	$(TOOLS_ENV); $(CARGO) test --release -p spikemesh-hdl --test formal -- --include-ignored --nocapture

## nir-fixtures: NIR test files written by the official `nir` package (pinned venv outside the clone).
nir-fixtures:
	@scripts/pyenv.sh nir install
	@$$(scripts/pyenv.sh nir python) nir/tests/fixtures/make_fixtures.py $(NIR_FIXTURES)

## framework-fixtures: train the digits classifier in snnTorch, Norse and Spyx and export it with
## each framework's own NIR exporter (nir/tests/frameworks/; opt-in: torch is a 3 GB download).
## make test reads only the committed files these write.
framework-fixtures:
	@scripts/pyenv.sh spyx install
	$$(scripts/pyenv.sh spyx python) nir/tests/frameworks/spyx/train.py
	@scripts/pyenv.sh torch install
	$$(scripts/pyenv.sh torch python) nir/tests/frameworks/snntorch/train.py
	$$(scripts/pyenv.sh torch python) nir/tests/frameworks/norse/train.py

## mnist, fashion-mnist: the standard tasks at MNIST scale (examples/mnist/README.md): train in
## snnTorch (opt-in torch venv), export with its exporter, import with no flags for the
## iCEBreaker and the ULX3S-85F, and evaluate the float reference and the golden model on the
## test set. Fashion-MNIST's IDX files come from the Debian package (no root needed).
# 12 timesteps a sample: snnTorch's 10 and one per hop (the reports' steps_per_sample).
MNIST_EVAL = --samples target/$(1)/test-samples.csv --labels target/$(1)/test-labels.csv --steps-per-sample 12
mnist fashion-mnist: build
	@scripts/pyenv.sh torch install
	@if [ $@ = fashion-mnist ] && [ ! -d target/fashion-mnist-data/usr ]; then \
		mkdir -p target/fashion-mnist-data && cd target/fashion-mnist-data && apt-get download dataset-fashion-mnist && dpkg-deb -x dataset-fashion-mnist_*.deb .; fi
	$$(scripts/pyenv.sh torch python) examples/mnist/train.py $(if $(filter fashion-mnist,$@),fashion,mnist)
	$(BIN) evaluate examples/mnist/$(if $(filter fashion-mnist,$@),fashion,mnist).nir --engine reference $(call MNIST_EVAL,$(if $(filter fashion-mnist,$@),fashion,mnist))
	for b in icebreaker ulx3s-85f; do t=$(if $(filter fashion-mnist,$@),fashion,mnist); \
		$(BIN) import examples/mnist/$$t.nir --board $$b --out target/$$t/$$b && $(BIN) check target/$$t/$$b/net.toml && \
		$(BIN) evaluate target/$$t/$$b/net.toml $(call MNIST_EVAL,$$t) || exit 1; done

## python-package: build the Python package's wheel (maturin, abi3), install it into a pinned
## venv, and run its tests (pytest python/tests: every API call against the command). `make
## test` runs the same, beside the Rust tests.
python-package: fpga-tools python-wheel
	$(TOOLS_ENV); $(PYTEST)

# The wheel, built from the release build that `make test` has just made (maturin rebuilds
# only PyO3 and the extension crate: about 15 s), installed into the pinned venv.
python-wheel:
	@scripts/pyenv.sh package install
	@rm -f target/wheels/spikemesh-*.whl
	$$(dirname $$(scripts/pyenv.sh package python))/maturin build --quiet --release -m python/Cargo.toml -o target/wheels
	$$(scripts/pyenv.sh package python) -m pip install --quiet --force-reinstall --no-deps target/wheels/spikemesh-*.whl

PYTEST = $$(scripts/pyenv.sh package python) -m pytest -q -p no:cacheprovider --durations=5 python/tests

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
test: fpga-tools
	@# While clippy runs, the rest of the set-up runs beside it: YoWASP compiles yosys and
	@# nextpnr to machine code on their first use (about 2 minutes of one core, once per cache),
	@# and pip fetches the solvers and the `nir` package and writes the NIR fixtures (mostly
	@# waiting on the network).
	@mkdir -p target; bash -c 'scripts/tools.sh warm > target/tools-warm.log 2>&1 & w=$$!; \
		{ scripts/pyenv.sh formal install && scripts/pyenv.sh package install && \
		  $(MAKE) --no-print-directory nir-fixtures; } > target/setup.log 2>&1 & p=$$!; \
		$(MAKE) --no-print-directory lint || exit 1; \
		wait $$p || { cat target/setup.log; exit 1; }; cat target/setup.log; \
		wait $$w || { cat target/tools-warm.log; exit 1; }'
	@scripts/tools.sh versions
	$(TOOLS_ENV); $(TEST_BUILD)
	@$(MAKE) --no-print-directory python-wheel
	@# The Python package's tests (pytest, on the wheel just installed) run beside the Rust
	@# tests: they share no files, and pytest spends most of its time waiting on Verilator
	@# and Yosys runs of its own.
	$(TOOLS_ENV); bash -c '$(PYTEST) > target/pytest.log 2>&1 & p=$$!; $(TEST_RUNNER); r=$$?; \
		wait $$p; q=$$?; echo "== Python package (pytest)"; cat target/pytest.log; [ $$r = 0 ] && [ $$q = 0 ]'

# cargo nextest runs every test binary side by side (.config/nextest.toml orders the longest
# first); plain `cargo test` runs the same tests, one binary after another. The workspace has
# no doctests (nextest would not run them).
TEST_BUILD = if $(CARGO) nextest --version >/dev/null 2>&1; then $(CARGO) nextest run --release --workspace --no-run; \
	else $(CARGO) test --release --workspace --no-run; fi
TEST_RUNNER = if $(CARGO) nextest --version >/dev/null 2>&1; then $(CARGO) nextest run --release --workspace; \
	else echo "cargo-nextest not found: running cargo test (slower)"; $(CARGO) test --release --workspace; fi

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --release --workspace --all-targets -- -D warnings

fmt:
	$(CARGO) fmt --all

## soak: 1e5 timesteps of link-2x1 through the virtual board over a wire that drops, flips,
## duplicates and delays bytes at 1e-3 (figures printed; fails unless the state equals golden).
soak: tools build
	$(TOOLS_ENV); $(BIN) soak examples/link-2x1.toml --steps 100000 --fault-rate 1e-3

## bench: throughput figures (printed, never asserted). The golden model and Brian2 2.9 (cython
## runtime and C++ standalone, in the pinned venv scripts/py-brian2.txt) run the same networks
## with the same input spikes for 10 s of simulated time (10000 timesteps of 1 ms), and Brian2's
## spike count is checked against the golden model's before the ratios are printed.
bench: tools build golden-vs-brian2 python-wheel
	$(BIN) bench golden --net examples/bench-1024-cuba.toml
	@echo "== the golden model from Python (Network.simulate) against the command, on bench-1024"
	$$(scripts/pyenv.sh package python) python/benches/golden.py $(BIN)
	$(TOOLS_ENV); $(BIN) bench rtl
	$(TOOLS_ENV); $(BIN) bench rtl --net examples/one-core.toml
	$(TOOLS_ENV); $(BIN) bench mesh
	$(TOOLS_ENV); $(BIN) bench fpga
	$(TOOLS_ENV); $(BIN) bench link
	@echo "== digits: every test sample on the RTL, checked against the golden model (latency per sample)"
	$(TOOLS_ENV); $(BIN) evaluate $(DIGITS)/net/net.toml $(DIGITS_EVAL) --engine verilator
	@echo "== the neuron datapaths alone through Yosys and nextpnr (docs/performance.md)"
	$(TOOLS_ENV); $(CARGO) test --release -p spikemesh-hdl --test neuron_synth -- --include-ignored --nocapture
	$(CARGO) bench -p spikemesh-sim

## golden-vs-brian2: the golden model on 1 and all threads beside Brian2 on bench-1024 (both
## Brian2 targets) and bench-16k (C++ standalone: the cython runtime would take many minutes).
golden-vs-brian2: build
	@scripts/pyenv.sh brian2 install
	$(BIN) bench golden --steps 10000 --export $(OUT)/brian2/bench-1024
	$$(scripts/pyenv.sh brian2 python) sim/benches/brian2/bench.py $(OUT)/brian2/bench-1024
	$(BIN) bench golden --net examples/bench-16k.toml --steps 10000 --export $(OUT)/brian2/bench-16k
	$$(scripts/pyenv.sh brian2 python) sim/benches/brian2/bench.py $(OUT)/brian2/bench-16k --targets cpp_standalone

clean:
	$(CARGO) clean
	rm -rf $(OUT)
