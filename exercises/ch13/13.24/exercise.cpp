// 13.24: a tiny encoder-only transformer, pretrained as a masked language model, then fine-tuned to classify reviews
// as positive or negative. The student writes two pieces: the masking that makes every pretraining batch (BERT's
// 15% with 80/10/10), and the classification head on the [CLS] row, forward and backward. Expected values: for the
// masking, properties (padding untouched, targets where and only where a token was chosen) and its rates over many
// draws within five binomial standard errors of the statement's; for the head, a plain-loop head in double, central
// differences of it, and the nn library's own encoder (nn::Encoder, whose class logits read the [CLS] row).
//
// Then the student's masking runs inside the pretraining: nn::Encoder is pretrained here, every batch masked by the
// student's mask_tokens through the channel, fine-tuned on a few labelled reviews and scored on held-out reviews that
// the solution never sees. The reviews always arrive as an aclImdb folder read by nn::read_imdb: a seeded synthetic
// set written to a scratch folder, or the real IMDB set with --full --data PATH. --full compares held-out accuracy
// with and without pretraining for several numbers of labelled reviews.

#include "ch13/13.24/interface.hpp"

#include <algorithm>
#include <chrono>
#include <cctype>
#include <cmath>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <numeric>
#include <stdexcept>
#include <tuple>

#include <unistd.h>

#include "nn/data_loader.hpp"
#include "nn/encoder.hpp"
#include "nn/imdb.hpp"
#include "nn/optim.hpp"
#include "nn/train_log.hpp"
#include "workbook/exercise.hpp"
#include "workbook/oracle/finite_difference.hpp"
#include "workbook/oracle/float_inputs.hpp"
#include "workbook/oracle/random.hpp"
#include "workbook/oracle/statistics.hpp"
#include "workbook/plot.hpp"
#include "workbook/tolerances.hpp"

namespace {

using workbook::oracle::rounded_to_float;
using workbook::CheckKind;
using workbook::CheckResult;
using workbook::Context;
using workbook::oracle::Matrix;
using workbook::oracle::Vector;

// ---- the masking: properties and rates ---------------------------------------------------------------------------

constexpr int no_target = -1;  // the interface's "nothing asked here"
static_assert(no_target == nn::ignore_index, "the encoder's loss must skip the positions the interface leaves empty");

struct MaskingInput {
  std::vector<int> tokens;
  std::size_t batch = 0, time = 0;
  std::vector<std::size_t> lengths;
  int vocab = 0, mask_token = 0;
  double rate = 0;
};

// Tokens drawn from the vocabulary without the mask token (a real text never holds [MASK]); lengths from 0 to time.
MaskingInput random_masking_input(std::size_t batch, std::size_t time, int vocab, double rate, std::mt19937_64& rng) {
  MaskingInput in{{}, batch, time, {}, vocab, vocab - 1, rate};
  std::uniform_int_distribution<int> token(0, vocab - 2);
  std::uniform_int_distribution<std::size_t> length(0, time);
  for (std::size_t i = 0; i < batch * time; ++i) in.tokens.push_back(token(rng));
  for (std::size_t b = 0; b < batch; ++b) in.lengths.push_back(length(rng));
  return in;
}

ch13_24::MaskedBatch student_mask(const MaskingInput& in, std::mt19937_64& rng) {
  auto out = ch13_24::mask_tokens(in.tokens, in.batch, in.time, in.lengths, in.vocab, in.mask_token, in.rate, rng);
  workbook::require_shape("mask_tokens (inputs)", std::vector<std::size_t>{out.inputs.size()}, {in.tokens.size()});
  workbook::require_shape("mask_tokens (targets)", std::vector<std::size_t>{out.targets.size()}, {in.tokens.size()});
  return out;
}

bool is_real(const MaskingInput& in, std::size_t i) { return i % in.time < in.lengths[i / in.time]; }

// The first position that breaks `rule`, as a message, or empty.
template <class Rule>
std::string first_violation(const MaskingInput& in, const ch13_24::MaskedBatch& out, Rule rule) {
  for (std::size_t i = 0; i < in.tokens.size(); ++i)
    if (const std::string why = rule(i); !why.empty())
      return "sequence " + std::to_string(i / in.time) + ", position " + std::to_string(i % in.time) + " (length " +
             std::to_string(in.lengths[i / in.time]) + "): token " + std::to_string(in.tokens[i]) + ", input " +
             std::to_string(out.inputs[i]) + ", target " + std::to_string(out.targets[i]) + ": " + why;
  return {};
}

// Padding: input unchanged, no target.
std::string padding_violation(const MaskingInput& in, const ch13_24::MaskedBatch& out) {
  return first_violation(in, out, [&](std::size_t i) -> std::string {
    if (is_real(in, i)) return {};
    if (out.inputs[i] != in.tokens[i]) return "a padding position's input changed";
    if (out.targets[i] != no_target) return "a padding position has a target";
    return {};
  });
}

// Real positions: no target and the token kept, or the token as target and an input inside the vocabulary.
std::string target_violation(const MaskingInput& in, const ch13_24::MaskedBatch& out) {
  return first_violation(in, out, [&](std::size_t i) -> std::string {
    if (!is_real(in, i)) return {};
    if (out.targets[i] == no_target)
      return out.inputs[i] == in.tokens[i] ? "" : "the input changed at a position with no target";
    if (out.targets[i] != in.tokens[i]) return "the target is not the original token";
    if (out.inputs[i] < 0 || out.inputs[i] >= in.vocab) return "the input is outside the vocabulary";
    return {};
  });
}

MaskingInput property_masking_input() {
  const auto batch = *rc::gen::inRange<std::size_t>(1, 5);
  const auto time = *rc::gen::inRange<std::size_t>(1, 13);
  const auto vocab = *rc::gen::inRange(3, 31);
  const double rate = double(*rc::gen::inRange(5, 96)) / 100;
  auto rng = workbook::oracle::property_rng();
  return random_masking_input(batch, time, vocab, rate, rng);
}

CheckResult holds_everywhere(std::uint64_t seed, std::string (*violation)(const MaskingInput&, const ch13_24::MaskedBatch&)) {
  return workbook::property(seed, [violation] {
    const auto in = property_masking_input();
    auto rng = workbook::oracle::property_rng();
    if (const std::string why = violation(in, student_mask(in, rng)); !why.empty()) RC_FAIL(why);
  });
}

// Counts over many batches: real positions, chosen ones (with a target), and what a chosen input became.
struct MaskCounts {
  double real = 0, chosen = 0, masked = 0, kept = 0, replaced = 0, outside = 0;  // outside: inputs not in the vocabulary
};

constexpr std::size_t rate_batches = 30, rate_batch = 64, rate_time = 24;
constexpr int rate_vocab = 20;
constexpr double rate_chosen = 0.15;

MaskCounts count_masks(const Context& ctx) {
  auto data_rng = ctx.rng("a-rates");
  auto mask_rng = ctx.rng("a-rates-mask");  // passed again for every batch, as the pretraining does
  MaskCounts n;
  for (std::size_t call = 0; call < rate_batches; ++call) {
    const auto in = random_masking_input(rate_batch, rate_time, rate_vocab, rate_chosen, data_rng);
    const auto out = student_mask(in, mask_rng);
    for (std::size_t i = 0; i < in.tokens.size(); ++i) {
      if (!is_real(in, i)) continue;
      n.real += 1;
      if (out.targets[i] == no_target) continue;
      n.chosen += 1;
      if (out.inputs[i] == in.mask_token) n.masked += 1;
      else if (out.inputs[i] == in.tokens[i]) n.kept += 1;
      else n.replaced += 1;
      if (out.inputs[i] < 0 || out.inputs[i] >= in.vocab) n.outside += 1;
    }
  }
  return n;
}

// Whether `count` of `trials` is within five binomial standard errors of probability p.
std::string rate_mismatch(const std::string& what, double count, double trials, double p) {
  if (trials == 0) return what + ": no trials";
  const double measured = count / trials, bound = 5 * std::sqrt(p * (1 - p) / trials);
  if (std::abs(measured - p) <= bound) return {};
  return what + " is " + std::to_string(measured) + " over " + std::to_string(std::size_t(trials)) +
         " trials, more than five standard errors (" + std::to_string(bound) + ") from the rate the statement implies";
}

CheckResult rates_match(const Context& ctx) {
  const MaskCounts n = count_masks(ctx);
  if (n.outside > 0)
    return workbook::holds(false, n.outside, std::to_string(std::size_t(n.outside)) +
                                                 " chosen inputs are outside the vocabulary 0 .. " +
                                                 std::to_string(rate_vocab - 1));
  // A random token is the mask token with probability 1/V and the original token with probability 1/V.
  const double v = rate_vocab;
  for (const auto& why : {rate_mismatch("the fraction of real positions given a target", n.chosen, n.real, rate_chosen),
                          rate_mismatch("the fraction of chosen inputs that became the mask token", n.masked, n.chosen,
                                        0.8 + 0.1 / v),
                          rate_mismatch("the fraction of chosen inputs left as they were", n.kept, n.chosen, 0.1 + 0.1 / v),
                          rate_mismatch("the fraction of chosen inputs replaced by another token", n.replaced, n.chosen,
                                        0.1 * (v - 2) / v)})
    if (!why.empty()) return workbook::holds(false, n.chosen / n.real, why);
  return workbook::holds(true, n.chosen / n.real, "");  // shown: the chosen fraction
}

// The rng comes back advanced: two batches in a row from the same rng are masked differently.
CheckResult fresh_draws(const Context& ctx) {
  auto data_rng = ctx.rng("a-fresh");
  const auto in = random_masking_input(rate_batch, rate_time, rate_vocab, rate_chosen, data_rng);
  auto mask_rng = ctx.rng("a-fresh-mask");
  const auto first = student_mask(in, mask_rng);
  const auto second = student_mask(in, mask_rng);
  return workbook::holds(first.targets != second.targets || first.inputs != second.inputs, "",
                         "two calls with the rng your previous call sent back chose exactly the same positions: draw "
                         "from the rng you are given, so that every pretraining batch is masked afresh");
}

// ---- the head: a plain-loop oracle in double -----------------------------------------------------------------------

Matrix oracle_logits(const Matrix& hidden, std::size_t time, const Matrix& weight, const Vector& bias) {
  const std::size_t batch = hidden.shape(0) / time;
  Matrix logits = xt::zeros<double>({batch, weight.shape(0)});
  for (std::size_t b = 0; b < batch; ++b)
    for (std::size_t k = 0; k < weight.shape(0); ++k) {
      logits(b, k) = bias(k);
      for (std::size_t c = 0; c < weight.shape(1); ++c) logits(b, k) += weight(k, c) * hidden(b * time, c);
    }
  return logits;
}

// The largest sum of |terms| of a logit: the scale float's rounding of the head is relative to.
double logit_term_scale(const Matrix& hidden, const Matrix& weight, const Vector& bias) {
  return workbook::tolerance::largest_magnitude(oracle_logits(xt::abs(hidden), 1, xt::abs(weight), xt::abs(bias)));
}

ch13_24::Matrix floats(const Matrix& x) { return xt::cast<float>(x); }
ch13_24::Vector floats(const Vector& x) { return xt::cast<float>(x); }

struct HeadInputs {
  std::size_t time;
  Matrix hidden, weight;
  Vector bias;
  Matrix dlogits;
};

// 3 sequences of 5 positions, width 8, 2 classes; drawn in double and rounded to float, so both sides see the same.
HeadInputs head_inputs(const Context& ctx, const std::string& stream) {
  auto rng = ctx.rng(stream);
  const std::size_t batch = 3, time = 5, width = 8, classes = 2;
  const auto draw = [&](std::size_t rows, std::size_t cols) {
    return rounded_to_float(workbook::oracle::gaussian_matrix(rows, cols, rng));
  };
  return {time, draw(batch * time, width), draw(classes, width), Vector(xt::row(draw(1, classes), 0)),
          draw(batch, classes)};
}

xt::xarray<double> student_logits(const HeadInputs& in) {
  const auto out = ch13_24::class_logits(floats(in.hidden), in.time, floats(in.weight), floats(in.bias));
  workbook::require_shape("class_logits", out, {in.hidden.shape(0) / in.time, in.weight.shape(0)});
  return out;
}

CheckResult head_forward_matches(const HeadInputs& in) {
  return workbook::close(student_logits(in), oracle_logits(in.hidden, in.time, in.weight, in.bias),
                         workbook::tolerance::float_sums(logit_term_scale(in.hidden, in.weight, in.bias)));
}

CheckResult head_backward_matches(const HeadInputs& in) {
  const auto g = ch13_24::class_logits_backward(floats(in.dlogits), floats(in.hidden), in.time, floats(in.weight));
  workbook::require_shape("class_logits_backward (dhidden)", g.dhidden, {in.hidden.shape(0), in.hidden.shape(1)});
  workbook::require_shape("class_logits_backward (dweight)", g.dweight, {in.weight.shape(0), in.weight.shape(1)});
  workbook::require_shape("class_logits_backward (dbias)", g.dbias, {in.bias.shape(0)});
  using workbook::oracle::numerical_gradient;
  const auto loss = [&](const Matrix& h, const Matrix& w, const Vector& b) {
    return double(xt::sum(in.dlogits * oracle_logits(h, in.time, w, b))());
  };
  const auto expected = workbook::oracle::end_to_end(
      numerical_gradient(in.hidden, [&](const Matrix& h) { return loss(h, in.weight, in.bias); }),
      numerical_gradient(in.weight, [&](const Matrix& w) { return loss(in.hidden, w, in.bias); }),
      numerical_gradient(in.bias, [&](const Vector& b) { return loss(in.hidden, in.weight, b); }));
  return workbook::close(workbook::oracle::end_to_end(g.dhidden, g.dweight, g.dbias), expected,
                         workbook::tolerance::float_sums(workbook::tolerance::largest_magnitude(expected)));
}

// The library's encoder (reading its [CLS] row) on padded sequences: its class logits against the student's head
// applied to its hidden rows with its head's weights.
CheckResult head_matches_encoder(const Context& ctx) {
  nn::EncoderConfig config;
  config.vocab_size = 20;
  config.context = 8;
  config.n_layer = 1;
  config.n_head = 2;
  config.n_embd = 16;
  config.n_classes = 3;
  nn::Encoder<float> encoder(config, ctx.seed_for("b-encoder"));
  auto rng = ctx.rng("b-encoder-tokens");
  const auto in = random_masking_input(4, config.context, int(config.vocab_size), 0, rng);
  std::vector<std::size_t> lengths = in.lengths;
  for (auto& l : lengths) l = std::max<std::size_t>(l, 1);  // every sequence has its [CLS]
  encoder.forward(in.tokens, in.batch, in.time, lengths);
  ch13_24::Matrix weight = xt::zeros<float>({config.n_classes, config.n_embd});
  ch13_24::Vector bias = xt::zeros<float>({config.n_classes});
  for (const auto& p : encoder.parameters())
    if (p.name == "cls_head.weight") std::copy_n(p.value, weight.size(), weight.data());
    else if (p.name == "cls_head.bias") std::copy_n(p.value, bias.size(), bias.data());
  const auto got = ch13_24::class_logits(encoder.hidden(), in.time, weight, bias);
  workbook::require_shape("class_logits", got, {in.batch, config.n_classes});
  return workbook::close(xt::cast<double>(got), xt::cast<double>(encoder.cls_logits()),
                         workbook::tolerance::float_sums(logit_term_scale(
                             xt::cast<double>(encoder.hidden()), xt::cast<double>(weight), xt::cast<double>(bias))));
}

// ---- the reviews: a seeded synthetic set in the aclImdb layout -----------------------------------------------------

// A review draws most words from a neutral list and about one in five from the two sentiment lists, mostly from its
// own side's. Within a side the words are used unevenly (weight 1 / rank), so that a few labelled reviews show the
// rare ones seldom or never, while the unlabelled reviews of the pretraining show every one beside its side's others.
const std::vector<std::string> neutral_words{
    "the",   "a",      "film",   "movie",  "plot",      "actor", "scene", "story",  "was",   "is",
    "and",   "of",     "this",   "it",     "to",        "in",    "cast",  "ending", "music", "camera",
    "script", "role",  "time",   "hero",   "director",  "very",  "quite", "really", "but",   "so",
    "with",  "its",    "sequel", "plays",  "character", "year",  "watch", "saw",    "felt",  "seemed"};
const std::vector<std::string> positive_words{
    "good",     "great",  "superb",  "lovely",  "brilliant", "moving",  "fun",      "charming",
    "wonderful", "clever", "gripping", "delightful", "touching", "witty", "stunning", "elegant",
    "joyful",   "vivid",  "tender",  "masterful", "warm",   "fresh",    "rich",     "sublime"};
const std::vector<std::string> negative_words{
    "bad",    "awful",  "dull",   "boring", "weak",    "clumsy",  "tedious", "poor",
    "terrible", "bland", "messy", "dreadful", "lifeless", "stale", "hollow", "shallow",
    "trite", "sloppy", "grating", "limp",  "murky",  "flat",    "cheap",   "silly"};

struct ReviewShape {
  std::size_t min_words = 10, max_words = 22;
  double sentiment_share = 0.25;  // of a review's words
  double own_side = 0.9;          // of its sentiment words
};

std::string synthetic_review(int label, const ReviewShape& shape, std::mt19937_64& rng) {
  std::vector<double> by_rank(positive_words.size());
  for (std::size_t r = 0; r < by_rank.size(); ++r) by_rank[r] = 1.0 / double(r + 1);
  std::discrete_distribution<std::size_t> sentiment_word(by_rank.begin(), by_rank.end());
  std::uniform_int_distribution<std::size_t> neutral(0, neutral_words.size() - 1);
  std::uniform_int_distribution<std::size_t> words(shape.min_words, shape.max_words);
  std::bernoulli_distribution sentiment(shape.sentiment_share), own(shape.own_side);
  std::string text;
  for (std::size_t w = words(rng); w > 0; --w) {
    std::string word = neutral_words[neutral(rng)];
    if (sentiment(rng)) word = ((label == 1) == own(rng) ? positive_words : negative_words)[sentiment_word(rng)];
    text += (text.empty() ? "" : " ") + word;
  }
  return text + ".";
}

// count reviews, half of each label: the negative ones first, as the reader gives them.
nn::ImdbData synthetic_split(std::size_t count, const ReviewShape& shape, std::mt19937_64& rng) {
  nn::ImdbData data;
  for (const int label : {0, 1})
    for (std::size_t i = 0; i < count / 2; ++i) {
      data.texts.push_back(synthetic_review(label, shape, rng));
      data.labels.push_back(label);
    }
  return data;
}

// folder/{neg,pos}/<i>_<rating>.txt, as the archive names its reviews.
void write_split(const std::filesystem::path& folder, const nn::ImdbData& data) {
  for (std::size_t i = 0; i < data.texts.size(); ++i) {
    const bool positive = data.labels[i] == 1;
    const auto class_folder = folder / (positive ? "pos" : "neg");
    std::filesystem::create_directories(class_folder);
    std::ofstream(class_folder / (std::to_string(i) + (positive ? "_8.txt" : "_2.txt"))) << data.texts[i];
  }
}

// ---- words to tokens ---------------------------------------------------------------------------------------------

constexpr int pad_token = 0, unknown_token = 1, cls_token = 2, mask_token = 3, first_word_token = 4;

// Lower-case runs of letters, digits and apostrophes; the archive's "<br />" line breaks are spaces.
std::vector<std::string> words_of(std::string text) {
  for (std::size_t at = text.find("<br />"); at != std::string::npos; at = text.find("<br />", at)) text.replace(at, 6, " ");
  std::vector<std::string> words;
  std::string word;
  for (const char ch : text + " ") {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '\'') word += char(std::tolower(c));
    else if (!word.empty()) words.push_back(std::move(word)), word.clear();
  }
  return words;
}

// A word vocabulary from the training reviews: the most frequent words seen at least twice, most frequent first
// (ties in alphabetical order), after the four special tokens.
class WordVocabulary {
 public:
  WordVocabulary(const std::vector<std::string>& texts, std::size_t max_words) {
    std::map<std::string, std::size_t> counts;
    for (const auto& text : texts)
      for (const auto& word : words_of(text)) ++counts[word];
    std::vector<std::pair<std::string, std::size_t>> ranked(counts.begin(), counts.end());
    std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    for (const auto& [word, count] : ranked)
      if (count >= 2 && ids_.size() < max_words) ids_.emplace(word, first_word_token + int(ids_.size()));
  }
  int size() const { return first_word_token + int(ids_.size()); }
  int id(const std::string& word) const {
    const auto hit = ids_.find(word);
    return hit == ids_.end() ? unknown_token : hit->second;
  }

 private:
  std::map<std::string, int> ids_;
};

// Reviews as rows of word tokens: (count, words) padded with pad_token, each review's first `words` words.
struct WordRows {
  nn::Tokens tokens;
  std::vector<std::size_t> lengths;
  nn::Tokens labels;
  std::size_t words = 0;
  std::size_t count() const { return lengths.size(); }
};

WordRows word_rows(const nn::ImdbData& data, const WordVocabulary& vocabulary, std::size_t words) {
  WordRows rows{{}, {}, data.labels, words};
  for (const auto& text : data.texts) {
    const auto review = words_of(text);
    const std::size_t length = std::min(words, review.size());
    for (std::size_t w = 0; w < words; ++w) rows.tokens.push_back(w < length ? vocabulary.id(review[w]) : pad_token);
    rows.lengths.push_back(length);
  }
  return rows;
}

// Words in the longest review: no row needs more (a small set read with --data has short reviews).
std::size_t longest_review(const nn::ImdbData& data) {
  std::size_t longest = 0;
  for (const auto& text : data.texts) longest = std::max(longest, words_of(text).size());
  return longest;
}

// The encoder's batch: [CLS] then the words, key lengths counting [CLS]; the rows named by indices.
struct EncoderBatch {
  nn::Tokens tokens, word_tokens;
  std::vector<std::size_t> key_lengths, word_lengths;
  nn::Tokens labels;
  std::size_t size = 0, time = 0;
};

EncoderBatch encoder_batch(const WordRows& rows, const std::vector<std::size_t>& indices) {
  EncoderBatch e{{}, {}, {}, {}, {}, indices.size(), rows.words + 1};
  for (const auto i : indices) {
    const auto first = rows.tokens.begin() + std::ptrdiff_t(i * rows.words);
    e.word_tokens.insert(e.word_tokens.end(), first, first + std::ptrdiff_t(rows.words));
    e.tokens.push_back(cls_token);
    e.tokens.insert(e.tokens.end(), first, first + std::ptrdiff_t(rows.words));
    e.word_lengths.push_back(rows.lengths[i]);
    e.key_lengths.push_back(rows.lengths[i] + 1);
    e.labels.push_back(rows.labels[i]);
  }
  return e;
}

// [CLS] prepended to the student's masked words: [CLS] is never masked and has no target.
void put_masked_words(const ch13_24::MaskedBatch& masked, EncoderBatch& e, nn::Tokens& targets) {
  const std::size_t words = e.time - 1;
  targets.assign(e.size * e.time, no_target);
  for (std::size_t b = 0; b < e.size; ++b)
    for (std::size_t w = 0; w < words; ++w) {
      e.tokens[b * e.time + 1 + w] = masked.inputs[b * words + w];
      targets[b * e.time + 1 + w] = masked.targets[b * words + w];
    }
}

// ---- the experiment ----------------------------------------------------------------------------------------------

// Quick: 1200 synthetic training reviews (all for pretraining, 128 of them labelled), 400 held out; a 2-layer
// encoder of width 32 over [CLS] and 15 words, 200 pretraining steps of 32 reviews, 100 fine-tuning steps of 16.
// Full: 8000 training reviews, 4000 held out, width 64, 3000 pretraining steps, fine-tuning on 32, 128 and 512
// labelled reviews (400 steps of 16), each with and without pretraining. IMDB (--data): its 25000 + 25000 reviews cut
// to 255 words, a 10000-word vocabulary, 2000 pretraining steps, fine-tuning on 256, 2000 and 25000 labelled reviews
// (500 steps of 32); about an hour on the 2-core machine, most of it attention over 256 positions.
struct Budget {
  std::size_t train_reviews, test_reviews;
  std::vector<std::size_t> labelled;  // fine-tuning set sizes (quick: one)
  std::size_t words, max_vocab, n_layer, n_embd, n_head;  // words: the most a review keeps
  std::size_t pretrain_steps, pretrain_batch, finetune_steps, finetune_batch;
  double pretrain_lr, finetune_lr;
};

Budget budget_for(const Context& ctx) {
  if (!ctx.full()) return {1200, 400, {128}, 15, 2000, 2, 32, 2, 200, 32, 100, 16, 3e-3, 2e-3};
  if (ctx.data()) return {0, 0, {256, 2000, 25000}, 255, 10000, 2, 64, 4, 2000, 32, 500, 32, 1e-3, 5e-4};
  return {8000, 4000, {32, 128, 512}, 22, 2000, 2, 64, 4, 3000, 32, 400, 16, 3e-3, 1e-3};
}

struct Reviews {
  nn::ImdbData train, test;
  std::string source;
};

// IMDB with --data; otherwise synthetic reviews, which --full writes as an aclImdb folder and reads back through the
// same reader (the quick budget keeps them in memory: writing a file per review would take much of its time).
Reviews reviews_for(const Context& ctx, const Budget& b) {
  if (ctx.full() && ctx.data())
    return {nn::read_imdb(*ctx.data(), nn::ImdbSplit::train), nn::read_imdb(*ctx.data(), nn::ImdbSplit::test),
            "IMDB from " + ctx.data()->string()};
  auto rng = ctx.rng("c-reviews");
  Reviews synthetic{synthetic_split(b.train_reviews, {}, rng), synthetic_split(b.test_reviews, {}, rng), "synthetic reviews"};
  if (!ctx.full()) return synthetic;
  const auto root = std::filesystem::temp_directory_path() /
                    ("workbook-13.24-" + std::to_string(::getpid()) + "-" + std::to_string(ctx.seed()));
  write_split(root / "aclImdb" / "train", synthetic.train);
  write_split(root / "aclImdb" / "test", synthetic.test);
  Reviews read{nn::read_imdb(root / "aclImdb", nn::ImdbSplit::train), nn::read_imdb(root / "aclImdb", nn::ImdbSplit::test),
               "synthetic reviews (an aclImdb folder)"};
  std::filesystem::remove_all(root);
  return read;
}

nn::EncoderConfig encoder_config(const Budget& b, std::size_t words, int vocab) {
  nn::EncoderConfig config;
  config.vocab_size = std::size_t(vocab);
  config.context = words + 1;
  config.n_layer = b.n_layer;
  config.n_head = b.n_head;
  config.n_embd = b.n_embd;
  config.n_classes = 2;
  config.pooling = nn::EncoderConfig::Pooling::first;
  return config;
}

// A --full run's progress bar (the quick budget shows none), fed with each step's loss and tokens.
class Progress {
 public:
  Progress(bool shown, const std::string& what, std::size_t steps) {
    if (!shown) return;
    std::cerr << what << ", " << steps << " steps\n";
    bar_ = std::make_unique<nn::ProgressBar>(std::cerr, steps);
  }
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;
  ~Progress() {
    if (bar_) bar_->finish();
  }
  void update(std::size_t steps_done, double loss, std::size_t tokens) {
    if (!bar_) return;
    tokens_ += double(tokens);
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start_;
    bar_->update(steps_done, loss, tokens_ / elapsed.count());
  }

 private:
  std::unique_ptr<nn::ProgressBar> bar_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  double tokens_ = 0;
};

// One pretraining batch: [CLS] and the masked words of each review, the targets, the key lengths.
struct MlmBatch {
  nn::Tokens tokens, targets;
  std::vector<std::size_t> key_lengths;
  std::size_t size = 0, time = 0;
};

template <class T>
std::vector<T> slice(const std::vector<T>& v, std::size_t first, std::size_t count) {
  return {v.begin() + std::ptrdiff_t(first), v.begin() + std::ptrdiff_t(first + count)};
}

// The encoder indexes its embedding table with the inputs and its softmax with the targets: an id outside the
// vocabulary stops the check here, named, instead of reaching the model.
void require_token_ids(const ch13_24::MaskedBatch& masked, int vocab) {
  for (std::size_t i = 0; i < masked.inputs.size(); ++i)
    if (masked.inputs[i] < 0 || masked.inputs[i] >= vocab || masked.targets[i] < no_target || masked.targets[i] >= vocab)
      throw std::runtime_error("mask_tokens returned input " + std::to_string(masked.inputs[i]) + " and target " +
                               std::to_string(masked.targets[i]) + " at position " + std::to_string(i) +
                               ": inputs must lie in 0 .. " + std::to_string(vocab - 1) + ", targets there or be -1");
}

// The next `count` pretraining batches, masked by the student in one call: a call through the channel costs more
// than masking a batch, so the pretraining asks for several at once.
std::vector<MlmBatch> masked_batches(const WordRows& rows, nn::ClassBatcher& batches, std::size_t count, int vocab,
                                     std::mt19937_64& mask_rng) {
  std::vector<std::size_t> sizes, indices;
  for (std::size_t k = 0; k < count; ++k) {
    const auto next = batches.next();
    sizes.push_back(next.size());
    indices.insert(indices.end(), next.begin(), next.end());
  }
  EncoderBatch e = encoder_batch(rows, indices);
  const auto masked = ch13_24::mask_tokens(e.word_tokens, e.size, rows.words, e.word_lengths, vocab, mask_token,
                                           rate_chosen, mask_rng);
  workbook::require_shape("mask_tokens (inputs)", std::vector<std::size_t>{masked.inputs.size()}, {e.word_tokens.size()});
  workbook::require_shape("mask_tokens (targets)", std::vector<std::size_t>{masked.targets.size()}, {e.word_tokens.size()});
  require_token_ids(masked, vocab);
  nn::Tokens targets;
  put_masked_words(masked, e, targets);
  std::vector<MlmBatch> out;
  for (std::size_t k = 0, first = 0; k < count; first += sizes[k], ++k)
    out.push_back({slice(e.tokens, first * e.time, sizes[k] * e.time), slice(targets, first * e.time, sizes[k] * e.time),
                   slice(e.key_lengths, first, sizes[k]), sizes[k], e.time});
  return out;
}

constexpr std::size_t batches_per_call = 10;

// Masked-language-model pretraining on every training review (labels unused), each batch masked by the student.
void pretrain(nn::Encoder<float>& model, const WordRows& rows, const Budget& b, int vocab, const Context& ctx) {
  nn::AdamWConfig adamw;
  adamw.lr = b.pretrain_lr;
  nn::AdamW<float> optimizer(model.parameters(), adamw);
  nn::ClassBatcher batches(rows.count(), std::min(b.pretrain_batch, rows.count()), ctx.seed_for("c-pretrain-batches"));
  auto mask_rng = ctx.rng("c-pretrain-mask");
  Progress progress(ctx.full(), "masked-LM pretraining", b.pretrain_steps);
  model.train(true);
  std::vector<MlmBatch> ready;
  for (std::size_t step = 0; step < b.pretrain_steps; ++step) {
    if (step % batches_per_call == 0)
      ready = masked_batches(rows, batches, std::min(batches_per_call, b.pretrain_steps - step), vocab, mask_rng);
    const MlmBatch& m = ready[step % batches_per_call];
    nn::zero_grads(optimizer.params());
    model.forward(m.tokens, m.size, m.time, m.key_lengths);
    const double loss = model.loss(m.targets, {});
    model.backward();
    optimizer.step();
    progress.update(step + 1, loss, m.size * m.time);
  }
  model.train(false);
}

void finetune(nn::Encoder<float>& model, const WordRows& labelled, const Budget& b, const Context& ctx) {
  nn::AdamWConfig adamw;
  adamw.lr = b.finetune_lr;
  nn::AdamW<float> optimizer(model.parameters(), adamw);
  nn::ClassBatcher batches(labelled.count(), std::min(b.finetune_batch, labelled.count()),
                           ctx.seed_for("c-finetune-batches"));
  Progress progress(ctx.full(), "fine-tuning on " + std::to_string(labelled.count()) + " labelled reviews",
                    b.finetune_steps);
  model.train(true);
  for (std::size_t step = 0; step < b.finetune_steps; ++step) {
    const EncoderBatch e = encoder_batch(labelled, batches.next());
    nn::zero_grads(optimizer.params());
    model.forward(e.tokens, e.size, e.time, e.key_lengths);
    const double loss = model.loss({}, e.labels);
    model.backward();
    optimizer.step();
    progress.update(step + 1, loss, e.size * e.time);
  }
  model.train(false);
}

double accuracy(nn::Encoder<float>& model, const WordRows& test) {
  std::size_t right = 0;
  for (std::size_t first = 0; first < test.count(); first += 256) {
    std::vector<std::size_t> indices(std::min<std::size_t>(256, test.count() - first));
    std::iota(indices.begin(), indices.end(), first);
    const EncoderBatch e = encoder_batch(test, indices);
    model.forward(e.tokens, e.size, e.time, e.key_lengths);
    const auto& logits = model.cls_logits();
    for (std::size_t r = 0; r < e.size; ++r) right += int(logits(r, 1) > logits(r, 0)) == e.labels[r];
  }
  return double(right) / double(test.count());
}

// The first n reviews of a seeded shuffle of the training set (the reader gives all negatives, then all positives).
WordRows labelled_subset(const WordRows& rows, std::size_t n, std::uint64_t seed) {
  std::vector<std::size_t> order(rows.count());
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(seed);
  std::shuffle(order.begin(), order.end(), rng);
  order.resize(std::min(n, order.size()));
  WordRows out{{}, {}, {}, rows.words};
  for (const auto i : order) {
    const auto first = rows.tokens.begin() + std::ptrdiff_t(i * rows.words);
    out.tokens.insert(out.tokens.end(), first, first + std::ptrdiff_t(rows.words));
    out.lengths.push_back(rows.lengths[i]);
    out.labels.push_back(rows.labels[i]);
  }
  return out;
}

// The budget's labelled set sizes that a training set of `available` reviews allows, each once.
std::vector<std::size_t> labelled_sizes(const Budget& b, std::size_t available) {
  std::vector<std::size_t> sizes;
  for (const auto n : b.labelled)
    if (sizes.empty() || sizes.back() < std::min(n, available)) sizes.push_back(std::min(n, available));
  return sizes;
}

struct Comparison {
  std::string source;
  std::size_t test_count = 0;
  std::vector<std::size_t> labelled;
  std::vector<double> pretrained, from_scratch;  // held-out accuracy per labelled size
};

// Quick: the pretrained model only. Full: with and without pretraining for every labelled size (from the same
// initial weights and batches). Cached per (seed, budget), so that checks and figure read the same run.
Comparison run_experiment(const Context& ctx) {
  static std::map<std::tuple<std::uint64_t, bool>, Comparison> cache;
  const std::tuple<std::uint64_t, bool> key{ctx.seed(), ctx.full()};
  if (const auto hit = cache.find(key); hit != cache.end()) return hit->second;
  const Budget b = budget_for(ctx);
  const Reviews reviews = reviews_for(ctx, b);
  if (ctx.full() && !ctx.data()) std::cerr << "no --data PATH given: the encoder trains on synthetic reviews, not IMDB\n";
  const WordVocabulary vocabulary(reviews.train.texts, b.max_vocab);
  const std::size_t words = std::min(b.words, std::max(longest_review(reviews.train), longest_review(reviews.test)));
  const WordRows train = word_rows(reviews.train, vocabulary, words);
  const WordRows test = word_rows(reviews.test, vocabulary, words);
  const auto config = encoder_config(b, words, vocabulary.size());
  nn::Encoder<float> pretrained(config, ctx.seed_for("c-weights"));
  pretrain(pretrained, train, b, vocabulary.size(), ctx);
  Comparison out{reviews.source, test.count(), labelled_sizes(b, train.count()), {}, {}};
  for (const auto n : out.labelled) {
    const WordRows labelled = labelled_subset(train, n, ctx.seed_for("c-labelled"));
    nn::Encoder<float> tuned = pretrained;
    finetune(tuned, labelled, b, ctx);
    out.pretrained.push_back(accuracy(tuned, test));
    if (!ctx.full()) continue;
    nn::Encoder<float> scratch(config, ctx.seed_for("c-weights"));
    finetune(scratch, labelled, b, ctx);
    out.from_scratch.push_back(accuracy(scratch, test));
    std::cerr << n << " labelled: " << out.pretrained.back() << " pretrained, " << out.from_scratch.back()
              << " from scratch (held-out accuracy on " << test.count() << " reviews)\n";
  }
  return cache[key] = out;
}

// ---- parts -------------------------------------------------------------------------------------------------------

void part_a(workbook::Exercise& ex) {
  ex.part("a", 4, R"(Implement mask_tokens, the masking of one pretraining batch. The checks hold it to the interface's
rule on random batches (padding untouched; a target exactly where a token was chosen, and it is that token; an input
changed only where there is a target), and count its choices over 30 batches of 64 sequences of up to 24 tokens at
rate 0.15 over a vocabulary of 20: each fraction must lie within five binomial standard errors of the rate the
statement implies (remember that a random token may happen to be the mask token or the original one).)")
      .check("padding untouched", CheckKind::property,
             "for random batches, lengths, vocabularies and rates, padding positions keep their token and get no target",
             [](const Context& ctx) { return holds_everywhere(ctx.seed_for("a-padding"), padding_violation); })
      .check("targets", CheckKind::property,
             "for random batches, every real position either keeps its token with no target, or has its original "
             "token as target and an input inside the vocabulary",
             [](const Context& ctx) { return holds_everywhere(ctx.seed_for("a-targets"), target_violation); })
      .check("rates", CheckKind::property,
             "over 30 batches, the chosen fraction of real positions and the mask / keep / replace fractions of the "
             "chosen ones, each within five standard errors, and every replacement inside the vocabulary",
             rates_match)
      .check("fresh draws", CheckKind::property,
             "two calls in a row, each with the rng the previous one sent back, mask the same batch differently",
             fresh_draws)
      .hint("Decide per real position: first whether it is chosen (probability rate), then, for a chosen one only, "
            "what its input becomes. Positions at or beyond lengths[b] are never looked at.");
}

void part_b(workbook::Exercise& ex) {
  ex.part("b", 3, R"(Implement class_logits and class_logits_backward, the classification head on each sequence's
[CLS] row. The checks compare the logits with a head computed in double by plain loops and with the class logits of
the library's encoder (which reads the [CLS] row) on padded sequences, and the three gradients with central
differences, all within float's rounding (1e-5 relative, plus 1e-5 of the size of the terms summed).)")
      .check("fixed", CheckKind::close, "3 sequences of 5 rows of width 8, 2 classes, against the head in double",
             [](const Context& ctx) { return head_forward_matches(head_inputs(ctx, "b-forward")); })
      .check("inside the encoder", CheckKind::close,
             "your head on a library encoder's hidden rows, with its head's weights, against its class logits (4 "
             "padded sequences of 8 positions, 3 classes)",
             head_matches_encoder)
      .check("backward", CheckKind::close,
             "dhidden, dweight and dbias for 3 sequences of 5 rows of width 8 against central differences",
             [](const Context& ctx) { return head_backward_matches(head_inputs(ctx, "b-backward")); })
      .hint("Only one row per sequence reaches the logits, so dhidden is zero everywhere else.");
}

void part_c(workbook::Exercise& ex) {
  ex.part("c", 3, R"(Your masking now makes every pretraining batch of a small encoder (nn::Encoder, 2 layers of
width 32 reading [CLS] and the first 15 words of a review; ten batches are masked per call of mask_tokens, on the word
positions only: [CLS] is never chosen). The reviews are synthetic: 1200 training reviews, every one used unlabelled for
200 masked-language-model steps of 32 reviews, then 128 of them with their labels for 100 fine-tuning steps of 16, and
400 held-out reviews. The check passes when the held-out accuracy of the fine-tuned encoder is ten standard errors
above chance (1/2), which on 400 reviews is 0.75.)")
      .check("held-out accuracy", CheckKind::property,
             "the encoder pretrained with your masking and fine-tuned classifies held-out reviews with accuracy ten "
             "standard errors above chance",
             [](const Context& ctx) {
               const Comparison run = run_experiment(ctx);
               return workbook::oracle::learned(run.pretrained.front(), 0.5, run.test_count);
             });
}

void part_d(workbook::Exercise& ex) {
  ex.part("d", 3, R"(With --full the exercise pretrains a wider encoder (width 64, 3000 steps over 8000 synthetic
reviews) and fine-tunes it, and a copy of the same untrained encoder, on 32, 128 and 512 labelled reviews; figure
`pretraining` shows the held-out accuracy of both. With --full --data PATH (the folder aclImdb that the IMDB archive
unpacks to) it does the same on IMDB: its 25000 training reviews, cut to 255 words, for 2000 pretraining steps, then
256, 2000 and 25000 of them labelled (this takes far longer than the synthetic run).
Where does pretraining help most, and why there? What does the synthetic set's uneven use of sentiment words have to
do with it? Why does BERT leave 10% of the chosen tokens unchanged and replace 10% by random ones, instead of always
writing [MASK]?)")
      .manual(3);
}

// ---- the figure --------------------------------------------------------------------------------------------------

workbook::Plot pretraining_figure(const Context& ctx) {
  const Comparison run = run_experiment(ctx);
  std::vector<double> x(run.labelled.begin(), run.labelled.end());
  std::vector<workbook::Series> series{{"pretrained, then fine-tuned", x, run.pretrained, workbook::Series::Style::linespoints}};
  if (!run.from_scratch.empty())
    series.push_back({"fine-tuned from scratch", x, run.from_scratch, workbook::Series::Style::linespoints});
  auto plot = workbook::xy_plot("Held-out accuracy on " + run.source, "labelled reviews", "accuracy", series);
  plot.measured = true;
  return plot;
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "A tiny BERT: masked-LM pretraining, then sentiment";
  ex.tags = {workbook::Tag::implementation, workbook::Tag::proof, workbook::Tag::conceptual, workbook::Tag::plot};
  ex.statement = R"(An encoder-only transformer sees every position of its input at once, so it cannot be pretrained
by predicting the next token. BERT's answer is the masked language model: hide some tokens and ask for them back from
both sides. Here a tiny encoder is pretrained that way on unlabelled movie reviews, then fine-tuned to tell positive
reviews from negative ones by a linear head on the output row of a [CLS] token placed first in every review. You write
the two pieces specific to this recipe: the masking that turns a batch of reviews into a pretraining batch (part a),
and the head that turns the encoder's output into two class scores, forward and backward (part b). The exercise runs
the encoder and the training with your masking (part c) and, with --full, measures what pretraining buys (part d).
With --full --data PATH the reviews are IMDB's, read from the folder layout of its archive
(aclImdb/{train,test}/{pos,neg}/*.txt); otherwise they are synthetic, and --full writes them in that layout and reads
them back the same way.)";
  ex.timeout_seconds = 60;
  part_a(ex);
  part_b(ex);
  part_c(ex);
  part_d(ex);
  ex.plot("pretraining",
          "Held-out accuracy of the encoder fine-tuned on a number of labelled reviews, pretrained with your masking "
          "and (with --full) from scratch.",
          pretraining_figure);
}
