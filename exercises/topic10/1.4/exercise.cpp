// topic10/1.4: linear attention with Q = x_test^T, K = X, V = Y is the prediction after one gradient step
// from W = 0 on 1/2 ||X W - Y||^2, exactly when eta = 1. Both routes are the student's (gd_step and
// linear_attention), each first checked against plain loops; the property compares them for random data
// and random eta. Softmax attention is checked against its kernel-regression reading: with keys of equal
// norm it is the Nadaraya-Watson estimate with a Gaussian kernel, computed here by a plain loop.

#include "topic10/1.4/interface.hpp"

#include "workbook/oracle_linalg.hpp"
#include "workbook/property.hpp"

namespace {

using workbook::Context;
using workbook::oracle::linalg::gaussian_matrix;
using Matrix2 = xt::xtensor<double, 2>;

const workbook::Tolerance rounding{1e-9, 1e-9};

bool agree(const xt::xarray<double>& actual, const xt::xarray<double>& expected) {
  return workbook::close(actual, expected, rounding).status == workbook::Status::pass;
}

// W - eta X^T (X W - Y) by plain loops.
xt::xarray<double> oracle_gd_step(const Matrix2& x, const Matrix2& y, const Matrix2& w, double eta) {
  using namespace workbook::oracle;
  using namespace workbook::oracle::linalg;
  auto residual = matmul(to_matrix(x), to_matrix(w));
  const auto targets = to_matrix(y);
  for (std::size_t i = 0; i < residual.size(); ++i)
    for (std::size_t c = 0; c < residual[i].size(); ++c) residual[i][c] -= targets[i][c];
  auto step = to_matrix(w);
  const auto gradient = matmul(transpose(to_matrix(x)), residual);
  for (std::size_t r = 0; r < step.size(); ++r)
    for (std::size_t c = 0; c < step[r].size(); ++c) step[r][c] -= eta * gradient[r][c];
  return to_array(step);
}

// Nadaraya-Watson with the Gaussian kernel exp(-|x - x_i|^2 / 2): for each query row x,
// sum_i w_i y_i with w_i proportional to the kernel.
xt::xarray<double> nadaraya_watson(const Matrix2& queries, const Matrix2& x, const Matrix2& y) {
  using namespace workbook::oracle;
  using namespace workbook::oracle::linalg;
  const auto points = to_matrix(x), targets = to_matrix(y);
  Matrix out;
  for (const auto& query : to_matrix(queries)) {
    Vector log_kernel;
    for (const auto& point : points) {
      double squared = 0;
      for (std::size_t c = 0; c < point.size(); ++c) squared += (query[c] - point[c]) * (query[c] - point[c]);
      log_kernel.push_back(-squared / 2);
    }
    const auto w = softmax(log_kernel);  // exactly kernel / sum of kernels, without underflow
    Vector estimate(targets.front().size(), 0.0);
    for (std::size_t i = 0; i < points.size(); ++i)
      for (std::size_t c = 0; c < estimate.size(); ++c) estimate[c] += w[i] * targets[i][c];
    out.push_back(estimate);
  }
  return to_array(out);
}

// n points in R^d, each rescaled to length `radius`.
Matrix2 points_on_sphere(std::size_t n, std::size_t d, double radius, std::mt19937_64& rng) {
  Matrix2 x = gaussian_matrix(n, d, rng);
  for (std::size_t i = 0; i < n; ++i) {
    double norm = 0;
    for (std::size_t c = 0; c < d; ++c) norm += x(i, c) * x(i, c);
    norm = std::sqrt(norm);
    for (std::size_t c = 0; c < d; ++c) x(i, c) *= radius / norm;
  }
  return x;
}

}  // namespace

WORKBOOK_EXERCISE {
  using workbook::CheckKind;
  ex.title = "Linear attention is one step of gradient descent";
  ex.tags = {workbook::Tag::numeric, workbook::Tag::proof, workbook::Tag::implementation, workbook::Tag::conceptual};
  ex.statement =
      "In-context regression: a prompt holds n examples, inputs X (n x d, one per row) and targets Y (n x p), "
      "and a query input x_test in R^d. Linear attention with the query x_test^T, keys X and values Y "
      "outputs O = (x_test^T X^T) Y, a 1 x p row. Compare it with a linear model trained by gradient "
      "descent on L(W) = 1/2 ||X W - Y||_F^2 (a plain sum over the examples, no 1/n), starting from W = 0, "
      "and predicting x_test^T W. Implement gd_step, linear_attention and softmax_attention"
      ". Give learning rates exactly.";

  auto& a = ex.part("a", 1, "Implement gd_step and linear_attention.");
  a.check("gd step", CheckKind::close, "one step from a random W (n = 9, d = 4, p = 3, eta = 0.3) against plain loops",
          [](const Context& ctx) {
            auto rng = ctx.rng("a-gd");
            const auto x = gaussian_matrix(9, 4, rng), y = gaussian_matrix(9, 3, rng), w = gaussian_matrix(4, 3, rng);
            return workbook::close(topic10_1_4::gd_step(x, y, w, 0.3), oracle_gd_step(x, y, w, 0.3), rounding);
          });
  a.check("linear", CheckKind::close, "(Q K^T) V for m = 2 queries, n = 9 keys, d = 4, p = 3 against plain loops",
          [](const Context& ctx) {
            auto rng = ctx.rng("a-linear");
            const auto q = gaussian_matrix(2, 4, rng), k = gaussian_matrix(9, 4, rng), v = gaussian_matrix(9, 3, rng);
            return workbook::close(topic10_1_4::linear_attention(q, k, v), workbook::oracle::linalg::linear_attention(q, k, v),
                                   rounding);
          });

  auto& b = ex.part("b", 2, "For which learning rate does O equal the prediction after one gradient step from "
                            "W = 0? What would it be for the mean loss 1/(2n) ||X W - Y||^2 with n = 32 examples?");
  b.number_answer("b_eta", "eta for the sum loss", [] { return 1.0; }, {0, 1e-9})
      .number_answer("b_eta_mean", "eta for the mean loss, n = 32", [] { return 32.0; }, {0, 1e-9})
      .check("one step", CheckKind::property,
             "for random n <= 12, d <= 8, p <= 4, m <= 4 test inputs and eta in [0.05, 3]: with your gd_step and "
             "linear_attention, X_test W_1 equals O at eta = 1 and eta * O in general",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("b-property"), [] {
                 const auto n = *rc::gen::inRange<std::size_t>(1, 13);
                 const auto d = *rc::gen::inRange<std::size_t>(1, 9);
                 const auto p = *rc::gen::inRange<std::size_t>(1, 5);
                 const auto m = *rc::gen::inRange<std::size_t>(1, 5);
                 const double eta = *rc::gen::inRange(1, 61) / 20.0;
                 std::mt19937_64 rng(*rc::gen::arbitrary<std::uint64_t>());
                 const auto x = gaussian_matrix(n, d, rng), y = gaussian_matrix(n, p, rng);
                 const auto x_test = gaussian_matrix(m, d, rng);
                 const Matrix2 zero = xt::zeros<double>({d, p});
                 const Matrix2 o = topic10_1_4::linear_attention(x_test, x, y);
                 const Matrix2 at_one = xt::linalg::dot(x_test, topic10_1_4::gd_step(x, y, zero, 1.0));
                 const Matrix2 at_eta = xt::linalg::dot(x_test, topic10_1_4::gd_step(x, y, zero, eta));
                 RC_ASSERT(agree(at_one, o));
                 RC_ASSERT(agree(at_eta, eta * o));
               });
             })
      .hint("Write the gradient at W = 0, take one step, and regroup x_test^T X^T Y.");

  auto& c = ex.part("c", 2, "Now use softmax attention, softmax(x_test^T X^T) Y. Is it still one gradient step "
                            "on a linear model? What kind of learner is it?");
  c.choice_answer("c_estimator", "softmax attention over (X, Y) computes",
                  {"a least-squares fit", "a kernel-weighted average of the targets (Nadaraya-Watson)",
                   "the nearest neighbour's target"},
                  "a kernel-weighted average of the targets (Nadaraya-Watson)")
      .check("softmax", CheckKind::close, "softmax attention for m = 2, n = 9, d = 4, p = 3 against plain loops",
             [](const Context& ctx) {
               auto rng = ctx.rng("c-softmax");
               const auto q = gaussian_matrix(2, 4, rng), k = gaussian_matrix(9, 4, rng);
               const auto v = gaussian_matrix(9, 3, rng);
               return workbook::close(topic10_1_4::softmax_attention(q, k, v),
                                      workbook::oracle::to_array(workbook::oracle::attention(
                                          workbook::oracle::to_matrix(q), workbook::oracle::to_matrix(k),
                                          workbook::oracle::to_matrix(v), 1.0)),
                                      rounding);
             })
      .check("kernel smoother", CheckKind::property,
             "for random n <= 12, d <= 6, p <= 3 and keys all of one length r in [0.5, 2]: your softmax attention "
             "equals the Nadaraya-Watson estimate with the Gaussian kernel exp(-|x - x_i|^2 / 2)",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("c-property"), [] {
                 const auto n = *rc::gen::inRange<std::size_t>(1, 13);
                 const auto d = *rc::gen::inRange<std::size_t>(1, 7);
                 const auto p = *rc::gen::inRange<std::size_t>(1, 4);
                 const double radius = *rc::gen::inRange(10, 41) / 20.0;
                 std::mt19937_64 rng(*rc::gen::arbitrary<std::uint64_t>());
                 const auto x = points_on_sphere(n, d, radius, rng), y = gaussian_matrix(n, p, rng);
                 const auto x_test = gaussian_matrix(3, d, rng);
                 RC_ASSERT(agree(topic10_1_4::softmax_attention(x_test, x, y), nadaraya_watson(x_test, x, y)));
               });
             })
      .manual(2);
}
