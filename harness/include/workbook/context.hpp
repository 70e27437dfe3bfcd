#pragma once
// What a running check may use: the run's seed, its random streams, its budget and the answers.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <random>
#include <string_view>

#include "workbook/answers.hpp"

namespace workbook {

class Context {
 public:
  Context(std::uint64_t seed, bool full_budget, Answers answers, std::optional<std::filesystem::path> data = {})
      : seed_(seed), full_(full_budget), answers_(std::move(answers)), data_(std::move(data)) {}

  std::uint64_t seed() const { return seed_; }
  // An independent, reproducible stream per name, so adding a check never shifts another's numbers.
  std::mt19937_64 rng(std::string_view stream_name) const;
  std::uint64_t seed_for(std::string_view stream_name) const;
  // false: the quick budget (<= 10 s per exercise); true: the sizes the exercise asks for (--full).
  bool full() const { return full_; }
  const Answers& answers() const { return answers_; }
  // --data PATH: a real data set the user has (CIFAR-10's binary batches, IMDB's folder, GPT-2's weights), which
  // the exercise reads with the library's reader in place of the small set it generates in that format.
  const std::optional<std::filesystem::path>& data() const { return data_; }

 private:
  std::uint64_t seed_;
  bool full_;
  Answers answers_;
  std::optional<std::filesystem::path> data_;
};

}  // namespace workbook
