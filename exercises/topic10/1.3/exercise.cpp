// topic10/1.3: the rank of an attention layer's output. The seed's bound min(n, d_k, d_v) holds for
// linear attention (Q K^T) V but not for softmax attention, whose weight matrix can have full rank n
// even when d_k = 1; the true softmax bound is min(n, d_v). Both bounds, and the multi-head ones, are
// checked as properties on the student's layers, with ranks from an SVD and a stated threshold; the
// counterexample to the seed is a fixed 4 x 4 case.

#include "topic10/1.3/interface.hpp"

#include "workbook/oracle_linalg.hpp"
#include "workbook/property.hpp"

namespace {

using workbook::Context;
using workbook::oracle::linalg::gaussian_matrix;
using Matrix2 = xt::xtensor<double, 2>;
using Weights = std::vector<Matrix2>;

// Numerical rank: the number of singular values above 1e-10 times the largest. Rounding leaves a true
// zero singular value near 1e-16 * sigma_max for these small matrices (n <= 12); the nonzero ones of the
// random cases here stay far above 1e-10 * sigma_max, so the threshold separates the two cleanly.
constexpr double rank_rtol = 1e-10;

std::size_t numerical_rank(const Matrix2& m) {
  if (m.size() == 0) return 0;
  const xt::xtensor<double, 1> s = std::get<1>(xt::linalg::svd(m, false, false));
  std::size_t rank = 0;
  for (double sigma : s) rank += sigma > rank_rtol * s(0);
  return rank;
}

std::vector<double> singular_values(const Matrix2& m) {
  const xt::xtensor<double, 1> s = std::get<1>(xt::linalg::svd(m, false, false));
  return {s.begin(), s.end()};
}

const workbook::Tolerance rounding{1e-9, 1e-12};

// ---- plain-loop oracles --------------------------------------------------------------------------------
xt::xarray<double> oracle_softmax_attention(const Matrix2& q, const Matrix2& k, const Matrix2& v) {
  using namespace workbook::oracle;
  using namespace workbook::oracle::linalg;
  return to_array(attention(to_matrix(q), to_matrix(k), to_matrix(v), 1 / std::sqrt(double(q.shape(1)))));
}

struct MultiHead {
  Matrix2 x;
  Weights w_q, w_k, w_v;
  Matrix2 w_o;
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

xt::xarray<double> oracle_multi_head(const MultiHead& m, topic10_1_3::Scores scores) {
  using namespace workbook::oracle;
  using namespace workbook::oracle::linalg;
  Matrix concat(m.x.shape(0));
  for (std::size_t h = 0; h < m.w_q.size(); ++h) {
    const auto q = plain_product(m.x, m.w_q[h]), k = plain_product(m.x, m.w_k[h]), v = plain_product(m.x, m.w_v[h]);
    const xt::xarray<double> z = scores == topic10_1_3::Scores::softmax ? oracle_softmax_attention(q, k, v)
                                                                        : linear_attention(q, k, v);
    for (std::size_t i = 0; i < concat.size(); ++i)
      for (std::size_t c = 0; c < z.shape(1); ++c) concat[i].push_back(z(i, c));
  }
  return to_array(matmul(concat, to_matrix(m.w_o)));
}

Matrix2 student_multi_head(const MultiHead& m, topic10_1_3::Scores scores) {
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

// ---- the counterexample: n = d_v = 4, d_k = 1 -------------------------------------------------------------
// Scalar queries and keys -1.5, -0.5, 0.5, 1.5. The scores exp(q_i k_j) form the Gram matrix of the kernel
// exp(x y), which is strictly positive definite on distinct points, so the weights (that matrix with its
// rows rescaled) are invertible. V is an invertible upper-triangular matrix of ones, so Z = A V has rank 4.
const std::vector<double> scalars = {-1.5, -0.5, 0.5, 1.5};

Matrix2 column(const std::vector<double>& values) {
  Matrix2 m = Matrix2::from_shape({values.size(), 1});
  for (std::size_t i = 0; i < values.size(); ++i) m(i, 0) = values[i];
  return m;
}

Matrix2 upper_ones(std::size_t n) {
  Matrix2 v = xt::zeros<double>({n, n});
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = i; j < n; ++j) v(i, j) = 1;
  return v;
}

}  // namespace

WORKBOOK_EXERCISE {
  using workbook::CheckKind;
  using topic10_1_3::Scores;
  ex.title = "The rank of attention outputs: softmax versus linear attention";
  ex.tags = {workbook::Tag::numeric, workbook::Tag::proof, workbook::Tag::implementation};
  ex.statement =
      "One attention head with queries Q and keys K (n x d_k) and values V (n x d_v) outputs "
      "Z = softmax(Q K^T / sqrt(d_k)) V; linear attention drops the softmax and the scaling, Z = (Q K^T) V. "
      "A common claim is that rank(Z) <= min(n, d_k, d_v) in both cases. Find out where that is true, "
      "prove the correct bounds, and extend them to H heads concatenated and projected by W_o "
      "((H d_v) x d_model). Implement the layers. Ranks are computed from "
      "an SVD: the number of singular values above 1e-10 times the largest.";

  auto& a = ex.part("a", 1, "Implement softmax_attention and linear_attention.");
  a.check("softmax", CheckKind::close, "softmax attention for n = 7, d_k = 3, d_v = 5 against plain loops",
          [](const Context& ctx) {
            auto rng = ctx.rng("a-softmax");
            const auto q = gaussian_matrix(7, 3, rng), k = gaussian_matrix(7, 3, rng), v = gaussian_matrix(7, 5, rng);
            return workbook::close(topic10_1_3::softmax_attention(q, k, v), oracle_softmax_attention(q, k, v),
                                   rounding);
          });
  a.check("linear", CheckKind::close, "linear attention for n = 7, d_k = 3, d_v = 5 against plain loops",
          [](const Context& ctx) {
            auto rng = ctx.rng("a-linear");
            const auto q = gaussian_matrix(7, 3, rng), k = gaussian_matrix(7, 3, rng), v = gaussian_matrix(7, 5, rng);
            return workbook::close(topic10_1_3::linear_attention(q, k, v), workbook::oracle::linalg::linear_attention(q, k, v),
                                   rounding);
          });

  auto& b = ex.part("b", 3, "Prove the correct single-head bounds. For n = 10, d_k = 2, d_v = 6 give the "
                            "largest possible rank of Z for softmax attention and for linear attention.");
  b.integer_answer("b_softmax", "max rank of softmax-attention Z for n = 10, d_k = 2, d_v = 6", 6)
      .integer_answer("b_linear", "max rank of linear-attention Z for n = 10, d_k = 2, d_v = 6", 2)
      .check("single head", CheckKind::property,
             "for random n <= 10, d_k, d_v <= 8 and Gaussian Q, K, V: Z has shape n x d_v, rank(softmax Z) = "
             "min(n, d_v) and rank(linear Z) = min(n, d_k, d_v) (at most that always; equal for generic inputs)",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("b-property"), [] {
                 const auto n = *rc::gen::inRange<std::size_t>(1, 11);
                 const auto d_k = *rc::gen::inRange<std::size_t>(1, 9);
                 const auto d_v = *rc::gen::inRange<std::size_t>(1, 9);
                 std::mt19937_64 rng(*rc::gen::arbitrary<std::uint64_t>());
                 const auto q = gaussian_matrix(n, d_k, rng), k = gaussian_matrix(n, d_k, rng),
                            v = gaussian_matrix(n, d_v, rng);
                 const auto soft = topic10_1_3::softmax_attention(q, k, v);
                 const auto lin = topic10_1_3::linear_attention(q, k, v);
                 RC_ASSERT(soft.shape(0) == n && soft.shape(1) == d_v && lin.shape(0) == n && lin.shape(1) == d_v);
                 RC_ASSERT(numerical_rank(soft) == softmax_bound(n, d_v));
                 RC_ASSERT(numerical_rank(lin) == linear_bound(n, d_k, d_v));
               });
             })
      .hint("Softmax: Z = A V whatever A is. Linear: regroup Z = Q (K^T V).");

  auto& c = ex.part("c", 2, "Is min(n, d_k, d_v) a valid bound for softmax attention? Take n = d_v = 4, d_k = 1, "
                            "scalar queries and keys q = k = (-1.5, -0.5, 0.5, 1.5) and V the 4 x 4 upper-"
                            "triangular matrix of ones, and give the rank of Z.");
  c.choice_answer("c_seed_bound", "does rank(Z) <= min(n, d_k, d_v) hold for softmax attention?", {"yes", "no"}, "no")
      .integer_answer("c_rank", "rank of Z in the 4 x 4 example", 4)
      .check("your Z", CheckKind::close,
             "your softmax_attention on the example equals the plain-loop Z and its numerical rank is 4 "
             "(reported: rank and singular values; expected rank 4 > d_k = 1)",
             [](const Context&) {
               const auto q = column(scalars), v = upper_ones(4);
               const auto z = topic10_1_3::softmax_attention(q, q, v);
               const auto agrees = workbook::close(z, oracle_softmax_attention(q, q, v), rounding);
               if (agrees.status != workbook::Status::pass) return agrees;
               return workbook::holds(numerical_rank(z) == 4,
                                      {{"rank", numerical_rank(z)}, {"singular values", singular_values(z)}},
                                      "Z does not have rank 4");
             })
      .check("linear rank 1", CheckKind::equal,
             "your linear_attention on the same Q, K, V has rank 1 = d_k, as the linear bound says",
             [](const Context&) {
               const auto q = column(scalars);
               return workbook::equal(std::int64_t(numerical_rank(topic10_1_3::linear_attention(q, q, upper_ones(4)))),
                                      1);
             })
      .hint("Write out A_ij for d_k = 1: is exp(q_i k_j) a rank-one matrix?");

  auto& d = ex.part("d", 3, "H heads: implement multi_head_attention, derive the rank bounds for softmax and "
                            "for linear heads, and give them for n = 16, d_model = 12, H = 4, d_k = 1, d_v = 2.");
  d.integer_answer("d_softmax", "max rank, softmax heads, n = 16, d_model = 12, H = 4, d_k = 1, d_v = 2",
                   std::int64_t(multi_head_softmax_bound(16, 12, 4, 2)))
      .integer_answer("d_linear", "max rank, linear heads, same sizes",
                      std::int64_t(multi_head_linear_bound(16, 12, 4, 1, 2)))
      .check("multi-head", CheckKind::close,
             "multi_head_attention (n = 6, d_model = 8, H = 3, d_k = 2, d_v = 3), softmax and linear heads, "
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
             "for random n <= 12, d_model <= 10, H <= 4, d_k, d_v <= 4: the output is n x d_model with rank "
             "min(n, H d_v, d_model) for softmax heads and min(n, H min(d_k, d_v), d_model) for linear heads",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("d-property"), [] {
                 const auto n = *rc::gen::inRange<std::size_t>(1, 13);
                 const auto d_model = *rc::gen::inRange<std::size_t>(1, 11);
                 const auto heads = *rc::gen::inRange<std::size_t>(1, 5);
                 const auto d_k = *rc::gen::inRange<std::size_t>(1, 5);
                 const auto d_v = *rc::gen::inRange<std::size_t>(1, 5);
                 std::mt19937_64 rng(*rc::gen::arbitrary<std::uint64_t>());
                 const auto m = random_multi_head(n, d_model, heads, d_k, d_v, rng);
                 const auto soft = student_multi_head(m, Scores::softmax), lin = student_multi_head(m, Scores::linear);
                 RC_ASSERT(soft.shape(0) == n && soft.shape(1) == d_model && lin.shape(0) == n &&
                           lin.shape(1) == d_model);
                 RC_ASSERT(numerical_rank(soft) == multi_head_softmax_bound(n, d_model, heads, d_v));
                 RC_ASSERT(numerical_rank(lin) == multi_head_linear_bound(n, d_model, heads, d_k, d_v));
               });
             })
      .hint("rank [B | C] <= rank B + rank C, and rank(M W_o) <= min(rank M, d_model).");
}
