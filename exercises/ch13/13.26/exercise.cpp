// ch13/13.26: the shift of a sinusoidal encoding by k positions is one linear map, the same at every position. The
// student reads the map off four rows of a table of encodings, without being told the frequencies. Expected values:
// the encodings written coordinate by coordinate (workbook/oracle/positional.hpp) at every position of the table,
// shifted by k; and, as a property over random positions and offsets, that the map read at one position equals the
// map read at any other (it depends on k alone). arch13/2 has the student write the map from the frequencies; here
// the same fact is observed from the encodings.

#include "ch13/13.26/interface.hpp"

#include <cmath>

#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xview.hpp>

#include "workbook/exercise.hpp"
#include "workbook/oracle/positional.hpp"
#include "workbook/tolerances.hpp"

namespace {

using workbook::CheckKind;
using workbook::CheckResult;
using workbook::Context;
using workbook::Precision;
using Matrix = xt::xtensor<double, 2>;

constexpr std::size_t positions = 400;

// Pair i's block inverts a 2 x 2 matrix whose determinant is sin(w_i): down to 3e-4 for the slowest pair of a
// 16-wide encoding at base 10000, which multiplies the encodings' rounding (1e-16) by a few thousand. Double, with
// room; a float implementation would lose four digits there, which is why the statement asks for double.
constexpr workbook::Tolerance map_tolerance{0, 1e-8};

Matrix table(std::size_t d, double base) { return workbook::oracle::sinusoidal_table(0, positions, d, base); }

Matrix student_map(const Matrix& t, std::size_t pos, std::size_t k) {
  auto m = ch13_26::shift_from_rows(t, pos, k);
  workbook::require_shape("shift_from_rows", m, {t.shape(1), t.shape(1)});
  return m;
}

// M applied to every row q of the table whose q + k is still in it, against the encoding of q + k.
CheckResult shifts_every_row(std::size_t d, double base, std::size_t pos, std::size_t k) {
  const Matrix t = table(d, base);
  const Matrix m = student_map(t, pos, k);
  const std::size_t rows = positions - k;
  const Matrix moved = xt::linalg::dot(xt::view(t, xt::range(0, rows)), xt::transpose(m));
  return workbook::close(xt::xarray<double>(moved), xt::xarray<double>(xt::view(t, xt::range(k, positions))),
                         map_tolerance);
}

void part_a(workbook::Exercise& ex) {
  ex.part("a", 3, R"(Implement shift_from_rows. The exercise gives it a table of 400 encodings and checks, within 1e-8
(compute in double: the slowest pairs turn by less than a thousandth of a radian per position, and the 2 x 2 systems
you solve are that close to singular), that the map you read at one position moves every row of the table k
positions on.)")
      .check("d=16, k=7", CheckKind::close, "read at position 3 of a 16-wide table (base 10000), applied to every row",
             [](const Context&) { return shifts_every_row(16, 10000, 3, 7); })
      .check("d=6, k=50", CheckKind::close, "read at position 120 of a 6-wide table (base 100), applied to every row",
             [](const Context&) { return shifts_every_row(6, 100, 120, 50); })
      .hint("For one pair, B [u v] = [u' v']: put u and v side by side as the columns of a 2 x 2 matrix and invert it.");
}

void part_b(workbook::Exercise& ex) {
  ex.part("b", 2, R"(Show that the map depends on k alone: read it at two different positions and compare.)")
      .check("same map everywhere", CheckKind::property,
             "for random widths (2 to 16, even), bases 100 or 10000, offsets k up to 150 and two positions p, q up to "
             "240: the map read at p equals the map read at q within 1e-8",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("b-same"), [] {
                 const auto d = 2 * *rc::gen::inRange<std::size_t>(1, 9);
                 const double base = *rc::gen::element(100.0, 10000.0);
                 const auto k = *rc::gen::inRange<std::size_t>(0, 151);
                 const auto p = *rc::gen::inRange<std::size_t>(0, 241), q = *rc::gen::inRange<std::size_t>(0, 241);
                 const Matrix t = table(d, base);
                 RC_ASSERT(workbook::close(xt::xarray<double>(student_map(t, p, k)),
                                           xt::xarray<double>(student_map(t, q, k)), map_tolerance)
                               .status == workbook::Status::pass);
               });
             })
      .hint("If the blocks you get at two positions differ, the map you found fits two rows but is not a shift.");
}

// The block that moves one pair turning at w = 1 by one position, from the angle-addition formulas (b = w k = 1):
// new sin = cos b sin + sin b cos, new cos = -sin b sin + cos b cos. A closed form, not the route the student takes.
xt::xarray<double> unit_block() {
  const double b = 1.0;
  return xt::xarray<double>{{std::cos(b), std::sin(b)}, {-std::sin(b), std::cos(b)}};
}

void part_c(workbook::Exercise& ex) {
  ex.part("c", 2, R"(By hand, from the angle-addition formulas: the 2 x 2 block that moves a pair (sin(p w), cos(p w))
one position on when w = 1 (radian per position). Row 1 gives the new sine, row 2 the new cosine. 4 decimal places.)")
      .array_answer("c_block", "the block, rows [new sin; new cos]", {2, 2}, unit_block, Precision::decimal_places(4))
      .hint("Expand the sine and the cosine of (p + k) w: each is a mix of sin(p w) and cos(p w) whose two weights "
            "depend on k w only.");
}

void part_d(workbook::Exercise& ex) {
  ex.part("d", 1, R"(Your map was read from the encodings of one place in the sequence, and it works everywhere. Why
does that make relative positions easy for attention, whose queries and keys are linear in the encodings?)")
      .manual(1);
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "The sinusoidal shift, read off the encodings";
  ex.stars = 2;
  ex.tags = {workbook::Tag::implementation, workbook::Tag::proof, workbook::Tag::numeric, workbook::Tag::conceptual};
  ex.statement = R"(The claim: for every offset k there is one linear map M_k with PE(pos + k) = M_k PE(pos) for every
position pos. Check it the way an experimenter would, without the formula: read a candidate map off four rows of a
table of encodings, then see whether it moves every other row of the table, and whether reading it elsewhere gives
the same matrix. Then derive it by hand for one pair.)";
  part_a(ex);
  part_b(ex);
  part_c(ex);
  part_d(ex);
}
