#pragma once
// Finite-difference gradient checks in double precision, run as RapidCheck properties over random
// shapes. A layer's output `out` is reduced to the scalar L = sum(out * R) with R fixed and random, so
// dL/dout = R; the backward's gradients are compared with central differences of L.
#include <algorithm>
#include <cmath>
#include <functional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "nn/tensor.hpp"
#include "workbook/property.hpp"

namespace nn_test {

using Mat = nn::Matrix<double>;
using Vec = nn::Vector<double>;

inline Mat random_matrix(std::size_t rows, std::size_t cols, std::mt19937_64& rng, double scale = 1.0) {
  std::normal_distribution<double> normal(0.0, scale);
  Mat m = Mat::from_shape({rows, cols});
  for (auto& x : m) x = normal(rng);
  return m;
}

inline Vec random_vector(std::size_t size, std::mt19937_64& rng, double scale = 1.0) {
  std::normal_distribution<double> normal(0.0, scale);
  Vec v = Vec::from_shape({size});
  for (auto& x : v) x = normal(rng);
  return v;
}

// sum(out * r): the scalar loss whose gradient with respect to out is r.
template <class E1, class E2>
double project(const E1& out, const E2& r) {
  double total = 0;
  for (std::size_t i = 0; i < out.size(); ++i) total += out.data()[i] * r.data()[i];
  return total;
}

// One tensor whose gradient is checked: its values (perturbed in place) and the analytic gradient.
struct Checked {
  std::string name;
  double* value;
  const double* grad;
  std::size_t size;
};

template <class C>
Checked checked(std::string name, C& value, const C& grad) {
  return {std::move(name), value.data(), grad.data(), value.size()};
}

// The largest error over the tensors, relative to the tensor's largest numerical gradient:
// max_i |analytic_i - numeric_i| / max(max_i |numeric_i|, 1e-4). Central differences with step h.
// The floor: rounding leaves ~1e-10 of noise in a central difference, so a tensor whose true gradient is 0
// (or tiny) would fail a purely relative test; below 1e-4 the check becomes absolute, |error| <= 1e-10.
inline constexpr double gradient_scale_floor = 1e-4;
struct GradcheckResult {
  double max_rel_error = 0;
  std::string worst;  // "name[index]: analytic a, numeric n"
};

inline GradcheckResult gradcheck(const std::function<double()>& loss, const std::vector<Checked>& tensors,
                                 double h = 1e-6) {
  GradcheckResult result;
  for (const auto& t : tensors) {
    std::vector<double> numeric(t.size);
    for (std::size_t i = 0; i < t.size; ++i) {
      const double saved = t.value[i];
      t.value[i] = saved + h;
      const double up = loss();
      t.value[i] = saved - h;
      const double down = loss();
      t.value[i] = saved;
      numeric[i] = (up - down) / (2 * h);
    }
    double scale = gradient_scale_floor;
    for (double n : numeric) scale = std::max(scale, std::abs(n));
    for (std::size_t i = 0; i < t.size; ++i) {
      const double rel = std::abs(t.grad[i] - numeric[i]) / scale;
      if (rel > result.max_rel_error || result.worst.empty()) {
        result.max_rel_error = std::max(result.max_rel_error, rel);
        std::ostringstream worst;
        worst << t.name << "[" << i << "]: analytic " << t.grad[i] << ", numeric " << numeric[i];
        if (rel >= result.max_rel_error) result.worst = worst.str();
      }
    }
  }
  return result;
}

inline constexpr double gradcheck_tolerance = 1e-6;

// RC_ASSERT-style: fails the current RapidCheck case with the worst element named.
inline void require_gradients_match(const GradcheckResult& r) {
  if (!(r.max_rel_error <= gradcheck_tolerance))
    RC_FAIL("relative error " + std::to_string(r.max_rel_error) + " > 1e-6 at " + r.worst);
}

// Random draws inside a property. RapidCheck scales a generator's range by size / 100, so at the small sizes
// our budgets use `*rc::gen::inRange(1, 6)` would always give 1; these draw from the full range.
inline std::size_t draw(std::size_t lo, std::size_t hi) {  // in [lo, hi)
  return *rc::gen::resize(100, rc::gen::inRange(lo, hi));
}
inline std::vector<std::size_t> draw_many(std::size_t count, std::size_t lo, std::size_t hi) {
  return *rc::gen::resize(100, rc::gen::container<std::vector<std::size_t>>(count, rc::gen::inRange(lo, hi)));
}
inline std::uint64_t draw_seed() { return *rc::gen::resize(100, rc::gen::arbitrary<std::uint64_t>()); }

// Runs a RapidCheck property with a fixed seed (repeatable CI) and reports its counterexample to Boost.Test.
template <class Testable>
void check_property(Testable&& testable, int cases = 30, int max_size = 100) {
  const auto result = workbook::property(20261125, std::forward<Testable>(testable), {cases, max_size});
  BOOST_TEST((result.status == workbook::Status::pass), result.message);
}

}  // namespace nn_test
