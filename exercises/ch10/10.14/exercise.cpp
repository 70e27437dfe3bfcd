// 10.14: a character-level language model. The student's program is the model (docs/model.md, rule 2): it builds a
// decoder-only GPT from the library's blocks, trains it on the first 10,000 characters of tiny Shakespeare and
// returns the trained parameters by name. The checks load them into the library's own GPT (nn::Gpt, causal by
// construction) and score it on the 2,000 characters that follow, which the solution never receives. The bar is an
// oracle: the cross-entropy of the training text's letter frequencies (oracle/entropy.hpp). The sampler is checked
// against the inverse-CDF rule the interface states, and at its two limits (greedy, uniform).

#include "ch10/10.14/interface.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <memory>
#include <numeric>

#include <xtensor/xadapt.hpp>
#include <xtensor/xview.hpp>

#include "nn/char_tokenizer.hpp"
#include "nn/gpt.hpp"
#include "nn/named_tensors.hpp"
#include "nn/shipped_data.hpp"
#include "workbook/exercise.hpp"
#include "workbook/oracle/entropy.hpp"
#include "workbook/oracle/random.hpp"
#include "workbook/tolerances.hpp"

namespace {

using ch10_14::Snapshot;
using workbook::CheckKind;
using workbook::CheckResult;
using workbook::Context;

// ---- the corpus and the model the statement fixes -------------------------------------------------------------

constexpr std::size_t train_chars = 10000, held_out_chars = 2000;
constexpr int context = 64;

struct Corpus {
  nn::CharTokenizer tokenizer;
  std::vector<int> train, held_out;
};

const Corpus& corpus() {
  static const Corpus c = [] {
    const auto text = nn::read_shipped_data("tinyshakespeare.txt", train_chars + held_out_chars);
    nn::CharTokenizer tokenizer(text);
    const auto ids = tokenizer.encode(text);
    return Corpus{tokenizer, std::vector<int>(ids.begin(), ids.begin() + train_chars),
                  std::vector<int>(ids.begin() + train_chars, ids.end())};
  }();
  return c;
}

ch10_14::ModelShape model_shape() { return {int(corpus().tokenizer.vocab_size()), context, 2, 4, 64}; }

nn::GptConfig library_config() {
  const auto shape = model_shape();
  nn::GptConfig config;
  config.vocab_size = std::size_t(shape.vocab);
  config.context = std::size_t(shape.context);
  config.n_layer = std::size_t(shape.n_layer);
  config.n_head = std::size_t(shape.n_head);
  config.n_embd = std::size_t(shape.n_embd);
  return config;  // learned positions, LayerNorm, GELU, biases, tied head: the library's defaults
}

// Quick: 6 epochs (120 steps of 8 windows); the held-out loss of 28 seeds ended between 2.57 and 2.66 nats (letter
// frequencies: 3.45). At learning rate 3e-3 and batches of 16, one seed in ten was still on the letter-frequency
// plateau after 6 epochs. Full: the statement's 50 epochs, by which the model has long overfitted the 10,000
// characters (docs/results/ch10.md). A snapshot after every epoch: the held-out curve is what shows it.
ch10_14::TrainingPlan plan_for(const Context& ctx) {
  ch10_14::TrainingPlan plan;
  plan.epochs = ctx.full() ? 50 : 6;
  plan.snapshot_epochs.resize(std::size_t(plan.epochs));
  std::iota(plan.snapshot_epochs.begin(), plan.snapshot_epochs.end(), 1);
  plan.batch = 8;
  plan.lr = 2e-3;
  plan.seed = ctx.seed_for("training");
  return plan;
}

// The solution's training run, once per (seed, budget): every check and the figure read the same snapshots.
const std::vector<Snapshot>& snapshots(const Context& ctx) {
  static std::map<std::pair<std::uint64_t, bool>, std::vector<Snapshot>> cache;
  const std::pair key{ctx.seed(), ctx.full()};
  if (const auto hit = cache.find(key); hit != cache.end()) return hit->second;
  const auto plan = plan_for(ctx);
  auto result = ch10_14::train_char_lm(corpus().train, model_shape(), plan);
  std::vector<int> epochs;
  for (const auto& s : result) epochs.push_back(s.epoch);
  if (epochs != plan.snapshot_epochs)
    throw workbook::WrongResult("train_char_lm returned " + std::to_string(result.size()) +
                                " snapshots; the plan asks for one after each epoch of snapshot_epochs, in order");
  return cache[key] = std::move(result);
}

// The snapshot's parameters in the library's GPT. A name or shape that does not fit is the solution's mistake.
std::unique_ptr<nn::Gpt<float>> loaded(const Snapshot& snapshot) {
  auto model = std::make_unique<nn::Gpt<float>>(library_config(), 0);
  const auto problems = nn::load_named(model->parameters(), snapshot.parameters);
  if (!problems.empty()) {
    std::string message = "the parameters after epoch " + std::to_string(snapshot.epoch) + " do not fit the model:";
    for (const auto& p : problems) message += "\n  " + p;
    throw workbook::WrongResult(message);
  }
  return model;
}

// Mean next-character cross-entropy of `model` over `text`, cut into windows as the statement's epoch cuts it.
double text_loss(nn::Gpt<float>& model, const std::vector<int>& text) {
  nn::Tokens tokens, targets;
  std::size_t windows = 0;
  for (std::size_t s = 0; s + context + 1 <= text.size(); s += context, ++windows) {
    tokens.insert(tokens.end(), text.begin() + std::ptrdiff_t(s), text.begin() + std::ptrdiff_t(s + context));
    targets.insert(targets.end(), text.begin() + std::ptrdiff_t(s + 1), text.begin() + std::ptrdiff_t(s + context + 1));
  }
  model.forward(tokens, windows, context);
  return double(model.loss(targets));
}

// The student's forward: logits (time, vocab) of one sequence.
xt::xarray<double> student_logits(const Snapshot& snapshot, const std::vector<int>& tokens) {
  const auto logits = ch10_14::model_logits(snapshot.parameters, tokens, model_shape());
  workbook::require_shape("model_logits", logits, {tokens.size(), corpus().tokenizer.vocab_size()});
  return logits;
}

std::vector<int> random_tokens(std::size_t count, std::mt19937_64& rng) {
  std::uniform_int_distribution<int> token(0, int(corpus().tokenizer.vocab_size()) - 1);
  std::vector<int> tokens(count);
  for (auto& t : tokens) t = token(rng);
  return tokens;
}

// Logits of a small GPT in float: each entry's rounding is relative to the size of the terms it sums.
workbook::Tolerance logits_tolerance(const xt::xarray<double>& expected) {
  return workbook::tolerance::float_sums(10 * workbook::tolerance::largest_magnitude(expected));
}

// The held-out loss of every snapshot, in the library's GPT.
const std::vector<double>& held_out_losses(const Context& ctx) {
  static std::map<std::pair<std::uint64_t, bool>, std::vector<double>> cache;
  const std::pair key{ctx.seed(), ctx.full()};
  if (const auto hit = cache.find(key); hit != cache.end()) return hit->second;
  std::vector<double> losses;
  for (const auto& snapshot : snapshots(ctx)) losses.push_back(text_loss(*loaded(snapshot), corpus().held_out));
  return cache[key] = losses;
}

// The epochs whose samples part (d) shows: the statement's 1, 10 and 50, or the quick run's first and last.
std::vector<int> sample_epochs(const Context& ctx) { return ctx.full() ? std::vector<int>{1, 10, 50} : std::vector<int>{1, 6}; }

// The bar's level: the cross-entropy of the held-out targets under the training text's letter frequencies.
double unigram_bar() {
  const auto& c = corpus();
  const std::size_t scored = (c.held_out.size() - 1) / context * context;
  return workbook::oracle::unigram_cross_entropy(
      c.train, std::vector<int>(c.held_out.begin() + 1, c.held_out.begin() + 1 + std::ptrdiff_t(scored)),
      c.tokenizer.vocab_size());
}

// ---- sampling ---------------------------------------------------------------------------------------------------

// The cumulative distribution of softmax(logits / temperature) over the tokens 0, 1, 2, ... in order.
std::vector<double> cumulative_distribution(const std::vector<double>& logits, double temperature) {
  const double top = *std::max_element(logits.begin(), logits.end());
  double total = 0;
  for (const double l : logits) total += std::exp((l - top) / temperature);
  std::vector<double> cdf;
  double cumulative = 0;
  for (const double l : logits) cdf.push_back(cumulative += std::exp((l - top) / temperature) / total);
  return cdf;
}

// The interface's rule: the first token whose cumulative probability exceeds u.
int oracle_sample(const std::vector<double>& logits, double temperature, double u) {
  const auto cdf = cumulative_distribution(logits, temperature);
  const auto first = std::upper_bound(cdf.begin(), cdf.end(), u);  // the first cumulative probability above u
  return first == cdf.end() ? int(cdf.size()) - 1 : int(first - cdf.begin());
}

// How close u lies to a boundary of the cumulative distribution. Closer than float's rounding of a sum of a dozen
// probabilities can decide (1e-5), a correct sampler may land either side: such draws are redrawn or not judged.
constexpr double undecidable = 1e-5;
double distance_to_boundary(const std::vector<double>& logits, double temperature, double u) {
  double nearest = 1;
  for (const double c : cumulative_distribution(logits, temperature)) nearest = std::min(nearest, std::abs(c - u));
  return nearest;
}

int student_sample(const std::vector<double>& logits, double temperature, double u) {
  xt::xtensor<double, 1> row = xt::adapt(logits, {logits.size()});
  return ch10_14::sample_next(row, temperature, u);
}

using Sampler = std::function<int(const std::vector<double>& logits, double u)>;

// `count` characters after `prompt`, each from the model's logits over the last `context` characters.
std::vector<int> generate(const nn::Gpt<float>& model, std::vector<int> text, std::size_t count, std::mt19937_64& rng,
                          const Sampler& sample) {
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t from = text.size() > std::size_t(context) ? text.size() - context : 0;
    const auto logits = model.logits(nn::Tokens(text.begin() + std::ptrdiff_t(from), text.end()));
    const auto last = xt::row(logits, logits.shape(0) - 1);
    text.push_back(sample(std::vector<double>(last.begin(), last.end()), uniform(rng)));
  }
  return text;
}

std::string decoded(const std::vector<int>& ids) {
  for (const int id : ids)
    if (id < 0 || std::size_t(id) >= corpus().tokenizer.vocab_size())
      throw workbook::WrongResult("sample_next returned " + std::to_string(id) + ", which is not a token id");
  return corpus().tokenizer.decode(nn::Tokens(ids.begin(), ids.end()));
}

std::vector<int> prompt() { return std::vector<int>(corpus().held_out.begin(), corpus().held_out.begin() + 16); }

// ---- parts ------------------------------------------------------------------------------------------------------

void part_a(workbook::Exercise& ex) {
  ex.part("a", 3, R"(Build the model: token embedding wte (vocab, 64) plus learned positions wpe (64, 64), two of the
library's pre-LN blocks with a causal mask (an nn::BlockStack, which ends in the final LayerNorm), and an output head
that reuses wte, logits = h wte^T. train_char_lm returns its parameters under the library GPT's names: "wte.weight",
"wpe.weight", then the names nn::BlockStack::append_params gives the blocks and the final norm, each with its shape.
model_logits runs your model with given parameters. The checks load your trained parameters into the library's own
GPT and compare its logits with yours, and show that your model is causal: what a position predicts never depends
on the characters after it.)")
      .check("names and shapes", CheckKind::equal,
             "the parameters after the last epoch load into the library's GPT of the stated shape: every name present "
             "once, with its shape, and nothing else",
             [](const Context& ctx) {
               const auto& last = snapshots(ctx).back();
               auto model = std::make_unique<nn::Gpt<float>>(library_config(), 0);
               const auto problems = nn::load_named(model->parameters(), last.parameters);
               std::string shown;
               for (const auto& p : problems) shown += (shown.empty() ? "" : "; ") + p;
               return workbook::holds(problems.empty(), problems.empty() ? "every parameter fits" : shown,
                                      "the parameters do not fit the library's GPT: " + shown);
             })
      .check("same logits as the library's GPT", CheckKind::close,
             "your model_logits with your trained parameters equals the library's GPT loaded with them, on a held-out "
             "sequence of 64 characters",
             [](const Context& ctx) {
               const auto& last = snapshots(ctx).back();
               const std::vector<int> tokens(corpus().held_out.begin(), corpus().held_out.begin() + context);
               const xt::xarray<double> library = xt::cast<double>(loaded(last)->logits(nn::Tokens(tokens.begin(), tokens.end())));
               return workbook::close(student_logits(last, tokens), library, logits_tolerance(library));
             })
      .check("causal", CheckKind::property,
             "for random sequences of 2 to 64 characters, changing the characters after position i leaves your "
             "model_logits rows 0..i unchanged (your trained parameters)",
             [](const Context& ctx) {
               const auto& last = snapshots(ctx).back();
               return workbook::property(ctx.seed_for("a-causal"), [&last] {
                 const auto length = *rc::gen::inRange<std::size_t>(2, context + 1);
                 const auto cut = *rc::gen::inRange<std::size_t>(0, length - 1);  // rows 0..cut stay
                 auto rng = workbook::oracle::property_rng();
                 const auto tokens = random_tokens(length, rng);
                 auto changed = tokens;
                 const auto later = random_tokens(length - cut - 1, rng);
                 std::copy(later.begin(), later.end(), changed.begin() + std::ptrdiff_t(cut + 1));
                 const xt::xarray<double> before = xt::view(student_logits(last, tokens), xt::range(0, cut + 1));
                 const xt::xarray<double> after = xt::view(student_logits(last, changed), xt::range(0, cut + 1));
                 RC_ASSERT(workbook::close(after, before, logits_tolerance(before)).status == workbook::Status::pass);
               }, {20, 100});
             });
}

void part_b(workbook::Exercise& ex) {
  ex.part("b", 3, R"(Train it on next-character prediction over the first 10,000 characters of tiny Shakespeare
(data/tinyshakespeare.txt; the vocabulary is the distinct characters of its first 12,000). An epoch cuts the text into
windows of 65 characters starting at 0, 64, 128, ... (every window that fits), shuffles their order, and takes them
`batch` at a time (the last batch may be smaller): each window gives 64 next-character targets. Use AdamW at the
plan's constant learning rate (betas 0.9 and 0.99, weight decay 0.1 on matrices, none on vectors) and return the
snapshots the plan asks for (here one after every epoch). Quick budget: 6 epochs of batches of 8 at learning rate 2e-3. The checks score
your parameters in the library's GPT on the next 2,000 characters, which your program never sees, after every epoch.
The best of those losses must be at least half a nat below what letter frequencies alone achieve: the cross-entropy
of the held-out characters under the training text's character counts (each count plus one).)")
      .check("beats letter frequencies", CheckKind::property,
             "the lowest held-out loss of your snapshots is at least 0.5 nats below the letter-frequency cross-entropy",
             [](const Context& ctx) {
               const auto& losses = held_out_losses(ctx);
               const auto best = std::min_element(losses.begin(), losses.end());
               const double bar = unigram_bar() - 0.5;
               return workbook::holds(*best < bar, *best,
                                      "the lowest held-out loss is " + std::to_string(*best) + " nats (epoch " +
                                          std::to_string(snapshots(ctx)[std::size_t(best - losses.begin())].epoch) +
                                          "); the bar is " + std::to_string(bar));
             })
      .check("loss falls", CheckKind::property,
             "the lowest held-out loss of the later snapshots is below the held-out loss after the first epoch",
             [](const Context& ctx) {
               const auto& losses = held_out_losses(ctx);
               if (losses.size() < 2) throw workbook::WrongResult("train_char_lm returned fewer than two snapshots");
               const double later = *std::min_element(losses.begin() + 1, losses.end());
               return workbook::holds(later < losses.front(), nlohmann::json::array({losses.front(), later}),
                                      "the held-out loss after epoch 1 was " + std::to_string(losses.front()) +
                                          " nats and never fell below it (lowest later: " + std::to_string(later) + ")");
             });
}

void part_c(workbook::Exercise& ex) {
  auto& c = ex.part("c", 3, R"(Write the sampler: sample_next turns logits into a token by temperature sampling, with
the random number u supplied, so that the same u gives the same token. Temperature 0 means greedy decoding. Show
the two limits on your sampler: as the temperature falls to 0 it picks the most likely token whatever u is, and as
it grows without bound every token becomes equally likely (the token is then the one whose interval of width 1/vocab
holds u).)");
  c.check("inverse CDF", CheckKind::property,
          "for random logits over 2 to 12 tokens, temperatures 0.25 to 4 and u in [0, 1), your token is the first whose "
          "cumulative probability exceeds u (u within 1e-5 of a boundary is redrawn)",
          [](const Context& ctx) {
            return workbook::property(ctx.seed_for("c-cdf"), [] {
              const auto vocab = *rc::gen::inRange<std::size_t>(2, 13);
              const double temperature = *rc::gen::element(0.25, 0.5, 1.0, 2.0, 4.0);
              auto rng = workbook::oracle::property_rng();
              std::normal_distribution<double> normal(0.0, 3.0);
              std::vector<double> logits(vocab);
              for (auto& l : logits) l = normal(rng);
              double u = 0;
              do u = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
              while (distance_to_boundary(logits, temperature, u) < undecidable);
              RC_ASSERT(student_sample(logits, temperature, u) == oracle_sample(logits, temperature, u));
            });
          });
  c.check("cold is greedy", CheckKind::property,
          "at temperature 0, and at 1e-3 with logits at least 0.05 apart, every u gives the most likely token (the "
          "lowest id among equal logits at temperature 0)",
          [](const Context& ctx) {
            return workbook::property(ctx.seed_for("c-greedy"), [] {
              const auto vocab = *rc::gen::inRange<std::size_t>(2, 13);
              auto rng = workbook::oracle::property_rng();
              std::vector<double> logits(vocab);
              std::iota(logits.begin(), logits.end(), 0.0);
              for (auto& l : logits) l *= 0.05;
              std::shuffle(logits.begin(), logits.end(), rng);
              const auto best = int(std::max_element(logits.begin(), logits.end()) - logits.begin());
              const double u = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
              RC_ASSERT(student_sample(logits, 1e-3, u) == best);
              RC_ASSERT(student_sample(logits, 0.0, u) == best);
              logits.push_back(logits[std::size_t(best)]);  // a tie with a later token
              RC_ASSERT(student_sample(logits, 0.0, u) == best);
            });
          });
  c.check("hot is uniform", CheckKind::property,
          "at temperature 1e9 the token is floor(u * vocab) for logits within 10 of each other (u within 1e-6 of a "
          "multiple of 1/vocab is redrawn)",
          [](const Context& ctx) {
            return workbook::property(ctx.seed_for("c-uniform"), [] {
              const auto vocab = *rc::gen::inRange<std::size_t>(2, 13);
              auto rng = workbook::oracle::property_rng();
              std::vector<double> logits(vocab);
              for (auto& l : logits) l = std::uniform_real_distribution<double>(-5.0, 5.0)(rng);
              double u = 0;
              do u = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
              while (std::abs(u * double(vocab) - std::round(u * double(vocab))) < 1e-6 * double(vocab));
              RC_ASSERT(student_sample(logits, 1e9, u) == int(u * double(vocab)));
            });
          });
  c.check("in the model", CheckKind::property,
          "100 characters from your trained model at temperature 0.8: every token your sampler picks is the "
          "inverse-CDF rule's for the same u (shown: the text)",
          [](const Context& ctx) {
            auto model = loaded(snapshots(ctx).back());
            auto rng = ctx.rng("c-model");
            int disagreements = 0;
            const auto text = generate(*model, prompt(), 100, rng, [&](const std::vector<double>& l, double u) {
              const int token = student_sample(l, 0.8, u);
              if (token != oracle_sample(l, 0.8, u) && distance_to_boundary(l, 0.8, u) >= undecidable) ++disagreements;
              return token;
            });
            return workbook::holds(disagreements == 0, decoded(text),
                                   std::to_string(disagreements) + " of 100 tokens differ from the inverse-CDF rule's");
          });
  c.hint("Subtract the largest logit before exponentiating, divide by the temperature, normalise, then walk the "
         "cumulative sum from token 0 until it passes u.");
}

void part_d(workbook::Exercise& ex) {
  ex.part("d", 1, R"(Plot the training loss and the held-out loss (figure `loss`) and look at text sampled at
temperature 0.8 after epochs 1, 10 and 50 (--full; the quick run shows epochs 1 and 6). How does the generated text
change as training goes on: which regularities of the text appear first, and which come late or not at all at this
size? Does the held-out loss agree with your impression of the samples, and what does that say about 50 epochs over
10,000 characters?)")
      .check("samples", CheckKind::property,
             "200 characters sampled with your sampler at temperature 0.8 after the epochs the part names, all of them "
             "tokens of the vocabulary (shown in the report)",
             [](const Context& ctx) {
               nlohmann::json shown = nlohmann::json::object();
               for (const int epoch : sample_epochs(ctx)) {
                 const auto& snapshot = snapshots(ctx).at(std::size_t(epoch - 1));
                 auto model = loaded(snapshot);
                 auto rng = ctx.rng("d-samples");
                 const auto text = generate(*model, prompt(), 200, rng, [](const std::vector<double>& l, double u) {
                   return student_sample(l, 0.8, u);
                 });
                 shown["epoch " + std::to_string(snapshot.epoch)] = decoded(text);
               }
               return workbook::holds(true, shown, "");
             })
      .manual(2);
}

// The loss each step of your training reported, and the library's held-out loss of each snapshot at its step.
workbook::Plot loss_figure(const Context& ctx) {
  const auto& s = snapshots(ctx);
  workbook::Series reported{"training loss, as your training reports it", {}, {}, workbook::Series::Style::lines};
  for (std::size_t i = 0; i < s.back().step_losses.size(); ++i) {
    reported.x.push_back(double(i + 1));
    reported.y.push_back(s.back().step_losses[i]);
  }
  workbook::Series held_out{"held-out loss in the library's GPT, after each epoch", {}, held_out_losses(ctx),
                            workbook::Series::Style::linespoints};
  for (const auto& snapshot : s) held_out.x.push_back(double(snapshot.step_losses.size()));
  workbook::Series bar{"letter frequencies, on the held-out text", {1, reported.x.back()}, {unigram_bar(), unigram_bar()},
                       workbook::Series::Style::lines};
  auto plot = workbook::xy_plot("A character-level GPT on tiny Shakespeare", "step", "cross-entropy (nats)",
                                {reported, held_out, bar});
  plot.measured = true;
  return plot;
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "A character-level language model";
  ex.stars = 3;
  ex.tags = {workbook::Tag::implementation, workbook::Tag::proof, workbook::Tag::conceptual, workbook::Tag::plot};
  ex.statement = R"(Here the whole model is yours: a small decoder-only transformer that reads characters and
predicts the next one, built from the nn library's blocks, layers and optimiser (what the kit offers is listed in
the interface), trained by your own loop, and sampled with your own temperature sampler. Your program returns the
trained parameters; the checks put them into the library's GPT and judge that model on text your program never
sees, so the verdict never rests on a number your program reports. The model: vocabulary as in part (b), context of
64 characters, 2 blocks of 4 heads, width 64, feed-forward width 256, no dropout.)";
  ex.timeout_seconds = 60;
  part_a(ex);
  part_b(ex);
  part_c(ex);
  part_d(ex);
  ex.plot("loss",
          "The loss of every training step as the solution reports it, the held-out loss of each snapshot in the "
          "library's GPT, and the letter-frequency bar.",
          loss_figure);
}
