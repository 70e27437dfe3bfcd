#pragma once
// Pen-and-paper answers, read from TOML. One table per exercise, one key per answer:
//
//   [ch10."10.1"]
//   a = [1.0, 1.0, 2.0]
//
// A student's answers.toml holds every exercise's table; a reference answers file
// (solutions/<collection>/<number>/answers.toml) holds one exercise's keys, its table implied by its folder.

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <xtensor/xarray.hpp>

#include "workbook/check.hpp"

namespace workbook {

// A missing key, a value of the wrong type or shape, a choice outside the options.
class AnswerError : public std::runtime_error {
 public:
  explicit AnswerError(const std::string& what, Cause cause = Cause::bad_answer) : std::runtime_error(what), cause_(cause) {}
  Cause cause() const { return cause_; }

 private:
  Cause cause_;
};

// A file that is not valid TOML: names the file, line and column.
class AnswersFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The answers of one exercise.
class Answers {
 public:
  Answers();  // no answers at all: every lookup reports the key as missing
  struct Table;  // the exercise's TOML table (defined in answers.cpp, so that toml++ stays out of headers)
  Answers(std::string exercise_id, std::shared_ptr<const Table> table, std::string unreadable = "");

  double number(const std::string& key) const;
  std::int64_t integer(const std::string& key) const;
  std::string text(const std::string& key) const;
  std::string choice(const std::string& key, const std::vector<std::string>& options) const;
  // An array of numbers with exactly this shape (nested TOML arrays for 2-D and up).
  xt::xarray<double> array(const std::string& key, const std::vector<std::size_t>& shape) const;

  // The keys this exercise's table holds (to report keys that no part asks for).
  std::vector<std::string> keys() const;

 private:
  std::string exercise_id_;
  std::shared_ptr<const Table> table_;  // null when the exercise has no answers table
  std::string unreadable_;              // why the answers file could not be read, if it could not
};

// Every exercise's answers, from one or more TOML files or strings.
class AnswerBook {
 public:
  void add_file(const std::string& path);
  void add_text(const std::string& toml_text, const std::string& source_name);
  // One exercise's answers without the table header (a reference answers.toml in solutions/<id>/).
  void add_exercise_text(const std::string& exercise_id, const std::string& toml_text, const std::string& source_name);
  Answers for_exercise(const std::string& exercise_id) const;
  // Marks the whole book unreadable (a malformed file): every answer lookup then reports `why`.
  void mark_unreadable(std::string why) { unreadable_ = std::move(why); }
  // Overwrites one answer (used by tests to feed a deliberately wrong value).
  void set_number(const std::string& exercise_id, const std::string& key, double value);
  void set_integer(const std::string& exercise_id, const std::string& key, std::int64_t value);
  void set_text(const std::string& exercise_id, const std::string& key, const std::string& value);
  void set_array(const std::string& exercise_id, const std::string& key, const xt::xarray<double>& value);

 private:
  struct Root;
  std::shared_ptr<Root> root_;
  std::string unreadable_;
};

}  // namespace workbook
