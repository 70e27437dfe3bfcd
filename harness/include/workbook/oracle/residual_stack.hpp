#pragma once
// Deep residual stacks, pre-LN and post-LN, and the gradient that reaches each layer at initialisation. ch10/10.8
// builds the stacks from a student's sub-layers and compares with these formulas; arch13/4 measures the formulas'
// stacks at GPT-2's depth. Gradients are central differences of the forward pass (h = 1e-6, double), one
// vector-Jacobian product per sub-layer, each a single batched call of 2 n d perturbed copies.

#include <cstdint>
#include <functional>
#include <random>
#include <vector>

#include "workbook/oracle/matrix.hpp"

namespace workbook::oracle::residual {

using Batch = xt::xtensor<double, 3>;  // (batch, n, d): several token matrices, handled independently

enum class Placement { pre_ln, post_ln };  // x + F(LN(x)), or LN(x + F(x))
enum class Branch { attention, feed_forward };

// One layer's weights: a single-head self-attention branch and a ReLU feed-forward branch, without biases.
struct LayerWeights {
  Matrix w_q, w_k, w_v, w_o;  // d x d each
  Matrix w_1;                 // d x d_ff
  Matrix w_2;                 // d_ff x d
};

// ---- The formulas, one token matrix (n x d) at a time ----
// (x - mean) / sqrt(variance + 1e-5) per token, over its d features; no gain or shift (1 and 0 at initialisation).
Matrix layer_norm(const Matrix& x);
// attention: softmax(Q K^T / sqrt(d)) V W_O with Q = x W_Q, K = x W_K, V = x W_V (no mask); FFN: ReLU(x W_1) W_2.
Matrix branch(const Matrix& x, const LayerWeights& w, Branch which);
Matrix sublayer(const Matrix& x, const LayerWeights& w, Branch which, Placement placement);

Batch batch_of(const std::vector<Matrix>& matrices);
Matrix item(const Batch& b, std::size_t k);

// ---- Stacks ----
struct StackShape {
  std::size_t layers = 6, tokens = 4, d_model = 24, d_ff = 96;
};

// The three batched functions a stack is built from: a student's, or the formulas' (formula_parts).
struct StackParts {
  std::function<Batch(const Batch&, const LayerWeights&, Branch, Placement)> sublayer;
  std::function<Batch(const Batch&)> norm;
  std::function<Matrix(const Matrix&, const LayerWeights&, Branch)> branch;
};
StackParts formula_parts();

// Xavier-normal initialisation: every matrix N(0, 2 / (fan_in + fan_out)).
std::vector<LayerWeights> xavier_stack(const StackShape& s, std::mt19937_64& rng);

// Layer l (attention then FFN) at every l; a pre-LN stack ends in a final LayerNorm. The loss is
// L = sum(readout * output). ||dL/dx_l|| at the input x_l of every layer l = 1 .. L, through every path:
std::vector<double> full_gradient_reaching_each_layer(const StackParts& parts, const std::vector<LayerWeights>& stack,
                                                      const Matrix& x0, const Matrix& readout, Placement p);
// The same along the skip connections only: every branch held at its value, so each sub-layer contributes the
// Jacobian of itself with the branch switched off (W_O = 0, W_2 = 0), taken where the branch's value is added
// (post-LN: at x + F(x); pre-LN: anywhere, the stream not being normalised).
std::vector<double> direct_gradient_reaching_each_layer(const StackParts& parts, const std::vector<LayerWeights>& stack,
                                                        const Matrix& x0, const Matrix& readout, Placement p);
// LayerNorm Jacobians on the direct path from the output back to the input of layer 1: the maps of the
// switched-off stack (its sub-layers, then the final LayerNorm of a pre-LN stack) that are not the identity, each
// tested along one random direction.
std::int64_t direct_path_layer_norms(const StackParts& parts, const std::vector<LayerWeights>& stack, const Matrix& x0,
                                     Placement p, std::mt19937_64& rng);

}  // namespace workbook::oracle::residual
