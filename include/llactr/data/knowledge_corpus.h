// The knowledge corpus that `llactr pretrain` learns from: real text written by people, one
// sentence per line, built offline from WordNet 3.0 and from MovieLens latest-small's tags and
// genres. It never holds a click, a rating or a user.
//
//   gloss:  "cello, violoncello: a large stringed instrument; seated player holds it upright while playing."
//   chain:  "cello is a bowed stringed instrument, a stringed instrument, a musical instrument, a device, ..., an entity."
//           (for each of a noun synset's first two lemmas, following the first hypernym to the root)
//   movies: "Toy Story (1995) is tagged pixar, fun."  "Toy Story (1995) is an adventure, animation,
//           children, comedy and fantasy film."
//
// The lines are shuffled with a seed, so that any held-out slice (pretrain's 1% validation lines)
// is a random sample. The control corpus (`control`) keeps every line's subject and gives it the
// gloss, hypernym chain, tags or genres of another, seed-chosen synset or movie: the same language
// and the same words, with the knowledge scrambled (within the scope's synsets).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "llactr/data/wordnet.h"

namespace llactr::data {

enum class KnowledgeForm { Gloss, Chain, Both };
KnowledgeForm knowledge_form_from_name(const std::string& name);  // "gloss", "chain", "both"

// Which noun synsets give lines: every one, or only those in the probe categories' subtrees (a
// domain corpus about the knowledge-clicks benchmark's items, a tenth of WordNet's size, that a
// small LM can read many times in the time the whole of WordNet takes once), or none (the movie
// lines alone: a corpus about MovieLens's films, for the ML-100K rows; it needs movies_dir).
enum class KnowledgeScope { All, Categories, Movies };
KnowledgeScope knowledge_scope_from_name(const std::string& name);  // "all", "categories", "movies"

struct KnowledgeCorpusOptions {
  std::string wordnet_dir = "/usr/share/wordnet";
  std::string movies_dir;                              // ml-latest-small's folder; "" = no movie lines
  std::vector<std::string> movie_titles;               // keep only these movies' lines; empty = every movie
  KnowledgeForm form = KnowledgeForm::Both;            // of the noun lines
  KnowledgeScope scope = KnowledgeScope::All;          // which noun synsets
  std::vector<std::string> parts_of_speech = {"noun"};  // verb, adj, adv add their gloss lines
  uint64_t seed = 1;
  bool control = false;
};

struct KnowledgeCorpus {
  std::vector<std::string> lines;  // shuffled
  size_t gloss_lines = 0, chain_lines = 0, movie_lines = 0;
  std::vector<Category> categories;  // choose_probe_categories on the nouns
};

// Throws with what to install when WordNet (or a movies file) is missing.
KnowledgeCorpus make_knowledge_corpus(const KnowledgeCorpusOptions& options);

// The line builders, for tests.
std::string gloss_line(const std::vector<std::string>& lemmas, const Synset& gloss_of);
std::string chain_line(const std::string& lemma, const SynsetGraph& nouns, const std::vector<uint32_t>& chain);
// movies.csv and tags.csv of ml-latest-small: the genre lines then the tag lines, by movie id.
// Tags: distinct case-insensitively, most frequent first (ties: first seen), first spelling kept.
// With control, each movie's title gets another movie's genres and tags. `titles` (as movies.csv
// spells them; empty = every movie) keeps only those movies, and the control scrambles among them;
// throws std::invalid_argument when none of them is in movies.csv.
std::vector<std::string> movie_lines(const std::string& movies_dir, bool control, uint64_t seed,
                                     const std::vector<std::string>& titles = {});

}  // namespace llactr::data
