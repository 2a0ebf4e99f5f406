// Wall time for the training logs, progress lines and the cost columns.
//
//   const Clock::time_point t0 = Clock::now();
//   ...
//   double s = seconds_since(t0);
#pragma once
#include <chrono>

namespace llactr {

using Clock = std::chrono::steady_clock;

inline double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

}  // namespace llactr
