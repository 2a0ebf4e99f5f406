// The layers depend one way: util -> tensor -> nn -> data -> ctr -> llm -> methods -> apps, and inside
// llm its sub-layers depend one way too: gguf -> tokenizer -> model -> train. methods/ has rooms:
// one per method (llactr, elec, clickprompt) and common/ for what they share; no method includes
// another's room, and common/ includes no method's. The table (methods/method.h and the files
// at methods/'s top) includes no room either: each method hands it its row.
// This test reads every header and source and fails when a file includes a higher (sub-)layer.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <string>

namespace {

const std::vector<std::string> kLayers = {"util", "tensor", "nn", "data", "ctr", "llm", "methods", "apps"};
const std::vector<std::string> kLlmSubLayers = {"gguf", "tokenizer", "model", "train"};
const std::vector<std::string> kMethodRooms = {"common", "llactr", "elec", "clickprompt"};

int rank_in(const std::vector<std::string>& order, const std::string& name) {
  for (size_t i = 0; i < order.size(); ++i)
    if (order[i] == name) return static_cast<int>(i);
  return -1;
}

TEST(Layering, NoFileIncludesAHigherLayer) {
  namespace fs = std::filesystem;
  if (!fs::exists("include/llactr")) GTEST_SKIP() << "run from the repository root (make test does)";
  // "llactr/<layer>/<file or sub-layer>..."
  const std::regex include_re(R"(#include\s+"llactr/([a-z]+)/([a-z_]+))");
  int files = 0;
  for (const char* root : {"include/llactr", "src"}) {
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
      if (!entry.is_regular_file()) continue;
      // The file's own layer is the folder right under include/llactr/ or src/; under llm, the
      // folder below that is its sub-layer.
      fs::path rel = fs::relative(entry.path(), root);
      auto part = rel.begin();
      std::string own = part->string();
      int own_rank = rank_in(kLayers, own);
      ASSERT_GE(own_rank, 0) << entry.path() << " is not in a known layer folder";
      int own_sub = -1;
      std::string own_room;  // methods/: the room, or "" for the table's files at the top
      if (own == "methods" && std::next(part) != rel.end() && std::next(std::next(part)) != rel.end()) {
        own_room = std::next(part)->string();
        ASSERT_GE(rank_in(kMethodRooms, own_room), 0) << entry.path() << " is in no known methods room";
      }
      if (own == "llm") {
        own_sub = rank_in(kLlmSubLayers, (++part)->string());
        ASSERT_GE(own_sub, 0) << entry.path() << " is not in a known llm sub-layer folder (gguf, tokenizer, model, train)";
      }
      std::ifstream in(entry.path());
      std::string line;
      int line_no = 0;
      while (std::getline(in, line)) {
        ++line_no;
        std::smatch m;
        if (!std::regex_search(line, m, include_re)) continue;
        const std::string where = entry.path().string() + ":" + std::to_string(line_no);
        int dep = rank_in(kLayers, m[1]);
        EXPECT_GE(dep, 0) << where << " includes an unknown layer " << m[1];
        EXPECT_LE(dep, own_rank) << where << " (layer " << own << ") includes the higher layer " << m[1];
        if (m[1] == "methods" && own == "methods") {
          const std::string room = rank_in(kMethodRooms, m[2]) >= 0 ? std::string(m[2]) : "";
          if (own_room.empty()) {
            EXPECT_EQ(room, "") << where << " (the method table) includes the room methods/" << room;
          } else if (!room.empty() && room != "common") {
            EXPECT_EQ(room, own_room) << where << " (methods/" << own_room << ") includes another method's room " << room;
          }
          if (own_room == "common") {
            EXPECT_TRUE(room == "common" || room.empty()) << where;
          }
        }
        if (m[1] != "llm") continue;
        int dep_sub = rank_in(kLlmSubLayers, m[2]);
        EXPECT_GE(dep_sub, 0) << where << " includes llm/" << m[2] << ", which is no llm sub-layer";
        if (own == "llm") {
          EXPECT_LE(dep_sub, own_sub) << where << " (llm/" << kLlmSubLayers[own_sub] << ") includes the higher llm/"
                                      << m[2];
        }
      }
      ++files;
    }
  }
  EXPECT_GT(files, 10);
}

}  // namespace

namespace {

// One build, one code: the MPI build differs from the default one by the file it links
// (src/util/communicator_mpi.cpp instead of world_single.cpp), never by #if, which would leave
// one of the two builds' code uncompiled by the other's tests.
TEST(Layering, NoConditionalCompilation) {
  namespace fs = std::filesystem;
  if (!fs::exists("include/llactr")) GTEST_SKIP() << "run from the repository root (make test does)";
  const std::regex conditional_re(R"(^\s*#\s*(if|ifdef|ifndef|elif)\b)");
  int files = 0;
  for (const char* root : {"include", "src", "tests", "bench"}) {
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
      const std::string ext = entry.path().extension().string();
      if (!entry.is_regular_file() || (ext != ".h" && ext != ".cpp")) continue;
      ++files;
      std::ifstream in(entry.path());
      std::string line;
      for (int line_no = 1; std::getline(in, line); ++line_no)
        EXPECT_FALSE(std::regex_search(line, conditional_re)) << entry.path().string() << ":" << line_no << ": " << line;
    }
  }
  EXPECT_GT(files, 100);
}

}  // namespace
