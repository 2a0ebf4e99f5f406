// The knowledge-clicks benchmark's generator (data/knowledge_clicks.h): the files read back as a
// CSV dataset, the click model's extremes worked out by hand, seeding, bad options, and the
// cold-item split on it.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "data_fixtures.h"
#include "llactr/data/csv_reader.h"
#include "llactr/data/dataset.h"
#include "llactr/data/knowledge_clicks.h"
#include "llactr/data/line_parsing.h"

namespace llactr::data {
namespace {

using testing::TempDir;

// C categories of n words each: "w<c>_<i>" in category "cat<c>".
WordCategories words(int C, int n) {
  WordCategories w;
  for (int c = 0; c < C; ++c) {
    w.names.push_back("cat" + std::to_string(c));
    for (int i = 0; i < n; ++i) {
      w.words.push_back("w" + std::to_string(c) + "_" + std::to_string(i));
      w.labels.push_back(c);
    }
  }
  return w;
}

std::string slurp(const std::string& path) { return read_text_file(path, ""); }

TEST(KnowledgeClicks, ReadsBackAsACsvDatasetWithDistinctItemsPerUser) {
  TempDir dir;
  KnowledgeClicksOptions o;
  o.users = 40;
  o.rows_per_user = 15;
  const KnowledgeClicksStats s = write_knowledge_clicks(words(6, 20), o, dir.str());
  EXPECT_EQ(s.rows, 600u);
  EXPECT_EQ(s.items, 120u);
  const CsvSchema csv = read_csv_schema(dir.file("schema.txt"));
  const RawTable t = read_csv(csv, false);
  ASSERT_EQ(t.rows(), 600u);
  EXPECT_EQ(csv.schema.fields[size_t(csv.schema.item_field)].name, "ItemID");
  EXPECT_EQ(csv.schema.fields[size_t(csv.schema.user_field)].name, "UserID");
  std::map<std::string, std::set<std::string>> items_of;
  size_t positives = 0;
  for (size_t r = 0; r < t.rows(); ++r) {
    EXPECT_TRUE(items_of[t.text(r, 0)].insert(t.text(r, 1)).second) << "user " << t.text(r, 0) << " sees an item twice";
    positives += t.label(r) > 0.5f;
  }
  EXPECT_EQ(items_of.size(), 40u);
  EXPECT_EQ(positives, s.positives);
  EXPECT_GT(s.bayes_auc, 0.5);
  EXPECT_NE(slurp(dir.file("knowledge_clicks.json")).find("\"rows\": 600"), std::string::npos);

  // Same seed, same bytes; another seed, other clicks.
  TempDir again, other;
  write_knowledge_clicks(words(6, 20), o, again.str());
  EXPECT_EQ(slurp(dir.file("clicks.csv")), slurp(again.file("clicks.csv")));
  o.seed = 7;
  write_knowledge_clicks(words(6, 20), o, other.str());
  EXPECT_NE(slurp(dir.file("clicks.csv")), slurp(other.file("clicks.csv")));
}

// The item ids say nothing of the category: the generator's item indices run in category order, the
// written ids are a permutation of them. Along the ids, a category in id order would change 5 times;
// a random order changes it on most of the 599 steps (expected 500 for 6 equal categories).
TEST(KnowledgeClicks, ItemIdsAreNotInCategoryOrder) {
  TempDir dir;
  KnowledgeClicksOptions o;
  o.users = 200;
  o.rows_per_user = 60;
  write_knowledge_clicks(words(6, 100), o, dir.str());
  const RawTable t = read_csv(read_csv_schema(dir.file("schema.txt")), false);
  std::map<int, std::string> category_of_id;  // ItemID "i<k>" -> its category
  for (size_t r = 0; r < t.rows(); ++r) category_of_id[std::stoi(t.text(r, 1).substr(1))] = t.text(r, 3);
  ASSERT_GT(category_of_id.size(), 500u);
  size_t changes = 0;
  for (auto it = category_of_id.begin(), next = std::next(it); next != category_of_id.end(); ++it, ++next)
    changes += it->second != next->second;
  EXPECT_GT(changes, category_of_id.size() / 2) << "ids in category order leak the category to text readers";
}

TEST(KnowledgeClicks, ClicksFollowTheLikedCategoriesAtTheExtremes) {
  // exposure 1 and a huge like effect with no noise terms: every user sees only their
  // liked_categories categories, and clicks (p = sigmoid(20 - 10) ≈ 1) only in them; with
  // base -10 an unliked item would have p = 4.5e-5.
  TempDir dir;
  KnowledgeClicksOptions o;
  o.users = 30;
  o.rows_per_user = 10;
  o.liked_categories = 2;
  o.exposure = 1.0;
  o.like = 20;
  o.base = -10;
  o.user_std = o.item_std = 0;
  const KnowledgeClicksStats s = write_knowledge_clicks(words(8, 12), o, dir.str());
  const RawTable t = read_csv(read_csv_schema(dir.file("schema.txt")), false);
  std::map<std::string, std::set<std::string>> categories_of;
  for (size_t r = 0; r < t.rows(); ++r) categories_of[t.text(r, 0)].insert(t.text(r, 3));
  for (const auto& [user, cats] : categories_of) EXPECT_LE(cats.size(), 2u) << user;
  EXPECT_EQ(s.positives, s.rows);  // p ≈ 1 - 4.5e-5 on every row: no miss in 300 draws is near certain
  EXPECT_EQ(s.bayes_auc, -1);      // one class: no AUC
}

TEST(KnowledgeClicks, BadOptionsThrow) {
  TempDir dir;
  KnowledgeClicksOptions o;
  o.rows_per_user = 11;
  EXPECT_THROW(write_knowledge_clicks(words(2, 5), o, dir.str()), std::invalid_argument);  // 11 > 10 items
  o.rows_per_user = 5;
  o.liked_categories = 2;
  EXPECT_THROW(write_knowledge_clicks(words(2, 5), o, dir.str()), std::invalid_argument);  // must be < C
  o.liked_categories = 1;
  o.exposure = 1.5;
  EXPECT_THROW(write_knowledge_clicks(words(2, 5), o, dir.str()), std::invalid_argument);
  o.exposure = 0.5;
  EXPECT_THROW(write_knowledge_clicks(words(2, 5), o, "/proc/nope"), std::runtime_error);
}

TEST(KnowledgeClicks, ColdItemSplitLeavesColdItemsOutOfTheVocabulary) {
  TempDir dir, cache;
  KnowledgeClicksOptions o;
  o.users = 60;
  o.rows_per_user = 20;
  write_knowledge_clicks(words(5, 20), o, dir.str());
  DataOptions d;
  d.format = DataFormat::Csv;
  d.dir = dir.str();
  d.cache_dir = "";
  d.split = SplitMode::ColdItem;
  d.drop_fields = {"Category"};
  const Dataset ds = load_dataset(d);
  ASSERT_EQ(ds.schema.num_fields(), 3);
  const int item = ds.schema.item_field;
  ASSERT_EQ(ds.schema.fields[size_t(item)].name, "ItemID");
  // Cold rows: their ItemID (and ItemName) is out of the train vocabulary (local id 0).
  size_t cold = 0;
  for (size_t r = 0; r < ds.test.size(); ++r) {
    const bool oov_id = ds.encoder.locate(ds.test.row(r)[item]).second == 0;
    const bool oov_name = ds.encoder.locate(ds.test.row(r)[2]).second == 0;
    EXPECT_EQ(oov_id, oov_name) << "row " << r;
    cold += oov_id;
  }
  EXPECT_GT(cold, 0u);
  EXPECT_LT(cold, ds.test.size());
}

}  // namespace
}  // namespace llactr::data
