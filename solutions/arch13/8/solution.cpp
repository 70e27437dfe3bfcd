// Reference solution for arch13/8. For one pair, R(a) is the rotation by a, and R(a)^T R(b) = R(b - a): a rotation
// undone by the other's. So rope(q, m) . rope(k, n) = sum over pairs of q_pair^T R(m theta)^T R(n theta) k_pair
// = sum of q_pair^T R((n - m) theta) k_pair, which depends on n - m alone.

#include "arch13/8/interface.hpp"

#include <cmath>

namespace arch13_8 {

namespace {

double pair_angle(double position, std::size_t i, std::size_t d, double base) {
  return position * std::pow(base, -double(2 * i) / double(d));
}

}  // namespace

xt::xtensor<double, 2> rope(const xt::xtensor<double, 2>& x, const std::vector<std::int64_t>& positions, double base) {
  const std::size_t d = x.shape(1), half = d / 2;
  xt::xtensor<double, 2> out = x;
  for (std::size_t t = 0; t < x.shape(0); ++t) {
    for (std::size_t i = 0; i < half; ++i) {
      const double a = pair_angle(double(positions[t]), i, d, base);
      const double first = x(t, i), second = x(t, i + half);
      out(t, i) = first * std::cos(a) - second * std::sin(a);
      out(t, i + half) = first * std::sin(a) + second * std::cos(a);
    }
  }
  return out;
}

// q_pair^T R(b) k_pair with R(b) = [[cos b, -sin b], [sin b, cos b]]:
//   q1 (k1 cos b - k2 sin b) + q2 (k1 sin b + k2 cos b).
double relative_score(const std::vector<double>& q, const std::vector<double>& k, std::int64_t offset, double base) {
  const std::size_t d = q.size(), half = d / 2;
  double score = 0;
  for (std::size_t i = 0; i < half; ++i) {
    const double b = pair_angle(double(offset), i, d, base);
    const double q1 = q[i], q2 = q[i + half], k1 = k[i], k2 = k[i + half];
    score += q1 * (k1 * std::cos(b) - k2 * std::sin(b)) + q2 * (k1 * std::sin(b) + k2 * std::cos(b));
  }
  return score;
}

}  // namespace arch13_8
