#include "workbook/precision.hpp"

#include <cmath>

namespace workbook {

namespace {
// A correctly rounded answer is at most half a unit away; the slack absorbs the binary representation of
// the decimal answer and of the exact value (a relative 1e-12), so that the boundary case still passes.
constexpr double boundary_slack = 1e-12;
}  // namespace

Precision Precision::decimal_places(int places) { return Precision(Kind::decimals, places); }
Precision Precision::significant_figures(int figures) { return Precision(Kind::significant, figures); }
Precision Precision::exact() { return Precision(Kind::exact, 0); }

std::string Precision::describe() const {
  switch (kind_) {
    case Kind::decimals: return "to " + std::to_string(digits_) + (digits_ == 1 ? " decimal place" : " decimal places");
    case Kind::significant:
      return "to " + std::to_string(digits_) + (digits_ == 1 ? " significant figure" : " significant figures");
    case Kind::exact: return "exactly";
  }
  return "";
}

Tolerance Precision::tolerance_for(double expected) const {
  const double magnitude = std::abs(expected);
  switch (kind_) {
    case Kind::decimals: return {boundary_slack, 0.5 * std::pow(10.0, -digits_) * (1 + boundary_slack)};
    case Kind::significant: {
      if (magnitude == 0) return {0, 0};
      const double unit = std::pow(10.0, std::floor(std::log10(magnitude)) - digits_ + 1);
      return {boundary_slack, 0.5 * unit * (1 + boundary_slack)};
    }
    case Kind::exact: return {1e-9, 1e-12};
  }
  return {};
}

double Precision::round(double value) const {
  switch (kind_) {
    case Kind::decimals: {
      const double scale = std::pow(10.0, digits_);
      return std::round(value * scale) / scale;
    }
    case Kind::significant: {
      if (value == 0) return 0;
      const double unit = std::pow(10.0, std::floor(std::log10(std::abs(value))) - digits_ + 1);
      return std::round(value / unit) * unit;
    }
    case Kind::exact: return value;
  }
  return value;
}

CheckResult close(const xt::xarray<double>& actual, const xt::xarray<double>& expected, const Precision& precision) {
  if (actual.shape() != expected.shape() || expected.size() == 0)
    return close(actual, expected, precision.tolerance_for(0));
  // The loosest element's tolerance would be too loose for the others: check element by element and
  // report the first failure (with every element's own tolerance).
  CheckResult worst;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    auto r = close(actual.flat(i), expected.flat(i), precision.tolerance_for(expected.flat(i)));
    if (r.status != Status::pass) {
      if (expected.dimension() > 0) r.message = "entry " + std::to_string(i) + ": " + r.message;
      r.actual = to_json(actual);
      r.expected = to_json(expected);
      return r;
    }
    worst.tolerance = r.tolerance;
  }
  worst.actual = to_json(actual);
  worst.expected = to_json(expected);
  return worst;
}

CheckResult close(double actual, double expected, const Precision& precision) {
  return close(actual, expected, precision.tolerance_for(expected));
}

}  // namespace workbook
