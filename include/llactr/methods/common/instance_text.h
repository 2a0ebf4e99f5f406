// The instance text: one sample's features as a sentence per field, the text an instance-level
// method (ELEC, ClickPrompt) feeds its LLM once per sample, and the text every instance-level cost
// in the project is measured on. ClickPrompt's template (CHIANGEL/ClickPrompt, dataset.py):
//
//   "User ID is 1. Gender is F. Age is Under 18. ... Genres is Animation|Comedy."
//
// "<Field> is <value>." for each field in schema order, joined by single spaces. A field's name
// is shown as field_display_name() spells it; a value out of the train vocabulary (a cold item's
// name) is shown as the file has it, from Split::oov_texts: the embedding sees the OOV row, the LLM
// the word.
#pragma once
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "llactr/data/dataset.h"

namespace llactr::methods {

// The schema's CamelCase names as words, the way ClickPrompt writes its fields: a space before an
// upper-case letter that follows a lower-case one ("UserID" -> "User ID", "ZipCode" -> "Zip Code").
std::string field_display_name(const std::string& name);

// The text of row `row` of `split` (one of dataset.train, .valid, .test); throws
// std::out_of_range naming the row and the split's size. `fields`: the schema indices whose
// sentences it holds, in schema order (empty: every field).
std::string instance_text(const data::Dataset& dataset, const data::Split& split, size_t row,
                          const std::vector<int>& fields = {});
// The text an LLM reads for row `row` of `split` (one of the dataset's train, valid and test splits,
// or a split built from their rows): the instance text, or what a method's text options make of it.
using RowText = std::function<std::string(const data::Split& split, size_t row)>;
// The instance text of the sentences of `fields` (empty: every field).
RowText instance_row_text(const data::Dataset& dataset, std::vector<int> fields = {});

// `tmpl` with each `{Field}` replaced by the row's value of that field (as instance_text shows it),
// e.g. "{ItemName} is a" -> "cello is a". check_template first.
std::string template_text(const data::Dataset& dataset, const data::Split& split, size_t row, const std::string& tmpl);
// Throws std::invalid_argument naming `option` for a `{Name}` that is not a field of the schema, an
// unclosed `{`, or a template without any field.
void check_template(const data::Schema& schema, const std::string& tmpl, const std::string& option);
// The schema indices of comma-separated field names ("" = every field: {}); throws
// std::invalid_argument naming `option`, the unknown name and the schema's fields.
std::vector<int> text_fields(const data::Schema& schema, const std::string& names, const std::string& option);

}  // namespace llactr::methods
