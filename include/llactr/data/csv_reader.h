// Generic CSV with a header row, described by a small schema file, so users can bring their
// own data. Schema file (one directive per line, '#' starts a comment line):
//
//   file       clicks.csv            the CSV, relative to the schema file's folder
//   separator  ,                     one character, or "tab" (default ",")
//   label      rating pos > 3 neg < 3    label column, then the rule (see label_rule.h)
//   timestamp  time                  optional integer column for the chronological split;
//                                    without it the file order is the time order
//   user       user_id               optional: the field identifying the user (gAUC)
//   item       item_id               optional: the field identifying the item
//   field      user_id  user_id: the unique identifier of the user.
//                                    a column used as a field, then its description
//
// Fields appear in the order of the field lines. CSV cells may be quoted ("a, b" with "" for a
// quote) but may not span lines. Text is UTF-8 (invalid bytes become U+FFFD; a BOM is dropped).
#pragma once
#include <string>
#include <vector>

#include "llactr/data/label_rule.h"
#include "llactr/data/raw_table.h"
#include "llactr/data/schema.h"

namespace llactr::data {

struct CsvSchema {
  Schema schema;
  std::string file;  // full path of the CSV
  char separator = ',';
  std::string label_column;
  LabelRule label_rule;
  std::string timestamp_column;  // "" = file order
  std::vector<std::string> field_columns() const;

  std::string fingerprint() const;  // everything above except file, for the cache key
};

// Throws naming the schema file and line for any malformed directive.
CsvSchema read_csv_schema(const std::string& schema_path);
RawTable read_csv(const CsvSchema& csv, bool skip_bad_lines);

// One CSV line into cells (quotes removed); throws BadLine for an unterminated quote.
std::vector<std::string> split_csv_line(std::string_view line, char separator);

}  // namespace llactr::data
