// 13.9: the memory of naive attention. Closed forms (fp16, 2 bytes per value; GiB = 2^30 bytes): one head's score
// matrix holds n^2 values; a layer of h heads holds h n^2; its Q, K, V and output hold 4 n d_model; the two are
// equal at n = 4 d_model / h = 4 d_k; the largest n whose h score matrices fit in M bytes is floor(sqrt(M / 2h)).
//
// The figure measures memory, it does not assume it: the exercise runs a naive attention (the whole n x n score
// matrix materialised, as in the textbook) and a row-by-row one (one query row of scores at a time) in float, with
// every buffer each allocates going through a counting allocator; the peak of live bytes during the run is what
// torch.cuda.max_memory_allocated reports for a GPU run, and it is the same on every machine. With --full the
// figure adds larger n and the growth of the process's peak resident set (VmHWM, read from /proc by a child
// process that runs the naive attention with the standard allocator): what the operating system sees, which
// includes the allocator's and the pages' granularity and so is reported, never asserted or committed.

#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <fstream>
#include <string>

#include "workbook/exercise.hpp"
#include "workbook/oracle/random.hpp"

namespace {

using workbook::Context;
using workbook::Precision;
using workbook::oracle::Matrix;
constexpr std::int64_t bytes_fp16 = 2, gib = std::int64_t(1) << 30;
constexpr std::int64_t heads = 32, d_model = 4096, long_n = 32768, budget_gib = 80;
constexpr std::size_t measured_d = 16;

// ---- Counting live bytes ---------------------------------------------------------------------------------------

// Live and peak bytes of the buffers allocated through CountingAllocator on this thread.
struct AllocationCount {
  std::size_t live = 0, peak = 0;
};
thread_local AllocationCount allocation_count;

template <class T>
struct CountingAllocator {
  using value_type = T;
  CountingAllocator() = default;
  template <class U>
  CountingAllocator(const CountingAllocator<U>&) {}
  T* allocate(std::size_t n) {
    allocation_count.live += n * sizeof(T);
    allocation_count.peak = std::max(allocation_count.peak, allocation_count.live);
    return std::allocator<T>{}.allocate(n);
  }
  void deallocate(T* p, std::size_t n) {
    allocation_count.live -= n * sizeof(T);
    std::allocator<T>{}.deallocate(p, n);
  }
  friend bool operator==(const CountingAllocator&, const CountingAllocator&) { return true; }
};

// ---- The two attentions, in float, on Q, K, V given as (n x d) row-major float buffers --------------------------

struct Inputs {
  std::size_t n, d;
  std::vector<float> q, k, v;
};

Inputs random_inputs(std::size_t n, std::size_t d, std::mt19937_64& rng) {
  Inputs in{n, d, {}, {}, {}};
  for (auto* buffer : {&in.q, &in.k, &in.v}) {
    const auto m = workbook::oracle::gaussian_matrix(n, d, rng);
    buffer->assign(m.begin(), m.end());
  }
  return in;
}

// Scores of query i against every key, scaled, then turned into softmax weights in place.
void softmax_scores(const Inputs& in, std::size_t i, float* row) {
  const float scale = 1 / std::sqrt(float(in.d));
  float top = -INFINITY, sum = 0;
  for (std::size_t j = 0; j < in.n; ++j) {
    float s = 0;
    for (std::size_t c = 0; c < in.d; ++c) s += in.q[i * in.d + c] * in.k[j * in.d + c];
    top = std::max(top, row[j] = s * scale);
  }
  for (std::size_t j = 0; j < in.n; ++j) sum += row[j] = std::exp(row[j] - top);
  for (std::size_t j = 0; j < in.n; ++j) row[j] /= sum;
}

void weighted_values(const Inputs& in, const float* row, float* out_row) {
  for (std::size_t j = 0; j < in.n; ++j)
    for (std::size_t c = 0; c < in.d; ++c) out_row[c] += row[j] * in.v[j * in.d + c];
}

// The textbook form: the whole n x n matrix of scores (then weights) first, then weights times V.
template <class Allocator>
std::vector<float, Allocator> naive_attention(const Inputs& in) {
  std::vector<float, Allocator> weights(in.n * in.n);
  for (std::size_t i = 0; i < in.n; ++i) softmax_scores(in, i, weights.data() + i * in.n);
  std::vector<float, Allocator> out(in.n * in.d, 0.0f);
  for (std::size_t i = 0; i < in.n; ++i) weighted_values(in, weights.data() + i * in.n, out.data() + i * in.d);
  return out;
}

// The same output, one query row of scores at a time.
template <class Allocator>
std::vector<float, Allocator> row_by_row_attention(const Inputs& in) {
  std::vector<float, Allocator> out(in.n * in.d, 0.0f), row(in.n);
  for (std::size_t i = 0; i < in.n; ++i) {
    softmax_scores(in, i, row.data());
    weighted_values(in, row.data(), out.data() + i * in.d);
  }
  return out;
}

// Peak live bytes of one run, counted by the allocator.
template <class Run>
double counted_peak(Run run) {
  allocation_count = {};
  run();
  return double(allocation_count.peak);
}

// ---- What the operating system sees (--full only) -----------------------------------------------------------------

// A field of /proc/self/status in bytes (the file gives kB), or -1 when it cannot be read.
double status_bytes(const std::string& field) {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind(field + ":", 0) == 0) return 1024.0 * std::stod(line.substr(field.size() + 1));
  return -1;
}

// The growth of the peak resident set while a child process runs the naive attention: VmHWM after the run minus
// VmRSS before it (the child starts with its parent's pages, and its high-water mark with them). -1 on failure.
double resident_peak_growth(const Inputs& in) {
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) return -1;
  const pid_t child = fork();
  if (child < 0) return -1;
  if (child == 0) {
    const double before = status_bytes("VmRSS");
    const auto out = naive_attention<std::allocator<float>>(in);
    volatile float sink = out[out.size() / 2];  // the run's result is used: it cannot be optimised away
    (void)sink;
    double growth = status_bytes("VmHWM") - before;
    if (write(pipe_fds[1], &growth, sizeof growth) != sizeof growth) _exit(1);
    _exit(0);
  }
  close(pipe_fds[1]);
  double growth = -1;
  if (read(pipe_fds[0], &growth, sizeof growth) != sizeof growth) growth = -1;
  close(pipe_fds[0]);
  waitpid(child, nullptr, 0);
  return growth;
}

// ---- The exercise ---------------------------------------------------------------------------------------------

void part_a(workbook::Exercise& ex) {
  ex.part("a", 2, R"(How many bytes does one head's score matrix take for a sequence of n = 1024 tokens, and for
n = 32768? By what factor does it grow each time n doubles?)")
      .integer_answer("a_bytes_1k", "bytes of one head's score matrix, n = 1024", 1024 * 1024 * bytes_fp16, "bytes")
      .integer_answer("a_bytes_32k", "bytes of one head's score matrix, n = 32768", long_n * long_n * bytes_fp16, "bytes")
      .integer_answer("a_doubling", "factor by which it grows when n doubles", 4);
}

void part_b(workbook::Exercise& ex) {
  ex.part("b", 3, R"(A layer with h = 32 heads and d_model = 4096 at n = 32768. Give, in GiB: all its heads' score
matrices together, and its Q, K, V and attention output together (each n x d_model). At what n are the two equal?
And what is the largest n for which one layer's score matrices fit in 80 GiB?)")
      .number_answer("b_scores_gib", "all heads' score matrices of one layer, n = 32768",
                     [] { return double(heads * long_n * long_n * bytes_fp16) / gib; }, Precision::exact(), "GiB")
      .number_answer("b_qkvo_gib", "Q, K, V and the output of one layer, n = 32768",
                     [] { return double(4 * long_n * d_model * bytes_fp16) / gib; }, Precision::exact(), "GiB")
      .integer_answer("b_equal_n", "n at which the score matrices and Q, K, V, output take the same memory", 4 * d_model / heads)
      .integer_answer("b_largest_n", "largest n whose score matrices (one layer) fit in 80 GiB",
                      std::int64_t(std::floor(std::sqrt(double(budget_gib * gib) / double(heads * bytes_fp16)))))
      .hint("The score matrices grow as h n^2, the activations as n d_model: their ratio is n h / (4 d_model).");
}

void part_c(workbook::Exercise& ex) {
  ex.part("c", 1, R"(Figure `peak-memory` measures the peak memory of two attentions that compute the same output in
float, with d = 16: the naive one, which holds the whole score matrix, and one that computes one query row of scores
at a time. By what factor does each one's peak grow from n = 1024 to n = 2048? Give 3 significant figures.)")
      .number_answer("c_naive_factor", "growth of the naive run's peak from n = 1024 to 2048",
                     [] { return (2048.0 * 2048 + 2048.0 * measured_d) / (1024.0 * 1024 + 1024.0 * measured_d); },
                     Precision::significant_figures(3))
      .number_answer("c_row_factor", "growth of the row-by-row run's peak from n = 1024 to 2048",
                     [] { return (2048.0 + 2048.0 * measured_d) / (1024.0 + 1024.0 * measured_d); },
                     Precision::significant_figures(3))
      .hint("At its peak the naive run holds the n x n weights and the n x d output; the row-by-row run one row of n "
            "weights and the output.");
}

void part_d(workbook::Exercise& ex) {
  ex.part("d", 3, R"(Where does the quadratic memory of naive attention come from, and what makes it the limit that
matters most once contexts get long? Consider training as well as inference, and what grows only linearly in n.)")
      .manual();
}

void plots(workbook::Exercise& ex) {
  ex.plot("peak-memory", "Peak live bytes of a naive and a row-by-row attention (float, d = 16) against n, counted by "
          "their allocator, with the score matrix's 4 n^2 bytes",
          [](const Context& ctx) {
            workbook::Series naive{"naive (whole score matrix), measured", {}, {}, workbook::Series::Style::points};
            workbook::Series rows{"one row of scores at a time, measured", {}, {}, workbook::Series::Style::points};
            workbook::Series formula{"4 n^2 bytes (the score matrix alone)", {}, {}, workbook::Series::Style::lines};
            workbook::Series resident{"naive: growth of peak resident set (VmHWM)", {}, {}, workbook::Series::Style::points};
            auto rng = ctx.rng("plot-memory");
            const std::size_t largest = ctx.full() ? 8192 : 2048;
            for (std::size_t n = 128; n <= largest; n *= 2) {
              const auto in = random_inputs(n, measured_d, rng);
              naive.x.push_back(n), naive.y.push_back(counted_peak([&] { naive_attention<CountingAllocator<float>>(in); }));
              rows.x.push_back(n), rows.y.push_back(counted_peak([&] { row_by_row_attention<CountingAllocator<float>>(in); }));
              formula.x.push_back(n), formula.y.push_back(4.0 * n * n);
              if (ctx.full()) resident.x.push_back(n), resident.y.push_back(resident_peak_growth(in));
            }
            std::vector<workbook::Series> series = {formula, naive, rows};
            if (ctx.full()) series.push_back(resident);
            auto p = workbook::xy_plot("Peak memory of attention against sequence length", "n (tokens)", "peak bytes", series);
            p.logx = p.logy = true;
            return p;
          });
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "Why naive attention needs O(n^2) memory";
  ex.tags = {workbook::Tag::numeric, workbook::Tag::conceptual, workbook::Tag::plot};
  ex.statement = R"(Attention compares every query with every key. Computed the textbook way, attention first builds
the full n x n matrix of scores Q K^T / sqrt(d_k) for each head, then its softmax, and only then multiplies by V.
Count what that costs in memory, and measure it. Conventions for the counts: values in fp16 (2 bytes each, as in
mixed-precision training), batch size 1, one layer, the score matrix counted once (the softmax overwrites it), and
1 GiB = 2^30 bytes. The measured runs in figure `peak-memory` are in float (4 bytes per value); their memory is
counted by the allocator every buffer of the run goes through: the peak of the bytes live at once.)";
  part_a(ex);
  part_b(ex);
  part_c(ex);
  part_d(ex);
  plots(ex);
}
