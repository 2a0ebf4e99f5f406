// Seeded shuffling that gives the same order for the same seed with any standard library
// (std::shuffle and std::uniform_int_distribution are implementation-defined; this is not).
#pragma once
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

namespace llactr::data {

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

// Fisher-Yates, back to front.
template <class T>
void seeded_shuffle(std::vector<T>& v, std::mt19937_64& rng) {
  for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[uniform_below(rng, i)]);
}

}  // namespace llactr::data
