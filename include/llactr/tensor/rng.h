// The project's one random number generator: xoshiro256** seeded through splitmix64.
//
// Written out here, rather than std::mt19937 + std::normal_distribution, because the
// standard library's distributions differ between implementations; these formulas do not,
// so the same seed gives the same numbers on every compiler. Code that needs randomness
// takes an Rng& and draws from it in a fixed order (never from inside a parallel loop), so
// the same seed and the same thread count give the same run.
#pragma once
#include <cstdint>

namespace llactr {

class Rng {
 public:
  explicit Rng(uint64_t seed = 2024) { reseed(seed); }
  void reseed(uint64_t seed);

  uint64_t next_u64();
  float uniform();                       // [0, 1), 24 random bits
  void fill_uniform(float* out, int64_t n);  // n draws of uniform(), in order (one call, not n)
  float uniform(float lo, float hi);     // [lo, hi)
  float normal(float mean = 0.0f, float std = 1.0f);  // Box–Muller
  uint64_t below(uint64_t n);            // uniform integer in [0, n), unbiased
  // A new independent generator (e.g. one per data-loader thread), derived from this one.
  Rng split();

  // Draws for a batch whose rows are spread over processes (data-parallel training): this process
  // holds rows [first, first + rows) of a batch of global_rows. fill_uniform_rows then draws the
  // numbers of all global rows, in order, and keeps its own rows', so that each row gets what one
  // process would draw for it and every process's generator stays in step. The default slice is
  // the whole batch, whatever its size.
  // tail: rows after the batch that every process holds whole (SSFT's field descriptions, which
  // every rank encodes with its slice of the prompts): drawn [first, first + rows), then the tail.
  struct RowSlice {
    int64_t first = 0, rows = -1, global_rows = -1;  // rows < 0: the whole batch
    int64_t tail = 0;
  };
  void set_row_slice(RowSlice slice);  // throws std::invalid_argument for a slice outside the batch
  // out: [rows, per_row], rows·per_row draws of uniform(); with a slice set, rows must be its rows
  // plus its tail (std::logic_error otherwise: a draw that is not per batch row cannot be sliced).
  void fill_uniform_rows(float* out, int64_t rows, int64_t per_row);

  // Everything that decides the next draws, for training-state files (ctr/training_state.h):
  // set_state(state()) continues the sequence bit for bit.
  struct State {
    uint64_t s[4];
    bool has_spare;
    float spare;
  };
  State state() const { return {{s_[0], s_[1], s_[2], s_[3]}, has_spare_, spare_}; }
  void set_state(const State& st) {
    for (int i = 0; i < 4; ++i) s_[i] = st.s[i];
    has_spare_ = st.has_spare;
    spare_ = st.spare;
  }

 private:
  uint64_t s_[4];
  bool has_spare_ = false;
  float spare_ = 0.0f;
  RowSlice slice_;
};

}  // namespace llactr
