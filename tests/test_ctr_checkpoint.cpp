// Checkpoints (run under ASan by `make test-san`): a round trip reproduces predictions
// bit-exactly for every backbone; truncated, foreign and wrong-version files are clear errors.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

#include "ctr_synthetic.h"
#include "llactr/ctr/checkpoint.h"
#include "llactr/ctr/trainer.h"

namespace llactr {
namespace {

const data::Dataset& dataset() {
  static const data::Dataset d = testing::synthetic_ctr(1500);
  return d;
}

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("llactr_ckpt_test_" + name)).string();
}

std::unique_ptr<Backbone> trained(const std::string& name) {
  const auto& d = dataset();
  BackboneConfig c;
  c.num_fields = d.schema.num_fields();
  c.vocab_size = d.encoder.total_vocab();
  c.embedding_dim = 4;
  c.options.set("deepfm-mlp", "8");
  c.options.set("finalmlp-mlp1", "8");
  c.options.set("finalmlp-mlp2", "8");
  c.options.set("finalmlp-fs-hidden", "4");
  c.options.set("wukong-layers", "1");
  Rng rng(3);
  auto m = make_backbone(name, c, rng);
  TrainConfig t;
  t.batch_size = 512;
  t.max_epochs = 1;
  t.lr = 1e-2f;
  t.verbose = false;
  train(*m, d.train, d.valid, t);
  return m;
}

std::string read_all(const std::string& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}
void write_all(const std::string& p, const std::string& s) { std::ofstream(p, std::ios::binary) << s; }

TEST(CtrCheckpoint, RoundTripReproducesPredictionsBitExactly) {
  const auto& d = dataset();
  for (const std::string& name : backbone_names()) {
    SCOPED_TRACE(name);
    auto m = trained(name);
    const std::string p = temp_path(name);
    save_checkpoint(p, *m, d.encoder);
    LoadedCheckpoint c = load_checkpoint(p);
    EXPECT_EQ(c.model->name(), name);
    std::vector<float> loaded = predict(*c.model, d.test), original = predict(*m, d.test);
    EXPECT_EQ(loaded, original);
    for (size_t k = 0; k < m->parameters().size(); ++k)
      EXPECT_EQ(c.model->parameters()[k].value().vec(), m->parameters()[k].value().vec());
    EXPECT_EQ(c.encoder.total_vocab(), d.encoder.total_vocab());
    EXPECT_EQ(c.encoder.global_id(1, "i7"), d.encoder.global_id(1, "i7"));
    std::remove(p.c_str());
  }
}

TEST(CtrCheckpoint, TruncatedFileIsAClearError) {
  auto m = trained("FM");
  const std::string p = temp_path("trunc");
  save_checkpoint(p, *m, dataset().encoder);
  const std::string full = read_all(p);
  for (size_t len : {size_t(0), size_t(5), size_t(12), full.size() / 3, full.size() - 1}) {
    write_all(p, full.substr(0, len));
    try {
      load_checkpoint(p);
      ADD_FAILURE() << "length " << len << " loaded";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << e.what();
    }
  }
  write_all(p, full + "x");  // trailing bytes
  EXPECT_THROW(load_checkpoint(p), std::runtime_error);
  std::remove(p.c_str());
}

TEST(CtrCheckpoint, ForeignAndNewerFilesAreRejected) {
  const std::string p = temp_path("foreign");
  write_all(p, "GGUF\x03\0\0\0 this is not a checkpoint at all");
  try {
    load_checkpoint(p);
    ADD_FAILURE();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("not an llactr checkpoint"), std::string::npos) << e.what();
  }
  auto m = trained("LR");
  save_checkpoint(p, *m, dataset().encoder);
  std::string s = read_all(p);
  s[8] = char(kCheckpointVersion + 1);
  write_all(p, s);
  try {
    load_checkpoint(p);
    ADD_FAILURE();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("version"), std::string::npos) << e.what();
  }
  EXPECT_THROW(load_checkpoint(temp_path("does_not_exist")), std::runtime_error);
  std::remove(p.c_str());
}

// A model's own options travel by name with their values, the defaults written out too.
TEST(CtrCheckpoint, ModelOptionsAreSavedByName) {
  const auto& d = dataset();
  auto m = trained("DeepFM");  // deepfm-mlp = 8
  const std::string p = temp_path("options");
  save_checkpoint(p, *m, d.encoder);
  LoadedCheckpoint c = load_checkpoint(p);
  EXPECT_EQ(c.model->config().options.all(), (std::map<std::string, std::string>{{"deepfm-mlp", "8"}}));
  EXPECT_EQ(c.model->hidden_dim(), 8);
  // Another model's options (all the trained() config sets) are not the model's: not saved.
  auto w = trained("WuKong");
  save_checkpoint(p, *w, d.encoder);
  const std::map<std::string, std::string> saved = load_checkpoint(p).model->config().options.all();
  EXPECT_EQ(saved.at("wukong-layers"), "1");
  EXPECT_EQ(saved.at("wukong-mlp"), "32,32");  // the default, written out
  EXPECT_EQ(saved.count("deepfm-mlp"), 0u);
  std::remove(p.c_str());
}

// Version 2 held every model's sizes as fixed fields; it is refused with what to do.
TEST(CtrCheckpoint, Version2FileSaysToSaveAgain) {
  auto m = trained("FM");
  const std::string p = temp_path("v2");
  save_checkpoint(p, *m, dataset().encoder);
  std::string s = read_all(p);
  ASSERT_EQ(uint8_t(s[8]), kCheckpointVersion);  // u32 little-endian after the 8-byte magic
  s[8] = 2;
  write_all(p, s);
  try {
    load_checkpoint(p);
    ADD_FAILURE();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("version 2"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("save the model again"), std::string::npos) << e.what();
  }
  std::remove(p.c_str());
}

}  // namespace
}  // namespace llactr
