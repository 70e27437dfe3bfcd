#include "workbook/check.hpp"

#include <cmath>
#include <sstream>

#include <xtensor/xio.hpp>

namespace workbook {

std::string_view to_string(Status status) {
  switch (status) {
    case Status::pass: return "pass";
    case Status::fail: return "fail";
    case Status::error: return "error";
    case Status::manual: return "manual";
  }
  return "?";
}

std::ostream& operator<<(std::ostream& out, Status status) { return out << to_string(status); }

namespace {
constexpr std::pair<Cause, std::string_view> cause_names[] = {
    {Cause::none, "none"},
    {Cause::no_answer, "no answer"},
    {Cause::bad_answer, "bad answer"},
    {Cause::answers_unreadable, "answers unreadable"},
    {Cause::not_implemented, "not implemented"},
    {Cause::exception, "exception"},
    {Cause::out_of_memory, "out of memory"},
    {Cause::non_finite, "non-finite"},
    {Cause::solution_lost, "solution lost"},
};
}  // namespace

std::string_view to_string(Cause cause) {
  for (const auto& [value, name] : cause_names)
    if (value == cause) return name;
  return "?";
}

Cause cause_from_string(std::string_view text) {
  for (const auto& [value, name] : cause_names)
    if (name == text) return value;
  return Cause::none;
}

nlohmann::json to_json(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  return value;
}

namespace {

nlohmann::json nested(const xt::xarray<double>& values, std::size_t axis, std::size_t offset) {
  auto array = nlohmann::json::array();
  const auto& shape = values.shape();
  std::size_t stride = 1;
  for (std::size_t i = axis + 1; i < shape.size(); ++i) stride *= shape[i];
  for (std::size_t i = 0; i < shape[axis]; ++i) {
    const std::size_t at = offset + i * stride;
    array.push_back(axis + 1 == shape.size() ? to_json(values.flat(at)) : nested(values, axis + 1, at));
  }
  return array;
}

template <class Shape>
std::string shape_text(const Shape& shape) {
  std::ostringstream out;
  out << "(";
  for (std::size_t i = 0; i < shape.size(); ++i) out << (i ? ", " : "") << shape[i];
  out << (shape.size() == 1 ? ",)" : ")");
  return out.str();
}

std::string index_text(const xt::xarray<double>::shape_type& shape, std::size_t flat) {
  std::vector<std::size_t> index(shape.size());
  for (std::size_t i = shape.size(); i-- > 0;) {
    index[i] = flat % shape[i];
    flat /= shape[i];
  }
  std::ostringstream out;
  out << "[";
  for (std::size_t i = 0; i < index.size(); ++i) out << (i ? ", " : "") << index[i];
  out << "]";
  return out.str();
}

// How far one element is from passing: 0 when within tolerance, +inf for a NaN mismatch,
// otherwise |a - e| / (atol + rtol |e|), so > 1 means outside the tolerance.
double excess(double actual, double expected, const Tolerance& tol) {
  const bool nan_a = std::isnan(actual), nan_e = std::isnan(expected);
  if (nan_a || nan_e) return (tol.allow_nan && nan_a && nan_e) ? 0.0 : INFINITY;
  if (std::isinf(actual) || std::isinf(expected)) return actual == expected ? 0.0 : INFINITY;
  const double allowed = tol.atol + tol.rtol * std::fabs(expected);
  const double diff = std::fabs(actual - expected);
  if (diff <= allowed) return 0.0;
  return allowed > 0 ? diff / allowed : INFINITY;
}

std::string number_text(double value) {
  std::ostringstream out;
  out.precision(10);
  out << value;
  return out.str();
}

}  // namespace

nlohmann::json to_json(const xt::xarray<double>& values) {
  if (values.dimension() == 0) return to_json(values());
  for (auto extent : values.shape())
    if (extent == 0) return nlohmann::json::array();
  return nested(values, 0, 0);
}

CheckResult close(double actual, double expected, Tolerance tolerance) {
  return close(xt::xarray<double>(actual), xt::xarray<double>(expected), tolerance);
}

CheckResult close(const xt::xarray<double>& actual, const xt::xarray<double>& expected, Tolerance tol) {
  CheckResult result;
  result.actual = to_json(actual);
  result.expected = to_json(expected);
  result.tolerance = tol;
  if (actual.shape() != expected.shape()) {
    result.status = Status::fail;
    result.message = "shape " + shape_text(actual.shape()) + " where " + shape_text(expected.shape()) +
                     " was expected";
    return result;
  }
  std::size_t worst = 0, failing = 0;
  double worst_excess = 0;
  for (std::size_t i = 0; i < actual.size(); ++i) {
    const double e = excess(actual.flat(i), expected.flat(i), tol);
    if (e > 0) ++failing;
    if (e > worst_excess) worst_excess = e, worst = i;
  }
  if (failing == 0) return result;

  const double a = actual.flat(worst), x = expected.flat(worst);
  const double abs_err = std::fabs(a - x);
  std::ostringstream msg;
  if (actual.dimension() > 0)
    msg << failing << " of " << actual.size() << " elements outside tolerance; worst at "
        << index_text(actual.shape(), worst) << ": ";
  msg << "actual " << number_text(a) << ", expected " << number_text(x);
  if (!std::isfinite(a) && std::isfinite(x)) result.cause = Cause::non_finite;
  if (std::isnan(a) || std::isnan(x)) {
    msg << (tol.allow_nan ? " (NaN matches only NaN)" : " (NaN is not allowed here)");
  } else {
    msg << ", abs error " << number_text(abs_err) << ", rel error "
        << (x != 0 ? number_text(abs_err / std::fabs(x)) : std::string("inf")) << " > allowed "
        << number_text(tol.atol + tol.rtol * std::fabs(x)) << " (atol " << tol.atol << " + rtol "
        << tol.rtol << " x |expected|)";
  }
  result.status = Status::fail;
  result.message = msg.str();
  return result;
}

CheckResult equal(std::int64_t actual, std::int64_t expected) {
  CheckResult result{Status::pass, actual, expected, std::nullopt, ""};
  if (actual != expected) {
    result.status = Status::fail;
    result.message = "got " + std::to_string(actual) + ", expected " + std::to_string(expected);
  }
  return result;
}

CheckResult equal(const std::string& actual, const std::string& expected) {
  CheckResult result{Status::pass, actual, expected, std::nullopt, ""};
  if (actual != expected) {
    result.status = Status::fail;
    result.message = "got \"" + actual + "\", expected \"" + expected + "\"";
  }
  return result;
}

CheckResult equal(const std::vector<std::int64_t>& actual, const std::vector<std::int64_t>& expected) {
  CheckResult result{Status::pass, actual, expected, std::nullopt, ""};
  if (actual.size() != expected.size()) {
    result.status = Status::fail;
    result.message = "length " + std::to_string(actual.size()) + " where " +
                     std::to_string(expected.size()) + " was expected";
    return result;
  }
  for (std::size_t i = 0; i < actual.size(); ++i) {
    if (actual[i] != expected[i]) {
      result.status = Status::fail;
      result.message = "first difference at [" + std::to_string(i) + "]: got " +
                       std::to_string(actual[i]) + ", expected " + std::to_string(expected[i]);
      return result;
    }
  }
  return result;
}

CheckResult holds(bool condition, nlohmann::json shown, std::string failure_message) {
  CheckResult result{condition ? Status::pass : Status::fail, std::move(shown), true, std::nullopt, ""};
  if (!condition) result.message = std::move(failure_message);
  return result;
}

void require_shape(std::string_view function, const std::vector<std::size_t>& shape,
                   const std::vector<std::size_t>& expected) {
  if (shape != expected)
    throw WrongResult(std::string(function) + " returned shape " + shape_text(shape) + " where " +
                      shape_text(expected) + " was expected");
}

}  // namespace workbook
