# The two commands: `make experiments` (the main job) and `make test`.
# Everything else is here for development: bench, fuzz, lint.

GO          ?= go
BIN         := bin/harness
EXPERIMENTS := $(wildcard experiments/*.yaml)
OUT         ?= runs
WORKERS     ?= 0
TOOLS       := $(CURDIR)/.tools
STATICCHECK := $(TOOLS)/bin/staticcheck
STATICCHECK_VERSION := v0.8.2
FUZZTIME    ?= 5s
ROUNDS      ?= 3

.PHONY: all build experiments test lint gotest adapters interop check baseline bench bench-scale fuzz clean python-env cluster-test bench-whole profile-whole

all: build

build:
	$(GO) build -o $(BIN) ./harness

# The reference adapters (adapters/) need a python3 with numpy,
# scikit-learn, XGBoost and PyTorch: scripts/python-env.sh finds one (or
# installs Debian's packages) and prints its directory, which the targets
# that run them put first on PATH.
python-env:
	@scripts/python-env.sh >/dev/null

# The main job: every experiment file in experiments/ into $(OUT)/<name>/,
# then the parity claim gated: the built-in forests against
# scikit-learn's (experiments/sklearn-parity.yaml) must pass.
experiments: build python-env
	PATH="$$(scripts/python-env.sh):$$PATH" $(BIN) run -out $(OUT) -workers $(WORKERS) $(EXPERIMENTS)
	$(BIN) check $(OUT)/sklearn-parity
	$(BIN) check $(OUT)/detectors-parity

# The tests: formatting, vet, staticcheck, the Go tests (race-enabled with
# -short, then all of them, parity runs included, without the race
# detector's 10x slowdown), and reading a run's files with DuckDB from
# outside Go.
test: lint gotest adapters interop check

lint: $(STATICCHECK)
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(STATICCHECK) ./...

gotest: python-env
	$(GO) test -race -short ./...
	$(GO) test ./...
	$(GO) test -short -tags noasm ./internal/ml/cluster ./internal/ml/lof ./internal/ml/gbdt   # the pure-Go fallbacks of the AVX kernels

# The reference adapters' own tests, against hand-made requests.
adapters: python-env
	PATH="$$(scripts/python-env.sh):$$PATH" python3 -m unittest discover -s adapters

$(STATICCHECK):
	GOBIN=$(TOOLS)/bin $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

interop: build
	./scripts/interop.sh

# The gate as CI runs it: experiments/smoke.yaml judged against its
# targets and, for regressions, against the committed baseline run.
CHECK_OUT := $(CURDIR)/.check
check: build
	rm -rf $(CHECK_OUT)
	$(BIN) run -out $(CHECK_OUT) experiments/smoke.yaml
	$(BIN) check -baseline reports/baselines/smoke $(CHECK_OUT)/smoke

# The deployment paths on real daemons: a one-node Slurm cluster running a
# sharded sweep as a job array with a dependent merge (a task cancelled and
# resumed; the result byte-identical to a local run), and Prometheus
# scraping harness serve under load (scripts/cluster-test.sh). Installs
# Debian's slurm-wlm, munge and prometheus where missing.
cluster-test: build
	./scripts/cluster-test.sh $(BIN)

# Refresh the committed baseline (review the change like code).
baseline: build
	rm -rf $(CHECK_OUT)
	$(BIN) run -out $(CHECK_OUT) experiments/smoke.yaml
	mkdir -p reports/baselines/smoke
	cp $(CHECK_OUT)/smoke/manifest.json $(CHECK_OUT)/smoke/metrics.parquet reports/baselines/smoke/

# Benchmarks: generate + engineer + write flows, parsing, and the rest.
bench:
	$(GO) test -run '^$$' -bench . -skip '^BenchmarkScale' -benchmem ./...

# The whole processes a user waits for, against scikit-learn doing the
# same work, alternated (scripts/bench-whole.sh; skipped without
# scikit-learn): one notebook trial with its five models, and NSL-KDD with
# the random forest and the isolation forest, artifacts and report included.
bench-whole:
	./scripts/bench-whole.sh $(ROUNDS)

# /v1/decide at 5,000 requests a second beside a do-nothing C server and
# the machine's own wake-up stalls, alternated (scripts/bench-decide.sh).
bench-decide:
	./scripts/bench-decide.sh $(ROUNDS)

# Where those two processes spend their CPU, stage by stage (pprof labels
# set by internal/stage), with their CPU and heap profiles and a trace.
profile-whole:
	./scripts/profile-whole.sh $(PROFILE_DIR)

# The scale goals: one trial of 1,000,000 flows (time, peak RSS), a sweep of
# 100 trials of 10,000 flows, and how a trial's time grows with its flows.
# One process per benchmark, so that each peak RSS is its own.
bench-scale:
	$(GO) test -run '^$$' -bench '^BenchmarkScaleTrial1M$$' -benchtime 1x ./internal/runner
	$(GO) test -run '^$$' -bench '^BenchmarkScaleSweep100$$' -benchtime 1x ./internal/runner
	$(GO) test -run '^$$' -bench '^BenchmarkScaleGrowth$$' -benchtime 1x -v ./internal/runner

# Every fuzz target, a few seconds each.
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./experiments
	$(GO) test -run '^$$' -fuzz '^FuzzReadCSV$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./datasets
	$(GO) test -run '^$$' -fuzz '^FuzzReadDataset$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./datasets
	$(GO) test -run '^$$' -fuzz '^FuzzReadMetrics$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./internal/rundir
	$(GO) test -run '^$$' -fuzz '^FuzzReadCurves$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./internal/rundir
	$(GO) test -run '^$$' -fuzz '^FuzzReadAggregates$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./internal/rundir
	$(GO) test -run '^$$' -fuzz '^FuzzReadPredictions$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./internal/rundir
	$(GO) test -run '^$$' -fuzz '^FuzzReadMonitorWindows$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./internal/rundir
	$(GO) test -run '^$$' -fuzz '^FuzzReadMonitorIncidents$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./internal/rundir
	$(GO) test -run '^$$' -fuzz '^FuzzReadMonitorEvents$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./internal/rundir
	$(GO) test -run '^$$' -fuzz '^FuzzRead$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./datasets/tabular
	$(GO) test -run '^$$' -fuzz '^FuzzReadParquet$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./datasets/tabular
	$(GO) test -run '^$$' -fuzz '^FuzzUnmarshalBinary$$' -fuzztime $(FUZZTIME) ./internal/ml/forest
	$(GO) test -run '^$$' -fuzz '^FuzzUnmarshalBinary$$' -fuzztime $(FUZZTIME) ./internal/ml/gbdt
	$(GO) test -run '^$$' -fuzz '^FuzzSuggest$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./internal/tableinit
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./internal/timestamps
	$(GO) test -run '^$$' -fuzz '^FuzzInit$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./harness
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeFlow$$' -fuzztime $(FUZZTIME) ./internal/scoring
	$(GO) test -run '^$$' -fuzz '^FuzzLoadModel$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./internal/scoring
	$(GO) test -run '^$$' -fuzz '^FuzzSplitBatch$$' -fuzztime $(FUZZTIME) ./internal/serve
	$(GO) test -run '^$$' -fuzz '^FuzzInfer$$' -fuzztime $(FUZZTIME) ./internal/serve
	$(GO) test -run '^$$' -fuzz '^FuzzDecide$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./internal/serve
	$(GO) test -run '^$$' -fuzz '^FuzzDecode$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./internal/policy
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeNPY$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./internal/models/external
	$(GO) test -run '^$$' -fuzz '^FuzzReadColumns$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./datasets
	$(GO) test -run '^$$' -fuzz '^FuzzTrial$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./internal/runner
	$(GO) test -run '^$$' -fuzz '^FuzzVerifyRun$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./internal/runner

clean:
	rm -rf bin $(OUT) $(CHECK_OUT)
