#include "llactr/methods/common/instance_text.h"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "llactr/data/line_parsing.h"

namespace llactr::methods {

std::string field_display_name(const std::string& name) {
  std::string out;
  for (size_t i = 0; i < name.size(); ++i) {
    const auto c = static_cast<unsigned char>(name[i]);
    if (i > 0 && std::isupper(c) && std::islower(static_cast<unsigned char>(name[i - 1]))) out += ' ';
    out += name[i];
  }
  return out;
}

std::vector<int> text_fields(const data::Schema& schema, const std::string& names, const std::string& option) {
  std::vector<int> fields;
  if (names.empty()) return fields;
  for (std::string_view name : data::split(names, ",")) {
    const int k = schema.index_of(data::trim(name));
    if (k < 0) {
      std::string all;
      for (const auto& f : schema.fields) all += (all.empty() ? "" : ", ") + f.name;
      throw std::invalid_argument("--" + option + ": '" + std::string(name) + "' is not a field of the dataset (" + all + ")");
    }
    fields.push_back(k);
  }
  std::sort(fields.begin(), fields.end());
  fields.erase(std::unique(fields.begin(), fields.end()), fields.end());
  return fields;
}

namespace {

void check_row(const data::Split& split, size_t row) {
  if (row >= split.size())
    throw std::out_of_range("instance text: row " + std::to_string(row) + " is past the split's " +
                            std::to_string(split.size()) + " rows");
}

// Field k's value in row `row`: the file's text of an out-of-vocabulary cell, else the encoder's.
std::string value_text(const data::Dataset& dataset, const data::Split& split, size_t row, int k) {
  if (const std::string* oov = split.oov_text(row, k)) return *oov;
  const auto [field, local] = dataset.encoder.locate(split.row(row)[k]);
  return dataset.encoder.text(field, local);
}

// Calls on_text(literal) and on_field(name) for the pieces of `tmpl` in order; throws
// std::invalid_argument (prefixed by `what`) for an unclosed brace.
template <typename Text, typename Field>
void walk_template(const std::string& tmpl, const std::string& what, Text on_text, Field on_field) {
  size_t i = 0;
  while (i < tmpl.size()) {
    const size_t open = tmpl.find('{', i);
    on_text(tmpl.substr(i, open == std::string::npos ? std::string::npos : open - i));
    if (open == std::string::npos) return;
    const size_t close = tmpl.find('}', open);
    if (close == std::string::npos) throw std::invalid_argument(what + ": '{' at position " + std::to_string(open) + " is not closed");
    on_field(tmpl.substr(open + 1, close - open - 1));
    i = close + 1;
  }
}

}  // namespace

std::string instance_text(const data::Dataset& dataset, const data::Split& split, size_t row,
                          const std::vector<int>& fields) {
  check_row(split, row);
  std::string text;
  for (int k = 0; k < dataset.schema.num_fields(); ++k) {
    if (!fields.empty() && !std::binary_search(fields.begin(), fields.end(), k)) continue;
    text += (text.empty() ? "" : " ") + field_display_name(dataset.schema.fields[size_t(k)].name) + " is " +
            value_text(dataset, split, row, k) + ".";
  }
  return text;
}

RowText instance_row_text(const data::Dataset& dataset, std::vector<int> fields) {
  return [&dataset, fields = std::move(fields)](const data::Split& split, size_t row) {
    return instance_text(dataset, split, row, fields);
  };
}

void check_template(const data::Schema& schema, const std::string& tmpl, const std::string& option) {
  const std::string what = "--" + option + " '" + tmpl + "'";
  int n_fields = 0;
  walk_template(tmpl, what, [](const std::string&) {}, [&](const std::string& name) {
    if (schema.index_of(name) < 0) {
      std::string all;
      for (const auto& f : schema.fields) all += (all.empty() ? "" : ", ") + f.name;
      throw std::invalid_argument(what + ": '{" + name + "}' is not a field of the dataset (" + all + ")");
    }
    ++n_fields;
  });
  if (n_fields == 0) throw std::invalid_argument(what + ": names no {Field}, so every row would read the same text");
}

std::string template_text(const data::Dataset& dataset, const data::Split& split, size_t row, const std::string& tmpl) {
  check_row(split, row);
  std::string text;
  walk_template(tmpl, "template '" + tmpl + "'", [&](const std::string& literal) { text += literal; },
                [&](const std::string& name) {
                  const int k = dataset.schema.index_of(name);
                  if (k < 0) throw std::invalid_argument("template '" + tmpl + "': '{" + name + "}' is not a field");
                  text += value_text(dataset, split, row, k);
                });
  return text;
}

}  // namespace llactr::methods
