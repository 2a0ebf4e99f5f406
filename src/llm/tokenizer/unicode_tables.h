// The code point classes of the pre-tokenizer regexes as sorted, disjoint, inclusive ranges.
// unicode_tables.cpp is generated from the Unicode Character Database by scripts/gen-unicode-tables.py.
#pragma once
#include <cstddef>
#include <cstdint>
#include <iterator>

namespace llactr::llm {

struct CodepointRange {
  uint32_t first, last;  // inclusive
};

struct CodepointTable {
  const CodepointRange* ranges;
  size_t size;
};

extern const CodepointTable kLetterTable;      // \p{L}
extern const CodepointTable kNumberTable;      // \p{N}
extern const CodepointTable kWhiteSpaceTable;  // \s (White_Space)

}  // namespace llactr::llm
