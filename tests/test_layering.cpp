// The layers depend one way: tensor -> nn -> data -> ctr -> llm -> methods -> apps.
// This test reads every header and source and fails when a file includes a higher layer.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

namespace {

const std::vector<std::string> kLayers = {"tensor", "nn", "data", "ctr", "llm", "methods", "apps"};

int rank_of(const std::string& layer) {
  for (size_t i = 0; i < kLayers.size(); ++i)
    if (kLayers[i] == layer) return static_cast<int>(i);
  return -1;
}

TEST(Layering, NoFileIncludesAHigherLayer) {
  namespace fs = std::filesystem;
  if (!fs::exists("include/llactr")) GTEST_SKIP() << "run from the repository root (make test does)";
  const std::regex include_re(R"(#include\s+"llactr/([a-z]+)/)");
  int files = 0;
  for (const char* root : {"include/llactr", "src"}) {
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
      if (!entry.is_regular_file()) continue;
      // The file's own layer is the folder right under include/llactr/ or src/.
      std::string own = fs::relative(entry.path(), root).begin()->string();
      int own_rank = rank_of(own);
      ASSERT_GE(own_rank, 0) << entry.path() << " is not in a known layer folder";
      std::ifstream in(entry.path());
      std::string line;
      int line_no = 0;
      while (std::getline(in, line)) {
        ++line_no;
        std::smatch m;
        if (!std::regex_search(line, m, include_re)) continue;
        int dep = rank_of(m[1]);
        EXPECT_GE(dep, 0) << entry.path() << ":" << line_no << " includes an unknown layer " << m[1];
        EXPECT_LE(dep, own_rank) << entry.path() << ":" << line_no << " (layer " << own << ") includes the higher layer "
                                 << m[1];
      }
      ++files;
    }
  }
  EXPECT_GT(files, 10);
}

}  // namespace
