#pragma once
// A deliberately wrong solution names the checks ("part/check") that it must make fail.

#include <string>
#include <vector>

namespace workbook::testing {

struct ExpectedFailures {
  std::string exercise_id;
  std::vector<std::string> checks;  // "b/B=16": part label, a slash, check name
};

// Defined once in each tests/wrong/<collection>/<number>.cpp.
extern const ExpectedFailures expected_failures;

}  // namespace workbook::testing
