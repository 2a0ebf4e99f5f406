// The knowledge-clicks benchmark (docs/KNOWLEDGE.md, "The cold-item benchmark"): synthetic clicks
// on real words, where the truth is known. Items are nouns of known categories (a
// word<TAB>category file); each user likes a few categories, and a click is drawn from
//
//   P(click | u, i) = sigmoid(base + like · [cat(i) ∈ liked(u)] + b_u + b_i),
//   b_u ~ N(0, user_std²),  b_i ~ N(0, item_std²)
//
// Each user sees rows_per_user distinct items: with probability `exposure` from a liked category,
// otherwise from all items. The item's features are its id and its name (the word) — never its
// category, which only the oracle row keeps (run_experiment --drop-fields Category drops it). A
// model that sees only ids can learn a warm item's category from its clicks, but not a cold item's:
// the word is the only way in, and only a language model that knows the word can use it. The ids
// ("i2436") are a seeded permutation of the items, so their digits say nothing of the category.
#pragma once
#include <cstdint>
#include <string>

#include "llactr/data/word_categories.h"

namespace llactr::data {

struct KnowledgeClicksOptions {
  int users = 1000;
  int rows_per_user = 60;
  int liked_categories = 2;   // categories each user likes, drawn uniformly
  double exposure = 0.5;      // share of a user's items drawn from the liked categories
  double like = 2.0;          // logit added when the user likes the item's category
  double base = -1.0;         // logit of an average user on an average item outside their liked categories
  double user_std = 0.5, item_std = 0.5;
  uint64_t seed = 2024;
};

struct KnowledgeClicksStats {
  size_t rows = 0, positives = 0, users = 0, items = 0, categories = 0;
  // AUC of the true click probabilities over all rows: the ceiling of any model (-1 when the rows
  // hold one class).
  double bayes_auc = -1;
};

// Writes <out_dir>/clicks.csv (UserID, ItemID, ItemName, Category, Click), <out_dir>/schema.txt
// (run_experiment --dataset csv --data-dir out_dir) and <out_dir>/knowledge_clicks.json (the
// options and the stats). Throws std::invalid_argument for options out of range (users or rows
// < 1, liked categories outside [1, C), exposure outside [0, 1], more rows per user than items),
// std::runtime_error when the folder cannot be written.
KnowledgeClicksStats write_knowledge_clicks(const WordCategories& words, const KnowledgeClicksOptions& options,
                                            const std::string& out_dir);

}  // namespace llactr::data
