// 13.16: the RoPE rotation of the first query pair (q_0, q_1) at position m, base frequency omega_0 = 1. The
// oracle is the closed form R(m) = [[cos m w, -sin m w], [sin m w, cos m w]], written out entry by entry below;
// the properties are those of a rotation group: R(m) R(n) = R(m + n), R(m)^T R(m) = I, det R(m) = 1.
//
// Tolerance: tolerance::trig_large_arguments. Positions reach 10^4, and the statement asks for the angle in
// double: in float, m w is already off by up to 5e-4 radians at m = 10^4, and so are the entries.

#include "ch13/13.16/interface.hpp"

#include <array>
#include <cmath>
#include <string>

#include "workbook/exercise.hpp"
#include "workbook/tolerances.hpp"

namespace {

using workbook::CheckKind;
using workbook::CheckResult;
using workbook::Context;
using workbook::Precision;
using Positions = std::vector<double>;
constexpr auto tolerance = workbook::tolerance::trig_large_arguments;

xt::xarray<double> closed_form(const Positions& positions, double omega) {
  xt::xarray<double> r = xt::zeros<double>({positions.size(), std::size_t(2), std::size_t(2)});
  for (std::size_t t = 0; t < positions.size(); ++t) {
    const double c = std::cos(positions[t] * omega), s = std::sin(positions[t] * omega);
    r(t, 0, 0) = c, r(t, 0, 1) = -s, r(t, 1, 0) = s, r(t, 1, 1) = c;
  }
  return r;
}

CheckResult rotations_match(const Positions& positions, double omega) {
  return workbook::close(xt::xarray<double>(ch13_16::rope_rotations(positions, omega)), closed_form(positions, omega),
                         tolerance);
}

// R(m) (x, y) for each row, from the closed form.
xt::xarray<double> turned_closed_form(const xt::xtensor<double, 2>& pairs, const Positions& positions, double omega) {
  const auto r = closed_form(positions, omega);
  xt::xarray<double> out = xt::zeros<double>({pairs.shape(0), std::size_t(2)});
  for (std::size_t t = 0; t < pairs.shape(0); ++t)
    for (std::size_t i = 0; i < 2; ++i) out(t, i) = r(t, i, 0) * pairs(t, 0) + r(t, i, 1) * pairs(t, 1);
  return out;
}

CheckResult pairs_match(const xt::xtensor<double, 2>& pairs, const Positions& positions, double omega) {
  return workbook::close(xt::xarray<double>(ch13_16::rotate_pairs(pairs, positions, omega)),
                         turned_closed_form(pairs, positions, omega), tolerance);
}

// One 2 x 2 matrix out of a (count, 2, 2) batch, and products of two.
using Two = std::array<std::array<double, 2>, 2>;
Two entry(const xt::xtensor<double, 3>& r, std::size_t t) { return {{{r(t, 0, 0), r(t, 0, 1)}, {r(t, 1, 0), r(t, 1, 1)}}}; }
Two times(const Two& a, const Two& b) {
  Two c{};
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j) c[i][j] = a[i][0] * b[0][j] + a[i][1] * b[1][j];
  return c;
}
bool near(const Two& a, const Two& b) {
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j)
      if (!(std::abs(a[i][j] - b[i][j]) <= tolerance.atol)) return false;
  return true;
}

void part_a(workbook::Exercise& ex) {
  ex.part("a1", 2, R"(Implement rope_rotations: R(m) for a batch of positions and any omega.)")
      .check("m = 0", CheckKind::close, "R(0) at omega = 1 and omega = 3.7 against the closed form (the identity)",
             [](const Context&) {
               auto r = rotations_match({0.0}, 1.0);
               return r.status == workbook::Status::pass ? rotations_match({0.0}, 3.7) : r;
             })
      .check("m = 1, 2, 3", CheckKind::close, "R(1), R(2), R(3) at omega = 1 against the closed form",
             [](const Context&) { return rotations_match({1, 2, 3}, 1.0); })
      .check("negative and fractional m", CheckKind::close,
             "R(m) for m = -1, -2.5, 0.5, 7.25 at omega = 1 against the closed form",
             [](const Context&) { return rotations_match({-1, -2.5, 0.5, 7.25}, 1.0); })
      .check("other omega", CheckKind::close, "R(m) for m = 1, 2, 10, 300 at omega = 0.5 and omega = 0.01 (the angle is m omega)",
             [](const Context&) {
               auto r = rotations_match({1, 2, 10, 300}, 0.5);
               return r.status == workbook::Status::pass ? rotations_match({1, 2, 10, 300}, 0.01) : r;
             })
      .check("large m", CheckKind::close,
             "R(m) for m = 1000, 4095, 8191, 10000 at omega = 1 and omega = 0.1 against the closed form, within 1e-9",
             [](const Context&) {
               auto r = rotations_match({1000, 4095, 8191, 10000}, 1.0);
               return r.status == workbook::Status::pass ? rotations_match({1000, 4095, 8191, 10000}, 0.1) : r;
             })
      .check("a rotation group", CheckKind::property,
             "for random m, n in [-1000, 1000] and omega in [0.001, 2]: R(m) R(n) = R(m + n), R(m)^T R(m) = I and "
             "det R(m) = 1, on your matrices, within 1e-9",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("a-group"), [] {
                 const double m = *rc::gen::inRange(-1000000, 1000001) / 1000.0;
                 const double n = *rc::gen::inRange(-1000000, 1000001) / 1000.0;
                 const double omega = *rc::gen::inRange(1, 2001) / 1000.0;
                 const auto r = ch13_16::rope_rotations({m, n, m + n}, omega);
                 RC_ASSERT(r.shape(0) == 3u && r.shape(1) == 2u && r.shape(2) == 2u);
                 const Two rm = entry(r, 0), rn = entry(r, 1), rmn = entry(r, 2);
                 const Two rm_t = {{{rm[0][0], rm[1][0]}, {rm[0][1], rm[1][1]}}};
                 RC_ASSERT(near(times(rm, rn), rmn));
                 RC_ASSERT(near(times(rm_t, rm), Two{{{1, 0}, {0, 1}}}));
                 RC_ASSERT(std::abs(rm[0][0] * rm[1][1] - rm[0][1] * rm[1][0] - 1) <= tolerance.atol);
               });
             });
  ex.part("a2", 2, R"(With omega_0 = 1, write R(m) as a function of m: pick its form. Then evaluate it at m = 1, 2
and 3, to 4 decimal places.)")
      .choice_answer("a_form", "R(m) with omega_0 = 1",
                     {"[[cos m, -sin m], [sin m, cos m]]", "[[cos m, sin m], [-sin m, cos m]]",
                      "[[sin m, cos m], [-cos m, sin m]]", "[[cos m, -sin m], [-sin m, cos m]]"},
                     "[[cos m, -sin m], [sin m, cos m]]")
      .array_answer("a_values", "R(1), R(2), R(3), one 2 x 2 matrix each", {3, 2, 2},
                    [] { return closed_form({1, 2, 3}, 1.0); }, Precision::decimal_places(4))
      .hint("Turn the pair (1, 0) by a small positive angle: it must move towards (0, 1). Angles are in radians.");
}

void part_b(workbook::Exercise& ex) {
  ex.part("b1", 1, R"(Implement rotate_pairs: each pair (q_0, q_1) turned by R at its own position.)")
      .check("pairs", CheckKind::close,
             "6 pairs of norms from 0 to 40 (one exactly zero, one on an axis) at positions 0, 1, -3, 2.5, 100, 4096 "
             "(omega = 1) against the closed form",
             [](const Context&) {
               const xt::xtensor<double, 2> pairs = {{1, 0}, {0.3, -0.4}, {0, 0}, {-20, 35}, {0, 1}, {2.5, 2.5}};
               return pairs_match(pairs, {0, 1, -3, 2.5, 100, 4096}, 1.0);
             })
      .check("other omega", CheckKind::close, "4 pairs at positions 1, 2, 3, 50 with omega = 0.25 against the closed form",
             [](const Context&) {
               const xt::xtensor<double, 2> pairs = {{1, 2}, {-1, 0.5}, {3, -3}, {0.01, 7}};
               return pairs_match(pairs, {1, 2, 3, 50}, 0.25);
             });
  ex.part("b2", 1, R"(By hand: the query pair (q_0, q_1) = (1, 2) at position m = 3 (omega_0 = 1). What does RoPE
turn it into? Give both entries to 4 decimal places.)")
      .array_answer("b", "R(3) (1, 2)", {2}, [] {
         const xt::xtensor<double, 2> pair = {{1, 2}};
         const auto turned = turned_closed_form(pair, {3}, 1.0);
         return xt::xarray<double>({turned(0, 0), turned(0, 1)});
       }, Precision::decimal_places(4));
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "The RoPE rotation matrix";
  ex.tags = {workbook::Tag::implementation, workbook::Tag::numeric, workbook::Tag::proof};
  ex.statement = R"(Rotary position embedding (RoPE) encodes position m by turning each pair of query (and key)
dimensions in its plane. For the first pair, (q_0, q_1), the frequency is the base frequency omega_0, and the
pair, read as a point of the plane (a column vector), is rotated counterclockwise by the angle m · omega_0
(radians). Call that 2 x 2 matrix R(m). Work with omega_0 = 1, and in code with any omega. Compute the angle and its
sine and cosine in double precision: the checks reach positions of 10^4, where float's rounding of m · omega
alone moves the entries in their fourth decimal.)";
  part_a(ex);
  part_b(ex);
}
