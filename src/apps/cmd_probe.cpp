// ./llactr probe: what a language model knows about words' categories, measured without CTR
// (docs/KNOWLEDGE.md, "The knowledge probe"): each word is embedded as it would appear in a text,
// then neighbour purity@k and a linear probe's accuracy say how well the vectors separate the
// categories. With --generate N the text is the template followed by what the model writes after
// it, as ELEC's and ClickPrompt's generated-text rows read it ("cello is a bowed stringed
// instrument, ..."): the probe then measures the knowledge those rows can carry.
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "llactr/apps/args.h"
#include "llactr/apps/commands.h"
#include "llactr/apps/options.h"
#include "llactr/data/word_categories.h"
#include "llactr/llm/model/generate.h"
#include "llactr/llm/model/language_model.h"
#include "llactr/llm/model/pooled_hidden.h"
#include "llactr/nn/embedding_probe.h"
#include "llactr/util/json.h"

namespace llactr {

namespace {
// Every "{word}" in the template replaced by the word.
std::string fill_template(const std::string& tmpl, const std::string& word) {
  std::string out;
  size_t at = 0;
  for (size_t p; (p = tmpl.find("{word}", at)) != std::string::npos; at = p + 6) out += tmpl.substr(at, p - at) + word;
  return out + tmpl.substr(at);
}
}  // namespace

int cmd_probe(int argc, char** argv) {
  Args args("llactr probe --llm-model M --categories F.tsv [--template T] [--generate N] [--pool last|mean] [--k 10] "
            "[--out F.json]");
  declare_llm_options(args);
  args.option("categories", "", "word<TAB>category lines (written by `llactr data make-knowledge-corpus`)")
      .option("template", "{word}", "how a word appears in the text the model reads; {word} is replaced")
      .option("generate", "0", "tokens the model writes greedily after each filled template, read with it (0: none)")
      .option("pool", "last", "last: the text's last hidden state; mean: the mean over its tokens")
      .option("k", "10", "neighbours for purity@k")
      .option("train-share", "0.5", "share of each category's words that trains the linear probe")
      .option("seed", "2024", "draws the probe's train/test split and its init")
      .option("batch", "64", "words per forward pass")
      .option("out", "", "also write the figures as JSON to this file");
  if (!args.parse(argc, argv)) return 0;
  if (!args.has("categories")) throw std::invalid_argument("--categories is required");
  const std::string tmpl = args.get("template");
  if (tmpl.find("{word}") == std::string::npos) throw std::invalid_argument("--template must contain {word}");
  const llm::Pooling pooling = llm::parse_pooling(args.get("pool"));
  const long generate = args.get_int("generate");
  if (generate < 0 || generate > 4096) throw std::invalid_argument("--generate must lie in [0, 4096]");
  const int k = int(args.get_int("k"));
  const double share = args.get_double("train-share");
  const uint64_t seed = uint64_t(args.get_int("seed"));
  const int batch = int(args.get_int("batch"));
  if (batch < 1) throw std::invalid_argument("--batch must be >= 1");
  const data::WordCategories wc = data::read_word_categories(args.get("categories"));
  if (k < 1 || size_t(k) >= wc.words.size())
    throw std::invalid_argument("--k must lie in [1, " + std::to_string(wc.words.size() - 1) + "]");
  const ProbeSplit split = stratified_split(wc.labels, share, seed);  // checks the share and category sizes
  const std::string out_path = args.has("out") ? args.get("out") : "";
  if (!out_path.empty() && !std::ofstream(out_path)) throw std::runtime_error(out_path + ": cannot write");

  const llm::LanguageModel lm = llm::open_language_model(llm_model(args));
  std::vector<std::vector<int32_t>> seqs;
  for (const std::string& w : wc.words)
    seqs.push_back(llm::with_greedy_continuation(lm.model, lm.tokenizer.encode(fill_template(tmpl, w)), int(generate),
                                                 lm.tokenizer.eos()));
  const int d = lm.model.config.n_embd;
  const std::vector<float> X = llm::pooled_hidden(lm.model, seqs, pooling, batch);  // [n, d]

  const double purity = neighbour_purity(X, d, wc.labels, k);
  LinearProbeOptions po;
  po.seed = seed;
  const double accuracy = linear_probe_accuracy(X, d, wc.labels, split, po);
  const double chance_purity = [&] {  // what purity@k scores when neighbours ignore the category
    double s = 0;
    std::vector<int> count(wc.names.size(), 0);
    for (int32_t y : wc.labels) ++count[size_t(y)];
    for (int32_t y : wc.labels) s += double(count[size_t(y)] - 1) / double(wc.words.size() - 1);
    return s / double(wc.words.size());
  }();
  const double chance_probe = majority_share(wc.labels, split.test);
  std::printf("%zu words, %zu categories, %s pooling, template \"%s\" + %ld generated tokens, d = %d\n",
              wc.words.size(), wc.names.size(), args.get("pool").c_str(), tmpl.c_str(), generate, d);
  std::printf("purity@%d        %.4f   (chance %.4f)\n", k, purity, chance_purity);
  std::printf("probe accuracy   %.4f   (majority %.4f; %zu train, %zu test words)\n", accuracy, chance_probe,
              split.train.size(), split.test.size());
  if (!out_path.empty()) {
    std::ofstream f(out_path);
    f << "{\"model\": " << json_quote(llm_model(args)) << ", \"words\": " << wc.words.size()
      << ", \"categories\": " << wc.names.size() << ", \"pool\": " << json_quote(args.get("pool"))
      << ", \"template\": " << json_quote(tmpl) << ", \"generate\": " << generate << ", \"k\": " << k
      << ", \"purity\": " << purity
      << ", \"purity_chance\": " << chance_purity << ", \"probe_accuracy\": " << accuracy
      << ", \"probe_majority\": " << chance_probe << ", \"seed\": " << seed << "}\n";
    if (!f) throw std::runtime_error(out_path + ": cannot write");
  }
  return 0;
}

}  // namespace llactr
