// ch13/13.27: RoPE's score depends on n - m alone, through R_m^T R_n = R_(n-m). The student writes the whole d x d
// rotation R_m (ch13/13.16 had one 2 x 2 pair; arch13/8 the rotation applied to rows in the rotate-half layout).
// Expected values: the matrix entry by entry from its definition with the pair frequencies of
// workbook/oracle/positional.hpp; then, as properties of the student's matrices, the identity the seed names, R_0 = I,
// and the score's invariance when m and n move together; and a worked score by hand, computed here from the
// definition.

#include "ch13/13.27/interface.hpp"

#include <cmath>

#include <xtensor-blas/xlinalg.hpp>

#include "workbook/exercise.hpp"
#include "workbook/oracle/positional.hpp"
#include "workbook/oracle/random.hpp"

namespace {

using workbook::CheckKind;
using workbook::CheckResult;
using workbook::Context;
using workbook::Precision;
using Matrix = xt::xtensor<double, 2>;

// Angles up to a few hundred radians: float rounds them at about 1e-5 (the entries inherit it); every plausible
// mistake (the other direction, a rate without the factor 2, a lost sign) moves entries by order one.
constexpr workbook::Tolerance rotation_tolerance{0, 1e-4};

Matrix student(std::int64_t m, std::size_t d, double base) {
  auto r = ch13_27::rope_matrix(m, d, base);
  workbook::require_shape("rope_matrix", r, {d, d});
  return r;
}

// The definition: block i turns by m theta_i, theta_i = base^(-2i/d) (the sinusoidal encoding's pair frequency).
Matrix defined(std::int64_t m, std::size_t d, double base) {
  Matrix r = xt::zeros<double>({d, d});
  for (std::size_t i = 0; i < d / 2; ++i) {
    const double a = double(m) * workbook::oracle::pair_frequency(i, d, base);
    r(2 * i, 2 * i) = r(2 * i + 1, 2 * i + 1) = std::cos(a);
    r(2 * i + 1, 2 * i) = std::sin(a);
    r(2 * i, 2 * i + 1) = -std::sin(a);
  }
  return r;
}

bool near(const Matrix& a, const Matrix& b) {
  return workbook::close(xt::xarray<double>(a), xt::xarray<double>(b), rotation_tolerance).status ==
         workbook::Status::pass;
}

struct Draw {
  std::size_t d;
  double base;
};
Draw random_size() {
  return {2 * *rc::gen::inRange<std::size_t>(1, 9), *rc::gen::element(100.0, 10000.0)};
}
std::int64_t position() { return *rc::gen::inRange<std::int64_t>(-200, 201); }

// (R_m q) . (R_n k) for q, k of the given pair of 2-vectors, one pair turning at theta = 1.
double worked_score() {
  const Matrix q = {{1}, {2}}, k = {{3}, {-1}};
  const Matrix rq = xt::linalg::dot(defined(5, 2, 10000), q), rk = xt::linalg::dot(defined(2, 2, 10000), k);
  return xt::sum(rq * rk)();
}

void part_a(workbook::Exercise& ex) {
  ex.part("a", 2, R"(Implement rope_matrix. The checks compare it with the definition, entry by entry, within 1e-4.)")
      .check("d=8", CheckKind::close, "R_m at m = 0, 3, -7 and 250 for d = 8, base 10000, stacked",
             [](const Context&) {
               xt::xarray<double> actual = xt::zeros<double>({std::size_t(4), std::size_t(8), std::size_t(8)});
               xt::xarray<double> expected = actual;
               const std::int64_t ms[] = {0, 3, -7, 250};
               for (std::size_t t = 0; t < 4; ++t) {
                 xt::view(actual, t) = student(ms[t], 8, 10000);
                 xt::view(expected, t) = defined(ms[t], 8, 10000);
               }
               return workbook::close(actual, expected, rotation_tolerance);
             })
      .check("any size", CheckKind::property, "for random even d up to 16, base 100 or 10000 and m in [-200, 200]",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("a-any"), [] {
                 const auto s = random_size();
                 const auto m = position();
                 RC_ASSERT(near(student(m, s.d, s.base), defined(m, s.d, s.base)));
               });
             });
}

void part_b(workbook::Exercise& ex) {
  ex.part("b", 3, R"(Show the identity the argument rests on, on your matrices: R_m^T R_n = R_(n - m) for all m and n,
and R_0 = I. Then the consequence: for any q and k, (R_m q) . (R_n k) does not change when m and n move together.)")
      .check("R_m^T R_n = R_(n-m)", CheckKind::property,
             "for random d, base, m and n in [-200, 200], within 1e-4",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("b-identity"), [] {
                 const auto s = random_size();
                 const auto m = position(), n = position();
                 RC_ASSERT(near(xt::linalg::dot(xt::transpose(student(m, s.d, s.base)), student(n, s.d, s.base)),
                                student(n - m, s.d, s.base)));
               });
             })
      .check("R_0 = I", CheckKind::close, "R_0 for d = 12 against the identity",
             [](const Context&) {
               return workbook::close(xt::xarray<double>(student(0, 12, 10000)),
                                      xt::xarray<double>(xt::eye<double>(12)), rotation_tolerance);
             })
      .check("score sees n - m", CheckKind::property,
             "for random q, k, m, n and a shift s (all positions in [-200, 200]): (R_m q) . (R_n k) = "
             "(R_(m+s) q) . (R_(n+s) k) within 1e-3",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("b-score"), [] {
                 const auto s = random_size();
                 auto rng = workbook::oracle::property_rng();
                 const Matrix q = workbook::oracle::gaussian_matrix(s.d, 1, rng);
                 const Matrix k = workbook::oracle::gaussian_matrix(s.d, 1, rng);
                 const auto m = position(), n = position(), shift = position();
                 const auto score = [&](std::int64_t a, std::int64_t b) {
                   return double(xt::sum(xt::linalg::dot(student(a, s.d, s.base), q) *
                                         xt::linalg::dot(student(b, s.d, s.base), k))());
                 };
                 RC_ASSERT(std::abs(score(m + shift, n + shift) - score(m, n)) <= 1e-3);
               });
             })
      .hint("Two rotations of the plane compose by adding their angles, and a rotation's transpose turns back.");
}

void part_c(workbook::Exercise& ex) {
  ex.part("c", 2, R"(By hand, with one pair turning at theta = 1 (d = 2): q = (1, 2) at position m = 5 and k = (3, -1) at
n = 2. Compute (R_m q) . (R_n k) as q^T R_(n - m) k, to 4 decimal places.)")
      .number_answer("c_score", "the score", worked_score, Precision::decimal_places(4))
      .hint("n - m is negative here: R_(-3) turns clockwise.");
}

void part_d(workbook::Exercise& ex) {
  ex.part("d", 1, R"(Write the derivation in three lines: from (R_m q) . (R_n k) to a function of n - m, naming where
R_m^T R_n = R_(n - m) enters and where the block-diagonal form lets one pair stand for all.)")
      .manual(1);
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "RoPE scores see only n - m";
  ex.stars = 2;
  ex.tags = {workbook::Tag::implementation, workbook::Tag::proof, workbook::Tag::numeric};
  ex.statement = R"(RoPE multiplies a query at position m by a rotation R_m and a key at position n by R_n before
their dot product. Build R_m as a whole d x d matrix, check on it the identity R_m^T R_n = R_(n - m), and see the
consequence: the score of q at m and k at n is q^T R_(n - m) k, whatever m and n are separately.)";
  part_a(ex);
  part_b(ex);
  part_c(ex);
  part_d(ex);
}
