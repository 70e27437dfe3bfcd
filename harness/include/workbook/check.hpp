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

namespace workbook {

enum class Status { pass, fail, error, manual };
std::string_view to_string(Status status);
std::ostream& operator<<(std::ostream& out, Status status);

// What a scaffolded function throws until the student writes it (`workbook init`): the check reports
// "not implemented" instead of a failure of some other kind.
class NotImplemented : public std::logic_error {
 public:
  explicit NotImplemented(const std::string& function) : std::logic_error("not implemented: " + function) {}
};

// numpy's asymmetric rule: |actual - expected| <= atol + rtol * |expected|.
struct Tolerance {
  double rtol = 1e-6;
  double atol = 1e-9;
  bool allow_nan = false;  // when true, NaN matches NaN (and nothing else)
};

struct CheckResult {
  Status status = Status::pass;
  nlohmann::json actual;    // a number, nested arrays, a string, or null when nothing was compared
  nlohmann::json expected;
  std::optional<Tolerance> tolerance;  // set by close checks only
  std::string message;                 // why it failed, or how to reproduce a property
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

// JSON for a double: NaN and infinities, which JSON cannot hold, become the strings "nan", "inf", "-inf".
nlohmann::json to_json(double value);
nlohmann::json to_json(const xt::xarray<double>& values);  // nested arrays, row-major

}  // namespace workbook
