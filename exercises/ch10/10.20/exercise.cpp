// 10.20: the entropy of attention heads. The exercise trains the nn library's encoder on the embedded-pattern task
// (nn::embedded_patterns, data/README.md) in this process and records the attention weights of every head of every
// layer on 10 held-out sequences; the student's three functions, called through the channel, turn weights into
// row entropies, row entropies into one number per head, and those into focused / diffuse labels with a threshold
// the student picks and returns.
//
// Expected values: the definition H = -sum a ln a (0 ln 0 = 0) written as a loop (workbook/oracle/entropy.hpp),
// closed forms for one-hot rows (0) and rows uniform over k keys (ln k), and, for the labels, consistency with the
// student's own threshold, which must lie strictly between 0 and ln n. The model's attention is read through an
// nn::AttentionCore that calls the library's own attention_forward and keeps its probabilities (nn::encoder_attention):
// the forward is the library's, unchanged. Quick budget: 2 layers of 4 heads, width 16, 400 steps; --full: 4 layers of 4 heads, width
// 64, 3000 steps (figures `entropy` and `profile`, docs/results/ch10.md).

#include "ch10/10.20/interface.hpp"

#include <algorithm>
#include <cmath>
#include <iostream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "nn/attention_probe.hpp"
#include "nn/classify.hpp"
#include "workbook/exercise.hpp"
#include "workbook/oracle/entropy.hpp"
#include "workbook/oracle/random.hpp"
#include "workbook/oracle/statistics.hpp"
#include "workbook/tolerances.hpp"

namespace {

using ch10_20::Attention;
using workbook::CheckKind;
using workbook::CheckResult;
using workbook::Context;
using workbook::oracle::Matrix;
using Table = xt::xtensor<double, 2>;  // (layers, heads)

constexpr std::size_t held_out_examples = 10;

std::string text(double x) {
  std::ostringstream out;
  out << x;
  return out.str();
}

// ---- random weights: every kind of row an attention head produces ------------------------------------------

// One row of n weights: a softmax of Gaussian scores (spread 0.3 to 30, from nearly uniform to nearly one-hot),
// the same with about half its entries set to exactly 0 and the rest renormalised, a one-hot row, or a row uniform
// over k of the n keys and exactly 0 elsewhere.
std::vector<double> random_row(std::size_t n, std::mt19937_64& rng) {
  std::vector<double> row(n, 0.0);
  std::uniform_int_distribution<int> kind(0, 3);
  std::uniform_int_distribution<std::size_t> key(0, n - 1);
  const int k = kind(rng);
  if (k == 2) {
    row[key(rng)] = 1;
    return row;
  }
  if (k == 3) {
    std::vector<std::size_t> order(n);
    for (std::size_t j = 0; j < n; ++j) order[j] = j;
    std::shuffle(order.begin(), order.end(), rng);
    const std::size_t count = std::uniform_int_distribution<std::size_t>(1, n)(rng);
    for (std::size_t c = 0; c < count; ++c) row[order[c]] = 1.0 / double(count);
    return row;
  }
  const double spreads[] = {0.3, 1.0, 3.0, 30.0};
  std::normal_distribution<double> normal(0.0, spreads[std::uniform_int_distribution<int>(0, 3)(rng)]);
  for (auto& x : row) x = normal(rng);
  const double top = *std::max_element(row.begin(), row.end());
  const std::size_t kept = std::size_t(std::max_element(row.begin(), row.end()) - row.begin());
  std::bernoulli_distribution drop(0.5);
  double sum = 0;
  for (std::size_t j = 0; j < n; ++j) {
    row[j] = (k == 1 && j != kept && drop(rng)) ? 0.0 : std::exp(row[j] - top);
    sum += row[j];
  }
  for (auto& x : row) x /= sum;
  return row;
}

Matrix random_weights(std::size_t rows, std::size_t n, std::mt19937_64& rng) {
  Matrix w = Matrix::from_shape({rows, n});
  for (std::size_t r = 0; r < rows; ++r) {
    const auto row = random_row(n, rng);
    for (std::size_t j = 0; j < n; ++j) w(r, j) = row[j];
  }
  return w;
}

Attention random_attention(std::size_t examples, std::size_t layers, std::size_t heads, std::size_t queries,
                           std::size_t keys, std::mt19937_64& rng) {
  Attention a = Attention::from_shape({examples, layers, heads, queries, keys});
  for (std::size_t e = 0; e < examples; ++e)
    for (std::size_t l = 0; l < layers; ++l)
      for (std::size_t h = 0; h < heads; ++h)
        for (std::size_t i = 0; i < queries; ++i) {
          const auto row = random_row(keys, rng);
          for (std::size_t j = 0; j < keys; ++j) a(e, l, h, i, j) = row[j];
        }
  return a;
}

// ---- the oracle: the definition, averaged per head ---------------------------------------------------------

// For each (layer, head): the mean over examples and query rows of the entropy of the row over keys.
Table oracle_head_entropy(const Attention& a) {
  const std::size_t examples = a.shape(0), layers = a.shape(1), heads = a.shape(2), queries = a.shape(3);
  Table mean = xt::zeros<double>({layers, heads});
  for (std::size_t l = 0; l < layers; ++l)
    for (std::size_t h = 0; h < heads; ++h) {
      double sum = 0;
      for (std::size_t e = 0; e < examples; ++e)
        for (std::size_t i = 0; i < queries; ++i) {
          const Matrix row = xt::view(a, e, l, h, xt::range(i, i + 1), xt::all());
          sum += workbook::oracle::row_entropy(row, 0);
        }
      mean(l, h) = sum / double(examples * queries);
    }
  return mean;
}

CheckResult rows_match(const Matrix& weights) {
  const auto h = ch10_20::row_entropy(weights);
  workbook::require_shape("row_entropy", h, {weights.shape(0)});
  return workbook::close(xt::xarray<double>(h), workbook::oracle::row_entropies(weights),
                         workbook::tolerance::float_computation);
}

CheckResult heads_match(const Attention& a) {
  const auto h = ch10_20::head_entropy(a);
  workbook::require_shape("head_entropy", h, {a.shape(1), a.shape(2)});
  return workbook::close(xt::xarray<double>(h), oracle_head_entropy(a), workbook::tolerance::float_computation);
}

// The student's labels against the student's own threshold: 0 < threshold < ln n, every head below it focused (1),
// every head above it diffuse (0); a head exactly at the threshold may carry either label.
CheckResult labels_consistent(const Table& entropy, std::size_t n_keys) {
  const auto labels = ch10_20::classify_heads(entropy, n_keys);
  workbook::require_shape("classify_heads (focused)", labels.focused, {entropy.shape(0), entropy.shape(1)});
  const double t = labels.threshold, top = std::log(double(n_keys));
  const nlohmann::json shown{{"threshold", workbook::to_json(t)},
                             {"focused", workbook::to_json(xt::xarray<double>(xt::cast<double>(labels.focused)))}};
  if (!(t > 0 && t < top))
    return workbook::holds(false, shown, "the threshold " + text(t) + " is not strictly between 0 and ln " +
                                             std::to_string(n_keys) + " = " + text(top));
  for (std::size_t l = 0; l < entropy.shape(0); ++l)
    for (std::size_t h = 0; h < entropy.shape(1); ++h) {
      const int label = labels.focused(l, h);
      const double e = entropy(l, h);
      const std::string head = "head " + std::to_string(h) + " of layer " + std::to_string(l) + " (entropy " + text(e) + ")";
      if (label != 0 && label != 1) return workbook::holds(false, shown, head + " has the label " + std::to_string(label) + ", not 0 or 1");
      if (e < t && label != 1) return workbook::holds(false, shown, head + " is below your threshold " + text(t) + " but labelled diffuse");
      if (e > t && label != 0) return workbook::holds(false, shown, head + " is above your threshold " + text(t) + " but labelled focused");
    }
  return workbook::holds(true, shown, "");
}

// ---- the trained model and its attention ---------------------------------------------------------------------

// Quick: sequences of 24 tokens of 32 kinds hiding one of 3 patterns of length 5 or none (chance 1/4); 2 layers of
// 4 heads, width 16, 400 steps of 32 sequences. Full: the same task with 20000 training sequences; 4 layers of 4
// heads, width 64, 3000 steps of 32.
struct Setting {
  nn::PatternTask data;
  std::size_t layers, heads, width, steps;
  double lr;
};

Setting setting_for(const Context& ctx) {
  if (ctx.full()) return {{24, 5, 3, 32, 20000, 2000}, 4, 4, 64, 3000, 3e-3};
  return {{24, 5, 3, 32, 4000, 1000}, 2, 4, 16, 400, 5e-3};
}

struct Trained {
  double accuracy = 0;   // on the whole held-out set
  Attention attention;   // on its first 10 sequences: (10, layers, heads, length, length)
  Attention untrained;   // the same sequences through the same encoder at its initial weights
};

// The attention weights of `model` on the first `count` sequences of `set`: (count, layers, heads, length, length).
Attention attention_of(nn::Encoder<float>& model, const nn::LabelledSequences& set, std::size_t count,
                       const Setting& s) {
  const nn::Tokens tokens(set.tokens.begin(), set.tokens.begin() + std::ptrdiff_t(count * set.length));
  const auto probs = nn::encoder_attention(model, tokens, count, set.length);
  if (probs.size() != s.layers) throw std::logic_error("10.20: expected one attention call per layer");
  const std::size_t n = set.length;
  Attention a = Attention::from_shape({count, s.layers, s.heads, n, n});
  for (std::size_t l = 0; l < s.layers; ++l)
    for (std::size_t e = 0; e < count; ++e)
      for (std::size_t h = 0; h < s.heads; ++h)
        for (std::size_t i = 0; i < n; ++i)
          for (std::size_t j = 0; j < n; ++j)
            a(e, l, h, i, j) = probs[l][((e * s.heads + h) * n + i) * n + j];
  return a;
}

// Trains once per (seed, budget): the checks and the figures read the same model.
const Trained& trained(const Context& ctx) {
  static std::map<std::pair<std::uint64_t, bool>, Trained> cache;
  const auto key = std::make_pair(ctx.seed(), ctx.full());
  if (const auto hit = cache.find(key); hit != cache.end()) return hit->second;
  const Setting s = setting_for(ctx);
  const auto seed = ctx.seed_for("model");
  const auto& d = s.data;
  const auto train = nn::embedded_patterns(d.train_count, d.length, d.pattern_length, d.n_patterns, d.vocab, seed, seed + 1);
  const auto test = nn::embedded_patterns(d.test_count, d.length, d.pattern_length, d.n_patterns, d.vocab, seed, seed + 2);
  nn::EncoderConfig config;
  config.vocab_size = std::size_t(d.vocab);
  config.context = d.length;
  config.n_classes = d.n_patterns + 1;
  config.pooling = nn::EncoderConfig::Pooling::mean;
  config.n_layer = s.layers;
  config.n_head = s.heads;
  config.n_embd = s.width;
  nn::Encoder<float> model(config, seed + 3);
  Trained out;
  out.untrained = attention_of(model, test, held_out_examples, s);
  nn::ClassifierTraining training;
  training.steps = s.steps;
  training.lr = s.lr;
  training.seed = seed + 4;
  std::function<void(std::size_t)> progress;
  if (ctx.full())
    progress = [&s](std::size_t step) {
      if ((step + 1) % 50 == 0 || step + 1 == s.steps)
        std::cerr << "\r10.20: training the encoder, step " << step + 1 << "/" << s.steps << std::flush;
    };
  nn::train_classifier(model, train, training, progress);
  if (ctx.full()) std::cerr << '\n';
  out.accuracy = nn::classifier_accuracy(model, test);
  out.attention = attention_of(model, test, held_out_examples, s);
  return cache[key] = std::move(out);
}

std::size_t keys_of(const Context& ctx) { return setting_for(ctx).data.length; }

// ---- parts ---------------------------------------------------------------------------------------------------

void part_a(workbook::Exercise& ex) {
  ex.part("a", 1, R"(The exercise trains the encoder and hands you its attention: nothing to write here beyond
part (b), whose head_entropy this part calls. Quick budget: 2 layers of 4 heads, width 16, 400 steps of 32
sequences (AdamW, learning rate 5e-3) on 4000 training sequences of 24 tokens of 32 kinds that hide one of 3
patterns of length 5, or none (chance 1/4). Full budget (--full): 4 layers of 4 heads, width 64, 3000 steps on 20000
sequences. Both budgets record the weights of every head of every layer on the first 10 of the held-out sequences,
an array of shape (10, layers, heads, 24, 24).)")
      .check("trained", CheckKind::property,
             "the encoder reaches a held-out accuracy ten standard errors above chance, so its attention is a trained "
             "model's; your head_entropy of its 10 held-out sequences is a (layers, heads) table within [0, ln 24], "
             "the range of an entropy over 24 keys",
             [](const Context& ctx) {
               const auto& run = trained(ctx);
               const Setting s = setting_for(ctx);
               const auto table = ch10_20::head_entropy(run.attention);
               workbook::require_shape("head_entropy", table, {s.layers, s.heads});
               // [0, ln 24] widened by the float rounding the other checks allow (1e-5 relative, 1e-7 absolute).
               const auto tol = workbook::tolerance::float_computation;
               const double top = std::log(double(keys_of(ctx)));
               const bool in_range = xt::all(table >= -tol.atol) && xt::all(table <= top * (1 + tol.rtol) + tol.atol);
               if (!in_range)
                 return workbook::holds(false, workbook::to_json(xt::xarray<double>(table)),
                                        "an entry of head_entropy lies outside [0, ln 24]: no entropy over 24 keys can");
               return workbook::oracle::learned(run.accuracy, s.data.chance(), s.data.test_count);
             });
}

void part_b(workbook::Exercise& ex) {
  ex.part("b1", 2, R"(Implement row_entropy: the entropy in nats (natural logarithm) of each row of a matrix of
weights, a weight of exactly 0 contributing 0. The checks allow float's rounding (1e-5 relative, 1e-7 absolute).)")
      .check("one-hot rows", CheckKind::close,
             "8 rows over 9 keys, each all its weight on one key, against the closed form: entropy 0",
             [](const Context& ctx) {
               auto rng = ctx.rng("b1-one-hot");
               Matrix w = xt::zeros<double>({std::size_t(8), std::size_t(9)});
               for (std::size_t r = 0; r < 8; ++r) w(r, std::uniform_int_distribution<std::size_t>(0, 8)(rng)) = 1;
               const auto h = ch10_20::row_entropy(w);
               workbook::require_shape("row_entropy", h, {8});
               return workbook::close(xt::xarray<double>(h), xt::xarray<double>(xt::zeros<double>({8})),
                                      workbook::tolerance::float_computation);
             })
      .check("uniform rows", CheckKind::close,
             "12 rows over 12 keys, row k spread evenly over k keys and exactly 0 on the others, against the closed "
             "form: entropy ln k",
             [](const Context&) {
               Matrix w = xt::zeros<double>({std::size_t(12), std::size_t(12)});
               xt::xarray<double> expected = xt::zeros<double>({12});
               for (std::size_t k = 1; k <= 12; ++k) {
                 for (std::size_t j = 0; j < k; ++j) w(k - 1, j) = 1.0 / double(k);
                 expected(k - 1) = std::log(double(k));
               }
               const auto h = ch10_20::row_entropy(w);
               workbook::require_shape("row_entropy", h, {12});
               return workbook::close(xt::xarray<double>(h), expected, workbook::tolerance::float_computation);
             })
      .check("mixed rows", CheckKind::close,
             "40 random rows over 16 keys (softmax rows from nearly uniform to nearly one-hot, some with exact zeros, "
             "one-hot and partly uniform rows) against the definition written as a loop",
             [](const Context& ctx) {
               auto rng = ctx.rng("b1-mixed");
               return rows_match(random_weights(40, 16, rng));
             })
      .check("any rows", CheckKind::property,
             "for random shapes (1 to 10 rows over 1 to 40 keys) of such rows, against the definition",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("b1-property"), [] {
                 const auto rows = *rc::gen::inRange<std::size_t>(1, 11);
                 const auto n = *rc::gen::inRange<std::size_t>(1, 41);
                 auto rng = workbook::oracle::property_rng();
                 RC_ASSERT(rows_match(random_weights(rows, n, rng)).status == workbook::Status::pass);
               });
             })
      .hint("0 times ln 0 is 0 times minus infinity, which a computer evaluates to NaN: the limit of a ln a as a -> 0 "
            "is 0, so skip the zero weights.");
  ex.part("b2", 2, R"(Implement head_entropy: for every layer and head, the entropy of each query's row of weights
over the keys, averaged over the query positions and over the examples. The checks allow float's rounding.)")
      .check("3 layers, 2 heads", CheckKind::close,
             "4 examples, 3 layers, 2 heads, 5 queries over 7 keys of random rows, against the definition averaged "
             "per head",
             [](const Context& ctx) {
               auto rng = ctx.rng("b2-three-by-two");
               return heads_match(random_attention(4, 3, 2, 5, 7, rng));
             })
      .check("layers = heads", CheckKind::close,
             "3 examples, 3 layers, 3 heads, 6 queries over 6 keys: the table must not be read the wrong way round",
             [](const Context& ctx) {
               auto rng = ctx.rng("b2-square");
               return heads_match(random_attention(3, 3, 3, 6, 6, rng));
             })
      .check("trained model", CheckKind::close,
             "the trained encoder's weights on its 10 held-out sequences, against the definition averaged per head",
             [](const Context& ctx) { return heads_match(trained(ctx).attention); })
      .check("any shape", CheckKind::property,
             "for random shapes (1 to 3 examples, 1 to 4 layers and heads, 1 to 6 queries over 1 to 8 keys), against "
             "the definition averaged per head",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("b2-property"), [] {
                 const auto e = *rc::gen::inRange<std::size_t>(1, 4);
                 const auto l = *rc::gen::inRange<std::size_t>(1, 5);
                 const auto h = *rc::gen::inRange<std::size_t>(1, 5);
                 const auto q = *rc::gen::inRange<std::size_t>(1, 7);
                 const auto k = *rc::gen::inRange<std::size_t>(1, 9);
                 auto rng = workbook::oracle::property_rng();
                 RC_ASSERT(heads_match(random_attention(e, l, h, q, k, rng)).status == workbook::Status::pass);
               });
             })
      .hint("A row is what one query gives to all the keys: it sums to 1. Average entropies of rows, never of columns.");
}

void part_c(workbook::Exercise& ex) {
  ex.part("c", 2, R"(Implement classify_heads: choose a threshold (it may depend on n, the number of keys, and on
the table), label the heads below it focused and those above it diffuse, and return the threshold with the labels.
Any threshold strictly between 0 (every row one-hot) and ln n (every row uniform) is accepted; the checks hold your
labels to your own threshold, and your threshold to that range for every n >= 2. Figures `entropy` and `profile`
show your head_entropy of the trained model and, in `profile`, your threshold.)")
      .check("trained model", CheckKind::property,
             "your labels for the trained encoder's head entropies (computed by the definition, not by your "
             "head_entropy) agree with your threshold, which lies strictly between 0 and ln 24",
             [](const Context& ctx) { return labels_consistent(oracle_head_entropy(trained(ctx).attention), keys_of(ctx)); })
      .check("any table", CheckKind::property,
             "for random tables (1 to 6 layers and heads, n from 2 to 64 keys, entries in [0, ln n] including both "
             "ends), your labels agree with your threshold and the threshold lies strictly between 0 and ln n",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("c-property"), [] {
                 const auto layers = *rc::gen::inRange<std::size_t>(1, 7);
                 const auto heads = *rc::gen::inRange<std::size_t>(1, 7);
                 const auto n = *rc::gen::inRange<std::size_t>(2, 65);
                 auto rng = workbook::oracle::property_rng();
                 const double top = std::log(double(n));
                 std::uniform_real_distribution<double> uniform(0.0, top);
                 std::uniform_int_distribution<int> kind(0, 3);
                 Table table = Table::from_shape({layers, heads});
                 for (auto& x : table) {
                   const int k = kind(rng);
                   x = k == 0 ? 0.0 : k == 1 ? top : uniform(rng);
                 }
                 const auto result = labels_consistent(table, n);
                 RC_ASSERT(result.status == workbook::Status::pass);
               });
             })
      .hint("exp(H) is the number of keys a uniform row of entropy H would cover: a threshold reads better as a "
            "number of keys.");
}

void part_d(workbook::Exercise& ex) {
  ex.part("d", 1, R"(Before looking at layers, a control: the same encoder at its initial weights (before any
training step) gives attention of what kind? Then run the full budget (or read docs/results/ch10.md): do the
layers of the trained model show different entropy profiles (figure `profile`), and what does that suggest about how
the layers share the work of finding a pattern? Say how much one run and 10 sequences can support.)")
      .choice_answer("d_untrained", "the heads of the untrained encoder are", {"focused", "diffuse", "some of each"},
                     "diffuse")
      .manual(2);
}

// ---- figures ---------------------------------------------------------------------------------------------------

// Both figures come from a model trained in this run: measured (their numbers depend on the machine).
workbook::Plot entropy_figure(const Context& ctx) {
  auto plot = workbook::heatmap("Mean attention entropy of each head (nats), your head_entropy", "head", "layer",
                                "entropy (nats)", ch10_20::head_entropy(trained(ctx).attention));
  plot.measured = true;
  return plot;
}

// One series per head, its entropy against the layer; beside them ln n, your threshold, and the untrained model's
// mean (from the definition).
workbook::Plot profile_figure(const Context& ctx) {
  const auto& run = trained(ctx);
  const Table table = ch10_20::head_entropy(run.attention);
  const Table before = oracle_head_entropy(run.untrained);
  const std::size_t n = keys_of(ctx);
  const double threshold = ch10_20::classify_heads(table, n).threshold;
  std::vector<double> layers;
  for (std::size_t l = 0; l < table.shape(0); ++l) layers.push_back(double(l));
  const std::vector<double> ends{layers.front(), layers.back()};
  std::vector<workbook::Series> series;
  for (std::size_t h = 0; h < table.shape(1); ++h) {
    workbook::Series s{"head " + std::to_string(h), layers, {}, workbook::Series::Style::linespoints};
    for (std::size_t l = 0; l < table.shape(0); ++l) s.y.push_back(table(l, h));
    series.push_back(s);
  }
  const double top = std::log(double(n)), untrained = xt::mean(before)();
  series.push_back({"ln n (uniform rows)", ends, {top, top}, workbook::Series::Style::lines});
  series.push_back({"untrained model (mean)", ends, {untrained, untrained}, workbook::Series::Style::lines});
  series.push_back({"your threshold", ends, {threshold, threshold}, workbook::Series::Style::lines});
  auto plot = workbook::xy_plot("Attention entropy of each head by layer", "layer", "entropy (nats)", series);
  plot.measured = true;
  return plot;
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "Attention entropy of a trained encoder";
  ex.stars = 3;
  ex.tags = {workbook::Tag::implementation, workbook::Tag::conceptual, workbook::Tag::plot};
  ex.statement = R"(A head's row of attention weights a_1, ..., a_n over n keys is a probability distribution, and
its entropy H(a) = -sum_j a_j ln a_j says how spread it is: 0 when all the weight sits on one key, ln n when it is
spread evenly over all n, in between otherwise (logarithms are natural here, so H is in nats; a weight of exactly 0
contributes 0, the limit of a ln a). The exercise trains a small encoder on the embedded-pattern task
(data/README.md: random token sequences that may hide one of a few fixed patterns, the label saying which) and
hands you the attention weights of every head of every layer on 10 held-out sequences. Part (b) asks for the
entropy of each row and its average per head, part (c) for a split of the heads into focused (low entropy) and
diffuse (high entropy) at a threshold you choose, and part (d) for what the layers' profiles say.)";
  ex.timeout_seconds = 60;
  part_a(ex);
  part_b(ex);
  part_c(ex);
  part_d(ex);
  ex.plot("entropy",
          "Your head_entropy of the trained encoder on 10 held-out sequences: one cell per head (columns) and layer "
          "(rows).",
          entropy_figure);
  ex.plot("profile",
          "Each head's mean attention entropy against its layer, beside ln n (uniform attention), the untrained "
          "encoder's mean and your threshold.",
          profile_figure);
}
