// AdamW against its closed form and a hand loop of PyTorch's algorithm; gradient clipping and the
// learning-rate schedule against hand-computed values. Each comparison is shown to reject a wrong answer.
#define BOOST_TEST_MODULE nn_optim
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <numbers>

#include "gradcheck.hpp"
#include "nn/optim.hpp"
#include "nn/schedule.hpp"

namespace {

bool close(double a, double b, double tol = 1e-12) { return std::abs(a - b) <= tol * std::max(1.0, std::abs(b)); }

bool all_close(const std::vector<double>& a, const std::vector<double>& b, double tol = 1e-12) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!close(a[i], b[i], tol)) return false;
  return true;
}

nn::ParamRef<double> ref(std::string name, std::vector<std::size_t> shape, std::vector<double>& value,
                         std::vector<double>& grad) {
  return {std::move(name), std::move(shape), value.data(), grad.data(), value.size()};
}

// The oracle: torch.optim.AdamW's update written out on one tensor, with bias-corrected moments.
struct HandAdamW {
  explicit HandAdamW(nn::AdamWConfig config) : c(config) {}

  nn::AdamWConfig c;
  std::vector<double> m, v;
  int t = 0;

  void step(std::vector<double>& p, const std::vector<double>& g, double lr, bool decay) {
    if (m.empty()) m.assign(p.size(), 0.0), v.assign(p.size(), 0.0);
    ++t;
    for (std::size_t i = 0; i < p.size(); ++i) {
      if (decay) p[i] -= lr * c.weight_decay * p[i];
      m[i] = c.beta1 * m[i] + (1 - c.beta1) * g[i];
      v[i] = c.beta2 * v[i] + (1 - c.beta2) * g[i] * g[i];
      const double mhat = m[i] / (1 - std::pow(c.beta1, t));
      const double vhat = v[i] / (1 - std::pow(c.beta2, t));
      p[i] -= lr * mhat / (std::sqrt(vhat) + c.eps);
    }
  }
};

}  // namespace

// ---- AdamW ------------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(first_step_on_a_scalar_matches_the_closed_form) {
  const double p0 = 0.7, g = -0.3, lr = 0.05;
  const nn::AdamWConfig config{lr, 0.9, 0.999, 1e-8, 0.1};
  std::vector<double> p{p0}, grad{g};
  nn::AdamW<double> opt({ref("w", {1, 1}, p, grad)}, config);
  opt.step();
  // mhat = g and vhat = g^2 after one step, whatever the betas
  const double expected = p0 - lr * 0.1 * p0 - lr * g / (std::abs(g) + 1e-8);
  BOOST_TEST(close(p[0], expected, 1e-12), p[0] << " vs " << expected);
  // Without bias correction the step would be m / sqrt(v) = 0.1 g / (0.0316 |g|): the check rejects it.
  const double uncorrected = p0 - lr * 0.1 * p0 - lr * (0.1 * g) / (std::sqrt(0.001) * std::abs(g) + 1e-8);
  BOOST_TEST(!close(uncorrected, expected, 1e-12));
}

BOOST_AUTO_TEST_CASE(two_steps_match_a_hand_loop) {
  const nn::AdamWConfig config{0.01, 0.8, 0.99, 1e-8, 0.05};
  std::mt19937_64 rng(3);
  const auto draw = [&](std::size_t n) {
    const auto v = nn_test::random_vector(n, rng);
    return std::vector<double>(v.begin(), v.end());
  };
  const auto redraw = [&](std::vector<double>& grad) {  // in place: the optimizer holds a pointer to it
    const auto fresh = draw(grad.size());
    std::copy(fresh.begin(), fresh.end(), grad.begin());
  };
  std::vector<double> w = draw(6), b = draw(3), dw = draw(6), db = draw(3);
  std::vector<double> w_hand = w, b_hand = b;
  nn::AdamW<double> opt({ref("w", {2, 3}, w, dw), ref("b", {3}, b, db)}, config);
  HandAdamW hand_w(config), hand_b(config);
  const double lrs[] = {0.01, 0.004};  // a schedule changes lr between steps
  for (double lr : lrs) {
    opt.step(lr);
    hand_w.step(w_hand, dw, lr, true);
    hand_b.step(b_hand, db, lr, false);
    redraw(dw), redraw(db);
  }
  BOOST_TEST(opt.steps_taken() == 2u);
  BOOST_TEST(all_close(w, w_hand));
  BOOST_TEST(all_close(b, b_hand));
  // Decay applied after the Adam update instead of before (a common slip) is caught by the same comparison.
  std::vector<double> w_wrong = w_hand;
  for (double& x : w_wrong) x *= 1 - 0.004 * 0.05;
  BOOST_TEST(!all_close(w, w_wrong));
}

BOOST_AUTO_TEST_CASE(float_steps_follow_the_double_ones) {
  std::vector<float> pf{0.5f, -1.0f}, gf{0.2f, 0.1f};
  std::vector<double> pd{0.5, -1.0}, gd{0.2, 0.1};
  nn::AdamW<float> opt_f({{"w", {2, 1}, pf.data(), gf.data(), 2}}, {0.01});
  nn::AdamW<double> opt_d({ref("w", {2, 1}, pd, gd)}, {0.01});
  for (int i = 0; i < 3; ++i) opt_f.step(), opt_d.step();
  for (std::size_t i = 0; i < 2; ++i) BOOST_TEST(std::abs(pf[i] - pd[i]) < 1e-6);
}

BOOST_AUTO_TEST_CASE(vectors_are_not_decayed_by_default) {
  // Zero gradients: the Adam term is 0 / (0 + eps) = 0, so only decay can move a parameter.
  std::vector<double> w{1.0, 2.0}, dw{0.0, 0.0}, b{1.0, 2.0}, db{0.0, 0.0};
  nn::AdamW<double> opt({ref("w", {1, 2}, w, dw), ref("b", {2}, b, db)}, {0.1, 0.9, 0.999, 1e-8, 0.5});
  opt.step();
  BOOST_TEST(opt.decays(0));
  BOOST_TEST(!opt.decays(1));
  BOOST_TEST(all_close(w, {0.95, 1.9}));
  BOOST_TEST(all_close(b, {1.0, 2.0}));
  BOOST_TEST(!all_close(w, {1.0, 2.0}));  // the check sees a missing decay
}

BOOST_AUTO_TEST_CASE(a_rule_on_names_chooses_what_decays) {
  std::vector<double> emb{1.0}, demb{0.0}, head{1.0}, dhead{0.0};
  const auto not_embeddings = [](const nn::ParamRef<double>& p) { return p.name.find("emb") == std::string::npos; };
  nn::AdamW<double> opt({ref("tok_emb", {1, 1}, emb, demb), ref("head", {1, 1}, head, dhead)},
                        {0.1, 0.9, 0.999, 1e-8, 0.5}, not_embeddings);
  opt.step();
  BOOST_TEST(emb[0] == 1.0);
  BOOST_TEST(close(head[0], 0.95));
}

// ---- clipping ---------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(clipping_scales_to_the_global_norm) {
  std::vector<double> a{0, 0}, da{3, 4}, b{0}, db{12};  // global norm sqrt(9 + 16 + 144) = 13
  const std::vector<nn::ParamRef<double>> params{ref("a", {2}, a, da), ref("b", {1}, b, db)};
  BOOST_TEST(close(nn::clip_grad_norm(params, 6.5), 13.0));
  const double factor = 6.5 / (13 + 1e-6);
  BOOST_TEST(all_close(da, {3 * factor, 4 * factor}));
  BOOST_TEST(all_close(db, {12 * factor}));
  BOOST_TEST(!all_close(db, {6.0}));  // 6.5 / 13 exactly would miss PyTorch's 1e-6
}

BOOST_AUTO_TEST_CASE(clipping_leaves_small_gradients_alone) {
  std::vector<double> a{0, 0}, da{3, 4};
  const std::vector<nn::ParamRef<double>> params{ref("a", {2}, a, da)};
  BOOST_TEST(close(nn::clip_grad_norm(params, 10.0), 5.0));
  BOOST_TEST(all_close(da, {3, 4}));
}

// ---- schedule ---------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(schedule_warms_up_then_follows_the_cosine) {
  const nn::Schedule s{1.0, 0.1, 10, 110};
  BOOST_TEST(close(nn::lr_at(0, s), 0.1));   // 1.0 * 1 / 10
  BOOST_TEST(close(nn::lr_at(4, s), 0.5));
  BOOST_TEST(close(nn::lr_at(9, s), 1.0));   // end of warm-up
  BOOST_TEST(close(nn::lr_at(10, s), 1.0));  // start of the cosine
  BOOST_TEST(close(nn::lr_at(60, s), 0.55)); // midpoint: (max + min) / 2
  const double quarter = 0.1 + 0.9 * 0.5 * (1 + std::cos(std::numbers::pi / 4));
  BOOST_TEST(close(nn::lr_at(35, s), quarter));
  BOOST_TEST(!close(quarter, 1.0 - 0.25 * 0.9));  // a linear decay would be caught
  BOOST_TEST(close(nn::lr_at(110, s), 0.1));
  BOOST_TEST(close(nn::lr_at(1000, s), 0.1));
}

BOOST_AUTO_TEST_CASE(schedule_without_warmup_or_decay_span) {
  BOOST_TEST(close(nn::lr_at(0, {1.0, 0.1, 0, 100}), 1.0));
  BOOST_TEST(close(nn::lr_at(5, {1.0, 0.1, 5, 5}), 0.1));
  BOOST_CHECK_THROW(nn::lr_at(0, {1.0, 0.1, 10, 5}), std::invalid_argument);
}
