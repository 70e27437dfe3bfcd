// 10.28: an LSTM against a transformer on StreamRec sessions, under controlled conditions. The student writes the
// parameter counts of the two session models in closed form and the LSTM hidden size that matches the
// transformer's count. Expected values: the nn library builds both models from the same shapes and its named
// parameters are counted (an independent route); the matched size must land within 10 % of the transformer's
// count (the seed's budget) and no neighbouring size may come closer, both judged with the library's counts.
//
// Then both models, the LSTM at the student's hidden size, are trained here with one protocol (nn/sessions.hpp:
// the same sessions in the same order, AdamW, steps and batches) and scored on held-out sessions. Quick budget: one
// short training of each at 12 events. --full: session length 10 -> 200, planted distance k in {5, 10, 20, 50} and
// inference latency against length (measured, never asserted); figures `length`, `distance`, `latency` and a
// summary table on the error stream (docs/results/ch10.md).

#include "ch10/10.28/interface.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <stdexcept>
#include <tuple>

#include "nn/sessions.hpp"
#include "workbook/exercise.hpp"
#include "workbook/oracle/statistics.hpp"
#include "workbook/text_table.hpp"

namespace {

using ch10_28::LstmShape;
using ch10_28::TransformerShape;
using workbook::CheckKind;
using workbook::CheckResult;
using workbook::Context;

// ---- the two models, built by the library from a shape ------------------------------------------------------

constexpr std::size_t heads = 4;  // splits the width; changes no count

nn::GptConfig gpt_config(const TransformerShape& s) {
  nn::GptConfig config;  // GPT-2's layout: learned positions, LayerNorm, GELU FFN of 4 width, biases, tied head
  config.vocab_size = std::size_t(s.vocab);
  config.context = std::size_t(s.context);
  config.n_layer = std::size_t(s.layers);
  config.n_embd = std::size_t(s.width);
  config.n_head = heads;
  return config;
}

nn::LstmLmConfig lstm_config(const LstmShape& s) { return {std::size_t(s.vocab), std::size_t(s.embed), std::size_t(s.hidden)}; }

template <class Model>
std::int64_t named_parameters(Model& model) {
  std::int64_t n = 0;
  for (const auto& p : model.parameters()) n += std::int64_t(p.size);
  return n;
}

std::int64_t library_count(const TransformerShape& s) {
  nn::Gpt<float> model(gpt_config(s), 1);
  return named_parameters(model);
}

std::int64_t library_count(const LstmShape& s) {
  nn::LstmLanguageModel<float> model(lstm_config(s), 1);
  return named_parameters(model);
}

// The student's matched hidden size, refused when it is no size at all (the models below are built from it).
std::int64_t student_hidden(const TransformerShape& transformer, std::int64_t lstm_embed) {
  const auto hidden = ch10_28::matched_lstm_hidden(transformer, lstm_embed);
  if (hidden < 1 || hidden > 2000)  // far beyond any shape asked for here; the library would allocate it
    throw std::runtime_error("matched_lstm_hidden returned " + std::to_string(hidden) + ", not a hidden size");
  return hidden;
}

double relative_gap(std::int64_t count, std::int64_t target) { return double(std::llabs(count - target)) / double(target); }

// ---- the experiment's settings ------------------------------------------------------------------------------

// Quick: sessions of 12 events over 60 catalogue items in 6 categories, every session holding one of 6 pairs 4 events
// apart; a 1-layer transformer of width 32 and the LSTM with a 32-wide embedding, 500 steps of 16 sessions each at
// AdamW 1e-2. Full: 200 items in 10 categories, 10 pairs; a 2-layer transformer of width 32 whose position table
// covers 200 events (one parameter count for every length), the LSTM matched to it; 500 steps of 32 sessions at
// 1e-2, so that every length sees the same number of sessions and of planted pairs (the events grow with length).
struct Setting {
  std::size_t length, distance;
};

constexpr std::int64_t embed = 32;  // the LSTM's embedding, the transformer's width
const TransformerShape quick_transformer{72, 12, 1, 32}, full_transformer{220, 200, 2, 32};

struct Budget {
  TransformerShape transformer;
  nn::StreamRecConfig data;
  std::size_t test_count, steps, batch;  // batch: sessions per step, at every length
  double lr;
};

Budget budget_for(const Context& ctx) {
  nn::StreamRecConfig data;
  data.plant_probability = 1.0;
  if (ctx.full()) {
    data.count = 3000;
    return {full_transformer, data, 1000, 500, 32, 1e-2};
  }
  data.count = 2000;
  data.n_walk_items = 60;
  data.n_categories = 6;
  data.n_pairs = 6;
  return {quick_transformer, data, 500, 500, 16, 1e-2};
}

const Setting quick_setting{12, 4};
const std::vector<std::size_t> full_lengths{10, 25, 50, 100, 200};
constexpr std::size_t length_sweep_distance = 5;
const std::vector<std::size_t> full_distances{5, 10, 20, 50};
constexpr std::size_t distance_sweep_length = 60;
const std::vector<std::size_t> latency_lengths{10, 25, 50, 100, 200};

struct PairScore {
  nn::NextItemScore transformer, lstm;
};

// Trains both models on the same sessions with the same protocol and scores them on the same held-out sessions.
// The data, the weights and the batch order depend on the run's seed and the setting only.
PairScore train_pair(const Context& ctx, const Budget& b, const Setting& setting, std::int64_t hidden) {
  auto train = b.data;
  train.length = setting.length;
  train.distance = setting.distance;
  train.catalogue_seed = ctx.seed_for("catalogue");
  train.seed = ctx.seed_for("train") + setting.length * 1000 + setting.distance;
  const auto data = nn::streamrec_sessions(train);
  auto held_out = train;  // the same catalogue, new sessions
  held_out.count = b.test_count;
  held_out.seed = ctx.seed_for("test") + setting.length * 1000 + setting.distance;
  const auto test = nn::streamrec_sessions(held_out);

  nn::NextItemTraining training;
  training.steps = b.steps;
  training.lr = b.lr;
  training.batch = b.batch;
  training.seed = ctx.seed_for("batches");
  auto shape = b.transformer;
  shape.vocab = data.n_items;
  nn::Gpt<float> transformer(gpt_config(shape), ctx.seed_for("transformer-weights"));
  nn::LstmLanguageModel<float> lstm(lstm_config({data.n_items, embed, hidden}), ctx.seed_for("lstm-weights"));
  if (!ctx.full()) {
    nn::train_next_item(transformer, data.sessions, training);
    nn::train_next_item(lstm, data.sessions, training);
    return {nn::score_next_item(transformer, test), nn::score_next_item(lstm, test)};
  }
  const auto with_progress = [&](auto& model, const char* name) {  // minutes: say where the run is
    std::cerr << name << ", " << setting.length << " events, k = " << setting.distance << "\n";
    nn::train_next_item_showing_progress(model, data.sessions, training, std::cerr);
  };
  with_progress(transformer, "transformer");
  with_progress(lstm, "LSTM");
  return {nn::score_next_item(transformer, test), nn::score_next_item(lstm, test)};
}

// Milliseconds for one forward pass over one session of each length (the median of several), untrained models of
// the budget's shapes: the latency depends on the shapes, not on the weights.
struct Latency {
  std::vector<double> transformer_ms, lstm_ms;
};

template <class Model>
double median_forward_ms(Model& model, std::size_t length, std::size_t repeats) {
  const nn::Tokens tokens(length, 1);
  std::vector<double> ms;
  for (std::size_t r = 0; r < repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    model.forward(tokens, 1, length);
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  std::nth_element(ms.begin(), ms.begin() + std::ptrdiff_t(repeats / 2), ms.end());
  return ms[repeats / 2];
}

Latency measure_latency(const Context& ctx) {
  const auto shape = full_transformer;  // its position table covers every length timed
  nn::Gpt<float> transformer(gpt_config(shape), 1);
  nn::LstmLanguageModel<float> lstm(lstm_config({shape.vocab, embed, student_hidden(shape, embed)}), 1);
  const std::size_t repeats = ctx.full() ? 51 : 5;
  Latency latency;
  for (const auto n : latency_lengths) {
    latency.transformer_ms.push_back(median_forward_ms(transformer, n, repeats));
    latency.lstm_ms.push_back(median_forward_ms(lstm, n, repeats));
  }
  return latency;
}

// Everything one run measures, cached per (seed, budget) so that checks, figures and the table read the same run.
struct Results {
  std::int64_t hidden = 0;
  PairScore quick;                                   // the quick budget's one setting
  std::map<std::size_t, PairScore> by_length, by_k;  // --full only
  Latency latency;
};

void print_summary(const Results& r, std::int64_t transformer_count, std::int64_t lstm_count);

const Results& results(const Context& ctx) {
  static std::map<std::pair<std::uint64_t, bool>, Results> cache;
  const auto key = std::pair{ctx.seed(), ctx.full()};
  if (const auto hit = cache.find(key); hit != cache.end()) return hit->second;
  const auto b = budget_for(ctx);
  Results r;
  r.hidden = student_hidden(b.transformer, embed);
  if (ctx.full()) {
    for (const auto n : full_lengths) r.by_length[n] = train_pair(ctx, b, {n, length_sweep_distance}, r.hidden);
    for (const auto k : full_distances) r.by_k[k] = train_pair(ctx, b, {distance_sweep_length, k}, r.hidden);
    r.quick = r.by_length.at(full_lengths.front());
  } else {
    r.quick = train_pair(ctx, b, quick_setting, r.hidden);
  }
  r.latency = measure_latency(ctx);
  if (ctx.full())
    print_summary(r, library_count(b.transformer), library_count(LstmShape{b.transformer.vocab, embed, r.hidden}));
  return cache[key] = r;
}

std::string fixed(double x, int places) {
  char text[32];
  std::snprintf(text, sizeof text, "%.*f", places, x);
  return text;
}

void print_summary(const Results& r, std::int64_t transformer_count, std::int64_t lstm_count) {
  std::cerr << "\nParameters: transformer " << transformer_count << ", LSTM (hidden " << r.hidden << ") " << lstm_count
            << "\n\nHeld-out accuracy against session length (k = " << length_sweep_distance << ")\n";
  workbook::TextTable by_length({"events", "transformer, all", "LSTM, all", "transformer, planted", "LSTM, planted"});
  for (const auto& [n, s] : r.by_length)
    by_length.add_row({std::to_string(n), fixed(s.transformer.accuracy, 3), fixed(s.lstm.accuracy, 3),
                       fixed(s.transformer.planted_accuracy, 3), fixed(s.lstm.planted_accuracy, 3)});
  by_length.print(std::cerr, "  ");
  std::cerr << "\nPlanted-target accuracy against distance k (" << distance_sweep_length << " events)\n";
  workbook::TextTable by_k({"k", "transformer", "LSTM"});
  for (const auto& [k, s] : r.by_k)
    by_k.add_row({std::to_string(k), fixed(s.transformer.planted_accuracy, 3), fixed(s.lstm.planted_accuracy, 3)});
  by_k.print(std::cerr, "  ");
  std::cerr << "\nInference latency, one session, batch 1 (median ms)\n";
  workbook::TextTable latency({"events", "transformer", "LSTM"});
  for (std::size_t i = 0; i < latency_lengths.size(); ++i)
    latency.add_row({std::to_string(latency_lengths[i]), fixed(r.latency.transformer_ms[i], 3),
                     fixed(r.latency.lstm_ms[i], 3)});
  latency.print(std::cerr, "  ");
}

// ---- parts -----------------------------------------------------------------------------------------------

const std::vector<TransformerShape> transformer_shapes{quick_transformer, full_transformer, {1000, 64, 3, 48}};
const std::vector<LstmShape> lstm_shapes{{72, 32, 37}, {220, 32, 55}, {500, 16, 100}};

std::string describe(const TransformerShape& s) {
  return "vocab " + std::to_string(s.vocab) + ", context " + std::to_string(s.context) + ", " +
         std::to_string(s.layers) + " layers, width " + std::to_string(s.width);
}

std::string describe(const LstmShape& s) {
  return "vocab " + std::to_string(s.vocab) + ", embedding " + std::to_string(s.embed) + ", hidden " +
         std::to_string(s.hidden);
}

void part_a(workbook::Exercise& ex) {
  auto& a1 = ex.part("a1", 2, R"(Write transformer_parameter_count: the number of trainable numbers of the
transformer session model described in interface.hpp, in closed form.)");
  for (const auto& s : transformer_shapes)
    a1.check(describe(s), CheckKind::equal,
             "your count against the named parameters of the nn library's GPT built with this shape",
             [s](const Context&) { return workbook::equal(ch10_28::transformer_parameter_count(s), library_count(s)); });
  a1.hint("Count one block first, matrix by matrix and bias by bias; then what sits outside the blocks. A tied head "
          "shares its matrix with the token embedding.");

  auto& a2 = ex.part("a2", 2, R"(Write lstm_parameter_count for the LSTM session model, with every tensor that
torch.nn.LSTM and torch.nn.Linear hold.)");
  for (const auto& s : lstm_shapes)
    a2.check(describe(s), CheckKind::equal,
             "your count against the named parameters of the nn library's LSTM language model built with this shape",
             [s](const Context&) { return workbook::equal(ch10_28::lstm_parameter_count(s), library_count(s)); });
  a2.hint("An LSTM layer has one weight block per gate for the input and one for the recurrent state, and PyTorch "
          "keeps two bias vectors per layer.");

  auto& a3 = ex.part("a3", 2, R"(The comparison is fair only if both models get the same budget: their parameter
counts within 10 % of each other. Write matched_lstm_hidden: for a transformer shape and an LSTM embedding size, the
hidden size whose LSTM count is closest to the transformer's. The experiment below builds the LSTM with your answer.
The checks count both models with the library.)");
  for (const auto& s : {quick_transformer, full_transformer}) {
    a3.check("within 10 %, " + describe(s), CheckKind::property,
             "the library's LSTM at your hidden size (embedding 32) has a parameter count within 10 % of the library's "
             "transformer",
             [s](const Context&) {
               const auto hidden = student_hidden(s, embed);
               const auto target = library_count(s);
               const double gap = relative_gap(library_count(LstmShape{s.vocab, embed, hidden}), target);
               return workbook::holds(gap <= 0.10, gap,
                                      "the LSTM at hidden " + std::to_string(hidden) + " differs from the transformer by " +
                                          fixed(100 * gap, 1) + " % of its count");
             });
    a3.check("closest, " + describe(s), CheckKind::property,
             "neither hidden size next to yours brings the library's LSTM count closer to the transformer's",
             [s](const Context&) {
               const auto hidden = student_hidden(s, embed);
               const auto target = library_count(s);
               const auto gap = [&](std::int64_t h) { return std::llabs(library_count(LstmShape{s.vocab, embed, h}) - target); };
               const bool closest = gap(hidden + 1) >= gap(hidden) && (hidden == 1 || gap(hidden - 1) >= gap(hidden));
               return workbook::holds(closest, hidden, "a neighbouring hidden size comes closer than " + std::to_string(hidden));
             });
  }
  a3.hint("The LSTM's count is a quadratic in the hidden size that grows with it: either solve it or walk up from 1 "
          "while the next size comes closer.");
}

void part_b(workbook::Exercise& ex) {
  auto& b = ex.part("b", 2, R"(Same data, same budget, same protocol: the exercise trains the transformer and your
matched LSTM on the same StreamRec sessions (data/README.md: a walk through item categories, every session here
holding one trigger item whose paired target comes k events later), in the same order, with the same optimiser
(AdamW), steps and batches, and scores both on the same held-out sessions: the next-item accuracy over every
position, and the "planted" accuracy on the rows whose next item is a planted target, which a model gets right
only by remembering the trigger (chance: one over the number of pairs). Quick budget: sessions of 12 events, k = 4, a
1-layer transformer of width 32 against the LSTM with a 32-wide embedding, 500 steps of 16 sessions; each check
passes when the model's planted accuracy is more than ten standard errors above chance.
The --full run varies the session length from 10 to 200 events (k = 5, figure `length`): a 2-layer transformer
of width 32 whose position table covers 200 events against its matched LSTM, 500 steps of 32 sessions at every
length. From its figure or from
docs/results/ch10.md: from which session length on does the transformer beat the LSTM, on all positions and on the
planted targets? Does it at all within this range, and what would have to change for it to?)");
  b.check("transformer learns the pairs", CheckKind::property,
          "the transformer predicts planted targets on held-out sessions ten standard errors above chance",
          [](const Context& ctx) {
            const auto& s = results(ctx).quick.transformer;
            return workbook::oracle::learned(s.planted_accuracy, 1.0 / double(budget_for(ctx).data.n_pairs), s.planted);
          });
  b.check("LSTM learns the pairs", CheckKind::property,
          "the LSTM at your hidden size predicts planted targets on held-out sessions ten standard errors above chance",
          [](const Context& ctx) {
            const auto& s = results(ctx).quick.lstm;
            return workbook::oracle::learned(s.planted_accuracy, 1.0 / double(budget_for(ctx).data.n_pairs), s.planted);
          });
  b.manual(2);
}

void part_c_to_e(workbook::Exercise& ex) {
  ex.part("c", 2, R"(The --full run also plants each pair k = 5, 10, 20 and 50 events apart in sessions of 60 events
(figure `distance`). At which k does the LSTM stop recovering the target while the transformer still does, if any?
Explain what in each architecture sets the distance it can bridge, and what in this training budget does.)")
      .manual(2);
  ex.part("d", 2, R"(Figure `latency` times one forward pass over one session (batch 1) of each model against session
length, measured in the same run on this machine. Where does the transformer become slower than the LSTM, and why
do the two curves have the shapes they have (work per event, parallelism along the session, the attention's
quadratic term)? Timings move with the machine and its load: read the trend, not the last digit.)")
      .manual(2);
  ex.part("e", 2, R"(Recommend, for StreamRec, which model to use under which conditions: typical session lengths,
how far back the signal lies, latency budget at serving time, and whether sessions are scored event by event or
all at once.)")
      .manual(2);
}

// ---- figures ---------------------------------------------------------------------------------------------

workbook::Series line(std::string label, std::vector<double> x, std::vector<double> y) {
  return {std::move(label), std::move(x), std::move(y), workbook::Series::Style::linespoints};
}

workbook::Plot accuracy_figure(const std::map<std::size_t, PairScore>& scores, double x_quick, const PairScore& quick,
                               std::string title, std::string xlabel, bool with_all_positions) {
  std::vector<double> x;
  std::vector<PairScore> points;
  if (scores.empty()) {
    x.push_back(x_quick), points.push_back(quick);
  } else {
    for (const auto& [v, s] : scores) x.push_back(double(v)), points.push_back(s);
  }
  std::vector<workbook::Series> series;
  const auto add = [&](std::string label, auto read) {
    std::vector<double> y;
    for (const auto& p : points) y.push_back(read(p));
    series.push_back(line(std::move(label), x, y));
  };
  add("transformer, planted", [](const PairScore& p) { return p.transformer.planted_accuracy; });
  add("LSTM, planted", [](const PairScore& p) { return p.lstm.planted_accuracy; });
  if (with_all_positions) {
    add("transformer, all positions", [](const PairScore& p) { return p.transformer.accuracy; });
    add("LSTM, all positions", [](const PairScore& p) { return p.lstm.accuracy; });
  }
  auto plot = workbook::xy_plot(std::move(title), std::move(xlabel), "held-out accuracy", series);
  plot.measured = true;  // trained in the run: the numbers move with the machine's float kernels
  return plot;
}

workbook::Plot length_figure(const Context& ctx) {
  const auto& r = results(ctx);
  return accuracy_figure(r.by_length, double(quick_setting.length), r.quick,
                         "Transformer and LSTM of equal size on StreamRec", "session length (events)", true);
}

workbook::Plot distance_figure(const Context& ctx) {
  const auto& r = results(ctx);
  return accuracy_figure(r.by_k, double(quick_setting.distance), r.quick, "Planted pairs k events apart",
                         "planted distance k (events)", false);
}

workbook::Plot latency_figure(const Context& ctx) {
  const auto& r = results(ctx);
  const std::vector<double> x(latency_lengths.begin(), latency_lengths.end());
  auto plot = workbook::xy_plot("Inference latency, one session", "session length (events)", "milliseconds (median)",
                                {line("transformer", x, r.latency.transformer_ms), line("LSTM", x, r.latency.lstm_ms)});
  plot.measured = true;
  return plot;
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "LSTM against transformer on StreamRec";
  ex.stars = 4;
  ex.tags = {workbook::Tag::implementation, workbook::Tag::conceptual, workbook::Tag::plot};
  ex.statement = R"(A comparison of two architectures means something only when everything but the architecture is
held fixed: the sessions they learn from, the evaluation, and the budget, here the number of trainable parameters.
Part (a) asks for that budget: the parameter counts of a GPT-style transformer session model and of an LSTM session
model, and the LSTM hidden size that brings the two within 10 % of each other. The exercise then trains both models,
yours the LSTM's size, under one protocol, and the remaining parts read the measurements: accuracy against session
length (b) and against how far back the predictive item lies (c), inference time against length (d), and a
recommendation (e).)";
  ex.timeout_seconds = 60;
  part_a(ex);
  part_b(ex);
  part_c_to_e(ex);
  ex.plot("length",
          "Held-out next-item accuracy (all positions, and planted targets) of the transformer and the matched LSTM "
          "against session length; the quick budget trains one length.",
          length_figure);
  ex.plot("distance", "Planted-target accuracy of both models against the distance k between trigger and target.",
          distance_figure);
  ex.plot("latency", "Median time of one forward pass over one session, batch 1, against session length.",
          latency_figure);
}
