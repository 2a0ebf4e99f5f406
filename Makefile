# llactr: one Makefile for the library, the two programs, the tests and the benchmarks.
#
#   make                 build ./llactr and ./run_experiment (release: -O3 -march=native -fopenmp)
#   make test            build and run the gtest suite
#   make test-san        parsers' tests under AddressSanitizer + UBSan (only their test files are compiled)
#   make check           test + test-san (what the README and CI run)
#   make MPI=1           ./llactr_mpi and ./run_experiment_mpi, for `mpirun -np R` (OpenMPI; docs/DISTRIBUTED.md)
#   make check-mpi       the MPI build's tests under `mpirun -np 2` (scripts/check-mpi.sh)
#   make test-resume     kill ./run_experiment mid-training, --resume it, compare with an uninterrupted run
#   make bench           quick Google Benchmark run (< 2 min)
#   make deps            install the Debian packages (scripts/install-deps.sh); deps-mpi adds OpenMPI
#   make data            fetch ML-100K and stories260K into data/ (scripts/fetch-data.sh)
#   make data-knowledge  WordNet (apt) + ml-latest-small -> data/knowledge/: the text corpora and a tokenizer
#   make run             deps + data + build, then ./run_experiment
#
# Overrides: ARCH=x86-64-v3, DEBUG=1, SAN=address,undefined, MPI=1, CXX=clang++, BUILD=dir.
# Each configuration builds into its own folder under build/, so they never mix.
# Builds run one job per core by default; a -j on the command line wins (make -j1).

ifeq ($(MAKELEVEL),0)
  MAKEFLAGS += -j$(shell nproc 2>/dev/null || echo 1)
endif

comma := ,
CXX   ?= g++
ARCH  ?= native
DEBUG ?= 0
SAN   ?=
MPI   ?= 0

ifeq ($(DEBUG),1)
  OPT    := -O0 -g
  CONFIG := debug
else
  OPT    := -O3 -march=$(ARCH) -g1
  CONFIG := release-$(ARCH)
endif
ifneq ($(SAN),)
  # -O1, as ASan's documentation advises: the sanitizer build compiles the whole library a second
  # time, and at -O1 a file compiles in about 2/3 of -O3's time (11.1 s -> 7.0 s for trainer.cpp).
  ifneq ($(DEBUG),1)
    OPT  := -O1 -march=$(ARCH) -g1
  endif
  # GCC 12 at -O1 warns that Eigen's AVX-512 transposes read an uninitialised `__Y` inside
  # avx512fintrin.h (its _mm512_undefined_ps idiom): a false positive in system headers that floods
  # the log. The -O3 build keeps the warning for our own code.
  OPT    += -fsanitize=$(SAN) -fno-omit-frame-pointer -fno-sanitize-recover=all -Wno-uninitialized
  CONFIG := $(CONFIG)-san-$(subst $(comma),-,$(SAN))
endif
# The MPI build links communicator_mpi.cpp instead of world_single.cpp (util/communicator.h), so
# its objects live apart and its programs carry an _mpi suffix: `make` and `make MPI=1` never
# overwrite each other's files.
ifeq ($(MPI),1)
  CONFIG  := $(CONFIG)-mpi
  EXE     := _mpi
  COMM_SRC_OUT := src/util/world_single.cpp
  # The MPI wrapper's own flags, so that CXX (and ccache) stay as they are. Only MPI's C API is
  # used: OMPI_SKIP_MPICXX leaves out OpenMPI's deprecated C++ bindings (and their warnings).
  MPI_CPPFLAGS := -DOMPI_SKIP_MPICXX $(shell mpicc --showme:compile 2>/dev/null)
  LDLIBS  += $(shell mpicc --showme:link 2>/dev/null)
else
  EXE     :=
  COMM_SRC_OUT := src/util/communicator_mpi.cpp
endif
BUILD ?= build/$(CONFIG)

EIGEN_INC ?= /usr/include/eigen3
CPPFLAGS  += -Iinclude -isystem $(EIGEN_INC)
# -Wno-maybe-uninitialized: GCC 12 reports false positives inside its own AVX-512 intrinsics headers via Eigen.
# -fno-math-errno: nothing reads errno after a math call, and without it GCC cannot vectorise a
# loop that calls sqrt (Adam's step, norms); results are unchanged, sqrt is exact either way.
CXXFLAGS  += -std=c++17 $(OPT) -fno-math-errno -fopenmp -Wall -Wextra -Wno-maybe-uninitialized -MMD -MP
LDFLAGS   += -fopenmp $(filter -fsanitize=%,$(OPT))
LDLIBS    += -lopenblas -lpthread
# OpenBLAS's own cblas.h (it declares openblas_set_num_threads). The generic cblas.h is a Debian
# alternative that can point at netlib's header when libblas-dev is also installed.
CPPFLAGS  += $(shell pkg-config --cflags openblas 2>/dev/null)

# ---- sources: every .cpp under src/<layer>/ (and src/llm/<sub-layer>/) is part of the library,
# except the two program mains. tests/support/ holds helpers that tests and benchmarks share.
APP_MAINS := src/apps/llactr.cpp src/apps/run_experiment.cpp
LIB_SRCS  := $(filter-out $(APP_MAINS) $(COMM_SRC_OUT),$(wildcard src/*/*.cpp src/*/*/*.cpp))
TEST_SRCS := $(wildcard tests/*.cpp tests/support/*.cpp)
# The MPI tests (make check-mpi) run under mpirun with their own main (tests/mpi/mpi_main.cpp).
MPI_TEST_SRCS := $(wildcard tests/mpi/*.cpp)
MPI_TEST_BIN  := $(BUILD)/llactr_mpi_tests
SUPPORT_OBJS := $(patsubst %.cpp,$(BUILD)/%.o,$(wildcard tests/support/*.cpp))
BENCH_SRCS:= $(wildcard bench/*.cpp)

LIB_OBJS  := $(LIB_SRCS:%.cpp=$(BUILD)/%.o)
TEST_OBJS := $(TEST_SRCS:%.cpp=$(BUILD)/%.o)
LIB       := $(BUILD)/libllactr.a
TEST_BIN  := $(BUILD)/llactr_tests
BENCH_BINS:= $(BENCH_SRCS:bench/%.cpp=$(BUILD)/bench/%)

# Tests that read untrusted bytes (file parsers) and the LLM batching tests (packed rows, attention
# blocks): the tests whose suite or name contains one of these words. `make test-san` compiles only
# the test files that hold one (and tests/support/) and runs them under ASan+UBSan.
space := $(subst ,, )
PARSER_WORDS := Parse Reader Gguf GGUF Malformed Tokeniz Checkpoint Npy TransformerBatch TrainableBatch TrainableOps
# The committed GGUF corpus holds quantised bytes, which depend on FMA contraction (-O3 contracts,
# -O1 does not): it is checked by `make test`, not by the -O1 sanitizer build.
PARSER_TESTS ?= $(subst $(space),:,$(PARSER_WORDS:%=*%*))-GgufCorpus.CommittedSeedsMatchTheGenerator
# A regex for "(" that does not open a make function call.
literal_paren := [(]
PARSER_RE := ($(subst $(space),|,$(PARSER_WORDS)))
PARSER_TEST_SRCS := $(shell grep -lE '^TEST[_PF]*$(literal_paren)[A-Za-z0-9_]*$(PARSER_RE)|^TEST[_PF]*$(literal_paren)[A-Za-z0-9_]*, *[A-Za-z0-9_]*$(PARSER_RE)' $(TEST_SRCS)) $(wildcard tests/support/*.cpp)
PARSER_TEST_BIN := $(BUILD)/llactr_parser_tests

.PHONY: all test parser-tests test-san check check-mpi mpi-tests test-resume bench bench-full deps deps-mpi data data-ml1m data-knowledge run clean check-deps fuzz-gguf
.DEFAULT_GOAL := all
.SECONDARY:

all: check-deps llactr$(EXE) run_experiment$(EXE)

# Say exactly what to run when a dependency is missing, before the compiler says it less clearly.
check-deps:
	@scripts/install-deps.sh --check $(if $(filter 1,$(MPI)),--mpi)

# cp -f replaces the file even while a running experiment holds the old one open.
llactr$(EXE): $(BUILD)/apps/llactr
	@cp -f $< $@
run_experiment$(EXE): $(BUILD)/apps/run_experiment
	@cp -f $< $@

$(BUILD)/apps/%: $(BUILD)/src/apps/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

$(LIB): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/%.o: %.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) -c $< -o $@

$(BUILD)/src/util/communicator_mpi.o: CPPFLAGS += $(MPI_CPPFLAGS)

$(TEST_BIN): $(TEST_OBJS) $(LIB)
	$(CXX) $(LDFLAGS) -o $@ $(TEST_OBJS) $(LIB) -lgtest -lgtest_main $(LDLIBS)

test: check-deps $(TEST_BIN)
	$(TEST_BIN) $(TEST_ARGS)

$(PARSER_TEST_BIN): $(PARSER_TEST_SRCS:%.cpp=$(BUILD)/%.o) $(LIB)
	$(CXX) $(LDFLAGS) -o $@ $(PARSER_TEST_SRCS:%.cpp=$(BUILD)/%.o) $(LIB) -lgtest -lgtest_main $(LDLIBS)

parser-tests: check-deps $(PARSER_TEST_BIN)
	$(PARSER_TEST_BIN) --gtest_filter='$(PARSER_TESTS)' $(TEST_ARGS)

test-san:
	@$(MAKE) --no-print-directory SAN=address,undefined parser-tests

test-resume: all
	tests/resume_kill.sh

# One after the other, so the two builds' output does not interleave.
check: test
	@$(MAKE) --no-print-directory test-san

# The MPI build's tests, under `mpirun -np 2` (scripts/check-mpi.sh: the tests, then a rank that
# throws must stop the job with its message). CI runs this; it needs OpenMPI (make deps-mpi).
$(MPI_TEST_BIN): $(MPI_TEST_SRCS:%.cpp=$(BUILD)/%.o) $(SUPPORT_OBJS) $(LIB)
	$(CXX) $(LDFLAGS) -o $@ $(MPI_TEST_SRCS:%.cpp=$(BUILD)/%.o) $(SUPPORT_OBJS) $(LIB) -lgtest $(LDLIBS)

mpi-tests: check-deps $(MPI_TEST_BIN)
	scripts/check-mpi.sh $(MPI_TEST_BIN)

check-mpi:
	@$(MAKE) --no-print-directory MPI=1 mpi-tests

$(BUILD)/bench/%: $(BUILD)/bench/%.o $(SUPPORT_OBJS) $(LIB)
	$(CXX) $(LDFLAGS) -o $@ $< $(SUPPORT_OBJS) $(LIB) -lbenchmark $(LDLIBS)

bench: check-deps $(BENCH_BINS)
	@scripts/run-bench.sh quick $(BENCH_BINS)

bench-full: check-deps $(BENCH_BINS)
	@scripts/run-bench.sh full $(BENCH_BINS)

# libFuzzer on the GGUF reader (clang only): make fuzz-gguf [FUZZ_SECONDS=30]. New inputs go to
# build/fuzz/corpus (seeded from tests/fuzz/corpus); crashes are written as build/fuzz/crash-*.
FUZZ_SECONDS ?= 30
FUZZ_SRCS := tests/fuzz/gguf_fuzz.cpp $(wildcard src/llm/gguf/*.cpp)
build/fuzz/gguf_fuzz: $(FUZZ_SRCS) $(wildcard include/llactr/llm/gguf/*.h src/llm/gguf/*.h tests/fuzz/*.h)
	@mkdir -p $(dir $@)
	clang++ -std=c++17 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -Iinclude -o $@ $(FUZZ_SRCS)

fuzz-gguf: build/fuzz/gguf_fuzz
	@mkdir -p build/fuzz/corpus && cp tests/fuzz/corpus/* build/fuzz/corpus/
	cd build/fuzz && ./gguf_fuzz -max_total_time=$(FUZZ_SECONDS) -max_len=4096 corpus

deps:
	scripts/install-deps.sh

deps-mpi:
	scripts/install-deps.sh --mpi

data:
	scripts/fetch-data.sh default

data-ml1m:
	scripts/fetch-data.sh ml1m

# The knowledge corpus (docs/PRETRAIN.md): WordNet 3.0 from Debian's wordnet-base, MovieLens
# latest-small's movies and tags (movies.txt: only those of ML-100K's titles); then a 4,096-piece
# tokenizer trained on it. Built, never committed.
KNOWLEDGE := data/knowledge
data-knowledge: llactr
	scripts/install-wordnet.sh
	scripts/fetch-data.sh ml-latest-small
	scripts/fetch-data.sh default
	@mkdir -p $(KNOWLEDGE)
	./llactr data make-knowledge-corpus --out $(KNOWLEDGE)/corpus.txt --movies-dir data/ml-latest-small
	./llactr data make-knowledge-corpus --out $(KNOWLEDGE)/control.txt --movies-dir data/ml-latest-small --control
	./llactr data make-knowledge-corpus --out $(KNOWLEDGE)/categories.txt --scope categories
	./llactr data make-knowledge-corpus --out $(KNOWLEDGE)/categories-control.txt --scope categories --control
	./llactr data make-knowledge-corpus --out $(KNOWLEDGE)/chains.txt --scope categories --form chain
	./llactr data make-knowledge-corpus --out $(KNOWLEDGE)/chains-control.txt --scope categories --form chain --control
	iconv -f latin1 -t utf-8 data/ml-100k/u.item | cut -d'|' -f2 > $(KNOWLEDGE)/ml100k-titles.txt
	./llactr data make-knowledge-corpus --out $(KNOWLEDGE)/movies.txt --scope movies --movies-dir data/ml-latest-small --movie-titles $(KNOWLEDGE)/ml100k-titles.txt
	./llactr data make-knowledge-corpus --out $(KNOWLEDGE)/movies-control.txt --scope movies --movies-dir data/ml-latest-small --movie-titles $(KNOWLEDGE)/ml100k-titles.txt --control
	./llactr tokenizer train --corpus $(KNOWLEDGE)/corpus.txt --vocab 4096 --out $(KNOWLEDGE)/tokenizer-4096.gguf

# In order: the packages first, then the data, then the build.
run:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory data
	@$(MAKE) --no-print-directory all
	./run_experiment

clean:
	rm -rf build llactr run_experiment llactr_mpi run_experiment_mpi

-include $(LIB_OBJS:.o=.d) $(TEST_OBJS:.o=.d) $(MPI_TEST_SRCS:%.cpp=$(BUILD)/%.d) $(BENCH_SRCS:bench/%.cpp=$(BUILD)/bench/%.d) $(APP_MAINS:%.cpp=$(BUILD)/%.d)
