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

std::string instance_text(const data::Dataset& dataset, const data::Split& split, size_t row,
                          const std::vector<int>& fields) {
  if (row >= split.size())
    throw std::out_of_range("instance text: row " + std::to_string(row) + " is past the split's " +
                            std::to_string(split.size()) + " rows");
  const int32_t* ids = split.row(row);
  std::string text;
  for (int k = 0; k < dataset.schema.num_fields(); ++k) {
    if (!fields.empty() && !std::binary_search(fields.begin(), fields.end(), k)) continue;
    const std::string* oov = split.oov_text(row, k);
    const auto [field, local] = dataset.encoder.locate(ids[k]);
    text += (text.empty() ? "" : " ") + field_display_name(dataset.schema.fields[size_t(k)].name) + " is " +
            (oov ? *oov : dataset.encoder.text(field, local)) + ".";
  }
  return text;
}

}  // namespace llactr::methods
