// arch13/2: shifting a sinusoidal encoding by k positions is one linear map R_k, the same for every position. The
// student writes R_k. Expected values: the encoding written coordinate by coordinate (workbook/oracle/positional.hpp)
// at pos and at pos + k, for integer and real offsets; and, as properties of the student's matrices, what makes the
// map a rotation by offset: R_k is orthogonal, R_a R_b = R_(a+b), and R_0 = I.

#include "arch13/2/interface.hpp"

#include <xtensor-blas/xlinalg.hpp>

#include "workbook/exercise.hpp"
#include "workbook/oracle/positional.hpp"
#include "workbook/oracle/random.hpp"
#include "workbook/tolerances.hpp"

namespace {

using workbook::CheckKind;
using workbook::Context;
using Matrix = xt::xtensor<double, 2>;

// Entries of size at most 1 and angles up to a few hundred radians, computed in float: 1e-5 absolute leaves room.
constexpr workbook::Tolerance map_tolerance{0, 1e-5};

Matrix student_map(double k, std::size_t d) {
  auto r = arch13_2::offset_map(k, d);
  workbook::require_shape("offset_map", r, {d, d});
  return r;
}

// R_k applied to the encodings of `positions`, against the encodings of positions + k.
workbook::CheckResult shifts(double k, std::size_t d, const std::vector<double>& positions) {
  const Matrix r = student_map(k, d);
  Matrix actual = Matrix::from_shape({positions.size(), d}), expected = actual;
  for (std::size_t p = 0; p < positions.size(); ++p) {
    xt::row(actual, p) = xt::linalg::dot(r, workbook::oracle::sinusoidal_position(positions[p], d, 10000));
    xt::row(expected, p) = workbook::oracle::sinusoidal_position(positions[p] + k, d, 10000);
  }
  return workbook::close(xt::xarray<double>(actual), xt::xarray<double>(expected), map_tolerance);
}

std::vector<double> whole_positions(int first, int last) {
  std::vector<double> out;
  for (int p = first; p <= last; ++p) out.push_back(p);
  return out;
}

bool close_to(const Matrix& a, const Matrix& b) {
  return workbook::close(xt::xarray<double>(a), xt::xarray<double>(b), map_tolerance).status ==
         workbook::Status::pass;
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "The shift of a sinusoidal encoding is a rotation";
  ex.stars = 2;
  ex.tags = {workbook::Tag::implementation, workbook::Tag::proof, workbook::Tag::conceptual};
  ex.statement = R"(Derive, then build, the matrix that moves a sinusoidal encoding k positions along: R_k with
R_k PE(pos) = PE(pos + k) for every pos. Use the angle-addition formulas on one (sin, cos) pair first; the whole map
follows pair by pair. Part (a) checks your matrix on encodings, part (b) the properties that make it a rotation by
the offset, and part (c) asks what this buys a model.)";
  ex.part("a", 3, R"(Implement offset_map. The checks apply your R_k to the encodings of many positions and compare
with the encodings k positions further on, within 1e-5 (room for float).)")
      .check("k=5, d=16", CheckKind::close, "R_5 on the encodings of positions 0 to 40 in 16 dimensions",
             [](const Context&) { return shifts(5, 16, whole_positions(0, 40)); })
      .check("k=-3, d=8", CheckKind::close, "R_-3 on positions 3 to 30 in 8 dimensions: a shift backwards",
             [](const Context&) { return shifts(-3, 8, whole_positions(3, 30)); })
      .check("any k", CheckKind::property,
             "for a random even d up to 32, a real offset in [-50, 50] and real positions in [0, 100], R_k PE(pos) = "
             "PE(pos + k)",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("a-property"), [] {
                 const auto d = 2 * *rc::gen::inRange<std::size_t>(1, 17);
                 auto rng = workbook::oracle::property_rng();
                 const double k = std::uniform_real_distribution<double>(-50, 50)(rng);
                 std::vector<double> positions(5);
                 for (auto& p : positions) p = std::uniform_real_distribution<double>(0, 100)(rng);
                 RC_ASSERT(shifts(k, d, positions).status == workbook::Status::pass);
               });
             })
      .hint("Write sin(w (pos + k)) and cos(w (pos + k)) with the angle-addition formulas: each is a combination of "
            "sin(w pos) and cos(w pos) whose coefficients do not involve pos.");
  ex.part("b", 2, R"(Show that your maps behave as rotations by the offset: R_k^T R_k = I (lengths and angles are kept),
R_a R_b = R_(a+b) (two shifts are one), and R_0 = I. The checks run each as a property of your matrices.)")
      .check("orthogonal", CheckKind::property, "for random d and k, R_k^T R_k = I within 1e-5",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("b-orthogonal"), [] {
                 const auto d = 2 * *rc::gen::inRange<std::size_t>(1, 17);
                 auto rng = workbook::oracle::property_rng();
                 const Matrix r = student_map(std::uniform_real_distribution<double>(-50, 50)(rng), d);
                 RC_ASSERT(close_to(xt::linalg::dot(xt::transpose(r), r), xt::eye<double>(d)));
               });
             })
      .check("composition", CheckKind::property, "for random d, a and b, R_a R_b = R_(a+b) within 1e-5",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("b-composition"), [] {
                 const auto d = 2 * *rc::gen::inRange<std::size_t>(1, 17);
                 auto rng = workbook::oracle::property_rng();
                 const double a = std::uniform_real_distribution<double>(-50, 50)(rng);
                 const double b = std::uniform_real_distribution<double>(-50, 50)(rng);
                 RC_ASSERT(close_to(xt::linalg::dot(student_map(a, d), student_map(b, d)), student_map(a + b, d)));
               });
             })
      .check("no shift", CheckKind::close, "R_0 in 12 dimensions against the identity",
             [](const Context&) {
               return workbook::close(xt::xarray<double>(student_map(0, 12)), xt::xarray<double>(xt::eye<double>(12)),
                                      map_tolerance);
             });
  ex.part("c", 1, R"(Why does it matter for attention that R_k depends on k and not on pos? Say what a query and key
projection can do with it.)")
      .manual(1);
}
