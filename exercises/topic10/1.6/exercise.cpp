// topic10/1.6: a shift by k positions acts on the sinusoidal encoding as a fixed linear map M_k (a rotation
// of each (sin, cos) pair by the angle k w_i). The encoding is checked against the formula by a plain loop;
// the map is checked as a property over random positions, offsets and widths against the encoding
// computed directly at pos + k; the implication is checked on its core: PE(pos) . PE(pos + k) does not
// depend on pos.

#include "topic10/1.6/interface.hpp"

#include "workbook/oracle.hpp"
#include "workbook/property.hpp"

namespace {

using workbook::Context;
using workbook::oracle::Vector;

double frequency(std::size_t i, std::size_t d_model) { return std::pow(10000.0, -2.0 * i / d_model); }

// The formula, entry by entry.
Vector oracle_encoding(double pos, std::size_t d_model) {
  Vector pe(d_model);
  for (std::size_t j = 0; j < d_model; ++j) {
    const double angle = pos * frequency(j / 2, d_model);
    pe[j] = j % 2 == 0 ? std::sin(angle) : std::cos(angle);
  }
  return pe;
}

// PE(pos) . PE(pos + k) = sum_i [sin a sin(a + b) + cos a cos(a + b)] = sum_i cos(k w_i), with a = pos w_i.
double similarity_closed_form(double k, std::size_t d_model) {
  double sum = 0;
  for (std::size_t i = 0; 2 * i < d_model; ++i) sum += std::cos(k * frequency(i, d_model));
  return sum;
}

Vector times(const xt::xtensor<double, 2>& m, const xt::xtensor<double, 1>& v) {
  Vector out(m.shape(0), 0.0);
  for (std::size_t r = 0; r < m.shape(0); ++r)
    for (std::size_t c = 0; c < m.shape(1); ++c) out[r] += m(r, c) * v(c);
  return out;
}

double student_similarity(double pos, double k, std::size_t d_model) {
  const auto a = topic10_1_6::positional_encoding(pos, d_model), b = topic10_1_6::positional_encoding(pos + k, d_model);
  return workbook::oracle::dot(Vector(a.begin(), a.end()), Vector(b.begin(), b.end()));
}

// Angles up to ~2200 rad: sin and cos carry absolute errors near 1e-13, far inside 1e-9.
const workbook::Tolerance rounding{0, 1e-9};

bool agree(const Vector& actual, const Vector& expected) {
  return workbook::close(workbook::oracle::to_array(actual), workbook::oracle::to_array(expected), rounding).status ==
         workbook::Status::pass;
}

// M_1 for d_model = 4: frequencies 1 and 1/100.
xt::xarray<double> shift_one_width_four() {
  xt::xarray<double> m = xt::zeros<double>({4, 4});
  for (std::size_t i = 0; i < 2; ++i) {
    const double b = frequency(i, 4);
    m(2 * i, 2 * i) = m(2 * i + 1, 2 * i + 1) = std::cos(b);
    m(2 * i, 2 * i + 1) = std::sin(b);
    m(2 * i + 1, 2 * i) = -std::sin(b);
  }
  return m;
}

}  // namespace

WORKBOOK_EXERCISE {
  using workbook::CheckKind;
  ex.title = "A position shift is a rotation of the sinusoidal encoding";
  ex.tags = {workbook::Tag::numeric, workbook::Tag::proof, workbook::Tag::implementation, workbook::Tag::conceptual,
             workbook::Tag::plot};
  ex.statement =
      "The original Transformer encodes position pos in R^d_model (d_model even) by pairs of coordinates "
      "that share one frequency w_i = 1 / 10000^(2i / d_model): PE(pos)_2i = sin(w_i pos) and "
      "PE(pos)_2i+1 = cos(w_i pos). Show that moving k positions ahead is a linear map: there is a matrix "
      "M_k, depending on k but not on pos, with PE(pos + k) = M_k PE(pos). Implement positional_encoding "
      "and shift_matrix, then say what this means for attending by relative "
      "position. Give matrix entries to four decimals.";

  auto& a = ex.part("a", 1, "Implement positional_encoding.");
  a.check("encoding", CheckKind::close,
          "PE(pos) for pos in {0, 1, 7.5, 100, 2500} and d_model in {16, 512} against the formula entry by entry",
          [](const Context&) {
            Vector got, want;
            for (double pos : {0.0, 1.0, 7.5, 100.0, 2500.0})
              for (std::size_t d : {16, 512}) {
                const auto pe = topic10_1_6::positional_encoding(pos, d);
                if (pe.size() != d) throw std::runtime_error("positional_encoding returned the wrong length");
                got.insert(got.end(), pe.begin(), pe.end());
                const auto expected = oracle_encoding(pos, d);
                want.insert(want.end(), expected.begin(), expected.end());
              }
            return workbook::close(workbook::oracle::to_array(got), workbook::oracle::to_array(want), rounding);
          });

  auto& b = ex.part("b", 3, "Find M_k, implement shift_matrix, and give M_1 for d_model = 4.");
  b.array_answer("b_m1", "M_1 for d_model = 4 (4 x 4, row by row)", {4, 4}, [] { return shift_one_width_four(); },
                 {0, 5e-5})
      .check("shift", CheckKind::property,
             "for random even d_model <= 128, pos in [0, 2000] and k in [-200, 200]: M_k times your PE(pos) equals "
             "PE(pos + k) from the formula within 1e-9, and M_k is block diagonal (2 x 2 blocks) and orthogonal",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("b-property"), [] {
                 const auto d = 2 * *rc::gen::inRange<std::size_t>(1, 65);
                 const double pos = *rc::gen::inRange(0, 2000001) / 1000.0;
                 const double k = *rc::gen::inRange(-200000, 200001) / 1000.0;
                 const auto m = topic10_1_6::shift_matrix(k, d);
                 RC_ASSERT(m.shape(0) == d && m.shape(1) == d);
                 RC_ASSERT(agree(times(m, topic10_1_6::positional_encoding(pos, d)), oracle_encoding(pos + k, d)));
                 for (std::size_t r = 0; r < d; ++r)
                   for (std::size_t c = 0; c < d; ++c) {
                     if (r / 2 != c / 2) RC_ASSERT(m(r, c) == 0.0);
                     double gram = 0;  // (M^T M)_rc
                     for (std::size_t l = 0; l < d; ++l) gram += m(l, r) * m(l, c);
                     RC_ASSERT(std::abs(gram - (r == c ? 1.0 : 0.0)) < 1e-12);
                   }
               });
             })
      .hint("Apply the angle-addition formulas to sin(w_i (pos + k)) and cos(w_i (pos + k)).");

  auto& c = ex.part("c", 1, "What does the linearity imply for attention to relative positions? Does "
                            "PE(pos) . PE(pos + k) depend on pos?");
  c.choice_answer("c_depends", "does PE(pos) . PE(pos + k) depend on pos?", {"yes", "no"}, "no")
      .check("relative", CheckKind::property,
             "for random even d_model <= 128, pos in [0, 2000] and k in [-200, 200]: your PE(pos) . PE(pos + k) "
             "equals sum_i cos(k w_i), whatever pos is",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("c-property"), [] {
                 const auto d = 2 * *rc::gen::inRange<std::size_t>(1, 65);
                 const double pos = *rc::gen::inRange(0, 2000001) / 1000.0;
                 const double k = *rc::gen::inRange(-200000, 200001) / 1000.0;
                 RC_ASSERT(std::abs(student_similarity(pos, k, d) - similarity_closed_form(k, d)) < 1e-9 * d);
               });
             })
      .manual(2);

  ex.plot("similarity", "PE(pos) . PE(pos + k) against k for d_model = 64, from two starting positions",
          [](const Context&) {
            workbook::Plot p;
            p.title = "Similarity of sinusoidal encodings depends only on the offset";
            p.xlabel = "offset k";
            p.ylabel = "PE(pos) . PE(pos + k)";
            workbook::Series from0{"pos = 0 (your encoding)", {}, {}, workbook::Series::Style::lines};
            workbook::Series from500{"pos = 500 (your encoding)", {}, {}, workbook::Series::Style::points};
            workbook::Series closed{"sum_i cos(k w_i)", {}, {}, workbook::Series::Style::lines};
            for (int k = -100; k <= 100; ++k) {
              from0.x.push_back(k);
              from0.y.push_back(student_similarity(0, k, 64));
              from500.x.push_back(k);
              from500.y.push_back(student_similarity(500, k, 64));
              closed.x.push_back(k);
              closed.y.push_back(similarity_closed_form(k, 64));
            }
            p.series = {closed, from0, from500};
            return p;
          });
}
