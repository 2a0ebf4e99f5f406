#include "llactr/data/amazon_reader.h"

#include <array>
#include <filesystem>
#include <stdexcept>
#include <unordered_map>

#include "llactr/data/label_rule.h"

namespace llactr::data {
namespace {

// Item fields, in schema order after the three review fields.
const char* kMetaKeys[10] = {"main_category", "title", "average_rating", "rating_number", "features",
                             "description", "price", "store", "categories", "details"};
using ItemTexts = std::array<std::string, 10>;

JsonValue parse_line(std::string_view line) {
  try {
    JsonValue v = parse_json(line);
    if (v.type != JsonValue::Type::Object) throw BadLine("a line must be a JSON object");
    return v;
  } catch (const std::invalid_argument& e) {
    throw BadLine(std::string("invalid JSON at ") + e.what());
  }
}

const JsonValue& require(const JsonValue& obj, const char* key, JsonValue::Type type, const char* type_name) {
  const JsonValue* v = obj.find(key);
  if (!v) throw BadLine(std::string("missing \"") + key + "\"");
  if (v->type != type) throw BadLine(std::string("\"") + key + "\" is not a " + type_name);
  return *v;
}

}  // namespace

std::string json_value_text(const JsonValue& v) {
  switch (v.type) {
    case JsonValue::Type::Null: return "None";
    case JsonValue::Type::Bool:
    case JsonValue::Type::Number:
    case JsonValue::Type::String: return v.text;
    case JsonValue::Type::Array: {
      std::string s = "[";
      for (size_t i = 0; i < v.items.size(); ++i) s += (i ? ", " : "") + json_value_text(v.items[i]);
      return s + "]";
    }
    case JsonValue::Type::Object: {
      std::string s = "{";
      for (size_t i = 0; i < v.members.size(); ++i)
        s += (i ? ", " : "") + v.members[i].first + ": " + json_value_text(v.members[i].second);
      return s + "}";
    }
  }
  return "None";
}

Schema amazon2023_schema() {
  Schema s;
  s.fields = {
      {"parent_asin", "parent_asin: the unique identifier (ASIN) of the product."},
      {"user_id", "user_id: the unique identifier of the user who wrote the review."},
      {"timestamp", "timestamp: the time of the review, in milliseconds since 1970-01-01 UTC."},
      {"main_category", "main_category: the main category (domain) of the product."},
      {"title", "title: the name of the product."},
      {"average_rating", "average_rating: the product's average star rating on its page."},
      {"rating_number", "rating_number: the number of ratings of the product."},
      {"features", "features: the bullet-point features of the product."},
      {"description", "description: the description of the product."},
      {"price", "price: the price of the product in US dollars."},
      {"store", "store: the store or brand that sells the product."},
      {"categories", "categories: the hierarchical categories of the product."},
      {"details", "details: the product details, such as materials, brand and sizes."},
  };
  s.user_field = 1;
  s.item_field = 0;
  return s;
}

std::vector<std::string> amazon2023_files(const std::string& dir) {
  namespace fs = std::filesystem;
  std::vector<std::string> metas;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string name = e.path().filename().string();
    if (name.rfind("meta_", 0) == 0 && e.path().extension() == ".jsonl") metas.push_back(name);
  }
  if (ec) throw std::runtime_error("cannot list " + dir + ": " + ec.message());
  if (metas.size() != 1)
    throw std::runtime_error(dir + " must hold exactly one meta_<Category>.jsonl and its <Category>.jsonl (found " +
                             std::to_string(metas.size()) + " meta_*.jsonl files); download them from "
                             "https://amazon-reviews-2023.github.io/");
  std::string reviews = dir + "/" + metas[0].substr(5);
  return {reviews, dir + "/" + metas[0]};
}

RawTable read_amazon2023(const std::string& dir, bool skip_bad_lines) {
  RawTable table(13);
  table.skipped.skip = skip_bad_lines;
  auto files = amazon2023_files(dir);
  const char* hint = "Amazon Reviews 2023 reviews file beside its meta_ file";

  std::unordered_map<std::string, ItemTexts> items;
  for_each_line(read_text_file(files[1], hint), files[1], table.skipped, [&](std::string_view line) {
    JsonValue meta = parse_line(line);
    const JsonValue& asin = require(meta, "parent_asin", JsonValue::Type::String, "string");
    ItemTexts texts;
    for (int i = 0; i < 10; ++i) {
      const JsonValue* v = meta.find(kMetaKeys[i]);
      texts[i] = v ? json_value_text(*v) : "None";
    }
    items[asin.text] = std::move(texts);
  });

  const ItemTexts no_meta = {"None", "None", "None", "None", "None", "None", "None", "None", "None", "None"};
  static const LabelRule rule = amazon_label_rule();
  for_each_line(read_text_file(files[0], hint), files[0], table.skipped, [&](std::string_view line) {
    JsonValue review = parse_line(line);
    double rating = parse_double(require(review, "rating", JsonValue::Type::Number, "number").text, "rating");
    const std::string& asin = require(review, "parent_asin", JsonValue::Type::String, "string").text;
    const std::string& user = require(review, "user_id", JsonValue::Type::String, "string").text;
    const std::string& time = require(review, "timestamp", JsonValue::Type::Number, "number").text;
    int64_t timestamp = parse_int(time, "timestamp");
    LabelRule::Outcome label = rule.apply(rating);
    if (label == LabelRule::kDrop) return;
    auto it = items.find(asin);
    const ItemTexts& item = it == items.end() ? no_meta : it->second;
    std::string_view cells[13] = {asin, user, time};
    for (int i = 0; i < 10; ++i) cells[3 + i] = item[i];
    table.add_row(cells, float(label), timestamp);
  });
  return table;
}

}  // namespace llactr::data
