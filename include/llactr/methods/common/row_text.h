// The text an instance-level method's LLM reads for each row, from the method's text options
// (ELEC: --elec-text-fields, --elec-text-template, --elec-generate; ClickPrompt the same with
// --clickprompt-; docs/ELEC.md, "The text"):
//
//   instance text      "User ID is u1. Item ID is i7. Item Name is cello."      (default)
//   fields F           the sentences of the fields F only: "Item Name is cello."
//   template T         T with each {Field} replaced by the row's value: "{ItemName} is a" -> "cello is a"
//   generate N         then what the base LLM writes after that text, greedily, up to N tokens
//                      or its end of text: "cello is a bowed stringed instrument, a stringed ..."
//
// With generation, a small LM's knowledge reaches the method through the words it writes: the
// knowledge probe finds what such a model knows far more in its continuations than linearly in one
// hidden state (docs/results/knowledge.md). Each distinct text is continued once, with the untuned
// model, before the method trains anything; the continuations are then part of the text.
#pragma once
#include <cstdint>
#include <string>

#include "llactr/data/dataset.h"
#include "llactr/llm/model/language_model.h"
#include "llactr/methods/common/instance_text.h"

namespace llactr::methods {

struct RowTextOptions {
  std::string fields;     // comma-separated field names; "" = every field
  std::string text_template;  // "" = the sentences of `fields`; exclusive with `fields`
  int generate = 0;       // tokens to write after each distinct text (0 = none)
};

struct GenerationCost {
  int64_t texts = 0;   // distinct texts (each continued once, unless it fills the context)
  int64_t tokens = 0;  // tokens the generation read and wrote (prompts + continuations)
  double seconds = 0;
};

// Throws std::invalid_argument naming --METHOD-text-template when a template comes with fields
// (name the fields in the template): the method's options' validate() calls it, before any data.
void check_row_text_options(const RowTextOptions& o, const std::string& method);

// The rows' text for these options. Throws std::invalid_argument naming --METHOD-text-fields or
// --METHOD-text-template for an unknown field or a malformed template, before any work. With
// o.generate > 0, every distinct text of the train, valid and test rows is continued here with
// `base` (its cost in `cost`, a "[METHOD generate]" progress line when `progress`); the returned
// RowText holds the results and not the model, and throws std::logic_error for a row whose text it
// has not seen.
RowText method_row_text(const data::Dataset& dataset, const RowTextOptions& o, const std::string& method,
                        const llm::LanguageModel& base, bool progress, GenerationCost& cost);

}  // namespace llactr::methods
