#pragma once
// One progress line on stderr for a long loop (SSFT, ELEC's vector cache, ClickPrompt's PA-MLM).
// A terminal gets one live line, redrawn with "\r" at most twice a second; a log (stderr is not a
// terminal) gets a full line every 30 s, so `run_experiment ... > log 2>&1` stays readable. The
// final line of a phase is always printed and ends with "\n".
#include <functional>

namespace llactr::methods {

class ProgressLine {
 public:
  // on: the caller's progress flag; off prints nothing. tty: whether stderr is a terminal.
  explicit ProgressLine(bool on);
  // For tests: the tty flag and a clock (seconds) chosen by the caller.
  ProgressLine(bool on, bool tty, std::function<double()> clock);

  // Prints the printf-formatted text when a line is due, or always when final (the phase's last line).
  // The text is only formatted when it is printed.
  void update(bool final, const char* format, ...) __attribute__((format(printf, 3, 4)));
  // Seconds since the line was made.
  double seconds() const;

 private:
  bool on_, tty_;
  std::function<double()> clock_;
  double start_, last_;
  int last_length_ = 0;  // a shorter redraw on a terminal pads over the longer one before it
};

}  // namespace llactr::methods
