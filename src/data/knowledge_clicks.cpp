#include "llactr/data/knowledge_clicks.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>
#include <vector>

#include "llactr/tensor/shuffle.h"
#include "llactr/nn/metrics.h"
#include "llactr/tensor/rng.h"
#include "llactr/util/json.h"

namespace llactr::data {

namespace {
// A CSV cell: quoted when it holds a comma or a quote (quotes doubled), as split_csv_line reads it.
std::string csv_cell(const std::string& s) {
  if (s.find_first_of(",\"") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}
}  // namespace

KnowledgeClicksStats write_knowledge_clicks(const WordCategories& words, const KnowledgeClicksOptions& o,
                                            const std::string& out_dir) {
  const int n_items = int(words.words.size()), C = int(words.names.size());
  if (o.users < 1 || o.rows_per_user < 1) throw std::invalid_argument("knowledge clicks: users and rows per user must be >= 1");
  if (o.rows_per_user > n_items)
    throw std::invalid_argument("knowledge clicks: " + std::to_string(o.rows_per_user) + " rows per user but only " +
                                std::to_string(n_items) + " items");
  if (o.liked_categories < 1 || o.liked_categories >= C)
    throw std::invalid_argument("knowledge clicks: liked categories must lie in [1, " + std::to_string(C - 1) + "]");
  if (!(o.exposure >= 0 && o.exposure <= 1)) throw std::invalid_argument("knowledge clicks: exposure must lie in [0, 1]");
  if (!std::isfinite(o.like) || !std::isfinite(o.base) || !(o.user_std >= 0) || !(o.item_std >= 0))
    throw std::invalid_argument("knowledge clicks: like and base must be finite, the standard deviations >= 0");
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  std::ofstream csv(out_dir + "/clicks.csv");
  if (!csv) throw std::runtime_error(out_dir + ": cannot write clicks.csv there");

  Rng rng(o.seed);
  // by_category[c]: the items of category c
  std::vector<std::vector<int>> by_category(static_cast<size_t>(C));
  for (int i = 0; i < n_items; ++i) by_category[size_t(words.labels[size_t(i)])].push_back(i);
  std::vector<float> b_item(static_cast<size_t>(n_items));
  for (float& b : b_item) b = rng.normal(0.0f, float(o.item_std));

  // The items' public ids are a seeded permutation of their indices, which run in category order:
  // an id that counted through the categories ("i0".."i155" the musical instruments) would tell a
  // model that reads it as text (the LLM methods' "Item ID is i2436.") a cold item's category.
  // Their own generator, so the clicks are those of the same seed whatever the ids.
  std::vector<int> public_id(static_cast<size_t>(n_items));
  for (int i = 0; i < n_items; ++i) public_id[size_t(i)] = i;
  Rng id_rng(o.seed ^ 0x1d5u);
  seeded_shuffle(public_id, id_rng);

  csv << "UserID,ItemID,ItemName,Category,Click\n";
  std::vector<float> probs, labels;
  for (int u = 0; u < o.users; ++u) {
    const float b_user = rng.normal(0.0f, float(o.user_std));
    // liked: o.liked_categories distinct categories (a partial Fisher-Yates over [0, C))
    std::vector<int> cats(static_cast<size_t>(C));
    for (int c = 0; c < C; ++c) cats[size_t(c)] = c;
    seeded_shuffle_prefix(cats, size_t(o.liked_categories), rng);
    std::vector<char> liked(size_t(C), 0);
    for (int k = 0; k < o.liked_categories; ++k) liked[size_t(cats[size_t(k)])] = 1;
    std::set<int> seen;
    while (int(seen.size()) < o.rows_per_user) {
      int item;
      if (rng.uniform() < float(o.exposure)) {
        const std::vector<int>& pool = by_category[size_t(cats[rng.below(uint64_t(o.liked_categories))])];
        item = pool[rng.below(pool.size())];
      } else {
        item = int(rng.below(uint64_t(n_items)));
      }
      if (!seen.insert(item).second) continue;  // each user sees an item once
      const int c = words.labels[size_t(item)];
      const double logit = o.base + (liked[size_t(c)] ? o.like : 0.0) + b_user + b_item[size_t(item)];
      const double p = 1.0 / (1.0 + std::exp(-logit));
      const int click = rng.uniform() < float(p) ? 1 : 0;
      probs.push_back(float(p));
      labels.push_back(float(click));
      csv << 'u' << u << ",i" << public_id[size_t(item)] << ',' << csv_cell(words.words[size_t(item)]) << ','
          << csv_cell(words.names[size_t(c)]) << ',' << click << '\n';
    }
  }
  if (!csv.flush()) throw std::runtime_error(out_dir + "/clicks.csv: write failed");

  KnowledgeClicksStats s;
  s.rows = labels.size();
  for (float y : labels) s.positives += y > 0.5f;
  s.users = size_t(o.users);
  s.items = size_t(n_items);
  s.categories = size_t(C);
  if (s.positives > 0 && s.positives < s.rows) s.bayes_auc = auc(probs, labels);

  std::ofstream schema(out_dir + "/schema.txt");
  schema << "# knowledge-clicks: synthetic clicks on WordNet nouns (llactr data make-knowledge-clicks; docs/KNOWLEDGE.md)\n"
            "file clicks.csv\n"
            "label Click pos >= 1 neg < 1\n"
            "user UserID\n"
            "item ItemID\n"
            "field UserID UserID: the unique identifier of the user.\n"
            "field ItemID ItemID: the unique identifier of the item.\n"
            "field ItemName ItemName: the name of the item, an English noun.\n"
            "field Category Category: the category of the item (the oracle's field; drop it with --drop-fields "
            "Category).\n";
  std::ofstream info(out_dir + "/knowledge_clicks.json");
  info << "{\"seed\": " << o.seed << ", \"users\": " << o.users << ", \"rows_per_user\": " << o.rows_per_user
       << ", \"liked_categories\": " << o.liked_categories << ", \"exposure\": " << json_number(o.exposure)
       << ", \"like\": " << json_number(o.like) << ", \"base\": " << json_number(o.base)
       << ", \"user_std\": " << json_number(o.user_std) << ", \"item_std\": " << json_number(o.item_std)
       << ", \"rows\": " << s.rows << ", \"positives\": " << s.positives << ", \"items\": " << s.items
       << ", \"categories\": " << s.categories << ", \"bayes_auc\": " << json_number(s.bayes_auc) << "}\n";
  if (!schema || !info) throw std::runtime_error(out_dir + ": cannot write schema.txt or knowledge_clicks.json");
  return s;
}

}  // namespace llactr::data
