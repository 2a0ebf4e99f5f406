// The instance text ("<Field> is <value>." per field, ClickPrompt's template) against texts written
// by hand from the generated ML-1M files, and the instance-level cost measured on it.
#include <gtest/gtest.h>

#include <algorithm>

#include "data_fixtures.h"
#include "llactr/data/dataset.h"
#include "llactr/llm/model/language_model.h"
#include "llactr/methods/common/instance_cost.h"
#include "llactr/methods/common/instance_text.h"
#include "support/random_model.h"

namespace llactr::methods {
namespace {

using llactr::testing::TempDir;

TEST(InstanceText, FieldNamesAreWordsAsClickPromptWritesThem) {
  EXPECT_EQ(field_display_name("UserID"), "User ID");
  EXPECT_EQ(field_display_name("ZipCode"), "Zip Code");
  EXPECT_EQ(field_display_name("Title"), "Title");
  EXPECT_EQ(field_display_name("item_id"), "item_id");
  EXPECT_EQ(field_display_name("HTTPCode"), "HTTPCode");  // no lower-case letter before the capitals
}

TEST(InstanceText, OneSentencePerFieldInSchemaOrder) {
  TempDir dir;
  const data::Dataset d = llactr::testing::load_ml1m_generated(dir);
  // load_ml1m_generated: users are F when odd, aged 25 (README: "25-34"), occupation i % 21;
  // LLaCTR's ML-1M fields are UserID, Gender, Age, Occupation, MovieID, Title, Genres, Timestamp.
  // Train rows in time order: rating 0 (user 1, movie 1, 1 star) is first; rating 2 has 3 stars and
  // is dropped, so train row 2 is rating 3 (user 4, movie 2 = 1 + 21 % 20, 4 stars).
  EXPECT_EQ(instance_text(d, d.train, 0),
            "User ID is 1. Gender is female. Age is 25-34. Occupation is academic/educator. Movie ID is 1."
            " Title is Movie 1 (2000). Genres is Drama. Timestamp is 1000.");
  EXPECT_EQ(instance_text(d, d.train, 2),
            "User ID is 4. Gender is male. Age is 25-34. Occupation is college/grad student. Movie ID is 2."
            " Title is Movie 2 (2000). Genres is Drama. Timestamp is 1003.");
  EXPECT_THROW(instance_text(d, d.test, d.test.size()), std::out_of_range);
}

TEST(InstanceText, OutOfVocabularyValuesReadAsTheFileHasThem) {
  TempDir dir;
  const data::Dataset d = llactr::testing::load_ml1m_generated(dir);
  // 320 ratings are kept (i % 5 != 2), 256 train, 32 valid, 32 test in time order: valid row 0 is
  // kept rating 256 = rating 320, test row 0 is rating 360. Their timestamps (1000 + i) are later
  // than every train timestamp, so their ids are the OOV row, and the text still shows the value.
  EXPECT_EQ(d.valid.row(0)[7], d.encoder.offset(7));
  EXPECT_NE(instance_text(d, d.valid, 0).find("Timestamp is 1320."), std::string::npos);
  EXPECT_NE(instance_text(d, d.test, 0).find("Timestamp is 1360."), std::string::npos);
  for (const data::Split* s : {&d.valid, &d.test})
    for (size_t i = 0; i < s->size(); ++i) EXPECT_EQ(instance_text(d, *s, i).find(data::kOovText), std::string::npos);
  // A subset built row by row keeps the texts: its row 0 is test row 5.
  data::Split sub;
  sub.num_fields = d.test.num_fields;
  sub.append_row(d.test, 5);
  EXPECT_EQ(instance_text(d, sub, 0), instance_text(d, d.test, 5));
}

TEST(InstanceText, ASubsetOfFieldsInSchemaOrder) {
  TempDir dir;
  const data::Dataset d = llactr::testing::load_ml1m_generated(dir);
  // Train row 2 as written by hand above, its Title and Movie ID sentences only (asked out of order).
  const std::vector<int> f = text_fields(d.schema, "Title, MovieID", "elec-text-fields");
  EXPECT_EQ(f, (std::vector<int>{4, 5}));
  EXPECT_EQ(instance_text(d, d.train, 2, f), "Movie ID is 2. Title is Movie 2 (2000).");
  EXPECT_TRUE(text_fields(d.schema, "", "elec-text-fields").empty());  // every field
  try {
    text_fields(d.schema, "Title,Director", "elec-text-fields");
    FAIL() << "an unknown field was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("--elec-text-fields: 'Director' is not a field"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("UserID, Gender"), std::string::npos) << e.what();
  }
}

// --elec-text-template: each {Field} becomes the row's value, as the instance text writes it.
TEST(InstanceText, TemplateTextAndItsErrors) {
  TempDir dir;
  const data::Dataset d = llactr::testing::load_ml1m_generated(dir);
  const std::string t = "{Title} is film {MovieID}, {Title}";
  check_template(d.schema, t, "elec-text-template");
  EXPECT_EQ(template_text(d, d.train, 2, t), "Movie 2 (2000) is film 2, Movie 2 (2000)");
  EXPECT_EQ(template_text(d, d.train, 2, "{MovieID}"), "2");
  for (auto [bad, why] : std::vector<std::pair<std::string, std::string>>{
           {"{Title} by {Director}", "'{Director}' is not a field"},
           {"{Title is a", "'{' at position 0 is not closed"},
           {"a film", "names no {Field}"}}) {
    try {
      check_template(d.schema, bad, "elec-text-template");
      ADD_FAILURE() << bad << " was accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("--elec-text-template '" + bad + "': "), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(why), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(template_text(d, d.train, d.train.size(), "{Title}"), std::out_of_range);
}

TEST(InstanceText, InstanceCostCountsTheTokensOfTheInstanceTexts) {
  TempDir dir;
  const data::Dataset d = llactr::testing::load_ml1m_generated(dir);
  llm::RandomModelSpec spec;
  spec.n_embd = 16, spec.n_layer = 1, spec.n_head = 2, spec.n_head_kv = 2, spec.n_ff = 16, spec.n_vocab = 260;
  llm::random_model_writer(spec).write(dir.file("tiny.gguf"));
  const llm::LanguageModel lm = llm::open_language_model(dir.file("tiny.gguf"));
  const InstanceCost c = measure_instance_cost(d, lm, 4, 2);
  const size_t stride = d.train.size() / 4;
  int64_t tokens = 0;
  int truncated = 0;
  for (size_t i = 0; i < 4; ++i) {
    const size_t n = lm.tokenizer.encode(instance_text(d, d.train, i * stride)).size();
    tokens += int64_t(std::min<size_t>(n, size_t(spec.n_ctx)));
    truncated += n > size_t(spec.n_ctx);
  }
  EXPECT_EQ(c.samples, 4);
  EXPECT_EQ(c.tokens, tokens);
  EXPECT_EQ(c.truncated, truncated);
  EXPECT_GT(c.truncated, 0);      // byte-level tokens: the texts are longer than the context of 128
  EXPECT_GT(c.tokens, 4 * 100);
}

}  // namespace
}  // namespace llactr::methods
