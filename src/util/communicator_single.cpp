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
