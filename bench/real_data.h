// The real data of the LLM method benches (bench_elec, bench_clickprompt): ML-100K and stories260K
// from $LLACTR_DATA_MIRROR, data/ or ../shared/data, loaded once per process.
//
//   const bench::RealData* d = bench::real_data();   // nullptr when either is absent: skip the case
#pragma once
#include <memory>
#include <string>

#include "../tests/test_data.h"
#include "llactr/data/dataset.h"
#include "llactr/llm/model/language_model.h"

namespace bench {

struct RealData {
  llactr::data::Dataset dataset;
  llactr::llm::LanguageModel lm;
  std::string model_path;
};

inline const RealData* real_data() {
  static const std::unique_ptr<RealData> d = []() -> std::unique_ptr<RealData> {
    const std::string ml = llactr::testing::find_data("ml-100k"), st = llactr::testing::find_data("stories260K");
    if (ml.empty() || st.empty()) return nullptr;
    llactr::data::DataOptions o;
    o.format = llactr::data::DataFormat::Ml100k;
    o.dir = ml;
    o.cache_dir = "";
    const std::string model = st + "/stories260K.gguf";
    return std::make_unique<RealData>(
        RealData{llactr::data::load_dataset(o), llactr::llm::open_language_model(model), model});
  }();
  return d.get();
}

}  // namespace bench
