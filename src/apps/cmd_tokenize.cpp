// ./llactr tokenize: the token ids and pieces of a text under a GGUF model's tokenizer.
#include <cstdio>
#include <stdexcept>

#include "llactr/apps/args.h"
#include "llactr/apps/commands.h"
#include "llactr/apps/options.h"
#include "llactr/llm/gguf/gguf.h"
#include "llactr/llm/tokenizer/tokenizer.h"

namespace llactr {

int cmd_tokenize(int argc, char** argv) {
  Args args("llactr tokenize --llm-model M --text TEXT [--no-bos]");
  declare_llm_options(args);
  args.alias("model", "llm-model");
  args.option("text", "", "text to tokenize")
      .flag("no-bos", "do not add BOS even if the model asks for it");
  if (!args.parse(argc, argv)) return 0;
  const std::string path = llm_model(args);
  const llm::Tokenizer tok(llm::vocab_from_gguf(gguf::GgufFile::open(path)));
  const std::string text = args.has("text") ? args.get("text") : "";
  const std::vector<int32_t> ids = tok.encode(text, tok.vocab().add_bos && !args.get_flag("no-bos"));
  for (int32_t id : ids) std::printf("%6d  '%s'\n", id, tok.vocab().tokens[id].c_str());
  std::printf("%zu tokens; decoded: '%s'\n", ids.size(), tok.decode(ids).c_str());
  return 0;
}

}  // namespace llactr
