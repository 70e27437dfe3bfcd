#pragma once
// The three kinds of automatic check (close, equal, property) and the result every check produces.
// A check compares an actual value (from the solution under test) with an expected value that the
// exercise derives itself: a closed form, a published number, an independent oracle or a property.

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>
#include <xtensor/xarray.hpp>

#include "workbook/not_implemented.hpp"

namespace workbook {

enum class Status { pass, fail, error, manual };
std::string_view to_string(Status status);
std::ostream& operator<<(std::ostream& out, Status status);

// numpy's asymmetric rule: |actual - expected| <= atol + rtol * |expected|.
struct Tolerance {
  double rtol = 1e-6;
  double atol = 1e-9;
  bool allow_nan = false;  // when true, NaN matches NaN (and nothing else)
};

// Why a check ended as it did, beyond pass and fail: set where it happens (by the check, the answers reader
// or the runner), carried as a value in reports and JSON, so that rewording a message never changes a grade.
enum class Cause {
  none,                // a verdict on the work itself
  no_answer,           // answers.toml lacks the key
  bad_answer,          // the key is there, but of the wrong type, shape or choice
  answers_unreadable,  // answers.toml is not valid TOML
  not_implemented,     // the function still throws workbook::NotImplemented
  exception,           // the solution threw
  out_of_memory,       // the solution ran out of memory (std::bad_alloc)
  non_finite,          // NaN or Inf where a number was due
  solution_lost,       // the solution's process ended or stopped answering before this check
};
std::string_view to_string(Cause cause);
Cause cause_from_string(std::string_view text);

struct CheckResult {
  Status status = Status::pass;
  nlohmann::json actual;    // a number, nested arrays, a string, or null when nothing was compared
  nlohmann::json expected;
  std::optional<Tolerance> tolerance;  // set by close checks only
  std::string message;                 // why it failed, or how to reproduce a property
  Cause cause = Cause::none;
};

// Numbers and arrays within tolerance. A shape mismatch fails; so does NaN unless allowed.
CheckResult close(double actual, double expected, Tolerance tolerance = {});
CheckResult close(const xt::xarray<double>& actual, const xt::xarray<double>& expected,
                  Tolerance tolerance = {});

// Exact and categorical answers.
CheckResult equal(std::int64_t actual, std::int64_t expected);
CheckResult equal(const std::string& actual, const std::string& expected);
CheckResult equal(const std::vector<std::int64_t>& actual, const std::vector<std::int64_t>& expected);

// A yes/no fact established by a computation in the exercise (a counterexample exists, a residual
// stays above a bound). `shown` is what the computation found, for the report.
CheckResult holds(bool condition, nlohmann::json shown, std::string failure_message);

// What a solution returned that cannot be what was asked (an array of the wrong shape). Thrown from a
// check's helper, it fails that check with its message: a verdict on the work, not an error in it.
class WrongResult : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws WrongResult ("NAME returned shape (2, 3) where (3, 3) was expected") unless `result` has `expected`.
void require_shape(std::string_view function, const std::vector<std::size_t>& shape,
                   const std::vector<std::size_t>& expected);
template <class Array>
void require_shape(std::string_view function, const Array& result, const std::vector<std::size_t>& expected) {
  require_shape(function, std::vector<std::size_t>(result.shape().begin(), result.shape().end()), expected);
}

// JSON for a double: NaN and infinities, which JSON cannot hold, become the strings "nan", "inf", "-inf".
nlohmann::json to_json(double value);
nlohmann::json to_json(const xt::xarray<double>& values);  // nested arrays, row-major

}  // namespace workbook
