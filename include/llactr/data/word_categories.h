// Words with a known category: the ground truth of the knowledge probe and of the
// knowledge-clicks benchmark (docs/KNOWLEDGE.md). A tab-separated file, one word a line:
//
//   cello<TAB>musical_instrument.n.01
//
// Blank lines and lines starting with '#' are skipped. A word may appear once.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace llactr::data {

struct WordCategories {
  std::vector<std::string> words;       // [n] in file order
  std::vector<int32_t> labels;          // [n] index into names
  std::vector<std::string> names;       // [C] category names in order of first appearance
};

// Throws std::runtime_error "path:line: reason" for a line without exactly two non-empty
// tab-separated columns or a repeated word, and when the file holds no word.
WordCategories read_word_categories(const std::string& path);

}  // namespace llactr::data
