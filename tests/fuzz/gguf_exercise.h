// What the fuzzer (gguf_fuzz.cpp) and the corpus test do with one input: parse it and, when it
// is valid, touch every metadata value and dequantise every supported tensor. Only GgufError may
// escape; anything else (a crash, a sanitizer report, another exception) is a bug.
#pragma once
#include <cstdint>
#include <vector>

#include "llactr/llm/gguf/gguf.h"

namespace llactr::testing {

// Returns true when the bytes were a valid GGUF file.
inline bool exercise_gguf(const uint8_t* data, size_t size) {
  using namespace gguf;
  try {
    const GgufFile f = GgufFile::from_memory(std::vector<uint8_t>(data, data + size), "fuzz-input");
    volatile size_t sink = 0;  // keeps the work from being optimised away
    for (const auto& kv : f.metadata()) sink = sink + to_string(kv.value, 4).size();
    for (const auto& t : f.tensors())
      if (is_supported(t.type)) sink = sink + f.dequantize(t).size();
    return true;
  } catch (const GgufError&) {
    return false;
  }
}

}  // namespace llactr::testing
