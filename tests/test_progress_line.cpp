// The progress line of the long LLM loops (methods/progress_line.h), on a fake clock: in a log it
// prints the first line, then nothing for 30 s, then a line, and always the final one; on a
// terminal it redraws one "\r" line at most every 0.5 s, pads over a longer previous text and ends
// the phase with "\n"; off prints nothing.
#include <gtest/gtest.h>

#include <string>

#include "llactr/methods/common/progress_line.h"

namespace llactr::methods {
namespace {

using testing::internal::CaptureStderr;
using testing::internal::GetCapturedStderr;

TEST(ProgressLine, LogGetsFirstLineThenOneEvery30SecondsAndTheFinal) {
  double t = 100.0;
  CaptureStderr();
  ProgressLine line(true, false, [&] { return t; });
  line.update(false, "step %d", 1);  // the first line: printed at once
  for (int step = 2; step <= 29; ++step) {
    t += 1.0;  // 101 .. 128 s: within 30 s of the first line
    line.update(false, "step %d", step);
  }
  t = 130.0;
  line.update(false, "step %d", 30);  // 30 s after the first line
  t = 131.0;
  line.update(false, "step %d", 31);
  line.update(true, "done after %.0f s", line.seconds());  // final: always
  EXPECT_EQ(GetCapturedStderr(), "step 1\nstep 30\ndone after 31 s\n");
}

TEST(ProgressLine, TerminalRedrawsOneLineEveryHalfSecond) {
  double t = 0.0;
  CaptureStderr();
  ProgressLine line(true, true, [&] { return t; });
  line.update(false, "%s", "longer");
  t = 0.4;
  line.update(false, "%s", "skipped");
  t = 0.5;
  line.update(false, "%s", "abc");  // pads over "longer"
  t = 0.6;
  line.update(true, "%s", "end");
  EXPECT_EQ(GetCapturedStderr(), "\rlonger\rabc   \rend\n");
}

TEST(ProgressLine, OffPrintsNothing) {
  double t = 0.0;
  CaptureStderr();
  ProgressLine line(false, false, [&] { return t; });
  line.update(false, "step");
  t = 60.0;
  line.update(true, "done");
  EXPECT_EQ(GetCapturedStderr(), "");
  EXPECT_EQ(line.seconds(), 60.0);
}

}  // namespace
}  // namespace llactr::methods
