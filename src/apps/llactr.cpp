// ./llactr: the tool. One table of subcommands; each lives in src/apps/cmd_<name>.cpp.
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

#include "llactr/apps/commands.h"
#include "llactr/apps/thread_wait_policy.h"
#include "llactr/util/communicator.h"

namespace {

struct Command {
  const char* name;
  int (*run)(int, char**);
  const char* help;
};

const Command kCommands[] = {
    {"version", llactr::cmd_version, "print the version and the build's configuration"},
    {"gguf", llactr::cmd_gguf, "gguf info FILE: print a GGUF file's metadata and tensor table"},
    {"data", llactr::cmd_data, "data stats: a dataset's counts and fields; data make-knowledge-corpus: WordNet + movie-tag text"},
    {"generate", llactr::cmd_generate, "continue a prompt with a GGUF model (greedy or sampled)"},
    {"embed", llactr::cmd_embed, "a text's pooled final hidden state (printed or .npy)"},
    {"tokenize", llactr::cmd_tokenize, "token ids and pieces of a text"},
    {"tokenizer", llactr::cmd_tokenizer, "tokenizer train: a SentencePiece-style BPE vocabulary from a corpus, as a GGUF"},
    {"ssft", llactr::cmd_ssft, "LLaCTR field-feature fine-tuning (LoRA) and field embeddings"},
    {"pretrain", llactr::cmd_pretrain, "train a llama from scratch on a text corpus; writes an F32 llama GGUF"},
    {"prompt", llactr::cmd_prompt, "some rows' instance texts and their token counts"},
    {"probe", llactr::cmd_probe, "how well a model's word vectors separate known categories (purity@k, linear probe)"},
    {"bench-report", llactr::cmd_bench_report, "interaction-layer tables and plots in docs/PERFORMANCE.md from bench JSON"},
};

void print_help() {
  std::puts("usage: llactr COMMAND [options]   (llactr COMMAND --help for its options)\n\ncommands:");
  for (const auto& c : kCommands) std::printf("  %-10s %s\n", c.name, c.help);
  std::printf("  %-10s %s\n", "help", "this list");
}

}  // namespace

int main(int argc, char** argv) {
  llactr::ensure_sleeping_idle_threads(argv);
  if (argc < 2 || !std::strcmp(argv[1], "help") || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h")) {
    print_help();
    return argc < 2 ? 1 : 0;
  }
  for (const auto& c : kCommands) {
    if (std::strcmp(argv[1], c.name) != 0) continue;
    try {
      return c.run(argc - 1, argv + 1);
    } catch (const std::exception& e) {
      return llactr::exit_with_error(std::string("llactr ") + c.name, e.what());  // under mpirun: stops every rank
    }
  }
  std::fprintf(stderr, "llactr: unknown command '%s'; run 'llactr help'\n", argv[1]);
  return 1;
}
