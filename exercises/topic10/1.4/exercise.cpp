// topic10/1.4: linear attention with Q = x_test^T, K = X, V = Y is the prediction after one gradient step
// from W = 0 on 1/2 ||X W - Y||^2, exactly when eta = 1. Both routes are the student's (gd_step and
// linear_attention), each first checked against plain loops; the property compares them for random data
// and random eta. Softmax attention is checked against its kernel-regression reading: with keys of equal
// norm it is the Nadaraya-Watson estimate with a Gaussian kernel, computed here by a plain loop.

#include "topic10/1.4/interface.hpp"

#include <algorithm>
#include <cmath>

#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xsort.hpp>

#include "workbook/oracle/attention.hpp"
#include "workbook/oracle/matrix.hpp"
#include "workbook/oracle/random.hpp"
#include "workbook/property.hpp"
#include "workbook/tolerances.hpp"

namespace {

using workbook::CheckKind;
using workbook::Context;
using workbook::Precision;
using workbook::oracle::gaussian_matrix;
using workbook::oracle::Matrix;

// |A| |B| by plain loops.
Matrix abs_product(const Matrix& a, const Matrix& b) { return workbook::oracle::matmul(xt::abs(a), xt::abs(b)); }

bool agree(const Matrix& actual, const Matrix& expected, double term_size) {
  return workbook::close(actual, expected, workbook::tolerance::float_sums(term_size)).status == workbook::Status::pass;
}

// The sizes of the terms of each computation.
double gd_terms(const Matrix& x, const Matrix& y, const Matrix& w, double eta) {
  const Matrix residual_terms = abs_product(x, w) + xt::abs(y);
  return workbook::tolerance::largest_magnitude(w) + eta * workbook::tolerance::largest_magnitude(abs_product(workbook::oracle::transpose(x), residual_terms));
}
double linear_terms(const Matrix& q, const Matrix& k, const Matrix& v) {
  return workbook::tolerance::largest_magnitude(abs_product(abs_product(q, workbook::oracle::transpose(k)), v));
}
double softmax_terms(const Matrix&, const Matrix&, const Matrix& v) { return workbook::tolerance::largest_magnitude(v); }  // weights <= 1

// W - eta X^T (X W - Y) by plain loops.
Matrix oracle_gd_step(const Matrix& x, const Matrix& y, const Matrix& w, double eta) {
  using workbook::oracle::matmul;
  const Matrix residual = matmul(x, w) - y;
  return w - eta * matmul(workbook::oracle::transpose(x), residual);
}

// softmax(Q K^T) V with no scaling, by plain loops.
Matrix oracle_softmax_attention(const Matrix& q, const Matrix& k, const Matrix& v) {
  return workbook::oracle::attention(q, k, v, 1.0);
}

// Nadaraya-Watson with the Gaussian kernel exp(-|x - x_i|^2 / 2): for each query row x,
// sum_i w_i y_i with w_i proportional to the kernel.
Matrix nadaraya_watson(const Matrix& queries, const Matrix& x, const Matrix& y) {
  Matrix out = xt::zeros<double>({queries.shape(0), y.shape(1)});
  for (std::size_t r = 0; r < queries.shape(0); ++r) {
    workbook::oracle::Vector log_kernel = xt::zeros<double>({x.shape(0)});
    for (std::size_t i = 0; i < x.shape(0); ++i)
      for (std::size_t c = 0; c < x.shape(1); ++c) log_kernel(i) -= (queries(r, c) - x(i, c)) * (queries(r, c) - x(i, c)) / 2;
    const auto w = workbook::oracle::softmax(log_kernel);  // exactly kernel / sum of kernels, without underflow
    for (std::size_t i = 0; i < x.shape(0); ++i)
      for (std::size_t c = 0; c < y.shape(1); ++c) out(r, c) += w(i) * y(i, c);
  }
  return out;
}

// n points in R^d, each rescaled to length `radius`.
Matrix points_on_sphere(std::size_t n, std::size_t d, double radius, std::mt19937_64& rng) {
  Matrix x = gaussian_matrix(n, d, rng);
  for (std::size_t i = 0; i < n; ++i) {
    const double norm = std::sqrt(workbook::oracle::dot(workbook::oracle::row(x, i), workbook::oracle::row(x, i)));
    for (std::size_t c = 0; c < d; ++c) x(i, c) *= radius / norm;
  }
  return x;
}

// Attention inputs a careless softmax gets wrong, exact in float: scores 0 or +-|q||k| up to 1600 (exp
// overflows unless the row maximum is subtracted), query 0 tied between keys 0 and 1, query 1 all zeros
// (every score equal), query 2 tied between four keys; every other gap in a row is at least 900.
struct Attention {
  Matrix q, k, v;
};
Attention hard_attention(std::mt19937_64& rng) {
  return {Matrix{{40, 0, 0}, {0, 0, 0}, {0, -30, 0}},
          Matrix{{40, 0, 0}, {40, 0, 0}, {0, 40, 0}, {-40, 0, 0}, {0, 0, 25}}, gaussian_matrix(5, 3, rng)};
}

// The student's attention against the oracle on Gaussian inputs (2 queries, 9 keys, d 4, p 3) and on the
// hand-made ones.
template <class Student, class Oracle, class Terms>
workbook::CheckResult attention_check(const Context& ctx, const std::string& stream, Student student, Oracle oracle,
                                      Terms terms) {
  auto rng = ctx.rng(stream);
  const Attention plain{gaussian_matrix(2, 4, rng), gaussian_matrix(9, 4, rng), gaussian_matrix(9, 3, rng)};
  workbook::CheckResult result;
  for (const auto& in : {plain, hard_attention(rng)}) {
    result = workbook::close(student(in.q, in.k, in.v), oracle(in.q, in.k, in.v), workbook::tolerance::float_sums(terms(in.q, in.k, in.v)));
    if (result.status != workbook::Status::pass) return result;
  }
  return result;
}

// ---- the parts -------------------------------------------------------------------------------------------
void part_a(workbook::Exercise& ex) {
  auto& a = ex.part("a", 1, "Implement gd_step and linear_attention.");
  a.check("gd step", CheckKind::close,
          "one step from a random W (n 9, d 4, p 3, eta 0.3, one example repeated and one all zeros) against "
          "plain loops",
          [](const Context& ctx) {
            auto rng = ctx.rng("a-gd");
            Matrix x = gaussian_matrix(9, 4, rng);
            const Matrix y = gaussian_matrix(9, 3, rng), w = gaussian_matrix(4, 3, rng);
            for (std::size_t c = 0; c < 4; ++c) {
              x(1, c) = x(0, c);
              x(2, c) = 0;
            }
            return workbook::close(topic10_1_4::gd_step(x, y, w, 0.3), oracle_gd_step(x, y, w, 0.3),
                                   workbook::tolerance::float_sums(gd_terms(x, y, w, 0.3)));
          });
  a.check("linear", CheckKind::close,
          "(Q K^T) V against plain loops for Gaussian inputs (2 queries, 9 keys, d 4, p 3) and for large, tied and "
          "zero scores",
          [](const Context& ctx) {
            return attention_check(ctx, "a-linear", topic10_1_4::linear_attention, workbook::oracle::linear_attention,
                                   linear_terms);
          });
}

void part_b(workbook::Exercise& ex) {
  auto& b1 = ex.part("b1", 2, "Derive the link between O and the prediction after one gradient step from W = 0, "
                              "for any learning rate eta.");
  b1.check("one step", CheckKind::property,
           "for random n in 1..12, d in 1..8, p and m in 1..4 and eta in [0.05, 3]: the predictions X_test W_1 "
           "after one step of your gd_step from W = 0 against eta times your linear_attention(X_test, X, Y)",
           [](const Context& ctx) {
             return workbook::property(ctx.seed_for("b-property"), [] {
               const auto n = *rc::gen::inRange<std::size_t>(1, 13);
               const auto d = *rc::gen::inRange<std::size_t>(1, 9);
               const auto p = *rc::gen::inRange<std::size_t>(1, 5);
               const auto m = *rc::gen::inRange<std::size_t>(1, 5);
               const double eta = *rc::gen::inRange(1, 61) / 20.0;
               auto rng = workbook::oracle::property_rng();
               const auto x = gaussian_matrix(n, d, rng), y = gaussian_matrix(n, p, rng);
               const auto x_test = gaussian_matrix(m, d, rng);
               const Matrix zero = xt::zeros<double>({d, p});
               const Matrix o = topic10_1_4::linear_attention(x_test, x, y);
               const Matrix after_step = xt::linalg::dot(x_test, topic10_1_4::gd_step(x, y, zero, eta));
               RC_ASSERT(agree(after_step, eta * o, eta * linear_terms(x_test, x, y)));
             });
           })
      .hint("Write the gradient at W = 0, take one step, and regroup x_test^T X^T Y.");

  ex.part("b2", 1, "For which learning rate does O equal the prediction after one gradient step from W = 0? What "
                   "would it be for the mean loss 1/(2n) ||X W - Y||^2 with n = 32 examples?")
      .number_answer("b_eta", "eta for the sum loss", [] { return 1.0; }, Precision::exact())
      .number_answer("b_eta_mean", "eta for the mean loss with 32 examples", [] { return 32.0; }, Precision::exact());
}

void part_c(workbook::Exercise& ex) {
  auto& c1 = ex.part("c1", 1, "Implement softmax_attention, softmax(x_test^T X^T) Y.");
  c1.check("softmax", CheckKind::close,
           "softmax attention against plain loops for Gaussian inputs (2 queries, 9 keys, d 4, p 3) and for large, "
           "tied and zero scores",
           [](const Context& ctx) {
             return attention_check(ctx, "c-softmax", topic10_1_4::softmax_attention, oracle_softmax_attention,
                                   softmax_terms);
           })
      .check("kernel smoother", CheckKind::property,
             "for random n in 1..12, d in 1..6, p in 1..3 and keys all of one length r in [0.5, 2]: your softmax "
             "attention against a plain-loop estimate of the targets built from the distances |x_test - x_i| alone "
             "(no dot products)",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("c-property"), [] {
                 const auto n = *rc::gen::inRange<std::size_t>(1, 13);
                 const auto d = *rc::gen::inRange<std::size_t>(1, 7);
                 const auto p = *rc::gen::inRange<std::size_t>(1, 4);
                 const double radius = *rc::gen::inRange(10, 41) / 20.0;
                 auto rng = workbook::oracle::property_rng();
                 const auto x = points_on_sphere(n, d, radius, rng), y = gaussian_matrix(n, p, rng);
                 const auto x_test = gaussian_matrix(3, d, rng);
                 RC_ASSERT(agree(topic10_1_4::softmax_attention(x_test, x, y), nadaraya_watson(x_test, x, y), workbook::tolerance::largest_magnitude(y)));
               });
             });

  ex.part("c2", 1, "Is softmax attention still one gradient step on a linear model? What kind of learner is it?")
      .choice_answer("c_estimator", "softmax attention over (X, Y) computes",
                     {"a least-squares fit", "a kernel-weighted average of the targets (Nadaraya-Watson)",
                      "the nearest neighbour's target"},
                     "a kernel-weighted average of the targets (Nadaraya-Watson)")
      .manual(2);
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "Linear attention is one step of gradient descent";
  ex.tags = {workbook::Tag::numeric, workbook::Tag::proof, workbook::Tag::implementation, workbook::Tag::conceptual};
  ex.statement = R"(In-context regression: a prompt holds n examples, inputs X (n x d, one per row) and targets
Y (n x p), and a query input x_test in R^d. Linear attention with the query x_test^T, keys X and values Y
outputs O = (x_test^T X^T) Y, a 1 x p row. Compare it with a linear model trained by gradient descent on
L(W) = 1/2 ||X W - Y||_F^2 (a plain sum over the examples, no 1/n), starting from W = 0, and predicting
x_test^T W. Implement gd_step, linear_attention and softmax_attention (float or double inside: the checks
allow float rounding). Give learning rates exactly.)";
  part_a(ex);
  part_b(ex);
  part_c(ex);
}
