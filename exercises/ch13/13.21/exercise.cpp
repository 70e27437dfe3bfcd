// 13.21: sinusoidal against learned positions in the chapter's GPT on tiny Shakespeare. arch13/12 already has the
// student write the sinusoidal table, a table's lookup and RoPE; here the student writes the two pieces the comparison
// rests on instead. First, the backward of the GPT's input layer for both kinds of table: the token table's gradient
// and, for learned positions only, the position table's (dx's rows summed position by position over the batch, rows
// at or beyond the sequence length untouched), while the sinusoidal table, a formula, gets none: this is the one place
// the two models differ in training. Second, the held-out estimate that decides the comparison: the mean cross-entropy
// over fixed validation windows, from logits, with a stable log-sum-exp.
//
// Expected values: both pieces written as plain loops here; central differences of nn::Gpt's loss (in double) with the
// student's input layer plugged in through nn::GptInput; the library's own loss on the same logits. Then both models
// run trusted-side (docs/model.md, "A student's piece inside a model"): nn::Gpt with no positions of its own, its
// input the token embedding times sqrt(width) plus a position table held here (the library's sinusoidal table, or a learned table trained
// with the model by the same AdamW), the forward sum ours and the backward the student's; the validation curve is the
// student's estimate. Quick budget: each model's held-out loss beats the training text's unigram model; --full: 5000
// steps each, the same seed, data and batch order, the curves (figure `validation`) and final numbers
// (docs/results/ch13.md).

#include "ch13/13.21/interface.hpp"

#include <chrono>
#include <cmath>
#include <iostream>
#include <map>
#include <tuple>

#include <xtensor/xadapt.hpp>

#include "nn/char_tokenizer.hpp"
#include "nn/data_loader.hpp"
#include "nn/gpt.hpp"
#include "nn/linear.hpp"
#include "nn/optim.hpp"
#include "nn/position.hpp"
#include "nn/schedule.hpp"
#include "nn/shipped_data.hpp"
#include "nn/train_log.hpp"
#include "workbook/exercise.hpp"
#include "workbook/oracle/finite_difference.hpp"
#include "workbook/oracle/random.hpp"
#include "workbook/tolerances.hpp"

namespace {

using ch13_21::Matrix;
using ch13_21::Positions;
using workbook::CheckKind;
using workbook::CheckResult;
using workbook::Context;

const char* name_of(Positions p) { return p == Positions::learned ? "learned" : "sinusoidal"; }

xt::xarray<double> laid_end_to_end(const xt::xarray<double>& a, const xt::xarray<double>& b) {
  return xt::concatenate(xt::xtuple(xt::flatten(a), xt::flatten(b)));
}

// ---- (a) the input layer's backward, in plain loops -------------------------------------------------------

struct InputCase {
  Matrix dx;
  std::vector<int> tokens;
  std::size_t time, vocab, context;
};

// batch sequences of `time` tokens of a small vocabulary, so that tokens repeat as well as positions.
InputCase input_case(std::size_t batch, std::size_t time, std::size_t context, std::size_t vocab, std::size_t width,
                     std::mt19937_64& rng) {
  InputCase in{workbook::oracle::gaussian_matrix(batch * time, width, rng), {}, time, vocab, context};
  for (std::size_t r = 0; r < batch * time; ++r)
    in.tokens.push_back(std::uniform_int_distribution<int>(0, int(vocab) - 1)(rng));
  return in;
}

// Entry (v, c) of the token gradient is the sum of dx(r, c) over the rows holding token v; entry (t, c) of the learned
// table's is the sum over the sequences of dx(b time + t, c), zero for t >= time.
std::pair<Matrix, Matrix> oracle_input_gradients(const InputCase& in, Positions kind) {
  const std::size_t width = in.dx.shape(1), rows = in.tokens.size();
  Matrix tokens = xt::zeros<double>({in.vocab, width});
  Matrix positions = xt::zeros<double>({kind == Positions::learned ? in.context : 0, width});
  for (std::size_t v = 0; v < in.vocab; ++v)
    for (std::size_t r = 0; r < rows; ++r)
      if (in.tokens[r] == int(v))
        for (std::size_t c = 0; c < width; ++c) tokens(v, c) += in.dx(r, c);
  for (std::size_t t = 0; t < positions.shape(0) && t < in.time; ++t)
    for (std::size_t b = 0; b < rows / in.time; ++b)
      for (std::size_t c = 0; c < width; ++c) positions(t, c) += in.dx(b * in.time + t, c);
  return {tokens, positions};
}

ch13_21::InputGrads student_input_gradients(const Matrix& dx, const std::vector<int>& tokens, std::size_t time,
                                            std::size_t vocab, std::size_t context, Positions kind) {
  auto g = ch13_21::input_backward(dx, tokens, time, vocab, context, kind);
  workbook::require_shape("input_backward (token_table)", g.token_table, {vocab, dx.shape(1)});
  workbook::require_shape("input_backward (position_table)", g.position_table,
                          {kind == Positions::learned ? context : 0, dx.shape(1)});
  return g;
}

CheckResult input_gradients_match(const InputCase& in, Positions kind) {
  const auto g = student_input_gradients(in.dx, in.tokens, in.time, in.vocab, in.context, kind);
  const auto [tokens, positions] = oracle_input_gradients(in, kind);
  const xt::xarray<double> expected = laid_end_to_end(tokens, positions);
  return workbook::close(laid_end_to_end(g.token_table, g.position_table), expected,
                         workbook::tolerance::float_at_scale(expected));
}

// ---- the student's input layer inside nn::Gpt ---------------------------------------------------------------

template <class T>
nn::ParamRef<T> parameter_named(nn::Gpt<T>& model, const std::string& name) {
  for (const auto& p : model.parameters())
    if (p.name == name) return p;
  throw std::logic_error("the model has no parameter " + name);
}

// The GPT's input from outside (nn::GptInput): the rows of the token table sqrt(width) wte (wte is the model's token
// embedding, tied to its head) plus row r % time of a position table held here. The factor is the original
// transformer's: the library starts wte at N(0, 0.02), and next to sinusoidal rows of size about 1 unscaled tokens are
// all but invisible to the first norm (in the quick budget the sinusoidal model then learns nothing beyond character
// frequencies). The backward is the student's input_backward on that sum; the grader applies the chain rule for the
// factor, adds the token gradient to wte's (which already holds the head's part) and keeps the table's for the optimiser.
template <class T>
class StudentInput {
 public:
  StudentInput(nn::Gpt<T>& model, Positions kind, nn::Matrix<T> table)
      : wte_(parameter_named(model, "wte.weight")), kind_(kind), context_(model.config().context),
        token_scale_(std::sqrt(T(wte_.shape[1]))), table_(std::move(table)), dtable_(xt::zeros<T>(table_.shape())) {
    input_.forward = [this](const nn::Tokens& tokens, std::size_t, std::size_t time) {
      tokens_ = tokens;
      time_ = time;
      nn::Matrix<T> x = token_scale_ * nn::embedding_forward(tokens, token_table());
      for (std::size_t r = 0; r < tokens.size(); ++r) xt::row(x, r) += xt::row(table_, r % time);
      return x;
    };
    input_.backward = [this](const nn::Matrix<T>& dx) {
      const auto g = student_input_gradients(xt::cast<double>(dx), tokens_, time_, wte_.shape[0], context_, kind_);
      for (std::size_t i = 0; i < wte_.size; ++i) wte_.grad[i] += token_scale_ * T(g.token_table.data()[i]);
      // In place, element by element: the optimiser holds dtable_'s buffer, which an xtensor assignment may replace.
      if (kind_ == Positions::learned)
        for (std::size_t i = 0; i < dtable_.size(); ++i) dtable_.data()[i] += T(g.position_table.data()[i]);
    };
    model.set_input(&input_);
  }
  StudentInput(const StudentInput&) = delete;
  StudentInput& operator=(const StudentInput&) = delete;

  nn::ParamRef<T> table_parameter() { return nn::param_ref("wpe.weight", table_, dtable_); }
  void set_table(const nn::Matrix<T>& value) { std::copy(value.begin(), value.end(), table_.begin()); }

 private:
  nn::Matrix<T> token_table() const {
    return xt::adapt(wte_.value, wte_.size, xt::no_ownership(), std::vector<std::size_t>{wte_.shape[0], wte_.shape[1]});
  }

  nn::ParamRef<T> wte_;
  Positions kind_;
  std::size_t context_;
  T token_scale_;
  nn::Matrix<T> table_, dtable_;
  nn::Tokens tokens_;
  std::size_t time_ = 0;
  nn::GptInput<T> input_;
};

// A one-layer GPT in double: 7 tokens, context 6, width 8, run on 2 sequences of 5 tokens (the table's last row is
// never used, so its gradient must be zero).
CheckResult gpt_gradients_match(const Context& ctx, Positions kind) {
  nn::GptConfig config;
  config.vocab_size = 7;
  config.context = 6;
  config.n_layer = 1;
  config.n_head = 2;
  config.n_embd = 8;
  config.position = nn::PositionKind::none;  // the positions are the input's
  nn::Gpt<double> model(config, ctx.seed_for("a-gpt"));
  auto rng = ctx.rng("a-gpt-inputs");
  const Matrix start_table = kind == Positions::learned ? Matrix(0.5 * workbook::oracle::gaussian_matrix(6, 8, rng))
                                                        : nn::sinusoidal_positions<double>(6, 8);
  StudentInput<double> input(model, kind, start_table);
  nn::Tokens tokens, targets;
  for (std::size_t r = 0; r < 10; ++r) {
    tokens.push_back(std::uniform_int_distribution<int>(0, 6)(rng));
    targets.push_back(std::uniform_int_distribution<int>(0, 6)(rng));
  }
  const auto loss = [&] {
    model.forward(tokens, 2, 5);
    return double(model.loss(targets));
  };
  auto params = model.parameters();
  params.push_back(input.table_parameter());
  nn::zero_grads(params);
  loss();
  model.backward();

  const auto wte = parameter_named(model, "wte.weight");
  Matrix wte_value = xt::adapt(wte.value, wte.size, xt::no_ownership(), wte.shape);
  const Matrix wte_grad = xt::adapt(wte.grad, wte.size, xt::no_ownership(), wte.shape);
  const auto& table = params.back();
  const Matrix table_grad = xt::adapt(table.grad, table.size, xt::no_ownership(), table.shape);
  const auto set = [](const nn::ParamRef<double>& p, const Matrix& value) {
    std::copy(value.begin(), value.end(), p.value);
  };
  const xt::xarray<double> numerical_wte = workbook::oracle::numerical_gradient(wte_value, [&](const Matrix& w) {
    set(wte, w);
    return loss();
  });
  set(wte, wte_value);
  if (kind == Positions::sinusoidal)
    return workbook::close(xt::xarray<double>(wte_grad), numerical_wte, workbook::tolerance::central_difference);
  const xt::xarray<double> numerical_table = workbook::oracle::numerical_gradient(start_table, [&](const Matrix& t) {
    input.set_table(t);
    return loss();
  });
  return workbook::close(laid_end_to_end(wte_grad, table_grad), laid_end_to_end(numerical_wte, numerical_table),
                         workbook::tolerance::central_difference);
}

// ---- (b) the held-out estimate ------------------------------------------------------------------------------

// -log of the softmax probability of each scored row's target, straight from the definition (for logits small
// enough that exp does not overflow), averaged over the scored rows.
double oracle_cross_entropy(const Matrix& logits, const std::vector<int>& targets) {
  double total = 0;
  std::size_t scored = 0;
  for (std::size_t r = 0; r < targets.size(); ++r) {
    if (targets[r] == nn::ignore_index) continue;
    double partition = 0;
    for (std::size_t v = 0; v < logits.shape(1); ++v) partition += std::exp(logits(r, v));
    total += -std::log(std::exp(logits(r, std::size_t(targets[r]))) / partition);
    ++scored;
  }
  return total / double(scored);
}

struct ScoredRows {
  Matrix logits;
  std::vector<int> targets;
};

// rows x vocab logits of spread `spread`; every third target is -1 (not scored) when `skip` is set.
ScoredRows scored_rows(std::size_t rows, std::size_t vocab, double spread, bool skip, std::mt19937_64& rng) {
  ScoredRows s{workbook::oracle::gaussian_matrix(rows, vocab, rng, spread), {}};
  for (std::size_t r = 0; r < rows; ++r)
    s.targets.push_back(skip && r % 3 == 1 ? nn::ignore_index
                                           : std::uniform_int_distribution<int>(0, int(vocab) - 1)(rng));
  return s;
}

double student_cross_entropy(const Matrix& logits, const std::vector<int>& targets) {
  return ch13_21::mean_cross_entropy(logits, targets);
}

// ---- (c) the two models on tiny Shakespeare -----------------------------------------------------------------

struct Experiment {
  std::size_t layers, heads, width, context, batch, steps, eval_every, val_windows;
  nn::Schedule schedule;
};

// --full: the sizes part (d) quotes; quick: a model and a run small enough for a few seconds.
Experiment experiment_for(bool full) {
  if (full) return {2, 4, 64, 64, 16, 5000, 250, 64, {1e-3, 1e-4, 100, 5000}};
  return {2, 2, 32, 32, 8, 200, 25, 16, {6e-3, 6e-4, 10, 200}};
}

constexpr double validation_fraction = 0.1;  // the last 10% of the text

struct Corpus {
  std::size_t vocab;
  nn::TokenSplit split;
};

const Corpus& corpus() {
  static const Corpus c = [] {
    const auto path = nn::shipped_data("tinyshakespeare.txt");
    const std::string text = nn::read_shipped_data("tinyshakespeare.txt", std::filesystem::file_size(path));
    const nn::CharTokenizer tokenizer(text);
    return Corpus{tokenizer.vocab_size(), nn::split(tokenizer.encode(text), validation_fraction)};
  }();
  return c;
}

// `count` windows of `time` tokens spread evenly over the validation split, with their next tokens: the same
// windows at every evaluation, for both models.
nn::LmBatch validation_windows(const nn::Tokens& val, std::size_t count, std::size_t time) {
  nn::LmBatch w{nn::Tokens(count * time), nn::Tokens(count * time), count, time};
  const std::size_t last_start = val.size() - time - 1;
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t start = count == 1 ? 0 : i * last_start / (count - 1);
    for (std::size_t t = 0; t < time; ++t) {
      w.inputs[i * time + t] = val[start + t];
      w.targets[i * time + t] = val[start + t + 1];
    }
  }
  return w;
}

// The mean held-out cross-entropy of the training split's character frequencies (add-one smoothed) on the windows'
// targets: what a model that ignores the context reaches.
double unigram_cross_entropy(const Corpus& c, const nn::LmBatch& windows) {
  std::vector<double> counts(c.vocab, 1.0);
  for (const int t : c.split.train) counts[std::size_t(t)] += 1;
  const double total = double(c.split.train.size() + c.vocab);
  double loss = 0;
  for (const int t : windows.targets) loss -= std::log(counts[std::size_t(t)] / total);
  return loss / double(windows.targets.size());
}

nn::GptConfig model_config(const Experiment& e) {
  nn::GptConfig config;
  config.vocab_size = corpus().vocab;
  config.context = e.context;
  config.n_layer = e.layers;
  config.n_head = e.heads;
  config.n_embd = e.width;
  config.position = nn::PositionKind::none;  // the positions are the input's: the table held here
  return config;
}

struct Run {
  std::vector<double> eval_steps, val_loss, library_val_loss;  // val_loss: the student's estimate
  double unigram = 0;
};

// Trains the GPT with the student's input layer and one kind of table, evaluating on the fixed validation windows
// every eval_every steps and at the end. Both kinds start from the same weights and see the same batches in the same
// order; the learned table starts as the library's (N(0, 0.01)) and is trained by the same AdamW. Cached per (seed,
// budget, kind), so that checks and figure read one run.
Run trained(const Context& ctx, Positions kind) {
  using Key = std::tuple<std::uint64_t, bool, Positions>;
  static std::map<Key, Run> cache;
  const Key key{ctx.seed(), ctx.full(), kind};
  if (const auto hit = cache.find(key); hit != cache.end()) return hit->second;

  const auto e = experiment_for(ctx.full());
  const Corpus& c = corpus();
  nn::Gpt<float> model(model_config(e), ctx.seed_for("c-weights"));
  std::mt19937_64 table_rng(ctx.seed_for("c-learned-table"));
  const nn::Matrix<float> start_table =
      kind == Positions::learned ? nn::Matrix<float>(xt::cast<float>(
                                       0.01 * workbook::oracle::gaussian_matrix(e.context, e.width, table_rng)))
                                 : nn::sinusoidal_positions<float>(e.context, e.width);
  StudentInput<float> input(model, kind, start_table);
  auto params = model.parameters();
  if (kind == Positions::learned) params.push_back(input.table_parameter());
  nn::AdamW<float> optimizer(params, {e.schedule.max_lr, 0.9, 0.99, 1e-8, 0.1});
  nn::LmLoader batches(c.split.train, e.batch, e.context, ctx.seed_for("c-batches"));
  const nn::LmBatch windows = validation_windows(c.split.val, e.val_windows, e.context);

  Run run;
  run.unigram = unigram_cross_entropy(c, windows);
  nn::ProgressBar bar(std::cerr, e.steps);
  const auto evaluate = [&](std::size_t step) {
    const Matrix logits = xt::cast<double>(model.forward(windows.inputs, windows.batch, windows.time));
    run.eval_steps.push_back(double(step));
    run.library_val_loss.push_back(double(model.loss(windows.targets)));
    run.val_loss.push_back(student_cross_entropy(logits, windows.targets));
    if (ctx.full()) {
      bar.finish();
      std::cerr << name_of(kind) << " step " << step << ": validation loss " << run.val_loss.back() << "\n";
    }
  };
  if (ctx.full()) std::cerr << name_of(kind) << " positions: " << e.steps << " steps\n";
  double seconds = 0;
  for (std::size_t step = 0; step < e.steps; ++step) {
    if (step % e.eval_every == 0) evaluate(step);
    const auto start = std::chrono::steady_clock::now();
    const nn::LmBatch b = batches.next();
    nn::zero_grads(params);
    model.forward(b.inputs, b.batch, b.time);
    const double loss = double(model.loss(b.targets));
    model.backward();
    nn::clip_grad_norm(params, 1.0f);
    optimizer.step(nn::lr_at(step, e.schedule));
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (ctx.full()) bar.update(step + 1, loss, double((step + 1) * b.inputs.size()) / seconds);
  }
  evaluate(e.steps);
  return cache[key] = run;
}

// The library's held-out loss after training, below that of the unigram model on the same windows.
CheckResult beats_unigram(const Context& ctx, Positions kind) {
  const Run run = trained(ctx, kind);
  const double final_loss = run.library_val_loss.back();
  return workbook::holds(final_loss < run.unigram, final_loss,
                         std::string("after training, the ") + name_of(kind) + " model's held-out loss " +
                             std::to_string(final_loss) + " does not beat the unigram model's " +
                             std::to_string(run.unigram));
}

// ---- parts -------------------------------------------------------------------------------------------------------

void part_a(workbook::Exercise& ex) {
  auto& a = ex.part("a", 3, R"(Implement input_backward. The checks compare it with the gradients written as plain
loops (within float's rounding: 1e-5 relative, plus 1e-5 of the largest entry), then plug your function into the
library's GPT (in double) as the backward of its input layer and compare the gradients of the model's loss with respect
to the token table and the position table with central differences of that loss (within 1e-6).)");
  a.check("learned", CheckKind::close,
          "3 sequences of 5 tokens of 4 kinds, width 6, a table of 8 positions, against plain loops",
          [](const Context& ctx) {
            auto rng = ctx.rng("a-learned");
            return input_gradients_match(input_case(3, 5, 8, 4, 6, rng), Positions::learned);
          })
      .check("sinusoidal", CheckKind::close,
             "the same sizes with the sinusoidal table: the token gradient, and an empty (0, width) table gradient",
             [](const Context& ctx) {
               auto rng = ctx.rng("a-sinusoidal");
               return input_gradients_match(input_case(3, 5, 8, 4, 6, rng), Positions::sinusoidal);
             })
      .check("any size", CheckKind::property,
             "for random batches, lengths up to the context, vocabularies and widths, both kinds, against plain loops",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("a-property"), [] {
                 const auto context = *rc::gen::inRange<std::size_t>(1, 10);
                 const auto time = *rc::gen::inRange<std::size_t>(1, context + 1);
                 const auto batch = *rc::gen::inRange<std::size_t>(1, 5);
                 const auto vocab = *rc::gen::inRange<std::size_t>(1, 8);
                 const auto width = *rc::gen::inRange<std::size_t>(1, 6);
                 const auto kind = *rc::gen::arbitrary<bool>() ? Positions::learned : Positions::sinusoidal;
                 auto rng = workbook::oracle::property_rng();
                 RC_ASSERT(input_gradients_match(input_case(batch, time, context, vocab, width, rng), kind).status ==
                           workbook::Status::pass);
               });
             });
  for (const Positions kind : {Positions::learned, Positions::sinusoidal})
    a.check(std::string(name_of(kind)) + " in the GPT", CheckKind::close,
            std::string("the library's one-layer GPT with your input layer (") + name_of(kind) +
                " table), 2 sequences of 5 tokens, context 6: its loss's gradients against central differences",
            [kind](const Context& ctx) { return gpt_gradients_match(ctx, kind); });
  a.hint("Each row of dx came from one token and one position; a token or a position that occurs in several rows "
         "collects all of their gradients.");
}

void part_b(workbook::Exercise& ex) {
  ex.part("b", 2, R"(Implement mean_cross_entropy. The checks compare it with the definition written plainly (within
1e-5 relative), on rows some of which are not scored, on logits near 1000, where exp overflows and the answer must not
change when every logit of a row moves by the same amount, and with the library GPT's own loss on the logits it
gives for validation windows of tiny Shakespeare.)")
      .check("ignored rows", CheckKind::close, "12 rows of 9 logits, every third row not scored, against the definition",
             [](const Context& ctx) {
               auto rng = ctx.rng("b-rows");
               const auto s = scored_rows(12, 9, 2.0, true, rng);
               return workbook::close(student_cross_entropy(s.logits, s.targets),
                                      oracle_cross_entropy(s.logits, s.targets), workbook::tolerance::float_computation);
             })
      .check("large logits", CheckKind::close,
             "10 rows of 6 logits of spread 20, all moved up by 1000: the same as before the move",
             [](const Context& ctx) {
               auto rng = ctx.rng("b-large");
               const auto s = scored_rows(10, 6, 20.0, false, rng);
               const Matrix moved = s.logits + 1000.0;
               return workbook::close(student_cross_entropy(moved, s.targets), oracle_cross_entropy(s.logits, s.targets),
                                      workbook::tolerance::float_computation);
             })
      .check("the library's loss", CheckKind::close,
             "the logits of a small untrained library GPT on 8 validation windows of 32 characters, against its loss",
             [](const Context& ctx) {
               nn::Gpt<float> model(model_config(experiment_for(false)), ctx.seed_for("b-gpt"));
               const auto windows = validation_windows(corpus().split.val, 8, 32);
               const Matrix logits = xt::cast<double>(model.forward(windows.inputs, windows.batch, windows.time));
               return workbook::close(student_cross_entropy(logits, windows.targets),
                                      double(model.loss(windows.targets)), workbook::tolerance::float_computation);
             })
      .hint("log sum_v exp(z_v) = m + log sum_v exp(z_v - m) for any m; with m the row's largest logit, no term "
            "exceeds 1.");
}

void part_c(workbook::Exercise& ex) {
  auto& c = ex.part("c", 2, R"(Both models now train in the grader with your input_backward as their input layer's
backward, from the same initial weights on the same batches, and are evaluated on fixed validation windows with your
mean_cross_entropy. Quick budget: 2 layers of 2 heads, width 32, context 32, 200 steps of 8 windows at a
learning rate of 6e-3 decaying to 6e-4. The checks: after
training, each model's held-out loss (the library's) is below that of the unigram model, the training text's character
frequencies, on the same windows: each model has learned to use the context.)");
  for (const Positions kind : {Positions::sinusoidal, Positions::learned})
    c.check(std::string(name_of(kind)) + " learns", CheckKind::property,
            std::string("the GPT with the ") + name_of(kind) +
                " table beats the unigram model on the validation windows after training",
            [kind](const Context& ctx) { return beats_unigram(ctx, kind); });
}

void part_d(workbook::Exercise& ex) {
  const auto e = experiment_for(true);
  ex.part("d", 1, R"(In the --full configuration (context 64, width 64), how many more trainable parameters does the
learned model have than the sinusoidal one? (An exact integer.))")
      .integer_answer("d_position_parameters", "trainable parameters of the learned model beyond the sinusoidal one's",
                      std::int64_t(e.context * e.width))
      .hint("Everything but the position table is shared; the sinusoidal table is computed, not trained.");
}

void part_e(workbook::Exercise& ex) {
  ex.part("e", 2, R"(Run --full: 5000 steps for each model (2 layers of 4 heads, width 64, context 64, batches of 16
windows, AdamW with a warm-up and cosine schedule from 1e-3 to 1e-4), evaluated every 250 steps on 64 fixed windows of
the validation split (the last 10% of the text). From figure `validation` and the final numbers: which model ends lower,
and is the gap large next to the change a different seed makes (run --full --seed N once more if you can)? Early in
training, which is ahead, and why? What does the learned table cost, and what does it give up that the sinusoidal one
keeps?)")
      .manual(2);
}

// ---- figure ------------------------------------------------------------------------------------------------------

// Your held-out estimate against the step for both models, beside the unigram model's loss. Trained in the quick
// budget too: measured.
workbook::Plot validation_figure(const Context& ctx) {
  const auto e = experiment_for(ctx.full());
  const Run sinusoidal = trained(ctx, Positions::sinusoidal), learned = trained(ctx, Positions::learned);
  std::vector<workbook::Series> series{
      {"unigram", {0.0, double(e.steps)}, {sinusoidal.unigram, sinusoidal.unigram}, workbook::Series::Style::lines},
      {"sinusoidal", sinusoidal.eval_steps, sinusoidal.val_loss, workbook::Series::Style::linespoints},
      {"learned", learned.eval_steps, learned.val_loss, workbook::Series::Style::linespoints}};
  auto plot = workbook::xy_plot("Tiny Shakespeare: validation loss, sinusoidal against learned positions", "step",
                                "mean cross-entropy (nats)", series);
  plot.measured = true;
  return plot;
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "Sinusoidal against learned positions on tiny Shakespeare";
  ex.tags = {workbook::Tag::implementation, workbook::Tag::proof, workbook::Tag::numeric, workbook::Tag::conceptual,
             workbook::Tag::plot};
  ex.statement = R"(The chapter's GPT tells its blocks where each character sits by adding a position vector to the
token embedding: either a fixed sinusoidal table or a learned one, a table of parameters trained with the rest. The
forward pass is the same sum either way; the two differ only in the backward pass, where the learned table receives a
gradient and the sinusoidal one does not, and the comparison is decided by a validation loss. Those are your two pieces.
Part (a) asks for the input layer's backward for both kinds of table, part (b) for the mean cross-entropy of the
held-out windows. Part (c) trains the library's character-level GPT (pre-LN blocks, LayerNorm, GELU, the head tied to
the token embedding; the token rows multiplied by sqrt(width) before the table is added, as the original transformer
scales them, a factor whose chain rule the grader applies: your backward sees the plain sum) with your backward and
your estimate, once per kind, on tiny Shakespeare, whose last 10% is held out for validation; part (d) counts what the
learned table adds, and part (e) compares the two after 5000 steps each (--full, figure `validation`).)";
  ex.timeout_seconds = 60;
  part_a(ex);
  part_b(ex);
  part_c(ex);
  part_d(ex);
  part_e(ex);
  ex.plot("validation",
          "Held-out loss (your mean_cross_entropy on fixed validation windows) against the training step, for the GPT "
          "with the sinusoidal and with the learned position table, beside the unigram model's loss on the same "
          "windows.",
          validation_figure);
}
