// A folder a run will write, checked before any work: a program calls this for each of its output
// folders (--out, --cache-dir, --ssft-dir, --elec-dir ..) before it loads data or trains, so that a
// path it cannot write fails in a fraction of a second, not after the work it was meant to keep.
#pragma once
#include <string>

namespace llactr::data {

// Creates `path` (and its parents) if missing, then writes and removes a small probe file in it.
// Throws std::runtime_error naming the option and the path ("--elec-dir: cannot write the folder
// /proc/nope/ml100k (..): pass a folder you can write").
void require_writable_folder(const std::string& path, const std::string& option);

}  // namespace llactr::data
