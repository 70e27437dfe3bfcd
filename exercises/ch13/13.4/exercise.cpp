// 13.4: the per-head dimension d_k = d_model / h. Closed forms: d_k; W_Q^i has d_model d_k entries; the four
// projections W_Q, W_K, W_V, W_O together have 4 d_model^2 whatever h is (biases not counted); a head's score
// matrix (X W_Q^i)(X W_K^i)^T is a product through d_k dimensions, so its rank is at most min(n, d_k).
// The figure computes that rank's shadow: the singular values of one random head's n x n score matrix, by
// workbook::oracle::singular_values, normalised by the largest.

#include <cmath>

#include "workbook/exercise.hpp"
#include "workbook/oracle/matrix.hpp"
#include "workbook/oracle/random.hpp"

namespace {

using workbook::Context;
using workbook::oracle::Matrix;
constexpr std::int64_t d_model = 512, tokens = 128;

std::int64_t d_k(std::int64_t heads) { return d_model / heads; }

// One head of a random layer at h heads: the singular values of Q K^T for random tokens X (tokens x d_model),
// divided by the largest.
std::vector<double> head_spectrum(std::int64_t heads, std::mt19937_64& rng) {
  const double spread = 1 / std::sqrt(double(d_model));
  const auto x = workbook::oracle::gaussian_matrix(tokens, d_model, rng);
  const auto w_q = workbook::oracle::gaussian_matrix(d_model, d_k(heads), rng, spread);
  const auto w_k = workbook::oracle::gaussian_matrix(d_model, d_k(heads), rng, spread);
  const auto scores = workbook::oracle::matmul(workbook::oracle::matmul(x, w_q),
                                               workbook::oracle::transpose(workbook::oracle::matmul(x, w_k)));
  auto s = workbook::oracle::singular_values(scores);
  const double top = s.front();
  // Past the rank the singular values are rounding (~1e-16 of the largest, different on every BLAS): they are
  // written as the zeros they stand for, so that the figure's data are the same on every machine.
  for (auto& v : s) v = v / top < 1e-12 ? 0.0 : v / top;
  return s;
}

void part_a(workbook::Exercise& ex) {
  ex.part("a", 1, "What is d_k with h = 8 heads? And with h = 64?")
      .integer_answer("a_dk_8", "d_k with 8 heads", d_k(8))
      .integer_answer("a_dk_64", "d_k with 64 heads", d_k(64));
}

void part_b(workbook::Exercise& ex) {
  ex.part("b", 2, R"(Count parameters (weights only, no biases). How many entries has one head's query projection
W_Q^i (d_model x d_k), at h = 8 and at h = 64? How many have the four projections W_Q, W_K, W_V, W_O of the layer
together, at h = 8 and at h = 64? Does going from 8 to 64 heads change that total?)")
      .integer_answer("b_head_wq_8", "entries of one head's W_Q^i with 8 heads", d_model * d_k(8))
      .integer_answer("b_head_wq_64", "entries of one head's W_Q^i with 64 heads", d_model * d_k(64))
      .integer_answer("b_layer_8", "entries of W_Q, W_K, W_V, W_O together with 8 heads", 4 * d_model * d_model)
      .integer_answer("b_layer_64", "entries of W_Q, W_K, W_V, W_O together with 64 heads", 4 * d_model * d_model)
      .choice_answer("b_total_changes", "does the total change from 8 heads to 64?", {"yes", "no"}, "no");
}

void part_c(workbook::Exercise& ex) {
  ex.part("c", 2, R"(For a sequence of n = 128 tokens, a head's scores form the 128 x 128 matrix (X W_Q^i)(X W_K^i)^T.
What is the largest rank it can have at h = 8, and at h = 64? (Figure `head-spectrum` shows the singular values of
one random head at each h.))")
      .integer_answer("c_rank_8", "largest rank of one head's score matrix with 8 heads", std::min(tokens, d_k(8)))
      .integer_answer("c_rank_64", "largest rank of one head's score matrix with 64 heads", std::min(tokens, d_k(64)));
}

void part_d(workbook::Exercise& ex) {
  ex.part("d", 2, R"(What happens to the representational capacity of each head when h goes from 8 to 64 at fixed
d_model? Weigh what is lost per head against what is gained by having more of them.)")
      .manual();
}

void plots(workbook::Exercise& ex) {
  ex.plot("head-spectrum", "Singular values of one random head's 128 x 128 score matrix, divided by the largest, at h = 8 "
          "and h = 64 (d_model = 512)",
          [](const Context& ctx) {
            auto rng = ctx.rng("plot-spectrum");
            std::vector<workbook::Series> series;
            for (std::int64_t heads : {8, 64}) {
              const auto s = head_spectrum(heads, rng);
              workbook::Series line{"h = " + std::to_string(heads), {}, {}, workbook::Series::Style::linespoints};
              for (std::size_t i = 0; i < s.size(); ++i) line.x.push_back(i + 1), line.y.push_back(s[i]);
              series.push_back(line);
            }
            return workbook::xy_plot("Score matrix of one head: singular values", "index", "singular value / largest", series);
          });
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "Head dimension and the number of heads";
  ex.tags = {workbook::Tag::numeric, workbook::Tag::conceptual, workbook::Tag::plot};
  ex.statement = R"(A multi-head attention layer with model width d_model = 512 splits its width evenly among h heads:
each head projects the tokens to queries and keys of d_k = d_model / h dimensions (values too), and the heads'
outputs are concatenated and mixed by W_O (d_model x d_model). Compare the original h = 8 with h = 64. Count weights
only, no biases.)";
  part_a(ex);
  part_b(ex);
  part_c(ex);
  part_d(ex);
  plots(ex);
}
