#include "llactr/methods/common/instance_text.h"

#include <cctype>
#include <stdexcept>

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

std::string instance_text(const data::Dataset& dataset, const data::Split& split, size_t row) {
  if (row >= split.size())
    throw std::out_of_range("instance text: row " + std::to_string(row) + " is past the split's " +
                            std::to_string(split.size()) + " rows");
  const int32_t* ids = split.row(row);
  std::string text;
  for (int k = 0; k < dataset.schema.num_fields(); ++k) {
    const std::string* oov = split.oov_text(row, k);
    const auto [field, local] = dataset.encoder.locate(ids[k]);
    text += (k ? " " : "") + field_display_name(dataset.schema.fields[size_t(k)].name) + " is " +
            (oov ? *oov : dataset.encoder.text(field, local)) + ".";
  }
  return text;
}

}  // namespace llactr::methods
