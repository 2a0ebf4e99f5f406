// ./llactr embed: one vector for a text, pooled from the model's final-norm hidden states.
#include <cstdio>
#include <stdexcept>

#include "llactr/apps/args.h"
#include "llactr/apps/commands.h"
#include "llactr/apps/options.h"
#include "llactr/llm/model/language_model.h"
#include "llactr/llm/model/pooled_hidden.h"
#include "llactr/util/npy.h"

namespace llactr {

int cmd_embed(int argc, char** argv) {
  Args args("llactr embed --llm-model M --text TEXT [--attention causal|bidirectional] [--pool last|mean] [--out FILE.npy]");
  declare_llm_options(args);
  args.alias("model", "llm-model");
  args.option("text", "", "text to embed (BOS is added if the model asks for it)")
      .option("attention", "causal",
              "causal: each token sees the tokens before it (the model as trained); bidirectional: every token "
              "sees all of them (LLM2Vec's mode, for masked language modelling)")
      .option("pool", "last", "last: the last token's hidden state; mean: the mean over all tokens")
      .option("out", "", "write the vector as a float32 .npy file instead of printing it");
  if (!args.parse(argc, argv)) return 0;
  const std::string pool = args.get("pool");
  const llm::Pooling pooling = llm::parse_pooling(pool);
  const std::string attention = args.get("attention");
  if (attention != "causal" && attention != "bidirectional")
    throw std::invalid_argument("--attention must be 'causal' or 'bidirectional', not '" + attention + "'");

  const llm::LanguageModel lm = llm::open_language_model(llm_model(args));
  const std::vector<int32_t> ids = lm.tokenizer.encode(args.has("text") ? args.get("text") : "");
  if (ids.empty()) throw std::invalid_argument("--text is empty and the model adds no BOS: nothing to embed");
  const llm::AttentionMask mask = attention == "causal" ? llm::AttentionMask::Causal : llm::AttentionMask::Bidirectional;
  const int T = int(ids.size()), d = lm.model.config.n_embd;
  const std::vector<float> vec = llm::pooled_hidden(lm.model, {ids}, pooling, 1, mask);  // [d]

  if (args.has("out")) {
    const std::string path = args.get("out");
    write_npy(path, vec, {d});
    std::printf("wrote %s: [%d] float32 (%s pool over %d tokens, %s attention)\n", path.c_str(), d, pool.c_str(), T,
                attention.c_str());
  } else {
    for (int i = 0; i < d; ++i) std::printf("%s%.6g", i ? " " : "", vec[i]);
    std::putchar('\n');
  }
  return 0;
}

}  // namespace llactr
