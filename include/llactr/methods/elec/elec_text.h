// The text ELEC's LLM reads for each row (docs/ELEC.md, "The text"):
//
//   instance text          "User ID is u1. Item ID is i7. Item Name is cello."      (default)
//   --elec-text-fields F   the sentences of the fields F only: "Item Name is cello."
//   --elec-text-template T T with each {Field} replaced by the row's value: "{ItemName} is a" -> "cello is a"
//   --elec-generate N      then what the base LLM writes after that text, greedily, up to N tokens
//                          or its end of text: "cello is a bowed stringed instrument, a stringed ..."
//
// With --elec-generate, a small LM's knowledge reaches v through the words it writes: the knowledge
// probe finds what such a model knows far more in its continuations than linearly in one hidden
// state (docs/results/knowledge.md). Each distinct text is continued once, before stage 1, with the
// untuned model; the continuations are then part of the text (and of the vector cache's key).
#pragma once
#include <cstdint>

#include "llactr/data/dataset.h"
#include "llactr/llm/model/language_model.h"
#include "llactr/methods/elec/elec_cache.h"
#include "llactr/methods/elec/elec_options.h"

namespace llactr::methods {

struct ElecTextCost {
  int64_t texts = 0;   // distinct texts (each continued once, unless it fills the context)
  int64_t tokens = 0;  // tokens the generation read and wrote (prompts + continuations)
  double seconds = 0;
};

// The rows' text for these options. Throws std::invalid_argument naming the option for an unknown
// field or a malformed template. With o.generate > 0, every distinct text of the train, valid and
// test rows is continued here with `base` (its cost in `cost`); the returned RowText holds the
// results and not the model, and throws std::logic_error for a row whose text it has not seen.
RowText elec_row_text(const data::Dataset& dataset, const ElecOptions& o, const llm::LanguageModel& base, ElecTextCost& cost);

}  // namespace llactr::methods
