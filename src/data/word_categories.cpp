#include "llactr/data/word_categories.h"

#include <map>
#include <set>
#include <stdexcept>

#include "llactr/data/line_parsing.h"

namespace llactr::data {

WordCategories read_word_categories(const std::string& path) {
  const std::string text = read_text_file(path, "write it with `llactr data make-knowledge-corpus` (make data-knowledge)");
  WordCategories wc;
  std::map<std::string, int32_t> index;
  std::set<std::string> seen;
  SkippedLines strict;
  strict.skippable = false;
  for_each_line(text, path, strict, [&](std::string_view line) {
    if (line.front() == '#') return;
    const std::vector<std::string_view> cols = split(line, "\t");
    if (cols.size() != 2 || trim(cols[0]).empty() || trim(cols[1]).empty())
      throw BadLine("expected 'word<TAB>category'");
    const std::string word(trim(cols[0])), name(trim(cols[1]));
    if (!seen.insert(word).second) throw BadLine("the word '" + word + "' appears twice");
    const auto [it, added] = index.emplace(name, int32_t(wc.names.size()));
    if (added) wc.names.push_back(name);
    wc.words.push_back(word);
    wc.labels.push_back(it->second);
  });
  if (wc.words.empty()) throw std::runtime_error(path + ": no words");
  return wc;
}

}  // namespace llactr::data
