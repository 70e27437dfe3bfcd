// arch13/8: rotating queries and keys by an angle proportional to their position makes their dot product depend on
// the offset alone. The student writes RoPE (rotate-half layout) and the score written as a function of the offset.
// Expected values: the nn library's rope_forward (a trusted implementation of the same layout) for the rotation and
// for the scores; as properties of the student's rope, that shifting both positions together changes no score and
// that rotating back by the same position undoes the rotation. Part (d) settles a sign the seed gets wrong: with
// counterclockwise rotations, (R(m t) q) . (R(n t) k) = q^T R((n - m) t) k, not q^T R((m - n) t) k.

#include "arch13/8/interface.hpp"

#include <cmath>

#include "nn/position.hpp"
#include "workbook/exercise.hpp"
#include "workbook/oracle/random.hpp"

namespace {

using workbook::CheckKind;
using workbook::CheckResult;
using workbook::Context;
using workbook::Precision;
using Matrix = xt::xtensor<double, 2>;

// Positions up to a few hundred: float rounds their angles at about 1e-5, which the rotated entries (of order one)
// inherit; a score sums up to 16 pairs of such products. Every plausible mistake (another pairing, the other
// direction, a lost sign) moves entries by order one.
constexpr workbook::Tolerance rotation_tolerance{1e-5, 1e-4};
constexpr workbook::Tolerance score_tolerance{1e-5, 1e-3};

Matrix student_rope(const Matrix& x, const std::vector<std::int64_t>& positions, double base) {
  auto out = arch13_8::rope(x, positions, base);
  workbook::require_shape("rope", out, {x.shape(0), x.shape(1)});
  return out;
}

// The nn library's rope, one head of width d: the trusted route.
Matrix library_rope(const Matrix& x, const std::vector<std::int64_t>& positions, double base) {
  const std::vector<std::size_t> at(positions.begin(), positions.end());
  return nn::rope_forward<double>(x, at, 1, x.shape(1), base);
}

std::vector<std::int64_t> random_positions(std::size_t count, std::int64_t largest, std::mt19937_64& rng) {
  std::uniform_int_distribution<std::int64_t> position(0, largest);
  std::vector<std::int64_t> out(count);
  for (auto& p : out) p = position(rng);
  return out;
}

CheckResult against_library(const Context& ctx, const char* stream, std::size_t d, double base) {
  auto rng = ctx.rng(stream);
  const Matrix x = workbook::oracle::gaussian_matrix(20, d, rng);
  const auto positions = random_positions(20, 200, rng);
  return workbook::close(xt::xarray<double>(student_rope(x, positions, base)),
                         xt::xarray<double>(library_rope(x, positions, base)), rotation_tolerance);
}

double row_dot(const Matrix& a, const Matrix& b) { return xt::sum(a * b)(); }

Matrix one_row(const std::vector<double>& v) {
  Matrix m = Matrix::from_shape({1, v.size()});
  for (std::size_t i = 0; i < v.size(); ++i) m(0, i) = v[i];
  return m;
}

// A random even width up to 32, and a query and key of that width.
struct Pair {
  std::vector<double> q, k;
  double base;
};
Pair random_pair() {
  const auto d = 2 * *rc::gen::inRange<std::size_t>(1, 17);
  auto rng = workbook::oracle::property_rng();
  const auto q = workbook::oracle::gaussian_vector(d, rng), k = workbook::oracle::gaussian_vector(d, rng);
  return {{q.begin(), q.end()}, {k.begin(), k.end()}, *rc::gen::element(100.0, 10000.0)};
}

std::int64_t position_in(std::int64_t lowest, std::int64_t highest) {
  return *rc::gen::inRange<std::int64_t>(lowest, highest + 1);
}

void part_a(workbook::Exercise& ex) {
  ex.part("a", 3, R"(Implement rope. The checks compare it with a trusted implementation of the same layout, within
1e-4 absolute (room for float angles), and run it backwards.)")
      .check("d=16", CheckKind::close, "20 random rows of width 16 at random positions up to 200, base 10000",
             [](const Context& ctx) { return against_library(ctx, "a-16", 16, 10000); })
      .check("d=6, base 100", CheckKind::close, "20 random rows of width 6 at random positions up to 200, base 100",
             [](const Context& ctx) { return against_library(ctx, "a-6", 6, 100); })
      .check("undone by -m", CheckKind::property,
             "for random rows, widths and positions m in [-300, 300], rope at -m after rope at m gives the rows back",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("a-inverse"), [] {
                 const auto pair = random_pair();
                 const Matrix x = one_row(pair.q);
                 const std::int64_t m = position_in(-300, 300);
                 const Matrix back = student_rope(student_rope(x, {m}, pair.base), {-m}, pair.base);
                 RC_ASSERT(workbook::close(xt::xarray<double>(back), xt::xarray<double>(x), rotation_tolerance)
                               .status == workbook::Status::pass);
               });
             })
      .hint("Pair i is coordinates i and i + d/2, not two neighbours; each pair turns at its own rate theta_i.");
}

void part_b(workbook::Exercise& ex) {
  ex.part("b", 2, R"(Show on your rope that a score sees only the offset: rotating a query to m and a key to n gives the
same dot product as rotating them to m + s and n + s, for every shift s.)")
      .check("only the offset", CheckKind::property,
             "for random q, k of a random even width up to 32, base 100 or 10000, m and n in [0, 300] and s in "
             "[-300, 300], rope(q, m) . rope(k, n) = rope(q, m + s) . rope(k, n + s) within 1e-3",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("b-offset"), [] {
                 const auto pair = random_pair();
                 const std::int64_t m = position_in(0, 300), n = position_in(0, 300), s = position_in(-300, 300);
                 const auto score = [&](std::int64_t at_q, std::int64_t at_k) {
                   return row_dot(student_rope(one_row(pair.q), {at_q}, pair.base),
                                  student_rope(one_row(pair.k), {at_k}, pair.base));
                 };
                 RC_ASSERT(workbook::close(score(m + s, n + s), score(m, n), score_tolerance).status ==
                           workbook::Status::pass);
               });
             })
      .hint("Write one pair's score with R(a)^T R(b): what is the product of two rotations, one transposed?");
}

void part_c(workbook::Exercise& ex) {
  ex.part("c", 3, R"(Implement relative_score from your derivation: the score of q at m and k at n written with the
offset n - m only. It is checked against the trusted rotation's scores at many (m, n) pairs, within 1e-3.)")
      .check("against rotated scores", CheckKind::property,
             "for random q, k of a random even width up to 32, base 100 or 10000, m and n in [0, 300]: "
             "relative_score(q, k, n - m) = rope(q, m) . rope(k, n), the rotations done by the trusted route",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("c-relative"), [] {
                 const auto pair = random_pair();
                 const std::int64_t m = position_in(0, 300), n = position_in(0, 300);
                 const double expected = row_dot(library_rope(one_row(pair.q), {m}, pair.base),
                                                 library_rope(one_row(pair.k), {n}, pair.base));
                 RC_ASSERT(workbook::close(arch13_8::relative_score(pair.q, pair.k, n - m, pair.base), expected,
                                           score_tolerance)
                               .status == workbook::Status::pass);
               });
             })
      .hint("Keep the sign of the offset straight: the key's rotation minus the query's.");
}

// q = (1, 0) at m = 0 and k = (0, 1) at n = 1, one pair turning at theta = 1 (d = 2).
double worked_score() { return row_dot(library_rope(Matrix{{1, 0}}, {0}, 10000), library_rope(Matrix{{0, 1}}, {1}, 10000)); }

void part_d(workbook::Exercise& ex) {
  ex.part("d", 2, R"(Fix the sign. With R(a) the counterclockwise rotation by a, which matrix sits between q and k in
(R(m theta) q) . (R(n theta) k) = q^T M k? Then compute, to 4 decimal places, the score of q = (1, 0) at position
m = 0 and k = (0, 1) at position n = 1, with d = 2 (one pair, theta = 1).)")
      .choice_answer("d_matrix", "M", {"R((n - m) theta)", "R((m - n) theta)"}, "R((n - m) theta)")
      .number_answer("d_score", "the score of the example", worked_score, Precision::decimal_places(4))
      .hint("R(a)^T = R(-a). Rotate k by one radian and take its dot product with q.");
}

void part_e(workbook::Exercise& ex) {
  ex.part("e", 1, R"(What does this give a model that an added absolute position table does not, and what does it
cost in parameters? Say also why relative offsets still do not guarantee that a model handles sequences longer than
those it was trained on.)")
      .manual(1);
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "RoPE makes a score depend on the offset alone";
  ex.stars = 2;
  ex.tags = {workbook::Tag::implementation, workbook::Tag::proof, workbook::Tag::numeric, workbook::Tag::conceptual};
  ex.statement = R"(Rotary position embedding (RoPE) leaves the token vectors alone and instead turns each query and
key by an angle proportional to its position, a different rate for each pair of coordinates. Derive, on paper, that
the dot product of a query at position m with a key at position n depends on n - m only, then build the rotation and
the score written with the offset alone, and check both.)";
  part_a(ex);
  part_b(ex);
  part_c(ex);
  part_d(ex);
  part_e(ex);
}
