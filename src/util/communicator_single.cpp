// SingleProcess, world() with its ScopedWorld override, and exit_with_error: the parts of
// communicator.h that both builds share.
#include <cstdio>
#include <cstdlib>

#include "job_world.h"
#include "llactr/util/communicator.h"

namespace llactr {

namespace {
Communicator* g_override = nullptr;  // set by ScopedWorld
}  // namespace

std::vector<float> SingleProcess::allgatherv(const std::vector<float>& local, std::vector<size_t>* counts) {
  ++traffic_.calls;
  if (counts) *counts = {local.size()};
  return local;
}

std::vector<int32_t> SingleProcess::allgatherv(const std::vector<int32_t>& local, std::vector<size_t>* counts) {
  ++traffic_.calls;
  if (counts) *counts = {local.size()};
  return local;
}

RankShare rank_share(size_t n, int rank, int size, bool pad_empty) {
  RankShare s;
  s.first = n * size_t(rank) / size_t(size);
  s.count = n * size_t(rank + 1) / size_t(size) - s.first;
  if (pad_empty && s.count == 0 && n > 0) s.first = n - 1, s.count = 1, s.padding = true;
  return s;
}

int64_t sum_over_ranks(int64_t value, Communicator& comm) {
  if (comm.size() == 1) return value;
  // Sent as int32 pieces of 31 bits (allgatherv moves int32): exact for |value| < 2^62.
  const int64_t sign = value < 0 ? -1 : 1, m = value * sign;
  const std::vector<int32_t> all =
      comm.allgatherv(std::vector<int32_t>{int32_t(sign), int32_t(m >> 31), int32_t(m & 0x7fffffff)});
  int64_t sum = 0;
  for (size_t i = 0; i + 2 < all.size(); i += 3) sum += all[i] * ((int64_t(all[i + 1]) << 31) + all[i + 2]);
  return sum;
}

// The root is the only rank: its data is already everyone's.
void SingleProcess::broadcast(float*, size_t, int) { ++traffic_.calls; }
void SingleProcess::broadcast(int32_t*, size_t, int) { ++traffic_.calls; }
void SingleProcess::broadcast(std::string&, int) { ++traffic_.calls; }

void SingleProcess::abort(const std::string& message) {
  std::fprintf(stderr, "error: %s\n", message.c_str());
  std::exit(1);
}

Communicator& world() { return g_override ? *g_override : job_world(); }

ScopedWorld::ScopedWorld(Communicator& c) : previous_(g_override) { g_override = &c; }
ScopedWorld::~ScopedWorld() { g_override = previous_; }

int exit_with_error(const std::string& program, const std::string& message) {
  Communicator& c = world();
  if (c.size() > 1) c.abort(program + ": " + message);
  std::fprintf(stderr, "%s: error: %s\n", program.c_str(), message.c_str());
  return 1;
}

}  // namespace llactr
