// The data of LLaCTR's self-supervised field-feature fine-tuning (SSFT): feature values sampled
// per field from the train vocabulary, and the prompt asking which field a value belongs to.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "llactr/data/encoder.h"
#include "llactr/data/schema.h"

namespace llactr::methods {

struct SsftExample {
  int field = 0;        // the answer: index of the value's field
  std::string feature;  // the value's text
};

struct SsftSplit {
  std::vector<SsftExample> train, heldout;  // grouped by field, in sampling order
};

// For each field k: up to per_field distinct values of the train vocabulary (OOV excluded),
// drawn without replacement (partial Fisher-Yates with Rng(seed), fields in schema order);
// the first round(heldout_fraction * n_k) drawn values of each field are held out.
SsftSplit sample_field_features(const data::Encoder& encoder, int per_field, double heldout_fraction,
                                uint64_t seed);

// The template file's text, byte for byte. Throws std::runtime_error naming the file when it is
// missing, or lacks the {feature} placeholder.
std::string read_prompt_template(const std::string& path);

// The candidate fields as the released LLaCTR code writes them: ['UserID', 'Age', ...]
std::string candidate_fields(const data::Schema& schema);

// The template with {feature} replaced by the value and {fields} by candidate_fields(schema).
std::string render_prompt(const std::string& tmpl, const std::string& feature, const data::Schema& schema);

}  // namespace llactr::methods
