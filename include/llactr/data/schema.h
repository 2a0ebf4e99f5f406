// The fields of a CTR dataset: ordered, named, each with a one-sentence description that the
// LLM stages put into prompts and encode into field embeddings.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace llactr::data {

enum class FieldType {
  Categorical,  // one value (one id) per row; the only type the readers produce today
  Numeric,      // reserved: a number bucketised into categories
  MultiValued,  // reserved: several values per row (e.g. genres split on '|')
};

struct Field {
  std::string name;         // e.g. "UserID"
  std::string description;  // a full sentence that names the field, e.g. "UserID: the unique identifier of the user."
  FieldType type = FieldType::Categorical;
};

struct Schema {
  std::vector<Field> fields;
  int user_field = -1;  // index of the field that identifies the user (groups rows for gAUC), or -1
  int item_field = -1;  // index of the field that identifies the item, or -1

  int num_fields() const { return static_cast<int>(fields.size()); }
  int index_of(std::string_view name) const;  // -1 if no field has that name
  // Canonical text of everything above; part of the dataset cache key.
  std::string fingerprint() const;
};

const char* field_type_name(FieldType t);

// Overrides descriptions from a text file of "Name<TAB>description" lines ('#' starts a comment
// line). Throws naming the file and line for a malformed line or a name the schema lacks.
void apply_descriptions_file(Schema& schema, const std::string& path);

}  // namespace llactr::data
