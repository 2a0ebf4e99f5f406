// The seeded subsample of a split's rows that the LLM stages of ELEC (--elec-llm-rows) and
// ClickPrompt (--clickprompt-mlm-rows, --clickprompt-finetune-rows) read.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "llactr/data/split.h"

namespace llactr::methods {

// n distinct row indices of [0, total), seeded, sorted (all of them when n is 0 or >= total).
std::vector<size_t> subsample_rows(size_t total, int64_t n, uint64_t seed);
// Those rows of `s` (ids, labels and dense features) as a split of their own.
data::Split subsample_split(const data::Split& s, int64_t n, uint64_t seed);

}  // namespace llactr::methods
