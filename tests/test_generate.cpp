// Sampling and generation: greedy/top-k/temperature, seeding, and no heap allocation per
// generated token (counted by replacing the global operator new in this test binary).
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "llactr/llm/model/generate.h"
#include "support/random_model.h"

namespace {
std::atomic<bool> g_counting{false};
std::atomic<long> g_allocations{0};
}  // namespace

void* operator new(std::size_t n) {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
// Every other form is replaced too, so that whatever a library allocates with (std::stable_sort
// uses the nothrow form) is freed by the matching function: ASan rejects new-vs-free pairs.
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(n ? n : 1);
}
void* operator new[](std::size_t n) { return operator new(n); }
void* operator new[](std::size_t n, const std::nothrow_t& t) noexcept { return operator new(n, t); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

namespace llactr::llm {
namespace {

TEST(Sampler, GreedyTakesTheArgmaxAndLowestIdOnTies) {
  Sampler s({}, 5);
  const float logits[5] = {0.1f, 2.0f, -1.0f, 2.0f, 1.9f};
  EXPECT_EQ(s.sample(logits), 1);
  Sampler top1({1.0f, 1, 9}, 5);  // top-1 sampling is greedy whatever the temperature
  for (int i = 0; i < 20; ++i) EXPECT_EQ(top1.sample(logits), 1);
}

TEST(Sampler, TopKAndTemperatureFollowTheSoftmax) {
  const float logits[4] = {std::log(0.5f), std::log(0.3f), std::log(0.15f), std::log(0.05f)};
  Sampler s({1.0f, 2, 123}, 4);  // top-2: p = 0.5/0.8 and 0.3/0.8
  int counts[4] = {0, 0, 0, 0};
  const int n = 20000;
  for (int i = 0; i < n; ++i) ++counts[s.sample(logits)];
  EXPECT_EQ(counts[2] + counts[3], 0);
  EXPECT_NEAR(counts[0] / double(n), 0.625, 0.015);
  // Same seed, same draws; a different seed, different draws.
  Sampler a({0.7f, 0, 5}, 4), b({0.7f, 0, 5}, 4), c({0.7f, 0, 6}, 4);
  std::vector<int> da, db, dc;
  for (int i = 0; i < 50; ++i) da.push_back(a.sample(logits)), db.push_back(b.sample(logits)), dc.push_back(c.sample(logits));
  EXPECT_EQ(da, db);
  EXPECT_NE(da, dc);
}

TEST(Generate, NoHeapAllocationPerGeneratedToken) {
  RandomModelSpec spec;
  const Model model = load_model(gguf::GgufFile::from_memory(random_model_writer(spec).to_bytes()));
  Sampler sampler({0.8f, 10, 1}, model.config.n_vocab);
  long at_first_token = -1;
  g_allocations = 0;
  g_counting = true;
  const std::vector<int32_t> out = generate(model, {1, 2, 3}, 40, sampler, -1, [&](int32_t) {
    if (at_first_token < 0) at_first_token = g_allocations.load();
  });
  g_counting = false;
  ASSERT_EQ(out.size(), 40u);
  // Everything is allocated before the first token comes out; the 39 steps after add nothing.
  EXPECT_GT(at_first_token, 0);
  EXPECT_EQ(g_allocations.load(), at_first_token);
}

TEST(Generate, GreedyEqualsArgmaxOfFullForward) {
  RandomModelSpec spec;
  spec.arch = "qwen2";
  const Model model = load_model(gguf::GgufFile::from_memory(random_model_writer(spec).to_bytes()));
  Sampler greedy({}, model.config.n_vocab);
  std::vector<int32_t> seq = {1, 7, 9};
  const std::vector<int32_t> out = generate(model, seq, 6, greedy);
  for (int32_t expected : out) {
    ForwardOptions opt;
    opt.logits = LogitsMode::Last;
    const ForwardOutput f = forward(model, {seq}, opt);
    const int32_t argmax = int32_t(std::max_element(f.logits.begin(), f.logits.end()) - f.logits.begin());
    EXPECT_EQ(argmax, expected);
    seq.push_back(expected);
  }
}

// The prompt, then greedy tokens: as many as asked, as many as the context has room for, or none
// when the prompt fills it.
TEST(Generate, WithGreedyContinuationKeepsToTheContext) {
  RandomModelSpec spec;
  spec.n_ctx = 12;
  const Model model = load_model(gguf::GgufFile::from_memory(random_model_writer(spec).to_bytes()));
  Sampler greedy({}, model.config.n_vocab);
  const std::vector<int32_t> prompt = {1, 7, 9};
  std::vector<int32_t> expected = prompt;
  const std::vector<int32_t> more = generate(model, prompt, 5, greedy);
  expected.insert(expected.end(), more.begin(), more.end());
  EXPECT_EQ(with_greedy_continuation(model, prompt, 5, -1), expected);
  EXPECT_EQ(with_greedy_continuation(model, prompt, 50, -1).size(), 12u);  // 3 + the 9 positions left
  const std::vector<int32_t> full(12, 5);
  EXPECT_EQ(with_greedy_continuation(model, full, 5, -1), full);
  EXPECT_EQ(with_greedy_continuation(model, prompt, 0, -1), prompt);
}

}  // namespace
}  // namespace llactr::llm
