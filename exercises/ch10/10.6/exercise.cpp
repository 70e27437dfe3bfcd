// 10.6: shifting a sinusoidal pair by k positions is a rotation that does not depend on the position.
// Oracles: sin and cos evaluated directly at omega (pos + k); the properties are the identity itself,
// orthogonality with determinant 1, composition M(k1) M(k2) = M(k1 + k2), and p(pos)^T M(k) p(pos) = cos(omega k).

#include "ch10/10.6/interface.hpp"

#include "workbook/exercise.hpp"
#include "workbook/oracle/matrix.hpp"
#include "workbook/tolerances.hpp"

namespace {

using workbook::CheckKind;
using workbook::Context;

xt::xarray<double> pair_at(double omega, double pos) { return {std::sin(omega * pos), std::cos(omega * pos)}; }

xt::xarray<double> rotate(const xt::xtensor<double, 2>& m, const xt::xarray<double>& v) {
  if (m.shape(0) != 2 || m.shape(1) != 2) throw std::runtime_error("offset_rotation must return a 2 x 2 matrix");
  return {m(0, 0) * v(0) + m(0, 1) * v(1), m(1, 0) * v(0) + m(1, 1) * v(1)};
}

// Angles w k up to 200 and w pos up to 1000 radians (the statement says why double is needed).
constexpr workbook::Tolerance trig = workbook::tolerance::trig_large_arguments;

bool passes(const workbook::CheckResult& r) { return r.status == workbook::Status::pass; }

// M^T M = I, det M = 1 and M(w, k1) M(w, k2) = M(w, k1 + k2), with the products as plain loops.
void rotation_properties(double omega, double k1, double k2) {
  using workbook::oracle::matmul, workbook::oracle::transpose;
  const workbook::oracle::Matrix m = ch10_6::offset_rotation(omega, k1), m2 = ch10_6::offset_rotation(omega, k2);
  RC_ASSERT(m.shape(0) == 2 && m.shape(1) == 2 && m2.shape(0) == 2 && m2.shape(1) == 2);
  RC_ASSERT(passes(workbook::close(xt::xarray<double>(matmul(transpose(m), m)), xt::xarray<double>{{1, 0}, {0, 1}}, trig)));
  RC_ASSERT(passes(workbook::close(m(0, 0) * m(1, 1) - m(0, 1) * m(1, 0), 1.0, trig)));
  RC_ASSERT(passes(workbook::close(xt::xarray<double>(matmul(m, m2)),
                                   xt::xarray<double>(ch10_6::offset_rotation(omega, k1 + k2)), trig)));
}

double random_omega() { return std::pow(10.0, -*rc::gen::inRange(0, 4001) / 1000.0); }  // 1e-4 .. 1
double random_offset() { return *rc::gen::inRange(-200000, 200001) / 1000.0; }           // -200 .. 200

void part_a(workbook::Exercise& ex) {
  ex.part("a1", 1, R"(Try the identity at w = 1/10000^(0/128) = 1, pos = 7, k = 3: give the shifted pair on the
left and the matrix M(1, 3) as numbers, each to 4 decimal places.)")
      .array_answer("a_lhs", "[sin(w (pos + k)), cos(w (pos + k))] for w = 1, pos = 7, k = 3", {2},
                    [] { return pair_at(1, 10); }, workbook::Precision::decimal_places(4))
      .array_answer("a_matrix", "M(1, 3), row by row", {2, 2},
                    [] { return xt::xarray<double>{{std::cos(3.0), std::sin(3.0)}, {-std::sin(3.0), std::cos(3.0)}}; },
                    workbook::Precision::decimal_places(4));
  auto& a = ex.part("a2", 2, "Implement offset_rotation so that the identity holds for every w, pos and k.");
  a.check("w=1,pos=7,k=3", CheckKind::close, "offset_rotation(1, 3) applied to (sin 7, cos 7) against (sin 10, cos 10)",
          [](const Context&) { return workbook::close(rotate(ch10_6::offset_rotation(1, 3), pair_at(1, 7)), pair_at(1, 10), trig); });
  a.check("any w, pos, k", CheckKind::property,
          "for w in [1e-4, 1], pos in [0, 1000] and k in [-200, 200], M(w, k) p(pos) = p(pos + k) within 1e-9",
          [](const Context& ctx) {
            return workbook::property(ctx.seed_for("a-identity"), [] {
              const double omega = random_omega(), k = random_offset();
              const double pos = *rc::gen::inRange(0, 1000001) / 1000.0;
              RC_ASSERT(passes(workbook::close(rotate(ch10_6::offset_rotation(omega, k), pair_at(omega, pos)),
                                               pair_at(omega, pos + k), trig)));
            });
          });
  a.check("rotation", CheckKind::property,
          "M(w, k) is a rotation: M^T M = I and det M = 1; and M(w, k1) M(w, k2) = M(w, k1 + k2)",
          [](const Context& ctx) {
            return workbook::property(ctx.seed_for("a-rotation"),
                                      [] { rotation_properties(random_omega(), random_offset(), random_offset()); });
          });
}

void part_b(workbook::Exercise& ex) {
  auto& b = ex.part("b", 1, R"(In attention, position codes reach the scores only through the linear maps that
produce queries and keys. Explain how the rotation makes relative offsets something those maps can learn.)");
  b.check("score depends on k only", CheckKind::property,
          "p(pos) · M(w, k) p(pos) = cos(w k) for every pos: the score between positions pos and pos + k depends on k alone",
          [](const Context& ctx) {
            return workbook::property(ctx.seed_for("b-score"), [] {
              const double omega = random_omega(), k = random_offset();
              const double pos = *rc::gen::inRange(0, 1000001) / 1000.0;
              const auto p = pair_at(omega, pos);
              const auto moved = rotate(ch10_6::offset_rotation(omega, k), p);
              RC_ASSERT(passes(workbook::close(p(0) * moved(0) + p(1) * moved(1), std::cos(omega * k), trig)));
            });
          });
  b.manual(2);
}

void part_c(workbook::Exercise& ex) {
  ex.part("c", 1, R"(Suppose instead that every position has a trained vector of its own (a learned positional
embedding). Does the rotation argument still apply to them? Explain.)")
      .choice_answer("c_guaranteed", "is E(pos + k) = T_k E(pos) with one matrix T_k guaranteed for learned embeddings?",
                     {"yes", "no"}, "no")
      .manual();
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "Position shifts are rotations";
  ex.stars = 2;
  ex.tags = {workbook::Tag::proof, workbook::Tag::numeric, workbook::Tag::implementation, workbook::Tag::conceptual};
  ex.statement = R"(Each sine/cosine pair of a sinusoidal positional encoding is the point (sin(w pos), cos(w pos))
on the unit circle. Moving k positions further moves that point by the angle w k, whatever pos is. Write this
as a matrix: implement offset_rotation, returning the 2 x 2 matrix M(w, k) with
[sin(w (pos + k)), cos(w (pos + k))] = M(w, k) [sin(w pos), cos(w pos)].
Compute in double: the checks use angles w k of up to 200 radians, where float's rounding of the angle alone
moves sin and cos by about 1e-5, and they accept 1e-9.)";
  part_a(ex);
  part_b(ex);
  part_c(ex);
}
