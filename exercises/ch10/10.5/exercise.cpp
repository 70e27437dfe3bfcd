// 10.5: sinusoidal positional encoding, its frequencies, its similarity profile and fixed offsets.
//
// Closed forms used as oracles, with w_i = 10000^(-2i/d) for pair i:
//  - dimension 2i (and 2i+1) repeats every 2 pi / w_i positions;
//  - PE_0 = [0, 1, 0, 1, ...] and ||PE_k||^2 = d/2 for every k, so cos(PE_0, PE_k) = (2/d) sum_i cos(k w_i);
//  - ||PE_{pos+k} - PE_pos||^2 = sum_i [(sin(a+b) - sin a)^2 + (cos(a+b) - cos a)^2] = sum_i (2 - 2 cos(k w_i)),
//    with a = pos w_i, b = k w_i: the same for every pos, although the difference vector itself turns.

#include "ch10/10.5/interface.hpp"

#include "workbook/oracle.hpp"

namespace {

using workbook::Context;
constexpr std::size_t max_len = 100, d_model = 128, offset = 5;
const std::vector<std::size_t> positions = {0, 10, 20, 30, 40, 50, 60, 70, 80, 90};

double frequency(std::size_t pair, std::size_t d) { return std::pow(10000.0, -2.0 * pair / d); }

xt::xtensor<double, 2> oracle_pe(std::size_t len, std::size_t d) {
  xt::xtensor<double, 2> pe = xt::xtensor<double, 2>::from_shape({len, d});
  for (std::size_t pos = 0; pos < len; ++pos)
    for (std::size_t c = 0; c < d; ++c)
      pe(pos, c) = c % 2 == 0 ? std::sin(pos * frequency(c / 2, d)) : std::cos(pos * frequency(c / 2, d));
  return pe;
}

double similarity_closed_form(std::size_t k) {
  double sum = 0;
  for (std::size_t i = 0; i < d_model / 2; ++i) sum += std::cos(k * frequency(i, d_model));
  return sum * 2 / d_model;
}

double difference_norm_closed_form(std::size_t k) {
  double sum = 0;
  for (std::size_t i = 0; i < d_model / 2; ++i) sum += 2 - 2 * std::cos(k * frequency(i, d_model));
  return std::sqrt(sum);
}

// The smallest k >= 2 where the similarity rises again: the curve is not monotone.
std::int64_t first_rise() {
  for (std::size_t k = 2; k < max_len; ++k)
    if (similarity_closed_form(k) > similarity_closed_form(k - 1)) return k;
  return 0;
}

// sin and cos of the same arguments: only the frequencies' rounding differs between routes.
const workbook::Tolerance rounding{1e-10, 1e-12};

}  // namespace

WORKBOOK_EXERCISE {
  using workbook::CheckKind;
  ex.title = "Sinusoidal positional encoding: frequencies, similarity, offsets";
  ex.stars = 2;
  ex.tags = {workbook::Tag::implementation, workbook::Tag::numeric, workbook::Tag::conceptual, workbook::Tag::plot};
  ex.statement =
      "The original transformer adds to each token embedding a position code built from sines and cosines: "
      "for pair i of a d_model-dimensional code, dimension 2i holds sin(pos · w_i) and dimension 2i + 1 holds "
      "cos(pos · w_i), with w_i = 1 / 10000^(2i / d_model). Implement it for "
      "d_model = 128 and look at how it behaves along the sequence.";

  auto& a = ex.part("a", 3, "Implement sinusoidal_pe and plot dimensions 0, 1, 50 and 51 over the first 100 positions. "
                            "How do the frequencies differ? Give the period, in positions, of dimensions 0 and 50.");
  a.check("pe 100x128", CheckKind::close, "sinusoidal_pe(100, 128) against the formula evaluated entry by entry",
          [](const Context&) { return workbook::close(ch10_5::sinusoidal_pe(max_len, d_model), oracle_pe(max_len, d_model), rounding); });
  a.check("pe 7x6", CheckKind::close, "a small case, sinusoidal_pe(7, 6), where every pair's frequency differs a lot",
          [](const Context&) { return workbook::close(ch10_5::sinusoidal_pe(7, 6), oracle_pe(7, 6), rounding); });
  a.number_answer("a_period_0", "period of dimension 0, in positions", [] { return 2 * M_PI / frequency(0, d_model); },
                  {1e-3, 0}, "positions");
  a.number_answer("a_period_50", "period of dimension 50, in positions", [] { return 2 * M_PI / frequency(25, d_model); },
                  {1e-3, 0}, "positions");
  a.manual();
  auto& b = ex.part("b", 2, "Measure how alike PE_0 and PE_k are, as the cosine of the angle between them, for every k "
                            "from 1 to 99. How does it change with distance? Is it monotone?");
  b.check("similarity", CheckKind::close,
          "similarity_to_first on the exact 100 x 128 encoding against (2/d) sum_i cos(k w_i)",
          [](const Context&) {
            xt::xarray<double> expected = xt::zeros<double>({max_len - 1});
            for (std::size_t k = 1; k < max_len; ++k) expected(k - 1) = similarity_closed_form(k);
            return workbook::close(ch10_5::similarity_to_first(oracle_pe(max_len, d_model)), expected, rounding);
          });
  b.choice_answer("b_monotone", "does the similarity fall at every step k -> k + 1?", {"yes", "no"}, "no")
      .integer_answer("b_first_rise", "the smallest k >= 2 where similarity(k) > similarity(k - 1)", first_rise())
      .hint("Since ||PE_k||^2 = d/2 for every k, the similarity is an average of cosines cos(k w_i).");
  auto& c = ex.part("c", 3, "For k = 5 compute PE_{pos+5} - PE_pos for pos = 0, 10, ..., 90. Are these differences "
                            "constant? What does that mean for learning relative positions?");
  c.check("differences", CheckKind::close, "offset_differences(exact encoding, 5, {0, 10, ..., 90}) against direct subtraction",
          [](const Context&) {
            const auto pe = oracle_pe(max_len, d_model);
            xt::xarray<double> expected = xt::zeros<double>({positions.size(), d_model});
            for (std::size_t r = 0; r < positions.size(); ++r)
              for (std::size_t col = 0; col < d_model; ++col) expected(r, col) = pe(positions[r] + offset, col) - pe(positions[r], col);
            return workbook::close(ch10_5::offset_differences(pe, offset, positions), expected, rounding);
          });
  c.choice_answer("c_constant", "are the ten difference vectors equal?", {"yes", "no"}, "no")
      .number_answer("c_norm", "the length ||PE_{pos+5} - PE_pos||, the same for every pos",
                     [] { return difference_norm_closed_form(offset); }, {1e-4, 0})
      .manual();

  ex.plot("dimensions", "Dimensions 0, 1, 50 and 51 of the encoding over the first 100 positions (d_model = 128)",
          [](const Context&) {
            const auto pe = ch10_5::sinusoidal_pe(max_len, d_model);
            workbook::Plot p;
            p.title = "Sinusoidal positional encoding, d_model = 128";
            p.xlabel = "position";
            p.ylabel = "encoding value";
            for (std::size_t dim : {0, 1, 50, 51}) {
              workbook::Series s{"dimension " + std::to_string(dim), {}, {}, workbook::Series::Style::lines};
              for (std::size_t pos = 0; pos < max_len; ++pos) s.x.push_back(pos), s.y.push_back(pe(pos, dim));
              p.series.push_back(s);
            }
            return p;
          });
  ex.plot("similarity", "Cosine similarity of PE_k with PE_0 against the distance k", [](const Context&) {
    const auto similarity = ch10_5::similarity_to_first(ch10_5::sinusoidal_pe(max_len, d_model));
    workbook::Plot p;
    p.title = "cos(PE_0, PE_k), d_model = 128";
    p.xlabel = "distance k";
    p.ylabel = "cosine similarity";
    workbook::Series s{"cos(PE_0, PE_k)", {}, {}, workbook::Series::Style::linespoints};
    for (std::size_t k = 1; k < max_len; ++k) s.x.push_back(k), s.y.push_back(similarity(k - 1));
    p.series.push_back(s);
    return p;
  });
  ex.plot("offset-differences", "PE_{pos+5} - PE_pos for pos = 0, 10, ..., 90: the rows differ, their lengths do not",
          [](const Context&) {
            workbook::Plot p;
            p.kind = workbook::Plot::Kind::heatmap;
            p.title = "PE_{pos+5} - PE_pos (rows: pos = 0, 10, ..., 90)";
            p.xlabel = "dimension";
            p.ylabel = "row (pos / 10)";
            p.zlabel = "difference";
            p.z = ch10_5::offset_differences(ch10_5::sinusoidal_pe(max_len, d_model), offset, positions);
            return p;
          });
}
