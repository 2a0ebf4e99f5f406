// MovieLens readers, fields and labels as in the LLaCTR code: rating > 3 -> 1, rating < 3 -> 0,
// rating 3 dropped; every other column kept as text (codes mapped to their documented names).
#pragma once
#include <string>
#include <vector>

#include "llactr/data/raw_table.h"
#include "llactr/data/schema.h"

namespace llactr::data {

// ML-1M layout: ratings.dat, users.dat, movies.dat ('::'-separated; movies.dat ISO-8859-1).
// Fields: UserID, Gender, Age, Occupation, MovieID, Title, Genres, Timestamp.
Schema ml1m_schema();
std::vector<std::string> ml1m_files(const std::string& dir);
RawTable read_ml1m(const std::string& dir, bool skip_bad_lines);

// ML-100K layout: u.data (tab-separated), u.user and u.item ('|'-separated; u.item ISO-8859-1,
// its 19 genre flags joined as "Action|Comedy").
// Fields: UserID, Age, Gender, Occupation, ZipCode, MovieID, Title, Genres, Timestamp.
Schema ml100k_schema();
std::vector<std::string> ml100k_files(const std::string& dir);
RawTable read_ml100k(const std::string& dir, bool skip_bad_lines);

}  // namespace llactr::data
