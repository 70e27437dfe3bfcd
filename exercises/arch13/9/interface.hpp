#pragma once
// Interface for arch13/9, why a KV cache needs the causal mask. Implement recompute and append_token in namespace
// arch13_9. The kit offers nothing of the nn library here.

#include <cstddef>

#include <xtensor/xtensor.hpp>

namespace arch13_9 {

// Which keys a query may see when the whole sequence is computed at once: causal, row i sees positions 0 .. i;
// bidirectional, every row sees every position.
enum class Mask { causal, bidirectional };

// A stack of single-head self-attention layers with residual connections, given as data: layer l has the (d, d)
// projections w_q[l], w_k[l], w_v[l]. With h_0 = x (n, d), layer l computes
//   h_(l+1) = h_l + softmax(Q K^T / sqrt(d), masked) V,   Q = h_l w_q[l], K = h_l w_k[l], V = h_l w_v[l],
// and the stack's output is h_L. (No LayerNorm, no MLP: nothing in them bears on the question.)
struct Stack {
  xt::xtensor<double, 3> w_q;  // (layers, d, d)
  xt::xtensor<double, 3> w_k;  // (layers, d, d)
  xt::xtensor<double, 3> w_v;  // (layers, d, d)
};

// Every layer's keys and values of the positions appended so far. An empty cache has k and v of shape
// (layers, 0, d).
struct KvCache {
  xt::xtensor<double, 3> k;  // (layers, length, d)
  xt::xtensor<double, 3> v;  // (layers, length, d)
};

// The whole sequence at once under `mask`: x is (n, d); returns h_L, (n, d).
xt::xtensor<double, 2> recompute(const xt::xtensor<double, 2>& x, const Stack& stack, Mask mask);

// One decoding step with the cache: x_new (d) is the input of the position right after the cache's `length`
// positions. Pass its row alone up the stack: in each layer, project it, append its key and value to that layer's
// cache, attend from its query over every key the layer's cache now holds (its own included), add the residual.
// Return the new position's h_L row (d); the cache then holds length + 1 positions in every layer.
xt::xtensor<double, 1> append_token(const xt::xtensor<double, 1>& x_new, const Stack& stack, KvCache& cache);

}  // namespace arch13_9
