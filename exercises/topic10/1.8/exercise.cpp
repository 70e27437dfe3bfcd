// topic10/1.8: an induction head built by hand. The oracle is a plain-loop forward pass of the two-layer,
// attention-only model (below); the student's weights are judged by what that oracle does with them
// (the prediction after [1, 2, 3, 1, 2], a property over random sequences), and the student's forward
// pass is judged against the same oracle with random weights, so a slip in one function never hides
// or fakes a slip in the other.

#include "topic10/1.8/interface.hpp"

#include <algorithm>
#include <limits>
#include <random>

#include "workbook/oracle.hpp"

namespace {

using workbook::CheckResult;
using workbook::Context;
using workbook::oracle::Matrix;
using workbook::oracle::Vector;
using topic10_1_8::Model;
using Tokens = std::vector<std::size_t>;

// ---- the oracle: the model's forward pass with loops over std::vector ------------------------------

// row (d) times w (d x k).
Vector times(const Vector& row, const Matrix& w) {
  Vector out(w.front().size(), 0.0);
  for (std::size_t r = 0; r < row.size(); ++r)
    for (std::size_t c = 0; c < out.size(); ++c) out[c] += row[r] * w[r][c];
  return out;
}

Matrix add(const Matrix& a, const Matrix& b) {
  Matrix sum = a;
  for (std::size_t r = 0; r < a.size(); ++r)
    for (std::size_t c = 0; c < a[r].size(); ++c) sum[r][c] += b[r][c];
  return sum;
}

// One causal head on the stream x (T rows): its attention pattern (T x T, zero above the diagonal) and
// what it writes back (T x d).
struct HeadRun {
  Matrix pattern;
  Matrix written;
};

HeadRun run_head(const Matrix& x, const topic10_1_8::Head& head) {
  const auto wq = workbook::oracle::to_matrix(head.w_q), wk = workbook::oracle::to_matrix(head.w_k),
             wov = workbook::oracle::to_matrix(head.w_ov);
  const std::size_t t_len = x.size();
  HeadRun run{Matrix(t_len, Vector(t_len, 0.0)), Matrix(t_len, Vector(x.front().size(), 0.0))};
  for (std::size_t t = 0; t < t_len; ++t) {
    const Vector q = times(x[t], wq);
    Vector scores;
    for (std::size_t j = 0; j <= t; ++j) scores.push_back(workbook::oracle::dot(q, times(x[j], wk)));
    const Vector weights = workbook::oracle::softmax(scores);
    Vector mixed(x.front().size(), 0.0);
    for (std::size_t j = 0; j <= t; ++j) {
      run.pattern[t][j] = weights[j];
      for (std::size_t c = 0; c < mixed.size(); ++c) mixed[c] += weights[j] * x[j][c];
    }
    run.written[t] = times(mixed, wov);
  }
  return run;
}

// Every intermediate of the forward pass, so that checks can look inside the circuit.
struct OracleRun {
  Matrix x0, h1, x1, pattern1, pattern2, logits;
};

OracleRun oracle_forward(const Tokens& tokens, const Model& model) {
  OracleRun run;
  for (std::size_t t = 0; t < tokens.size(); ++t) {
    Vector row(model.token_embed.shape(1));
    for (std::size_t c = 0; c < row.size(); ++c) row[c] = model.token_embed(tokens[t], c) + model.pos_embed(t, c);
    run.x0.push_back(row);
  }
  const auto layer1 = run_head(run.x0, model.layer1);
  run.h1 = layer1.written;
  run.x1 = add(run.x0, run.h1);
  const auto layer2 = run_head(run.x1, model.layer2);
  const Matrix x2 = add(run.x1, layer2.written);
  run.pattern1 = layer1.pattern;
  run.pattern2 = layer2.pattern;
  const auto unembed = workbook::oracle::to_matrix(model.unembed);
  for (const auto& row : x2) run.logits.push_back(times(row, unembed));
  return run;
}

std::size_t argmax(const Vector& v) { return std::max_element(v.begin(), v.end()) - v.begin(); }

// max over rows r and columns c of |(rows[r] w)_c|: how much a matrix reads from what the rows hold.
double largest_read(const Matrix& rows, const topic10_1_8::Matrix& w) {
  const auto plain_w = workbook::oracle::to_matrix(w);
  double top = 0;
  for (const auto& row : rows)
    for (double v : times(row, plain_w)) top = std::max(top, std::abs(v));
  return top;
}

// ---- the setting of the statement ---------------------------------------------------------------------

const Tokens seed_tokens = {1, 2, 3, 1, 2};
const std::size_t seed_vocab = 4, seed_max_len = 8;
// With scale 20 a one-unit score gap is a factor e^20 ~ 5e8 between attention weights: every weight the
// design wants near 1 is above 1 - T e^-20 ~ 1 - 1e-8, far above the 0.99 the checks ask for.
const double seed_scale = 20;

Model seed_model() { return topic10_1_8::induction_model(seed_vocab, seed_max_len, seed_scale); }

// ---- random models for the forward-pass checks --------------------------------------------------------

topic10_1_8::Matrix gaussian(std::size_t rows, std::size_t cols, std::mt19937_64& rng) {
  std::normal_distribution<double> normal;
  topic10_1_8::Matrix m = topic10_1_8::Matrix::from_shape({rows, cols});
  for (auto& v : m) v = normal(rng);
  return m;
}

Model random_model(std::size_t vocab, std::size_t max_len, std::size_t d, std::size_t k1, std::size_t k2,
                   std::mt19937_64& rng) {
  return Model{gaussian(vocab, d, rng),
               gaussian(max_len, d, rng),
               {gaussian(d, k1, rng), gaussian(d, k1, rng), gaussian(d, d, rng)},
               {gaussian(d, k2, rng), gaussian(d, k2, rng), gaussian(d, d, rng)},
               gaussian(d, vocab, rng)};
}

Tokens random_tokens(std::size_t length, std::size_t vocab, std::mt19937_64& rng) {
  std::uniform_int_distribution<std::size_t> pick(0, vocab - 1);
  Tokens tokens(length);
  for (auto& t : tokens) t = pick(rng);
  return tokens;
}

// The two patterns stacked (2 x T x T), for one comparison.
xt::xarray<double> stacked(const topic10_1_8::Matrix& a, const topic10_1_8::Matrix& b) {
  return xt::xarray<double>(xt::stack(xt::xtuple(a, b)));
}

// Both routes sum the same terms in a different order: agreement to rounding.
const workbook::Tolerance rounding{1e-9, 1e-12};

}  // namespace

WORKBOOK_EXERCISE {
  using workbook::CheckKind;
  ex.title = "An induction head built by hand";
  ex.tags = {workbook::Tag::conceptual, workbook::Tag::implementation, workbook::Tag::proof, workbook::Tag::plot};
  ex.statement =
      "An induction head completes patterns of the form [... A B ... A] -> B: when the current token A showed "
      "up earlier, predict whatever came right after it. It takes two heads in two layers. The first, a "
      "previous-token head, lets every position record which token stood just before it. The second, the "
      "induction head, looks for the position whose recorded predecessor equals the current token, and copies "
      "the token found there into the prediction.\n\n"
      "Build such a model with weights you set by hand: two layers, one head each, no MLPs, no layer norm. "
      "Rows of the residual stream are multiplied on the right. With tokens t_0..t_{T-1} from a vocabulary of V "
      "and at most L positions, x0_t = E[t_t] + P[t]; a head has W_Q, W_K (d x k) and W_OV (d x d); its score "
      "from position t to position j <= t is (x_t W_Q).(x_j W_K), with no 1/sqrt(k) factor (the size of the "
      "weights sets the sharpness), positions j > t are masked out, the weights A_tj are a softmax over j <= t, "
      "and the head adds sum_j A_tj x_j W_OV to x_t. Layer 1 turns x0 into x1, layer 2 turns x1 into x2, "
      "and the logits are x2 W_U.\n\n"
      "The design, with s the score scale (use s = 20): a stream of width d = 3V + L split into four blocks, "
      "[token one-hot (V) | position one-hot (L) | previous token (V) | output (V)]; E and P write the one-hots. "
      "Layer 1: the query of position p is s times the indicator of position p - 1 and the key of position j "
      "is the indicator of position j (head width L), so position p scores s on p - 1 and 0 elsewhere; W_OV "
      "copies the token block into the previous-token block. Layer 2: the query is s times the current token's "
      "one-hot and the key is the previous-token block, so position j scores s when its predecessor equals the "
      "current token; one more head coordinate gives position 0 a score of -s, because position 0 has no "
      "predecessor and can never be the answer. W_OV copies the token block into the output block, and W_U "
      "reads the output block. Implement forward and induction_model. Positions "
      "are counted from 0.";

  // ---- (a) the composition ------------------------------------------------------------------------------
  auto& a = ex.part("a", 2,
                    "Write the query and the key of head 2 as functions of the embeddings and of head 1's pattern "
                    "A1 and output map W_OV^(1). Which of head 2's three inputs (query, key, value) has to read "
                    "what head 1 wrote for induction to work?");
  a.choice_answer("a_reads", "the input of head 2 that reads head 1's output", {"query", "key", "value"}, "key")
      .manual()
      .hint("Head 2 must find a position j by a property of j's neighbour. Which side of the dot product "
            "describes the position being looked at?");
  a.check("query ignores head 1", CheckKind::property,
          "on [1, 2, 3, 1, 2] with your induction_model: h1 W_Q^(2) = 0, i.e. head 2's query does not read "
          "what head 1 wrote (every entry below 1e-9 s)",
          [](const Context&) {
            const auto model = seed_model();
            const auto run = oracle_forward(seed_tokens, model);
            const double leak = largest_read(run.h1, model.layer2.w_q);
            return workbook::holds(leak < 1e-9 * seed_scale, {{"largest |h1 W_Q2|", leak}},
                                   "head 2's query reads head 1's output: that is Q-composition, not induction");
          });
  a.check("keys read head 1", CheckKind::property,
          "on [1, 2, 3, 1, 2] with your induction_model: h1 W_K^(2) is not zero (some entry of size >= 0.5), "
          "i.e. head 2's keys do read what head 1 wrote",
          [](const Context&) {
            const auto model = seed_model();
            const auto run = oracle_forward(seed_tokens, model);
            const double read = largest_read(run.h1, model.layer2.w_k);
            return workbook::holds(read >= 0.5, {{"largest |h1 W_K2|", read}},
                                   "head 2's keys ignore head 1: without K-composition there is no induction");
          });

  // ---- (b) the forward pass -----------------------------------------------------------------------------
  auto& b = ex.part("b", 2, "Implement forward for any weights whose shapes fit together.");
  b.check("patterns", CheckKind::close,
          "both attention patterns for a random model (V = 5, L = 9, d = 7, head widths 3 and 2, Gaussian "
          "weights) on 9 random tokens against the plain-loop forward pass",
          [](const Context& ctx) {
            auto rng = ctx.rng("b-model");
            const auto model = random_model(5, 9, 7, 3, 2, rng);
            const auto tokens = random_tokens(9, 5, rng);
            const auto got = topic10_1_8::forward(tokens, model);
            const auto want = oracle_forward(tokens, model);
            return workbook::close(stacked(got.pattern1, got.pattern2),
                                   xt::xarray<double>(xt::stack(xt::xtuple(workbook::oracle::to_array(want.pattern1),
                                                                           workbook::oracle::to_array(want.pattern2)))),
                                   rounding);
          });
  b.check("logits", CheckKind::close, "the logits of the same random model against the plain-loop forward pass",
          [](const Context& ctx) {
            auto rng = ctx.rng("b-model");
            const auto model = random_model(5, 9, 7, 3, 2, rng);
            const auto tokens = random_tokens(9, 5, rng);
            return workbook::close(topic10_1_8::forward(tokens, model).logits,
                                   workbook::oracle::to_array(oracle_forward(tokens, model).logits), rounding);
          });
  b.check("causal", CheckKind::property,
          "for random models and inputs, replacing the tokens after position t leaves rows 0..t of both "
          "patterns and of the logits unchanged (within 1e-12)",
          [](const Context& ctx) {
            return workbook::property(ctx.seed_for("b-causal"), [] {
              const auto vocab = *rc::gen::inRange<std::size_t>(2, 7);
              const auto length = *rc::gen::inRange<std::size_t>(2, 11);
              const auto cut = *rc::gen::inRange<std::size_t>(0, length - 1);  // rows 0..cut must not move
              std::mt19937_64 rng(*rc::gen::arbitrary<std::uint64_t>());
              const auto model = random_model(vocab, length, *rc::gen::inRange<std::size_t>(2, 9),
                                              *rc::gen::inRange<std::size_t>(1, 5), *rc::gen::inRange<std::size_t>(1, 5),
                                              rng);
              auto tokens = random_tokens(length, vocab, rng);
              const auto before = topic10_1_8::forward(tokens, model);
              const auto future = random_tokens(length, vocab, rng);
              std::copy(future.begin() + cut + 1, future.end(), tokens.begin() + cut + 1);
              const auto after = topic10_1_8::forward(tokens, model);
              for (auto m : {&topic10_1_8::Forward::pattern1, &topic10_1_8::Forward::pattern2,
                             &topic10_1_8::Forward::logits}) {
                RC_ASSERT((before.*m).shape() == (after.*m).shape());
                for (std::size_t r = 0; r <= cut; ++r)
                  for (std::size_t col = 0; col < (before.*m).shape(1); ++col)
                    RC_ASSERT(std::abs((after.*m)(r, col) - (before.*m)(r, col)) <= 1e-12);
              }
            });
          })
      .hint("Mask by leaving j > t out of the softmax (or giving it a score of -infinity), not by zeroing "
            "weights afterwards: the remaining weights must still add up to 1.");

  // ---- (c) the hand-set weights -------------------------------------------------------------------------
  auto& c = ex.part("c", 3,
                    "Implement induction_model and show that it predicts 3 after [1, 2, 3, 1, 2], and more "
                    "generally the follower of the current token's earlier occurrence.");
  c.check("[1,2,3,1,2]", CheckKind::property,
          "your weights (V = 4, L = 8, s = 20) run through the plain-loop forward pass on [1, 2, 3, 1, 2]: "
          "layer 1 puts >= 0.99 on position t - 1 for every t >= 1, layer 2 at the last position puts >= 0.99 "
          "on position 2 (the 3), and the largest logit there is token 3",
          [](const Context&) {
            const auto run = oracle_forward(seed_tokens, seed_model());
            double previous = 1;  // the smallest weight layer 1 puts on t - 1
            for (std::size_t t = 1; t < seed_tokens.size(); ++t) previous = std::min(previous, run.pattern1[t][t - 1]);
            const double on_three = run.pattern2.back()[2];
            const std::size_t predicted = argmax(run.logits.back());
            return workbook::holds(previous >= 0.99 && on_three >= 0.99 && predicted == 3,
                                   {{"least layer-1 weight on t-1", previous},
                                    {"layer-2 weight from the last 2 on the 3", on_three},
                                    {"predicted token", predicted}},
                                   "the circuit does not do what the design says (see the values shown)");
          });
  c.check("your forward", CheckKind::equal,
          "argmax of your forward's last logits row with your weights on [1, 2, 3, 1, 2] against 3",
          [](const Context&) {
            const auto logits = topic10_1_8::forward(seed_tokens, seed_model()).logits;
            const xt::xtensor<double, 1> last = xt::row(logits, logits.shape(0) - 1);
            return workbook::equal(std::int64_t(xt::argmax(last)()), 3);
          });
  c.check("one earlier occurrence", CheckKind::property,
          "for V in 3..8, L = 12, s = 20 and random inputs of length 2..12 whose last token occurred exactly "
          "once before (at any position p <= T - 2, all other tokens different from it), the plain-loop forward "
          "pass with your weights predicts t_{p+1}",
          [](const Context& ctx) {
            return workbook::property(ctx.seed_for("c-property"), [] {
              const auto vocab = *rc::gen::inRange<std::size_t>(3, 9);
              const std::size_t max_len = 12;
              const auto length = *rc::gen::inRange<std::size_t>(2, max_len + 1);
              const auto current = *rc::gen::inRange<std::size_t>(0, vocab);
              const auto earlier = *rc::gen::inRange<std::size_t>(0, length - 1);
              Tokens tokens(length);
              for (std::size_t i = 0; i < length; ++i) {
                // any token but the current one: draw from V - 1 values and skip over `current`
                const auto other = *rc::gen::inRange<std::size_t>(0, vocab - 1);
                tokens[i] = other < current ? other : other + 1;
              }
              tokens[earlier] = tokens[length - 1] = current;
              const auto run = oracle_forward(tokens, topic10_1_8::induction_model(vocab, max_len, seed_scale));
              RC_ASSERT(argmax(run.logits.back()) == tokens[earlier + 1]);
            });
          })
      .hint("Keep the four blocks of the stream apart: each matrix reads from one block and writes to another.")
      .hint("Position 0's previous-token block holds its own token (it can only attend to itself). Without the "
            "-s score for position 0, [1, 2, 3, 1] would split its attention between positions 0 and 1.");

  // ---- (d) length 1 -------------------------------------------------------------------------------------
  auto& d = ex.part("d", 2,
                    "Explain why the circuit cannot work on a sequence of length 1. What does your model predict "
                    "after the single token [v]?");
  d.choice_answer("d_predicts", "the hand-set model's prediction after [v]",
                  {"v itself", "the token that followed v earlier", "all tokens equally likely"}, "v itself")
      .manual();
  d.check("position 0 = length 1", CheckKind::property,
          "with your weights and your forward, for every v in 0..3: [v] alone and [v, random continuation] give "
          "row 0 of both patterns = [1, 0, ...], the same row-0 logits, and argmax v",
          [](const Context& ctx) {
            const auto model = seed_model();
            auto rng = ctx.rng("d-continuation");
            for (std::size_t v = 0; v < seed_vocab; ++v) {
              auto tokens = random_tokens(seed_max_len, seed_vocab, rng);
              tokens[0] = v;
              const auto alone = topic10_1_8::forward({v}, model);
              const auto longer = topic10_1_8::forward(tokens, model);
              const xt::xarray<double> first_row = xt::row(longer.logits, 0);
              const xt::xarray<double> alone_row = xt::row(alone.logits, 0);
              // a softmax over one entry is exactly 1; 1e-12 leaves room for a mask written as a huge
              // negative score instead of a skipped entry
              const bool forced = std::min({alone.pattern1(0, 0), alone.pattern2(0, 0), longer.pattern1(0, 0),
                                            longer.pattern2(0, 0)}) >= 1 - 1e-12;
              const bool same = workbook::close(first_row, alone_row, rounding).status == workbook::Status::pass;
              const auto predicted = std::size_t(xt::argmax(alone_row)());
              if (!forced || !same || predicted != v)
                return workbook::holds(false,
                                       {{"v", v}, {"patterns forced to 1", forced}, {"same logits", same},
                                        {"predicted", predicted}},
                                       "position 0 should see only itself and echo its token");
            }
            return workbook::holds(true, "all four tokens echoed", "");
          });

  // ---- plots --------------------------------------------------------------------------------------------
  for (int layer : {1, 2})
    ex.plot("layer" + std::to_string(layer),
            "attention pattern of layer " + std::to_string(layer) + " on [1, 2, 3, 1, 2] (rows: query position, "
            "columns: key position), your model",
            [layer](const Context&) {
              const auto run = topic10_1_8::forward(seed_tokens, seed_model());
              workbook::Plot p;
              p.kind = workbook::Plot::Kind::heatmap;
              p.title = layer == 1 ? "Layer 1, previous-token head on [1, 2, 3, 1, 2]"
                                   : "Layer 2, induction head on [1, 2, 3, 1, 2]";
              p.xlabel = "key position j";
              p.ylabel = "query position t";
              p.zlabel = "attention weight";
              p.z = layer == 1 ? run.pattern1 : run.pattern2;
              return p;
            });
}
