// topic10/1.3: the rank of an attention layer's output. The seed's bound min(n, d_k, d_v) holds for
// linear attention (Q K^T) V but not for softmax attention, whose weight matrix can have full rank n
// even when d_k = 1; the true softmax bound is min(n, d_v). Both bounds, and the multi-head ones, are
// checked as properties on the student's layers, with ranks from an SVD and a stated threshold; the
// counterexample to the seed is a fixed 4 x 4 case.

#include "topic10/1.3/interface.hpp"

#include <algorithm>
#include <cmath>

#include "workbook/oracle/attention.hpp"
#include "workbook/oracle/matrix.hpp"
#include "workbook/oracle/random.hpp"
#include "workbook/property.hpp"
#include "workbook/tolerances.hpp"

namespace {

using workbook::CheckKind;
using workbook::Context;
using workbook::oracle::gaussian_matrix;
using workbook::oracle::Matrix;
using topic10_1_3::Scores;
using Weights = std::vector<Matrix>;

// The statement asks for double: ranks are read off singular values at 1e-10 of the largest, and float
// rounding (6e-8 relative) would turn every true zero singular value into a "nonzero" one.
const workbook::Tolerance rounding = workbook::tolerance::double_computation;

// Numerical rank: singular values above 1e-10 times the largest. A true zero singular value comes out
// near 1e-16 sigma_max for these small matrices (n <= 12), far below the threshold.
constexpr double rank_rtol = 1e-10;
std::size_t rank_of(const Matrix& m) { return workbook::oracle::numerical_rank(m, rank_rtol); }

// Whether the plain-loop z has r singular values of at least 1e-6 times the largest. The student's Z agrees
// with it to double rounding, ~1e-15 relative, and singular values move by no more than the perturbation
// (Weyl), so the student's sigma_r then stays above 1e-10 sigma_1 with six orders of margin: the rank equals r
// for every correct solution. Random inputs whose weights are nearly singular (exp(q_i k_j) for d_k = 1 and
// close scalars is close to a low-rank matrix) fall below this and are held to the upper bound only.
constexpr double clear_gap = 1e-6;
bool clearly_of_rank(const Matrix& z, std::size_t r) {
  const auto s = workbook::oracle::singular_values(z);
  return r >= 1 && r <= s.size() && s[r - 1] >= clear_gap * s.front();
}

// ---- plain-loop oracles --------------------------------------------------------------------------------
Matrix oracle_softmax(const Matrix& q, const Matrix& k, const Matrix& v) {
  return workbook::oracle::attention(q, k, v, 1 / std::sqrt(double(q.shape(1))));
}

Matrix oracle_z(const Matrix& q, const Matrix& k, const Matrix& v, Scores scores) {
  return scores == Scores::softmax ? oracle_softmax(q, k, v) : workbook::oracle::linear_attention(q, k, v);
}

Matrix student_z(const Matrix& q, const Matrix& k, const Matrix& v, Scores scores) {
  return scores == Scores::softmax ? topic10_1_3::softmax_attention(q, k, v) : topic10_1_3::linear_attention(q, k, v);
}

// Queries 400 times larger than Gaussian (scores in the hundreds and thousands: exp overflows unless the row
// maximum is subtracted), two keys equal (tied scores) and one query of zeros (a row of equal scores). In
// double, rounding moves such scores by ~1e-13, far inside the tolerance.
struct Inputs {
  Matrix q, k, v;
};
Inputs hard_inputs(std::size_t n, std::size_t d_k, std::size_t d_v, std::mt19937_64& rng) {
  Inputs in{gaussian_matrix(n, d_k, rng, 400.0), gaussian_matrix(n, d_k, rng), gaussian_matrix(n, d_v, rng)};
  for (std::size_t c = 0; c < d_k; ++c) {
    in.k(1, c) = in.k(0, c);
    in.q(2, c) = 0;
  }
  return in;
}

workbook::CheckResult against_oracle(Scores scores, const Context& ctx, const std::string& stream) {
  auto rng = ctx.rng(stream);
  const Inputs plain{gaussian_matrix(7, 3, rng), gaussian_matrix(7, 3, rng), gaussian_matrix(7, 5, rng)};
  const auto first = workbook::close(student_z(plain.q, plain.k, plain.v, scores),
                                     oracle_z(plain.q, plain.k, plain.v, scores), rounding);
  if (first.status != workbook::Status::pass) return first;
  const auto hard = hard_inputs(7, 3, 5, rng);
  return workbook::close(student_z(hard.q, hard.k, hard.v, scores), oracle_z(hard.q, hard.k, hard.v, scores), rounding);
}

struct MultiHead {
  Matrix x;
  Weights w_q, w_k, w_v;
  Matrix w_o;
};

MultiHead random_multi_head(std::size_t n, std::size_t d_model, std::size_t heads, std::size_t d_k,
                            std::size_t d_v, std::mt19937_64& rng) {
  const double scale = 1 / std::sqrt(double(d_model));
  MultiHead m{gaussian_matrix(n, d_model, rng), {}, {}, {}, {}};
  for (std::size_t h = 0; h < heads; ++h) {
    m.w_q.push_back(gaussian_matrix(d_model, d_k, rng, scale));
    m.w_k.push_back(gaussian_matrix(d_model, d_k, rng, scale));
    m.w_v.push_back(gaussian_matrix(d_model, d_v, rng, scale));
  }
  m.w_o = gaussian_matrix(heads * d_v, d_model, rng, 1 / std::sqrt(double(heads * d_v)));
  return m;
}

// [Z_1 | ... | Z_H] W_o, every product a plain loop.
Matrix oracle_multi_head(const MultiHead& m, Scores scores) {
  using workbook::oracle::matmul;
  const std::size_t n = m.x.shape(0), d_v = m.w_v.front().shape(1);
  Matrix concat = xt::zeros<double>({n, m.w_q.size() * d_v});
  for (std::size_t h = 0; h < m.w_q.size(); ++h) {
    const auto z = oracle_z(matmul(m.x, m.w_q[h]), matmul(m.x, m.w_k[h]), matmul(m.x, m.w_v[h]), scores);
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t c = 0; c < d_v; ++c) concat(i, h * d_v + c) = z(i, c);
  }
  return matmul(concat, m.w_o);
}

Matrix student_multi_head(const MultiHead& m, Scores scores) {
  return topic10_1_3::multi_head_attention(m.x, m.w_q, m.w_k, m.w_v, m.w_o, scores);
}

// ---- the bounds ------------------------------------------------------------------------------------------
std::size_t softmax_bound(std::size_t n, std::size_t d_v) { return std::min(n, d_v); }
std::size_t linear_bound(std::size_t n, std::size_t d_k, std::size_t d_v) { return std::min({n, d_k, d_v}); }
std::size_t multi_head_softmax_bound(std::size_t n, std::size_t d_model, std::size_t heads, std::size_t d_v) {
  return std::min({n, d_model, heads * d_v});
}
std::size_t multi_head_linear_bound(std::size_t n, std::size_t d_model, std::size_t heads, std::size_t d_k,
                                    std::size_t d_v) {
  return std::min({n, d_model, heads * std::min(d_k, d_v)});
}

// The rank of the student's Z is at most `bound`, and equal to it wherever the plain-loop Z is clearly of
// that rank (see clearly_of_rank).
void assert_rank(const Matrix& student, const Matrix& oracle, std::size_t bound) {
  const auto rank = rank_of(student);
  RC_ASSERT(rank <= bound);
  if (clearly_of_rank(oracle, bound)) RC_ASSERT(rank == bound);
}

// ---- the counterexample: n = d_v = 4, d_k = 1 -------------------------------------------------------------
// Scalar queries and keys -1.5, -0.5, 0.5, 1.5. The scores exp(q_i k_j) form the Gram matrix of the kernel
// exp(x y), which is strictly positive definite on distinct points, so the weights (that matrix with its
// rows rescaled) are invertible. V is an invertible upper-triangular matrix of ones, so Z = A V has full rank.
Matrix example_q() { return Matrix{{-1.5}, {-0.5}, {0.5}, {1.5}}; }

Matrix upper_ones(std::size_t n) {
  Matrix v = xt::zeros<double>({n, n});
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = i; j < n; ++j) v(i, j) = 1;
  return v;
}

// The student's Z on the example against the plain-loop Z: values first, then the numerical ranks (the
// plain-loop Z's smallest singular value is 0.008 of its largest, far from the 1e-10 threshold).
workbook::CheckResult example_check(Scores scores) {
  const auto q = example_q(), v = upper_ones(4);
  const auto z = student_z(q, q, v, scores), expected = oracle_z(q, q, v, scores);
  const auto values = workbook::close(z, expected, rounding);
  if (values.status != workbook::Status::pass) return values;
  const bool same = rank_of(z) == rank_of(expected);
  return workbook::holds(same, same ? nlohmann::json("the ranks agree") : nlohmann::json(workbook::oracle::singular_values(z)),
                         "the numerical rank of your Z differs from that of the plain-loop Z (shown: your singular values)");
}

// ---- the parts -------------------------------------------------------------------------------------------
void part_a(workbook::Exercise& ex) {
  auto& a = ex.part("a", 1, "Implement softmax_attention and linear_attention.");
  a.check("softmax", CheckKind::close,
          "softmax attention for (n, d_k, d_v) = (7, 3, 5) against plain loops, on Gaussian inputs and on inputs "
          "with scores in the hundreds and thousands, two equal keys and a zero query",
          [](const Context& ctx) { return against_oracle(Scores::softmax, ctx, "a-softmax"); });
  a.check("linear", CheckKind::close, "linear attention on the same two kinds of input against plain loops",
          [](const Context& ctx) { return against_oracle(Scores::linear, ctx, "a-linear"); });
}

void part_b(workbook::Exercise& ex) {
  auto& b1 = ex.part("b1", 2, "Prove the correct single-head bounds, for softmax attention and for linear attention.");
  b1.check("single head", CheckKind::property,
           "for random n in 1..10, d_k and d_v in 1..8 and Gaussian Q, K, V: your softmax Z and linear Z have shape "
           "n x d_v, and the numerical rank of each is at most the correct single-head bound for its kind of "
           "attention, and equal to it wherever the plain-loop Z's r-th singular value (r the bound) is at least "
           "1e-6 of its largest",
           [](const Context& ctx) {
             return workbook::property(ctx.seed_for("b-property"), [] {
               const auto n = *rc::gen::inRange<std::size_t>(1, 11);
               const auto d_k = *rc::gen::inRange<std::size_t>(1, 9);
               const auto d_v = *rc::gen::inRange<std::size_t>(1, 9);
               auto rng = workbook::oracle::property_rng();
               const auto q = gaussian_matrix(n, d_k, rng), k = gaussian_matrix(n, d_k, rng),
                          v = gaussian_matrix(n, d_v, rng);
               const auto soft = topic10_1_3::softmax_attention(q, k, v);
               const auto lin = topic10_1_3::linear_attention(q, k, v);
               RC_ASSERT(soft.shape(0) == n && soft.shape(1) == d_v && lin.shape(0) == n && lin.shape(1) == d_v);
               assert_rank(soft, oracle_z(q, k, v, Scores::softmax), softmax_bound(n, d_v));
               assert_rank(lin, oracle_z(q, k, v, Scores::linear), linear_bound(n, d_k, d_v));
             });
           })
      .hint("Softmax: Z = A V whatever A is. Linear: regroup Z = Q (K^T V).");

  ex.part("b2", 1, "For n = 10, d_k = 2, d_v = 6 give the largest possible rank of Z for softmax attention and "
                   "for linear attention.")
      .integer_answer("b_softmax", "max rank of softmax-attention Z for (n, d_k, d_v) = (10, 2, 6)",
                      std::int64_t(softmax_bound(10, 6)))
      .integer_answer("b_linear", "max rank of linear-attention Z for (n, d_k, d_v) = (10, 2, 6)",
                      std::int64_t(linear_bound(10, 2, 6)));
}

void part_c(workbook::Exercise& ex) {
  auto& c1 = ex.part("c1", 1, "Is min(n, d_k, d_v) a valid bound for softmax attention? Take n = d_v = 4, d_k = 1, "
                              "scalar queries and keys q = k = (-1.5, -0.5, 0.5, 1.5) and V the 4 x 4 upper-"
                              "triangular matrix of ones, and run both of your layers on it.");
  c1.check("your Z", CheckKind::property,
           "your softmax_attention on the example against the plain-loop Z: the values, then the numerical ranks",
           [](const Context&) { return example_check(Scores::softmax); })
      .check("linear contrast", CheckKind::property,
             "your linear_attention on the same Q, K, V against the plain-loop linear Z: the values, then the "
             "numerical ranks",
             [](const Context&) { return example_check(Scores::linear); })
      .hint("Write out A_ij for d_k = 1: is exp(q_i k_j) a rank-one matrix?");

  ex.part("c2", 1, "Answer the question of (c1) and give the rank of the softmax Z in the example.")
      .choice_answer("c_seed_bound", "does rank(Z) <= min(n, d_k, d_v) hold for softmax attention?", {"yes", "no"}, "no")
      .integer_answer("c_rank", "rank of Z in the 4 x 4 example", 4);
}

void part_d(workbook::Exercise& ex) {
  auto& d1 = ex.part("d1", 2, "H heads: implement multi_head_attention and derive the rank bounds for softmax and "
                              "for linear heads.");
  d1.check("multi-head", CheckKind::close,
           "multi_head_attention with (n, d_model, H, d_k, d_v) = (6, 8, 3, 2, 3), softmax and linear heads, "
           "against plain loops",
           [](const Context& ctx) {
             auto rng = ctx.rng("d-multi-head");
             const auto m = random_multi_head(6, 8, 3, 2, 3, rng);
             const auto soft = workbook::close(student_multi_head(m, Scores::softmax),
                                               oracle_multi_head(m, Scores::softmax), rounding);
             if (soft.status != workbook::Status::pass) return soft;
             return workbook::close(student_multi_head(m, Scores::linear), oracle_multi_head(m, Scores::linear),
                                    rounding);
           })
      .check("rank bound", CheckKind::property,
             "for random n in 1..12, d_model in 1..10, H, d_k and d_v in 1..4: your output is n x d_model, and its "
             "numerical rank is at most the correct multi-head bound for softmax heads and for linear heads, and "
             "equal to it wherever the plain-loop output's r-th singular value (r the bound) is at least 1e-6 of "
             "its largest",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("d-property"), [] {
                 const auto n = *rc::gen::inRange<std::size_t>(1, 13);
                 const auto d_model = *rc::gen::inRange<std::size_t>(1, 11);
                 const auto heads = *rc::gen::inRange<std::size_t>(1, 5);
                 const auto d_k = *rc::gen::inRange<std::size_t>(1, 5);
                 const auto d_v = *rc::gen::inRange<std::size_t>(1, 5);
                 auto rng = workbook::oracle::property_rng();
                 const auto m = random_multi_head(n, d_model, heads, d_k, d_v, rng);
                 const auto soft = student_multi_head(m, Scores::softmax), lin = student_multi_head(m, Scores::linear);
                 RC_ASSERT(soft.shape(0) == n && soft.shape(1) == d_model && lin.shape(0) == n &&
                           lin.shape(1) == d_model);
                 assert_rank(soft, oracle_multi_head(m, Scores::softmax), multi_head_softmax_bound(n, d_model, heads, d_v));
                 assert_rank(lin, oracle_multi_head(m, Scores::linear),
                             multi_head_linear_bound(n, d_model, heads, d_k, d_v));
               });
             })
      .hint("rank [B | C] <= rank B + rank C, and rank(M W_o) <= min(rank M, d_model).");

  ex.part("d2", 1, "Give the largest possible ranks for n = 16, d_model = 12, H = 4, d_k = 1, d_v = 2.")
      .integer_answer("d_softmax", "max rank, softmax heads, (n, d_model, H, d_k, d_v) = (16, 12, 4, 1, 2)",
                      std::int64_t(multi_head_softmax_bound(16, 12, 4, 2)))
      .integer_answer("d_linear", "max rank, linear heads, same sizes",
                      std::int64_t(multi_head_linear_bound(16, 12, 4, 1, 2)));
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "The rank of attention outputs: softmax versus linear attention";
  ex.tags = {workbook::Tag::numeric, workbook::Tag::proof, workbook::Tag::implementation};
  ex.statement = R"(One attention head with queries Q and keys K (n x d_k) and values V (n x d_v) outputs
Z = softmax(Q K^T / sqrt(d_k)) V; linear attention drops the softmax and the scaling, Z = (Q K^T) V.
A common claim is that rank(Z) <= min(n, d_k, d_v) in both cases. Find out where that is true, prove the
correct bounds, and extend them to H heads concatenated and projected by W_o ((H d_v) x d_model).
Implement the layers in double precision: ranks are computed from an SVD as the number of singular values
above 1e-10 times the largest, and float rounding (about 6e-8 relative) would make true zeros count.)";
  part_a(ex);
  part_b(ex);
  part_c(ex);
  part_d(ex);
}
