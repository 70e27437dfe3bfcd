#pragma once
// Interface for ch10/10.17, the residual stream of a 3-layer pre-LN encoder. Implement in namespace ch10_17.

#include <vector>

#include <xtensor/xtensor.hpp>

namespace ch10_17 {

// One encoder layer. Every sub-layer reads the stream x (n positions x d) through a LayerNorm without learned
// gain or bias, LN(x) = (x - mean) / sqrt(var + 1e-5) per row (var the mean squared deviation), and has no biases:
//   A(x) = softmax(z W_q (z W_k)^T / sqrt(d)) z W_v W_o  with z = LN(x)        (one head, no mask)
//   F(x) = GELU(LN(x) W_1) W_2,  GELU(t) = t (1 + erf(t / sqrt 2)) / 2
struct Layer {
  xt::xtensor<double, 2> w_q, w_k, w_v, w_o;  // d x d each
  xt::xtensor<double, 2> w_1;                 // d x d_ff
  xt::xtensor<double, 2> w_2;                 // d_ff x d
};

// The residual stream of the pre-LN encoder on the embedding x0 (n x d): u_l = x_{l-1} + A_l(x_{l-1}),
// x_l = u_l + F_l(u_l). Returns the (2L + 1) x n x d terms that add up to the output x_L, in order: x0, then
// for each layer l = 1 .. L what its attention adds (A_l(x_{l-1})) and what its FFN adds (F_l(u_l)).
xt::xtensor<double, 3> stream_terms(const xt::xtensor<double, 2>& x0, const std::vector<Layer>& layers);

// How the layers are wired: `residual` as above; `pipeline` with no residual connections, each sub-layer's
// output replacing the stream (u_l = A_l(x_{l-1}), x_l = F_l(u_l)).
enum class Wiring { residual, pipeline };

// Where a perturbation enters the stream: added to the embedding x0, or to the stream right after layer 1's FFN
// has written (to x_1, which is the same as adding it to layer 1's FFN output).
enum class Point { embedding, after_ffn_1 };

// Which routes a perturbation may take: `all` (an ordinary forward pass), or `stream_only`: every sub-layer
// computes its output from the unperturbed stream, so the perturbation can only travel along the stream itself.
enum class Routes { all, stream_only };

// For a stack of exactly 3 layers: what layer 3's attention reads, the stream x_2 (before its LayerNorm), when
// perturbation deltas[i] (n x d) is added at `point`, for each i. Returns deltas.shape(0) x n x d.
xt::xtensor<double, 3> layer3_attention_input(const xt::xtensor<double, 2>& x0, const std::vector<Layer>& layers,
                                              Wiring wiring, Point point, Routes routes,
                                              const xt::xtensor<double, 3>& deltas);

}  // namespace ch10_17
