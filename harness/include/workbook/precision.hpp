#pragma once
// The precision a typed numeric answer is asked for. The statement and the answers template say it in words
// ("to 3 decimal places"), and the check accepts exactly that: any value that rounds correctly at that
// precision passes, anything further off fails. `workbook dev check` verifies that the reference answers,
// rounded to their precision, still pass.

#include <string>

#include "workbook/check.hpp"

namespace workbook {

class Precision {
 public:
  // |answer - exact| <= half a unit in the last place asked for.
  static Precision decimal_places(int places);
  static Precision significant_figures(int figures);
  // An exact value: integers or simple fractions written out in full (to 1e-9 relative).
  static Precision exact();

  std::string describe() const;  // "to 3 decimal places", "to 4 significant figures", "exactly"
  // The tolerance for one expected value (significant figures depend on its size).
  Tolerance tolerance_for(double expected) const;
  // `value` rounded the way a student following the statement would round it.
  double round(double value) const;

  enum class Kind { decimals, significant, exact };
  Kind kind() const { return kind_; }
  int digits() const { return digits_; }

 private:
  Precision(Kind kind, int digits) : kind_(kind), digits_(digits) {}
  Kind kind_;
  int digits_;
};

// close() under a precision, element by element (arrays of answers).
CheckResult close(const xt::xarray<double>& actual, const xt::xarray<double>& expected, const Precision& precision);
CheckResult close(double actual, double expected, const Precision& precision);

}  // namespace workbook
