// Amazon Reviews 2023 (McAuley lab) JSON-lines: reviews joined with item metadata on parent_asin,
// the 13 fields of the LLaCTR paper, label rating >= 4.
//
// The folder holds <Category>.jsonl (reviews) and meta_<Category>.jsonl (items), one of each.
// List- and dict-valued fields become one text each ("[a, b]", "{key: value}"); a missing or
// null value is the text "None", as in the LLaCTR preprocessing; a review whose item has no
// metadata line gets "None" for every item field.
#pragma once
#include <string>
#include <vector>

#include "llactr/data/raw_table.h"
#include "llactr/data/schema.h"
#include "llactr/util/json.h"

namespace llactr::data {

Schema amazon2023_schema();
// {reviews file, meta file}; throws saying what the folder must contain if they are not found.
std::vector<std::string> amazon2023_files(const std::string& dir);
RawTable read_amazon2023(const std::string& dir, bool skip_bad_lines);

// One field value as text, by the rules above.
std::string json_value_text(const JsonValue& v);

}  // namespace llactr::data
