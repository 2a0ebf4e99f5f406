// ./llactr pretrain: train a llama from random initialisation on a text corpus and write it as an
// F32 llama GGUF with its tokenizer (docs/PRETRAIN.md).
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>

#include "llactr/apps/args.h"
#include "llactr/apps/commands.h"
#include "llactr/apps/options.h"
#include "llactr/apps/svg_plot.h"
#include "llactr/llm/gguf/gguf.h"
#include "llactr/llm/model/model_file.h"
#include "llactr/data/line_parsing.h"
#include "llactr/llm/tokenizer/bpe_trainer.h"
#include "llactr/llm/tokenizer/tokenizer.h"
#include "llactr/llm/train/pretrain.h"
#include "llactr/methods/common/progress_line.h"
#include "llactr/tensor/gemm.h"

namespace llactr {

namespace {

namespace fs = std::filesystem;

// M.gguf -> M (the log, chart and checkpoint go next to the model under this stem).
std::string output_stem(const std::string& out) {
  const std::string ext = ".gguf";
  if (out.size() > ext.size() && out.compare(out.size() - ext.size(), ext.size(), ext) == 0)
    return out.substr(0, out.size() - ext.size());
  return out;
}

// Throws when `path` could not be created or overwritten, before any work.
void check_writable(const std::string& path) {
  const fs::path p(path);
  const fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
  if (!fs::is_directory(dir)) throw std::invalid_argument("--out " + path + ": the folder " + dir.string() + " does not exist");
  if (fs::is_directory(p)) throw std::invalid_argument("--out " + path + " is a folder");
  if (fs::exists(p) ? access(path.c_str(), W_OK) != 0 : access(dir.c_str(), W_OK) != 0)
    throw std::invalid_argument("--out " + path + " is not writable");
}

// The tokenizer's GGUF: --tokenizer, or without it a vocabulary of --vocab pieces trained on the
// corpus (llm/tokenizer/bpe_trainer.h, as `llactr tokenizer train` does) and written to
// <stem>.tokenizer.gguf.
std::string tokenizer_file(const Args& args, const std::vector<std::string>& lines, const std::string& stem) {
  if (args.has("tokenizer")) {
    const std::string path = args.get("tokenizer");
    if (!fs::exists(path)) throw std::invalid_argument("--tokenizer " + path + " not found");
    return path;
  }
  llm::BpeTrainOptions bo;
  bo.vocab_size = int32_t(int_in(args, "vocab", 259, 1 << 20));
  llm::BpeTrainStats st;
  const llm::Vocab vocab = llm::train_bpe_vocab(lines, bo, &st);
  const std::string path = stem + ".tokenizer.gguf";
  llm::write_tokenizer_gguf(vocab, path);
  std::printf("tokenizer: %d pieces trained on the corpus (%zu merges, %zu characters), written to %s\n", vocab.size(),
              st.merges, st.chars_kept, path.c_str());
  return path;
}

void write_log_csv(const std::string& path, const std::vector<llm::PretrainLogRow>& log) {
  std::ofstream f(path);
  f << "step,train_loss,valid_loss,lr,tokens_per_s\n";
  for (const llm::PretrainLogRow& r : log) {
    f << r.step << ',' << r.train_loss << ',';
    if (!std::isnan(r.valid_loss)) f << r.valid_loss;
    f << ',' << r.lr << ',' << r.tokens_per_s << '\n';
  }
  if (!f.flush()) throw std::runtime_error("cannot write " + path);
}

void write_loss_svg(const std::string& path, const std::vector<llm::PretrainLogRow>& log) {
  svg::LineChart chart;
  chart.title = "Pretraining loss", chart.x_label = "step", chart.y_label = "cross-entropy (nats/token)";
  svg::Series train{"train", {}, {}}, valid{"valid", {}, {}};
  for (const llm::PretrainLogRow& r : log) {
    train.x.push_back(double(r.step)), train.y.push_back(r.train_loss);
    if (!std::isnan(r.valid_loss)) valid.x.push_back(double(r.step)), valid.y.push_back(r.valid_loss);
  }
  chart.series.push_back(train);
  if (!valid.x.empty()) chart.series.push_back(valid);
  svg::write_file(path, svg::render(chart));
}

}  // namespace

int cmd_pretrain(int argc, char** argv) {
  Args args("llactr pretrain --corpus F --out M.gguf [--tokenizer T.gguf | --vocab N] [shape] [training options]");
  const llm::PretrainShape ds;
  const llm::PretrainOptions dopt;
  args.option("corpus", "", "UTF-8 text, one document per line (blank lines are skipped)")
      .option("tokenizer", "", "GGUF file whose tokenizer.ggml.* keys give the vocabulary (copied into --out); "
                               "without it a --vocab tokenizer is trained on the corpus")
      .option("vocab", "4096", "pieces of the tokenizer trained when --tokenizer is not given")
      .option("out", "", "the trained model (the last step's), an F32 llama GGUF; M.best.gguf (the lowest validation loss), M.train.csv, M.loss.svg (and M.ckpt) go beside it")
      .option("dim", std::to_string(ds.dim), "embedding width")
      .option("layers", std::to_string(ds.layers), "transformer blocks")
      .option("heads", std::to_string(ds.heads), "query heads (divides --dim; the head size must be even)")
      .option("kv-heads", "", "key/value heads (divides --heads; fewer = grouped-query attention; default --heads)")
      .option("ffn", std::to_string(ds.ffn), "SwiGLU hidden width")
      .option("context", std::to_string(ds.context), "tokens per training sequence (and the model's context length)")
      .option("max-steps", "0", "stop after N steps (0: --epochs decides)")
      .option("epochs", std::to_string(dopt.epochs), "passes over the training sequences")
      .option("batch", std::to_string(dopt.batch), "sequences per step")
      .option("lr", "1e-3", "peak learning rate (AdamW, betas 0.9 / 0.95)")
      .option("warmup", std::to_string(dopt.warmup), "linear warm-up steps")
      .option("min-lr-ratio", "0.1", "the cosine decay ends at this fraction of --lr")
      .option("weight-decay", "0.1", "AdamW decoupled weight decay on matrices (not on norms)")
      .option("clip", "1", "gradient-norm clip")
      .option("eval-every", std::to_string(dopt.eval_every), "validation loss every N steps (and at the end)")
      .option("seed", std::to_string(dopt.seed), "seed of the init, the held-out lines and the epochs' orders")
      .option("packing", "per-epoch", "per-epoch (the train lines in a new seeded order each epoch, packed into sequences) "
                                      "or fixed (the same sequences every epoch, the file's order)")
      .option("threads", "2", "threads")
      .option("resume", "", "continue from this checkpoint (same corpus, tokenizer, shape and options)")
      .option("checkpoint-every", "0", "write M.ckpt every N steps and at the end (0: never)")
      .flag("no-progress", "no progress line");
  if (!args.parse(argc, argv)) return 0;
  if (!args.has("corpus") || !args.has("out")) throw std::invalid_argument("--corpus and --out are required");

  // Every option is read and checked before the corpus is.
  llm::PretrainShape shape;
  shape.dim = int(int_in(args, "dim", 1, 1 << 16));
  shape.layers = int(int_in(args, "layers", 1, 1024));
  shape.heads = int(int_in(args, "heads", 1, 1024));
  shape.kv_heads = args.has("kv-heads") ? int(int_in(args, "kv-heads", 1, 1024)) : shape.heads;
  shape.ffn = int(int_in(args, "ffn", 1, 1 << 18));
  shape.context = int(int_in(args, "context", -1000000, 1 << 16));
  llm::PretrainOptions o;
  o.max_steps = int_in(args, "max-steps", 0, 1L << 40);
  o.epochs = int(int_in(args, "epochs", 1, 1000000));
  o.batch = int(int_in(args, "batch", 1, 1 << 20));
  o.lr = float(double_in(args, "lr", 1e-12, 1e6));
  o.warmup = int_in(args, "warmup", 0, 1L << 40);
  o.min_lr_ratio = float(double_in(args, "min-lr-ratio", 0, 1));
  o.weight_decay = float(double_in(args, "weight-decay", 0, 1e6));
  o.clip = float(double_in(args, "clip", 1e-12, 1e12));
  o.eval_every = int_in(args, "eval-every", 0, 1L << 40);
  o.seed = uint64_t(int_in(args, "seed", 0, 1L << 62));
  o.checkpoint_every = int_in(args, "checkpoint-every", 0, 1L << 40);
  if (args.get("packing") != "per-epoch" && args.get("packing") != "fixed")
    throw std::invalid_argument("--packing is per-epoch or fixed, not '" + args.get("packing") + "'");
  o.repack = args.get("packing") == "per-epoch";
  const int threads = int(int_in(args, "threads", 1, 1024));
  const std::string out = args.get("out"), stem = output_stem(out);
  o.checkpoint_path = stem + ".ckpt";
  llm::check_options(o);
  check_writable(out);
  // The corpus is read after the checkpoint's shape is checked, unless a tokenizer must be trained on it first.
  std::vector<std::string> lines;
  if (!args.has("tokenizer")) lines = data::read_corpus_lines(args.get("corpus"));
  const gguf::GgufFile tok_file = gguf::GgufFile::open(tokenizer_file(args, lines, stem));
  const llm::Tokenizer tokenizer(llm::vocab_from_gguf(tok_file));
  const llm::TransformerConfig config = llm::pretrain_config(shape, tokenizer.vocab().size());
  std::unique_ptr<llm::PretrainCheckpoint> resume;
  if (args.has("resume"))
    resume = std::make_unique<llm::PretrainCheckpoint>(llm::load_pretrain_checkpoint(args.get("resume"), config));
  set_threads(threads);
  if (lines.empty()) lines = data::read_corpus_lines(args.get("corpus"));

  const llm::PretrainData data = llm::prepare_data(lines, tokenizer, shape.context, o.seed);
  const int64_t total = llm::total_steps(o, data.train.count());
  const int64_t n_params = llm::parameter_count(config);
  std::printf("pretrain: %lld train lines (%lld tokens, %lld sequences of %d), %lld held-out lines (%lld tokens); "
              "unigram entropy %.4f nats/token\n",
              (long long)data.train_lines, (long long)data.train_tokens, (long long)data.train.count(), shape.context + 1,
              (long long)data.valid_lines, (long long)data.valid_tokens, data.unigram_entropy);
  std::printf("model: llama, dim %d, %d layers, %d heads (%d KV), ffn %d, context %d, vocab %d: %.2fM parameters\n",
              shape.dim, shape.layers, shape.heads, shape.kv_heads, shape.ffn, shape.context, config.n_vocab,
              double(n_params) / 1e6);
  std::printf("training: %lld steps of %d sequences (%.2f epochs, packed %s), lr %g, %d threads%s\n", (long long)total,
              o.batch, double(total * o.batch) / double(data.train.count()), o.repack ? "anew each epoch" : "once",
              double(o.lr), threads,
              resume ? (", resumed at step " + std::to_string(resume->step)).c_str() : "");
  std::fflush(stdout);

  methods::ProgressLine line(!args.get_flag("no-progress"));
  const llm::PretrainResult r = llm::pretrain(config, data, o, resume.get(), [&](const llm::PretrainProgress& p) {
    // seconds per step of this run (a resumed run counts from its checkpoint) × steps left
    const double eta = p.seconds / double(p.row.step - (resume ? resume->step : 0)) * double(p.total_steps - p.row.step);
    if (!std::isnan(p.row.valid_loss))
      line.update(true, "step %lld/%lld  loss %.4f  valid %.4f (ppl %.2f)  lr %.2e  %.0f tok/s  %.0f s, ETA %.0f s",
                  (long long)p.row.step, (long long)p.total_steps, p.row.train_loss, p.row.valid_loss,
                  std::exp(double(p.row.valid_loss)), double(p.row.lr), p.row.tokens_per_s, p.seconds, eta);
    else
      line.update(false, "step %lld/%lld  loss %.4f  lr %.2e  %.0f tok/s  ETA %.0f s", (long long)p.row.step,
                  (long long)p.total_steps, p.row.train_loss, double(p.row.lr), p.row.tokens_per_s, eta);
  });

  llm::save_llama_gguf(r.model, tok_file, out);
  llm::save_llama_gguf(r.best_model, tok_file, stem + ".best.gguf");
  write_log_csv(stem + ".train.csv", r.log);
  if (!r.log.empty()) write_loss_svg(stem + ".loss.svg", r.log);
  std::printf("valid loss %.4f (perplexity %.2f) after %lld steps; the train tokens' unigram entropy is %.4f\n"
              "best valid loss %.4f at step %lld\n"
              "wrote %s (the last step), %s.best.gguf (the best validation loss), %s.train.csv, %s.loss.svg%s\n",
              double(r.final_valid_loss), std::exp(double(r.final_valid_loss)), (long long)r.steps, data.unigram_entropy,
              double(r.best_valid_loss), (long long)r.best_step, out.c_str(), stem.c_str(), stem.c_str(), stem.c_str(),
              o.checkpoint_every > 0 ? (", " + o.checkpoint_path).c_str() : "");
  return 0;
}

}  // namespace llactr
