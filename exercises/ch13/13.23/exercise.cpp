// 13.23: multi-query attention. The student writes MQA's forward for one sequence (query projection per head, one
// shared key and value projection). Expected values: the library's multi-head kernel nn::attention_forward with
// n_kv_head = 1 (its multi-query mode), and, as a property, multi-head attention computed by the oracle's plain
// loops (workbook/oracle/attention.hpp) with every head's key and value projections set to the same matrix.
// Part (b): the KV-cache bytes of a 12-layer, 12-head model with heads of 64 (GPT-2 small's shape), closed forms.

#include "ch13/13.23/interface.hpp"

#include <cmath>

#include "nn/attention.hpp"
#include "workbook/exercise.hpp"
#include "workbook/oracle/attention.hpp"
#include "workbook/oracle/matrix.hpp"
#include "workbook/oracle/random.hpp"
#include "workbook/precision.hpp"
#include "workbook/tolerances.hpp"

namespace {

using ch13_23::Matrix;
using workbook::CheckKind;
using workbook::CheckResult;
using workbook::Context;

struct Inputs {
  Matrix x, w_q, w_k, w_v;
  std::size_t n_head;
};

Inputs gaussian_inputs(std::size_t n, std::size_t n_head, std::size_t head_dim, std::mt19937_64& rng) {
  const std::size_t c = n_head * head_dim;
  const double spread = 1 / std::sqrt(double(c));
  Inputs in;
  in.x = workbook::oracle::gaussian_matrix(n, c, rng);
  in.w_q = workbook::oracle::gaussian_matrix(c, c, rng, spread);
  in.w_k = workbook::oracle::gaussian_matrix(head_dim, c, rng, spread);
  in.w_v = workbook::oracle::gaussian_matrix(head_dim, c, rng, spread);
  in.n_head = n_head;
  return in;
}

Matrix project(const Matrix& x, const Matrix& w) { return workbook::oracle::matmul(x, workbook::oracle::transpose(w)); }

// The library's kernel in its multi-query mode: n_head query heads over n_kv_head = 1 key/value head.
Matrix library_mqa(const Inputs& in, bool causal) {
  nn::AttentionShape shape;
  shape.q_len = shape.kv_len = in.x.shape(0);
  shape.n_head = in.n_head;
  shape.n_kv_head = 1;
  shape.head_dim = in.w_k.shape(0);
  nn::AttentionMask mask;
  mask.kind = causal ? nn::MaskKind::causal : nn::MaskKind::bidirectional;
  nn::AttentionCache<double> cache;
  return nn::attention_forward<double>(project(in.x, in.w_q), project(in.x, in.w_k), project(in.x, in.w_v), shape,
                                       mask, {}, cache);
}

// w stacked n_head times: a (n_head D, C) projection whose every head has the weights w.
Matrix repeated_for_every_head(const Matrix& w, std::size_t n_head) {
  Matrix out = Matrix::from_shape({n_head * w.shape(0), w.shape(1)});
  for (std::size_t r = 0; r < out.shape(0); ++r)
    for (std::size_t c = 0; c < out.shape(1); ++c) out(r, c) = w(r % w.shape(0), c);
  return out;
}

// Multi-head attention in plain loops whose key and value projections are w_k and w_v repeated for every head.
Matrix tied_multi_head(const Inputs& in, bool causal) {
  const std::size_t d = in.w_k.shape(0);
  const Matrix k_all = project(in.x, repeated_for_every_head(in.w_k, in.n_head));
  const Matrix v_all = project(in.x, repeated_for_every_head(in.w_v, in.n_head));
  const Matrix q_all = project(in.x, in.w_q);
  Matrix out = xt::zeros<double>(q_all.shape());
  const auto head = [d](const Matrix& m, std::size_t h) -> Matrix {
    return xt::view(m, xt::all(), xt::range(h * d, (h + 1) * d));
  };
  for (std::size_t h = 0; h < in.n_head; ++h)
    xt::view(out, xt::all(), xt::range(h * d, (h + 1) * d)) =
        workbook::oracle::attention(head(q_all, h), head(k_all, h), head(v_all, h), 1 / std::sqrt(double(d)), causal);
  return out;
}

Matrix student_mqa(const Inputs& in, bool causal) {
  const Matrix out = ch13_23::multi_query_attention(in.x, in.w_q, in.w_k, in.w_v, in.n_head, causal);
  workbook::require_shape("multi_query_attention", out, {in.x.shape(0), in.x.shape(1)});
  return out;
}

CheckResult matches(const Matrix& actual, const Matrix& expected) {
  return workbook::close(xt::xarray<double>(actual), expected, workbook::tolerance::float_at_scale(expected));
}

// Inside a property: up to 8 positions, up to 4 heads of up to 4 columns.
Inputs random_inputs() {
  const auto n = *rc::gen::inRange<std::size_t>(1, 9);
  const auto n_head = *rc::gen::inRange<std::size_t>(1, 5);
  const auto head_dim = *rc::gen::inRange<std::size_t>(1, 5);
  auto rng = workbook::oracle::property_rng();
  return gaussian_inputs(n, n_head, head_dim, rng);
}

void part_a(workbook::Exercise& ex) {
  auto& a = ex.part("a", 3, R"(Implement multi_query_attention. The checks compare it with the library's multi-head
kernel run with a single key/value head, and with multi-head attention whose heads all share one key projection and
one value projection, within float's rounding (1e-5 relative, plus 1e-5 of the largest output).)");
  for (const bool causal : {true, false}) {
    const std::string mask = causal ? "causal" : "bidirectional";
    a.check(mask, CheckKind::close,
            "7 positions, 4 heads of 3 columns (" + mask + "), against the library's kernel with one key/value head",
            [causal](const Context& ctx) {
              auto rng = ctx.rng("a-fixed");
              const auto in = gaussian_inputs(7, 4, 3, rng);
              return matches(student_mqa(in, causal), library_mqa(in, causal));
            });
    a.check(mask + " tied heads", CheckKind::property,
            "for random shapes (" + mask + "), equal to multi-head attention whose every head has the same key and "
            "value projections",
            [causal](const Context& ctx) {
              return workbook::property(ctx.seed_for("a-tied-" + std::string(causal ? "c" : "b")), [causal] {
                const auto in = random_inputs();
                RC_ASSERT(matches(student_mqa(in, causal), tied_multi_head(in, causal)).status == workbook::Status::pass);
              });
            });
  }
  a.hint("Only the queries are split into heads: project x to k and v once, then let each head's queries attend over "
         "that same k and v.");
}

// ---- part (b): the KV cache of a 12-layer, 12-head model ---------------------------------------------------

constexpr std::int64_t layers = 12, heads = 12, head_dim = 64, bytes_per_value = 2 /* fp16 */, context = 1024;

// Per token and layer, the cache holds one key and one value vector of head_dim numbers per key/value head.
constexpr std::int64_t cache_bytes_per_token(std::int64_t kv_heads) {
  return 2 * layers * kv_heads * head_dim * bytes_per_value;
}

void part_b(workbook::Exercise& ex) {
  ex.part("b", 2, R"(A decoder with 12 layers of 12 heads, each head 64 wide (d_model = 768), caches its keys and values
in fp16 (2 bytes a number) while it generates, for a single sequence. How many bytes does the KV cache take per token
(all layers, keys and values) with multi-head attention, and with multi-query attention? How many for a context of
1024 tokens, each way? By what factor does multi-query attention shrink the cache?)")
      .integer_answer("b_mha_token", "KV-cache bytes per token, multi-head", cache_bytes_per_token(heads), "bytes")
      .integer_answer("b_mqa_token", "KV-cache bytes per token, multi-query", cache_bytes_per_token(1), "bytes")
      .integer_answer("b_mha_context", "KV-cache bytes for 1024 tokens, multi-head", context * cache_bytes_per_token(heads),
                      "bytes")
      .integer_answer("b_mqa_context", "KV-cache bytes for 1024 tokens, multi-query", context * cache_bytes_per_token(1),
                      "bytes")
      .integer_answer("b_ratio", "multi-head cache size divided by multi-query cache size",
                      cache_bytes_per_token(heads) / cache_bytes_per_token(1))
      .hint("Count per token and per layer: one key vector and one value vector for every key/value head.");
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "Multi-query attention and its KV cache";
  ex.tags = {workbook::Tag::implementation, workbook::Tag::proof, workbook::Tag::numeric};
  ex.statement = R"(Multi-query attention keeps a query projection per head but gives all heads a single key
projection and a single value projection. Its output is that of multi-head attention in which every head happens to
use the same key and value weights, so it computes less, has fewer parameters, and above all stores less: a decoder
caches one key and one value vector per layer and position instead of one per head. Part (a) asks for the layer,
part (b) for the size of the cache it saves.)";
  part_a(ex);
  part_b(ex);
}
