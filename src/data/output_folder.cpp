#include "llactr/data/output_folder.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <system_error>

namespace llactr::data {

void require_writable_folder(const std::string& path, const std::string& option) {
  namespace fs = std::filesystem;
  auto fail = [&](const std::string& why) {
    throw std::runtime_error(option + ": cannot write the folder " + path + " (" + why +
                             "): pass a folder you can write");
  };
  if (path.empty()) fail("the path is empty");
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec) fail(ec.message());
  if (!fs::is_directory(path, ec)) fail("it is not a folder");
  // Permissions alone do not say it (root ignores them; /proc and read-only mounts refuse anyway):
  // write a file and remove it. The pid keeps two runs sharing a folder apart.
  const std::string probe = (fs::path(path) / (".llactr_write_probe." + std::to_string(::getpid()))).string();
  std::FILE* f = std::fopen(probe.c_str(), "wb");
  if (!f) fail("a file cannot be created in it");
  const bool written = std::fputc('x', f) != EOF;
  const bool closed = std::fclose(f) == 0;
  fs::remove(probe, ec);
  if (!written || !closed) fail("a file cannot be written in it");
}

}  // namespace llactr::data
