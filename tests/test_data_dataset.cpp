// load_dataset end to end: cache hits and invalidation, the stats command, and the real data.
#include <gtest/gtest.h>

#include "data_fixtures.h"
#include "llactr/apps/commands.h"
#include "llactr/data/dataset.h"
#include "llactr/data/dataset_cache.h"
#include "llactr/util/json.h"
#include "test_data.h"

using namespace llactr::data;
using llactr::JsonValue;
using llactr::parse_json;
using llactr::testing::TempDir;
using llactr::testing::write_file;

namespace {

// 200 ratings: 160 labelled (every 5th rating is a 3); chronological split 128 / 16 / 16.
DataOptions generated_options(const TempDir& data, const TempDir& cache) {
  llactr::testing::write_ml1m_generated(data.str(), 7, 11, 200);
  DataOptions o;
  o.format = DataFormat::Ml1m;
  o.dir = data.str();
  o.cache_dir = cache.str();
  return o;
}

void expect_same(const Dataset& a, const Dataset& b) {
  EXPECT_EQ(a.train.ids, b.train.ids);
  EXPECT_EQ(a.valid.labels, b.valid.labels);
  EXPECT_EQ(a.test.ids, b.test.ids);
  EXPECT_EQ(a.test.oov_cells, b.test.oov_cells);
  EXPECT_EQ(a.test.oov_texts, b.test.oov_texts);
  EXPECT_EQ(a.valid.oov_texts, b.valid.oov_texts);
  ASSERT_EQ(a.encoder.total_vocab(), b.encoder.total_vocab());
  for (int32_t g = 0; g < a.encoder.total_vocab(); ++g) {
    auto [k, i] = a.encoder.locate(g);
    EXPECT_EQ(a.encoder.text(k, i), b.encoder.text(k, i));
  }
}

}  // namespace

TEST(DatasetCache, SecondLoadHitsAndMatches) {
  TempDir data, cache;
  DataOptions o = generated_options(data, cache);
  Dataset first = load_dataset(o);
  EXPECT_FALSE(first.from_cache);
  EXPECT_EQ(first.num_samples(), 160u);
  EXPECT_EQ(first.train.size(), 128u);
  EXPECT_EQ(first.valid.size(), 16u);
  EXPECT_EQ(first.schema.fields[0].name, "UserID");
  ASSERT_FALSE(first.cache_file.empty());
  Dataset second = load_dataset(o);
  EXPECT_TRUE(second.from_cache);
  EXPECT_EQ(second.schema.num_fields(), 8);
  expect_same(first, second);
  // Only the cache folder was written: the data folder holds just its three files.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(data.str()), {}), 3);
  EXPECT_TRUE(std::filesystem::exists(first.cache_file.substr(0, first.cache_file.size() - 4) + ".featmap.tsv"));
}

TEST(DatasetCache, InvalidatedBySourcesOptionsAndSchema) {
  TempDir data, cache;
  DataOptions o = generated_options(data, cache);
  load_dataset(o);
  // Same size, one byte different: the first line "1::1::1::1000" gets rating 2.
  std::string edited = llactr::testing::read_file(data.file("ratings.dat"));
  size_t at = edited.find("::1000\n") - 1;
  edited[at] = edited[at] == '1' ? '2' : '1';
  write_file(data.file("ratings.dat"), edited);
  EXPECT_FALSE(load_dataset(o).from_cache);
  EXPECT_TRUE(load_dataset(o).from_cache);
  o.min_count = 2;
  EXPECT_FALSE(load_dataset(o).from_cache);
  write_file(data.file("desc.tsv"), "Title\tTitle: a film.\n");
  o.descriptions_file = data.file("desc.tsv");
  Dataset d = load_dataset(o);
  EXPECT_FALSE(d.from_cache);
  EXPECT_EQ(d.schema.fields[5].description, "Title: a film.");
  EXPECT_TRUE(load_dataset(o).from_cache);
  write_file(data.file("desc.tsv"), "Title\tTitle: a movie.\n");
  EXPECT_FALSE(load_dataset(o).from_cache);
}

// --drop-fields: the other fields keep their values and order, user/item indices follow, the cache
// keeps the two apart, and an unknown name is an error that lists the fields.
TEST(DatasetDropFields, LeavesTheOthersAsTheyWere) {
  TempDir data, cache;
  DataOptions o = generated_options(data, cache);
  const Dataset full = load_dataset(o);
  o.drop_fields = {"Gender", "Timestamp"};
  const Dataset d = load_dataset(o);
  EXPECT_FALSE(d.from_cache);
  ASSERT_EQ(d.schema.num_fields(), 6);
  EXPECT_EQ(d.schema.fields[1].name, "Age");
  EXPECT_EQ(d.schema.user_field, 0);
  EXPECT_EQ(d.schema.fields[size_t(d.schema.item_field)].name, "MovieID");
  const int kept[6] = {0, 2, 3, 4, 5, 6};  // of UserID, Gender, Age, Occupation, MovieID, Title, Genres, Timestamp
  ASSERT_EQ(d.train.size(), full.train.size());
  EXPECT_EQ(d.test.labels, full.test.labels);
  for (size_t r = 0; r < d.test.size(); ++r)
    for (int k = 0; k < 6; ++k) {
      auto [fk, fi] = full.encoder.locate(full.test.row(r)[kept[k]]);
      auto [dk, di] = d.encoder.locate(d.test.row(r)[k]);
      EXPECT_EQ(dk, k);
      EXPECT_EQ(d.encoder.text(dk, di), full.encoder.text(fk, fi)) << "row " << r << " field " << k;
    }
  EXPECT_TRUE(load_dataset(o).from_cache);
  o.drop_fields = {};
  EXPECT_EQ(load_dataset(o).schema.num_fields(), 8);  // its own cache entry, untouched
  o.drop_fields = {"ZipCode"};
  try {
    dataset_schema(o);
    ADD_FAILURE() << "no error for an unknown field";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("cannot drop field 'ZipCode': the ml1m fields are UserID, Gender"), std::string::npos)
        << e.what();
  }
}

TEST(MalformedCache, CorruptOrUnwritableCacheFallsBackToParsing) {
  TempDir data, cache;
  DataOptions o = generated_options(data, cache);
  Dataset first = load_dataset(o);
  std::string bytes = llactr::testing::read_file(first.cache_file);
  for (size_t cut : {size_t(0), size_t(5), bytes.size() / 2, bytes.size() - 1}) {
    write_file(first.cache_file, bytes.substr(0, cut));
    Dataset d = load_dataset(o);
    EXPECT_FALSE(d.from_cache) << cut;
    expect_same(first, d);
  }
  write_file(data.file("not-a-dir"), "x");
  o.cache_dir = data.file("not-a-dir") + "/cache";  // cannot be created: a warning, not an error
  Dataset d = load_dataset(o);
  EXPECT_TRUE(d.cache_file.empty());
  EXPECT_EQ(d.num_samples(), 160u);
}

TEST(DatasetCache, MissingFilesSayWhatToRun) {
  TempDir empty;
  DataOptions o;
  o.format = DataFormat::Ml100k;
  o.dir = empty.str();
  o.cache_dir = "";
  try {
    load_dataset(o);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("missing " + empty.file("u.data") + ": run `make data`"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_data_format("ml10m"), std::invalid_argument);
}

TEST(DatasetCache, CsvAndAmazonThroughLoadDataset) {
  TempDir data, cache;
  std::string csv = "user,item,click,t\n";
  for (int i = 0; i < 40; ++i) csv += "u" + std::to_string(i % 5) + ",i" + std::to_string(i % 7) + "," + std::to_string(i % 3 == 0) + "," + std::to_string(i) + "\n";
  write_file(data.file("c.csv"), csv);
  write_file(data.file("s.txt"), "file c.csv\nlabel click pos == 1\ntimestamp t\nuser user\nfield user user: who.\nfield item item: what.\n");
  DataOptions o;
  o.format = DataFormat::Csv;
  o.schema_file = data.file("s.txt");
  o.cache_dir = cache.str();
  Dataset d = load_dataset(o);
  EXPECT_EQ(d.num_samples(), 40u);
  EXPECT_EQ(d.num_positive(), 14u);  // i = 0, 3, ..., 39
  EXPECT_EQ(d.train.size(), 32u);
  EXPECT_EQ(d.schema.user_field, 0);
  EXPECT_TRUE(load_dataset(o).from_cache);
}

TEST(DataStatsCommand, JsonOutputHasCountsAndFields) {
  TempDir data, cache;
  llactr::testing::write_ml1m_generated(data.str(), 7, 11, 200);
  std::string dir = data.str(), cache_dir = cache.str();
  const char* argv[] = {"data", "stats", "--format", "ml1m", "--dir", dir.c_str(), "--cache-dir", cache_dir.c_str(), "--json"};
  ::testing::internal::CaptureStdout();
  int rc = llactr::cmd_data(9, const_cast<char**>(argv));
  std::string out = ::testing::internal::GetCapturedStdout();
  ASSERT_EQ(rc, 0);
  JsonValue j = parse_json(out);
  EXPECT_EQ(j.find("samples")->text, "160");
  EXPECT_EQ(j.find("split")->find("valid")->text, "16");
  const JsonValue* fields = j.find("fields");
  ASSERT_EQ(fields->items.size(), 8u);
  EXPECT_EQ(fields->items[1].find("name")->text, "Gender");
  EXPECT_EQ(fields->items[1].find("vocab_size")->text, "3");  // OOV, female, male
  EXPECT_EQ(fields->items[1].find("top_values")->items.size(), 2u);
  const char* typo[] = {"data", "stats", "--formt", "ml1m"};
  EXPECT_THROW(llactr::cmd_data(4, const_cast<char**>(typo)), std::invalid_argument);
}

// Acceptance counts on the real data (skipped when it is not on this machine).
TEST(RealData, Ml100kCountsAndSplit) {
  LLACTR_REQUIRE_DATA(dir, "ml-100k");
  DataOptions o;
  o.format = DataFormat::Ml100k;
  o.dir = dir;
  o.cache_dir = "";
  Dataset d = load_dataset(o);
  EXPECT_EQ(d.num_samples(), 72855u);
  EXPECT_EQ(d.num_positive(), 55375u);
  EXPECT_EQ(d.train.size(), 58284u);
  EXPECT_EQ(d.valid.size(), 7285u);
  EXPECT_EQ(d.test.size(), 7286u);
  EXPECT_EQ(d.encoder.vocab_size(2), 3);  // OOV, male, female
  EXPECT_EQ(d.encoder.text(6, d.encoder.local_id(6, "Star Wars (1977)")), "Star Wars (1977)");
}

TEST(RealData, Ml1mU2999CountsAndSplit) {
  LLACTR_REQUIRE_DATA(dir, "ml-1m-u2999");
  DataOptions o;
  o.format = DataFormat::Ml1m;
  o.dir = dir;
  o.cache_dir = "";
  Dataset d = load_dataset(o);
  EXPECT_EQ(d.num_samples(), 360434u);
  EXPECT_EQ(d.num_positive(), 279124u);
  EXPECT_EQ(d.train.size(), 288347u);
  EXPECT_EQ(d.valid.size(), 36043u);
  EXPECT_EQ(d.test.size(), 36044u);
  // Every id lies in its field's range; the user column is the gAUC group.
  for (size_t i = 0; i < d.test.size(); ++i)
    for (int k = 0; k < 8; ++k) {
      int32_t g = d.test.row(i)[k];
      ASSERT_GE(g, d.encoder.offset(k));
      ASSERT_LT(g, d.encoder.offset(k) + d.encoder.vocab_size(k));
    }
  EXPECT_EQ(d.schema.user_field, 0);
  EXPECT_GT(d.encoder.local_id(5, "Misérables, Les (1995)"), 0);  // converted from ISO-8859-1
}
