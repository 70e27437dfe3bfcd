// topic10/1.6: a shift by k positions acts on the sinusoidal encoding as a fixed linear map M_k (a rotation
// of each (sin, cos) pair by the angle k w_i). The encoding is checked against the formula by a plain loop
// (the shared oracle), at fixed awkward positions and at random ones; the map is checked as a property over
// random positions, offsets and widths, applied to the formula's encodings so that a slip in the encoding
// cannot hide or fake one in the map. The implication is asked as a choice and a rubric; the plot draws
// PE(pos) . PE(pos + k) from two starting positions with the student's encoding.

#include "topic10/1.6/interface.hpp"

#include <cmath>
#include <stdexcept>
#include <vector>

#include <xtensor/xadapt.hpp>

#include "workbook/oracle/matrix.hpp"
#include "workbook/oracle/positional.hpp"
#include "workbook/property.hpp"
#include "workbook/tolerances.hpp"

namespace {

using workbook::CheckKind;
using workbook::Context;
using workbook::Precision;
using workbook::oracle::Vector;

constexpr double length_scale = 10000;

// The formula, entry by entry.
Vector oracle_encoding(double pos, std::size_t d_model) {
  return workbook::oracle::sinusoidal_position(pos, d_model, length_scale);
}

// Angles up to ~1e4 radians (positions up to 9999.5 at frequency 1): the statement asks for double.
const workbook::Tolerance trig = workbook::tolerance::trig_large_arguments;

xt::xtensor<double, 1> student_encoding(double pos, std::size_t d_model) {
  auto pe = topic10_1_6::positional_encoding(pos, d_model);
  if (pe.size() != d_model) throw std::runtime_error("positional_encoding returned the wrong length");
  return pe;
}

double student_similarity(double pos, double k, std::size_t d_model) {
  return workbook::oracle::dot(student_encoding(pos, d_model), student_encoding(pos + k, d_model));
}

Vector times(const xt::xtensor<double, 2>& m, const Vector& v) {
  Vector out = xt::zeros<double>({m.shape(0)});
  for (std::size_t r = 0; r < m.shape(0); ++r)
    for (std::size_t c = 0; c < m.shape(1); ++c) out(r) += m(r, c) * v(c);
  return out;
}

bool agree(const Vector& actual, const Vector& expected) {
  return workbook::close(actual, expected, trig).status == workbook::Status::pass;
}

// M_1 for d_model = 4: blocks R(1) and R(1/100), R(b) = [[cos b, sin b], [-sin b, cos b]].
xt::xarray<double> shift_one_width_four() {
  xt::xarray<double> m = xt::zeros<double>({4, 4});
  for (std::size_t i = 0; i < 2; ++i) {
    const double b = workbook::oracle::pair_frequency(i, 4, length_scale);
    m(2 * i, 2 * i) = m(2 * i + 1, 2 * i + 1) = std::cos(b);
    m(2 * i, 2 * i + 1) = std::sin(b);
    m(2 * i + 1, 2 * i) = -std::sin(b);
  }
  return m;
}

// Random even d_model up to 128 and positions in [-2000, 2000] in thousandths.
std::size_t random_width() { return 2 * *rc::gen::inRange<std::size_t>(1, 65); }
double random_position() { return *rc::gen::inRange(-2000000, 2000001) / 1000.0; }

// ---- the parts -------------------------------------------------------------------------------------------
void part_a(workbook::Exercise& ex) {
  auto& a = ex.part("a", 1, "Implement positional_encoding.");
  a.check("encoding", CheckKind::close,
          "PE(pos) for pos in {0, 1, 7.5, -3.25, 100, 2500, 9999.5} and d_model in {2, 16, 512} against the formula "
          "entry by entry",
          [](const Context&) {
            std::vector<double> got, want;
            for (double pos : {0.0, 1.0, 7.5, -3.25, 100.0, 2500.0, 9999.5})
              for (std::size_t d : {2, 16, 512}) {
                const auto mine = student_encoding(pos, d), formula = oracle_encoding(pos, d);
                got.insert(got.end(), mine.begin(), mine.end());
                want.insert(want.end(), formula.begin(), formula.end());
              }
            return workbook::close(xt::adapt(got), xt::adapt(want), trig);
          });
  a.check("any position", CheckKind::property,
          "for random even d_model up to 128 and pos in [-2000, 2000]: your PE(pos) against the formula",
          [](const Context& ctx) {
            return workbook::property(ctx.seed_for("a-property"), [] {
              const auto d = random_width();
              const double pos = random_position();
              RC_ASSERT(agree(student_encoding(pos, d), oracle_encoding(pos, d)));
            });
          });
}

void part_b(workbook::Exercise& ex) {
  auto& b1 = ex.part("b1", 2, "Find M_k and implement shift_matrix.");
  b1.check("shift", CheckKind::property,
           "for random even d_model up to 128, k in [-200, 200] and three positions in [-2000, 2000]: your "
           "shift_matrix(k) times the formula's PE(pos) against the formula's PE(pos + k), at each position",
           [](const Context& ctx) {
             return workbook::property(ctx.seed_for("b-property"), [] {
               const auto d = random_width();
               const double k = *rc::gen::inRange(-200000, 200001) / 1000.0;
               const auto m = topic10_1_6::shift_matrix(k, d);
               RC_ASSERT(m.shape(0) == d && m.shape(1) == d);
               for (int i = 0; i < 3; ++i) {
                 const double pos = random_position();
                 RC_ASSERT(agree(times(m, oracle_encoding(pos, d)), oracle_encoding(pos + k, d)));
               }
             });
           })
      .hint("Apply the angle-addition formulas to sin(w_i (pos + k)) and cos(w_i (pos + k)).");

  ex.part("b2", 1, "Give M_1 for d_model = 4.")
      .array_answer("b_m1", "M_1 for d_model = 4 (4 x 4, row by row)", {4, 4}, [] { return shift_one_width_four(); },
                    Precision::decimal_places(4));
}

void part_c(workbook::Exercise& ex) {
  ex.part("c", 1, "What does the linearity imply for attention to relative positions? Does PE(pos) . PE(pos + k) "
                  "depend on pos? (The plot similarity draws it with your encoding from two starting positions.)")
      .choice_answer("c_depends", "does PE(pos) . PE(pos + k) depend on pos?", {"yes", "no"}, "no")
      .manual(2);
}

workbook::Plot similarity_plot(const Context&) {
  workbook::Plot p;
  p.title = "Dot products of sinusoidal encodings k positions apart";
  p.xlabel = "offset k";
  p.ylabel = "PE(pos) . PE(pos + k)";
  workbook::Series from0{"pos = 0 (your encoding)", {}, {}, workbook::Series::Style::lines};
  workbook::Series from500{"pos = 500 (your encoding)", {}, {}, workbook::Series::Style::points};
  for (int k = -100; k <= 100; ++k) {
    from0.x.push_back(k);
    from0.y.push_back(student_similarity(0, k, 64));
    from500.x.push_back(k);
    from500.y.push_back(student_similarity(500, k, 64));
  }
  p.series = {from0, from500};
  return p;
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "A position shift is a rotation of the sinusoidal encoding";
  ex.tags = {workbook::Tag::numeric, workbook::Tag::proof, workbook::Tag::implementation, workbook::Tag::conceptual,
             workbook::Tag::plot};
  ex.statement = R"(The original Transformer encodes position pos in R^d_model (d_model even) by pairs of
coordinates that share one frequency w_i = 1 / 10000^(2i / d_model): PE(pos)_2i = sin(w_i pos) and
PE(pos)_2i+1 = cos(w_i pos). Show that moving k positions ahead is a linear map: there is a matrix M_k,
depending on k but not on pos, with PE(pos + k) = M_k PE(pos). Implement positional_encoding and shift_matrix,
then say what this means for attending by relative position. Compute in double: positions reach 10^4, where
float's rounding of w_i pos (about 1e-3 radians) moves sin and cos by as much. Give matrix entries to 4
decimal places.)";
  part_a(ex);
  part_b(ex);
  part_c(ex);
  ex.plot("similarity", "PE(pos) . PE(pos + k) against k for d_model = 64, from pos = 0 and pos = 500, with your "
                        "encoding",
          similarity_plot);
}
