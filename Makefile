# make run    installs what is missing, builds, trains the default model (LeNet-5 on Fashion-MNIST),
#             evaluates it and prints where the run directory, checkpoint and plots are
# make test   installs what is missing, builds, runs every test, then the unit and command-line
#             tests again built with ASan+UBSan (the training runs only once, optimised; the
#             sanitizer build leaves out the CUDA backend, whose kernels ASan cannot see)
# make build  leaves the program at build/minitorch and the Python package in build/python
# make python only the Python package: PYTHONPATH=build/python python3 -c 'import minitorch'
# make test-clang  installs clang 14 too, builds with it (warnings as errors, as with g++) and runs
#             the unit and command-line tests
# make fuzz   installs clang 14 too, builds the libFuzzer harnesses of fuzz/ (ASan+UBSan) and runs
#             each for FUZZ_SECONDS; fails when one finds something (see fuzz/README.md)
# make fuzz-diff   a long differential run against PyTorch (FUZZ_DIFF_PROGRAMS random programs)
# make fresh-machine-check   make run and make test on a fresh Debian 12 root (what CI runs)
# make test-cuda-build       the CUDA backend compiled and the unit suites that exercise it run
#                            (needs nvcc; the GPU cases skip without a GPU)
# make two-host-check        the README's two-host mpirun on two network namespaces of this
#                            machine (root; scripts/two-host-check.sh)
JOBS ?= $(shell nproc)
BUILD ?= build
ASAN_BUILD ?= build-asan
CLANG_BUILD ?= build-clang
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
CMAKE_FLAGS ?=
CLANG_CMAKE_FLAGS = -DCMAKE_CXX_COMPILER=clang++-14 -DMINITORCH_CUDA=OFF

.PHONY: all deps deps-clang build build-cli python run test test-fast test-sanitize test-clang fuzz \
	fuzz-diff test-cuda-build fresh-machine-check two-host-check bench format clean

all: build

deps:
	@scripts/install-deps.sh

deps-clang:
	@scripts/install-deps.sh clang

$(BUILD)/CMakeCache.txt: | deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)

build: deps $(BUILD)/CMakeCache.txt
	@cmake --build $(BUILD) -j $(JOBS)

# Only the program (make run needs no tests).
build-cli: deps $(BUILD)/CMakeCache.txt
	@cmake --build $(BUILD) -j $(JOBS) --target minitorch_cli

# Only the Python package (minitorch._C and the modules of python/minitorch), in build/python.
python: deps $(BUILD)/CMakeCache.txt
	@cmake --build $(BUILD) -j $(JOBS) --target minitorch_python

# The default model: LeNet-5 on Fashion-MNIST for a short run (RUN_EPOCHS), then its evaluation.
RUN_EPOCHS ?= 5
run: build-cli
	@run_dir=runs/lenet-fashion-mnist-$$(date +%Y%m%d-%H%M%S); \
	$(BUILD)/minitorch train --task fashion-mnist --model lenet --epochs $(RUN_EPOCHS) \
		--batch-size 64 --optimizer adam --lr 1e-3 --seed 0 --run-dir $$run_dir && \
	$(BUILD)/minitorch eval --run $$run_dir && \
	echo "Predict with: $(BUILD)/minitorch predict --run $$run_dir IMAGE.png"

test: build test-fast test-sanitize

test-fast: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# Trainings run once, in the optimised g++ build: the *Training suites, and the dashboard's
# end-to-end tests, which serve three runs they train first (minutes under ASan; the dashboard's
# own code runs under ASan and clang in app_tests).
ONCE_ONLY_TESTS = Training\\.|DashboardCli\\.

test-sanitize: deps
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DMINITORCH_SANITIZE=ON \
		-DMINITORCH_CUDA=OFF  >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS) --target unit_tests app_tests serve_tests cli_tests distributed_tests minitorch_cli
	@cd $(ASAN_BUILD) && ctest --output-on-failure -j $(JOBS) -L "unit|cli" -E "$(ONCE_ONLY_TESTS)"

# The CUDA backend compiled (nvcc required) and the unit suites that exercise it run (tests/
# CMakeLists.txt, cuda_tests); without a GPU their GPU cases skip.
CUDA_BUILD ?= build-cuda
test-cuda-build: deps
	@cmake -S . -B $(CUDA_BUILD) -DCMAKE_BUILD_TYPE=Release -DMINITORCH_CUDA=ON >/dev/null
	@cmake --build $(CUDA_BUILD) -j $(JOBS) --target cuda_tests
	@$(CUDA_BUILD)/tests/cuda_tests

# The README's two commands on a fresh Debian 12 root (root only; see the script's --help).
fresh-machine-check:
	@scripts/fresh-machine-check.sh

# Data-parallel training across two hosts, stood in for by two network namespaces (root only).
two-host-check: build-cli
	@scripts/two-host-check.sh $(BUILD)/minitorch

test-clang: deps-clang
	@cmake -S . -B $(CLANG_BUILD) -DCMAKE_BUILD_TYPE=Release $(CLANG_CMAKE_FLAGS) $(CMAKE_FLAGS) \
		>/dev/null
	@cmake --build $(CLANG_BUILD) -j $(JOBS) --target unit_tests app_tests serve_tests cli_tests distributed_tests minitorch_cli
	@cd $(CLANG_BUILD) && ctest --output-on-failure -j $(JOBS) -L "unit|cli" -E "$(ONCE_ONLY_TESTS)"

# Optimised with line numbers, so that a finding's stack trace names the lines.
fuzz: deps-clang
	@cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMINITORCH_FUZZ=ON \
		$(CLANG_CMAKE_FLAGS) $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz
	@fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

# A long differential run against PyTorch (about 80 programs/s on 2 cores; 100000 take ~25 min).
FUZZ_DIFF_PROGRAMS ?= 100000
FUZZ_DIFF_SEED ?= 1
fuzz-diff: build
	@cd $(BUILD) && MINITORCH_DIFF_PROGRAMS=$(FUZZ_DIFF_PROGRAMS) MINITORCH_DIFF_SEED=$(FUZZ_DIFF_SEED) \
		MINITORCH_DIFF_STEPS=12 ./tests/diff_tests --gtest_filter=Differential.RandomProgramsAgreeWithPyTorch

# Benchmarks side by side with OpenBLAS, oneDNN and PyTorch (installs them; see BENCHMARKS.md).
bench:
	@bench/run.sh

format:
	@clang-format -i $$(git ls-files '*.h' '*.cpp')

clean:
	@rm -rf $(BUILD) $(ASAN_BUILD) $(CLANG_BUILD) $(FUZZ_BUILD) $(CUDA_BUILD) build-bench
