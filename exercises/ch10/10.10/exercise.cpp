// 10.10: what attention costs. Pen and paper: every expected value is a closed form in n, d and the model's
// shape, written out below under the conventions the statement fixes (a multiply-add is 2 FLOPs; the softmax
// costs 5 operations per score; one head of width d and one sequence in (a)-(c); weights without biases,
// norms or embeddings in (d)).

#include <cstdint>

#include "workbook/exercise.hpp"

namespace {

using workbook::Precision;

constexpr double n_b = 4096, d_b = 1024;          // the layer of (a) and (b)
constexpr double softmax_ops_per_score = 5;       // max, subtract, exp, add to the sum, divide
constexpr std::int64_t layers = 32, heads = 32, head_width = 64, sequence = 4096;  // the model of (d)
constexpr std::int64_t d_model = heads * head_width;
constexpr std::int64_t fp16_bytes = 2, fp32_bytes = 4;

// (a): an (n x d)(d x n) product costs n^2 d multiply-adds, two FLOPs each; (A)(V) is (n x n)(n x d).
double scores_flops(double n, double d) { return 2 * n * n * d; }
double softmax_flops(double n) { return softmax_ops_per_score * n * n; }
double mix_flops(double n, double d) { return 2 * n * n * d; }

// (c): per layer and sequence. The four projections are (n x d)(d x d); the FFN is (n x d)(d x 4d) then back.
double projection_flops(double n, double d) { return 4 * 2 * n * d * d; }
double ffn_flops(double n, double d) { return 2 * 2 * n * d * (4 * d); }

// (d): K and V of every layer, head and position; weights 4 d^2 (attention) + 2 d (4d) (FFN) per layer.
std::int64_t kv_cache_bytes(std::int64_t positions) { return 2 * layers * heads * head_width * positions * fp16_bytes; }
std::int64_t parameter_count() { return layers * (4 * d_model * d_model + 2 * d_model * (4 * d_model)); }
std::int64_t parameter_bytes() { return parameter_count() * fp16_bytes; }

void part_a(workbook::Exercise& ex) {
  ex.part("a", 3, R"(Derive the cost of the three steps of one attention head of width d over n positions, as
formulas in n and d: the scores Q K^T, the row softmax of the scores, and the product of the weights with V.
Evaluate each at n = 4096, d = 1024, to 4 significant figures.)")
      .array_answer("a_flops", "FLOPs of [Q K^T, softmax, weights times V] at n = 4096, d = 1024", {3},
                    [] {
                      return xt::xarray<double>{scores_flops(n_b, d_b), softmax_flops(n_b), mix_flops(n_b, d_b)};
                    },
                    Precision::significant_figures(4), "FLOPs")
      .hint("Each entry of an (n x d)(d x m) product is a dot product of length d.");
}

void part_b(workbook::Exercise& ex) {
  ex.part("b", 2, R"(Still at n = 4096, d = 1024: the total of the three costs of (a), and the memory that the
score matrix occupies when it is stored in float32.)")
      .number_answer("b_total_flops", "FLOPs of the three steps together",
                     [] { return scores_flops(n_b, d_b) + softmax_flops(n_b) + mix_flops(n_b, d_b); },
                     Precision::significant_figures(4), "FLOPs")
      .integer_answer("b_score_bytes", "bytes of the n x n score matrix in float32",
                      std::int64_t(n_b) * std::int64_t(n_b) * fp32_bytes, "bytes");
}

void part_c(workbook::Exercise& ex) {
  ex.part("c", 2, R"(The feed-forward network of the same layer maps each position from d to d_ff = 4d and back.
Count only matrix products. From which sequence length does attention cost more than the FFN? Answer as the
ratio n / d at which the two are equal, first counting for attention only the two products that grow as n^2
(Q K^T and the weights times V), then counting the four d x d projections (queries, keys, values, output) as
part of attention too.)")
      .number_answer("c_ratio_scores_only", "n / d where Q K^T and weights-times-V together equal the FFN",
                     [] { return ffn_flops(1, 1) / (scores_flops(1, 1) + mix_flops(1, 1)); }, Precision::exact())
      .number_answer("c_ratio_with_projections", "n / d where attention with its four projections equals the FFN",
                     [] { return (ffn_flops(1, 1) - projection_flops(1, 1)) / (scores_flops(1, 1) + mix_flops(1, 1)); },
                     Precision::exact())
      .hint("Both costs have the form (a n^2 d + b n d^2): divide by n d^2 and solve for n / d.");
}

void part_d(workbook::Exercise& ex) {
  ex.part("d", 3, R"(Keep n = 4096 and take a decoder of 32 layers with 32 heads of width d_k = 64 per layer (so its
model width is 32 x 64, not the d of (b)), d_ff = 4 d_model, stored in float16. Give the bytes of its KV cache
for one sequence of n positions, its number of weights (the attention and FFN matrices of every layer; no
biases, norms or embeddings), the bytes those weights take in float16, and the ratio of cache to weights (3
decimal places). At what sequence length would the cache of one sequence weigh as much as the weights? Then
say what this means when a server holds many sequences at once.)")
      .integer_answer("d_cache_bytes", "bytes of the float16 KV cache of one sequence of 4096 positions",
                      kv_cache_bytes(sequence), "bytes")
      .integer_answer("d_parameters", "number of weights of the 32 layers", parameter_count())
      .integer_answer("d_parameter_bytes", "bytes of those weights in float16", parameter_bytes(), "bytes")
      .number_answer("d_ratio", "KV cache bytes / weight bytes",
                     [] { return double(kv_cache_bytes(sequence)) / double(parameter_bytes()); },
                     Precision::decimal_places(3))
      .integer_answer("d_equal_length", "sequence length at which one sequence's cache equals the weights",
                      parameter_bytes() / kv_cache_bytes(1), "positions")
      .hint("Every layer stores a key and a value of width d_k for every head and every position.")
      .manual(1);
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "Attention's cost in FLOPs and memory";
  ex.stars = 2;
  ex.tags = {workbook::Tag::numeric, workbook::Tag::conceptual};
  ex.statement = R"(Count what self-attention costs as the sequence grows. Conventions for every part: a
multiply-add counts as 2 FLOPs, so multiplying an (a x b) matrix by a (b x c) one costs 2abc FLOPs; the softmax
costs 5 operations per score (the row maximum, the subtraction, the exponential, the addition to the row sum and
the division); parts (a) to (c) are about a single head of width d applied to one sequence of n positions
(h heads of width d / h give the same totals). Memory is counted in bytes, 4 per float32 value and 2 per
float16 value.)";
  part_a(ex);
  part_b(ex);
  part_c(ex);
  part_d(ex);
}
