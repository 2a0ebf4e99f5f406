// Readers on files the tests write: contents, labels, Latin-1, and malformed lines.
#include <gtest/gtest.h>

#include "data_fixtures.h"
#include "llactr/data/amazon_reader.h"
#include "llactr/data/csv_reader.h"
#include "llactr/data/label_rule.h"
#include "llactr/data/movielens_reader.h"

using namespace llactr::data;
using llactr::testing::TempDir;
using llactr::testing::error_of;
using llactr::testing::write_file;
using llactr::testing::write_ml1m_fixture;

namespace {

size_t positives(const RawTable& t) {
  size_t p = 0;
  for (size_t r = 0; r < t.rows(); ++r) p += t.label(r) > 0.5f;
  return p;
}

}  // namespace

TEST(Ml1mReader, FieldsLabelsAndLatin1) {
  TempDir dir;
  write_ml1m_fixture(dir.str());
  RawTable t = read_ml1m(dir.str(), false);
  ASSERT_EQ(t.num_fields(), 8);
  ASSERT_EQ(t.rows(), 10u);  // 12 ratings, two 3s dropped
  EXPECT_EQ(positives(t), 6u);
  // Row 0 is the first labelled line, 1::1::5::100.
  const char* row0[] = {"1", "female", "Under 18", "K-12 student", "1", "Toy Story (1995)", "Animation|Children's|Comedy", "100"};
  for (int k = 0; k < 8; ++k) EXPECT_EQ(t.text(0, k), row0[k]) << k;
  EXPECT_EQ(t.label(0), 1.0f);
  EXPECT_EQ(t.timestamp(0), 100);
  // Row 3 is 2::2::2::110: user 2 is M/56+/self-employed, movie 2's title was ISO-8859-1.
  EXPECT_EQ(t.text(3, 1), "male");
  EXPECT_EQ(t.text(3, 2), "56+");
  EXPECT_EQ(t.text(3, 3), "self-employed");
  EXPECT_EQ(t.text(3, 5), "Mis\xC3\xA9rables, Les (1995)");
  EXPECT_EQ(t.label(3), 0.0f);
  EXPECT_EQ(t.text(5, 3), "programmer");  // user 3, occupation 12
  // Interning: 3 distinct users across 10 rows.
  EXPECT_EQ(t.num_values(0), 3u);
  Schema s = ml1m_schema();
  EXPECT_EQ(s.num_fields(), 8);
  EXPECT_EQ(s.fields[s.user_field].name, "UserID");
  EXPECT_EQ(s.fields[s.item_field].name, "MovieID");
}

TEST(MalformedMl1m, ErrorsNameFileLineAndReason) {
  TempDir dir;
  write_ml1m_fixture(dir.str());
  write_file(dir.file("ratings.dat"), "1::1::5::100\n1::2::4\n");
  EXPECT_EQ(error_of([&] { read_ml1m(dir.str(), false); }),
            dir.file("ratings.dat") + ":2: expected 4 '::'-separated columns, found 3 (--skip-bad-lines skips such lines)");
  write_file(dir.file("ratings.dat"), "1::1::5::100\n\n1::1::five::100\n");
  EXPECT_EQ(error_of([&] { read_ml1m(dir.str(), false); }),
            dir.file("ratings.dat") + ":3: rating is not an integer: 'five' (--skip-bad-lines skips such lines)");
  write_file(dir.file("ratings.dat"), "9::1::5::100\n");
  EXPECT_NE(error_of([&] { read_ml1m(dir.str(), false); }).find(":1: UserID 9 is not in the users file"), std::string::npos);
  write_file(dir.file("ratings.dat"), "1::1::5::100\n");
  write_file(dir.file("users.dat"), "1::F::1::10::48067\n2::X::1::10::1\n");
  EXPECT_NE(error_of([&] { read_ml1m(dir.str(), false); }).find("users.dat:2: gender is not F or M: 'X'"), std::string::npos);
  write_file(dir.file("users.dat"), "1::F::7::10::48067\n");
  EXPECT_NE(error_of([&] { read_ml1m(dir.str(), false); }).find("users.dat:1: unknown age code '7'"), std::string::npos);
  write_file(dir.file("users.dat"), "1::F::1::21::48067\n");
  EXPECT_NE(error_of([&] { read_ml1m(dir.str(), false); }).find("occupation code out of range"), std::string::npos);
  std::filesystem::remove(dir.file("users.dat"));
  EXPECT_NE(error_of([&] { read_ml1m(dir.str(), false); }).find("make data-ml1m"), std::string::npos);
}

TEST(MalformedMl1m, SkipBadLinesCountsThem) {
  TempDir dir;
  write_ml1m_fixture(dir.str());
  write_file(dir.file("ratings.dat"), "1::1::5::100\r\ngarbage\n1::1::5\n7::1::5::1\n2::3::1::105\n");  // CRLF too
  RawTable t = read_ml1m(dir.str(), true);
  EXPECT_EQ(t.rows(), 2u);
  EXPECT_EQ(t.skipped.count, 3u);
  EXPECT_EQ(t.skipped.first, dir.file("ratings.dat") + ":2: expected 4 '::'-separated columns, found 1");
}

TEST(Ml100kReader, FieldsGenresAndLabels) {
  TempDir dir;
  write_file(dir.file("u.user"), "1|24|M|technician|85711\n2|53|F|oth\xE9r|94043\n");  // a stray Latin-1 byte
  std::string flags_toy = "0|0|0|1|1|1|0|0|0|0|0|0|0|0|0|0|0|0|0";   // Animation, Children's, Comedy
  std::string flags_noir = "0|0|0|0|0|0|0|0|0|0|1|0|0|0|0|0|1|0|0";  // Film-Noir, Thriller
  write_file(dir.file("u.item"), "1|Toy Story (1995)|01-Jan-1995||http://x|" + flags_toy +
                                     "\n2|Cit\xE9 des enfants perdus (1995)|01-Jan-1995||http://y|" + flags_noir + "\n");
  write_file(dir.file("u.data"), "1\t1\t5\t881250949\n2\t2\t3\t881250950\n2\t1\t1\t881250951\n1\t2\t4\t881250940\n");
  RawTable t = read_ml100k(dir.str(), false);
  ASSERT_EQ(t.num_fields(), 9);
  ASSERT_EQ(t.rows(), 3u);
  EXPECT_EQ(positives(t), 2u);
  const char* row0[] = {"1", "24", "male", "technician", "85711", "1", "Toy Story (1995)", "Animation|Children's|Comedy", "881250949"};
  for (int k = 0; k < 9; ++k) EXPECT_EQ(t.text(0, k), row0[k]) << k;
  EXPECT_EQ(t.text(1, 2), "female");
  EXPECT_EQ(t.text(1, 3), "oth\xC3\xA9r");
  EXPECT_EQ(t.text(2, 6), "Cit\xC3\xA9 des enfants perdus (1995)");
  EXPECT_EQ(t.text(2, 7), "Film-Noir|Thriller");
  EXPECT_EQ(t.label(1), 0.0f);
}

TEST(MalformedMl100k, BadFlagsAndColumns) {
  TempDir dir;
  write_file(dir.file("u.user"), "1|24|M|technician|85711\n");
  write_file(dir.file("u.item"), "1|Toy|d||u|0|0|0|1|1|1|0|0|0|0|0|0|0|0|0|0|0|0|2\n");
  write_file(dir.file("u.data"), "1\t1\t5\t881250949\n");
  EXPECT_NE(error_of([&] { read_ml100k(dir.str(), false); }).find("u.item:1: genre flag is not 0 or 1: '2'"), std::string::npos);
  write_file(dir.file("u.item"), "1|Toy|d||u|0|0\n");
  EXPECT_NE(error_of([&] { read_ml100k(dir.str(), false); }).find("u.item:1: expected 24 '|'-separated columns, found 7"), std::string::npos);
  write_file(dir.file("u.item"), "1|Toy|d||u|0|0|0|1|1|1|0|0|0|0|0|0|0|0|0|0|0|0|0\n");
  EXPECT_EQ(read_ml100k(dir.str(), false).rows(), 1u);
  std::filesystem::remove(dir.file("u.data"));
  EXPECT_NE(error_of([&] { read_ml100k(dir.str(), false); }).find("u.data (MovieLens-100K; run `make data`"), std::string::npos);
}

namespace {

void write_amazon_fixture(const std::string& dir) {
  write_file(dir + "/meta_Toys.jsonl",
             R"({"main_category": "Toys & Games", "title": "Robot", "average_rating": 4.5, "rating_number": 12, )"
             R"("features": ["Metal", "Batteries"], "description": [], "price": 19.99, "images": [{"large": "x"}], )"
             R"("store": "RoboCo", "categories": ["Toys", "Robots"], "details": {"Brand": "RoboCo", "Weight": "1 lb"}, )"
             R"("parent_asin": "B001"})"
             "\n"
             R"({"main_category": null, "title": "Ball \u00e9", "average_rating": 3.9, "rating_number": 3, "features": [], )"
             R"("description": ["Round"], "price": null, "store": "BallCo", "categories": [], "details": {}, "parent_asin": "B002"})"
             "\n");
  write_file(dir + "/Toys.jsonl",
             R"({"rating": 5.0, "title": "great", "text": "fun", "asin": "B001X", "parent_asin": "B001", "user_id": "U1", "timestamp": 1588687728923, "verified_purchase": true})"
             "\n"
             R"({"rating": 2.0, "parent_asin": "B002", "user_id": "U2", "timestamp": 1588687728000})"
             "\n"
             R"({"rating": 4.0, "parent_asin": "B999", "user_id": "U1", "timestamp": 1588687729000})"
             "\n");
}

}  // namespace

TEST(AmazonReader, JoinsReviewsWithMetaIntoThirteenFields) {
  TempDir dir;
  write_amazon_fixture(dir.str());
  RawTable t = read_amazon2023(dir.str(), false);
  ASSERT_EQ(t.num_fields(), 13);
  ASSERT_EQ(t.rows(), 3u);
  EXPECT_EQ(positives(t), 2u);  // ratings 5 and 4; 2 is negative
  const char* row0[] = {"B001", "U1", "1588687728923", "Toys & Games", "Robot", "4.5", "12", "[Metal, Batteries]", "[]",
                        "19.99", "RoboCo", "[Toys, Robots]", "{Brand: RoboCo, Weight: 1 lb}"};
  for (int k = 0; k < 13; ++k) EXPECT_EQ(t.text(0, k), row0[k]) << amazon2023_schema().fields[k].name;
  EXPECT_EQ(t.timestamp(0), 1588687728923);
  EXPECT_EQ(t.text(1, 3), "None");             // null main_category
  EXPECT_EQ(t.text(1, 4), "Ball \xC3\xA9");    // \u00e9 decoded
  EXPECT_EQ(t.text(1, 9), "None");             // null price
  EXPECT_EQ(t.label(1), 0.0f);
  for (int k = 3; k < 13; ++k) EXPECT_EQ(t.text(2, k), "None");  // B999 has no metadata
  Schema s = amazon2023_schema();
  EXPECT_EQ(s.fields[s.user_field].name, "user_id");
  EXPECT_EQ(s.fields[s.item_field].name, "parent_asin");
}

TEST(MalformedAmazon, BadJsonMissingKeysAndSkipping) {
  TempDir dir;
  write_amazon_fixture(dir.str());
  std::string reviews = llactr::testing::read_file(dir.file("Toys.jsonl"));
  write_file(dir.file("Toys.jsonl"), reviews + "{\"rating\": 5.0, \"parent_asin\": \"B001\"\n");
  EXPECT_EQ(error_of([&] { read_amazon2023(dir.str(), false); }),
            dir.file("Toys.jsonl") + ":4: invalid JSON at byte 37: expected ',' or '}' in object (--skip-bad-lines skips such lines)");
  write_file(dir.file("Toys.jsonl"), reviews + "{\"rating\": \"5\", \"parent_asin\": \"B001\", \"user_id\": \"U\", \"timestamp\": 1}\n" +
                                         "{\"parent_asin\": \"B001\"}\n[1]\n");
  EXPECT_NE(error_of([&] { read_amazon2023(dir.str(), false); }).find(":4: \"rating\" is not a number"), std::string::npos);
  RawTable t = read_amazon2023(dir.str(), true);
  EXPECT_EQ(t.rows(), 3u);
  EXPECT_EQ(t.skipped.count, 3u);
  write_file(dir.file("meta_Other.jsonl"), "");
  EXPECT_NE(error_of([&] { read_amazon2023(dir.str(), false); }).find("exactly one meta_"), std::string::npos);
}

TEST(LabelRuleParse, RulesAndErrors) {
  LabelRule ml = movielens_label_rule();
  EXPECT_EQ(ml.apply(4), LabelRule::kPositive);
  EXPECT_EQ(ml.apply(3), LabelRule::kDrop);
  EXPECT_EQ(ml.apply(2), LabelRule::kNegative);
  LabelRule amz = amazon_label_rule();
  EXPECT_EQ(amz.apply(4), LabelRule::kPositive);
  EXPECT_EQ(amz.apply(3.9), LabelRule::kNegative);
  LabelRule click = LabelRule::parse("pos == 1");
  EXPECT_EQ(click.apply(1), LabelRule::kPositive);
  EXPECT_EQ(click.apply(0), LabelRule::kNegative);
  EXPECT_EQ(LabelRule::parse(ml.str()).str(), ml.str());
  EXPECT_THROW(LabelRule::parse("pos >> 3"), std::invalid_argument);
  EXPECT_THROW(LabelRule::parse("pos > x"), std::invalid_argument);
  EXPECT_THROW(LabelRule::parse("> 3"), std::invalid_argument);
  EXPECT_THROW(LabelRule::parse("pos > 3 neg"), std::invalid_argument);
}

namespace {

void write_csv_fixture(const std::string& dir) {
  write_file(dir + "/schema.txt",
             "# my clicks\n"
             "file clicks.csv\n"
             "separator ,\n"
             "label stars pos > 3 neg < 3\n"
             "timestamp time\n"
             "user uid\n"
             "item item\n"
             "field uid      uid: the user.\n"
             "field item     item: the product, with its name.\n");
  write_file(dir + "/clicks.csv",
             "\xEF\xBB\xBFuid,time,item,stars\r\n"
             "u1,10,\"Lamp, blue\",5\r\n"
             "u2,5,\"Say \"\"hi\"\"\",1\r\n"
             "u1,7,plain,3\r\n"
             "u3,8,caf\xE9,4\r\n");
}

}  // namespace

TEST(CsvReader, SchemaFileQuotesAndLabelRule) {
  TempDir dir;
  write_csv_fixture(dir.str());
  CsvSchema csv = read_csv_schema(dir.file("schema.txt"));
  EXPECT_EQ(csv.file, dir.file("clicks.csv"));
  ASSERT_EQ(csv.schema.num_fields(), 2);
  EXPECT_EQ(csv.schema.fields[1].description, "item: the product, with its name.");
  EXPECT_EQ(csv.schema.user_field, 0);
  EXPECT_EQ(csv.schema.item_field, 1);
  RawTable t = read_csv(csv, false);
  ASSERT_EQ(t.rows(), 3u);  // the 3-star row is dropped
  EXPECT_EQ(t.text(0, 1), "Lamp, blue");
  EXPECT_EQ(t.text(1, 1), "Say \"hi\"");
  EXPECT_EQ(t.text(2, 1), "caf\xEF\xBF\xBD");  // invalid UTF-8 byte -> U+FFFD
  EXPECT_EQ(t.timestamp(1), 5);
  EXPECT_EQ(positives(t), 2u);
}

TEST(MalformedCsv, RowsHeaderAndSchemaFile) {
  TempDir dir;
  write_csv_fixture(dir.str());
  CsvSchema csv = read_csv_schema(dir.file("schema.txt"));
  write_file(dir.file("clicks.csv"), "uid,time,item,stars\nu1,1,a,5\nu2,2,\"open,4\nu3,3,b\nu4,x,c,5\nu5,5,d,many\n");
  EXPECT_EQ(error_of([&] { read_csv(csv, false); }),
            dir.file("clicks.csv") + ":3: unterminated quote (a cell may not span lines) (--skip-bad-lines skips such lines)");
  RawTable t = read_csv(csv, true);
  EXPECT_EQ(t.rows(), 1u);
  EXPECT_EQ(t.skipped.count, 4u);
  write_file(dir.file("clicks.csv"), "uid,when,item,stars\nu1,1,a,5\n");
  EXPECT_NE(error_of([&] { read_csv(csv, false); }).find("the header has no column 'time'"), std::string::npos);
  write_file(dir.file("clicks.csv"), "");
  EXPECT_NE(error_of([&] { read_csv(csv, false); }).find("empty file"), std::string::npos);

  write_file(dir.file("bad.txt"), "file x.csv\nlabel stars pos > 3\nfield a desc\ncolour blue\n");
  EXPECT_EQ(error_of([&] { read_csv_schema(dir.file("bad.txt")); }),
            dir.file("bad.txt") + ":4: unknown directive 'colour' (file, separator, label, timestamp, user, item, field)");
  write_file(dir.file("bad.txt"), "file x.csv\nlabel stars\nfield a desc\n");
  EXPECT_NE(error_of([&] { read_csv_schema(dir.file("bad.txt")); }).find("bad.txt:2: expected 'label COLUMN"), std::string::npos);
  write_file(dir.file("bad.txt"), "file x.csv\nlabel stars pos > 3\n");
  EXPECT_NE(error_of([&] { read_csv_schema(dir.file("bad.txt")); }).find("no 'field' line"), std::string::npos);
  write_file(dir.file("bad.txt"), "file x.csv\nlabel s pos > 3\nfield a d\nuser b\n");
  EXPECT_NE(error_of([&] { read_csv_schema(dir.file("bad.txt")); }).find("user 'b' is not a declared field"), std::string::npos);
}

TEST(SchemaFileParse, DescriptionsFileOverrides) {
  TempDir dir;
  Schema s = ml1m_schema();
  write_file(dir.file("d.tsv"), "# overrides\nTitle\tTitle: the film's name.\n");
  apply_descriptions_file(s, dir.file("d.tsv"));
  EXPECT_EQ(s.fields[5].description, "Title: the film's name.");
  EXPECT_EQ(s.fields[0].description, ml1m_schema().fields[0].description);
  write_file(dir.file("d.tsv"), "Nope\tx\n");
  EXPECT_NE(error_of([&] { apply_descriptions_file(s, dir.file("d.tsv")); }).find("d.tsv:1: no field named 'Nope'"), std::string::npos);
  write_file(dir.file("d.tsv"), "Title no tab\n");
  EXPECT_NE(error_of([&] { apply_descriptions_file(s, dir.file("d.tsv")); }).find("expected 'Name<TAB>description'"), std::string::npos);
}
