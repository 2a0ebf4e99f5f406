#include "llactr/data/schema.h"

#include <stdexcept>

#include "llactr/data/line_parsing.h"
#include "llactr/util/utf8.h"

namespace llactr::data {

int Schema::index_of(std::string_view name) const {
  for (int k = 0; k < num_fields(); ++k)
    if (fields[k].name == name) return k;
  return -1;
}

const char* field_type_name(FieldType t) {
  switch (t) {
    case FieldType::Categorical: return "categorical";
    case FieldType::Numeric: return "numeric";
    case FieldType::MultiValued: return "multi-valued";
  }
  return "?";
}

std::string Schema::fingerprint() const {
  std::string s = "user_field=" + std::to_string(user_field) + "\nitem_field=" + std::to_string(item_field) + "\n";
  for (const auto& f : fields) s += f.name + "\t" + field_type_name(f.type) + "\t" + f.description + "\n";
  return s;
}

void apply_descriptions_file(Schema& schema, const std::string& path) {
  std::string text = repair_utf8(read_text_file(path, "the --descriptions file"));  // descriptions go into prompts
  SkippedLines strict;
  strict.skippable = false;  // a descriptions file is small and hand-written: every bad line is an error
  for_each_line(text, path, strict, [&](std::string_view line) {
    if (line.front() == '#') return;
    size_t tab = line.find('\t');
    if (tab == std::string_view::npos) throw BadLine("expected 'Name<TAB>description'");
    std::string_view name = line.substr(0, tab), description = trim(line.substr(tab + 1));
    int k = schema.index_of(name);
    if (k < 0) throw BadLine("no field named '" + std::string(name) + "' in this dataset");
    if (description.empty()) throw BadLine("empty description for field '" + std::string(name) + "'");
    schema.fields[k].description = std::string(description);
  });
}

}  // namespace llactr::data
