// Where tests find the real data sets and the real model, when they are on this machine.
//
// Looked for, in order: $LLACTR_DATA_MIRROR/<name>, data/<name> (after `make data`), and
// ../shared/data/<name> beside the checkout. A test that needs one calls
// LLACTR_REQUIRE_DATA(dir, "ml-100k"), which skips the test with a message saying what to run.
#pragma once
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace llactr::testing {

inline std::string find_data(const std::string& name) {
  namespace fs = std::filesystem;
  std::string candidates[3];
  if (const char* m = std::getenv("LLACTR_DATA_MIRROR")) candidates[0] = std::string(m) + "/" + name;
  candidates[1] = "data/" + name;
  candidates[2] = "../shared/data/" + name;
  for (const auto& c : candidates)
    if (!c.empty() && fs::exists(c)) return c;
  return "";
}

}  // namespace llactr::testing

#define LLACTR_REQUIRE_DATA(var, name)                                                              \
  std::string var = ::llactr::testing::find_data(name);                                             \
  if (var.empty()) GTEST_SKIP() << "data '" << name << "' not found: run `make data` or set "      \
                                   "LLACTR_DATA_MIRROR to a folder that holds it"
