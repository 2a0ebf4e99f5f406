// The subcommands of ./llactr. Each takes (argc, argv) with argv[0] = its own name and returns
// the process exit code. src/apps/llactr.cpp lists them in one table.
#pragma once

namespace llactr {

int cmd_version(int argc, char** argv);
int cmd_gguf(int argc, char** argv);
int cmd_data(int argc, char** argv);
int cmd_generate(int argc, char** argv);
int cmd_embed(int argc, char** argv);
int cmd_tokenize(int argc, char** argv);
int cmd_tokenizer(int argc, char** argv);
int cmd_ssft(int argc, char** argv);
int cmd_prompt(int argc, char** argv);
int cmd_bench_report(int argc, char** argv);
int cmd_probe(int argc, char** argv);

}  // namespace llactr
