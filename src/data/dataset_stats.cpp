#include "llactr/data/dataset_stats.h"

namespace llactr::data {
namespace {

double oov_rate(const Split& s, int field, int32_t oov_global_id) {
  if (s.size() == 0) return 0;
  size_t oov = 0;
  for (size_t i = 0; i < s.size(); ++i) oov += s.row(i)[field] == oov_global_id;
  return double(oov) / double(s.size());
}

}  // namespace

DatasetStats compute_stats(const Dataset& d) {
  DatasetStats st;
  st.samples = d.num_samples();
  st.positives = d.num_positive();
  st.train = d.train.size();
  st.valid = d.valid.size();
  st.test = d.test.size();
  st.total_vocab = d.encoder.total_vocab();
  for (int k = 0; k < d.schema.num_fields(); ++k) {
    FieldStats f;
    f.name = d.schema.fields[k].name;
    f.description = d.schema.fields[k].description;
    f.vocab_size = d.encoder.vocab_size(k);
    f.oov_rate_valid = oov_rate(d.valid, k, d.encoder.offset(k));
    f.oov_rate_test = oov_rate(d.test, k, d.encoder.offset(k));
    // Local ids are in decreasing train count, so the most frequent values are ids 1, 2, 3.
    for (int32_t id = 1; id < f.vocab_size && id <= 3; ++id) f.top_values.emplace_back(d.encoder.text(k, id), d.encoder.count(k, id));
    st.fields.push_back(std::move(f));
  }
  return st;
}

}  // namespace llactr::data
