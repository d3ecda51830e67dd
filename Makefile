# The two commands of the README: `make run` (the chat on the bundled corpus) and `make test`.
# Both set up everything on a fresh machine first; a second run reuses the set-up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 7860

.PHONY: run test setup browser bench

$(BIN)/policyqa: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	# The CPU build of torch first: an unpinned torch would pull gigabytes of CUDA packages.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

setup: $(BIN)/policyqa

# Debian's Chromium for the browser tests (Playwright's own browser download cannot work here).
browser:
	@command -v chromium >/dev/null && fc-list 2>/dev/null | grep -qi wqy || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-wqy-microhei >/dev/null; }

run: setup
	$(BIN)/policyqa serve --host $(HOST) --port $(PORT)

test: setup browser
	$(BIN)/python -m pytest -q

# Speed benchmarks (not tests): results in eval/bench/, summarised in the README.
bench: setup
	$(BIN)/python -m eval.benchmark_retrieval
	$(BIN)/python -m eval.benchmark_answer
