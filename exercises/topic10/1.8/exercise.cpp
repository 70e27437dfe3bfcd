// topic10/1.8: an induction head built by hand. The oracle is a plain-loop forward pass of the two-layer,
// attention-only model (below, on the shared causal attention oracle); the student's weights are judged by
// what that oracle does with them (the prediction after [1, 2, 3, 1, 2], a property over random sequences,
// which of head 2's inputs read head 1), and the student's forward pass is judged against the same oracle
// with random weights, so a slip in one function never hides or fakes a slip in the other.

#include "topic10/1.8/interface.hpp"

#include <algorithm>
#include <random>

#include <xtensor/xsort.hpp>
#include <xtensor/xview.hpp>

#include "workbook/oracle/attention.hpp"
#include "workbook/oracle/matrix.hpp"
#include "workbook/oracle/random.hpp"
#include "workbook/property.hpp"
#include "workbook/tolerances.hpp"

namespace {

using workbook::CheckKind;
using workbook::CheckResult;
using workbook::Context;
using workbook::oracle::Matrix;
using topic10_1_8::Model;
using Tokens = std::vector<std::size_t>;

// ---- the oracle: the model's forward pass in plain loops -------------------------------------------------

// One causal head on the stream x (T rows): its attention pattern (T x T, zero above the diagonal) and what it
// writes back (T x d), (A x) W_ov.
struct HeadRun {
  Matrix pattern, written;
};

HeadRun run_head(const Matrix& x, const topic10_1_8::Head& head) {
  using workbook::oracle::matmul;
  const Matrix pattern = workbook::oracle::attention_weights(matmul(x, head.w_q), matmul(x, head.w_k), 1.0, true);
  return {pattern, matmul(matmul(pattern, x), head.w_ov)};
}

// Every intermediate of the forward pass, so that checks can look inside the circuit.
struct OracleRun {
  Matrix x0, h1, x1, x2, pattern1, pattern2, logits;
};

OracleRun oracle_forward(const Tokens& tokens, const Model& model) {
  OracleRun run;
  run.x0 = Matrix::from_shape({tokens.size(), model.token_embed.shape(1)});
  for (std::size_t t = 0; t < tokens.size(); ++t)
    for (std::size_t c = 0; c < run.x0.shape(1); ++c) run.x0(t, c) = model.token_embed(tokens[t], c) + model.pos_embed(t, c);
  const auto layer1 = run_head(run.x0, model.layer1);
  run.h1 = layer1.written;
  run.x1 = run.x0 + run.h1;
  const auto layer2 = run_head(run.x1, model.layer2);
  run.x2 = run.x1 + layer2.written;
  run.pattern1 = layer1.pattern;
  run.pattern2 = layer2.pattern;
  run.logits = workbook::oracle::matmul(run.x2, model.unembed);
  return run;
}

std::size_t argmax(const xt::xtensor<double, 1>& v) { return std::max_element(v.begin(), v.end()) - v.begin(); }
std::size_t last_argmax(const Matrix& logits) { return argmax(workbook::oracle::row(logits, logits.shape(0) - 1)); }

// max over rows r and columns c of |(rows w)_rc|: how much a matrix reads from what the rows hold.
double largest_read(const Matrix& rows, const Matrix& w) {
  return xt::amax(xt::abs(workbook::oracle::matmul(rows, w)))();
}

// ---- the setting of the statement ---------------------------------------------------------------------

const Tokens seed_tokens = {1, 2, 3, 1, 2};
const std::size_t seed_vocab = 4, seed_max_len = 8;
// With scale 20 a one-unit score gap is a factor e^20 ~ 5e8 between attention weights: every weight the
// design wants near 1 is above 1 - T e^-20 ~ 1 - 1e-8, far above the 0.99 the checks ask for.
const double seed_scale = 20;

Model seed_model() { return topic10_1_8::induction_model(seed_vocab, seed_max_len, seed_scale); }

// ---- random models for the forward-pass checks --------------------------------------------------------

// Embeddings N(0, 1) and maps N(0, 1/d), so that scores and streams stay of order one to ten: a float forward
// pass then agrees with the plain loops to float rounding.
Model random_model(std::size_t vocab, std::size_t max_len, std::size_t d, std::size_t k1, std::size_t k2,
                   std::mt19937_64& rng) {
  using workbook::oracle::gaussian_matrix;
  const double map = 1 / std::sqrt(double(d));
  return Model{gaussian_matrix(vocab, d, rng),
               gaussian_matrix(max_len, d, rng),
               {gaussian_matrix(d, k1, rng, map), gaussian_matrix(d, k1, rng, map), gaussian_matrix(d, d, rng, map)},
               {gaussian_matrix(d, k2, rng, map), gaussian_matrix(d, k2, rng, map), gaussian_matrix(d, d, rng, map)},
               gaussian_matrix(d, vocab, rng, map)};
}

Tokens random_tokens(std::size_t length, std::size_t vocab, std::mt19937_64& rng) {
  std::uniform_int_distribution<std::size_t> pick(0, vocab - 1);
  Tokens tokens(length);
  for (auto& t : tokens) t = pick(rng);
  return tokens;
}

// The random model of part (b) and its 9 tokens, the same for every check of the part.
struct Case {
  Model model;
  Tokens tokens;
};
Case part_b_case(const Context& ctx) {
  auto rng = ctx.rng("b-model");
  auto model = random_model(5, 9, 7, 3, 2, rng);
  return {std::move(model), random_tokens(9, 5, rng)};
}

// ---- the parts -------------------------------------------------------------------------------------------
void part_a(workbook::Exercise& ex) {
  ex.part("a1", 1, "With your induction_model of part (c), find out which of head 2's inputs read what head 1 "
                   "wrote.")
      .check("composition", CheckKind::property,
             "on [1, 2, 3, 1, 2] with your induction_model: how much head 2's query, key and value maps read head "
             "1's output h1 (largest |h1 W_Q^(2)|, |h1 W_K^(2)|, |h1 W_OV^(2)|), against the reading the "
             "induction circuit needs (below 1e-9 s where it must not read, at least 0.5 where it must)",
             [](const Context&) {
               const auto model = seed_model();
               const auto run = oracle_forward(seed_tokens, model);
               const double query = largest_read(run.h1, model.layer2.w_q), key = largest_read(run.h1, model.layer2.w_k),
                            value = largest_read(run.h1, model.layer2.w_ov);
               const double silent = 1e-9 * seed_scale;
               return workbook::holds(query < silent && key >= 0.5 && value < silent,
                                      {{"query", query}, {"key", key}, {"value", value}},
                                      "head 2 does not read head 1 the way an induction head must");
             });

  ex.part("a2", 1, "Write the query and the key of head 2 as functions of the embeddings and of head 1's pattern A1 "
                   "and output map W_OV^(1). Which of head 2's three inputs (query, key, value) has to read what "
                   "head 1 wrote for induction to work?")
      .choice_answer("a_reads", "the input of head 2 that reads head 1's output", {"query", "key", "value"}, "key")
      .manual(2)
      .hint("Head 2 must find a position j by a property of j's neighbour. Which side of the dot product "
            "describes the position being looked at?");
}

void part_b(workbook::Exercise& ex) {
  auto& b = ex.part("b", 2, "Implement forward for any weights whose shapes fit together.");
  b.check("patterns", CheckKind::close,
          "both attention patterns for a random model (V 5, L 9, d 7, head widths 3 and 2, Gaussian weights) on 9 "
          "random tokens against the plain-loop forward pass",
          [](const Context& ctx) {
            const auto c = part_b_case(ctx);
            const auto got = topic10_1_8::forward(c.tokens, c.model);
            const auto want = oracle_forward(c.tokens, c.model);
            const auto first = workbook::close(got.pattern1, want.pattern1, workbook::tolerance::float_sums(1));
            return first.status != workbook::Status::pass ? first
                                                           : workbook::close(got.pattern2, want.pattern2, workbook::tolerance::float_sums(1));
          });
  b.check("logits", CheckKind::close, "the logits of the same random model against the plain-loop forward pass",
          [](const Context& ctx) {
            const auto c = part_b_case(ctx);
            const auto want = oracle_forward(c.tokens, c.model);
            const double terms = xt::amax(workbook::oracle::matmul(xt::abs(want.x2), xt::abs(c.model.unembed)))();
            return workbook::close(topic10_1_8::forward(c.tokens, c.model).logits, want.logits, workbook::tolerance::float_sums(terms));
          });
  b.check("causal", CheckKind::property,
          "for random models and inputs, replacing the tokens after position t leaves rows 0..t of both "
          "patterns and of the logits unchanged (within 1e-12)",
          [](const Context& ctx) {
            return workbook::property(ctx.seed_for("b-causal"), [] {
              const auto vocab = *rc::gen::inRange<std::size_t>(2, 7);
              const auto length = *rc::gen::inRange<std::size_t>(2, 11);
              const auto cut = *rc::gen::inRange<std::size_t>(0, length - 1);  // rows 0..cut must not move
              auto rng = workbook::oracle::property_rng();
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
}

CheckResult seed_sequence_check() {
  const auto run = oracle_forward(seed_tokens, seed_model());
  double previous = 1;  // the smallest weight layer 1 puts on t - 1
  for (std::size_t t = 1; t < seed_tokens.size(); ++t) previous = std::min(previous, run.pattern1(t, t - 1));
  const double on_three = run.pattern2(seed_tokens.size() - 1, 2);
  const std::size_t predicted = last_argmax(run.logits);
  return workbook::holds(previous >= 0.99 && on_three >= 0.99 && predicted == 3,
                         {{"least layer-1 weight on t-1", previous},
                          {"layer-2 weight from the last 2 on the 3", on_three},
                          {"predicted token", predicted}},
                         "the circuit does not do what the design says (see the values shown)");
}

// Random inputs of length 2..12 over V tokens whose last token occurred exactly once before, at position p.
Tokens one_earlier_occurrence(std::size_t vocab, std::size_t max_len, std::size_t& earlier) {
  const auto length = *rc::gen::inRange<std::size_t>(2, max_len + 1);
  const auto current = *rc::gen::inRange<std::size_t>(0, vocab);
  earlier = *rc::gen::inRange<std::size_t>(0, length - 1);
  Tokens tokens(length);
  for (std::size_t i = 0; i < length; ++i) {
    // any token but the current one: draw from V - 1 values and skip over `current`
    const auto other = *rc::gen::inRange<std::size_t>(0, vocab - 1);
    tokens[i] = other < current ? other : other + 1;
  }
  tokens[earlier] = tokens[length - 1] = current;
  return tokens;
}

void part_c(workbook::Exercise& ex) {
  auto& c = ex.part("c", 3,
                    "Implement induction_model and show that it predicts 3 after [1, 2, 3, 1, 2], and more "
                    "generally the follower of the current token's earlier occurrence.");
  c.check("[1,2,3,1,2]", CheckKind::property,
          "your weights (V 4, L 8, s 20) run through the plain-loop forward pass on [1, 2, 3, 1, 2]: "
          "layer 1 puts >= 0.99 on position t - 1 for every t >= 1, layer 2 at the last position puts >= 0.99 "
          "on position 2 (the 3), and the largest logit there is token 3",
          [](const Context&) { return seed_sequence_check(); });
  c.check("your forward", CheckKind::equal,
          "argmax of your forward's last logits row with your weights on [1, 2, 3, 1, 2] against the token the "
          "question asks for",
          [](const Context&) {
            const auto logits = topic10_1_8::forward(seed_tokens, seed_model()).logits;
            return workbook::equal(std::int64_t(last_argmax(logits)), 3);
          });
  c.check("one earlier occurrence", CheckKind::property,
          "for V in 3..8, L 12, s 20 and random inputs of length 2..12 whose last token occurred exactly once "
          "before (at any position p <= T - 2, all other tokens different from it), the plain-loop forward pass "
          "with your weights predicts t_{p+1}",
          [](const Context& ctx) {
            return workbook::property(ctx.seed_for("c-property"), [] {
              const auto vocab = *rc::gen::inRange<std::size_t>(3, 9);
              const std::size_t max_len = 12;
              std::size_t earlier = 0;
              const auto tokens = one_earlier_occurrence(vocab, max_len, earlier);
              const auto run = oracle_forward(tokens, topic10_1_8::induction_model(vocab, max_len, seed_scale));
              RC_ASSERT(last_argmax(run.logits) == tokens[earlier + 1]);
            });
          })
      .hint("Keep the four blocks of the stream apart: each matrix reads from one block and writes to another.")
      .hint("Position 0's previous-token block holds its own token (it can only attend to itself). Without the "
            "-s score for position 0, [1, 2, 3, 1] would split its attention between positions 0 and 1.");
}

// For every v: [v] alone and [v, random continuation] through the student's forward with the student's weights.
CheckResult length_one_check(const Context& ctx) {
  const auto model = seed_model();
  auto rng = ctx.rng("d-continuation");
  for (std::size_t v = 0; v < seed_vocab; ++v) {
    auto tokens = random_tokens(seed_max_len, seed_vocab, rng);
    tokens[0] = v;
    const auto alone = topic10_1_8::forward({v}, model);
    const auto longer = topic10_1_8::forward(tokens, model);
    const xt::xtensor<double, 1> alone_row = xt::row(alone.logits, 0), first_row = xt::row(longer.logits, 0);
    // a softmax over one entry is exactly 1; 1e-12 leaves room for a mask written as a huge negative score
    const bool forced = std::min({alone.pattern1(0, 0), alone.pattern2(0, 0), longer.pattern1(0, 0),
                                  longer.pattern2(0, 0)}) >= 1 - 1e-12;
    const bool same = workbook::close(first_row, alone_row, workbook::tolerance::float_sums(xt::amax(xt::abs(alone_row))())).status ==
                      workbook::Status::pass;
    const bool as_oracle = argmax(alone_row) == last_argmax(oracle_forward({v}, model).logits);
    if (!forced || !same || !as_oracle)
      return workbook::holds(false, {{"v", v}, {"patterns forced", forced}, {"same logits", same}},
                             "position 0 should see only itself, and [v] alone should give what row 0 of a longer "
                             "input gives");
  }
  return workbook::holds(true, "all four tokens agree", "");
}

void part_d(workbook::Exercise& ex) {
  ex.part("d1", 1, "Run your model on inputs of length 1.")
      .check("position 0 = length 1", CheckKind::property,
             "with your weights and your forward, for every v in 0..3: row 0 of both patterns after [v] and after "
             "[v, random continuation] against a softmax over a single key, the row-0 logits of the two inputs "
             "against each other, and the prediction after [v] against the plain-loop forward pass",
             length_one_check);

  ex.part("d2", 1, "Explain why the circuit cannot work on a sequence of length 1. What does your model predict "
                   "after the single token [v]?")
      .choice_answer("d_predicts", "the hand-set model's prediction after [v]",
                     {"v itself", "the token that followed v earlier", "all tokens equally likely"}, "v itself")
      .manual(2);
}

workbook::Plot pattern_plot(int layer) {
  const auto run = topic10_1_8::forward(seed_tokens, seed_model());
  return workbook::heatmap(layer == 1 ? "Layer 1, previous-token head on [1, 2, 3, 1, 2]"
                                      : "Layer 2, induction head on [1, 2, 3, 1, 2]",
                           "key position j", "query position t", "attention weight",
                           layer == 1 ? run.pattern1 : run.pattern2);
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "An induction head built by hand";
  ex.tags = {workbook::Tag::conceptual, workbook::Tag::implementation, workbook::Tag::proof, workbook::Tag::plot};
  ex.statement = R"(An induction head completes patterns of the form [... A B ... A] -> B: when the current token
A showed up earlier, predict whatever came right after it. It takes two heads in two layers. The first, a
previous-token head, lets every position record which token stood just before it. The second, the induction
head, looks for the position whose recorded predecessor equals the current token, and copies the token found
there into the prediction.

Build such a model with weights you set by hand: two layers, one head each, no MLPs, no layer norm. Rows of the
residual stream are multiplied on the right. With tokens t_0..t_{T-1} from a vocabulary of V and at most L
positions, x0_t = E[t_t] + P[t]; a head has W_Q, W_K (d x k) and W_OV (d x d); its score from position t to
position j <= t is (x_t W_Q).(x_j W_K), with no 1/sqrt(k) factor (the size of the weights sets the sharpness),
positions j > t are masked out, the weights A_tj are a softmax over j <= t, and the head adds
sum_j A_tj x_j W_OV to x_t. Layer 1 turns x0 into x1, layer 2 turns x1 into x2, and the logits are x2 W_U.
Float or double inside: the checks of the forward pass allow float rounding.

The design, with s the score scale (use s = 20): a stream of width d = 3V + L split into four blocks,
[token one-hot (V) | position one-hot (L) | previous token (V) | output (V)]; E and P write the one-hots.
Layer 1: the query of position p is s times the indicator of position p - 1 and the key of position j is the
indicator of position j (head width L), so position p scores s on p - 1 and 0 elsewhere; W_OV copies the token
block into the previous-token block. Layer 2 must score s from position t to every position j whose recorded
predecessor is t's own token, and 0 to the others; which of its maps reads the previous-token block is for you
to work out (part a2). One more head coordinate gives position 0 a score of -s, because position 0 has no
predecessor and can never be the answer. W_OV of layer 2 copies the token block into the output block, and W_U
reads the output block. Implement forward and induction_model. Positions are counted from 0.)";
  part_a(ex);
  part_b(ex);
  part_c(ex);
  part_d(ex);
  for (int layer : {1, 2})
    ex.plot("layer" + std::to_string(layer),
            "attention pattern of layer " + std::to_string(layer) + " on [1, 2, 3, 1, 2] (rows: query position, "
            "columns: key position), your model",
            [layer](const Context&) { return pattern_plot(layer); });
}
