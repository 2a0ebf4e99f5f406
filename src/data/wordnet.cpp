#include "llactr/data/wordnet.h"

#include <algorithm>
#include <stdexcept>
#include <unordered_set>

#include "llactr/data/line_parsing.h"

namespace llactr::data {

namespace {

// The next space-separated field of a line, or BadLine naming what was expected.
class Fields {
 public:
  explicit Fields(std::string_view s) : s_(s) {}
  std::string_view next(const char* what) {
    while (pos_ < s_.size() && s_[pos_] == ' ') ++pos_;
    const size_t end = std::min(s_.find(' ', pos_), s_.size());
    if (end == pos_) throw BadLine(std::string("line ends before ") + what);
    std::string_view f = s_.substr(pos_, end - pos_);
    pos_ = end;
    return f;
  }
  bool at_end() const { return s_.find_first_not_of(' ', pos_) == std::string_view::npos; }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

// A fixed-width number field: `digits` characters, each decimal (base 10) or hexadecimal (16).
uint32_t fixed_number(std::string_view f, size_t digits, int base, const char* what) {
  uint32_t v = 0;
  bool ok = f.size() == digits;
  for (char c : f) {
    int d = c >= '0' && c <= '9' ? c - '0' : base == 16 && c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (d < 0) ok = false;
    else v = v * uint32_t(base) + uint32_t(d);
  }
  if (!ok)
    throw BadLine(std::string(what) + " '" + std::string(f.substr(0, 20)) + "' is not a " + std::to_string(digits) +
                  "-digit " + (base == 16 ? "hexadecimal" : "decimal") + " number");
  return v;
}

// "ready_to_hand(p)" -> "ready to hand": data.adj appends a syntactic marker in parentheses.
std::string lemma_text(std::string_view word) {
  if (!word.empty() && word.back() == ')') {
    const size_t open = word.rfind('(');
    if (open != std::string_view::npos && open > 0) word = word.substr(0, open);
  }
  std::string s(word);
  std::replace(s.begin(), s.end(), '_', ' ');
  return s;
}

// "a large stringed instrument; seated player holds it upright" stays the definition; from the
// first '"' that opens a part of the gloss (at its start or after "; ") on, quoted examples.
void split_gloss(std::string_view gloss, Synset& s) {
  size_t quote = std::string_view::npos;
  for (size_t i = 0; i < gloss.size(); ++i)
    if (gloss[i] == '"' && (i == 0 || (i >= 2 && gloss.substr(i - 2, 2) == "; "))) {
      quote = i;
      break;
    }
  std::string_view def = trim(gloss.substr(0, quote));
  while (!def.empty() && (def.back() == ';' || def.back() == ' ')) def.remove_suffix(1);
  s.definition = std::string(def);
  while (quote < gloss.size()) {
    const size_t close = gloss.find('"', quote + 1);
    std::string_view ex = trim(gloss.substr(quote + 1, close == std::string_view::npos ? close : close - quote - 1));
    if (!ex.empty()) s.examples.emplace_back(ex);
    if (close == std::string_view::npos) break;
    quote = gloss.find('"', close + 1);
  }
}

char pos_letter(const std::string& pos) {
  if (pos == "noun") return 'n';
  if (pos == "verb") return 'v';
  if (pos == "adj") return 'a';
  if (pos == "adv") return 'r';
  throw std::invalid_argument("WordNet part of speech '" + pos + "' is not one of noun, verb, adj, adv");
}

Synset parse_line(std::string_view line, uint32_t line_offset, char file_pos) {
  const size_t bar = line.find(" | ");
  if (bar == std::string_view::npos) throw BadLine("no ' | ' before the gloss");
  Fields f(line.substr(0, bar));
  Synset s;
  s.offset = fixed_number(f.next("synset_offset"), 8, 10, "synset_offset");
  if (s.offset != line_offset)
    throw BadLine("synset_offset " + std::to_string(s.offset) + " is not the line's byte offset " +
                  std::to_string(line_offset));
  fixed_number(f.next("lex_filenum"), 2, 10, "lex_filenum");
  const std::string_view type = f.next("ss_type");
  s.pos = type.size() == 1 ? type[0] : '?';
  if (!(s.pos == file_pos || (file_pos == 'a' && s.pos == 's')))
    throw BadLine("ss_type '" + std::string(type) + "' does not belong in a data file of '" + file_pos + "'");
  const uint32_t w_cnt = fixed_number(f.next("w_cnt"), 2, 16, "w_cnt");
  if (w_cnt == 0) throw BadLine("w_cnt is 0: a synset has at least one word");
  for (uint32_t i = 0; i < w_cnt; ++i) {
    s.lemmas.push_back(lemma_text(f.next("a word")));
    fixed_number(f.next("lex_id"), 1, 16, "lex_id");
  }
  const uint32_t p_cnt = fixed_number(f.next("p_cnt"), 3, 10, "p_cnt");
  for (uint32_t i = 0; i < p_cnt; ++i) {
    const std::string_view symbol = f.next("a pointer symbol");
    const uint32_t target = fixed_number(f.next("a pointer's synset_offset"), 8, 10, "pointer synset_offset");
    const std::string_view target_pos = f.next("a pointer's pos");
    fixed_number(f.next("a pointer's source/target"), 4, 16, "pointer source/target");
    if ((symbol == "@" || symbol == "@i") && target_pos.size() == 1 && target_pos[0] == file_pos) {
      s.hypernyms.push_back(target);
      s.instance = s.instance || symbol == "@i";
    }
  }
  if (file_pos == 'v') {  // data.verb's frames ("02 + 02 00 + 08 00"): read to check, not kept
    const uint32_t f_cnt = fixed_number(f.next("f_cnt"), 2, 10, "f_cnt");
    for (uint32_t i = 0; i < f_cnt; ++i) {
      if (f.next("a frame's '+'") != "+") throw BadLine("a verb frame does not start with '+'");
      fixed_number(f.next("f_num"), 2, 10, "f_num");
      fixed_number(f.next("w_num"), 2, 16, "w_num");
    }
  }
  if (!f.at_end()) throw BadLine("unexpected fields before the gloss");
  split_gloss(trim(line.substr(bar + 3)), s);
  return s;
}

}  // namespace

bool is_wordnet_pos(const std::string& pos) {
  return pos == "noun" || pos == "verb" || pos == "adj" || pos == "adv";
}

std::vector<Synset> parse_wordnet_data(std::string_view text, const std::string& path, const std::string& pos) {
  const char file_pos = pos_letter(pos);
  std::vector<Synset> out;
  SkippedLines strict;
  strict.skippable = false;
  for_each_line(text, path, strict, [&](std::string_view line) {
    if (line.substr(0, 2) == "  ") return;  // the license lines
    out.push_back(parse_line(line, uint32_t(line.data() - text.data()), file_pos));
  });
  std::unordered_set<uint32_t> present;
  for (const Synset& s : out) present.insert(s.offset);
  for (const Synset& s : out)
    for (uint32_t h : s.hypernyms)
      if (!present.count(h))
        throw std::runtime_error(path + ": synset " + std::to_string(s.offset) + " has hypernym " +
                                 std::to_string(h) + ", which is not a synset of this file");
  return out;
}

std::vector<Synset> read_wordnet_data(const std::string& dir, const std::string& pos) {
  const std::string path = dir + "/data." + pos;
  const std::string text = read_text_file(
      path, "WordNet 3.0 is not installed there: run `make data-knowledge`, or `apt-get install wordnet-base` "
            "(it installs /usr/share/wordnet), or pass --wordnet-dir");
  return parse_wordnet_data(text, path, pos);
}

}  // namespace llactr::data
