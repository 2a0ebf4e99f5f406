// Small dataset files that the data tests write into a fresh temporary folder.
#pragma once
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <string>

#include "llactr/data/dataset.h"

namespace llactr::testing {

// A fresh folder under the system temp dir, removed (with its contents) at destruction.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() / ("llactr-test-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string str() const { return path_.string(); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// The message of what f throws, or "no error".
inline std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "no error";
}

inline void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary);
  f << bytes;
  ASSERT_TRUE(f.good()) << path;
}

inline std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

// The ML-1M fixture: 3 users, 3 movies (one title in ISO-8859-1: "Mis\xE9rables"), 12 ratings,
// of which 10 are labelled (two 3s dropped): 6 positive, 4 negative. By timestamp:
//   80 (u1,m3,+) 90 (u2,m1,+) 100 (u1,m1,+) 102 (u1,m3,-) 105 (u2,m3,+) 110 (u2,m2,-)
//   120 (u3,m2,+) 130 (u3,m3,-) 140 (u3,m1,+) 150 (u2,m2,-)
inline void write_ml1m_fixture(const std::string& dir) {
  write_file(dir + "/users.dat", "1::F::1::10::48067\n2::M::56::16::70072\n3::M::25::12::55117\n");
  write_file(dir + "/movies.dat",
             "1::Toy Story (1995)::Animation|Children's|Comedy\n"
             "2::Mis\xE9rables, Les (1995)::Drama|Musical\n"
             "3::Heat (1995)::Action|Crime|Thriller\n");
  write_file(dir + "/ratings.dat",
             "1::1::5::100\n1::2::3::101\n1::3::1::102\n2::1::4::90\n2::2::2::110\n2::3::5::105\n"
             "3::1::3::95\n3::2::4::120\n3::3::2::130\n1::3::4::80\n3::1::5::140\n2::2::1::150\n");
}

// A generated ML-1M-layout folder big enough for every split to hold both classes: users
// 1..users, movies 1..movies, ratings cycling 1..5 with increasing timestamps.
inline void write_ml1m_generated(const std::string& dir, int users, int movies, int ratings) {
  std::string u, m, r;
  for (int i = 1; i <= users; ++i) u += std::to_string(i) + "::" + (i % 2 ? "F" : "M") + "::25::" + std::to_string(i % 21) + "::0000" + std::to_string(i) + "\n";
  for (int i = 1; i <= movies; ++i) m += std::to_string(i) + "::Movie " + std::to_string(i) + " (2000)::Drama\n";
  for (int i = 0; i < ratings; ++i)
    r += std::to_string(1 + i % users) + "::" + std::to_string(1 + (i * 7) % movies) + "::" + std::to_string(1 + i % 5) +
         "::" + std::to_string(1000 + i) + "\n";
  write_file(dir + "/users.dat", u);
  write_file(dir + "/movies.dat", m);
  write_file(dir + "/ratings.dat", r);
}

// The generated ML-1M folder with 30 users, 20 movies and 400 ratings in dir, loaded without a
// cache: rating i is user 1 + i % 30, movie 1 + 7i % 20, stars 1 + i % 5, timestamp 1000 + i.
inline data::Dataset load_ml1m_generated(const TempDir& dir) {
  write_ml1m_generated(dir.str(), 30, 20, 400);
  data::DataOptions o;
  o.format = data::DataFormat::Ml1m;
  o.dir = dir.str();
  o.cache_dir = "";
  return data::load_dataset(o);
}

}  // namespace llactr::testing
