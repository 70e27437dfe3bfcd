// 10.11: naive attention stores the n x m score matrix; tiled (flash-style) attention never does, and both give
// the same numbers. The oracle is plain-loop attention per batch entry (workbook/oracle/attention.hpp); the tiled
// kernel is also compared with the student's own naive kernel. Block sizes cover 1, sizes that do not divide the
// length, and blocks longer than the sequence; large scores come from integer entries with d = 4 (exact in
// float), and keys sorted so that every new block raises the running maximum.
//
// Timing and memory are measured in the solution's own process by its benchmark function (the seed asks the
// student to write that benchmark): wall-clock by std::chrono::steady_clock, peak memory by Linux's resident-set
// high-water mark through the helpers the interface gives. They are reported and plotted, never asserted. The
// quick budget runs small n; --full runs the seed's n = 256 ... 8192, d = 64, batch 8. Figures drawn in the quick
// budget hold only closed forms (their data must be the same on every machine); --full adds the measurements.

#include "ch10/10.11/interface.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <random>

#include "workbook/exercise.hpp"
#include "workbook/oracle/attention.hpp"
#include "workbook/oracle/random.hpp"
#include "workbook/tolerances.hpp"

namespace {

using workbook::CheckKind;
using workbook::CheckResult;
using workbook::Context;
using workbook::Precision;
using workbook::Series;
using workbook::oracle::Matrix;
using Batch = xt::xtensor<double, 3>;
constexpr std::size_t bench_batch = 8, bench_d = 64;

bool passes(const CheckResult& r) { return r.status == workbook::Status::pass; }

Matrix slice(const Batch& t, std::size_t b) {
  Matrix m = Matrix::from_shape({t.shape(1), t.shape(2)});
  for (std::size_t i = 0; i < t.shape(1); ++i)
    for (std::size_t c = 0; c < t.shape(2); ++c) m(i, c) = t(b, i, c);
  return m;
}

// Plain-loop attention of every batch entry.
xt::xarray<double> oracle_attention(const Batch& q, const Batch& k, const Batch& v) {
  xt::xarray<double> out = xt::zeros<double>({q.shape(0), q.shape(1), v.shape(2)});
  for (std::size_t b = 0; b < q.shape(0); ++b) {
    const auto o = workbook::oracle::attention(slice(q, b), slice(k, b), slice(v, b), 1 / std::sqrt(double(q.shape(2))));
    for (std::size_t i = 0; i < o.shape(0); ++i)
      for (std::size_t c = 0; c < o.shape(1); ++c) out(b, i, c) = o(i, c);
  }
  return out;
}

Batch gaussian_batch(std::size_t batch, std::size_t rows, std::size_t cols, std::mt19937_64& rng) {
  Batch t = Batch::from_shape({batch, rows, cols});
  std::normal_distribution<double> normal;
  for (auto& x : t) x = normal(rng);
  return t;
}

struct Inputs {
  Batch q, k, v;
};

Inputs gaussian_inputs(std::size_t batch, std::size_t n, std::size_t m, std::size_t d, std::size_t d_v, std::mt19937_64& rng) {
  auto q = gaussian_batch(batch, n, d, rng);
  auto k = gaussian_batch(batch, m, d, rng);
  return {q, k, gaussian_batch(batch, m, d_v, rng)};
}

// Integer q and k (d = 4, so q . k / 2 is exact in float) with scores in the thousands; the keys of each batch
// entry sorted by their score against the first query, so that block after block raises the running maximum.
Inputs large_score_inputs(std::mt19937_64& rng) {
  constexpr std::size_t batch = 2, n = 9, m = 40, d = 4;
  std::uniform_int_distribution<int> draw(-30, 30);
  Inputs in{Batch::from_shape({batch, n, d}), Batch::from_shape({batch, m, d}), gaussian_batch(batch, m, 3, rng)};
  for (auto& x : in.q) x = draw(rng);
  for (auto& x : in.k) x = draw(rng);
  for (std::size_t b = 0; b < batch; ++b) {
    std::vector<std::pair<double, std::size_t>> order;
    for (std::size_t j = 0; j < m; ++j) {
      double s = 0;
      for (std::size_t c = 0; c < d; ++c) s += in.q(b, 0, c) * in.k(b, j, c);
      order.push_back({s, j});
    }
    std::sort(order.begin(), order.end());
    const Batch keys = in.k;
    for (std::size_t j = 0; j < m; ++j)
      for (std::size_t c = 0; c < d; ++c) in.k(b, j, c) = keys(b, order[j].second, c);
  }
  return in;
}

CheckResult naive_matches(const Inputs& in) {
  return workbook::close(ch10_11::naive_attention(in.q, in.k, in.v), oracle_attention(in.q, in.k, in.v), workbook::tolerance::float_sums(workbook::tolerance::largest_magnitude(in.v)));
}

CheckResult tiled_matches(const Inputs& in, std::size_t block) {
  return workbook::close(ch10_11::tiled_attention(in.q, in.k, in.v, block), oracle_attention(in.q, in.k, in.v),
                         workbook::tolerance::float_sums(workbook::tolerance::largest_magnitude(in.v)));
}

// ---- (a), (b): pen and paper ---------------------------------------------------------------------------

void part_a(workbook::Exercise& ex) {
  ex.part("a", 2, R"(Naive attention for one (batch entry, head) keeps Q, K and V (n x d each), the n x n scores,
which the softmax may overwrite in place with the weights, and the output O (n x d). Write the number of values it
holds at its peak as alpha n^2 + beta n d. Which tensor dominates for long sequences, and from which ratio n / d
on does it outweigh the four n x d tensors together? Finally, the benchmark of the seed computes the scores of a
batch of 8 sequences with n = 8192 as one float32 tensor: how many bytes is that tensor?)")
      .array_answer("a_coefficients", "[alpha, beta]", {2}, [] { return xt::xarray<double>{1, 4}; }, Precision::exact())
      .choice_answer("a_dominant", "the tensor that dominates for large n", {"Q, K and V", "the score matrix", "the output"},
                     "the score matrix")
      .number_answer("a_ratio", "n / d at which the scores hold as many values as Q, K, V and O together",
                     [] { return 4.0; }, Precision::exact())
      .integer_answer("a_seed_scores_bytes", "bytes of the float32 scores of 8 sequences of length 8192",
                      std::int64_t(8) * 8192 * 8192 * 4, "bytes");
}

void part_b(workbook::Exercise& ex) {
  ex.part("b", 1, R"(Explain how tiling and the online softmax let flash attention produce the same output while
holding only O(n) memory besides a fixed-size tile: what is kept per query row between key blocks, why the partial
output must be rescaled, and why no n x n matrix is ever needed. With query blocks of B_r rows and key blocks of
B_c rows, what is the largest block of scores alive at one time, and how many running numbers does each query
row carry besides its partial output?)")
      .choice_answer("b_tile", "the largest block of scores held at once", {"B_r x B_c", "B_r x n", "n x B_c", "n x n"},
                     "B_r x B_c")
      .integer_answer("b_running", "running numbers per query row besides its partial output", 2)
      .manual(2);
}

// ---- (c): the kernels and the benchmark ------------------------------------------------------------------

void part_c1(workbook::Exercise& ex) {
  ex.part("c1", 2, R"(Implement naive_attention.)")
      .check("general shapes", CheckKind::close,
             "batch 3 with 5 queries, 7 keys, query width 4 and value width 3 against plain-loop attention of each batch entry",
             [](const Context& ctx) {
               auto rng = ctx.rng("c1-shapes");
               return naive_matches(gaussian_inputs(3, 5, 7, 4, 3, rng));
             })
      .check("large scores", CheckKind::close,
             "integer queries and keys with scores in the thousands (exp overflows unless the row maximum is "
             "subtracted) against plain-loop attention",
             [](const Context& ctx) {
               auto rng = ctx.rng("c1-large");
               return naive_matches(large_score_inputs(rng));
             })
      .check("ties and zeros", CheckKind::close,
             "a query of zeros (equal weights), repeated keys and a value column of zeros",
             [](const Context&) {
               Inputs in{Batch{{{0, 0}, {1, -1}, {2, 2}}}, Batch{{{1, 2}, {1, 2}, {-1, 0}, {1, 2}}},
                         Batch{{{1, 0}, {2, 0}, {-3, 0}, {0.5, 0}}}};
               return naive_matches(in);
             });
}

// Inside a property: batch <= 3, n, m <= 40, d, d_v <= 6, block 1 .. 50.
std::pair<Inputs, std::size_t> random_case() {
  const auto batch = *rc::gen::inRange<std::size_t>(1, 4);
  const auto n = *rc::gen::inRange<std::size_t>(1, 41);
  const auto m = *rc::gen::inRange<std::size_t>(1, 41);
  const auto d = *rc::gen::inRange<std::size_t>(1, 7);
  const auto d_v = *rc::gen::inRange<std::size_t>(1, 7);
  const auto block = *rc::gen::inRange<std::size_t>(1, 51);
  auto rng = workbook::oracle::property_rng();
  return {gaussian_inputs(batch, n, m, d, d_v, rng), block};
}

void part_c2(workbook::Exercise& ex) {
  auto& c = ex.part("c2", 3, R"(Implement tiled_attention. The checks require it to agree with your naive_attention and
with plain-loop attention to within 1e-5 relative or 1e-6 x the largest |value| absolute, which leaves room for
float's rounding, for any block size.)");
  for (std::size_t block : {1, 7, 64})
    c.check("B=" + std::to_string(block), CheckKind::close,
            "batch 2, 30 queries, 45 keys, d = 8, d_v = 5 in blocks of " + std::to_string(block) +
                (block == 64 ? " (one block longer than the sequence)" : block == 7 ? " (not a divisor of 30 or 45)" : "") +
                " against plain-loop attention",
            [block](const Context& ctx) {
              auto rng = ctx.rng("c2-blocks");
              return tiled_matches(gaussian_inputs(2, 30, 45, 8, 5, rng), block);
            });
  c.check("rising maximum", CheckKind::close,
          "large integer scores with the keys sorted so that each block of 8 raises the running maximum, against "
          "plain-loop attention",
          [](const Context& ctx) {
            auto rng = ctx.rng("c1-large");
            return tiled_matches(large_score_inputs(rng), 8);
          });
  c.check("same as naive", CheckKind::close,
          "batch 2, n = m = 300 (full budget: 2048), d = 64, blocks of 64: your tiled against your naive kernel",
          [](const Context& ctx) {
            auto rng = ctx.rng("c2-naive");
            const std::size_t n = ctx.full() ? 2048 : 300;
            const auto in = gaussian_inputs(2, n, n, 64, 64, rng);
            return workbook::close(ch10_11::tiled_attention(in.q, in.k, in.v, 64),
                                   xt::xarray<double>(ch10_11::naive_attention(in.q, in.k, in.v)), workbook::tolerance::float_sums(workbook::tolerance::largest_magnitude(in.v)));
          });
  c.check("any shape and block", CheckKind::property,
          "for random batch <= 3, lengths <= 40, widths <= 6 and blocks 1 .. 50, your tiled kernel equals "
          "plain-loop attention and your naive kernel",
          [](const Context& ctx) {
            return workbook::property(ctx.seed_for("c2-property"), [] {
              const auto [in, block] = random_case();
              const xt::xarray<double> tiled = ch10_11::tiled_attention(in.q, in.k, in.v, block);
              RC_ASSERT(passes(workbook::close(tiled, oracle_attention(in.q, in.k, in.v), workbook::tolerance::float_sums(workbook::tolerance::largest_magnitude(in.v)))));
              RC_ASSERT(passes(workbook::close(tiled, xt::xarray<double>(ch10_11::naive_attention(in.q, in.k, in.v)),
                                             workbook::tolerance::float_sums(workbook::tolerance::largest_magnitude(in.v)))));
            });
          })
      .hint("Per query row keep m (the largest score so far), l (the sum of exp(s - m)) and the unnormalised output; "
            "when a key block raises m to m', multiply l and the output by exp(m - m') before adding the block.");
}

// ---- the benchmark: run once per budget and seed, shared by the check and the figures ---------------------

struct Row {
  std::size_t n;
  ch10_11::Measurement naive, tiled;
  double call_seconds;  // wall-clock of the two benchmark calls as the checks saw them (inputs drawn, warm-up)
};

std::vector<std::size_t> bench_lengths(const Context& ctx) {
  return ctx.full() ? std::vector<std::size_t>{256, 1024, 4096, 8192} : std::vector<std::size_t>{64, 128, 256};
}
std::size_t bench_block(const Context& ctx) { return ctx.full() ? 128 : 64; }
int bench_repeats(std::size_t n) { return n <= 1024 ? 5 : n <= 4096 ? 2 : 1; }

const std::vector<Row>& benchmark_rows(const Context& ctx) {
  static std::map<std::pair<std::uint64_t, bool>, std::vector<Row>> runs;
  const auto key = std::make_pair(ctx.seed(), ctx.full());
  if (auto found = runs.find(key); found != runs.end()) return found->second;
  std::vector<Row> rows;
  for (std::size_t n : bench_lengths(ctx)) {
    const auto seed = ctx.seed_for("bench-" + std::to_string(n));
    const auto start = std::chrono::steady_clock::now();
    const auto naive = ch10_11::benchmark(ch10_11::Kernel::naive, bench_batch, n, bench_d, bench_block(ctx), bench_repeats(n), seed);
    const auto tiled = ch10_11::benchmark(ch10_11::Kernel::tiled, bench_batch, n, bench_d, bench_block(ctx), bench_repeats(n), seed);
    rows.push_back({n, naive, tiled, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()});
  }
  return runs.emplace(key, rows).first->second;
}

nlohmann::json table(const std::vector<Row>& rows) {
  nlohmann::json out = nlohmann::json::array();
  const double mib = 1 << 20;
  for (const auto& r : rows)
    out.push_back({{"n", r.n}, {"naive ms", r.naive.milliseconds}, {"tiled ms", r.tiled.milliseconds},
                   {"naive peak extra MiB", r.naive.peak_extra_bytes / mib},
                   {"tiled peak extra MiB", r.tiled.peak_extra_bytes / mib}, {"both calls, s", r.call_seconds}});
  return out;
}

void part_c3(workbook::Exercise& ex) {
  ex.part("c3", 1, R"(Implement benchmark and compare the two kernels for batch 8, d = 64 and n = 256, 1024, 4096,
8192 (run with --full; the quick budget uses n = 64, 128, 256). The check reports the times and the peak memory
of each; nothing about them is asserted. The figures `time` and `memory` draw them. What grows as n^2 for both
kernels, and what only for one of them?)")
      .check("measured", CheckKind::property,
             "reports, for each n, your kernels' mean time per call and peak extra resident memory (asserts only "
             "that they came back as finite numbers, the times positive)",
             [](const Context& ctx) {
               const auto& rows = benchmark_rows(ctx);
               bool finite = true;
               for (const auto& r : rows)
                 for (const auto& m : {r.naive, r.tiled})
                   finite = finite && std::isfinite(m.milliseconds) && m.milliseconds > 0 && std::isfinite(m.peak_extra_bytes);
               return workbook::holds(finite, table(rows), "a time or a memory figure is not a finite number");
             })
      .manual(1);
}

// ---- figures ---------------------------------------------------------------------------------------------

// The closed forms of the quick figures: bytes beyond the inputs for one batch entry at a time (double).
double naive_model_bytes(double n) { return 8 * (n * n + bench_batch * n * bench_d); }
double tiled_model_bytes(double n, double block) { return 8 * (block * block + 2 * block + block * bench_d + bench_batch * n * bench_d); }

void plots(workbook::Exercise& ex) {
  ex.plot("memory", "Peak memory beyond the inputs against n (batch 8, d = 64, double): the closed forms of the two "
          "kernels (one batch entry at a time, the output included) and, with --full, what your kernels measured",
          [](const Context& ctx) {
            const double mib = 1 << 20;
            Series naive{"naive, closed form", {}, {}, Series::Style::lines};
            Series tiled{"tiled (128 x 128 tiles), closed form", {}, {}, Series::Style::lines};
            for (double n = 64; n <= 16384; n *= 2) {  // past the largest n, so the legend hides no measurement
              naive.x.push_back(n), naive.y.push_back(naive_model_bytes(n) / mib);
              tiled.x.push_back(n), tiled.y.push_back(tiled_model_bytes(n, 128) / mib);
            }
            std::vector<Series> series = {naive, tiled};
            if (ctx.full()) {
              Series naive_m{"naive, measured", {}, {}, Series::Style::points}, tiled_m{"tiled, measured", {}, {}, Series::Style::points};
              for (const auto& r : benchmark_rows(ctx)) {
                naive_m.x.push_back(r.n), naive_m.y.push_back(std::max(r.naive.peak_extra_bytes, 1.0) / mib);
                tiled_m.x.push_back(r.n), tiled_m.y.push_back(std::max(r.tiled.peak_extra_bytes, 1.0) / mib);
              }
              series.push_back(naive_m), series.push_back(tiled_m);
            }
            auto p = workbook::xy_plot("Peak extra memory per call", "sequence length n", "MiB", series);
            p.logx = p.logy = true;
            return p;
          });
  ex.plot("time", "With --full: mean wall-clock time per call of your two kernels against n (batch 8, d = 64). The "
          "quick budget measures no times into a figure and draws the work per call instead (4 batch n^2 d FLOPs, "
          "the same for both kernels), which the times follow once n is large",
          [](const Context& ctx) {
            std::vector<Series> series;
            if (ctx.full()) {
              Series naive{"naive", {}, {}, Series::Style::linespoints}, tiled{"tiled", {}, {}, Series::Style::linespoints};
              for (const auto& r : benchmark_rows(ctx)) {
                naive.x.push_back(r.n), naive.y.push_back(r.naive.milliseconds);
                tiled.x.push_back(r.n), tiled.y.push_back(r.tiled.milliseconds);
              }
              series = {naive, tiled};
            } else {
              Series work{"4 batch n^2 d (both kernels)", {}, {}, Series::Style::linespoints};
              for (double n = 64; n <= 8192; n *= 2) work.x.push_back(n), work.y.push_back(4 * bench_batch * n * n * bench_d / 1e9);
              series = {work};
            }
            auto p = workbook::xy_plot(ctx.full() ? "Time per call" : "Work per call (run with --full for times)",
                                       "sequence length n", ctx.full() ? "milliseconds" : "GFLOP", series);
            p.logx = p.logy = true;
            return p;
          });
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "Naive and tiled attention: same output, different memory";
  ex.stars = 2;
  ex.tags = {workbook::Tag::numeric, workbook::Tag::implementation, workbook::Tag::conceptual, workbook::Tag::plot};
  ex.statement = R"(Attention can be computed by storing every score, or tile by tile with an online softmax as
flash attention does. The arithmetic is the same; the memory is not. Work out where naive attention's memory goes,
implement both kernels on batches of (n x d) problems, and measure them. Your benchmark runs in its own process:
time the kernel with std::chrono::steady_clock; measure memory with the helpers given in the interface, which read
how much resident memory Linux counts for the process (its high-water mark, reset before the call), so that every
allocation the kernel touches counts, whatever it is made of. The kernels take and return double; computing in
float is fine for the checks of (c1) and (c2).)";
  part_a(ex);
  part_b(ex);
  part_c1(ex);
  part_c2(ex);
  part_c3(ex);
  plots(ex);
}
