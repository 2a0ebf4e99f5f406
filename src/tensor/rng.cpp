#include "llactr/tensor/rng.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace llactr {

namespace {
uint64_t splitmix64(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
}  // namespace

void Rng::reseed(uint64_t seed) {
  for (auto& s : s_) s = splitmix64(seed);
  has_spare_ = false;
}

uint64_t Rng::next_u64() {
  uint64_t result = rotl(s_[1] * 5, 7) * 9;
  uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

float Rng::uniform() { return static_cast<float>(next_u64() >> 40) * (1.0f / 16777216.0f); }

void Rng::fill_uniform(float* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = uniform();
}

void Rng::set_row_slice(RowSlice s) {
  if (s.rows >= 0 && (s.first < 0 || s.first + s.rows > s.global_rows || s.tail < 0))
    throw std::invalid_argument("Rng::set_row_slice: rows [" + std::to_string(s.first) + ", " +
                                std::to_string(s.first + s.rows) + ") are not in a batch of " + std::to_string(s.global_rows) +
                                " (tail " + std::to_string(s.tail) + ")");
  slice_ = s;
}

void Rng::fill_uniform_rows(float* out, int64_t rows, int64_t per_row) {
  if (slice_.rows < 0) return fill_uniform(out, rows * per_row);
  if (rows != slice_.rows + slice_.tail)
    throw std::logic_error("Rng::fill_uniform_rows: " + std::to_string(rows) + " rows drawn, the row slice holds " +
                           std::to_string(slice_.rows) + " + a tail of " + std::to_string(slice_.tail));
  // uniform() takes one next_u64() per number: skipping a row is per_row calls.
  for (int64_t i = 0; i < slice_.first * per_row; ++i) next_u64();
  fill_uniform(out, slice_.rows * per_row);
  for (int64_t i = 0; i < (slice_.global_rows - slice_.first - slice_.rows) * per_row; ++i) next_u64();
  fill_uniform(out + slice_.rows * per_row, slice_.tail * per_row);
}

float Rng::uniform(float lo, float hi) { return lo + (hi - lo) * uniform(); }

float Rng::normal(float mean, float std) {
  if (has_spare_) {
    has_spare_ = false;
    return mean + std * spare_;
  }
  // u1 in (0, 1] so log(u1) is finite.
  double u1 = (static_cast<double>(next_u64() >> 11) + 1.0) * (1.0 / 9007199254740992.0);
  double u2 = static_cast<double>(next_u64() >> 11) * (1.0 / 9007199254740992.0);
  double r = std::sqrt(-2.0 * std::log(u1));
  spare_ = static_cast<float>(r * std::sin(2.0 * M_PI * u2));
  has_spare_ = true;
  return mean + std * static_cast<float>(r * std::cos(2.0 * M_PI * u2));
}

uint64_t Rng::below(uint64_t n) {
  // Rejection sampling removes the modulo bias.
  uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t x;
  do x = next_u64();
  while (x >= limit);
  return x % n;
}

Rng Rng::split() { return Rng(next_u64()); }

}  // namespace llactr
