# make run    installs what is missing, builds, trains the default model, prints where results are
# make test   installs what is missing, builds, runs every test, then the unit and command-line
#             tests again built with ASan+UBSan (the training runs only once, optimised)
# make build  leaves the program at build/minitorch
JOBS ?= $(shell nproc)
BUILD ?= build
ASAN_BUILD ?= build-asan
CMAKE_FLAGS ?=

.PHONY: all deps build run test test-fast test-sanitize bench format clean

all: build

deps:
	@scripts/install-deps.sh

$(BUILD)/CMakeCache.txt: | deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)

build: deps $(BUILD)/CMakeCache.txt
	@cmake --build $(BUILD) -j $(JOBS)

run: build
	@$(BUILD)/minitorch train --backend scalar --dataset xor --hidden 10 --lr 0.5 --epochs 500 \
		--points 50 --seed 0

test: build test-fast test-sanitize

test-fast: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-sanitize: deps
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DMINITORCH_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS) --target unit_tests app_tests cli_tests minitorch_cli
	@cd $(ASAN_BUILD) && ctest --output-on-failure -j $(JOBS) -L "unit|cli" -E "Training\\."

# Benchmarks side by side with OpenBLAS, oneDNN and PyTorch (installs them; see BENCHMARKS.md).
bench:
	@bench/run.sh

format:
	@clang-format -i $$(git ls-files '*.h' '*.cpp')

clean:
	@rm -rf $(BUILD) $(ASAN_BUILD) build-bench
