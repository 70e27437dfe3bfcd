#pragma once
// Interface for arch13/15, weight tying. Implement parameter_count and tied_gradient in namespace arch13_15. The
// kit offers nothing of the nn library here.

#include <cstddef>
#include <cstdint>
#include <vector>

#include <xtensor/xtensor.hpp>

namespace arch13_15 {

struct Shape {
  std::size_t vocab = 1;    // V
  std::size_t context = 1;  // rows of the learned position table
  std::size_t width = 1;    // C
  std::size_t layers = 1;   // blocks
};

// The parameters of a GPT-2-layout model of that shape: token embedding (V, C), learned positions (context, C),
// per block two LayerNorms (gain and shift, C each), attention (a (3C, C) input projection and a (C, C) output
// projection, both with biases) and the FFN (C -> 4C -> C, with biases), a final LayerNorm, and the output head:
// its own (V, C) matrix without bias when untied, none when tied (it reuses the token embedding).
std::int64_t parameter_count(const Shape& shape, bool tied);

// The tied head's forward on a model cut down to its two ends: token t's row x_t = wte[tokens[t]] goes straight to
// the head, logits_t = x_t wte^T. Returns the logits, (tokens.size(), V).
xt::xtensor<double, 2> tied_logits(const xt::xtensor<double, 2>& wte, const std::vector<int>& tokens);

// The same cut-down tied model, its logits as tied_logits gives them and its loss the mean over t of the
// cross-entropy of softmax(logits_t) against targets[t]. Return the gradient of that loss with respect to wte (V, C),
// through both places wte is used.
xt::xtensor<double, 2> tied_gradient(const xt::xtensor<double, 2>& wte, const std::vector<int>& tokens,
                                     const std::vector<int>& targets);

}  // namespace arch13_15
