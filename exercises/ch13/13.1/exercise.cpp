// 13.1: a fixed-size encoder state is a bottleneck. With a linear recurrent encoder (h_t = A h_{t-1} + B x_t,
// state in R^d, tokens in R^m) the map from a whole input (n tokens: n m numbers) to the last state is a d x nm
// matrix, read off the student's encoder by feeding it the nm unit inputs in one batch; its rank counts the input
// directions the state keeps. Closed forms for random A, B: rank(last state) = min(nm, d), rank(all n states) =
// nm, since the all-states map is block lower triangular with B on its diagonal. For nm > d the null space of
// the last-state map gives two different inputs with the same last state (part c): no decoder can tell them apart.
//
// Tolerances: the states within 1e-5 relative plus 1e-5 of the largest state (tolerance::float_at_scale). Ranks use numerical_rank with rtol 1e-6: in every case
// checked the true rank is the smaller dimension of the map, so no true singular value is zero, and a float
// computation's rounding (1e-7 relative) is below the threshold.

#include "ch13/13.1/interface.hpp"

#include <cmath>

#include "workbook/exercise.hpp"
#include "workbook/oracle/matrix.hpp"
#include "workbook/oracle/random.hpp"
#include "workbook/tolerances.hpp"

namespace {

using workbook::CheckKind;
using workbook::CheckResult;
using workbook::Context;
using workbook::oracle::Matrix;
constexpr std::size_t d = 12, m = 3, longest_checked = 8, longest_plotted = 10;
constexpr double rank_rtol = 1e-6;

struct Encoder {
  Matrix a, b;
};

// A random encoder: A with entries N(0, 1/d) (spectral radius about 1, so states neither vanish nor explode over
// ten steps), B with entries N(0, 1).
Encoder random_encoder(std::mt19937_64& rng, double a_spread = 1.0) {
  return {workbook::oracle::gaussian_matrix(d, d, rng, a_spread / std::sqrt(double(d))), workbook::oracle::gaussian_matrix(d, m, rng)};
}

xt::xtensor<double, 3> random_sequences(std::size_t batch, std::size_t n, std::mt19937_64& rng) {
  xt::xtensor<double, 3> xs = xt::zeros<double>({batch, n, m});
  const auto g = workbook::oracle::gaussian_matrix(batch * n, m, rng);
  for (std::size_t i = 0; i < xs.size(); ++i) xs.flat(i) = g.flat(i);
  return xs;
}

// The recurrence written out, state by state.
xt::xtensor<double, 3> states_oracle(const Encoder& e, const xt::xtensor<double, 3>& xs) {
  const std::size_t batch = xs.shape(0), n = xs.shape(1);
  xt::xtensor<double, 3> out = xt::zeros<double>({batch, n, d});
  for (std::size_t s = 0; s < batch; ++s)
    for (std::size_t t = 0; t < n; ++t)
      for (std::size_t i = 0; i < d; ++i) {
        double h = 0;
        for (std::size_t j = 0; j < d; ++j) h += e.a(i, j) * (t == 0 ? 0.0 : out(s, t - 1, j));
        for (std::size_t j = 0; j < m; ++j) h += e.b(i, j) * xs(s, t, j);
        out(s, t, i) = h;
      }
  return out;
}

CheckResult states_match(const Encoder& e, const xt::xtensor<double, 3>& xs) {
  const xt::xarray<double> expected = states_oracle(e, xs);
  return workbook::close(xt::xarray<double>(ch13_1::encoder_states(e.a, e.b, xs)), expected, workbook::tolerance::float_at_scale(expected));
}

// The two linear maps of the student's encoder for inputs of n tokens, read off in one call: column c is the
// response to the unit input e_c (token c / m, coordinate c % m). last: d x nm; all: nd x nm.
struct Maps {
  Matrix last, all;
};

Maps encoder_maps(const Encoder& e, std::size_t n) {
  xt::xtensor<double, 3> units = xt::zeros<double>({n * m, n, m});
  for (std::size_t c = 0; c < n * m; ++c) units(c, c / m, c % m) = 1;
  const auto states = ch13_1::encoder_states(e.a, e.b, units);
  if (states.shape(0) != n * m || states.shape(1) != n || states.shape(2) != d)
    throw std::runtime_error("encoder_states returned shape other than (batch, n, d)");
  Maps maps{xt::zeros<double>({d, n * m}), xt::zeros<double>({n * d, n * m})};
  for (std::size_t c = 0; c < n * m; ++c)
    for (std::size_t t = 0; t < n; ++t)
      for (std::size_t i = 0; i < d; ++i) {
        maps.all(t * d + i, c) = states(c, t, i);
        if (t == n - 1) maps.last(i, c) = states(c, t, i);
      }
  return maps;
}

struct Ranks {
  std::vector<std::int64_t> last, all;
};

Ranks ranks_up_to(const Encoder& e, std::size_t longest) {
  Ranks r;
  for (std::size_t n = 1; n <= longest; ++n) {
    const auto maps = encoder_maps(e, n);
    r.last.push_back(workbook::oracle::numerical_rank(maps.last, rank_rtol));
    r.all.push_back(workbook::oracle::numerical_rank(maps.all, rank_rtol));
  }
  return r;
}

double length(const xt::xtensor<double, 1>& v) { return std::sqrt(workbook::oracle::dot(v, v)); }

// A unit vector orthogonal to every row of `map` (its null space), from Gram-Schmidt on the rows and a random start.
xt::xtensor<double, 1> null_direction(const Matrix& map, std::mt19937_64& rng) {
  std::vector<xt::xtensor<double, 1>> basis;
  for (std::size_t r = 0; r < map.shape(0); ++r) {
    xt::xtensor<double, 1> q = workbook::oracle::row(map, r);
    const double original = length(q);
    for (const auto& u : basis) q -= workbook::oracle::dot(q, u) * u;
    if (length(q) > 1e-10 * original) basis.push_back(q / length(q));
  }
  xt::xtensor<double, 1> z = workbook::oracle::gaussian_vector(map.shape(1), rng);
  for (int pass = 0; pass < 2; ++pass)  // twice: Gram-Schmidt's rounding left in the first pass is removed by the second
    for (const auto& u : basis) z -= workbook::oracle::dot(z, u) * u;
  return z / length(z);
}

// Two inputs x and x + z (||z|| = ||x||, z in the null space of the student's last-state map): true when the
// student's last states of both differ by at most 1e-5 of ||map||_F ||z||, float rounding of terms of that size.
bool same_last_state(const Encoder& e, std::size_t n, std::mt19937_64& rng) {
  const auto maps = encoder_maps(e, n);
  const auto x = workbook::oracle::gaussian_vector(n * m, rng);
  const xt::xtensor<double, 1> z = null_direction(maps.last, rng) * length(x);
  xt::xtensor<double, 3> pair = xt::zeros<double>({std::size_t(2), n, m});
  for (std::size_t c = 0; c < n * m; ++c) pair(0, c / m, c % m) = x(c), pair(1, c / m, c % m) = x(c) + z(c);
  const auto states = ch13_1::encoder_states(e.a, e.b, pair);
  double gap = 0;
  for (std::size_t i = 0; i < d; ++i) gap = std::max(gap, std::abs(states(1, n - 1, i) - states(0, n - 1, i)));
  const double scale = std::sqrt(xt::sum(maps.last * maps.last)()) * length(z);
  return gap <= 1e-5 * scale;
}

void part_a(workbook::Exercise& ex) {
  ex.part("a", 2, "Implement encoder_states.")
      .check("random batch", CheckKind::close, "five random sequences of 7 tokens (d and m as in the statement) against the recurrence written out",
             [](const Context& ctx) {
               auto rng = ctx.rng("a-random");
               const auto e = random_encoder(rng);
               return states_match(e, random_sequences(5, 7, rng));
             })
      .check("one token", CheckKind::close, "sequences of a single token, where the only state is B x_1",
             [](const Context& ctx) {
               auto rng = ctx.rng("a-one");
               const auto e = random_encoder(rng);
               return states_match(e, random_sequences(3, 1, rng));
             })
      .check("growing states", CheckKind::close, "an A of spectral radius about 2, whose states grow over 10 tokens",
             [](const Context& ctx) {
               auto rng = ctx.rng("a-growing");
               const auto e = random_encoder(rng, 2.0);
               return states_match(e, random_sequences(2, 10, rng));
             });
}

void part_b(workbook::Exercise& ex) {
  ex.part("b1", 2, R"(Measure what the states can hold, on your encoder with a random A and B (d = 12, m = 3). For each
input length n = 1..8, feed it the n m unit inputs (one coordinate of one token set to 1) in one batch: the last
states are the columns of the map from inputs to the last state, and the whole state sequences those of the map
from inputs to all n states. Their ranks count the input directions each keeps.)")
      .check("last state", CheckKind::equal,
             "the rank of the map from an n-token input to your last state, for n = 1..8, against the rank a generic A "
             "and B give",
             [](const Context& ctx) {
               auto rng = ctx.rng("b-ranks");
               const auto e = random_encoder(rng);
               std::vector<std::int64_t> expected;
               for (std::size_t n = 1; n <= longest_checked; ++n) expected.push_back(std::min(n * m, d));
               return workbook::equal(ranks_up_to(e, longest_checked).last, expected);
             })
      .check("all states", CheckKind::equal,
             "the rank of the map from an n-token input to your n states together, for n = 1..8, against the rank a "
             "generic A and B give",
             [](const Context& ctx) {
               auto rng = ctx.rng("b-ranks");
               const auto e = random_encoder(rng);
               std::vector<std::int64_t> expected;
               for (std::size_t n = 1; n <= longest_checked; ++n) expected.push_back(n * m);
               return workbook::equal(ranks_up_to(e, longest_checked).all, expected);
             });
  ex.part("b2", 2, R"(Read the counts off (figure `ranks` draws them up to n = 10). With d = 12 and m = 3: the rank
of the last-state map and of the all-states map at n = 8; the longest input whose every direction the last state
still keeps; and how many independent input directions the last state loses at n = 8.)")
      .integer_answer("b_rank_last", "rank of the map to the last state, n = 8", std::min(longest_checked * m, d))
      .integer_answer("b_rank_all", "rank of the map to all 8 states", longest_checked * m)
      .integer_answer("b_longest", "the largest n for which the last state keeps all n m input directions", d / m)
      .integer_answer("b_lost", "input directions lost by the last state at n = 8 (the dimension of its null space)",
                      longest_checked * m - std::min(longest_checked * m, d));
}

void part_c(workbook::Exercise& ex) {
  ex.part("c", 1, R"(Show the loss concretely: for inputs longer than the state can hold, find two different inputs
that your encoder maps to the same last state.)")
      .check("same last state", CheckKind::property,
             "for random A, B, n from 5 to 10 tokens and a random input x, an input x + z with z in the null space of "
             "the last-state map and ||z|| = ||x|| gives the same last state from your encoder (to 1e-5 of ||map|| ||z||)",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("c-collision"), [] {
                 const auto n = *rc::gen::inRange<std::size_t>(5, 11);
                 auto rng = workbook::oracle::property_rng();
                 const auto e = random_encoder(rng);
                 RC_ASSERT(same_last_state(e, n, rng));
               }, {30, 100});
             })
      .hint("Feed the unit inputs first (as in b1) to get the last-state map M; any z with M z = 0 works, and there "
            "are such z as soon as n m > d.");
}

void part_d(workbook::Exercise& ex) {
  ex.part("d", 3, R"(Explain in your own words why handing the decoder one fixed-size encoder state was a bottleneck for
early sequence-to-sequence models, and how attention removed it. Use what (b) and (c) showed, and say what
changes for a real, nonlinear encoder.)")
      .manual();
}

void plots(workbook::Exercise& ex) {
  ex.plot("ranks", "Input directions kept by your encoder's last state and by all its states, against the input "
          "length n (d = 12, m = 3)",
          [](const Context& ctx) {
            auto rng = ctx.rng("plot-ranks");
            const auto ranks = ranks_up_to(random_encoder(rng), longest_plotted);
            workbook::Series last{"last state (fixed size)", {}, {}, workbook::Series::Style::linespoints};
            workbook::Series all{"all states (what attention reads)", {}, {}, workbook::Series::Style::linespoints};
            workbook::Series size{"state size d", {}, {}, workbook::Series::Style::lines};
            for (std::size_t n = 1; n <= longest_plotted; ++n) {
              last.x.push_back(n), last.y.push_back(ranks.last[n - 1]);
              all.x.push_back(n), all.y.push_back(ranks.all[n - 1]);
              size.x.push_back(n), size.y.push_back(d);
            }
            return workbook::xy_plot("What a d = 12 state can hold", "input length n (tokens of m = 3 numbers)",
                                     "rank of the map from the input", {last, all, size});
          });
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "The fixed-size bottleneck of early encoder-decoders";
  ex.tags = {workbook::Tag::implementation, workbook::Tag::numeric, workbook::Tag::conceptual, workbook::Tag::plot};
  ex.statement = R"(The first neural translators read the source sentence with a recurrent encoder and passed the
decoder a single vector: the encoder's state after the last token. Here the encoder is linear, so that what its
state can hold is a rank you can compute: h_0 = 0 and h_t = A h_{t-1} + B x_t, with a state of d numbers and tokens
x_t of m numbers. An input of n tokens is n m numbers, and the map from it to the last state is a d x (n m)
matrix: whatever input directions that matrix sends to zero are gone, and no decoder can recover them. An attention
decoder instead reads all n states. Use d = 12 and m = 3 throughout. Computing in float is fine: the checks allow
for float's rounding.)";
  part_a(ex);
  part_b(ex);
  part_c(ex);
  part_d(ex);
  plots(ex);
}
