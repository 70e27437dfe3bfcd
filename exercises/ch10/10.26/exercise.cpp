// 10.26: a session model that reads more of each event than its item. The student writes the front end of a
// StreamRec session model: the gap buckets, the concatenation of four embeddings (item 64, category 16, gap 16,
// engagement 16) projected to the model's width, forward and backward, and a sinusoidal encoding of real-valued
// times. Expected values: the buckets' closed form; the projection written as plain loops; central differences of it
// for every gradient (workbook/oracle/finite_difference.hpp); the nn library's own integer sinusoidal table at
// integer times (nn::sinusoidal_positions, an independent implementation); the encoding written coordinate by
// coordinate (workbook/oracle/positional.hpp) at real times; and, as a property, that the dot product of two
// encodings depends on the difference of the times alone.
//
// Then the front end runs inside a model (docs/model.md, rule 1): the trusted side owns the tables and the
// projection, gives the nn library's GPT an input from outside (nn::GptInput) whose forward and backward call the
// student's, and trains them with the GPT's weights by the same AdamW (nn::NextItemTraining::extra_parameters). The
// GPT's tokens are event numbers, through which the input looks up each event's features; its targets are the next
// items. In StreamRec the next item's category depends on how the user engaged with the current one (a save or a
// share: the same category; a view or a click: the next), which an item-only model cannot see. Quick budget: the
// trained model follows engagement on held-out sessions; --full: against the item-only model of the chapter, and
// the same front end with integer positions (figures `accuracy` and `engagement`, docs/results/ch10.md).

#include "ch10/10.26/interface.hpp"

#include <algorithm>
#include <cmath>
#include <iostream>
#include <map>
#include <memory>
#include <tuple>

#include <xtensor/xadapt.hpp>
#include <xtensor/xnoalias.hpp>

#include "nn/position.hpp"
#include "nn/sessions.hpp"
#include "workbook/exercise.hpp"
#include "workbook/oracle/finite_difference.hpp"
#include "workbook/oracle/positional.hpp"
#include "workbook/oracle/random.hpp"
#include "workbook/oracle/statistics.hpp"
#include "workbook/tolerances.hpp"

namespace {

using ch10_26::Events;
using ch10_26::FeatureWeights;
using workbook::CheckKind;
using workbook::CheckResult;
using workbook::Context;
using workbook::oracle::Matrix;

constexpr std::size_t n_engagements = 4, n_gap_buckets = 8;

// ---- the oracle, in plain loops ----------------------------------------------------------------------------

int oracle_bucket(double minutes) {
  int bucket = 0;  // the largest k <= 7 with 2^k <= 1 + minutes
  while (bucket < 7 && std::ldexp(1.0, bucket + 1) <= 1 + minutes) ++bucket;
  return bucket;
}

// Row e: [item | category | gap | engagement] of event e times w, plus b, one coordinate at a time.
Matrix oracle_project(const FeatureWeights& weights, const Events& events) {
  const std::size_t n = events.item.size(), d_model = weights.w.shape(1);
  Matrix y = Matrix::from_shape({n, d_model});
  for (std::size_t e = 0; e < n; ++e) {
    std::vector<double> x;
    for (const auto& [table, row] : {std::pair{&weights.item, events.item[e]}, {&weights.category, events.category[e]},
                                     {&weights.gap, events.gap_bucket[e]}, {&weights.engagement, events.engagement[e]}})
      for (std::size_t c = 0; c < table->shape(1); ++c) x.push_back((*table)(std::size_t(row), c));
    for (std::size_t o = 0; o < d_model; ++o) {
      double sum = weights.b(o);
      for (std::size_t i = 0; i < x.size(); ++i) sum += x[i] * weights.w(i, o);
      y(e, o) = sum;
    }
  }
  return y;
}

// ---- inputs ------------------------------------------------------------------------------------------------

// Feature widths and sizes of one test: small, so that central differences over every weight stay cheap.
struct Shape {
  std::size_t n_items, n_categories, d_item, d_category, d_gap, d_engagement, d_model, events;
};

FeatureWeights gaussian_weights(const Shape& s, std::mt19937_64& rng) {
  using workbook::oracle::gaussian_matrix;
  return {gaussian_matrix(s.n_items, s.d_item, rng),
          gaussian_matrix(s.n_categories, s.d_category, rng),
          gaussian_matrix(n_gap_buckets, s.d_gap, rng),
          gaussian_matrix(n_engagements, s.d_engagement, rng),
          gaussian_matrix(s.d_item + s.d_category + s.d_gap + s.d_engagement, s.d_model, rng),
          workbook::oracle::gaussian_vector(s.d_model, rng)};
}

// Uniform rows of every table: with more events than rows, rows repeat, which is what a scatter-add must handle.
Events uniform_events(const Shape& s, std::mt19937_64& rng) {
  const auto draw = [&](std::size_t rows) {
    std::vector<int> out(s.events);
    for (auto& r : out) r = std::uniform_int_distribution<int>(0, int(rows) - 1)(rng);
    return out;
  };
  return {draw(s.n_items), draw(s.n_categories), draw(n_gap_buckets), draw(n_engagements)};
}

// Inside a property: up to 6 items, 4 categories, widths up to 3, d_model up to 4, up to 9 events.
Shape random_shape() {
  const auto size = [](std::size_t lo, std::size_t hi) { return *rc::gen::inRange<std::size_t>(lo, hi + 1); };
  return {size(1, 6), size(1, 4), size(1, 3), size(1, 3), size(1, 3), size(1, 3), size(1, 4), size(1, 9)};
}

// ---- the student's front end against the oracle --------------------------------------------------------------

Matrix student_project(const FeatureWeights& weights, const Events& events) {
  auto y = ch10_26::project_features(weights, events);
  workbook::require_shape("project_features", y, {events.item.size(), weights.w.shape(1)});
  return y;
}

FeatureWeights student_backward(const FeatureWeights& weights, const Events& events, const Matrix& dy) {
  auto g = ch10_26::project_features_backward(weights, events, dy);
  const auto same_shape = [](const char* member, const auto& grad, const auto& value) {
    workbook::require_shape(std::string("project_features_backward (") + member + ")", grad,
                            std::vector<std::size_t>(value.shape().begin(), value.shape().end()));
  };
  same_shape("item", g.item, weights.item);
  same_shape("category", g.category, weights.category);
  same_shape("gap", g.gap, weights.gap);
  same_shape("engagement", g.engagement, weights.engagement);
  same_shape("w", g.w, weights.w);
  same_shape("b", g.b, weights.b);
  return g;
}

CheckResult forward_matches(const Shape& s, std::mt19937_64& rng) {
  const auto weights = gaussian_weights(s, rng);
  const auto events = uniform_events(s, rng);
  const Matrix expected = oracle_project(weights, events);
  return workbook::close(xt::xarray<double>(student_project(weights, events)), expected,
                         workbook::tolerance::float_sums(workbook::tolerance::largest_magnitude(expected)));
}

// Every gradient, laid end to end in the order of FeatureWeights.
xt::xarray<double> flat_gradients(const FeatureWeights& g) {
  std::vector<double> out;
  for (const auto* m : {&g.item, &g.category, &g.gap, &g.engagement, &g.w}) out.insert(out.end(), m->begin(), m->end());
  out.insert(out.end(), g.b.begin(), g.b.end());
  return xt::adapt(out, {out.size()});
}

// The loss sum(dy * y) is linear in each weight, so central differences are exact up to rounding.
FeatureWeights oracle_gradients(const FeatureWeights& weights, const Events& events, const Matrix& dy) {
  FeatureWeights g = weights;
  const auto loss = [&](const FeatureWeights& at) { return double(xt::sum(dy * oracle_project(at, events))()); };
  const auto by_member = [&](auto member) {
    return workbook::oracle::numerical_gradient(weights.*member, [&](const auto& value) {
      FeatureWeights at = weights;
      at.*member = value;
      return loss(at);
    });
  };
  g.item = by_member(&FeatureWeights::item);
  g.category = by_member(&FeatureWeights::category);
  g.gap = by_member(&FeatureWeights::gap);
  g.engagement = by_member(&FeatureWeights::engagement);
  g.w = by_member(&FeatureWeights::w);
  g.b = by_member(&FeatureWeights::b);
  return g;
}

CheckResult backward_matches(const Shape& s, std::mt19937_64& rng) {
  const auto weights = gaussian_weights(s, rng);
  const auto events = uniform_events(s, rng);
  const Matrix dy = workbook::oracle::gaussian_matrix(s.events, s.d_model, rng);
  const auto expected = flat_gradients(oracle_gradients(weights, events, dy));
  return workbook::close(flat_gradients(student_backward(weights, events, dy)), expected,
                         workbook::tolerance::float_sums(workbook::tolerance::largest_magnitude(expected)));
}

// A row that no event reads must get exactly 0 in every table.
bool unread_rows_are_zero(const Shape& s, std::mt19937_64& rng) {
  const auto weights = gaussian_weights(s, rng);
  const auto events = uniform_events(s, rng);
  const auto g = student_backward(weights, events, workbook::oracle::gaussian_matrix(s.events, s.d_model, rng));
  for (const auto& [grad, rows] : {std::pair{&g.item, &events.item}, {&g.category, &events.category},
                                   {&g.gap, &events.gap_bucket}, {&g.engagement, &events.engagement}})
    for (std::size_t r = 0; r < grad->shape(0); ++r)
      if (std::find(rows->begin(), rows->end(), int(r)) == rows->end() &&
          xt::any(xt::not_equal(xt::row(*grad, r), 0.0)))
        return false;
  return true;
}

// Times given in minutes: the checks use times up to 50, where float's rounding of the angle stays below 1e-5.
workbook::Tolerance encoding_tolerance() { return {0, 1e-5}; }

Matrix student_encoding(const std::vector<double>& times, std::size_t d) {
  auto pe = ch10_26::time_encoding(times, d);
  workbook::require_shape("time_encoding", pe, {times.size(), d});
  return pe;
}

// PE(s) . PE(t) = sum_i sin(s w_i) sin(t w_i) + cos(s w_i) cos(t w_i) = sum_i cos((s - t) w_i).
double dot_of_difference(double difference, std::size_t d) {
  double sum = 0;
  for (std::size_t i = 0; i < d / 2; ++i) sum += std::cos(difference * workbook::oracle::pair_frequency(i, d, 10000));
  return sum;
}

// ---- the front end inside the library's GPT ----------------------------------------------------------------

// Every event of a set of StreamRec sessions, in row order, as the front end reads it, with the minutes since its
// session began (the first event at 0).
struct EventTable {
  Events events;
  std::vector<double> minutes, since_start;
};

EventTable event_table(const nn::StreamRecSessions& data) {
  EventTable t;
  const auto& s = data.sessions;
  t.events.item.assign(s.tokens.begin(), s.tokens.end());
  t.events.category.assign(data.categories.begin(), data.categories.end());
  t.events.engagement.assign(data.engagement.begin(), data.engagement.end());
  t.minutes = data.gaps;
  for (std::size_t r = 0; r < t.minutes.size(); ++r)
    t.since_start.push_back(r % s.length == 0 ? 0.0 : t.since_start.back() + t.minutes[r]);
  return t;
}

// The events named by `rows`.
Events gather(const Events& all, const nn::Tokens& rows) {
  Events out;
  for (const int r : rows)
    for (const auto& [to, from] : {std::pair{&out.item, &all.item}, {&out.category, &all.category},
                                   {&out.gap_bucket, &all.gap_bucket}, {&out.engagement, &all.engagement}})
      to->push_back((*from)[std::size_t(r)]);
  return out;
}

// The front end's weights as the trusted side trains them, in float, with their gradients. PyTorch's defaults:
// embeddings N(0, 1), the projection uniform in +-1/sqrt(fan_in), the bias zero.
struct TrainedFrontEnd {
  xt::xtensor<float, 2> item, category, gap, engagement, w, d_item, d_category, d_gap, d_engagement, dw;
  xt::xtensor<float, 1> b, db;

  TrainedFrontEnd(std::size_t n_items, std::size_t n_categories, std::size_t d_model, std::mt19937_64& rng) {
    const auto normal = [&](std::size_t rows, std::size_t cols) {
      return xt::xtensor<float, 2>(xt::cast<float>(workbook::oracle::gaussian_matrix(rows, cols, rng)));
    };
    item = normal(n_items, 64), category = normal(n_categories, 16), gap = normal(n_gap_buckets, 16);
    engagement = normal(n_engagements, 16);
    const float bound = float(1 / std::sqrt(112.0));
    w = xt::xtensor<float, 2>::from_shape({112, d_model});
    for (auto& x : w) x = std::uniform_real_distribution<float>(-bound, bound)(rng);
    b = xt::zeros<float>({d_model});
    for (const auto& [grad, value] : {std::pair{&d_item, &item}, {&d_category, &category}, {&d_gap, &gap},
                                      {&d_engagement, &engagement}, {&dw, &w}})
      *grad = xt::zeros<float>(value->shape());
    db = xt::zeros<float>({d_model});
  }

  std::vector<nn::ParamRef<float>> parameters() {
    return {nn::param_ref("features.item", item, d_item), nn::param_ref("features.category", category, d_category),
            nn::param_ref("features.gap", gap, d_gap), nn::param_ref("features.engagement", engagement, d_engagement),
            nn::param_ref("features.w", w, dw), nn::param_ref("features.b", b, db)};
  }

  FeatureWeights as_double() const {
    return {xt::cast<double>(item), xt::cast<double>(category), xt::cast<double>(gap), xt::cast<double>(engagement),
            xt::cast<double>(w), xt::cast<double>(b)};
  }

  // In place: the optimiser holds pointers to these buffers.
  void add_gradients(const FeatureWeights& g) {
    xt::noalias(d_item) += xt::cast<float>(g.item);
    xt::noalias(d_category) += xt::cast<float>(g.category);
    xt::noalias(d_gap) += xt::cast<float>(g.gap);
    xt::noalias(d_engagement) += xt::cast<float>(g.engagement);
    xt::noalias(dw) += xt::cast<float>(g.w);
    xt::noalias(db) += xt::cast<float>(g.b);
  }
};

// The GPT's input: the student's projection of each event's features plus an encoding of its place in time, which
// the student's time_encoding computed once for every event (a data piece: the same every step).
nn::GptInput<float> student_input(std::shared_ptr<TrainedFrontEnd> front, std::shared_ptr<const EventTable> table,
                                  std::shared_ptr<const Matrix> encodings) {
  auto last = std::make_shared<Events>();  // the last forward's events, for its backward
  nn::GptInput<float> input;
  input.forward = [=](const nn::Tokens& rows, std::size_t, std::size_t) {
    *last = gather(table->events, rows);
    Matrix x = student_project(front->as_double(), *last);
    for (std::size_t r = 0; r < rows.size(); ++r) xt::row(x, r) += xt::row(*encodings, std::size_t(rows[r]));
    return nn::Matrix<float>(xt::cast<float>(x));
  };
  input.backward = [=](const nn::Matrix<float>& dx) {
    front->add_gradients(student_backward(front->as_double(), *last, xt::cast<double>(dx)));
  };
  return input;
}

// Quick: sessions of 12 events over 60 catalogue items in 6 categories (and 6 planted pairs 4 apart in half of
// them); 1 layer of width 32 with 2 heads, 400 steps of 16 sessions at 1e-2. Full: sessions of 50 events over 200
// items in 10 categories, 10 pairs 10 apart; 2 layers of width 64 with 4 heads, 1000 steps of 32 at 3e-3.
struct Experiment {
  nn::StreamRecConfig data;
  std::size_t test_count, layers, width, heads, steps, batch;
  double lr;
};

Experiment experiment_for(const Context& ctx) {
  nn::StreamRecConfig data;
  if (ctx.full()) {
    data.count = 4000;
    return {data, 1000, 2, 64, 4, 1000, 32, 3e-3};
  }
  return {nn::small_streamrec(), 500, 1, 32, 2, 400, 16, 1e-2};
}

enum class Model { items_only, features_integer, features_time };
const char* name_of(Model m) {
  return m == Model::items_only ? "items only, integer positions"
         : m == Model::features_integer ? "your features, integer positions"
                                        : "your features, continuous time";
}

// What a trained model scores on held-out sessions, and the rows that tell engagement apart: after a save or a
// share, the next item is of the same category (probability (1 - noise) + noise / n_categories) unless it is a
// planted target; how often the model's predicted item is of the current category on those rows.
struct Score {
  nn::NextItemScore next_item;
  double follows_engagement = 0;
  std::size_t engaged_rows = 0;
};

Score score_of(const nn::NextItemScore& s, const nn::StreamRecSessions& test) {
  Score out{s, 0, 0};
  std::size_t same = 0;
  const std::size_t length = test.sessions.length;
  for (std::size_t r = 0; r < s.predicted.size(); ++r)
    if (test.engagement[r] >= 2 && test.planted_row[r / length] != int(r % length)) {
      ++out.engaged_rows;
      same += test.item_category[std::size_t(s.predicted[r])] == test.categories[r];
    }
  out.follows_engagement = out.engaged_rows ? double(same) / double(out.engaged_rows) : 0.0;
  return out;
}

// A StreamRec set whose tokens are the numbers of its events, from `first` on: the tokens the GPT is given when the
// front end reads the features. Targets stay the next items.
nn::StreamRecSessions numbered(nn::StreamRecSessions data, int first) {
  for (std::size_t r = 0; r < data.sessions.tokens.size(); ++r) data.sessions.tokens[r] = first + int(r);
  return data;
}

nn::GptConfig session_model(const Experiment& e, std::size_t vocab, Model model) {
  nn::GptConfig config;
  config.vocab_size = vocab;
  config.context = e.data.length;
  config.n_layer = e.layers;
  config.n_head = e.heads;
  config.n_embd = e.width;
  config.position = model == Model::items_only ? nn::PositionKind::sinusoidal : nn::PositionKind::none;
  config.tie_weights = model == Model::items_only;  // the front end's tables are not the output's
  return config;
}

// One training and its held-out score. The data, the GPT's initial weights and the batch order depend on the run's
// seed only, the same for every model; cached per (seed, budget, model), so that checks and figure read one run.
Score trained(const Context& ctx, Model model) {
  static std::map<std::tuple<std::uint64_t, bool, Model>, Score> cache;
  const auto key = std::make_tuple(ctx.seed(), ctx.full(), model);
  if (const auto hit = cache.find(key); hit != cache.end()) return hit->second;
  const auto e = experiment_for(ctx);
  auto config = e.data;
  config.catalogue_seed = ctx.seed_for("c-catalogue");
  config.seed = ctx.seed_for("c-train");
  const auto train = nn::streamrec_sessions(config);
  config.count = e.test_count;
  config.seed = ctx.seed_for("c-test");
  const auto test = nn::streamrec_sessions(config);

  nn::Gpt<float> gpt(session_model(e, std::size_t(train.n_items), model), ctx.seed_for("c-weights"));
  nn::NextItemTraining training;
  training.steps = e.steps;
  training.lr = e.lr;
  training.batch = e.batch;
  training.seed = ctx.seed_for("c-batches");
  std::shared_ptr<TrainedFrontEnd> front;
  nn::GptInput<float> input;
  auto train_set = train, test_set = test;
  if (model != Model::items_only) {
    // Training events first, then held-out ones: one table, numbered in that order.
    auto table = std::make_shared<EventTable>(event_table(train));
    const auto held_out = event_table(test);
    for (const auto& [to, from] : {std::pair{&table->events.item, &held_out.events.item},
                                   {&table->events.category, &held_out.events.category},
                                   {&table->events.engagement, &held_out.events.engagement}})
      to->insert(to->end(), from->begin(), from->end());
    table->minutes.insert(table->minutes.end(), held_out.minutes.begin(), held_out.minutes.end());
    table->since_start.insert(table->since_start.end(), held_out.since_start.begin(), held_out.since_start.end());
    table->events.gap_bucket = ch10_26::gap_buckets(table->minutes);
    workbook::require_shape("gap_buckets", std::vector<std::size_t>{table->events.gap_bucket.size()},
                            {table->minutes.size()});
    std::vector<double> times = table->since_start;
    if (model == Model::features_integer)
      for (std::size_t r = 0; r < times.size(); ++r) times[r] = double(r % e.data.length);
    const auto encodings = std::make_shared<const Matrix>(student_encoding(times, e.width));
    auto rng = ctx.rng("c-front-end");
    front = std::make_shared<TrainedFrontEnd>(std::size_t(train.n_items), std::size_t(e.data.n_categories), e.width,
                                              rng);
    input = student_input(front, table, encodings);
    gpt.set_input(&input);
    training.extra_parameters = front->parameters();
    train_set = numbered(train, 0);
    test_set = numbered(test, int(train.sessions.tokens.size()));
  }
  if (ctx.full()) {  // minutes: say where the run is
    std::cerr << name_of(model) << "\n";
    nn::train_next_item_showing_progress(gpt, train_set.sessions, training, std::cerr);
  } else {
    nn::train_next_item(gpt, train_set.sessions, training);
  }
  return cache[key] = score_of(nn::score_next_item(gpt, test_set), test);
}

// The best accuracy on the walk's rows of a model that reads the current item's category and engagement, and of one
// that reads the category alone (it must guess the more likely move, the next category, taken after a view or a
// click: probability 0.85).
double walk_ceiling(const nn::StreamRecConfig& d, bool reads_engagement) {
  const double g = double(d.n_walk_items) / double(d.n_categories);
  return (reads_engagement ? 1.0 : 0.85) * (1 - d.noise) / g + d.noise / double(d.n_walk_items);
}

// ---- parts ---------------------------------------------------------------------------------------------------

void part_a(workbook::Exercise& ex) {
  ex.part("a1", 1, R"(Implement gap_buckets: the minutes since the previous event, bucketed on a log scale as the
interface states (floor(log2(1 + m)), at most 7), so that one embedding row serves every gap of about the same
magnitude. The check compares every bucket exactly, at the edges of the buckets and beyond the last.)")
      .check("edges", CheckKind::equal, "buckets of 0, 0.5, 1, 2.9, 3, 6.99, 7, 15, 126.5, 127, 1000 and 1e6 minutes",
             [](const Context&) {
               const std::vector<double> minutes{0, 0.5, 1, 2.9, 3, 6.99, 7, 15, 126.5, 127, 1000, 1e6};
               const auto got = ch10_26::gap_buckets(minutes);
               std::vector<std::int64_t> actual(got.begin(), got.end()), expected;
               for (const double m : minutes) expected.push_back(oracle_bucket(m));
               return workbook::equal(actual, expected);
             });

  auto& a2 = ex.part("a2", 2, R"(Implement project_features: each event's four embedding rows (item, category, gap
bucket, engagement), concatenated in that order and projected by w and b to the model's width. The checks compare
with the same computation in plain loops, within float's rounding (1e-5 relative, or 1e-6 of the largest value
absolute), and hold the result to the shapes of the model: item 64, category 16, gap 16 and engagement 16 wide,
d_model = 64.)");
  a2.check("model widths", CheckKind::close,
           "40 events over 220 items and 10 categories, tables 64, 16, 16 and 16 wide, w (112, 64): a (40, 64) "
           "result against plain loops",
           [](const Context& ctx) {
             auto rng = ctx.rng("a2-model");
             return forward_matches({220, 10, 64, 16, 16, 16, 64, 40}, rng);
           });
  a2.check("any widths", CheckKind::property, "for random table sizes, widths and event counts, against plain loops",
           [](const Context& ctx) {
             return workbook::property(ctx.seed_for("a2-property"), [] {
               auto rng = workbook::oracle::property_rng();
               RC_ASSERT(forward_matches(random_shape(), rng).status == workbook::Status::pass);
             });
           });
  a2.hint("Build the (n, 112) matrix of concatenations first, one block of columns per table; then it is one matrix "
          "product and a bias.");

  auto& a3 = ex.part("a3", 3, R"(Implement project_features_backward. The projection is a linear layer on the
concatenation; the gradient of the concatenation then splits into four blocks of columns, and each block goes back to
the table rows the events read. The checks compare every gradient with central differences of the plain-loop
projection, within float's rounding of its scale, and require exact zeros in rows no event read.)");
  a3.check("all weights", CheckKind::close,
           "15 events over 4 items and 3 categories (rows read several times), tables 3, 2, 2 and 2 wide, "
           "d_model = 3: every gradient against central differences",
           [](const Context& ctx) {
             auto rng = ctx.rng("a3-fixed");
             return backward_matches({4, 3, 3, 2, 2, 2, 3, 15}, rng);
           });
  a3.check("any widths", CheckKind::property, "for random shapes, every gradient against central differences",
           [](const Context& ctx) {
             return workbook::property(ctx.seed_for("a3-property"), [] {
               auto rng = workbook::oracle::property_rng();
               RC_ASSERT(backward_matches(random_shape(), rng).status == workbook::Status::pass);
             });
           });
  a3.check("unread rows", CheckKind::property,
           "for random shapes, the rows no event reads are exactly 0 in every table",
           [](const Context& ctx) {
             return workbook::property(ctx.seed_for("a3-unread"), [] {
               auto rng = workbook::oracle::property_rng();
               RC_ASSERT(unread_rows_are_zero(random_shape(), rng));
             });
           });
  a3.hint("An item that appears in several events collects the gradient of every one of them: add, do not assign.");

  ex.part("a4", 1, R"(Count parameters (exact integers) for StreamRec's catalogue of 220 items in 10 categories and
d_model = 64. How many does this front end hold (the four tables, 8 gap buckets and 4 kinds of engagement, and the
projection with its bias)? How many does the item-only model's embedding hold (one 64-wide row per item, no
projection)?)")
      .integer_answer("a4_front_end", "parameters of the multi-feature front end",
                      220 * 64 + 10 * 16 + 8 * 16 + 4 * 16 + 112 * 64 + 64)
      .integer_answer("a4_items_only", "parameters of the item-only embedding", 220 * 64);
}

void part_b(workbook::Exercise& ex) {
  ex.part("b", 2, R"(Implement time_encoding: the sinusoidal encoding with the position replaced by a real time, so
that two events a few seconds apart get nearly the same encoding and two an hour apart do not, whatever their
places in the session. At a whole number of minutes it must be exactly the familiar encoding of that integer
position. The checks allow 1e-5 absolute in every coordinate (so 2e-5 d in a dot product of two encodings).)")
      .check("integer times", CheckKind::close,
             "times 0, 1, ..., 29 in 16 dimensions against the nn library's integer sinusoidal table",
             [](const Context&) {
               std::vector<double> times;
               for (int t = 0; t < 30; ++t) times.push_back(t);
               return workbook::close(xt::xarray<double>(student_encoding(times, 16)),
                                      xt::xarray<double>(nn::sinusoidal_positions<double>(30, 16)),
                                      encoding_tolerance());
             })
      .check("real times", CheckKind::close,
             "20 uniform times in [0, 50) minutes in 12 dimensions against the encoding written coordinate by "
             "coordinate",
             [](const Context& ctx) {
               auto rng = ctx.rng("b-real");
               std::vector<double> times(20);
               for (auto& t : times) t = std::uniform_real_distribution<double>(0, 50)(rng);
               Matrix expected = Matrix::from_shape({times.size(), 12});
               for (std::size_t e = 0; e < times.size(); ++e)
                 xt::row(expected, e) = workbook::oracle::sinusoidal_position(times[e], 12, 10000);
               return workbook::close(xt::xarray<double>(student_encoding(times, 12)), expected, encoding_tolerance());
             })
      .check("relative", CheckKind::property,
             "for random real times s and t in [0, 50) and even d up to 32, PE(s) . PE(t) = sum_i cos((s - t) w_i): "
             "the similarity of two encodings depends on the time between them alone",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("b-relative"), [] {
                 const auto d = 2 * *rc::gen::inRange<std::size_t>(1, 17);
                 auto rng = workbook::oracle::property_rng();
                 const double s = std::uniform_real_distribution<double>(0, 50)(rng);
                 const double t = std::uniform_real_distribution<double>(0, 50)(rng);
                 const Matrix pe = student_encoding({s, t}, d);
                 const double dot = double(xt::sum(xt::row(pe, 0) * xt::row(pe, 1))());
                 // Entries within 1e-5 of the truth, each at most 1 in size: the dot within 2e-5 per coordinate.
                 RC_ASSERT(std::abs(dot - dot_of_difference(s - t, d)) <= 2e-5 * double(d));
               });
             });
}

void part_c(workbook::Exercise& ex) {
  ex.part("c", 3, R"(Your front end now runs inside a model. The exercise keeps the tables and the projection, gives a
small GPT (no positions of its own) your projection of every event plus your time_encoding of the minutes since the
session began, and trains your weights with the GPT's by the same optimiser to predict the next item of StreamRec
sessions (data/README.md). In StreamRec the next item's category depends on how the user engaged with the current
item: after a save or a share it stays, after a view or a click it moves to the next category. The check reads, on
held-out sessions, the rows after a save or a share, and passes when the model's predicted item is of the current
item's category ten standard errors more often than one in the number of categories. Quick budget: sessions of 12
events over 60 items in 6 categories; 1 layer of width 32, 2 heads, 400 steps of 16 sessions.)")
      .check("follows engagement", CheckKind::property,
             "after a save or a share, the trained model predicts an item of the current category on held-out "
             "sessions, ten standard errors above one in the number of categories",
             [](const Context& ctx) {
               const auto e = experiment_for(ctx);
               const auto score = trained(ctx, Model::features_time);
               return workbook::oracle::learned(score.follows_engagement, 1.0 / double(e.data.n_categories),
                                                score.engaged_rows);
             });
  ex.part("d", 2, R"(Compare with the item-only model of the chapter (an embedding of the item id and integer
sinusoidal positions), and with your features given integer positions instead of times (your time_encoding at
t = 0, 1, 2, ...). With --full the exercise trains all three on sessions of 50 events (2 layers of width 64, 1000
steps of 32 sessions; figures `accuracy` and `engagement`, docs/results/ch10.md). Which feature earns its place,
which does not, and why? What would real data need for the time encoding to help?)")
      .manual(2);
}

// ---- figures -------------------------------------------------------------------------------------------------

// The models a figure shows: yours in the quick budget, all three with --full.
std::vector<Model> shown_models(const Context& ctx) {
  if (ctx.full()) return {Model::items_only, Model::features_integer, Model::features_time};
  return {Model::features_time};
}

// One point per shown model, at x = 1, 2, ...
workbook::Series per_model(const Context& ctx, std::string title, double (*value)(const Score&)) {
  workbook::Series s{std::move(title), {}, {}, workbook::Series::Style::points};
  const auto models = shown_models(ctx);
  for (std::size_t m = 0; m < models.size(); ++m) {
    s.x.push_back(double(m + 1));
    s.y.push_back(value(trained(ctx, models[m])));
  }
  return s;
}

std::string models_axis(const Context& ctx) {
  return ctx.full() ? "model: 1 items only, 2 your features + integer positions, 3 your features + time"
                    : "your features + time (with --full: beside the item-only model and integer positions)";
}

// Held-out next-item accuracy of each model beside the walk's two ceilings (closed forms, on every machine).
workbook::Plot accuracy_figure(const Context& ctx) {
  const auto e = experiment_for(ctx);
  const std::vector<double> span{0.5, double(shown_models(ctx).size()) + 0.5};
  const auto level = [&](bool reads) { return std::vector<double>(2, walk_ceiling(e.data, reads)); };
  auto plot = workbook::xy_plot(
      "Next-item accuracy on held-out StreamRec sessions", models_axis(ctx), "accuracy",
      {{"walk ceiling, reading engagement", span, level(true), workbook::Series::Style::lines},
       {"walk ceiling, item alone", span, level(false), workbook::Series::Style::lines},
       per_model(ctx, "held-out accuracy, every row", [](const Score& s) { return s.next_item.accuracy; })});
  plot.measured = true;  // from models trained in this run
  return plot;
}

// What each model reads: after a save or a share, how often it keeps the category; and the planted targets.
workbook::Plot engagement_figure(const Context& ctx) {
  auto plot = workbook::xy_plot(
      "What the models read", models_axis(ctx), "fraction of rows",
      {per_model(ctx, "after a save or share: same category predicted",
                 [](const Score& s) { return s.follows_engagement; }),
       per_model(ctx, "planted targets predicted", [](const Score& s) { return s.next_item.planted_accuracy; })});
  plot.measured = true;  // from models trained in this run
  return plot;
}

// With --full: each model's held-out scores, printed once.
void print_comparison(const Context& ctx) {
  static bool printed = false;
  if (!ctx.full() || printed) return;
  printed = true;
  for (const auto m : {Model::items_only, Model::features_integer, Model::features_time}) {
    const auto s = trained(ctx, m);
    std::cerr << "10.26 " << name_of(m) << ": accuracy " << s.next_item.accuracy << ", planted "
              << s.next_item.planted_accuracy << " (" << s.next_item.planted << " rows), loss " << s.next_item.loss
              << ", same category after a save or share " << s.follows_engagement << " (" << s.engaged_rows
              << " rows)\n";
  }
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "A session model that reads engagement and time";
  ex.stars = 3;
  ex.tags = {workbook::Tag::implementation, workbook::Tag::numeric, workbook::Tag::conceptual, workbook::Tag::plot};
  ex.statement = R"(The session model of the chapter reads one thing per event: the item's id. A StreamRec event says
more: the item's category, the minutes since the previous event, and how the user engaged (viewed, clicked, saved,
shared). Here each event becomes four embeddings (item 64 wide, category 16, gap 16, engagement 16), concatenated and
projected to the model's width, and the integer positions become the time since the session began, in the same
sinusoidal encoding with a real number in place of the position. Part (a) asks for the front end, forward and
backward, and for its size; part (b) for the time encoding; part (c) trains a model with your front end; part (d)
asks what each feature is worth.)";
  ex.timeout_seconds = 60;
  part_a(ex);
  part_b(ex);
  part_c(ex);
  ex.plot("accuracy",
          "Held-out next-item accuracy of the model with your front end (with --full also the item-only model and your "
          "features with integer positions), beside the best accuracy on the walk's rows with and without reading "
          "engagement.",
          [](const Context& ctx) {
            print_comparison(ctx);
            return accuracy_figure(ctx);
          });
  ex.plot("engagement",
          "For the same models: how often the predicted item keeps the current category after a save or a share, and "
          "the accuracy on planted targets.",
          engagement_figure);
}
