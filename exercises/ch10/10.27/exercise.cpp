// 10.27: attention patterns of the StreamRec session model. The exercise trains the nn library's GPT (its own
// attention) and the LSTM language model with one protocol (nn::train_next_item) on next-item prediction over StreamRec
// sessions (nn::streamrec_sessions, data/README.md), and reads the GPT's attention on held-out sessions
// (nn::gpt_attention). The student's functions see one head's weights on one session at a time and turn them into a
// profile (recency, same-category lift, weight on a planted trigger) and a class by a stated rule; labels, predictions
// and accuracies stay here.
//
// Expected values: the definitions written as loops below, closed forms (uniform causal rows, one-hot rows on the
// previous key), the stated rule for the classes, and a property of the trained model read through the student's
// functions: its heads fall into at least two classes. Part (c) finds a held-out session whose planted target the GPT
// predicts and the LSTM misses, and draws its attention. Figures `session-1` .. `session-5` and `compared`.

#include "ch10/10.27/interface.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <iostream>
#include <limits>
#include <map>
#include <set>
#include <utility>

#include "nn/attention_probe.hpp"
#include "nn/sessions.hpp"
#include "workbook/exercise.hpp"
#include "workbook/oracle/attention.hpp"
#include "workbook/oracle/random.hpp"
#include "workbook/property.hpp"
#include "workbook/text_table.hpp"
#include "workbook/tolerances.hpp"

namespace {

using ch10_27::HeadProfile;
using ch10_27::Pattern;
using workbook::CheckKind;
using workbook::CheckResult;
using workbook::Context;
using workbook::oracle::Matrix;
using Categories = std::vector<int>;

// The thresholds of the stated rule (interface.hpp), in the order the rule reads them.
constexpr double recency_bar = 0.6, category_bar = 0.2, retrieval_bar = 0.3;

// ---- the oracle: the definitions as loops --------------------------------------------------------------------

double oracle_recency(const Matrix& w, std::size_t window) {
  const std::size_t n = w.shape(0);
  double total = 0;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j <= i; ++j)
      if (j + window > i) total += w(i, j);  // j >= i - window + 1, without going below 0
  return total / double(n);
}

double oracle_same_category(const Matrix& w, const Categories& category) {
  const std::size_t n = w.shape(0);
  double total = 0;
  for (std::size_t i = 1; i < n; ++i) {
    double same = 0, earlier = 0, share = 0;
    for (std::size_t j = 0; j < i; ++j) {
      earlier += w(i, j);
      if (category[j] == category[i]) {
        same += w(i, j);
        share += 1.0 / double(i);
      }
    }
    total += same - share * earlier;
  }
  return total / double(n - 1);
}

Pattern oracle_class(const HeadProfile& p) {
  if (p.recency >= recency_bar) return Pattern::recency;
  if (p.same_category >= category_bar) return Pattern::category;
  if (p.retrieval >= retrieval_bar) return Pattern::retrieval;
  return Pattern::diffuse;
}

std::string name_of(Pattern p) {
  switch (p) {
    case Pattern::recency: return "recency";
    case Pattern::category: return "category";
    case Pattern::retrieval: return "retrieval";
    case Pattern::diffuse: return "diffuse";
  }
  return "not a pattern (" + std::to_string(int(p)) + ")";
}

// ---- the student's functions against the oracle ---------------------------------------------------------------

xt::xarray<double> as_array(const HeadProfile& p) { return {p.recency, p.same_category, p.retrieval}; }

// [recency, same_category, retrieval (left 0)] of the student against the definitions.
CheckResult profile_matches(const Matrix& w, const Categories& category, std::size_t window) {
  const auto student = ch10_27::head_profile(w, category, window);
  const xt::xarray<double> expected{oracle_recency(w, window), oracle_same_category(w, category), 0.0};
  return workbook::close(as_array(student), expected, workbook::tolerance::float_computation);
}

// ---- random sessions: causal weights from nearly uniform to nearly one-hot, and categories ----------------------

// Causal softmax weights of Gaussian queries and keys; the scale (0.1 to 30) sets how peaked the rows are.
Matrix random_causal_weights(std::size_t n, std::mt19937_64& rng) {
  const double scales[] = {0.1, 1.0, 3.0, 30.0};
  const double scale = scales[std::uniform_int_distribution<int>(0, 3)(rng)];
  const Matrix q = workbook::oracle::gaussian_matrix(n, 4, rng), k = workbook::oracle::gaussian_matrix(n, 4, rng);
  return workbook::oracle::attention_weights(q, k, scale, true);
}

Categories random_categories(std::size_t n, int kinds, std::mt19937_64& rng) {
  Categories c(n);
  for (auto& x : c) x = std::uniform_int_distribution<int>(0, kinds - 1)(rng);
  return c;
}

Matrix uniform_causal(std::size_t n) {
  Matrix w = xt::zeros<double>({n, n});
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j <= i; ++j) w(i, j) = 1.0 / double(i + 1);
  return w;
}

// Every row on its previous key (row 0 on itself, the only key it has).
Matrix previous_key(std::size_t n) {
  Matrix w = xt::zeros<double>({n, n});
  for (std::size_t i = 0; i < n; ++i) w(i, i == 0 ? 0 : i - 1) = 1;
  return w;
}

// ---- the trained models ------------------------------------------------------------------------------------------

// Quick: sessions of 20 events over 60 catalogue items in 6 categories, every session holding one of 6 trigger/target
// pairs 12 events apart (far enough that the quick LSTM stays near chance on them); a GPT of 2 layers of 4 heads, width
// 32, and the LSTM (embedding 32, hidden 48), each 600 steps of 16 sessions at AdamW 3e-3. The GPT's positions are
// rotary (RoPE): the trigger sits k - 1 events before the planted row wherever the pair starts, one relative offset,
// which learned absolute positions must learn once per start. Measured: with learned positions, 1e-2 left about one
// seed in ten with no retrieval head and 3e-3 with 450 steps one in 30; with RoPE and 600 steps, 30 seeds of 30 pass.
// Full: sessions of 50 events over 200 items in 10 categories, 10 pairs 10 events apart; 2 layers of 4 heads, width
// 64, LSTM hidden 128, 1000 steps of 32 sessions at 3e-3.
struct Setting {
  nn::StreamRecConfig data;
  std::size_t test_count, profiled, layers, heads, width, lstm_hidden, steps, batch;
  double lr;
};

// The recency window the exercise asks for: the current event and the one before it.
constexpr std::size_t recency_window = 2;
constexpr std::size_t figure_sessions = 5;
constexpr std::size_t lstm_embedding = 32;

Setting setting_for(const Context& ctx) {
  nn::StreamRecConfig data;
  data.plant_probability = 1.0;  // every session has a planted row, where its retrieval is read
  if (ctx.full()) {
    data.count = 4000;
    return {data, 500, 100, 2, 4, 64, 128, 1000, 32, 3e-3};
  }
  data.count = 2000;
  data.length = 20;
  data.n_walk_items = 60;
  data.n_categories = 6;
  data.n_pairs = 6;
  data.distance = 12;
  return {data, 300, 30, 2, 4, 32, 48, 600, 16, 3e-3};
}

struct Trained {
  Setting setting;
  nn::StreamRecSessions test;
  std::vector<std::vector<float>> attention;  // per layer (test sessions, heads, L, L), row-major
  std::vector<int> gpt_prediction, lstm_prediction;  // (test sessions): the argmax at the planted row
  int compared = -1;  // a held-out session the GPT predicts right at its planted row and the LSTM wrong, or -1
};

std::size_t length_of(const Trained& t) { return t.setting.data.length; }

Matrix head_weights(const Trained& t, std::size_t session, std::size_t layer, std::size_t head) {
  const std::size_t n = length_of(t), heads = t.setting.heads;
  Matrix w = Matrix::from_shape({n, n});
  const float* slab = t.attention[layer].data() + (session * heads + head) * n * n;
  std::copy(slab, slab + n * n, w.begin());
  return w;
}

Categories categories_of(const Trained& t, std::size_t session) {
  const std::size_t n = length_of(t);
  const auto first = t.test.categories.begin() + std::ptrdiff_t(session * n);
  return {first, first + std::ptrdiff_t(n)};
}

std::size_t planted_row(const Trained& t, std::size_t session) { return std::size_t(t.test.planted_row[session]); }
std::size_t trigger_of(const Trained& t, std::size_t session) {
  return planted_row(t, session) + 1 - t.setting.data.distance;  // the row is t0 + k - 1 for a trigger at t0
}
int planted_target(const Trained& t, std::size_t session) {
  return t.test.sessions.targets[session * length_of(t) + planted_row(t, session)];
}

// The item each held-out session's model predicts at its planted row (the library's scoring, row by row).
template <class Model>
std::vector<int> planted_predictions(Model& model, const nn::StreamRecSessions& test) {
  const auto predicted = nn::score_next_item(model, test).predicted;
  std::vector<int> out(test.sessions.count);
  for (std::size_t s = 0; s < out.size(); ++s)
    out[s] = predicted[s * test.sessions.length + std::size_t(test.planted_row[s])];
  return out;
}

template <class Model>
void train(Model& model, const nn::SequenceSet& sessions, const nn::NextItemTraining& training, const char* name,
           bool full) {
  if (!full) {
    nn::train_next_item(model, sessions, training);
    return;
  }
  std::cerr << "10.27: training the " << name << "\n";  // minutes: say where the run is
  nn::train_next_item_showing_progress(model, sessions, training, std::cerr);
}

void print_summary(const Trained& t);

// Trains both models once per (seed, budget): the checks and the figures read the same run. The data, the weights
// and the batch order depend on the run's seed only.
const Trained& trained(const Context& ctx) {
  static std::map<std::pair<std::uint64_t, bool>, Trained> cache;
  const auto key = std::make_pair(ctx.seed(), ctx.full());
  if (const auto hit = cache.find(key); hit != cache.end()) return hit->second;
  Trained t;
  t.setting = setting_for(ctx);
  const auto& s = t.setting;
  auto data = s.data;
  data.catalogue_seed = ctx.seed_for("catalogue");
  data.seed = ctx.seed_for("train");
  const auto train_set = nn::streamrec_sessions(data);
  data.count = s.test_count;  // the same catalogue, new sessions
  data.seed = ctx.seed_for("test");
  t.test = nn::streamrec_sessions(data);

  nn::GptConfig config;
  config.vocab_size = std::size_t(train_set.n_items);
  config.context = s.data.length;
  config.n_layer = s.layers;
  config.n_head = s.heads;
  config.n_embd = s.width;
  config.position = nn::PositionKind::rope;  // see Setting: the pair is one relative offset
  nn::Gpt<float> gpt(config, ctx.seed_for("gpt-weights"));
  nn::LstmLanguageModel<float> lstm({std::size_t(train_set.n_items), lstm_embedding, s.lstm_hidden},
                                    ctx.seed_for("lstm-weights"));
  nn::NextItemTraining training;
  training.steps = s.steps;
  training.batch = s.batch;
  training.lr = s.lr;
  training.seed = ctx.seed_for("batches");
  train(gpt, train_set.sessions, training, "GPT", ctx.full());
  train(lstm, train_set.sessions, training, "LSTM", ctx.full());

  t.attention = nn::gpt_attention(gpt, t.test.sessions.tokens, s.test_count, s.data.length);
  t.gpt_prediction = planted_predictions(gpt, t.test);
  t.lstm_prediction = planted_predictions(lstm, t.test);
  // A trigger at event 0 is left out: idle heads rest on the first event, which would pass for reading the trigger.
  for (std::size_t session = 0; session < s.test_count && t.compared < 0; ++session) {
    const int target = planted_target(t, session);
    const bool contrast = t.gpt_prediction[session] == target && t.lstm_prediction[session] != target;
    if (contrast && trigger_of(t, session) > 0) t.compared = int(session);
  }
  if (ctx.full()) print_summary(t);
  return cache[key] = std::move(t);
}

// ---- per-head profiles of the trained model ---------------------------------------------------------------------

// One head's profile on one held-out session, its retrieval read at the session's planted row.
using SessionProfile = std::function<HeadProfile(const Matrix& w, const Trained& t, std::size_t session)>;

// For every (layer, head), in that order: the mean of `profile` over the first `profiled` held-out sessions.
std::vector<HeadProfile> mean_head_profiles(const Trained& t, const SessionProfile& profile) {
  std::vector<HeadProfile> out;
  const double count = double(t.setting.profiled);
  for (std::size_t l = 0; l < t.setting.layers; ++l)
    for (std::size_t h = 0; h < t.setting.heads; ++h) {
      HeadProfile mean;
      for (std::size_t s = 0; s < t.setting.profiled; ++s) {
        const auto p = profile(head_weights(t, s, l, h), t, s);
        mean.recency += p.recency / count;
        mean.same_category += p.same_category / count;
        mean.retrieval += p.retrieval / count;
      }
      out.push_back(mean);
    }
  return out;
}

HeadProfile student_profile(const Matrix& w, const Trained& t, std::size_t session) {
  auto p = ch10_27::head_profile(w, categories_of(t, session), recency_window);
  p.retrieval = ch10_27::retrieval(w, trigger_of(t, session), planted_row(t, session));
  return p;
}

// The definitions: what the --full table prints.
HeadProfile oracle_profile(const Matrix& w, const Trained& t, std::size_t session) {
  return {oracle_recency(w, recency_window), oracle_same_category(w, categories_of(t, session)),
          w(planted_row(t, session), trigger_of(t, session))};
}

std::string fixed(double x, int places) {
  char text[32];
  std::snprintf(text, sizeof text, "%.*f", places, x);
  return text;
}

void print_summary(const Trained& t) {
  const auto& s = t.setting;
  std::size_t gpt_right = 0, lstm_right = 0;
  for (std::size_t session = 0; session < s.test_count; ++session) {
    gpt_right += t.gpt_prediction[session] == planted_target(t, session);
    lstm_right += t.lstm_prediction[session] == planted_target(t, session);
  }
  std::cerr << "\nPlanted-target accuracy on " << s.test_count << " held-out sessions: GPT "
            << fixed(double(gpt_right) / double(s.test_count), 3) << ", LSTM "
            << fixed(double(lstm_right) / double(s.test_count), 3) << "\n\nHead profiles (mean over " << s.profiled
            << " held-out sessions; recency window " << recency_window << ")\n";
  workbook::TextTable table({"layer", "head", "recency", "same category", "retrieval", "class"});
  const auto profiles = mean_head_profiles(t, oracle_profile);
  for (std::size_t i = 0; i < profiles.size(); ++i)
    table.add_row({std::to_string(i / s.heads), std::to_string(i % s.heads), fixed(profiles[i].recency, 3),
                   fixed(profiles[i].same_category, 3), fixed(profiles[i].retrieval, 3),
                   name_of(oracle_class(profiles[i]))});
  table.print(std::cerr, "  ");
  if (t.compared < 0) {
    std::cerr << "\nNo held-out session (trigger after the first event) has the GPT right and the LSTM wrong.\n";
    return;
  }
  const auto c = std::size_t(t.compared);
  std::cerr << "\nCompared session " << c << ": trigger at event " << trigger_of(t, c) << ", planted row "
            << planted_row(t, c) << ", target item " << planted_target(t, c) << ", GPT " << t.gpt_prediction[c]
            << ", LSTM " << t.lstm_prediction[c] << "\n";
}

// ---- parts ----------------------------------------------------------------------------------------------------

void part_a(workbook::Exercise& ex) {
  ex.part("a", 4, R"(Implement head_profile and retrieval as interface.hpp states them. The exercise calls them on
every head of every layer of the trained GPT, one held-out session at a time, and draws the weights of 5 held-out
sessions as heatmaps: figures `session-1` to `session-5`, each with the layers stacked from top to bottom and the heads
side by side, a blank row or column between them. On the trained model the recency window is 2 (the current event and
the one before it). Both statistics are sums and means of weights: the checks allow float's rounding (1e-5 relative,
1e-7 absolute).)")
      .check("uniform rows", CheckKind::close,
             "a session of 10 events whose every row spreads evenly over the keys it may see, window 3, against the "
             "closed forms: recency the mean over i of min(3, i + 1) / (i + 1), same-category lift 0",
             [](const Context& ctx) {
               auto rng = ctx.rng("a-uniform");
               constexpr std::size_t n = 10, window = 3;
               double recency = 0;
               for (std::size_t i = 0; i < n; ++i)
                 recency += double(std::min(window, i + 1)) / double(i + 1) / double(n);
               const auto p = ch10_27::head_profile(uniform_causal(n), random_categories(n, 3, rng), window);
               return workbook::close(as_array(p), xt::xarray<double>{recency, 0.0, 0.0},
                                      workbook::tolerance::float_computation);
             })
      .check("previous key", CheckKind::close,
             "a session of 12 events whose every row sits on the previous key, windows 1, 2 and 5, against the closed "
             "form: recency 1 / 12 (only row 0 reads itself), 1 and 1",
             [](const Context&) {
               constexpr std::size_t n = 12;
               const Categories category(n, 0);
               xt::xarray<double> actual = xt::zeros<double>({3});
               const std::size_t windows[] = {1, 2, 5};
               for (std::size_t k = 0; k < 3; ++k)
                 actual(k) = ch10_27::head_profile(previous_key(n), category, windows[k]).recency;
               return workbook::close(actual, xt::xarray<double>{1.0 / double(n), 1.0, 1.0},
                                      workbook::tolerance::float_computation);
             })
      .check("random sessions", CheckKind::close,
             "6 sessions of 14 events with 4 categories, causal weights from nearly uniform to nearly one-hot, window "
             "3, against the definitions written as loops",
             [](const Context& ctx) {
               auto rng = ctx.rng("a-random");
               xt::xarray<double> actual = xt::zeros<double>({6, 3}), expected = xt::zeros<double>({6, 3});
               for (std::size_t s = 0; s < 6; ++s) {
                 const Matrix w = random_causal_weights(14, rng);
                 const auto category = random_categories(14, 4, rng);
                 xt::view(actual, s) = as_array(ch10_27::head_profile(w, category, 3));
                 xt::view(expected, s) =
                     xt::xarray<double>{oracle_recency(w, 3), oracle_same_category(w, category), 0.0};
               }
               return workbook::close(actual, expected, workbook::tolerance::float_computation);
             })
      .check("any session", CheckKind::property,
             "for random sessions (2 to 20 events, 1 to 5 categories, windows 1 to 21), against the definitions",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("a-property"), [] {
                 const auto n = *rc::gen::inRange<std::size_t>(2, 21);
                 const auto kinds = *rc::gen::inRange(1, 6);
                 const auto window = *rc::gen::inRange<std::size_t>(1, 22);
                 auto rng = workbook::oracle::property_rng();
                 const Matrix w = random_causal_weights(n, rng);
                 const auto category = random_categories(n, kinds, rng);
                 RC_ASSERT(profile_matches(w, category, window).status == workbook::Status::pass);
               });
             })
      .check("retrieval", CheckKind::close,
             "on a random session of 14 events, the weight of 8 (query, key) pairs, the key at or before the query, "
             "against the matrix's entries",
             [](const Context& ctx) {
               auto rng = ctx.rng("a-retrieval");
               const Matrix w = random_causal_weights(14, rng);
               xt::xarray<double> actual = xt::zeros<double>({8}), expected = xt::zeros<double>({8});
               for (std::size_t k = 0; k < 8; ++k) {
                 const auto row = std::uniform_int_distribution<std::size_t>(1, 13)(rng);
                 const auto key = std::uniform_int_distribution<std::size_t>(0, row - 1)(rng);
                 actual(k) = ch10_27::retrieval(w, key, row);
                 expected(k) = w(row, key);
               }
               return workbook::close(actual, expected, workbook::tolerance::float_computation);
             })
      .check("trained model", CheckKind::close,
             "the trained GPT's every head on 5 held-out sessions (window 2): your profiles and your retrieval at each "
             "planted row against the definitions",
             [](const Context& ctx) {
               const auto& t = trained(ctx);
               const std::size_t heads = t.setting.layers * t.setting.heads;
               xt::xarray<double> actual = xt::zeros<double>({figure_sessions, heads, std::size_t(3)});
               xt::xarray<double> expected = xt::zeros<double>({figure_sessions, heads, std::size_t(3)});
               for (std::size_t s = 0; s < figure_sessions; ++s)
                 for (std::size_t i = 0; i < heads; ++i) {
                   const Matrix w = head_weights(t, s, i / t.setting.heads, i % t.setting.heads);
                   xt::view(actual, s, i) = as_array(student_profile(w, t, s));
                   xt::view(expected, s, i) = as_array(oracle_profile(w, t, s));
                 }
               return workbook::close(actual, expected, workbook::tolerance::float_computation);
             })
      .hint("Row i is what query i gives to the keys: read w(i, j), never w(j, i). The window counts the current "
            "event, so window 1 is the diagonal alone.")
      .hint("For the lift, compare with a head that spreads row i's weight on keys 0 .. i-1 evenly over them: it puts "
            "(same-category keys / i) of that weight on the current category.");
}

void part_b(workbook::Exercise& ex) {
  ex.part("b", 3, R"(Implement classify, the rule of interface.hpp. The exercise averages your profiles of each head
of the trained GPT over 30 held-out sessions (100 with --full), takes as its retrieval the mean of your retrieval at
each session's planted row, and classifies the head with your classify. Do the heads show at least two qualitatively
different patterns? Classes are exact: your class must be the rule's for every profile, including one that sits
exactly on a threshold.)")
      .check("on the thresholds", CheckKind::equal,
             "profiles exactly at each threshold and just below it, against the rule",
             [](const Context&) {
               const auto below = [](double bar) { return std::nextafter(bar, 0.0); };  // the next double down
               const std::vector<HeadProfile> profiles{{recency_bar, 0, 0},
                                                       {below(recency_bar), category_bar, 0},
                                                       {0, below(category_bar), retrieval_bar},
                                                       {0, 0, below(retrieval_bar)},
                                                       {recency_bar, category_bar, retrieval_bar}};
               std::string actual, expected;
               for (const auto& p : profiles) {
                 actual += name_of(ch10_27::classify(p)) + " ";
                 expected += name_of(oracle_class(p)) + " ";
               }
               return workbook::equal(actual, expected);
             })
      .check("any profile", CheckKind::property,
             "for random profiles (each statistic in [-0.2, 1], now and then exactly on its threshold), against the "
             "rule",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("b-property"), [] {
                 auto rng = workbook::oracle::property_rng();
                 const auto draw = [&rng](double bar) {
                   if (std::bernoulli_distribution(0.2)(rng)) return bar;
                   return std::uniform_real_distribution<double>(-0.2, 1)(rng);
                 };
                 const HeadProfile p{draw(recency_bar), draw(category_bar), draw(retrieval_bar)};
                 RC_ASSERT(name_of(ch10_27::classify(p)) == name_of(oracle_class(p)));
               });
             })
      .check("two patterns", CheckKind::property,
             "the trained GPT's heads, profiled and classified by your functions, fall into at least two different "
             "classes",
             [](const Context& ctx) {
               const auto& t = trained(ctx);
               std::set<std::string> found;
               nlohmann::json shown = nlohmann::json::array();
               for (const auto& p : mean_head_profiles(t, student_profile)) {
                 const auto name = name_of(ch10_27::classify(p));
                 found.insert(name);
                 shown.push_back({{"recency", p.recency}, {"same_category", p.same_category},
                                  {"retrieval", p.retrieval}, {"class", name}});
               }
               return workbook::holds(found.size() >= 2, shown,
                                      "every head of the trained GPT got the same class: " + *found.begin());
             })
      .hint("Apply the thresholds in the order the rule gives them: a head above two of them takes the first class.");
}

void part_c(workbook::Exercise& ex) {
  ex.part("c", 1, R"(The exercise also trains an LSTM language model on the same sessions with the same protocol and
looks, among the held-out sessions whose trigger is not the first event, for one whose planted target (the item that
follows the trigger 12 events later; 10 with --full) the GPT predicts and the LSTM does not. Figure `compared` draws
the GPT's attention on that session, its title naming the trigger's position and the planted row. The check reads your
retrieval of every head at that row (float's rounding allowed). Then explain: which heads read the trigger there, and
what information did the transformer use that the LSTM could not reach? Tie your answer to how each model carries an
event from the past to the row where it predicts.)")
      .check("compared session", CheckKind::close,
             "a held-out session exists (its trigger after the first event) on which the GPT predicts the planted "
             "target and the LSTM does not; your retrieval of every head at its planted row against the weights",
             [](const Context& ctx) {
               const auto& t = trained(ctx);
               if (t.compared < 0)
                 return workbook::holds(
                     false, nullptr,
                     "no held-out session (trigger after the first event) has the GPT right and the LSTM wrong");
               const auto s = std::size_t(t.compared);
               const std::size_t heads = t.setting.layers * t.setting.heads;
               xt::xarray<double> actual = xt::zeros<double>({heads}), expected = xt::zeros<double>({heads});
               for (std::size_t i = 0; i < heads; ++i) {
                 const Matrix w = head_weights(t, s, i / t.setting.heads, i % t.setting.heads);
                 actual(i) = ch10_27::retrieval(w, trigger_of(t, s), planted_row(t, s));
                 expected(i) = w(planted_row(t, s), trigger_of(t, s));
               }
               return workbook::close(actual, expected, workbook::tolerance::float_computation);
             })
      .manual(3);
}

// ---- figures -----------------------------------------------------------------------------------------------------

// Every head of every layer of one session in one matrix: heads side by side, layers from top to bottom, a blank
// (NaN) column between heads and a blank row between layers.
xt::xtensor<double, 2> all_heads(const Trained& t, std::size_t session) {
  const std::size_t n = length_of(t), layers = t.setting.layers, heads = t.setting.heads;
  xt::xtensor<double, 2> z = xt::xtensor<double, 2>::from_shape({layers * (n + 1) - 1, heads * (n + 1) - 1});
  z.fill(std::numeric_limits<double>::quiet_NaN());
  for (std::size_t l = 0; l < layers; ++l)
    for (std::size_t h = 0; h < heads; ++h) {
      const Matrix w = head_weights(t, session, l, h);
      xt::view(z, xt::range(l * (n + 1), l * (n + 1) + n), xt::range(h * (n + 1), h * (n + 1) + n)) = w;
    }
  return z;
}

workbook::Plot session_figure(const Context& ctx, std::size_t session) {
  const auto& t = trained(ctx);
  auto plot = workbook::heatmap("Held-out session " + std::to_string(session + 1) + ": trigger at event " +
                                    std::to_string(trigger_of(t, session)) + ", planted row " +
                                    std::to_string(planted_row(t, session)),
                                "key position (heads side by side)", "query position (layers top to bottom)",
                                "attention weight", all_heads(t, session));
  plot.measured = true;
  return plot;
}

workbook::Plot compared_figure(const Context& ctx) {
  const auto& t = trained(ctx);
  if (t.compared < 0) throw std::runtime_error("no held-out session has the GPT right and the LSTM wrong");
  const auto s = std::size_t(t.compared);
  const std::string where =
      "trigger at event " + std::to_string(trigger_of(t, s)) + ", planted row " + std::to_string(planted_row(t, s));
  auto plot = workbook::heatmap("Session " + std::to_string(s) + ", GPT right and LSTM wrong: " + where,
                                "key position (heads side by side)", "query position (layers top to bottom)",
                                "attention weight", all_heads(t, s));
  plot.measured = true;
  return plot;
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "Attention patterns of the StreamRec session model";
  ex.stars = 3;
  ex.tags = {workbook::Tag::implementation, workbook::Tag::conceptual, workbook::Tag::plot};
  ex.statement = R"(A StreamRec session (data/README.md) is one user's visit: a walk through item categories, the
next item mostly of the current category or the one after it, and in every session here a planted pair, a trigger item
whose own target item comes a fixed number of events later. The exercise trains a small GPT (the nn library's, with its
own causal attention and rotary positions) to predict each next item, and hands you one head's weights on one held-out
session at a time: an (L, L) matrix whose row i is what query position i gives to the keys 0 .. i. You write the
statistics that tell one kind of head from another (how much weight stays on the most recent events, how much more
than chance goes to events of the current category, how much the planted row gives the trigger), a rule that names a
head's pattern from them, and, in part (c), an account of what attention reads that a recurrent model has to
remember. Quick budget: sessions of 20 events over 60 items in 6 categories, pairs 12 events apart, a GPT of 2 layers
of 4 heads of width 32 and an LSTM (embedding 32, hidden 48), each 600 steps of 16 sessions. Full budget (--full):
sessions of 50 events over 200 items in 10 categories, pairs 10 events apart, 2 layers of 4 heads of width 64 and an
LSTM of hidden size 128, 1000 steps of 32 sessions.)";
  ex.timeout_seconds = 60;
  part_a(ex);
  part_b(ex);
  part_c(ex);
  for (std::size_t s = 0; s < figure_sessions; ++s)
    ex.plot("session-" + std::to_string(s + 1),
            "The trained GPT's attention on a held-out session: every head of every layer, rows the query positions, "
            "columns the key positions, the title naming where the planted trigger sits.",
            [s](const Context& ctx) { return session_figure(ctx, s); });
  ex.plot("compared",
          "The trained GPT's attention on the held-out session of part (c), whose planted target it predicts and the "
          "LSTM misses; the title gives the trigger's position and the planted row.",
          compared_figure);
}
