// 13.30: multi-head attention has 4 d^2 parameters (without biases) whatever the number of heads h. The student
// counts head by head. Expected values: each head's projections and W_O from their shapes, which the statement gives
// (part a); the sum against 4 d^2 as a property over (d, h) with h dividing d, and against the parameters the nn
// library allocates for a multi-head attention layer of the same shape (part b); with biases, the library's layer
// with biases, and a property: the count does not move with h (part c).

#include "ch13/13.30/interface.hpp"

#include <string>

#include "nn/block.hpp"
#include "workbook/exercise.hpp"
#include "workbook/property.hpp"

namespace {

using workbook::CheckKind;
using workbook::Context;

struct Shape {
  std::int64_t d, h;
  std::string name() const { return "d=" + std::to_string(d) + ", h=" + std::to_string(h); }
};

const std::vector<Shape> named_shapes = {{512, 8}, {768, 12}, {64, 1}, {64, 64}, {96, 6}};

// A random shape with h dividing d: h heads of width w.
Shape random_shape() {
  const auto h = *rc::gen::inRange<std::int64_t>(1, 65);
  const auto w = *rc::gen::inRange<std::int64_t>(1, 257);
  return {h * w, h};
}

// ---- part a: head by head, from the shapes ----

workbook::CheckResult head_counts_match(const Shape& s) {
  const auto head = ch13_30::per_head(s.d, s.h);
  const std::int64_t projection = s.d * (s.d / s.h);  // a (d, d / h) matrix
  const std::int64_t output = ch13_30::output_projection(s.d, s.h);
  return workbook::equal(std::vector<std::int64_t>{head.query, head.key, head.value, output},
                         std::vector<std::int64_t>{projection, projection, projection, s.d * s.d});
}

void part_a(workbook::Exercise& ex) {
  auto& a = ex.part("a", 2, R"(Implement per_head and output_projection: the number of parameters in one head's
query, key and value projections, and in the output projection, for width d and h heads (no biases).)");
  for (const Shape& s : named_shapes)
    a.check(s.name(), CheckKind::equal,
            "your three counts for one head and your count for W_O against the sizes of matrices of the shapes the "
            "statement gives",
            [s](const Context&) { return head_counts_match(s); });
  a.hint("A projection from width m to width n is an (m, n) matrix. What is the input width of W_O?");
}

// ---- part b: the sum, as a property and against the library ----

// The parameters of the nn library's multi-head attention (its fused query-key-value matrix and its output
// projection) for a block of width d with h heads.
std::int64_t library_attention_parameters(const Shape& s, bool bias) {
  nn::BlockConfig config;
  config.n_embd = std::size_t(s.d), config.n_head = config.n_kv_head = std::size_t(s.h);
  config.ffn_hidden = 4 * std::size_t(s.d), config.bias = bias;
  const auto p = nn::zero_block<double>(config, 0);
  return std::int64_t(p.c_attn_w.size() + p.c_attn_b.size() + p.c_proj_w.size() + p.c_proj_b.size());
}

void part_b(workbook::Exercise& ex) {
  auto& b = ex.part("b", 2, R"(Implement total: sum your per-head counts over the h heads and add W_O. Show that the
result is 4 d^2 for every h that divides d. The checks run that as a property and compare with the parameters the nn
library allocates for its multi-head attention of the same shape, without biases.)");
  b.check("4 d^2 for every h", CheckKind::property,
          "for random h up to 64 and head width up to 256 (d = h times the width), your total equals 4 d^2 and equals "
          "h times your per-head counts plus your W_O count",
          [](const Context& ctx) {
            return workbook::property(ctx.seed_for("b-property"), [] {
              const Shape s = random_shape();
              const auto head = ch13_30::per_head(s.d, s.h);
              const std::int64_t total = ch13_30::total(s.d, s.h);
              RC_ASSERT(total == 4 * s.d * s.d);
              RC_ASSERT(total == s.h * (head.query + head.key + head.value) + ch13_30::output_projection(s.d, s.h));
            });
          });
  for (const Shape& s : {Shape{64, 4}, Shape{96, 6}, Shape{128, 1}, Shape{128, 128}})
    b.check("nn " + s.name(), CheckKind::equal,
            "your total against the size of the nn library's attention matrices for this shape, biases off",
            [s](const Context&) {
              return workbook::equal(ch13_30::total(s.d, s.h), library_attention_parameters(s, false));
            });
}

// ---- part c: with biases ----

void part_c(workbook::Exercise& ex) {
  auto& c = ex.part("c", 1, R"(Implement total_with_biases. Does the count still not depend on h?)");
  c.check("free of h", CheckKind::property,
          "for random shapes with h dividing d, your count with biases for h heads equals your count for one head",
          [](const Context& ctx) {
            return workbook::property(ctx.seed_for("c-property"), [] {
              const Shape s = random_shape();
              RC_ASSERT(ch13_30::total_with_biases(s.d, s.h) == ch13_30::total_with_biases(s.d, 1));
            });
          });
  for (const Shape& s : {Shape{64, 4}, Shape{96, 6}})
    c.check("nn " + s.name(), CheckKind::equal,
            "your count with biases against the size of the nn library's attention matrices and biases for this shape",
            [s](const Context&) {
              return workbook::equal(ch13_30::total_with_biases(s.d, s.h), library_attention_parameters(s, true));
            });
}

// ---- part d: the numbers for one model, and why ----

void part_d(workbook::Exercise& ex) {
  ex.part("d", 2, R"(Take d = 768 and h = 12 (GPT-2 small). Give one head's query projection count, the layer's total
without biases and with biases (exact integers), and say how the total moves when h doubles with d fixed. Explain in a
few lines why h drops out of the sum, what biases add, and which variant of attention would make the count depend on
the number of heads after all.)")
      .integer_answer("d_head_query", "one head's W_Q^i at d = 768, h = 12", 768 * 64)
      .integer_answer("d_total", "the layer without biases at d = 768, h = 12", 4 * 768 * 768)
      .integer_answer("d_total_biases", "the layer with biases at d = 768, h = 12", 4 * 768 * 768 + 4 * 768)
      .choice_answer("d_double_h", "doubling h at fixed d makes the total", {"double", "halve", "stay the same"},
                     "stay the same")
      .hint("Add up the output widths of the h query projections.")
      .manual(1);
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "Multi-head attention costs 4 d^2 parameters for any number of heads";
  ex.tags = {workbook::Tag::proof, workbook::Tag::implementation, workbook::Tag::numeric};
  ex.statement = R"(Splitting attention into more heads makes each head narrower, not the layer bigger. Count it
head by head: width d, h heads with h dividing d, head i with its own query, key and value projections from d to
d / h, and one output projection from the concatenated heads back to d. Unless a part says otherwise, count weight
matrices only, no biases (the convention of GPT-2-style counts that quote 4 d^2); part (c) adds the biases.)";
  part_a(ex);
  part_b(ex);
  part_c(ex);
  part_d(ex);
}
