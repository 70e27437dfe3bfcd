#pragma once
// The IMDB large movie review data set as its archive unpacks (aclImdb_v1.tar.gz): aclImdb/train/pos,
// aclImdb/train/neg, aclImdb/test/pos, aclImdb/test/neg, one review per .txt file (named <id>_<rating>.txt).
// Other entries of the folder (unsup/, the .feat and url files, imdb.vocab) are ignored.
#include <filesystem>
#include <string>
#include <vector>

#include "nn/tensor.hpp"

namespace nn {

enum class ImdbSplit { train, test };

struct ImdbData {
  std::vector<std::string> texts;  // the reviews' raw bytes (they contain HTML line breaks "<br />")
  Tokens labels;                   // 0 negative, 1 positive; labels[i] is texts[i]'s
};

// Reads the split of the folder aclImdb: the negative reviews, then the positive ones, each class in the order
// of its file names (sorted as strings). Throws std::runtime_error naming the path when the split or a class
// folder is missing or not a folder, a class folder holds no .txt file, or a review cannot be read.
ImdbData read_imdb(const std::filesystem::path& folder, ImdbSplit split);

}  // namespace nn
