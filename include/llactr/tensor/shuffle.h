// Seeded shuffling that gives the same order for the same seed with any standard library
// (std::shuffle and std::uniform_int_distribution are implementation-defined; this is not).
// Two generator families use it: std::mt19937_64 (the random split, the batch order) and the
// library's Rng (the methods' LLM stages: SSFT, ELEC's stage 1, PA-MLM, row subsamples).
#pragma once
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

#include "llactr/tensor/rng.h"

namespace llactr {

// Uniform integer in [0, n) from a 64-bit generator: Lemire's multiply-shift with rejection.
inline uint64_t uniform_below(std::mt19937_64& rng, uint64_t n) {
  unsigned __int128 m = static_cast<unsigned __int128>(rng()) * n;
  uint64_t low = static_cast<uint64_t>(m);
  if (low < n) {
    const uint64_t threshold = (0 - n) % n;
    while (low < threshold) {
      m = static_cast<unsigned __int128>(rng()) * n;
      low = static_cast<uint64_t>(m);
    }
  }
  return static_cast<uint64_t>(m >> 64);
}

// The generator of epoch `epoch`'s permutation under `seed`: one per (seed, epoch), so an epoch's
// order depends on nothing else (a resumed run recomputes it). Golden-ratio spacing keeps the
// epochs' seeds apart.
inline std::mt19937_64 epoch_generator(uint64_t seed, uint64_t epoch) {
  return std::mt19937_64(seed + 0x9E3779B97F4A7C15ull * (epoch + 1));
}

inline uint64_t draw_below(std::mt19937_64& rng, uint64_t n) { return uniform_below(rng, n); }
inline uint64_t draw_below(Rng& rng, uint64_t n) { return rng.below(n); }

// Fisher-Yates, back to front: draws below(n), below(n - 1), .., below(2).
template <class T, class G>
void seeded_shuffle(std::vector<T>& v, G& rng) {
  for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[draw_below(rng, i)]);
}

// Partial Fisher-Yates, front to back: v's first k (<= v.size()) become a uniform sample without
// replacement, in draw order; draws below(n), below(n - 1), .., below(n - k + 1).
template <class T, class G>
void seeded_shuffle_prefix(std::vector<T>& v, size_t k, G& rng) {
  for (size_t i = 0; i < k; ++i) std::swap(v[i], v[i + draw_below(rng, v.size() - i)]);
}

}  // namespace llactr
