// ./llactr gguf info FILE: the header, every metadata key/value and the tensor table of a GGUF file.
#include <cstdio>
#include <stdexcept>
#include <string>

#include "llactr/apps/args.h"
#include "llactr/apps/commands.h"
#include "llactr/llm/gguf/gguf.h"

namespace llactr {
namespace {

std::string shape_string(const std::vector<int64_t>& ne) {
  std::string s = "[";
  for (size_t d = 0; d < ne.size(); ++d) s += (d ? ", " : "") + std::to_string(ne[d]);
  return s + "]";
}

int gguf_info(int argc, char** argv) {
  Args args("llactr gguf info FILE [--max-array N]\n"
            "  Prints the header, the metadata (arrays longer than N abbreviated) and the tensor table.\n"
            "  Shapes are in ggml order: ne[0] is the contiguous row length.");
  args.option("max-array", "8", "print arrays of up to N elements in full; longer ones show 4 and the count");
  if (!args.parse(argc, argv, 2)) return 0;
  if (args.positional().size() != 1) throw std::invalid_argument("expected one FILE; see --help");
  const long max_array = args.get_int("max-array");
  if (max_array < 0) throw std::invalid_argument("--max-array must be >= 0");

  const auto f = gguf::GgufFile::open(args.positional()[0]);
  std::printf("file:        %s\n", f.path().c_str());
  std::printf("version:     %u\n", f.version());
  std::printf("size:        %llu bytes\n", static_cast<unsigned long long>(f.file_size()));
  std::printf("alignment:   %llu\n", static_cast<unsigned long long>(f.alignment()));
  std::printf("data offset: %llu\n", static_cast<unsigned long long>(f.data_offset()));
  std::printf("\nmetadata (%zu keys):\n", f.metadata().size());
  for (const auto& kv : f.metadata()) {
    std::string type = gguf::value_type_name(kv.value.type);
    if (kv.value.type == gguf::ValueType::ARRAY) type += std::string("<") + gguf::value_type_name(kv.value.arr.type) + ">";
    std::printf("  %-40s %-14s %s\n", kv.key.c_str(), type.c_str(),
                gguf::to_string(kv.value, static_cast<size_t>(max_array)).c_str());
  }
  std::printf("\ntensors (%zu):\n", f.tensors().size());
  std::printf("  %-4s %-36s %-6s %-22s %12s %12s\n", "#", "name", "type", "shape (ne)", "offset", "bytes");
  uint64_t total = 0;
  int64_t params = 0;
  for (size_t k = 0; k < f.tensors().size(); ++k) {
    const auto& t = f.tensors()[k];
    std::printf("  %-4zu %-36s %-6s %-22s %12llu %12llu\n", k, t.name.c_str(), gguf::type_name(t.type),
                shape_string(t.ne).c_str(), static_cast<unsigned long long>(t.offset),
                static_cast<unsigned long long>(t.nbytes));
    total += t.nbytes;
    params += t.n_elements;
  }
  std::printf("\n%lld elements in %llu bytes of tensor data\n", static_cast<long long>(params),
              static_cast<unsigned long long>(total));
  return 0;
}

}  // namespace

int cmd_gguf(int argc, char** argv) {
  const std::string sub = argc >= 2 ? argv[1] : "";
  if (sub == "info") return gguf_info(argc, argv);
  if (sub == "--help" || sub == "-h" || sub == "help") {
    std::puts("usage: llactr gguf info FILE   (llactr gguf info --help for options)");
    return 0;
  }
  throw std::invalid_argument("unknown or missing subcommand '" + sub + "'; usage: llactr gguf info FILE");
}

}  // namespace llactr
