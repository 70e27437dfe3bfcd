// 10.5: sinusoidal positional encoding, its frequencies, its similarity profile and fixed offsets.
//
// Closed forms used as oracles, with w_i = 10000^(-2i/d) for pair i (workbook/oracle/positional.hpp):
//  - dimensions 2i and 2i+1 repeat every 2 pi / w_i positions;
//  - PE_0 = [0, 1, 0, 1, ...] and ||PE_k||^2 = d/2 for every k, so cos(PE_0, PE_k) = (2/d) sum_i cos(k w_i);
//  - ||PE_{pos+k} - PE_pos||^2 = sum_i (2 - 2 cos(k w_i)) for every pos, although the difference vector turns
//    with pos (angle addition on each (sin, cos) pair).
// Because every row of an encoding has the same norm, the encoding alone cannot tell a cosine from a dot
// product scaled by a constant, and a function that ignores its input and rebuilds the encoding would pass:
// parts b1 and c1 also feed plain random matrices with rows of very different norms and exact zeros.

#include "ch10/10.5/interface.hpp"

#include <cmath>

#include "workbook/exercise.hpp"
#include "workbook/oracle/positional.hpp"
#include "workbook/oracle/random.hpp"
#include "workbook/tolerances.hpp"

namespace {

using workbook::CheckKind;
using workbook::Context;
using workbook::Precision;
using workbook::oracle::Matrix;
constexpr std::size_t max_len = 100, d_model = 128, offset = 5;
constexpr double length_scale = 10000;
const std::vector<std::size_t> positions = {0, 10, 20, 30, 40, 50, 60, 70, 80, 90};

// The encoding computed in float is good only to the rounding of its angles: up to 99 radians, rounded at
// 99 x 6e-8 = 6e-6, plus the float rounding of the frequency itself (measured: 6.6e-6 at worst for
// d = 128, positions below 100, with powf or with the exp/log form of the seed code). 2e-5 leaves a margin
// of three; every mistake of the kind the mutants make moves entries by order one.
constexpr workbook::Tolerance float_angles{1e-5, 2e-5};

Matrix encoding(std::size_t len, std::size_t d) { return workbook::oracle::sinusoidal_table(0, len, d, length_scale); }
double frequency(std::size_t pair) { return workbook::oracle::pair_frequency(pair, d_model, length_scale); }

double similarity_closed_form(std::size_t k) {
  double sum = 0;
  for (std::size_t i = 0; i < d_model / 2; ++i) sum += std::cos(k * frequency(i));
  return sum * 2 / d_model;
}

double difference_norm_closed_form(std::size_t k) {
  double sum = 0;
  for (std::size_t i = 0; i < d_model / 2; ++i) sum += 2 - 2 * std::cos(k * frequency(i));
  return std::sqrt(sum);
}

// The smallest k >= 2 where the similarity rises again: the curve is not monotone.
std::int64_t first_rise() {
  for (std::size_t k = 2; k < max_len; ++k)
    if (similarity_closed_form(k) > similarity_closed_form(k - 1)) return k;
  return 0;
}

// Where the similarity over k = 1 .. 99 is lowest.
std::int64_t lowest_k() {
  std::size_t best = 1;
  for (std::size_t k = 2; k < max_len; ++k)
    if (similarity_closed_form(k) < similarity_closed_form(best)) best = k;
  return best;
}

// A matrix no encoding would produce: rows u + g_r around one Gaussian direction u (g_r Gaussian of spread
// 0.5), scaled by factors from 0.05 to 40, one row half exact zeros. Its cosines with row 0 stay near 0.8 (so a
// float implementation meets the relative tolerance; cosines near 0 would leave only the absolute floor),
// while the norms differ by a factor of 800. The cosine oracle is the definition, entry by entry.
Matrix uneven_rows(const Context& ctx, std::size_t rows, std::size_t cols, const std::string& stream) {
  auto rng = ctx.rng(stream);
  const auto u = workbook::oracle::gaussian_vector(cols, rng);
  Matrix m = workbook::oracle::gaussian_matrix(rows, cols, rng, 0.5);
  const double factors[] = {3.0, 0.05, 40.0, 1.0, 0.7, 12.0, 0.2};
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = 0; c < cols; ++c) m(r, c) = factors[r % 7] * (u(c) + m(r, c));
  for (std::size_t c = 0; c < cols; c += 2) m(3 % rows, c) = 0;
  return m;
}

xt::xarray<double> cosine_to_first(const Matrix& m) {
  using workbook::oracle::dot, workbook::oracle::row;
  xt::xarray<double> out = xt::zeros<double>({m.shape(0) - 1});
  const auto first = row(m, 0);
  for (std::size_t k = 1; k < m.shape(0); ++k)
    out(k - 1) = dot(first, row(m, k)) / std::sqrt(dot(first, first) * dot(row(m, k), row(m, k)));
  return out;
}

xt::xarray<double> differences(const Matrix& m, std::size_t k, const std::vector<std::size_t>& at) {
  xt::xarray<double> out = xt::zeros<double>({at.size(), m.shape(1)});
  for (std::size_t r = 0; r < at.size(); ++r)
    for (std::size_t c = 0; c < m.shape(1); ++c) out(r, c) = m(at[r] + k, c) - m(at[r], c);
  return out;
}

void part_a(workbook::Exercise& ex) {
  ex.part("a1", 2, R"(Implement sinusoidal_pe. The figure "dimensions" draws dimensions 0, 1, 50 and 51 of
the 128-dimensional code for positions 0 to 99.)")
      .check("pe 100x128", CheckKind::close, "sinusoidal_pe(100, 128) against the formula evaluated entry by entry",
             [](const Context&) { return workbook::close(ch10_5::sinusoidal_pe(max_len, d_model), encoding(max_len, d_model), float_angles); })
      .check("pe 7x6", CheckKind::close, "a small case, sinusoidal_pe(7, 6), whose three pairs turn at very different rates",
             [](const Context&) { return workbook::close(ch10_5::sinusoidal_pe(7, 6), encoding(7, 6), float_angles); });
  ex.part("a2", 1, R"(Compare the four curves of the figure: what separates dimensions 0 and 1 from 50 and 51,
and what do the members of each pair share? Give the period, in positions, of dimension 0 and of dimension 50,
each to 4 significant figures.)")
      .number_answer("a_period_0", "period of dimension 0, in positions", [] { return 2 * M_PI / frequency(0); },
                     Precision::significant_figures(4), "positions")
      .number_answer("a_period_50", "period of dimension 50, in positions", [] { return 2 * M_PI / frequency(25); },
                     Precision::significant_figures(4), "positions")
      .manual();
}

void part_b(workbook::Exercise& ex) {
  ex.part("b1", 1, R"(Implement similarity_to_first: for any matrix, the cosine of the angle between its row 0
and each later row.)")
      .check("similarity", CheckKind::close, "similarity_to_first on the exact 100 x 128 encoding against (2/d) sum_i cos(k w_i)",
             [](const Context&) {
               xt::xarray<double> expected = xt::zeros<double>({max_len - 1});
               for (std::size_t k = 1; k < max_len; ++k) expected(k - 1) = similarity_closed_form(k);
               return workbook::close(ch10_5::similarity_to_first(encoding(max_len, d_model)), expected,
                                      workbook::tolerance::float_computation);
             })
      .check("rows of different norms", CheckKind::close,
             "similarity_to_first on a 12 x 10 random matrix whose rows differ in norm by a factor of 800 (one row "
             "half zeros) against dot / (norm x norm)",
             [](const Context& ctx) {
               const auto m = uneven_rows(ctx, 12, 10, "b-uneven");
               return workbook::close(ch10_5::similarity_to_first(m), cosine_to_first(m), workbook::tolerance::float_computation);
             });
  ex.part("b2", 1, R"(Follow cos(PE_0, PE_k) of the 100 x 128 encoding as the distance k grows from 1 to 99 (the
figure "similarity"). Describe the curve: how fast it falls, whether it ever turns back up, and whether it
approaches 0. Then give the first k >= 2 where it goes up, the k where it is lowest, and its lowest value to 4
significant figures.)")
      .choice_answer("b_monotone", "does the similarity fall at every step k -> k + 1?", {"yes", "no"}, "no")
      .integer_answer("b_first_rise", "the smallest k >= 2 where similarity(k) > similarity(k - 1)", first_rise())
      .integer_answer("b_lowest_k", "the k in 1 .. 99 where the similarity is lowest", lowest_k())
      .number_answer("b_lowest", "the lowest similarity over k = 1 .. 99",
                     [] { return similarity_closed_form(lowest_k()); }, Precision::significant_figures(4))
      .hint("Since ||PE_k||^2 = d/2 for every k, the similarity is an average of cosines cos(k w_i).")
      .manual();
}

void part_c(workbook::Exercise& ex) {
  ex.part("c1", 1, R"(Implement offset_differences: row r of the result is row positions[r] + k of the matrix
minus row positions[r], for any matrix and any list of positions.)")
      .check("differences", CheckKind::close, "offset_differences(exact encoding, 5, {0, 10, ..., 90}) against direct subtraction",
             [](const Context&) {
               const auto pe = encoding(max_len, d_model);
               return workbook::close(ch10_5::offset_differences(pe, offset, positions), differences(pe, offset, positions),
                                      workbook::tolerance::float_computation);
             })
      .check("any matrix", CheckKind::close,
             "offset_differences of a 20 x 6 random matrix, k = 3, positions {4, 0, 16, 4, 9} (unsorted, one repeated) "
             "against direct subtraction",
             [](const Context& ctx) {
               const auto m = uneven_rows(ctx, 20, 6, "c-any");
               const std::vector<std::size_t> at = {4, 0, 16, 4, 9};
               return workbook::close(ch10_5::offset_differences(m, 3, at), differences(m, 3, at),
                                      workbook::tolerance::float_computation);
             });
  ex.part("c2", 2, R"(Take an offset of 5 positions and the ten vectors PE_{pos+5} - PE_pos at pos = 0, 10, ..., 90
(the figure "offset-differences"). Are they one and the same vector? Give their length to 4 significant figures,
and explain what the pattern means for a model that has to pick up relative positions.)")
      .choice_answer("c_constant", "are the ten difference vectors equal?", {"yes", "no"}, "no")
      .number_answer("c_norm", "the length ||PE_{pos+5} - PE_pos||, the same for every pos",
                     [] { return difference_norm_closed_form(offset); }, Precision::significant_figures(4))
      .manual(2);
}

void plots(workbook::Exercise& ex) {
  ex.plot("dimensions", "Dimensions 0, 1, 50 and 51 of the encoding over the first 100 positions (d_model = 128)",
          [](const Context&) {
            const auto pe = ch10_5::sinusoidal_pe(max_len, d_model);
            std::vector<workbook::Series> series;
            for (std::size_t dim : {0, 1, 50, 51}) {
              workbook::Series s{"dimension " + std::to_string(dim), {}, {}, workbook::Series::Style::lines};
              for (std::size_t pos = 0; pos < max_len; ++pos) s.x.push_back(pos), s.y.push_back(pe(pos, dim));
              series.push_back(s);
            }
            return workbook::xy_plot("Sinusoidal positional encoding, d_model = 128", "position", "encoding value", series);
          });
  ex.plot("similarity", "Cosine similarity of PE_k with PE_0 against the distance k", [](const Context&) {
    const auto similarity = ch10_5::similarity_to_first(ch10_5::sinusoidal_pe(max_len, d_model));
    workbook::Series s{"cos(PE_0, PE_k)", {}, {}, workbook::Series::Style::linespoints};
    for (std::size_t k = 1; k < max_len; ++k) s.x.push_back(k), s.y.push_back(similarity(k - 1));
    return workbook::xy_plot("cos(PE_0, PE_k), d_model = 128", "distance k", "cosine similarity", {s});
  });
  ex.plot("offset-differences", "PE_{pos+5} - PE_pos for pos = 0, 10, ..., 90, one row per pos",
          [](const Context&) {
            return workbook::heatmap("PE_{pos+5} - PE_pos (rows: pos = 0, 10, ..., 90)", "dimension", "row (pos / 10)",
                                     "difference",
                                     ch10_5::offset_differences(ch10_5::sinusoidal_pe(max_len, d_model), offset, positions));
          });
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "Sinusoidal positional encoding: frequencies, similarity, offsets";
  ex.stars = 2;
  ex.tags = {workbook::Tag::implementation, workbook::Tag::numeric, workbook::Tag::conceptual, workbook::Tag::plot};
  ex.statement = R"(The original transformer adds to each token embedding a position code made of sines and
cosines. For pair i of a d_model-dimensional code, dimension 2i holds sin(pos · w_i) and dimension 2i + 1 holds
cos(pos · w_i), where w_i = 1 / 10000^(2i / d_model). Build it for d_model = 128 and study how it changes along the
sequence. Computing in float is fine: the checks allow for float's rounding.)";
  part_a(ex);
  part_b(ex);
  part_c(ex);
  plots(ex);
}
