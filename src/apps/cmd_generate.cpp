// ./llactr generate: continue a prompt with a GGUF model (greedy or temperature/top-k sampling).
#include <cstdio>
#include <stdexcept>

#include "llactr/apps/args.h"
#include "llactr/apps/commands.h"
#include "llactr/apps/options.h"
#include "llactr/llm/model/generate.h"
#include "llactr/llm/model/language_model.h"

namespace llactr {

int cmd_generate(int argc, char** argv) {
  Args args("llactr generate --llm-model M --prompt TEXT --n N [--greedy | --temperature T --top-k K --seed S] [--print-ids]");
  declare_llm_options(args);
  args.alias("model", "llm-model");
  args.option("prompt", "", "text to continue (BOS is added if the model asks for it)")
      .option("n", "64", "number of tokens to generate (stops early at EOS)")
      .flag("greedy", "always take the most likely token (same as --temperature 0)")
      .option("temperature", "0.8", "sampling temperature; 0 = greedy")
      .option("top-k", "40", "sample among the K most likely tokens; 0 = all")
      .option("seed", "42", "random seed of the sampler")
      .flag("print-ids", "also print the prompt's and the generated token ids");
  if (!args.parse(argc, argv)) return 0;
  const long n = args.get_int("n");
  if (n < 0) throw std::invalid_argument("--n must be >= 0");
  llm::SamplerOptions so;
  so.temperature = args.get_flag("greedy") ? 0.0f : float(args.get_double("temperature"));
  so.top_k = int(args.get_int("top-k"));
  so.seed = uint64_t(args.get_int("seed"));

  const llm::LanguageModel lm = llm::open_language_model(llm_model(args));
  const std::string prompt = args.has("prompt") ? args.get("prompt") : "";
  std::vector<int32_t> ids = lm.tokenizer.encode(prompt);
  if (ids.empty()) {
    if (lm.tokenizer.bos() < 0) throw std::invalid_argument("empty --prompt and the model has no BOS token");
    ids.push_back(lm.tokenizer.bos());
  }
  llm::Sampler sampler(so, lm.model.config.n_vocab);
  std::fputs(prompt.c_str(), stdout);
  const std::vector<int32_t> out = llm::generate(lm.model, ids, int(n), sampler, lm.tokenizer.eos(), [&](int32_t id) {
    std::fputs(lm.tokenizer.token_to_piece(id).c_str(), stdout);
    std::fflush(stdout);
  });
  std::putchar('\n');
  if (args.get_flag("print-ids")) {
    auto print = [](const char* what, const std::vector<int32_t>& v) {
      std::printf("%s:", what);
      for (int32_t id : v) std::printf(" %d", id);
      std::putchar('\n');
    };
    print("prompt ids", ids);
    print("generated ids", out);
  }
  return 0;
}

}  // namespace llactr
