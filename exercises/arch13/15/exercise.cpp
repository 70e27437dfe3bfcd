// arch13/15: weight tying, counted and differentiated. Expected values: the nn library's GPT of the same shape, tied
// and untied (nn::Gpt::parameter_count, which sums the tensors it actually allocates); the saving V x C as a property
// of the student's counts; and, for the gradient of the shared matrix, central differences of the loss written as
// plain loops here (workbook/oracle/finite_difference.hpp).

#include "arch13/15/interface.hpp"

#include "nn/gpt.hpp"
#include "workbook/exercise.hpp"
#include "workbook/oracle/finite_difference.hpp"
#include "workbook/oracle/random.hpp"
#include "workbook/tolerances.hpp"

namespace {

using arch13_15::Shape;
using workbook::CheckKind;
using workbook::CheckResult;
using workbook::Context;
using Matrix = xt::xtensor<double, 2>;

std::int64_t library_count(const Shape& s, bool tied) {
  nn::GptConfig c;
  c.vocab_size = s.vocab;
  c.context = s.context;
  c.n_embd = s.width;
  c.n_layer = s.layers;
  c.n_head = 1;
  c.tie_weights = tied;
  return std::int64_t(nn::Gpt<float>(c, 0).parameter_count());
}

std::vector<std::int64_t> both_counts(const Shape& s, bool library) {
  const auto count = [&](bool tied) { return library ? library_count(s, tied) : arch13_15::parameter_count(s, tied); };
  return {count(true), count(false)};
}

Shape random_shape() {
  return {*rc::gen::inRange<std::size_t>(1, 300), *rc::gen::inRange<std::size_t>(1, 64),
          *rc::gen::inRange<std::size_t>(1, 48), *rc::gen::inRange<std::size_t>(1, 4)};
}

// The cut-down tied model's logits, written out: row t is x_t wte^T with x_t = wte[token_t].
Matrix oracle_logits(const Matrix& wte, const std::vector<int>& tokens) {
  Matrix logits = xt::zeros<double>({tokens.size(), wte.shape(0)});
  for (std::size_t t = 0; t < tokens.size(); ++t)
    for (std::size_t v = 0; v < wte.shape(0); ++v)
      for (std::size_t c = 0; c < wte.shape(1); ++c) logits(t, v) += wte(std::size_t(tokens[t]), c) * wte(v, c);
  return logits;
}

// Its loss: mean over t of -log softmax(logits_t)[target_t].
double tied_loss(const Matrix& wte, const std::vector<int>& tokens, const std::vector<int>& targets) {
  const Matrix all = oracle_logits(wte, tokens);
  double total = 0;
  for (std::size_t t = 0; t < tokens.size(); ++t) {
    const auto row = xt::row(all, t);
    const std::vector<double> logits(row.begin(), row.end());
    const double largest = *std::max_element(logits.begin(), logits.end());
    double sum = 0;
    for (const double l : logits) sum += std::exp(l - largest);
    total += largest + std::log(sum) - logits[std::size_t(targets[t])];
  }
  return total / double(tokens.size());
}

struct Case {
  Matrix wte;
  std::vector<int> tokens, targets;
};

// A token may appear twice and may be its own target: the scatter must add, and both uses meet in one row.
Case random_case(std::size_t vocab, std::size_t width, std::size_t length, std::mt19937_64& rng) {
  std::uniform_int_distribution<int> token(0, int(vocab) - 1);
  Case c{workbook::oracle::gaussian_matrix(vocab, width, rng), {}, {}};
  for (std::size_t t = 0; t < length; ++t) {
    c.tokens.push_back(token(rng));
    c.targets.push_back(token(rng));
  }
  c.tokens.back() = c.tokens.front();
  c.targets.front() = c.tokens.front();
  return c;
}

CheckResult gradient_check(const Case& c) {
  auto actual = arch13_15::tied_gradient(c.wte, c.tokens, c.targets);
  workbook::require_shape("tied_gradient", actual, {c.wte.shape(0), c.wte.shape(1)});
  const auto expected = workbook::oracle::numerical_gradient(
      c.wte, [&](const Matrix& w) { return tied_loss(w, c.tokens, c.targets); });
  return workbook::close(xt::xarray<double>(actual), expected, workbook::tolerance::central_difference);
}

void part_a(workbook::Exercise& ex) {
  auto& a = ex.part("a", 3, R"(Implement parameter_count. The checks compare your counts, tied and untied, with what the
library's GPT of the same shape allocates, and check the saving on any shape.)");
  for (const auto& [name, shape] : std::vector<std::pair<std::string, Shape>>{
           {"V=65, C=32", {65, 64, 32, 2}}, {"V=50, C=8", {50, 16, 8, 1}}, {"V=1000, C=64", {1000, 128, 64, 3}}}) {
    a.check(name, CheckKind::equal,
            "vocabulary " + std::to_string(shape.vocab) + ", context " + std::to_string(shape.context) + ", width " +
                std::to_string(shape.width) + ", " + std::to_string(shape.layers) +
                " block(s): [tied, untied] against the library's allocation",
            [shape](const Context&) { return workbook::equal(both_counts(shape, false), both_counts(shape, true)); });
  }
  a.check("saving", CheckKind::property,
          "for random shapes (V < 300, context < 64, C < 48, up to 3 blocks): untied minus tied is V x C, and both "
          "equal the library's",
          [](const Context& ctx) {
            return workbook::property(ctx.seed_for("a-saving"), [] {
              const Shape s = random_shape();
              const auto mine = both_counts(s, false);
              RC_ASSERT(mine[1] - mine[0] == std::int64_t(s.vocab * s.width));
              RC_ASSERT(mine == both_counts(s, true));
            });
          })
      .hint("Count one block with its biases and LayerNorms first; the number of heads does not enter.");
}

CheckResult logits_check(const Case& c) {
  auto actual = arch13_15::tied_logits(c.wte, c.tokens);
  workbook::require_shape("tied_logits", actual, {c.tokens.size(), c.wte.shape(0)});
  const xt::xarray<double> expected = oracle_logits(c.wte, c.tokens);
  return workbook::close(xt::xarray<double>(actual), expected, workbook::tolerance::float_at_scale(expected));
}

void part_b(workbook::Exercise& ex) {
  ex.part("b", 1, R"(The forward still works with one matrix fewer: implement tied_logits, the head that reads wte the
other way round. The check compares your (T, V) logits with plain loops.)")
      .check("V=9, T=5", CheckKind::close, "9 tokens of width 4, a sequence of 5, against plain loops",
             [](const Context& ctx) {
               auto rng = ctx.rng("b-logits");
               return logits_check(random_case(9, 4, 5, rng));
             });
}

void part_c(workbook::Exercise& ex) {
  ex.part("c", 3, R"(Implement tied_gradient. A tied matrix is one parameter used in two places, so its gradient has two
contributions. The checks compare yours with central differences of the loss, within 1e-6.)")
      .check("V=7, C=5", CheckKind::close,
             "7 tokens of width 5, a sequence of 6 whose first token repeats at the end and is its own target",
             [](const Context& ctx) {
               auto rng = ctx.rng("c-fixed");
               return gradient_check(random_case(7, 5, 6, rng));
             })
      .check("any size", CheckKind::property,
             "for random vocabularies up to 12, widths up to 6 and sequences up to 8, against central differences",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("c-property"), [] {
                 auto rng = workbook::oracle::property_rng();
                 const auto c = random_case(*rc::gen::inRange<std::size_t>(2, 13), *rc::gen::inRange<std::size_t>(1, 7),
                                            *rc::gen::inRange<std::size_t>(1, 9), rng);
                 RC_ASSERT(gradient_check(c).status == workbook::Status::pass);
               });
             })
      .hint("Differentiate as if the head had its own matrix W and the embedding its own E, then set both to wte "
            "and add the two gradients. A token that appears twice adds twice.");
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "Weight tying: one matrix fewer, two gradients in one";
  ex.stars = 2;
  ex.tags = {workbook::Tag::implementation, workbook::Tag::numeric};
  ex.statement = R"(A tied model uses its token embedding wte twice: to read each token in, and, transposed, to score
every token out. Count what that saves in a GPT-2-layout model, then work out what it does to training: the shared
matrix receives the gradient of both uses.)";
  part_a(ex);
  part_b(ex);
  part_c(ex);
}
