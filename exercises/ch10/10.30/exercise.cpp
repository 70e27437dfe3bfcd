// 10.30: what a fixed-depth transformer can count. Parts (a) and (b) state the universal approximation theorem of
// Yun et al. (2020) and what a fixed depth leaves out, with their checkable cores typed (the widths of the
// construction, whether its depth is fixed, the margin a mean can see); their explanations are hand-graded.
//
// Part (c): the student writes the data set of the counting task (more A than B), through the channel. Its checks
// recount every sequence here (an independent count of the tokens), and test the class balance and the share of hard
// cases against their stated probabilities with five standard errors of the sample. Then the nn library's encoder,
// fixed at two layers and reading a [CLS] position, is trained here on the student's sequences and scored on a
// held-out set this file draws itself (the student never sees it). Quick budget: length 8, the model must clear
// chance by ten standard errors. --full: lengths 8 to 128, the [CLS] model beside the modification of part (d), mean
// pooling (figure `accuracy`, docs/results/ch10.md).

#include "ch10/10.30/interface.hpp"

#include <cmath>
#include <map>
#include <tuple>

#include "nn/classify.hpp"
#include "workbook/exercise.hpp"
#include "workbook/oracle/statistics.hpp"

namespace {

using workbook::CheckKind;
using workbook::CheckResult;
using workbook::Context;
using workbook::Precision;

constexpr int token_a = 0, token_b = 1, vocabulary = 4;
constexpr int cls_token = vocabulary;  // the model's extra token, put in front of every sequence

// ---- an independent count -------------------------------------------------------------------------------

// The shape and vocabulary the interface promises; anything else fails the check that asked.
void require_layout(const ch10_30::CountingSet& set, std::size_t count, std::size_t length) {
  if (set.count != count || set.length != length)
    throw workbook::WrongResult("counting_set returned count " + std::to_string(set.count) + " and length " +
                                std::to_string(set.length) + " for " + std::to_string(count) + " sequences of " +
                                std::to_string(length));
  if (set.tokens.size() != count * length || set.labels.size() != count)
    throw workbook::WrongResult("counting_set returned " + std::to_string(set.tokens.size()) + " tokens and " +
                                std::to_string(set.labels.size()) + " labels for " + std::to_string(count) +
                                " sequences of " + std::to_string(length));
  for (const int t : set.tokens)
    if (t < 0 || t >= vocabulary) throw workbook::WrongResult("token " + std::to_string(t) + " is outside 0..3");
  for (const int l : set.labels)
    if (l != 0 && l != 1) throw workbook::WrongResult("label " + std::to_string(l) + " is neither 0 nor 1");
}

// #A - #B of every sequence, counted here.
std::vector<int> margins(const ch10_30::CountingSet& set) {
  std::vector<int> out(set.count, 0);
  for (std::size_t i = 0; i < set.count; ++i)
    for (std::size_t t = 0; t < set.length; ++t) {
      const int token = set.tokens[i * set.length + t];
      out[i] += (token == token_a) - (token == token_b);
    }
  return out;
}

ch10_30::CountingSet student_set(const Context& ctx, const std::string& stream, std::size_t count, std::size_t length,
                                 double hard_fraction) {
  auto rng = ctx.rng(stream);
  auto set = ch10_30::counting_set(count, length, hard_fraction, rng);
  require_layout(set, count, length);
  return set;
}

// Passes when a share measured on n draws lies within five standard errors of p (a correct generator lands outside
// with probability 6e-7 per check; dev check sweeps the reference over seeds).
CheckResult share_within(double share, double p, std::size_t n, const std::string& what) {
  const double bound = 5 * std::sqrt(p * (1 - p) / double(n));
  return workbook::holds(std::abs(share - p) <= bound, share,
                         what + " is " + std::to_string(share) + ", more than five standard errors (" +
                             std::to_string(bound) + ") from " + std::to_string(p));
}

// ---- the experiment: the library's encoder on the student's data ------------------------------------------

struct Experiment {
  std::vector<std::size_t> lengths;
  std::size_t train_count, test_count, width, layers, steps;
  double lr, hard_fraction;
};

// Quick: length 8, 2000 training sequences, width 16, 300 steps. Full: lengths 8 to 128, 4000 sequences, width 32,
// 800 steps. Half of every set are hard cases (margin one), in training and in the held-out set.
Experiment experiment_for(const Context& ctx) {
  if (ctx.full()) return {{8, 16, 32, 64, 128}, 4000, 1000, 32, 2, 800, 2e-3, 0.5};
  return {{8}, 2000, 1000, 16, 2, 300, 5e-3, 0.5};
}

// The held-out set, drawn here by rejection with this file's own generator and labelled by this file's count.
nn::LabelledSequences held_out_set(std::size_t count, std::size_t length, double hard_fraction, std::mt19937_64& rng) {
  std::uniform_int_distribution<int> token(0, vocabulary - 1);
  std::bernoulli_distribution coin(0.5), hard(hard_fraction);
  nn::LabelledSequences set;
  set.count = count;
  set.length = length + 1;
  std::vector<int> seq(length);
  for (std::size_t i = 0; i < count; ++i) {
    const bool positive = coin(rng), want_hard = hard(rng);
    for (;;) {
      int margin = 0;
      for (auto& t : seq) {
        t = token(rng);
        margin += (t == token_a) - (t == token_b);
      }
      if (margin != 0 && (margin > 0) == positive && (std::abs(margin) == 1) == want_hard) break;
    }
    set.tokens.push_back(cls_token);
    set.tokens.insert(set.tokens.end(), seq.begin(), seq.end());
    set.labels.push_back(positive ? 1 : 0);
  }
  return set;
}

// The student's sequences as the model reads them: a [CLS] token in front of each.
nn::LabelledSequences with_cls(const ch10_30::CountingSet& set) {
  nn::LabelledSequences out;
  out.count = set.count;
  out.length = set.length + 1;
  for (std::size_t i = 0; i < set.count; ++i) {
    out.tokens.push_back(cls_token);
    out.tokens.insert(out.tokens.end(), set.tokens.begin() + std::ptrdiff_t(i * set.length),
                      set.tokens.begin() + std::ptrdiff_t((i + 1) * set.length));
  }
  out.labels.assign(set.labels.begin(), set.labels.end());
  return out;
}

// The held-out sequences whose margin is one.
nn::LabelledSequences hard_cases(const nn::LabelledSequences& set) {
  nn::LabelledSequences out;
  out.length = set.length;
  for (std::size_t i = 0; i < set.count; ++i) {
    int margin = 0;
    for (std::size_t t = 0; t < set.length; ++t) {
      const int token = set.tokens[i * set.length + t];
      margin += (token == token_a) - (token == token_b);
    }
    if (std::abs(margin) != 1) continue;
    out.tokens.insert(out.tokens.end(), set.tokens.begin() + std::ptrdiff_t(i * set.length),
                      set.tokens.begin() + std::ptrdiff_t((i + 1) * set.length));
    out.labels.push_back(set.labels[i]);
    ++out.count;
  }
  return out;
}

enum class Readout { cls, mean };

struct Score {
  double accuracy = 0, hard_accuracy = 0;
  std::size_t test_count = 0;
};

// Held-out scores of the encoder trained on the student's data of one length. The data, the initial weights and the
// batch order depend on the run's seed only, so the result is a function of (seed, budget, readout, length, data):
// cached, so that the checks and the figure read the same numbers and variants with the same data train once.
Score trained_score(const Context& ctx, Readout readout, std::size_t length) {
  const auto e = experiment_for(ctx);
  const auto set = student_set(ctx, "c-train-" + std::to_string(length), e.train_count, length, e.hard_fraction);
  using Key = std::tuple<std::uint64_t, bool, Readout, std::size_t, std::vector<int>, std::vector<int>>;
  static std::map<Key, Score> cache;
  const Key key{ctx.seed(), ctx.full(), readout, length, set.tokens, set.labels};
  if (const auto hit = cache.find(key); hit != cache.end()) return hit->second;

  auto test_rng = ctx.rng("c-test-" + std::to_string(length));
  const auto test = held_out_set(e.test_count, length, e.hard_fraction, test_rng);
  nn::EncoderConfig config;
  config.vocab_size = vocabulary + 1;
  config.context = length + 1;
  config.n_layer = e.layers;
  config.n_head = 2;
  config.n_embd = e.width;
  config.n_classes = 2;
  config.pooling = readout == Readout::cls ? nn::EncoderConfig::Pooling::first : nn::EncoderConfig::Pooling::mean;
  nn::Encoder<float> model(config, ctx.seed_for("c-weights"));
  nn::ClassifierTraining training;
  training.steps = e.steps;
  training.lr = e.lr;
  training.seed = ctx.seed_for("c-batches");
  nn::train_classifier(model, with_cls(set), training);
  return cache[key] = Score{nn::classifier_accuracy(model, test), nn::classifier_accuracy(model, hard_cases(test)),
                            test.count};
}

// ---- parts -----------------------------------------------------------------------------------------------

void part_a(workbook::Exercise& ex) {
  ex.part("a", 3, R"(State the theorem of Yun et al. (2020) in your own words: which functions are approximated, on
what domain, in which distance, with or without positional encodings. Then give the sizes its construction needs
(the theorem is stated for a fixed small architecture: name it by its number of heads per attention layer, the size
of each head, and the hidden width of each feed-forward layer), and say whether the number of layers in the
construction stays bounded as the required accuracy tightens. Explain in a few sentences what the theorem does not
say about depth: does it show that some function needs many layers?)")
      .integer_answer("a_heads", "attention heads per layer in the construction", 2, "heads")
      .integer_answer("a_head_size", "size of each head in the construction", 1, "dimensions")
      .integer_answer("a_ffn_hidden", "hidden width of each feed-forward layer in the construction", 4, "units")
      .choice_answer("a_domain", "the functions are approximated on", {"a compact set", "all of R^(d x n)"},
                     "a compact set")
      .choice_answer("a_depth_bounded", "does the construction's number of layers stay bounded as epsilon shrinks?",
                     {"yes", "no"}, "no")
      .manual(2)
      .hint("Read the theorem's statement for the class of networks it names with three superscripts, and the proof's "
            "outline: how the input is cut into a grid, and how many layers each stage spends per grid cell.");
}

void part_b(workbook::Exercise& ex) {
  ex.part("b", 2, R"(Practical models keep their depth fixed while the length n grows. Take the task of part (c):
say whether #A > #B. Think of a single attention layer whose query at the [CLS] position weighs every position
equally, with a value that is +1 on A, -1 on B and 0 elsewhere: it outputs (#A - #B) / (n + 1). For n = 128 tokens
after [CLS], by how much does that output differ between the hardest positive sequence (one more A than B) and the
hardest negative one (one more B than A)? Give it to 4 significant figures. Is there, for each fixed n, a network
of one attention layer and a feed-forward layer that decides #A > #B on every sequence of length n? Then explain what
a fixed depth does and does not rule out, and why the same weights must struggle as n grows.)")
      .number_answer("b_margin", "the gap between the two outputs at n = 128", [] { return 2.0 / 129.0; },
                     Precision::significant_figures(4))
      .choice_answer("b_one_layer", "for each fixed n, is one attention layer and a feed-forward layer enough?",
                     {"yes", "no"}, "yes")
      .manual(2)
      .hint("Write the output for #A - #B of +1 and of -1; a feed-forward layer can turn a sign into a label only if "
            "its slope is large enough for the gap.");
}

void part_c1(workbook::Exercise& ex) {
  ex.part("c1", 4, R"(Implement counting_set (interface.hpp): sequences over A, B and two fillers, labelled 1 when
they hold more A than B and 0 when they hold fewer, never tied, the two classes equally likely, and a stated share of
hard cases whose counts of A and B differ by exactly one. The checks count the tokens themselves; the shares are
tested against their probabilities with five standard errors of the sample, which correct work passes.)")
      .check("layout", CheckKind::property,
             "500 sequences of 16 tokens: count, length, the sizes of tokens and labels, tokens within 0..3, labels 0 "
             "or 1",
             [](const Context& ctx) {
               student_set(ctx, "c1-layout", 500, 16, 0.3);
               return workbook::holds(true, "layout as promised", "");
             })
      .check("labels", CheckKind::property,
             "at lengths 2, 7, 16 and 33, every label agrees with the count of A against B made here",
             [](const Context& ctx) {
               std::int64_t wrong = 0;
               for (const std::size_t n : {2, 7, 16, 33}) {
                 const auto set = student_set(ctx, "c1-labels-" + std::to_string(n), 300, n, 0.5);
                 const auto m = margins(set);
                 for (std::size_t i = 0; i < set.count; ++i) wrong += set.labels[i] != (m[i] > 0 ? 1 : 0);
               }
               return workbook::holds(wrong == 0, wrong, std::to_string(wrong) + " of 1200 labels disagree with the count");
             })
      .check("no ties", CheckKind::property,
             "at lengths 2, 7, 16 and 33, no sequence holds as many A as B",
             [](const Context& ctx) {
               std::int64_t ties = 0;
               for (const std::size_t n : {2, 7, 16, 33}) {
                 const auto set = student_set(ctx, "c1-ties-" + std::to_string(n), 300, n, 0.2);
                 for (const int m : margins(set)) ties += m == 0;
               }
               return workbook::holds(ties == 0, ties, std::to_string(ties) + " of 1200 sequences are ties");
             })
      .check("balanced", CheckKind::property,
             "4000 sequences of 12 tokens with a hard share of 0.25: the share labelled 1 lies within five standard "
             "errors of one half",
             [](const Context& ctx) {
               const auto set = student_set(ctx, "c1-balance", 4000, 12, 0.25);
               double positives = 0;
               for (const int l : set.labels) positives += l;
               return share_within(positives / 4000, 0.5, 4000, "the share of label 1");
             })
      .check("hard share", CheckKind::property,
             "4000 sequences of 12 tokens with a hard share of 0.25: the share whose counts differ by one lies within "
             "five standard errors of 0.25",
             [](const Context& ctx) {
               const auto set = student_set(ctx, "c1-hard", 4000, 12, 0.25);
               double hard = 0;
               for (const int m : margins(set)) hard += std::abs(m) == 1;
               return share_within(hard / 4000, 0.25, 4000, "the share of hard cases");
             })
      .check("hard share 0 and 1", CheckKind::property,
             "with a hard share of 0 no sequence's counts differ by one, and with a hard share of 1 every sequence's do "
             "(300 sequences of 9 tokens each)",
             [](const Context& ctx) {
               std::int64_t off = 0;
               for (const double h : {0.0, 1.0}) {
                 const auto set = student_set(ctx, "c1-hard-extremes", 300, 9, h);
                 for (const int m : margins(set)) off += (std::abs(m) == 1) != (h == 1.0);
               }
               return workbook::holds(off == 0, off, std::to_string(off) + " of 600 sequences have the wrong margin");
             })
      .check("every position", CheckKind::property,
             "4000 sequences of 12 tokens: every token appears at every position in some sequence",
             [](const Context& ctx) {
               const auto set = student_set(ctx, "c1-positions", 4000, 12, 0.25);
               std::vector<int> seen(12 * vocabulary, 0);
               for (std::size_t i = 0; i < set.count; ++i)
                 for (std::size_t t = 0; t < 12; ++t) seen[t * vocabulary + std::size_t(set.tokens[i * 12 + t])] = 1;
               std::int64_t missing = 0;
               for (const int s : seen) missing += s == 0;
               return workbook::holds(missing == 0, missing,
                                      std::to_string(missing) + " (position, token) pairs never occur");
             })
      .hint("Deciding the class and whether the case is hard first, then drawing sequences until one fits, is the "
            "simplest way to get the shares right.");
}

void part_c2(workbook::Exercise& ex) {
  ex.part("c2", 2, R"(Your data now trains a model. The exercise puts a [CLS] token in front of each of your
sequences and trains the nn library's encoder (2 layers, 2 heads, the classifier reading the [CLS] position) on them,
then scores it on held-out sequences it draws itself under the same rules, half of them hard cases. Quick budget:
2000 of your sequences of length 8, width 16, 300 steps; the check passes when the held-out accuracy is more than ten
standard errors above chance (one half). Full budget (--full): lengths 8, 16, 32, 64 and 128, 4000 sequences, width
32, 800 steps, the same depth at every length, beside the modified model of part (d); the held-out accuracies, all
and on hard cases alone, are in figure `accuracy`.)")
      .check("learns at length 8", CheckKind::property,
             "the 2-layer [CLS] encoder trained on your sequences of length 8 classifies held-out sequences ten "
             "standard errors above chance",
             [](const Context& ctx) {
               const auto score = trained_score(ctx, Readout::cls, 8);
               return workbook::oracle::learned(score.accuracy, 0.5, score.test_count);
             });
}

void part_d(workbook::Exercise& ex) {
  ex.part("d", 2, R"(Run the full budget (or read the results the course publishes). How does held-out accuracy
change with n at a fixed depth, on all sequences and on the hard cases? The full run also trains one modification:
the same encoder whose classifier reads the mean over all positions instead of the [CLS] position. Say what it
changes and why, relate it to your answer to (b), and propose one more modification (more layers, another readout,
an explicit count) with the reason you expect it to help.)")
      .manual(2);
}

// ---- figures ---------------------------------------------------------------------------------------------

// Quick budget: chance alone, which holds on every machine. --full adds the held-out accuracies of both readouts, on
// all held-out sequences and on the hard cases.
workbook::Plot accuracy_figure(const Context& ctx) {
  const auto e = experiment_for(ctx);
  std::vector<double> lengths(e.lengths.begin(), e.lengths.end());
  if (lengths.size() == 1) lengths.push_back(128);
  std::vector<workbook::Series> series{
      {"chance", lengths, std::vector<double>(lengths.size(), 0.5), workbook::Series::Style::lines}};
  if (ctx.full()) {
    for (const auto readout : {Readout::cls, Readout::mean}) {
      const std::string name = readout == Readout::cls ? "[CLS] readout" : "mean readout";
      workbook::Series all{name + ", all", lengths, {}, workbook::Series::Style::linespoints};
      workbook::Series hard{name + ", hard cases", lengths, {}, workbook::Series::Style::linespoints};
      for (const double n : lengths) {
        const auto score = trained_score(ctx, readout, std::size_t(n));
        all.y.push_back(score.accuracy);
        hard.y.push_back(score.hard_accuracy);
      }
      series.push_back(all);
      series.push_back(hard);
    }
  }
  return workbook::xy_plot("Counting (more A than B) with a 2-layer encoder", "sequence length n",
                           "held-out accuracy", series);
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "What a fixed-depth transformer can count";
  ex.stars = 4;
  ex.tags = {workbook::Tag::implementation, workbook::Tag::numeric, workbook::Tag::conceptual, workbook::Tag::plot};
  ex.statement = R"(Universal approximation results say that transformers can get arbitrarily close to any function
of a broad class, but they say it for networks whose size is allowed to grow with the accuracy asked for. Models in
use have a fixed number of layers whatever the length of their input. This exercise asks what the theorem of Yun et
al. (2020) does and does not promise (part a), what a fixed depth means for a concrete task (part b), and then
measures it: the task is to say whether a sequence holds more A than B. You write the data set (part c1); the
exercise trains a 2-layer encoder on it at growing lengths and scores it on held-out data (part c2); part (d) asks
what a modification of the model changes.)";
  ex.timeout_seconds = 60;
  part_a(ex);
  part_b(ex);
  part_c1(ex);
  part_c2(ex);
  part_d(ex);
  ex.plot("accuracy",
          "Held-out accuracy of the 2-layer encoder against the sequence length, beside chance; with --full the "
          "[CLS] and mean readouts, on all held-out sequences and on the hard cases alone.",
          accuracy_figure);
}
