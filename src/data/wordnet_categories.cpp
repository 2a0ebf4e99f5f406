// The hypernym graph of one WordNet file and the probe categories (hypernym subtrees).
#include <algorithm>
#include <map>
#include <stdexcept>

#include "llactr/data/wordnet.h"

namespace llactr::data {

SynsetGraph::SynsetGraph(std::vector<Synset> synsets) : synsets_(std::move(synsets)), hyponyms_(synsets_.size()) {
  for (size_t i = 0; i < synsets_.size(); ++i) index_.emplace(synsets_[i].offset, i);
  for (size_t i = 0; i < synsets_.size(); ++i)
    for (uint32_t h : synsets_[i].hypernyms) {
      auto it = index_.find(h);
      if (it == index_.end())
        throw std::invalid_argument("synset " + std::to_string(synsets_[i].offset) + " has hypernym " +
                                    std::to_string(h) + ", which is not in the graph");
      hyponyms_[it->second].push_back(i);
    }
}

const Synset* SynsetGraph::find(uint32_t offset) const {
  auto it = index_.find(offset);
  return it == index_.end() ? nullptr : &synsets_[it->second];
}

const Synset& SynsetGraph::at(uint32_t offset) const {
  const Synset* s = find(offset);
  if (!s) throw std::out_of_range("no synset at offset " + std::to_string(offset));
  return *s;
}

std::vector<uint32_t> SynsetGraph::hypernym_chain(uint32_t offset) const {
  std::vector<uint32_t> chain;
  for (const Synset* s = &at(offset); !s->hypernyms.empty();) {
    const uint32_t up = s->hypernyms.front();
    if (up == offset || std::find(chain.begin(), chain.end(), up) != chain.end()) break;  // a cycle
    chain.push_back(up);
    s = &at(up);
  }
  return chain;
}

std::vector<uint32_t> SynsetGraph::subtree(uint32_t offset) const {
  at(offset);  // throws for an unknown offset
  const size_t root = index_.at(offset);
  std::vector<char> seen(synsets_.size(), 0);
  std::vector<size_t> stack = {root};
  seen[root] = 1;
  std::vector<uint32_t> below;
  while (!stack.empty()) {
    const size_t i = stack.back();
    stack.pop_back();
    for (size_t h : hyponyms_[i])
      if (!seen[h]) {
        seen[h] = 1;
        below.push_back(synsets_[h].offset);
        stack.push_back(h);
      }
  }
  std::sort(below.begin(), below.end());
  return below;
}

bool is_single_word(const std::string& lemma) {
  return !lemma.empty() && std::all_of(lemma.begin(), lemma.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); });
}

std::vector<std::string> SynsetGraph::single_word_members(uint32_t offset) const {
  std::vector<std::string> words;
  for (uint32_t o : subtree(offset)) {
    if (at(o).instance) continue;
    for (const std::string& l : at(o).lemmas)
      if (is_single_word(l)) words.push_back(l);
  }
  std::sort(words.begin(), words.end());
  words.erase(std::unique(words.begin(), words.end()), words.end());
  return words;
}

const std::vector<CategorySpec>& probe_category_candidates() {
  static const std::vector<CategorySpec> specs = {
      {"musical_instrument.n.01", "musical instrument", 3800933},
      {"dog.n.01", "dog", 2084071},
      {"tree.n.01", "tree", 13104059},
      {"fish.n.01", "fish", 2512053},
      {"bird.n.01", "bird", 1503061},
      {"vehicle.n.01", "vehicle", 4524313},
      {"beverage.n.01", "beverage", 7881800},
      {"garment.n.01", "garment", 3419014},
      {"furniture.n.01", "furniture", 3405725},
      {"fabric.n.01", "fabric", 3309808},
      {"mineral.n.01", "mineral", 14662574},
      {"disease.n.01", "disease", 14070360},
      {"insect.n.01", "insect", 2159955},
      {"flower.n.01", "flower", 11669921},
      {"vegetable.n.01", "vegetable", 7707451},
      {"weapon.n.01", "weapon", 4565375},
  };
  return specs;
}

std::vector<Category> choose_probe_categories(const SynsetGraph& nouns, size_t min_members, size_t min_categories) {
  std::vector<Category> all;
  std::map<std::string, int> categories_of;  // word -> how many candidates hold it
  for (const CategorySpec& spec : probe_category_candidates()) {
    const Synset* s = nouns.find(spec.offset);
    if (!s || s->lemmas.empty() || s->lemmas.front() != spec.lemma)
      throw std::runtime_error("category " + spec.name + ": the noun synset at offset " + std::to_string(spec.offset) +
                               " is " + (s ? "'" + s->lemmas.front() + "'" : "absent") + ", not '" + spec.lemma +
                               "': the probe categories are defined for WordNet 3.0");
    all.push_back({spec, nouns.single_word_members(spec.offset)});
    for (const std::string& w : all.back().words) ++categories_of[w];
  }
  std::vector<Category> chosen;
  for (Category& c : all) {
    c.words.erase(std::remove_if(c.words.begin(), c.words.end(), [&](const std::string& w) { return categories_of[w] > 1; }),
                  c.words.end());
    if (c.words.size() >= min_members) chosen.push_back(std::move(c));
  }
  if (chosen.size() < min_categories)
    throw std::runtime_error("only " + std::to_string(chosen.size()) + " WordNet categories have " +
                             std::to_string(min_members) + " or more single-word members; the probe needs " +
                             std::to_string(min_categories));
  return chosen;
}

}  // namespace llactr::data
