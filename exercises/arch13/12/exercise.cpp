// arch13/12: sinusoidal, learned and rotary positions, trained at one length and evaluated beyond it. The student
// writes the encodings: the sinusoidal table, the lookup of a position table's rows (which must refuse a position the
// table has no row for) and RoPE's rotation with its backward. Expected values: the encoding written coordinate by
// coordinate (workbook/oracle/positional.hpp), the table's own rows, the library's RoPE (nn/position.hpp), and as a
// property the reason RoPE is relative: rotating a query and a key by the same extra offset keeps their dot product.
//
// Then the encodings run inside the library's GPT (docs/model.md, "A student's piece inside a model"): for the two
// absolute encodings the model's input (nn::GptInput) is its token embedding plus the rows the student's position_rows
// returns, from the student's sinusoidal table or from a learned table trained here with the model; for RoPE every
// block's attention core rotates queries and keys with the student's rope_rotate and turns the gradients back with
// rope_rotate_backward around the library's attention. The three models learn a copy task at one length in this
// process and are scored on held-out sequences of that length and longer ones. Quick budget: each learns, the learned
// table refuses positions beyond it, the other two run at four times the length; --full: the table and figure
// `extrapolation` of loss against evaluation length (results in docs/results/arch13.md).

#include "arch13/12/interface.hpp"

#include <cmath>
#include <iostream>
#include <map>
#include <optional>
#include <random>
#include <tuple>

#include <xtensor/xadapt.hpp>

#include "nn/attention.hpp"
#include "nn/gpt.hpp"
#include "nn/linear.hpp"
#include "nn/position.hpp"
#include "nn/sessions.hpp"
#include "nn/synthetic.hpp"
#include "workbook/exercise.hpp"
#include "workbook/oracle/positional.hpp"
#include "workbook/oracle/random.hpp"
#include "workbook/oracle/statistics.hpp"
#include "workbook/remote/channel.hpp"
#include "workbook/tolerances.hpp"

namespace {

using arch13_12::Matrix;
using workbook::CheckKind;
using workbook::CheckResult;
using workbook::Context;

constexpr double base = 10000;

// Angles of up to a few hundred radians computed in float are off by about 2e-5; the encodings' entries are at most
// 1 in size, so 1e-4 absolute leaves room for a float implementation and none for a wrong frequency or layout.
constexpr workbook::Tolerance encoding_tolerance{0, 1e-4};

// ---- (a) the sinusoidal table ----------------------------------------------------------------------------

CheckResult table_matches(std::size_t length, std::size_t dim, double table_base) {
  const Matrix table = arch13_12::sinusoidal_table(length, dim, table_base);
  workbook::require_shape("sinusoidal_table", table, {length, dim});
  return workbook::close(xt::xarray<double>(table),
                         xt::xarray<double>(workbook::oracle::sinusoidal_table(0, length, dim, table_base)),
                         encoding_tolerance);
}

// ---- (b) a position table's rows -------------------------------------------------------------------------

CheckResult rows_match(const Matrix& table, const std::vector<std::size_t>& positions) {
  const Matrix rows = arch13_12::position_rows(table, positions);
  workbook::require_shape("position_rows", rows, {positions.size(), table.shape(1)});
  Matrix expected = Matrix::from_shape(rows.shape());
  for (std::size_t r = 0; r < positions.size(); ++r) xt::row(expected, r) = xt::row(table, positions[r]);
  return workbook::close(xt::xarray<double>(rows), xt::xarray<double>(expected), workbook::tolerance::double_computation);
}

// Passes when the student's function throws for the call; "not implemented" is not a refusal and travels on.
CheckResult refuses(const Matrix& table, const std::vector<std::size_t>& positions) {
  try {
    arch13_12::position_rows(table, positions);
  } catch (const workbook::remote::SolutionError&) {
    return workbook::holds(true, "refused", "");
  }
  return workbook::holds(false, "returned rows",
                         "position_rows returned rows for a position beyond a table of " +
                             std::to_string(table.shape(0)) + " rows instead of refusing it");
}

// ---- (c) RoPE ----------------------------------------------------------------------------------------------

struct RopeInputs {
  Matrix x;
  std::vector<std::size_t> positions;
  std::size_t n_head, head_dim;
};

RopeInputs rope_inputs(std::size_t rows, std::size_t n_head, std::size_t head_dim, std::size_t longest,
                       std::mt19937_64& rng) {
  RopeInputs in{workbook::oracle::gaussian_matrix(rows, n_head * head_dim, rng), {}, n_head, head_dim};
  for (std::size_t r = 0; r < rows; ++r) in.positions.push_back(std::uniform_int_distribution<std::size_t>(0, longest)(rng));
  return in;
}

Matrix student_rope(const RopeInputs& in) {
  const Matrix out = arch13_12::rope_rotate(in.x, in.positions, in.n_head, in.head_dim, base);
  workbook::require_shape("rope_rotate", out, {in.x.shape(0), in.x.shape(1)});
  return out;
}

CheckResult rope_matches(const RopeInputs& in) {
  return workbook::close(xt::xarray<double>(student_rope(in)),
                         xt::xarray<double>(nn::rope_forward<double>(in.x, in.positions, in.n_head, in.head_dim, base)),
                         encoding_tolerance);
}

CheckResult rope_backward_matches(const RopeInputs& in) {
  const Matrix out = arch13_12::rope_rotate_backward(in.x, in.positions, in.n_head, in.head_dim, base);
  workbook::require_shape("rope_rotate_backward", out, {in.x.shape(0), in.x.shape(1)});
  return workbook::close(xt::xarray<double>(out),
                         xt::xarray<double>(nn::rope_backward<double>(in.x, in.positions, in.n_head, in.head_dim, base)),
                         encoding_tolerance);
}

// One head: a query at m and a key at n score as the same pair moved to m + s and n + s.
bool scores_depend_on_offset_alone(std::mt19937_64& rng, std::size_t head_dim) {
  const Matrix qk = workbook::oracle::gaussian_matrix(2, head_dim, rng);
  auto position = [&] { return std::uniform_int_distribution<std::size_t>(0, 200)(rng); };
  const std::size_t m = position(), n = position(), s = position();
  const Matrix pairs = xt::concatenate(xt::xtuple(qk, qk));
  const Matrix turned = student_rope({pairs, {m, n, m + s, n + s}, 1, head_dim});
  const double here = xt::sum(xt::row(turned, 0) * xt::row(turned, 1))();
  const double moved = xt::sum(xt::row(turned, 2) * xt::row(turned, 3))();
  return std::abs(here - moved) <= 1e-3 * (1 + std::abs(here));
}

// ---- the student's encodings inside the library's GPT -----------------------------------------------------

enum class Encoding { learned, sinusoidal, rope };
const char* name_of(Encoding e) { return e == Encoding::learned ? "learned" : e == Encoding::sinusoidal ? "sinusoidal" : "rope"; }

std::vector<std::size_t> positions_of(std::size_t batch, std::size_t time) {
  std::vector<std::size_t> positions(batch * time);
  for (std::size_t r = 0; r < positions.size(); ++r) positions[r] = r % time;
  return positions;
}

nn::ParamRef<float> parameter_named(nn::Gpt<float>& model, const std::string& name) {
  for (const auto& p : model.parameters())
    if (p.name == name) return p;
  throw std::logic_error("the model has no parameter " + name);
}

// The model's input for an absolute encoding: its own token embedding (wte, tied to its head), times sqrt(width), plus the rows of a
// position table that the student's position_rows looks up. The sinusoidal table is the student's and stays fixed;
// the learned one starts as the library's does (N(0, 0.01)) and is trained here with the model.
class AbsolutePositions {
 public:
  AbsolutePositions(nn::Gpt<float>& model, nn::Matrix<float> table)
      : wte_(parameter_named(model, "wte.weight")), table_(std::move(table)), dtable_(xt::zeros<float>(table_.shape())) {
    input_.forward = [this](const nn::Tokens& tokens, std::size_t batch, std::size_t time) {
      tokens_ = tokens;
      positions_ = positions_of(batch, time);
      const Matrix rows = arch13_12::position_rows(xt::cast<double>(table_), positions_);
      workbook::require_shape("position_rows", rows, {tokens.size(), table_.shape(1)});
      return nn::Matrix<float>(token_scale() * nn::embedding_forward(tokens, token_table()) + xt::cast<float>(rows));
    };
    input_.backward = [this](const nn::Matrix<float>& dx) {
      nn::Matrix<float> dwte = xt::zeros<float>({wte_.shape[0], wte_.shape[1]});
      nn::embedding_backward(dx, tokens_, dwte);
      for (std::size_t i = 0; i < wte_.size; ++i) wte_.grad[i] += token_scale() * dwte.data()[i];
      nn::embedding_backward(dx, nn::Tokens(positions_.begin(), positions_.end()), dtable_);
    };
  }
  AbsolutePositions(const AbsolutePositions&) = delete;
  AbsolutePositions& operator=(const AbsolutePositions&) = delete;

  const nn::GptInput<float>* input() const { return &input_; }
  nn::ParamRef<float> table_parameter() { return nn::param_ref("wpe.weight", table_, dtable_); }

 private:
  // sqrt(width), as "Attention is all you need" scales its token embeddings: the library starts them at N(0, 0.02),
  // which next to a sinusoidal row of entries up to 1 leaves the tokens all but invisible to the first norm.
  float token_scale() const { return std::sqrt(float(wte_.shape[1])); }
  nn::Matrix<float> token_table() const {
    return xt::adapt(wte_.value, wte_.size, xt::no_ownership(), std::vector<std::size_t>{wte_.shape[0], wte_.shape[1]});
  }

  nn::ParamRef<float> wte_;
  nn::Matrix<float> table_, dtable_;
  nn::Tokens tokens_;
  std::vector<std::size_t> positions_;
  nn::GptInput<float> input_;
};

// q and k stacked into one call of the student's function (rope_rotate or rope_backward), then split again: query row
// t of a sequence sits at position q_offset + t, key row j at j (nn/attention.hpp).
template <class Turn>
std::pair<nn::Matrix<float>, nn::Matrix<float>> turned(const nn::Matrix<float>& q, const nn::Matrix<float>& k,
                                                        const nn::AttentionShape& s, Turn turn, const char* name) {
  if (s.n_kv_head != s.n_head) throw std::logic_error("the RoPE core stacks q and k: it needs n_kv_head = n_head");
  std::vector<std::size_t> positions;
  for (std::size_t b = 0; b < s.batch; ++b)
    for (std::size_t t = 0; t < s.q_len; ++t) positions.push_back(s.q_offset + t);
  for (std::size_t b = 0; b < s.batch; ++b)
    for (std::size_t j = 0; j < s.kv_len; ++j) positions.push_back(j);
  const Matrix stacked = xt::concatenate(xt::xtuple(xt::cast<double>(q), xt::cast<double>(k)));
  const Matrix out = turn(stacked, positions, s.n_head, s.head_dim, base);
  workbook::require_shape(name, out, {stacked.shape(0), stacked.shape(1)});
  const nn::Matrix<float> all = xt::cast<float>(out);
  return {xt::view(all, xt::range(0, q.shape(0)), xt::all()), xt::view(all, xt::range(q.shape(0), all.shape(0)), xt::all())};
}

// Every block's attention: the library's, on queries and keys that the student's RoPE has turned. The backward
// recomputes the turned q and k and the weights (the core keeps no state between calls), takes the library's
// gradients with respect to the turned q and k, and has the student's backward turn them back.
nn::AttentionCore<float> student_rope_core() {
  nn::AttentionCore<float> core;
  core.forward = [](const nn::Matrix<float>& q, const nn::Matrix<float>& k, const nn::Matrix<float>& v,
                    const nn::AttentionShape& s, const nn::AttentionMask& mask) {
    const auto [rq, rk] = turned(q, k, s, arch13_12::rope_rotate, "rope_rotate");
    nn::AttentionCache<float> cache;
    return nn::attention_forward(rq, rk, v, s, mask, nn::RelativeBias<float>{}, cache);
  };
  core.backward = [](const nn::Matrix<float>& dout, const nn::Matrix<float>& q, const nn::Matrix<float>& k,
                     const nn::Matrix<float>& v, const nn::AttentionShape& s, const nn::AttentionMask& mask) {
    const auto [rq, rk] = turned(q, k, s, arch13_12::rope_rotate, "rope_rotate");
    nn::AttentionCache<float> cache;
    nn::attention_forward(rq, rk, v, s, mask, nn::RelativeBias<float>{}, cache);
    const auto g = nn::attention_backward(dout, rq, rk, v, s, mask, nn::RelativeBias<float>{}, cache);
    auto [dq, dk] = turned(g.dq, g.dk, s, arch13_12::rope_rotate_backward, "rope_rotate_backward");
    return nn::AttentionGrads<float>{dq, dk, g.dv};
  };
  return core;
}

// ---- the copy task ---------------------------------------------------------------------------------------

// Every sequence starts with `period` uniform tokens of [0, vocab) and then repeats them: token t equals token
// t - period. The target of row t is token t + 1, scored from t + 1 = period on (the first `period` tokens cannot be
// predicted; the last row has no next token). Whatever the length, the rule is "copy the token period - 1 back".
nn::SequenceSet copy_sequences(std::size_t count, std::size_t length, std::size_t period, int vocab, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  nn::SequenceSet set{nn::Tokens(count * length), nn::Tokens(count * length, nn::ignore_index), count, length};
  for (std::size_t i = 0; i < count; ++i) {
    int* tokens = set.tokens.data() + i * length;
    for (std::size_t t = 0; t < length; ++t)
      tokens[t] = t < period ? std::uniform_int_distribution<int>(0, vocab - 1)(rng) : tokens[t - period];
    for (std::size_t t = period - 1; t + 1 < length; ++t) set.targets[i * length + t] = tokens[t + 1];
  }
  return set;
}

// Quick: 16 tokens of 16 kinds, period 5, trained at length 16 and scored at 16, 32 and 64; 1 layer of width 32 with
// 2 heads, 200 steps of 16 sequences at learning rate 5e-3. Full: period 7, trained at 32 and scored from 32 to 256;
// 2 layers of width 64 with 4 heads, 2000 steps of 32 sequences at 3e-3.
struct Experiment {
  int vocab;
  std::size_t period, train_length;
  std::vector<std::size_t> eval_lengths;
  std::size_t train_count, test_count, layers, width, heads, steps, batch;
  double lr;
};

Experiment experiment_for(const Context& ctx) {
  if (ctx.full()) return {16, 7, 32, {32, 48, 64, 96, 128, 192, 256}, 8000, 200, 2, 64, 4, 2000, 32, 3e-3};
  return {16, 5, 16, {16, 32, 64}, 2000, 200, 1, 32, 2, 200, 16, 5e-3};
}

// What a trained model scores at each evaluation length, in order, up to the first length its encoding refused.
struct Extrapolation {
  std::vector<double> lengths, losses, accuracies;
  std::size_t scored_rows_at_train_length = 0;
  bool refused_beyond = false;  // an evaluation length the encoding has no rows for was refused
};

struct Score {
  double loss, accuracy;
  std::size_t rows;
};

// Mean cross-entropy and argmax accuracy over the scored rows, in batches of 50 sequences (evaluation mode).
Score score(nn::Gpt<float>& model, const nn::SequenceSet& test) {
  constexpr std::size_t batch = 50;
  double loss_sum = 0, hits = 0;
  std::size_t rows = 0;
  for (std::size_t first = 0; first < test.count; first += batch) {
    const std::size_t n = std::min(batch, test.count - first);
    const auto begin = std::ptrdiff_t(first * test.length), end = std::ptrdiff_t((first + n) * test.length);
    const nn::Tokens tokens(test.tokens.begin() + begin, test.tokens.begin() + end);
    const nn::Tokens targets(test.targets.begin() + begin, test.targets.begin() + end);
    const nn::Matrix<float> logits = model.forward(tokens, n, test.length);
    std::size_t scored = 0;
    for (std::size_t r = 0; r < targets.size(); ++r) {
      if (targets[r] == nn::ignore_index) continue;
      ++scored;
      hits += double(xt::argmax(xt::row(logits, r))() == std::size_t(targets[r]));
    }
    loss_sum += double(model.loss(targets)) * double(scored);
    rows += scored;
  }
  return {loss_sum / double(rows), hits / double(rows), rows};
}

nn::GptConfig model_config(const Experiment& e) {
  nn::GptConfig config;
  config.vocab_size = std::size_t(e.vocab);
  config.context = e.eval_lengths.back();  // the model itself refuses nothing: the encodings decide
  config.n_layer = e.layers;
  config.n_head = e.heads;
  config.n_embd = e.width;
  config.position = nn::PositionKind::none;  // positions come from the student's encodings only
  return config;
}

// Trains the GPT with one of the student's encodings on the copy task at the training length, then scores it at every
// evaluation length. The data, the initial weights and the batch order are the same for the three encodings. Cached
// per (seed, budget, encoding), so that the checks and the figure read one run.
Extrapolation trained(const Context& ctx, Encoding encoding) {
  using Key = std::tuple<std::uint64_t, bool, Encoding>;
  static std::map<Key, Extrapolation> cache;
  const Key key{ctx.seed(), ctx.full(), encoding};
  if (const auto hit = cache.find(key); hit != cache.end()) return hit->second;

  const auto e = experiment_for(ctx);
  nn::Gpt<float> model(model_config(e), ctx.seed_for("d-weights"));
  std::optional<AbsolutePositions> absolute;
  const auto rope = student_rope_core();
  nn::NextItemTraining training;
  training.steps = e.steps;
  training.batch = e.batch;
  training.lr = e.lr;
  training.seed = ctx.seed_for("d-batches");
  if (encoding == Encoding::rope) {
    model.set_attention_core(&rope);
  } else if (encoding == Encoding::sinusoidal) {
    absolute.emplace(model, xt::cast<float>(arch13_12::sinusoidal_table(e.eval_lengths.back(), e.width, base)));
  } else {
    std::mt19937_64 rng(ctx.seed_for("d-learned-table"));
    absolute.emplace(model, xt::cast<float>(0.01 * workbook::oracle::gaussian_matrix(e.train_length, e.width, rng)));
    training.extra_parameters.push_back(absolute->table_parameter());
  }
  if (absolute) model.set_input(absolute->input());

  const auto data = copy_sequences(e.train_count, e.train_length, e.period, e.vocab, ctx.seed_for("d-train"));
  if (ctx.full()) {
    std::cerr << name_of(encoding) << ": training at length " << e.train_length << "\n";
    nn::train_next_item_showing_progress(model, data, training, std::cerr);
  } else {
    nn::train_next_item(model, data, training);
  }

  Extrapolation out;
  for (const std::size_t length : e.eval_lengths) {
    const auto test = copy_sequences(e.test_count, length, e.period, e.vocab, ctx.seed_for("d-test") + length);
    Score s{};
    try {
      s = score(model, test);
    } catch (const workbook::remote::SolutionError&) {
      if (length <= e.train_length) throw;  // a refusal within the trained length is a mistake, not a limit
      out.refused_beyond = true;
      break;
    }
    if (length == e.train_length) out.scored_rows_at_train_length = s.rows;
    out.lengths.push_back(double(length));
    out.losses.push_back(s.loss);
    out.accuracies.push_back(s.accuracy);
    if (ctx.full())
      std::cerr << "| " << name_of(encoding) << " | " << length << " | " << s.loss << " | " << s.accuracy << " |\n";
  }
  return cache[key] = out;
}

// Ten standard errors above the chance 1/vocab of a guess, on the held-out rows at the training length.
CheckResult learns(const Context& ctx, Encoding encoding) {
  const auto e = experiment_for(ctx);
  const auto run = trained(ctx, encoding);
  return workbook::oracle::learned(run.accuracies.at(0), 1.0 / e.vocab, run.scored_rows_at_train_length);
}

CheckResult runs_at_every_length(const Context& ctx, Encoding encoding) {
  const auto e = experiment_for(ctx);
  const auto run = trained(ctx, encoding);
  bool finite = run.losses.size() == e.eval_lengths.size();
  for (const double loss : run.losses) finite = finite && std::isfinite(loss);
  return workbook::holds(finite, run.losses.size(),
                         std::string(name_of(encoding)) + " did not give a finite loss at every evaluation length");
}

// ---- parts -----------------------------------------------------------------------------------------------

void part_a(workbook::Exercise& ex) {
  ex.part("a", 2, R"(Implement sinusoidal_table. The checks compare with the encoding written coordinate by
coordinate, within 1e-4 (room for angles computed in float).)")
      .check("length 50, dim 16", CheckKind::close, "the table of 50 positions in 16 dimensions, base 10000",
             [](const Context&) { return table_matches(50, 16, 10000); })
      .check("length 300, dim 6", CheckKind::close, "300 positions in 6 dimensions with base 100: a long table",
             [](const Context&) { return table_matches(300, 6, 100); })
      .check("any size", CheckKind::property, "for random lengths up to 200, even dims up to 32 and bases from 10 to 1e5",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("a-property"), [] {
                 const auto length = *rc::gen::inRange<std::size_t>(1, 201);
                 const auto dim = 2 * *rc::gen::inRange<std::size_t>(1, 17);
                 const double table_base = std::pow(10.0, *rc::gen::inRange(100, 500) / 100.0);
                 RC_ASSERT(table_matches(length, dim, table_base).status == workbook::Status::pass);
               });
             })
      .hint("Pair i of the table turns at the rate w_i = base^(-2i / dim) radians per position: the first pair once a "
            "position, the last pair almost not at all.");
}

void part_b(workbook::Exercise& ex) {
  ex.part("b", 2, R"(Implement position_rows: the lookup that adds a learned (or any stored) position table to the
token embeddings. A learned table has one row per position seen in training and nothing beyond: a position past its
end must be refused with an exception, not answered with some other row.)")
      .check("rows", CheckKind::close, "rows of a random 7 x 5 table at positions 3, 0, 6, 6, 1, against the table",
             [](const Context& ctx) {
               auto rng = ctx.rng("b-table");
               return rows_match(workbook::oracle::gaussian_matrix(7, 5, rng), {3, 0, 6, 6, 1});
             })
      .check("refuses beyond", CheckKind::property, "positions 2 and 8 of an 8-row table: the call must throw",
             [](const Context& ctx) {
               auto rng = ctx.rng("b-table");
               return refuses(workbook::oracle::gaussian_matrix(8, 4, rng), {2, 8});
             })
      .hint("The rows are numbered 0 to length - 1.");
}

void part_c(workbook::Exercise& ex) {
  auto& c = ex.part("c", 3, R"(Implement rope_rotate and rope_rotate_backward. The checks compare with the nn library's
RoPE, which uses the same layout, within 1e-4, and test as a property what makes RoPE relative: a query at m and a key
at n turned by your function have the same dot product as the same query at m + s and key at n + s.)");
  c.check("forward", CheckKind::close, "12 rows of 3 heads of 8 dimensions at positions up to 100, against nn's RoPE",
          [](const Context& ctx) {
            auto rng = ctx.rng("c-forward");
            return rope_matches(rope_inputs(12, 3, 8, 100, rng));
          })
      .check("forward, any shape", CheckKind::property,
             "for random rows, heads, even head dims up to 16 and positions up to 300, against nn's RoPE",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("c-property"), [] {
                 const auto rows = *rc::gen::inRange<std::size_t>(1, 10);
                 const auto heads = *rc::gen::inRange<std::size_t>(1, 4);
                 const auto head_dim = 2 * *rc::gen::inRange<std::size_t>(1, 9);
                 auto rng = workbook::oracle::property_rng();
                 RC_ASSERT(rope_matches(rope_inputs(rows, heads, head_dim, 300, rng)).status == workbook::Status::pass);
               });
             })
      .check("backward", CheckKind::close,
             "the gradient for 10 rows of 2 heads of 6 dimensions at positions up to 100, against nn's RoPE backward",
             [](const Context& ctx) {
               auto rng = ctx.rng("c-backward");
               return rope_backward_matches(rope_inputs(10, 2, 6, 100, rng));
             })
      .check("relative", CheckKind::property,
             "for a random query and key of one head and random m, n, s up to 200: the dot product of your rotated "
             "query at m and key at n equals that at m + s and n + s (within 1e-3 relative)",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("c-relative"), [] {
                 const auto head_dim = 2 * *rc::gen::inRange<std::size_t>(1, 9);
                 auto rng = workbook::oracle::property_rng();
                 RC_ASSERT(scores_depend_on_offset_alone(rng, head_dim));
               });
             });
  c.hint("RoPE is linear in x and orthogonal for each row: the backward of y = R x is dx = R^T dout, and the transpose "
         "of a rotation by theta is the rotation by -theta.");
}

void part_d(workbook::Exercise& ex) {
  auto& d = ex.part("d", 3, R"(Your encodings now run inside the library's GPT, trained in the grader on a copy task:
each sequence is a few random tokens repeated over and over (period p), so the next token is the one p - 1 positions
back, at every length. Three models, the same in all else (the same data, initial weights and batches), learn it at
one length: one adds the rows position_rows looks up in your sinusoidal table, one adds those of a learned table of one
row per trained position (both to the token embeddings times sqrt(width), as the original transformer scales them),
and one rotates every block's queries and keys with your RoPE. Each is then scored on
held-out sequences of the training length and longer. The checks: each model's held-out accuracy at the training
length is ten standard errors above chance; the learned table refuses the longer lengths (through your position_rows);
the other two give a finite loss at every length. Quick budget: 16 tokens of 16 kinds with p = 5, scored at 16, 32 and
64; --full: p = 7, trained at 32 and scored up to 256, with the table and figure `extrapolation`.)");
  for (const Encoding encoding : {Encoding::sinusoidal, Encoding::learned, Encoding::rope})
    d.check(std::string(name_of(encoding)) + " learns", CheckKind::property,
            std::string("the GPT with the ") + name_of(encoding) +
                " encoding clears ten standard errors above chance on held-out sequences of the training length",
            [encoding](const Context& ctx) { return learns(ctx, encoding); });
  d.check("learned refuses beyond", CheckKind::property,
          "scoring the learned-table model on sequences longer than its table is refused by your position_rows",
          [](const Context& ctx) {
            const auto run = trained(ctx, Encoding::learned);
            return workbook::holds(run.refused_beyond, run.lengths.size(),
                                   "the learned table answered positions it has no row for");
          });
  for (const Encoding encoding : {Encoding::sinusoidal, Encoding::rope})
    d.check(std::string(name_of(encoding)) + " runs beyond", CheckKind::property,
            std::string("the ") + name_of(encoding) + " model gives a finite held-out loss at every evaluation length",
            [encoding](const Context& ctx) { return runs_at_every_length(ctx, encoding); });
  ex.part("e", 2, R"(From the --full table and figure `extrapolation` (or docs/results/arch13.md): which
encoding extrapolates best on this task, and which worst? Explain both from what each encoding gives attention to work
with, and say whether the run agrees with the common claim that RoPE extrapolates best. Why would a rule that depends on
the offset alone still degrade at lengths never trained?)")
      .manual(2);
}

// ---- figure ----------------------------------------------------------------------------------------------

// Held-out loss against evaluation length for the three models (the learned one has points only where its table has
// rows), beside the loss of a uniform guess, ln(vocab). Trained in the quick budget too: measured.
workbook::Plot extrapolation_figure(const Context& ctx) {
  const auto e = experiment_for(ctx);
  const double guess = std::log(double(e.vocab));
  std::vector<workbook::Series> series{
      {"uniform guess", {double(e.eval_lengths.front()), double(e.eval_lengths.back())}, {guess, guess},
       workbook::Series::Style::lines}};
  for (const Encoding encoding : {Encoding::sinusoidal, Encoding::learned, Encoding::rope}) {
    const auto run = trained(ctx, encoding);
    series.push_back({name_of(encoding), run.lengths, run.losses, workbook::Series::Style::linespoints});
  }
  auto plot = workbook::xy_plot("Copy task: held-out loss against evaluation length (trained at length " +
                                    std::to_string(e.train_length) + ")",
                                "evaluation length", "cross-entropy", series);
  plot.measured = true;
  return plot;
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "Position encodings beyond the trained length";
  ex.stars = 2;
  ex.tags = {workbook::Tag::implementation, workbook::Tag::proof, workbook::Tag::conceptual, workbook::Tag::plot};
  ex.statement = R"(A transformer's attention sees a set, so the order of its tokens must be put in. Three common
ways: add a fixed sinusoidal vector per position, add a learned vector per position, or rotate each query and key by an
angle that grows with its position (RoPE). Part (a) asks for the sinusoidal table, part (b) for the lookup that adds a
stored table's rows, part (c) for RoPE's rotation and its backward. Part (d) trains one GPT with each of your encodings
at one length and scores it at longer ones; part (e) asks which extrapolates, and why.)";
  ex.timeout_seconds = 60;
  part_a(ex);
  part_b(ex);
  part_c(ex);
  part_d(ex);
  ex.plot("extrapolation",
          "Held-out loss of the GPT with each of your encodings on the copy task against the evaluation length; the "
          "learned table has no rows beyond the training length, so its curve stops there.",
          extrapolation_figure);
}
