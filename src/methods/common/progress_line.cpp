#include "llactr/methods/common/progress_line.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <limits>
#include <utility>

namespace llactr::methods {

namespace {
double steady_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
}  // namespace

ProgressLine::ProgressLine(bool on) : ProgressLine(on, isatty(STDERR_FILENO), steady_seconds) {}

// last_ = -inf: the first update is printed at once.
ProgressLine::ProgressLine(bool on, bool tty, std::function<double()> clock)
    : on_(on), tty_(tty), clock_(std::move(clock)), start_(clock_()), last_(-std::numeric_limits<double>::infinity()) {}

double ProgressLine::seconds() const { return clock_() - start_; }

void ProgressLine::update(bool final, const char* format, ...) {
  const double now = clock_();
  if (!on_ || (!final && now - last_ < (tty_ ? 0.5 : 30.0))) return;
  last_ = now;
  char text[512];
  va_list args;
  va_start(args, format);
  const int length = std::min(std::vsnprintf(text, sizeof text, format, args), int(sizeof text) - 1);  // cut if longer
  va_end(args);
  if (!tty_) {
    std::fprintf(stderr, "%s\n", text);
  } else {
    // "%*s" with the length difference: spaces over what the longer previous redraw left behind.
    std::fprintf(stderr, "\r%s%*s%s", text, std::max(0, last_length_ - length), "", final ? "\n" : "");
    last_length_ = final ? 0 : length;
  }
  std::fflush(stderr);
}

}  // namespace llactr::methods
