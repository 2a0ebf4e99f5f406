// Split, vocabulary and encoding on the ML-1M fixture, with counts worked out by hand.
#include <gtest/gtest.h>

#include <set>

#include "data_fixtures.h"
#include "llactr/data/dataset.h"
#include "llactr/data/encoder.h"
#include "llactr/data/movielens_reader.h"
#include "llactr/data/split.h"

using namespace llactr::data;
using llactr::testing::TempDir;

namespace {

RawTable fixture_table(const TempDir& dir) {
  llactr::testing::write_ml1m_fixture(dir.str());
  return read_ml1m(dir.str(), false);
}

std::vector<int64_t> timestamps(const RawTable& t, const std::vector<size_t>& rows) {
  std::vector<int64_t> ts;
  for (size_t r : rows) ts.push_back(t.timestamp(r));
  return ts;
}

}  // namespace

TEST(Split, ChronologicalFloorSizesAndStableTies) {
  TempDir dir;
  RawTable t = fixture_table(dir);
  SplitRows s = split_rows(t, SplitMode::Chronological, 0.8, 0.1, 0);
  EXPECT_EQ(timestamps(t, s.train), (std::vector<int64_t>{80, 90, 100, 102, 105, 110, 120, 130}));
  EXPECT_EQ(timestamps(t, s.valid), (std::vector<int64_t>{140}));
  EXPECT_EQ(timestamps(t, s.test), (std::vector<int64_t>{150}));
  // floor(0.7 * 10) = 7, floor(0.15 * 10) = 1, rest 2.
  SplitRows s2 = split_rows(t, SplitMode::Chronological, 0.7, 0.15, 0);
  EXPECT_EQ(s2.train.size(), 7u);
  EXPECT_EQ(s2.valid.size(), 1u);
  EXPECT_EQ(s2.test.size(), 2u);
  // Equal timestamps keep file order.
  RawTable ties(1);
  for (int i = 0; i < 6; ++i) {
    std::string_view cell = "x";
    ties.add_row(&cell, 1, i % 2 ? 5 : 9);  // rows 1, 3, 5 at time 5; rows 0, 2, 4 at time 9
  }
  SplitRows s3 = split_rows(ties, SplitMode::Chronological, 0.5, 0.5, 0);
  EXPECT_EQ(s3.train, (std::vector<size_t>{1, 3, 5}));
  EXPECT_EQ(s3.valid, (std::vector<size_t>{0, 2, 4}));
  EXPECT_THROW(split_rows(t, SplitMode::Chronological, 0.9, 0.2, 0), std::invalid_argument);
  EXPECT_THROW(split_rows(t, SplitMode::Chronological, 0, 0.2, 0), std::invalid_argument);
}

TEST(Split, RandomIsSeededAndAPartition) {
  TempDir dir;
  RawTable t = fixture_table(dir);
  SplitRows a = split_rows(t, SplitMode::Random, 0.6, 0.2, 42), b = split_rows(t, SplitMode::Random, 0.6, 0.2, 42);
  SplitRows c = split_rows(t, SplitMode::Random, 0.6, 0.2, 43);
  EXPECT_EQ(a.train, b.train);
  EXPECT_EQ(a.test, b.test);
  EXPECT_NE(a.train, c.train);
  std::set<size_t> all(a.train.begin(), a.train.end());
  all.insert(a.valid.begin(), a.valid.end());
  all.insert(a.test.begin(), a.test.end());
  EXPECT_EQ(all.size(), 10u);
  EXPECT_EQ(a.train.size(), 6u);
  EXPECT_EQ(a.valid.size(), 2u);
}

TEST(Split, ColdItemKeepsItsItemsOutOfTrain) {
  // 50 items, item i on 4 + i % 3 rows: 250 rows. train 0.8 -> 50 - floor(0.8 * 50) = 10 cold items.
  RawTable t(2);
  for (int i = 0; i < 50; ++i)
    for (int r = 0; r < 4 + i % 3; ++r) {
      const std::string item = "item" + std::to_string(i), user = "u" + std::to_string(r);
      const std::string_view cells[2] = {user, item};
      t.add_row(cells, float(r % 2), 0);
    }
  const SplitRows s = split_rows(t, SplitMode::ColdItem, 0.8, 0.1, 7, 1);
  EXPECT_EQ(s.train.size() + s.valid.size() + s.test.size(), t.rows());
  std::set<std::string> train_items, held_out_items, test_items;
  for (size_t r : s.train) train_items.insert(t.text(r, 1));
  for (const auto* part : {&s.valid, &s.test})
    for (size_t r : *part) held_out_items.insert(t.text(r, 1));
  for (size_t r : s.test) test_items.insert(t.text(r, 1));
  size_t cold = 0, cold_in_test = 0;
  for (const std::string& item : held_out_items) {
    cold += !train_items.count(item);
    cold_in_test += !train_items.count(item) && test_items.count(item);
  }
  EXPECT_EQ(cold, 10u);               // exactly the cold share, none of them in train
  EXPECT_GT(cold_in_test, 0u);        // test holds cold items ...
  EXPECT_LT(cold_in_test, test_items.size());  // ... and warm ones
  const SplitRows again = split_rows(t, SplitMode::ColdItem, 0.8, 0.1, 7, 1);
  EXPECT_EQ(again.train, s.train);
  EXPECT_EQ(again.test, s.test);
  EXPECT_NE(split_rows(t, SplitMode::ColdItem, 0.8, 0.1, 8, 1).train, s.train);
  EXPECT_THROW(split_rows(t, SplitMode::ColdItem, 0.8, 0.1, 7, -1), std::invalid_argument);  // no item field
  EXPECT_EQ(parse_split_mode("cold-item"), SplitMode::ColdItem);
  EXPECT_THROW(parse_split_mode("cold"), std::invalid_argument);
}

TEST(Encoder, VocabularyFromTrainOnlyByCountThenText) {
  TempDir dir;
  RawTable t = fixture_table(dir);
  SplitRows s = split_rows(t, SplitMode::Chronological, 0.8, 0.1, 0);
  Encoder e = Encoder::build(t, s.train, 1);
  ASSERT_EQ(e.num_fields(), 8);
  // Train rows by user: u1 x3 (80, 100, 102), u2 x3 (90, 105, 110), u3 x2 (120, 130).
  EXPECT_EQ(e.vocab_size(0), 4);
  EXPECT_EQ(e.text(0, 0), kOovText);
  EXPECT_EQ(e.text(0, 1), "1");  // ties at 3 broken by text
  EXPECT_EQ(e.text(0, 2), "2");
  EXPECT_EQ(e.text(0, 3), "3");
  EXPECT_EQ(e.count(0, 3), 2);
  EXPECT_EQ(e.count(0, 0), 0);
  // Gender: male 5 (u2, u3), female 3. Age: "56+" 3 and "Under 18" 3 tie, '5' < 'U'; "25-34" 2.
  EXPECT_EQ(e.text(1, 1), "male");
  EXPECT_EQ(e.count(1, 1), 5);
  EXPECT_EQ(e.text(2, 1), "56+");
  EXPECT_EQ(e.text(2, 2), "Under 18");
  EXPECT_EQ(e.text(2, 3), "25-34");
  // Each field owns a contiguous global range.
  EXPECT_EQ(e.offset(0), 0);
  EXPECT_EQ(e.offset(1), 4);
  EXPECT_EQ(e.offset(2), 7);
  int32_t total = 0;
  for (int k = 0; k < 8; ++k) total += e.vocab_size(k);
  EXPECT_EQ(e.total_vocab(), total);
  for (int32_t g = 0; g < e.total_vocab(); ++g) {
    auto [k, local] = e.locate(g);
    EXPECT_EQ(e.offset(k) + local, g);
    EXPECT_LT(local, e.vocab_size(k));
  }
  EXPECT_THROW(e.locate(-1), std::out_of_range);
  EXPECT_THROW(e.locate(e.total_vocab()), std::out_of_range);
  // Train titles: Heat x4; Toy Story and Miserables x2 each, tie broken by text ('M' < 'T').
  EXPECT_EQ(e.local_id(5, "Heat (1995)"), 1);
  EXPECT_EQ(e.count(5, 1), 4);
  EXPECT_EQ(e.local_id(5, "Mis\xC3\xA9rables, Les (1995)"), 2);
  EXPECT_EQ(e.global_id(5, "Toy Story (1995)"), e.offset(5) + 3);
  EXPECT_EQ(e.local_id(0, "never seen"), 0);

  // The valid row (u3, m1, t=140): u3 known; its timestamp was never in train -> OOV.
  Split valid = e.encode(t, s.valid);
  ASSERT_EQ(valid.size(), 1u);
  EXPECT_EQ(valid.row(0)[0], e.offset(0) + 3);
  EXPECT_EQ(valid.row(0)[7], e.offset(7));  // OOV id of Timestamp
  ASSERT_NE(valid.oov_text(0, 7), nullptr);  // ... whose text the split keeps for instance texts
  EXPECT_EQ(*valid.oov_text(0, 7), "140");
  EXPECT_EQ(valid.oov_text(0, 0), nullptr);  // u3 is in the vocabulary
  EXPECT_EQ(valid.oov_cells, (std::vector<uint64_t>{7}));
  EXPECT_EQ(valid.labels[0], 1.0f);
  EXPECT_EQ(e.text(7, e.locate(e.encode(t, s.train).row(0)[7]).second), "80");
}

TEST(Encoder, MinCountMovesRareValuesToOov) {
  TempDir dir;
  RawTable t = fixture_table(dir);
  SplitRows s = split_rows(t, SplitMode::Chronological, 0.8, 0.1, 0);
  Encoder e = Encoder::build(t, s.train, 3);
  EXPECT_EQ(e.vocab_size(0), 3);  // users 1 and 2 kept; user 3 (2 rows) is OOV
  EXPECT_EQ(e.count(0, 0), 2);    // OOV counts the train values mapped to it
  EXPECT_EQ(e.local_id(0, "3"), 0);
  EXPECT_EQ(e.vocab_size(7), 1);  // no timestamp is seen 3 times
  EXPECT_EQ(e.encode(t, s.valid).row(0)[0], e.offset(0));
  EXPECT_THROW(Encoder::build(t, s.train, 0), std::invalid_argument);
}

TEST(Encoder, SaveLoadAndFeatureMap) {
  TempDir dir;
  RawTable t = fixture_table(dir);
  SplitRows s = split_rows(t, SplitMode::Chronological, 0.8, 0.1, 0);
  Encoder e = Encoder::build(t, s.train, 1);
  e.save(dir.file("enc.bin"));
  Encoder l = Encoder::load(dir.file("enc.bin"));
  ASSERT_EQ(l.num_fields(), e.num_fields());
  EXPECT_EQ(l.total_vocab(), e.total_vocab());
  for (int k = 0; k < e.num_fields(); ++k)
    for (int32_t i = 0; i < e.vocab_size(k); ++i) {
      EXPECT_EQ(l.text(k, i), e.text(k, i));
      EXPECT_EQ(l.count(k, i), e.count(k, i));
      EXPECT_EQ(l.local_id(k, e.text(k, i)), i > 0 ? i : 0);
    }
  e.write_feature_map(dir.file("map.tsv"), ml1m_schema());
  std::string map = llactr::testing::read_file(dir.file("map.tsv"));
  EXPECT_EQ(std::count(map.begin(), map.end(), '\n'), e.total_vocab() + 1);
  EXPECT_NE(map.find("Title\t" + std::to_string(e.global_id(5, "Mis\xC3\xA9rables, Les (1995)")) + "\t"), std::string::npos);
  EXPECT_NE(map.find("UserID\t0\t0\t0\t<OOV>\n"), std::string::npos);
}

TEST(MalformedEncoderFile, TruncatedOrCorruptIsAnErrorNeverACrash) {
  TempDir dir;
  RawTable t = fixture_table(dir);
  Encoder::build(t, split_rows(t, SplitMode::Chronological, 0.8, 0.1, 0).train, 1).save(dir.file("enc.bin"));
  std::string bytes = llactr::testing::read_file(dir.file("enc.bin"));
  for (size_t n = 0; n < bytes.size(); n += 13) {
    llactr::testing::write_file(dir.file("cut.bin"), bytes.substr(0, n));
    EXPECT_THROW(Encoder::load(dir.file("cut.bin")), std::runtime_error) << n;
  }
  std::mt19937_64 rng(3);
  for (int trial = 0; trial < 100; ++trial) {
    std::string b = bytes;
    b[rng() % b.size()] ^= char(1 + rng() % 255);
    llactr::testing::write_file(dir.file("flip.bin"), b);
    try {
      Encoder::load(dir.file("flip.bin"));
    } catch (const std::runtime_error&) {
    }
  }
}

TEST(Encoder, EncodeDatasetRejectsEmptyAndSingleClassSplits) {
  TempDir dir;
  RawTable t = fixture_table(dir);
  DataOptions o;
  // 0.8/0.1/0.1 of 10 rows: valid is the single positive row at t=140.
  try {
    encode_dataset(ml1m_schema(), t, o);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("valid split has a single label class (1 rows, all positive)"), std::string::npos) << e.what();
  }
  o.valid_ratio = 0.0;
  try {
    encode_dataset(ml1m_schema(), t, o);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("valid split is empty"), std::string::npos) << e.what();
  }
  // 0.6/0.2/0.2: train 6 rows; valid (120 +, 130 -), test (140 +, 150 -) both mixed.
  o.train_ratio = 0.6;
  o.valid_ratio = 0.2;
  Dataset d = encode_dataset(ml1m_schema(), t, o);
  EXPECT_EQ(d.train.size(), 6u);
  EXPECT_EQ(d.valid.num_positive(), 1u);
  EXPECT_EQ(d.num_samples(), 10u);
  EXPECT_EQ(d.num_positive(), 6u);
}

TEST(Encoder, CopiesAndMovesKeepLookupsValid) {
  TempDir dir;
  RawTable t = fixture_table(dir);
  std::vector<size_t> train = split_rows(t, SplitMode::Chronological, 0.8, 0.1, 0).train;
  Encoder copy;
  {
    Encoder original = Encoder::build(t, train, 1);
    copy = original;
    Encoder moved = std::move(original);
    EXPECT_EQ(moved.local_id(5, "Heat (1995)"), 1);
  }  // original and moved are gone; copy's lookups must not point into them
  EXPECT_EQ(copy.local_id(5, "Heat (1995)"), 1);
  EXPECT_EQ(copy.local_id(6, "Animation|Children's|Comedy"), copy.local_id(6, std::string("Animation|Children's|Comedy")));
  Encoder copy2(copy);
  EXPECT_EQ(copy2.global_id(0, "3"), copy.offset(0) + 3);
}
