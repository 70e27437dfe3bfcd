// 10.7: the parameters of one transformer block, by component. Closed forms (d = d_model, f = d_ff):
//   attention  4 d^2            (+ 4 d with biases: one per output of Q, K, V and O)
//   FFN        2 d f            (+ f + d with biases)
//   LayerNorm  2 d per instance (gain and shift; counted under both conventions)
// The heads split d evenly, so h appears nowhere. The student lists the block's tensors with their shapes
// (block_parameters); the checks sum the entries per component and compare with the closed forms, for the
// block of the statement and for random shapes. Part (c) fits the slope of log(total) against log(d_model)
// over widths 64 .. 8192 (d_ff = 4 d_model) from the student's lists: 12 d^2 + 4 d has local slope
// d T'/T = 2 - 1/(3 d + 1), within 0.006 of 2 from d = 64 on.

#include "ch10/10.7/interface.hpp"

#include <cmath>

#include "workbook/exercise.hpp"

namespace {

using workbook::CheckKind;
using workbook::CheckResult;
using workbook::Context;
using workbook::Precision;
using ch10_7::Component;

struct Counts {
  std::int64_t attention = 0, feed_forward = 0, layer_norm = 0;
  std::int64_t total() const { return attention + feed_forward + layer_norm; }
};

// ---- Closed forms ----

Counts closed_form(std::int64_t d, std::int64_t f, bool with_biases) {
  Counts c;
  c.attention = 4 * d * d + (with_biases ? 4 * d : 0);
  c.feed_forward = 2 * d * f + (with_biases ? f + d : 0);
  c.layer_norm = 2 * (2 * d);
  return c;
}

// ---- Counting the student's list ----

Counts count(const std::vector<ch10_7::ParameterTensor>& tensors) {
  Counts c;
  for (const auto& t : tensors) {
    std::int64_t entries = 1;
    for (std::size_t extent : t.shape) entries *= std::int64_t(extent);
    (t.component == Component::attention ? c.attention
     : t.component == Component::feed_forward ? c.feed_forward
                                               : c.layer_norm) += entries;
  }
  return c;
}

std::vector<std::int64_t> as_vector(const Counts& c) { return {c.attention, c.feed_forward, c.layer_norm}; }

CheckResult counts_match(std::size_t d, std::size_t h, std::size_t f, bool with_biases) {
  return workbook::equal(as_vector(count(ch10_7::block_parameters(d, h, f, with_biases))),
                         as_vector(closed_form(d, f, with_biases)));
}

constexpr std::int64_t d_model = 256, heads = 8, d_ff = 1024;
constexpr std::int64_t wide_d_model = 1024, wide_d_ff = 4096;

double ffn_fraction(bool with_biases) {
  const auto c = closed_form(d_model, d_ff, with_biases);
  return double(c.feed_forward) / double(c.total());
}
double growth_factor(bool with_biases) {
  return double(closed_form(wide_d_model, wide_d_ff, with_biases).total()) / double(closed_form(d_model, d_ff, with_biases).total());
}

// Widths 64, 128, ..., 8192 with d_ff = 4 d_model and 8 heads.
std::vector<std::size_t> widths() {
  std::vector<std::size_t> w;
  for (std::size_t d = 64; d <= 8192; d *= 2) w.push_back(d);
  return w;
}

// Least-squares slope of log(total) against log(d_model), from the student's lists.
double fitted_slope(const std::vector<std::size_t>& ds, const std::vector<double>& totals) {
  double mx = 0, my = 0;
  for (std::size_t i = 0; i < ds.size(); ++i) mx += std::log(double(ds[i])), my += std::log(totals[i]);
  mx /= ds.size(), my /= ds.size();
  double sxy = 0, sxx = 0;
  for (std::size_t i = 0; i < ds.size(); ++i) {
    const double dx = std::log(double(ds[i])) - mx;
    sxy += dx * (std::log(totals[i]) - my), sxx += dx * dx;
  }
  return sxy / sxx;
}

void part_a(workbook::Exercise& ex) {
  ex.part("a1", 2, R"(Implement block_parameters: list every parameter tensor of the block, with its component and
shape, for either convention on biases.)")
      .check("the block, no biases", CheckKind::equal, "entries per component (attention, FFN, LayerNorms) in your "
             "list for d_model = 256, h = 8, d_ff = 1024 without biases, against the closed forms",
             [](const Context&) { return counts_match(d_model, heads, d_ff, false); })
      .check("the block, biases", CheckKind::equal, "the same with biases",
             [](const Context&) { return counts_match(d_model, heads, d_ff, true); })
      .check("any shape", CheckKind::property, "for random d_model up to 2048, h dividing it and d_ff up to 8192, "
             "under both conventions, the entries per component against the closed forms",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("a-property"), [] {
                 const auto h = *rc::gen::element<std::size_t>(1, 2, 3, 4, 8, 12, 16);
                 const auto d = h * *rc::gen::inRange<std::size_t>(1, 2048 / h + 1);
                 const auto f = *rc::gen::inRange<std::size_t>(1, 8193);
                 const auto biases = *rc::gen::arbitrary<bool>();
                 RC_ASSERT(counts_match(d, h, f, biases).status == workbook::Status::pass);
               });
             });
  ex.part("a2", 2, R"(Count by hand for d_model = 256, h = 8 and d_ff = 1024: the attention projections, the FFN,
one LayerNorm, and the whole block, once without biases on the linear layers and once with them. (A LayerNorm's
gain and shift count under both conventions.))")
      .integer_answer("a_attention", "attention parameters, no biases", closed_form(d_model, d_ff, false).attention)
      .integer_answer("a_ffn", "FFN parameters, no biases", closed_form(d_model, d_ff, false).feed_forward)
      .integer_answer("a_layer_norm", "parameters of one LayerNorm", closed_form(d_model, d_ff, false).layer_norm / 2)
      .integer_answer("a_total", "the whole block, no biases", closed_form(d_model, d_ff, false).total())
      .integer_answer("a_attention_biases", "attention parameters with biases", closed_form(d_model, d_ff, true).attention)
      .integer_answer("a_ffn_biases", "FFN parameters with biases", closed_form(d_model, d_ff, true).feed_forward)
      .integer_answer("a_total_biases", "the whole block with biases", closed_form(d_model, d_ff, true).total());
}

void part_b(workbook::Exercise& ex) {
  ex.part("b", 1, R"(What fraction of the block's parameters sits in the FFN (to 4 significant figures, under each
convention)? Why does that fraction matter?)")
      .number_answer("b_fraction", "FFN share of the block, no biases", [] { return ffn_fraction(false); },
                     Precision::significant_figures(4))
      .number_answer("b_fraction_biases", "FFN share of the block with biases", [] { return ffn_fraction(true); },
                     Precision::significant_figures(4))
      .hint("Write both counts in units of d_model^2 first, with d_ff = 4 d_model.")
      .manual(1);
}

void part_c(workbook::Exercise& ex) {
  ex.part("c1", 1, R"(Widen the block to d_model = 1024 and d_ff = 4096, still with 8 heads. By what factor does its
parameter count grow (4 significant figures, under each convention), and is the growth linear or quadratic in
d_model?)")
      .number_answer("c_factor", "growth factor of the whole block, no biases", [] { return growth_factor(false); },
                     Precision::significant_figures(4))
      .number_answer("c_factor_biases", "growth factor of the whole block with biases", [] { return growth_factor(true); },
                     Precision::significant_figures(4))
      .choice_answer("c_growth", "how does the count grow with d_model when d_ff = 4 d_model?", {"linearly", "quadratically"},
                     "quadratically");
  ex.part("c2", 1, R"(Show the scaling over a range of widths: d_model = 64, 128, ..., 8192 with d_ff = 4 d_model and
8 heads, no biases (the figure `scaling`, on log-log axes). The checks fit a straight line to log(count) against
log(d_model) through your counts.)")
      .check("counts", CheckKind::equal, "the total of your list at each of the eight widths against the closed form",
             [](const Context&) {
               std::vector<std::int64_t> got, want;
               for (std::size_t d : widths()) {
                 got.push_back(count(ch10_7::block_parameters(d, 8, 4 * d, false)).total());
                 want.push_back(closed_form(d, 4 * d, false).total());
               }
               return workbook::equal(got, want);
             })
      .check("log-log slope", CheckKind::close, "the least-squares slope of log(total) against log(d_model) through "
             "your eight counts, against 2 within 0.01",
             [](const Context&) {
               std::vector<double> totals;
               for (std::size_t d : widths()) totals.push_back(double(count(ch10_7::block_parameters(d, 8, 4 * d, false)).total()));
               return workbook::close(fitted_slope(widths(), totals), 2.0, {0, 0.01});
             });
}

void plots(workbook::Exercise& ex) {
  ex.plot("scaling", "Parameters of one block against d_model (d_ff = 4 d_model, 8 heads, no biases), by component "
          "and in total, from your block_parameters, with a guide line of slope 2",
          [](const Context&) {
            workbook::Series total{"whole block", {}, {}, workbook::Series::Style::linespoints};
            workbook::Series attention{"attention", {}, {}, workbook::Series::Style::linespoints};
            workbook::Series ffn{"FFN", {}, {}, workbook::Series::Style::linespoints};
            workbook::Series norms{"two LayerNorms", {}, {}, workbook::Series::Style::linespoints};
            workbook::Series guide{"guide of slope 2", {}, {}, workbook::Series::Style::lines};
            for (std::size_t d : widths()) {
              const auto c = count(ch10_7::block_parameters(d, 8, 4 * d, false));
              for (auto* s : {&total, &attention, &ffn, &norms, &guide}) s->x.push_back(double(d));
              total.y.push_back(double(c.total()));
              attention.y.push_back(double(c.attention));
              ffn.y.push_back(double(c.feed_forward));
              norms.y.push_back(double(c.layer_norm));
              guide.y.push_back(20.0 * double(d) * double(d));  // above the total, parallel to it
            }
            auto p = workbook::xy_plot("Parameters of a transformer block", "d_model", "parameters",
                                       {total, attention, ffn, norms, guide});
            p.logx = p.logy = true;
            return p;
          });
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "Where a transformer block keeps its parameters";
  ex.stars = 2;
  ex.tags = {workbook::Tag::numeric, workbook::Tag::implementation, workbook::Tag::conceptual, workbook::Tag::plot};
  ex.statement = R"(Take a block of width d_model = 256 with h = 8 heads and an FFN of width d_ff = 1024. Its parameters sit in
three places: the attention projections (queries, keys, values, and the output projection), the two linear
layers of the feed-forward network (FFN), and two LayerNorms, each with a gain and a shift per feature. Whether
the linear layers carry biases is a convention that papers and libraries settle differently, so every count
here is asked both ways. Embeddings and the output head are not part of the block.)";
  part_a(ex);
  part_b(ex);
  part_c(ex);
  plots(ex);
}
