// ./llactr prompt: some rows' instance texts (methods/instance_text.h) and their token counts
// under a model's tokenizer, to see what an instance-level method feeds its LLM.
//
//   ./llactr prompt --dataset ml100k --data-dir data/ml-100k --rows 0,5,9 [--split test] [--llm-model M]
#include <cstdio>
#include <stdexcept>

#include "llactr/apps/args.h"
#include "llactr/apps/commands.h"
#include "llactr/apps/options.h"
#include "llactr/data/dataset.h"
#include "llactr/data/line_parsing.h"
#include "llactr/llm/gguf/gguf.h"
#include "llactr/llm/tokenizer/tokenizer.h"
#include "llactr/methods/common/instance_text.h"

namespace llactr {

int cmd_prompt(int argc, char** argv) {
  Args args("llactr prompt --dataset NAME --data-dir DIR --rows 0,5,9 [--split train|valid|test] [--llm-model M]");
  declare_data_options(args);
  declare_llm_options(args);
  args.alias("format", "dataset").alias("dir", "data-dir").alias("model", "llm-model");
  args.option("rows", "0", "comma-separated row numbers of the split")
      .option("split", "train", "which split's rows: train, valid or test");
  if (!args.parse(argc, argv)) return 0;
  args.reject_positional();
  const std::string split_name = args.get("split");
  if (split_name != "train" && split_name != "valid" && split_name != "test")
    throw std::invalid_argument("--split must be train, valid or test, not '" + split_name + "'");
  std::vector<size_t> rows;
  for (const std::string& item : split_commas(args.get("rows"))) {
    try {
      const int64_t row = data::parse_int(item, "--rows");
      if (row < 0) throw std::invalid_argument("--rows: row " + item + " is negative");
      rows.push_back(size_t(row));
    } catch (const data::BadLine& e) {
      throw std::invalid_argument(e.what());
    }
  }
  if (rows.empty()) throw std::invalid_argument("--rows names no row");
  const std::string model = llm_model(args);
  const data::DataOptions dopt = data_options(args);

  const llm::Tokenizer tok(llm::vocab_from_gguf(gguf::GgufFile::open(model)));
  const data::Dataset d = data::load_dataset(dopt);
  const data::Split& split = split_name == "train" ? d.train : split_name == "valid" ? d.valid : d.test;
  for (size_t row : rows) {
    const std::string text = methods::instance_text(d, split, row);
    std::printf("%s row %zu (label %g, %zu tokens): %s\n", split_name.c_str(), row, double(split.labels[row]),
                tok.encode(text).size(), text.c_str());
  }
  return 0;
}

}  // namespace llactr
