// WordNet 3.0's database files (data.noun, data.verb, data.adj, data.adv; `man 5 wndb`) as
// synsets, the noun hierarchy they form through hypernym pointers, and the categories
// (hypernym subtrees) that the knowledge probe and the knowledge-clicks benchmark use.
//
// A data file line, after the license lines that start with two spaces:
//   02992211 06 n 02 cello 0 violoncello 0 002 @ 02880546 n 0000 + 09903501 n 0101 | a large stringed instrument; ...
//   offset   lex ss_type w_cnt (word lex_id)... p_cnt (symbol offset pos source/target)... [frames] | gloss
// The offset is the line's own byte offset in the file, and it is the synset's id there.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace llactr::data {

struct Synset {
  uint32_t offset = 0;                // synset_offset: the line's byte offset, its id in the file
  char pos = 'n';                     // ss_type: n, v, a, s (adjective satellite) or r
  std::vector<std::string> lemmas;    // words, '_' -> ' ', adjective markers like "(p)" removed
  std::string definition;             // the gloss before its first quoted example, no final ';'
  std::vector<std::string> examples;  // the gloss's quoted examples, without the quotes
  std::vector<uint32_t> hypernyms;    // targets of '@' and '@i' (instance) pointers, in file order
  bool instance = false;              // has an '@i' pointer: a named individual ("Lassie"), not a kind
};

// The four parts of speech: "noun", "verb", "adj", "adv" (the data.<pos> file names).
bool is_wordnet_pos(const std::string& pos);

// Parses the text of a data.<pos> file (pos as above). A malformed line throws
// std::runtime_error "path:line: reason"; so does a hypernym whose target is not in the file.
std::vector<Synset> parse_wordnet_data(std::string_view text, const std::string& path, const std::string& pos);

// Reads <dir>/data.<pos>. A missing file says how to install WordNet.
std::vector<Synset> read_wordnet_data(const std::string& dir, const std::string& pos);

// The synsets of one file with the hypernym links in both directions (hyponym = reverse
// hypernym). Built from parse_wordnet_data's output, whose pointers are known to resolve.
class SynsetGraph {
 public:
  explicit SynsetGraph(std::vector<Synset> synsets);

  const std::vector<Synset>& synsets() const { return synsets_; }
  const Synset* find(uint32_t offset) const;  // nullptr when absent
  const Synset& at(uint32_t offset) const;    // throws std::out_of_range naming the offset

  // The synsets above `offset` following each synset's first hypernym, nearest first, up to the
  // root (WordNet's nouns end at entity, 00001740). Stops rather than loop on a cycle.
  std::vector<uint32_t> hypernym_chain(uint32_t offset) const;

  // Every synset strictly below `offset` through hyponym links, transitively, sorted by offset.
  std::vector<uint32_t> subtree(uint32_t offset) const;

  // The distinct single-word lemmas of the kinds in subtree(offset), sorted: instances (named
  // individuals, '@i') are left out. A single word is ASCII letters only: no spaces, hyphens,
  // digits or accents. Capitals stay ("Dalmatian": many breeds and varieties are capitalised).
  std::vector<std::string> single_word_members(uint32_t offset) const;

 private:
  std::vector<Synset> synsets_;
  std::unordered_map<uint32_t, size_t> index_;         // offset -> position in synsets_
  std::vector<std::vector<size_t>> hyponyms_;          // position -> positions of direct hyponyms
};

bool is_single_word(const std::string& lemma);

// A probe category: a noun synset named as NLTK names it (first lemma, pos, sense number in
// index.noun), identified by its WordNet 3.0 offset and checked against its first lemma.
struct CategorySpec {
  std::string name;    // "musical_instrument.n.01"
  std::string lemma;   // "musical instrument": the synset's first lemma, to check the offset
  uint32_t offset;     // 03800933
};

// The candidates, in order: the twelve (musical instruments, dogs, trees, fish, birds,
// vehicles, beverages, garments, furniture, fabrics, minerals, diseases) and four more (insects,
// flowers, vegetables, weapons). In WordNet 3.0 all sixteen pass choose_probe_categories' threshold.
const std::vector<CategorySpec>& probe_category_candidates();

struct Category {
  CategorySpec spec;
  std::vector<std::string> words;  // sorted single-word members, disjoint from every other category
};

// Each candidate's single_word_members; a word in two or more candidates is dropped from all of
// them; candidates left with fewer than min_members words are dropped. Throws when fewer than
// min_categories remain, or when a candidate's offset does not hold its lemma (not WordNet 3.0).
std::vector<Category> choose_probe_categories(const SynsetGraph& nouns, size_t min_members = 80,
                                              size_t min_categories = 12);

}  // namespace llactr::data
