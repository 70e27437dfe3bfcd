#pragma once
// The exercise model. An exercise is one translation unit that describes itself with
// WORKBOOK_EXERCISE: its statement, its parts with their points, and each part's checks.
//
//   WORKBOOK_EXERCISE {
//     ex.title = "Attention by hand";
//     auto& a = ex.part("a", 1, "Compute the raw scores q·k_i.");
//     a.array_answer("a", "the three scores", {3}, [] { return raw_scores_oracle(); });
//   }
//
// Describing an exercise is cheap and runs nothing: `list`, `show` and `docs` read the description;
// only `run` calls the check functions.

#include <deque>
#include <optional>
#include <functional>
#include <string>
#include <vector>

#include "workbook/check.hpp"
#include "workbook/context.hpp"
#include "workbook/plot.hpp"
#include "workbook/precision.hpp"

namespace workbook {

enum class Tag { numeric, proof, implementation, conceptual, plot };
std::string_view to_string(Tag tag);

enum class CheckKind { close, equal, property, manual };
std::string_view to_string(CheckKind kind);

using CheckFn = std::function<CheckResult(const Context&)>;
using ExpectedNumber = std::function<double()>;
using ExpectedArray = std::function<xt::xarray<double>()>;

// What a pen-and-paper part asks the student to write in answers.toml.
struct AnswerSpec {
  enum class Kind { number, integer, array, choice, text };
  std::string key;
  Kind kind = Kind::number;
  std::string prompt;                // what is asked, in a few words
  std::vector<std::size_t> shape;    // arrays only
  std::vector<std::string> choices;  // choices only
  std::string unit;                  // e.g. "FLOPs", "MiB"; empty when unitless
  std::optional<Precision> precision;  // numbers and arrays: what the statement asks for, and the tolerance
};

struct Check {
  std::string name;      // short, unique within the part
  std::string verifies;  // what is compared with what, in a sentence (shown by `show`)
  CheckKind kind = CheckKind::close;
  CheckFn run;           // empty for manual checks
  bool answer = false;   // checks a pen-and-paper answer: its expected value is withheld from students
};

struct Part {
  std::string label;   // "a", "b", ...
  int points = 1;         // awarded by the automatic checks (all of them when the part is purely manual)
  int manual_points = 0;  // awarded by a person with the rubric, in a part that also has automatic checks
  bool graded_by_hand = false;  // our answer and the rubric: solutions/<id>/instructor.toml, never shown to students
  std::string prompt;     // the question, in our words
  std::vector<AnswerSpec> answers;
  std::vector<Check> checks;
  std::vector<std::string> hints;

  // A general check: `run` computes the actual value from the solution and compares it.
  Part& check(std::string name, CheckKind kind, std::string verifies, CheckFn run);
  // Pen-and-paper answers compared with a value the exercise derives (closed form or oracle), accepted at
  // exactly the stated precision (shown to the student with the prompt and in the answers template).
  Part& number_answer(std::string key, std::string prompt, ExpectedNumber expected, Precision precision,
                      std::string unit = "");
  Part& array_answer(std::string key, std::string prompt, std::vector<std::size_t> shape, ExpectedArray expected,
                     Precision precision, std::string unit = "");
  // The same with a bare tolerance: states no precision, which `workbook dev check` refuses (kept while the
  // older exercises move to precisions).
  Part& number_answer(std::string key, std::string prompt, ExpectedNumber expected,
                      Tolerance tolerance = {}, std::string unit = "");
  Part& array_answer(std::string key, std::string prompt, std::vector<std::size_t> shape,
                     ExpectedArray expected, Tolerance tolerance = {}, std::string unit = "");
  Part& integer_answer(std::string key, std::string prompt, std::int64_t expected,
                       std::string unit = "");
  // A typed number whose right value depends on the student's other answers (an estimate of their own
  // design): `expected` computes it from the context's answers.
  Part& derived_answer(std::string key, std::string prompt, std::function<double(const Context&)> expected,
                       Precision precision, std::string unit = "");
  // A typed answer with no single right value (a design choice): asked for and shown in the template, judged
  // only by the part's checks that read it.
  Part& open_answer(std::string key, std::string prompt, AnswerSpec::Kind kind, std::string unit = "");
  Part& choice_answer(std::string key, std::string prompt, std::vector<std::string> choices,
                      std::string expected);
  // A conceptual part, or the explained half of a part: a person grades it with the rubric of
  // solutions/<id>/instructor.toml; reported as manual, never counted as passed. `points` counts only when
  // the part also has automatic checks (a purely manual part is worth its own points).
  Part& manual(int points = 1);
  Part& hint(std::string text);

  bool has_automatic_checks() const;
  bool has_rubric() const { return graded_by_hand; }
  // Everything the part is worth: its points, plus the rubric's when it also has automatic checks.
  int total_points() const { return points + (has_rubric() && has_automatic_checks() ? manual_points : 0); }
};

using PlotFn = std::function<Plot(const Context&)>;

struct PlotSpec {
  std::string name;     // file stem, unique within the exercise
  std::string caption;  // what the figure shows
  PlotFn make;
};

struct Exercise {
  std::string id;         // "<collection>/<number>", e.g. "ch10/10.12"
  std::string title;
  std::string statement;  // the shared setting; each part adds its own question
  int stars = 0;          // 0 when the seed gives none
  std::vector<Tag> tags;
  std::deque<Part> parts;  // a deque: references from part() stay valid as parts are added
  std::vector<PlotSpec> plots;
  double timeout_seconds = 0;  // grading: this exercise's wall-clock limit when it needs more than the default
  std::vector<std::string> interface_functions;  // what a solution implements (interface.hpp); empty: answers only

  bool asks_for_code() const { return !interface_functions.empty(); }

  Part& part(std::string label, int points, std::string prompt);
  void plot(std::string name, std::string caption, PlotFn make);
  std::string collection() const;  // the text before the '/'
  std::string number() const;      // the text after it
  int total_points() const;
};

using DefineFn = void (*)(Exercise&);

// One static object per exercise translation unit adds the exercise to the registry at start-up.
struct Registrar {
  Registrar(const char* id, DefineFn define);
  // The id from the file's path, .../exercises/<collection>/<number>/exercise.cpp.
  struct FromPath {
    const char* file;
  };
  Registrar(FromPath path, DefineFn define);
};

}  // namespace workbook

#define WORKBOOK_CAT_(a, b) a##b
#define WORKBOOK_CAT(a, b) WORKBOOK_CAT_(a, b)
// An exercise with an explicit id: for tests that register several made-up exercises in one file.
#define WORKBOOK_EXERCISE_WITH_ID(ID)                                                    \
  static void WORKBOOK_CAT(workbook_define_, __LINE__)(::workbook::Exercise & ex);      \
  static const ::workbook::Registrar WORKBOOK_CAT(workbook_registrar_, __LINE__){       \
      ID, &WORKBOOK_CAT(workbook_define_, __LINE__)};                                   \
  static void WORKBOOK_CAT(workbook_define_, __LINE__)(::workbook::Exercise & ex)
// The exercise of this translation unit. Its id is its folder, exercises/<collection>/<number>/, read from
// the file's own path: an id is never typed by hand. (Not a -D definition: a macro defined per file would
// keep the compiler from using the precompiled header.)
#define WORKBOOK_EXERCISE WORKBOOK_EXERCISE_WITH_ID(::workbook::Registrar::FromPath{__FILE__})
