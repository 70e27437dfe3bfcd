// manual/10: the sinusoidal encoding turns a shift of k positions into a fixed block-diagonal rotation,
// r_{n+k} = T_k r_n. The oracle encoding (workbook/oracle_tokens.hpp) is written out coordinate by
// coordinate; T_k is checked against it as a property, against a least-squares fit of the shift from
// data, and for its structure. The sine-only failure is a least-squares computation.

#include "manual/10/interface.hpp"

#include <xtensor-blas/xlinalg.hpp>

#include "workbook/oracle_tokens.hpp"

namespace {

using workbook::Context;
using workbook::oracle::Vector;

// Sines of arguments up to ~1e4 carry absolute rounding errors of ~1e-12.
const workbook::Tolerance trig_rounding{0, 1e-9};

bool passes(const workbook::CheckResult& result) { return result.status == workbook::Status::pass; }

xt::xtensor<double, 2> oracle_encodings(std::int64_t first, std::size_t count, std::size_t d, double length_scale) {
  xt::xtensor<double, 2> rows = xt::xtensor<double, 2>::from_shape({count, d});
  for (std::size_t i = 0; i < count; ++i) {
    const auto r = workbook::oracle::sinusoidal_position(double(first + std::int64_t(i)), d, length_scale);
    std::copy(r.begin(), r.end(), rows.begin() + i * d);
  }
  return rows;
}

// The sine-only encoding s_n = [sin(n omega_j)]_j: the even coordinates of r_n.
xt::xtensor<double, 2> sine_columns(const xt::xtensor<double, 2>& full) {
  xt::xtensor<double, 2> sines = xt::xtensor<double, 2>::from_shape({full.shape(0), full.shape(1) / 2});
  for (std::size_t n = 0; n < full.shape(0); ++n)
    for (std::size_t j = 0; j < sines.shape(1); ++j) sines(n, j) = full(n, 2 * j);
  return sines;
}

// The best linear map from inputs to targets (rows are samples): M minimising ||targets - inputs M||_F,
// and the relative residual ||targets - inputs M||_F / ||targets||_F. In row form M is the transpose of
// the matrix acting on column vectors.
struct Fit {
  xt::xtensor<double, 2> map;
  double relative_residual;
};
Fit least_squares(const xt::xtensor<double, 2>& inputs, const xt::xtensor<double, 2>& targets) {
  const xt::xtensor<double, 2> map = std::get<0>(xt::linalg::lstsq(inputs, targets));
  const xt::xtensor<double, 2> predicted = xt::linalg::dot(inputs, map);
  double miss = 0, total = 0;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    miss += (targets.flat(i) - predicted.flat(i)) * (targets.flat(i) - predicted.flat(i));
    total += targets.flat(i) * targets.flat(i);
  }
  return {map, std::sqrt(miss / total)};
}

// The fit of s_{n+k} from s_n over positions 0 .. count-1 (sine-only when `sine_only`).
Fit shift_fit(std::int64_t k, std::size_t d, double length_scale, std::size_t count, bool sine_only) {
  const auto now = oracle_encodings(0, count, d, length_scale);
  const auto later = oracle_encodings(k, count, d, length_scale);
  return sine_only ? least_squares(sine_columns(now), sine_columns(later)) : least_squares(now, later);
}

// max_n |T_k r_n - r_{n+k}| over the given positions, with the oracle encoding.
double worst_shift_error(const xt::xtensor<double, 2>& t, std::int64_t k, const std::vector<std::int64_t>& positions,
                         std::size_t d, double length_scale) {
  double worst = 0;
  for (auto n : positions) {
    const auto r = workbook::oracle::sinusoidal_position(double(n), d, length_scale);
    const auto target = workbook::oracle::sinusoidal_position(double(n + k), d, length_scale);
    for (std::size_t i = 0; i < d; ++i) {
      double row = 0;
      for (std::size_t c = 0; c < d; ++c) row += t(i, c) * r[c];
      worst = std::max(worst, std::abs(row - target[i]));
    }
  }
  return worst;
}

// Largest deviation of T from "2x2 rotation blocks on the diagonal, zeros elsewhere".
double block_rotation_defect(const xt::xtensor<double, 2>& t) {
  double worst = 0;
  for (std::size_t i = 0; i < t.shape(0); ++i)
    for (std::size_t c = 0; c < t.shape(1); ++c)
      if (i / 2 != c / 2) worst = std::max(worst, std::abs(t(i, c)));
  for (std::size_t j = 0; 2 * j < t.shape(0); ++j) {
    const double a = t(2 * j, 2 * j), b = t(2 * j, 2 * j + 1), c = t(2 * j + 1, 2 * j), e = t(2 * j + 1, 2 * j + 1);
    worst = std::max({worst, std::abs(a - e), std::abs(b + c), std::abs(a * a + b * b - 1)});
  }
  return worst;
}

// Random even width, length scale and shift for the properties.
struct Setting {
  std::size_t d;
  double length_scale;
  std::int64_t k;
};
Setting random_setting() {
  return {2 * *rc::gen::inRange<std::size_t>(1, 17), *rc::gen::element(10.0, 100.0, 10000.0),
          *rc::gen::inRange<std::int64_t>(-1000, 1001)};
}

constexpr std::size_t fit_width = 16;
constexpr double fit_length_scale = 100;  // over 1000 positions even the slowest pair turns ~18 radians
constexpr std::size_t fit_positions = 1000;
const std::vector<std::int64_t> sine_only_shifts = {1, 2, 5, 10};

}  // namespace

WORKBOOK_EXERCISE {
  using workbook::CheckKind;
  ex.title = "Sinusoidal positions: a shift is a rotation";
  ex.tags = {workbook::Tag::implementation, workbook::Tag::proof, workbook::Tag::conceptual, workbook::Tag::plot};
  ex.statement =
      "Encode position n as r_n in R^D (D even) using D/2 frequencies omega_j = L^(-2j/D), j = 0 .. D/2 - 1: "
      "coordinate 2j is sin(n omega_j) and coordinate 2j+1 is cos(n omega_j). Show that moving k positions "
      "along is a linear map that does not depend on where you start: r_{n+k} = T_k r_n, with T_k "
      "block-diagonal and each 2x2 block a rotation. Then explain why an encoding with only the sines "
      "would not have this property. Implement sinusoidal_encoding and shift_matrix.";

  ex.part("a", 1, "Implement sinusoidal_encoding.")
      .check("oracle", CheckKind::close,
             "r_n for n = 0..63, D = 16, L = 10000, stacked as rows, against the coordinate-by-coordinate formula",
             [](const Context&) {
               xt::xarray<double> got = xt::xarray<double>::from_shape({64, fit_width});
               for (std::size_t n = 0; n < 64; ++n) {
                 const auto r = manual_10::sinusoidal_encoding(std::int64_t(n), fit_width, 10000.0);
                 if (r.size() != fit_width) throw std::runtime_error("sinusoidal_encoding returned the wrong length");
                 std::copy(r.begin(), r.end(), got.begin() + n * fit_width);
               }
               return workbook::close(got, oracle_encodings(0, 64, fit_width, 10000.0), {0, 1e-12});
             });

  auto& b = ex.part("b", 3, "Implement shift_matrix and show r_{n+k} = T_k r_n, with T_k the same for every n.");
  b.check("any n, k", CheckKind::property,
          "for random even D <= 32, L in {10, 100, 10000}, |k| <= 1000 and 10 random positions |n| <= 10000, "
          "T_k r_n equals r_{n+k} within 1e-9",
          [](const Context& ctx) {
            return workbook::property(ctx.seed_for("b-property"), [] {
              const auto s = random_setting();
              const auto positions =
                  *rc::gen::container<std::vector<std::int64_t>>(10, rc::gen::inRange<std::int64_t>(-10000, 10001));
              const auto t = manual_10::shift_matrix(s.k, s.d, s.length_scale);
              RC_ASSERT(t.shape(0) == s.d && t.shape(1) == s.d);
              RC_ASSERT(worst_shift_error(t, s.k, positions, s.d, s.length_scale) <= 1e-9);
            });
          });
  b.check("independent of n", CheckKind::close,
          "one matrix T_7 (D = 16, L = 10000) applied at every position n = 0..2000: the largest "
          "|T_7 r_n - r_{n+7}| is 0 within 1e-9",
          [](const Context&) {
            std::vector<std::int64_t> positions(2001);
            std::iota(positions.begin(), positions.end(), std::int64_t{0});
            return workbook::close(worst_shift_error(manual_10::shift_matrix(7, fit_width, 10000.0), 7, positions,
                                                     fit_width, 10000.0),
                                   0.0, trig_rounding);
          });
  b.check("fit", CheckKind::close,
          "T_k for k = 1, 5, 37 (D = 16, L = 100) against the matrix a least-squares fit finds from the pairs "
          "(r_n, r_{n+k}), n = 0..999: the shift matrix recovered from data",
          [](const Context&) {
            xt::xarray<double> got = xt::zeros<double>({std::size_t{3}, fit_width, fit_width}), want = got;
            const std::int64_t shifts[] = {1, 5, 37};
            for (std::size_t i = 0; i < 3; ++i) {
              const xt::xtensor<double, 2> fitted =
                  xt::transpose(shift_fit(shifts[i], fit_width, fit_length_scale, fit_positions, false).map);
              const auto t = manual_10::shift_matrix(shifts[i], fit_width, fit_length_scale);
              for (std::size_t r = 0; r < fit_width; ++r)
                for (std::size_t c = 0; c < fit_width; ++c) {
                  got(i, r, c) = t(r, c);
                  want(i, r, c) = fitted(r, c);
                }
            }
            return workbook::close(got, want, trig_rounding);
          });
  b.hint("Expand sin((n + k) omega) and cos((n + k) omega) and read off the coefficients of sin(n omega) and "
         "cos(n omega).");

  auto& c = ex.part("c", 2, "Show that T_k is block-diagonal with 2x2 rotation blocks, orthogonal, and that "
                            "T_0 = I and T_j T_k = T_{j+k}.");
  c.check("rotation blocks", CheckKind::property,
          "for random D, L, k: entries outside the 2x2 diagonal blocks are 0 and each block is [[a, b], [-b, a]] "
          "with a^2 + b^2 = 1, within 1e-12",
          [](const Context& ctx) {
            return workbook::property(ctx.seed_for("c-blocks"), [] {
              const auto s = random_setting();
              RC_ASSERT(block_rotation_defect(manual_10::shift_matrix(s.k, s.d, s.length_scale)) <= 1e-12);
            });
          });
  c.check("orthogonal", CheckKind::property, "for random D, L, k: T_k^T T_k = I within 1e-12",
          [](const Context& ctx) {
            return workbook::property(ctx.seed_for("c-orthogonal"), [] {
              const auto s = random_setting();
              const auto t = manual_10::shift_matrix(s.k, s.d, s.length_scale);
              const xt::xtensor<double, 2> gram = xt::linalg::dot(xt::transpose(t), t);
              RC_ASSERT(passes(workbook::close(gram, xt::eye<double>(s.d), {0, 1e-12})));
            });
          });
  c.check("composition", CheckKind::property,
          "for random D, L, j, k: T_0 = I and T_j T_k = T_{j+k} within 1e-9",
          [](const Context& ctx) {
            return workbook::property(ctx.seed_for("c-compose"), [] {
              const auto s = random_setting();
              const auto j = *rc::gen::inRange<std::int64_t>(-1000, 1001);
              const xt::xtensor<double, 2> product = xt::linalg::dot(manual_10::shift_matrix(j, s.d, s.length_scale),
                                                                     manual_10::shift_matrix(s.k, s.d, s.length_scale));
              RC_ASSERT(passes(workbook::close(manual_10::shift_matrix(0, s.d, s.length_scale), xt::eye<double>(s.d),
                                               {0, 1e-12})));
              RC_ASSERT(passes(workbook::close(product, manual_10::shift_matrix(j + s.k, s.d, s.length_scale),
                                               trig_rounding)));
            });
          });

  auto& d = ex.part("d", 2, "Keep only the sines, s_n = [sin(n omega_j)]_j. Is there still one matrix M with "
                            "s_{n+k} = M s_n for all n? Fit the best M by least squares over positions 0..999 (D = 16, "
                            "L = 100, k = 1), give its relative residual, and explain.");
  d.choice_answer("d_exists", "for k = 1, does such an M exist?", {"yes", "no"}, "no");
  d.number_answer("d_residual",
                  "for k = 1 (D = 16, L = 100, positions 0..999): the relative residual "
                  "||S_later - S_now M|| / ||S_later|| of the best least-squares M on the sines alone",
                  [] { return shift_fit(1, fit_width, fit_length_scale, fit_positions, true).relative_residual; },
                  {1e-3, 0});
  d.check("with cosines", CheckKind::close,
          "the same fit on your full encoding (sines and cosines, k = 1, 2, 5, 10) leaves a relative residual "
          "of 0 within 1e-9",
          [](const Context&) {
            double worst = 0;
            for (auto k : sine_only_shifts) {
              xt::xtensor<double, 2> now = xt::xtensor<double, 2>::from_shape({fit_positions, fit_width});
              xt::xtensor<double, 2> later = now;
              for (std::size_t n = 0; n < fit_positions; ++n) {
                const auto a = manual_10::sinusoidal_encoding(std::int64_t(n), fit_width, fit_length_scale);
                const auto b = manual_10::sinusoidal_encoding(std::int64_t(n) + k, fit_width, fit_length_scale);
                std::copy(a.begin(), a.end(), now.begin() + n * fit_width);
                std::copy(b.begin(), b.end(), later.begin() + n * fit_width);
              }
              worst = std::max(worst, least_squares(now, later).relative_residual);
            }
            return workbook::close(worst, 0.0, trig_rounding);
          });
  d.manual();

  ex.plot("residual", "Relative residual of the best linear shift map against k: sines only vs sines and "
                      "cosines (D = 16, L = 100, positions 0..999)",
          [](const Context&) {
            workbook::Plot p;
            p.title = "Can one matrix move every position k steps?";
            p.xlabel = "shift k";
            p.ylabel = "relative least-squares residual";
            p.logy = true;
            workbook::Series sines{"sines only", {}, {}, workbook::Series::Style::linespoints};
            workbook::Series both{"sines and cosines", {}, {}, workbook::Series::Style::linespoints};
            for (std::int64_t k = 1; k <= 40; ++k) {
              sines.x.push_back(double(k));
              sines.y.push_back(shift_fit(k, fit_width, fit_length_scale, fit_positions, true).relative_residual);
              both.x.push_back(double(k));
              // floored at 1e-17 so that an exact zero still shows on the log axis
              both.y.push_back(std::max(1e-17, shift_fit(k, fit_width, fit_length_scale, fit_positions, false)
                                                    .relative_residual));
            }
            p.series = {sines, both};
            return p;
          });
  ex.plot("shift-matrix", "Your T_3 for D = 16, L = 100: rotation blocks on the diagonal, zeros elsewhere",
          [](const Context&) {
            workbook::Plot p;
            p.kind = workbook::Plot::Kind::heatmap;
            p.title = "Shift matrix T_3 (D = 16, L = 100)";
            p.xlabel = "column";
            p.ylabel = "row";
            p.zlabel = "entry";
            p.z = manual_10::shift_matrix(3, fit_width, fit_length_scale);
            return p;
          });
}
