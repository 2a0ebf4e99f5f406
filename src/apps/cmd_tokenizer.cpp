// ./llactr tokenizer train: a SentencePiece-style BPE vocabulary trained on a text corpus,
// written as a GGUF file that holds only the tokenizer (llm/tokenizer/bpe_trainer.h).
#include <cstdio>
#include <fstream>
#include <stdexcept>

#include "llactr/apps/args.h"
#include "llactr/apps/commands.h"
#include "llactr/data/line_parsing.h"
#include "llactr/llm/gguf/gguf.h"
#include "llactr/llm/tokenizer/bpe_trainer.h"
#include "llactr/util/clock.h"

namespace llactr {

namespace {

int tokenizer_train(int argc, char** argv) {
  Args a("llactr tokenizer train --corpus F --vocab N --out T.gguf");
  a.option("corpus", "", "UTF-8 text, one line per sentence (e.g. llactr data make-knowledge-corpus)")
      .option("vocab", "4096", "vocabulary size, the 3 control and 256 byte tokens included")
      .option("min-char-count", "1", "characters seen fewer times are not tokens (they fall back to <0xXX> bytes)")
      .option("out", "", "the tokenizer GGUF to write (tokenizer.ggml.* metadata, no tensors)")
      .option("worst", "5", "how many lines with the highest byte-token share to print");
  if (!a.parse(argc, argv, 2)) return 0;
  a.reject_positional();
  if (a.get("corpus").empty() || a.get("out").empty()) throw std::invalid_argument("--corpus and --out must not be empty");
  llm::BpeTrainOptions o;
  const long vocab = a.get_int("vocab"), min_count = a.get_int("min-char-count"), worst = a.get_int("worst");
  if (vocab < 259 || vocab > (1L << 24))
    throw std::invalid_argument("--vocab must be in [259, 16777216] (3 control + 256 byte tokens at least)");
  if (min_count < 1) throw std::invalid_argument("--min-char-count must be >= 1");
  if (worst < 0) throw std::invalid_argument("--worst must be >= 0");
  o.vocab_size = int32_t(vocab);
  o.min_char_count = min_count;
  const std::string out = a.get("out");
  {  // an unwritable output fails before the training
    std::ofstream probe(out, std::ios::binary | std::ios::app);
    if (!probe) throw std::runtime_error("cannot write " + out);
  }

  const std::vector<std::string> lines = data::read_corpus_lines(a.get("corpus"));
  auto t0 = Clock::now();
  llm::BpeTrainStats st;
  const llm::Vocab v = llm::train_bpe_vocab(lines, o, &st);
  const double seconds = seconds_since(t0);
  llm::write_tokenizer_gguf(v, out);

  // Read back what was written: the file is what the share below measures.
  const llm::Tokenizer tok(llm::vocab_from_gguf(gguf::GgufFile::open(out)));
  t0 = Clock::now();
  const llm::CorpusEncoding share = llm::encode_corpus(tok, lines, size_t(worst));
  const double encode_seconds = seconds_since(t0);

  std::printf("corpus      %s: %zu lines, %zu words (%zu distinct)\n", a.get("corpus").c_str(), st.lines, st.words,
              st.unique_words);
  std::printf("characters  %zu tokens, %zu left to byte fallback (seen < %ld times)\n", st.chars_kept,
              st.chars_dropped, min_count);
  std::printf("vocabulary  %d tokens = 3 control + 256 byte + %zu merged + %zu characters%s\n", v.size(),
              size_t(v.size()) - 259 - st.chars_kept, st.chars_kept,
              v.size() < o.vocab_size ? "  (no pair occurs twice any more: smaller than --vocab)" : "");
  std::printf("trained     %.2f s (%zu merges)\n", seconds, st.merges);
  std::printf("encoded     %zu tokens, %.3f tokens/word, %.2f s (the training's own segmentation: %zu tokens)\n",
              share.tokens, double(share.tokens) / double(st.words), encode_seconds, st.tokens);
  std::printf("byte tokens %zu (%.4f%% of tokens); mean share per line %.6f\n", share.byte_tokens,
              100.0 * double(share.byte_tokens) / double(share.tokens), share.mean_line_share);
  for (const auto& [s, i] : share.worst) {
    std::string l = lines[i].size() > 100 ? lines[i].substr(0, 97) + "..." : lines[i];
    std::printf("  line %zu: %.3f  %s\n", i + 1, s, l.c_str());
  }
  if (share.round_trip_failures)
    std::printf("round trip  %zu lines do not decode to themselves (first: line %zu; a literal U+2581 reads as a space)\n",
                share.round_trip_failures, share.first_failure + 1);
  else
    std::printf("round trip  decode(encode(line)) == line for all %zu lines\n", lines.size());
  std::printf("wrote       %s\n", out.c_str());
  return 0;
}

}  // namespace

int cmd_tokenizer(int argc, char** argv) {
  const std::string sub = argc >= 2 ? argv[1] : "";
  if (sub == "train") return tokenizer_train(argc, argv);
  if (sub.empty() || sub == "--help" || sub == "-h") {
    std::puts("usage: llactr tokenizer train --corpus F --vocab N --out T.gguf\n"
              "  (llactr tokenizer train --help for all options)");
    return sub.empty() ? 1 : 0;
  }
  throw std::invalid_argument("unknown tokenizer subcommand '" + sub + "' (train)");
}

}  // namespace llactr
