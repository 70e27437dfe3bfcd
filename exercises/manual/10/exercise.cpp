// manual/10: the sinusoidal encoding turns a shift of k positions into a fixed block-diagonal rotation,
// r_{n+k} = T_k r_n. The oracle encoding (workbook/oracle/positional.hpp) is written out coordinate by
// coordinate; T_k is checked against it as a property, against a least-squares fit of the shift from data,
// and for its structure. The sine-only failure is a least-squares computation. Positions reach 10^4, so the
// statement asks for double (float would put n omega off by ~1e-3 radians); the trigonometric tolerance is
// tolerance::trig_large_arguments. The student's encoder takes a batch of positions per call.

#include "manual/10/interface.hpp"

#include <numeric>
#include <stdexcept>

#include <xtensor-blas/xlinalg.hpp>

#include "workbook/oracle/matrix.hpp"
#include "workbook/oracle/positional.hpp"
#include "workbook/tolerances.hpp"

namespace {

using workbook::Context;
using workbook::oracle::Matrix;

const workbook::Tolerance trig = workbook::tolerance::trig_large_arguments;

bool passes(const workbook::CheckResult& result) { return result.status == workbook::Status::pass; }

// The student's encodings of `positions`, with the shape checked.
Matrix students_table(const std::vector<std::int64_t>& positions, std::size_t d, double length_scale) {
  Matrix table = manual_10::sinusoidal_encodings(positions, d, length_scale);
  workbook::require_shape("sinusoidal_encodings", table, {positions.size(), d});
  return table;
}

// The oracle's encodings of `positions`, one row each.
Matrix oracle_table(const std::vector<std::int64_t>& positions, std::size_t d, double length_scale) {
  Matrix table = Matrix::from_shape({positions.size(), d});
  for (std::size_t i = 0; i < positions.size(); ++i)
    xt::row(table, i) = workbook::oracle::sinusoidal_position(double(positions[i]), d, length_scale);
  return table;
}

// The sine-only encoding s_n = [sin(n omega_j)]_j: the even coordinates of r_n.
Matrix sine_columns(const Matrix& full) { return xt::view(full, xt::all(), xt::range(0, full.shape(1), 2)); }

// The best linear map from inputs to targets (rows are samples): M minimising ||targets - inputs M||_F,
// and the relative residual ||targets - inputs M||_F / ||targets||_F. In row form M is the transpose of
// the matrix acting on column vectors.
struct Fit {
  Matrix map;
  double relative_residual;
};
Fit least_squares(const Matrix& inputs, const Matrix& targets) {
  const Matrix map = std::get<0>(xt::linalg::lstsq(inputs, targets));
  const Matrix miss = targets - Matrix(xt::linalg::dot(inputs, map));
  return {map, std::sqrt(double(xt::sum(miss * miss)()) / double(xt::sum(targets * targets)()))};
}

// The fit of r_{n+k} from r_n (or of s_{n+k} from s_n when `sine_only`) over positions 0 .. count-1.
Fit shift_fit(std::int64_t k, std::size_t d, double length_scale, std::size_t count, bool sine_only) {
  const Matrix now = workbook::oracle::sinusoidal_table(0, count, d, length_scale);
  const Matrix later = workbook::oracle::sinusoidal_table(k, count, d, length_scale);
  return sine_only ? least_squares(sine_columns(now), sine_columns(later)) : least_squares(now, later);
}

// max_n |T_k r_n - r_{n+k}| over the given positions, with the oracle encoding.
double worst_shift_error(const Matrix& t, std::int64_t k, const std::vector<std::int64_t>& positions, std::size_t d,
                         double length_scale) {
  std::vector<std::int64_t> shifted(positions);
  for (auto& n : shifted) n += k;
  const Matrix moved = workbook::oracle::matmul(oracle_table(positions, d, length_scale), workbook::oracle::transpose(t));
  return double(xt::amax(xt::abs(moved - oracle_table(shifted, d, length_scale)))());
}

// Largest deviation of T from "2x2 rotation blocks on the diagonal, zeros elsewhere".
double block_rotation_defect(const Matrix& t) {
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
const std::vector<std::int64_t> full_encoding_shifts = {1, 2, 5, 10};

void part_a(workbook::Exercise& ex) {
  ex.part("a", 1, "Implement sinusoidal_encodings.")
      .check("oracle", workbook::CheckKind::close,
             "r_n for n = -64..63 and n = -9999, -5000, 5000, 9999 (D = 16, L = 10000), one row each, against "
             "the coordinate-by-coordinate formula, within 1e-9",
             [](const Context&) {
               std::vector<std::int64_t> positions(128);
               std::iota(positions.begin(), positions.end(), std::int64_t{-64});
               positions.insert(positions.end(), {-9999, -5000, 5000, 9999});
               return workbook::close(students_table(positions, fit_width, 10000.0),
                                      oracle_table(positions, fit_width, 10000.0), trig);
             });
}

void part_b(workbook::Exercise& ex) {
  using workbook::CheckKind;
  auto& b = ex.part("b", 3, "Implement shift_matrix and show r_{n+k} = T_k r_n, with T_k the same for every n.");
  b.check("any n, k", CheckKind::property,
          "for random even D <= 32, L in {10, 100, 10000}, |k| <= 1000 and 10 random positions |n| <= 10000: "
          "T_k r_n against r_{n+k}, within 1e-9",
          [](const Context& ctx) {
            return workbook::property(ctx.seed_for("b-property"), [] {
              const auto s = random_setting();
              const auto positions =
                  *rc::gen::container<std::vector<std::int64_t>>(10, rc::gen::inRange<std::int64_t>(-10000, 10001));
              const Matrix t = manual_10::shift_matrix(s.k, s.d, s.length_scale);
              RC_ASSERT(t.shape(0) == s.d && t.shape(1) == s.d);
              RC_ASSERT(worst_shift_error(t, s.k, positions, s.d, s.length_scale) <= trig.atol);
            });
          });
  b.check("independent of n", CheckKind::close,
          "one matrix T_7 (D = 16, L = 10000) applied at every position n = 0..2000: the largest "
          "|T_7 r_n - r_{n+7}| against 0, within 1e-9",
          [](const Context&) {
            std::vector<std::int64_t> positions(2001);
            std::iota(positions.begin(), positions.end(), std::int64_t{0});
            const Matrix t = manual_10::shift_matrix(7, fit_width, 10000.0);
            return workbook::close(worst_shift_error(t, 7, positions, fit_width, 10000.0), 0.0, trig);
          });
  b.check("fit", CheckKind::close,
          "T_k for k = 1, 5, 37 (D = 16, L = 100) against the matrix a least-squares fit finds from the pairs "
          "(r_n, r_{n+k}), n = 0..999: the shift matrix recovered from data",
          [](const Context&) {
            xt::xarray<double> got = xt::zeros<double>({std::size_t{3}, fit_width, fit_width}), want = got;
            const std::int64_t shifts[] = {1, 5, 37};
            for (std::size_t i = 0; i < 3; ++i) {
              xt::view(want, i) = xt::transpose(shift_fit(shifts[i], fit_width, fit_length_scale, fit_positions, false).map);
              xt::view(got, i) = manual_10::shift_matrix(shifts[i], fit_width, fit_length_scale);
            }
            return workbook::close(got, want, trig);
          });
  b.hint("Expand sin((n + k) omega) and cos((n + k) omega) and read off the coefficients of sin(n omega) and "
         "cos(n omega).");
}

void part_c(workbook::Exercise& ex) {
  using workbook::CheckKind;
  auto& c = ex.part("c", 2, "Show that T_k is block-diagonal with 2x2 rotation blocks, orthogonal, and that "
                            "T_0 = I and T_j T_k = T_{j+k}.");
  c.check("rotation blocks", CheckKind::property,
          "for random D, L, k: entries outside the 2x2 diagonal blocks against 0, and each block against the "
          "form [[a, b], [-b, a]] with a^2 + b^2 = 1, within 1e-9",
          [](const Context& ctx) {
            return workbook::property(ctx.seed_for("c-blocks"), [] {
              const auto s = random_setting();
              RC_ASSERT(block_rotation_defect(manual_10::shift_matrix(s.k, s.d, s.length_scale)) <= trig.atol);
            });
          });
  c.check("orthogonal", CheckKind::property, "for random D, L, k: T_k^T T_k against I, within 1e-9",
          [](const Context& ctx) {
            return workbook::property(ctx.seed_for("c-orthogonal"), [] {
              const auto s = random_setting();
              const Matrix t = manual_10::shift_matrix(s.k, s.d, s.length_scale);
              const Matrix gram = xt::linalg::dot(xt::transpose(t), t);
              RC_ASSERT(passes(workbook::close(gram, xt::eye<double>(s.d), trig)));
            });
          });
  c.check("composition", CheckKind::property, "for random D, L, j, k: T_0 against I and T_j T_k against T_{j+k}, within 1e-9",
          [](const Context& ctx) {
            return workbook::property(ctx.seed_for("c-compose"), [] {
              const auto s = random_setting();
              const auto j = *rc::gen::inRange<std::int64_t>(-1000, 1001);
              const Matrix product = xt::linalg::dot(manual_10::shift_matrix(j, s.d, s.length_scale),
                                                     manual_10::shift_matrix(s.k, s.d, s.length_scale));
              RC_ASSERT(passes(workbook::close(manual_10::shift_matrix(0, s.d, s.length_scale), xt::eye<double>(s.d), trig)));
              RC_ASSERT(passes(workbook::close(product, manual_10::shift_matrix(j + s.k, s.d, s.length_scale), trig)));
            });
          });
}

// The largest relative residual of the fit of r_{n+k} from r_n on the student's encodings, over the shifts.
workbook::CheckResult full_encoding_fit(const Context&) {
  std::vector<std::int64_t> positions(fit_positions + std::size_t(full_encoding_shifts.back()));
  std::iota(positions.begin(), positions.end(), std::int64_t{0});
  const Matrix table = students_table(positions, fit_width, fit_length_scale);
  double worst = 0;
  for (auto k : full_encoding_shifts) {
    const Matrix now = xt::view(table, xt::range(0, fit_positions), xt::all());
    const Matrix later = xt::view(table, xt::range(std::size_t(k), std::size_t(k) + fit_positions), xt::all());
    worst = std::max(worst, least_squares(now, later).relative_residual);
  }
  return workbook::close(worst, 0.0, trig);
}

void part_d(workbook::Exercise& ex) {
  ex.part("d1", 1, "Fit r_{n+k} from r_n by least squares on your encodings (positions 0..999, D = 16, "
                   "L = 100) and see how well one matrix does.")
      .check("with cosines", workbook::CheckKind::close,
             "the largest relative residual ||R_later - R_now M||_F / ||R_later||_F of the least-squares fit on "
             "your encodings, over k = 1, 2, 5, 10, against an exact fit, within 1e-9",
             full_encoding_fit);
  auto& d = ex.part("d2", 2, "Keep only the sines, s_n = [sin(n omega_j)]_j. Is there still one matrix M with "
                             "s_{n+k} = M s_n for all n? Fit the best M by least squares over positions 0..999 "
                             "(D = 16, L = 100, k = 1), give its relative residual to four significant figures, "
                             "and explain.");
  d.choice_answer("d_exists", "for k = 1, does such an M exist?", {"yes", "no"}, "no");
  d.number_answer("d_residual",
                  "for k = 1 (D = 16, L = 100, positions 0..999): the relative residual "
                  "||S_later - S_now M||_F / ||S_later||_F of the best least-squares M on the sines alone",
                  [] { return shift_fit(1, fit_width, fit_length_scale, fit_positions, true).relative_residual; },
                  workbook::Precision::significant_figures(4));
  d.manual();
}

// From k = 2 on: the figure's data must not hold the k = 1 residual that part (d2) asks for.
workbook::Plot residual_plot(const Context&) {
  workbook::Series sines{"sines only", {}, {}, workbook::Series::Style::linespoints};
  workbook::Series both{"sines and cosines", {}, {}, workbook::Series::Style::linespoints};
  for (std::int64_t k = 2; k <= 40; ++k) {
    sines.x.push_back(double(k));
    sines.y.push_back(shift_fit(k, fit_width, fit_length_scale, fit_positions, true).relative_residual);
    both.x.push_back(double(k));
    // floored at 1e-17 so that an exact zero still shows on the log axis
    both.y.push_back(std::max(1e-17, shift_fit(k, fit_width, fit_length_scale, fit_positions, false).relative_residual));
  }
  auto p = workbook::xy_plot("Can one matrix move every position k steps?", "shift k", "relative least-squares residual",
                             {sines, both});
  p.logy = true;
  return p;
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "Sinusoidal positions: a shift is a rotation";
  ex.tags = {workbook::Tag::implementation, workbook::Tag::proof, workbook::Tag::conceptual, workbook::Tag::plot};
  ex.statement = R"(Encode position n as r_n in R^D (D even) using D/2 frequencies omega_j = L^(-2j/D), j = 0 .. D/2 - 1: coordinate 2j is sin(n omega_j) and coordinate 2j+1 is cos(n omega_j). Show that moving k positions along is a linear map that does not depend on where you start: r_{n+k} = T_k r_n, with T_k block-diagonal and each 2x2 block a rotation. Then find out whether the sines alone would be enough. Implement sinusoidal_encodings and shift_matrix in double precision: positions here reach 10^4, where float would put the angle n omega off by up to a thousandth of a radian, and the checks allow 1e-9.)";
  part_a(ex);
  part_b(ex);
  part_c(ex);
  part_d(ex);
  ex.plot("residual", "Relative residual of the best linear shift map against k = 2..40: sines only vs sines "
                      "and cosines (D = 16, L = 100, positions 0..999)",
          residual_plot);
  ex.plot("shift-matrix", "Your T_3 for D = 16, L = 100: rotation blocks on the diagonal, zeros elsewhere",
          [](const Context&) {
            return workbook::heatmap("Shift matrix T_3 (D = 16, L = 100)", "column", "row", "entry",
                                     manual_10::shift_matrix(3, fit_width, fit_length_scale));
          });
}
