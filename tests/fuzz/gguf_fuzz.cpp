// libFuzzer target for the GGUF reader: `make fuzz-gguf` (docs/GGUF.md, "Fuzzing").
#include <cstddef>
#include <cstdint>

#include "gguf_exercise.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  llactr::testing::exercise_gguf(data, size);
  return 0;
}
