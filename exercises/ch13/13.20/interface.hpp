#pragma once
// Interface for ch13/13.20, a causal self-attention module on the library's fused kernel. Implement the four
// functions in namespace ch13_20: the module's forward and backward twice, once with attention written by hand and
// once on the library's kernel.
// The kit offers: nn::attention_forward, nn::attention_backward, nn::AttentionShape, nn::AttentionMask, nn::MaskKind, nn::AttentionCache, nn::AttentionGrads, nn::RelativeBias.

#include <cstddef>

#include <xtensor/xtensor.hpp>

namespace ch13_20 {

using Matrix = xt::xtensor<float, 2>;
using Vector = xt::xtensor<float, 1>;

// The module's parameters, in the library's (and GPT-2's) layout: a linear layer maps x to W x + b with W of shape
// (outputs, inputs). c_attn_w is (3C, C), its rows [query | key | value]; c_attn_b is (3C); c_proj_w is (C, C);
// c_proj_b is (C).
struct AttentionParams {
  Matrix c_attn_w;
  Vector c_attn_b;
  Matrix c_proj_w;
  Vector c_proj_b;
};

// The gradients, each the shape of what it differentiates: dx that of x, the others those of the parameters.
struct AttentionParamGrads {
  Matrix dx;
  Matrix dc_attn_w;
  Vector dc_attn_b;
  Matrix dc_proj_w;
  Vector dc_proj_b;
};

// Rows of x: batch sequences of time positions, sequence b in rows [b time, (b + 1) time). The C columns split into
// n_head heads of C / n_head columns each, head h in columns [h C / n_head, (h + 1) C / n_head).
struct Layout {
  std::size_t batch = 1;
  std::size_t time = 1;
  std::size_t n_head = 1;
};

// The module: q, k, v = the three column blocks of x c_attn_w^T + c_attn_b; per sequence and head, causal attention
// softmax(q k^T / sqrt(C / n_head)) v, position i seeing positions j <= i of its own sequence; the heads side by side,
// then c_proj. x is (batch time, C), and so is the result.
// Manual: the scores, the mask and the softmax written by you.
Matrix manual_forward(const Matrix& x, const AttentionParams& params, const Layout& layout);
// The gradients of L = sum of dout * manual_forward(x, params, layout) (dout the output's shape).
AttentionParamGrads manual_backward(const Matrix& dout, const Matrix& x, const AttentionParams& params,
                                    const Layout& layout);

// Fused: the same module, its attention computed by nn::attention_forward and nn::attention_backward.
Matrix fused_forward(const Matrix& x, const AttentionParams& params, const Layout& layout);
AttentionParamGrads fused_backward(const Matrix& dout, const Matrix& x, const AttentionParams& params,
                                   const Layout& layout);

}  // namespace ch13_20
