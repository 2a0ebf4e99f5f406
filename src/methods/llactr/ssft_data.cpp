#include "llactr/methods/llactr/ssft_data.h"

#include <cmath>
#include <fstream>
#include <numeric>
#include <sstream>
#include <stdexcept>

#include "llactr/tensor/shuffle.h"
#include "llactr/tensor/rng.h"

namespace llactr::methods {

SsftSplit sample_field_features(const data::Encoder& encoder, int per_field, double heldout_fraction,
                                uint64_t seed) {
  if (per_field < 1) throw std::invalid_argument("per_field must be at least 1, got " + std::to_string(per_field));
  if (!(heldout_fraction >= 0.0 && heldout_fraction < 1.0))
    throw std::invalid_argument("heldout_fraction must be in [0, 1), got " + std::to_string(heldout_fraction));
  Rng rng(seed);
  SsftSplit split;
  for (int k = 0; k < encoder.num_fields(); ++k) {
    // Local ids 1.. are the kept train values; 0 is OOV.
    std::vector<int32_t> ids(encoder.vocab_size(k) - 1);
    std::iota(ids.begin(), ids.end(), 1);
    const size_t n = std::min(ids.size(), size_t(per_field));
    seeded_shuffle_prefix(ids, n, rng);
    const size_t held = size_t(std::lround(heldout_fraction * double(n)));
    for (size_t i = 0; i < n; ++i)
      (i < held ? split.heldout : split.train).push_back({k, encoder.text(k, ids[i])});
  }
  return split;
}

std::string read_prompt_template(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot read the SSFT prompt template " + path);
  std::stringstream ss;
  ss << f.rdbuf();
  std::string text = ss.str();
  if (text.find("{feature}") == std::string::npos)
    throw std::runtime_error(path + ": the prompt template has no {feature} placeholder");
  return text;
}

std::string candidate_fields(const data::Schema& schema) {
  std::string s = "[";
  for (int k = 0; k < schema.num_fields(); ++k) s += (k ? ", '" : "'") + schema.fields[k].name + "'";
  return s + "]";
}

std::string render_prompt(const std::string& tmpl, const std::string& feature, const data::Schema& schema) {
  std::string out;
  for (size_t i = 0; i < tmpl.size();) {
    if (tmpl.compare(i, 9, "{feature}") == 0) out += feature, i += 9;
    else if (tmpl.compare(i, 8, "{fields}") == 0) out += candidate_fields(schema), i += 8;
    else out += tmpl[i++];
  }
  return out;
}

}  // namespace llactr::methods
