#pragma once
// Interface for topic10/1.8, an induction head built by hand. Implement both functions in namespace
// topic10_1_8.

#include <cstddef>
#include <vector>

#include <xtensor/xtensor.hpp>

namespace topic10_1_8 {

using Matrix = xt::xtensor<double, 2>;

// One attention head. Rows of the residual stream are multiplied on the right: q = x w_q, k = x w_k,
// and the head writes (sum_j A_tj x_j) w_ov back into the stream.
struct Head {
  Matrix w_q;   // d x k (k: the head width, your choice)
  Matrix w_k;   // d x k
  Matrix w_ov;  // d x d, the value and output maps already multiplied together
};

// A two-layer, attention-only transformer with one head per layer.
struct Model {
  Matrix token_embed;  // V x d: row v is added to the stream wherever token v stands
  Matrix pos_embed;    // L x d: row p is added at position p (L = the longest input allowed)
  Head layer1;
  Head layer2;
  Matrix unembed;      // d x V: logits = (final stream) unembed
};

struct Forward {
  Matrix pattern1;  // T x T: row t holds layer 1's attention weights from position t (0 above the diagonal)
  Matrix pattern2;  // T x T: the same for layer 2
  Matrix logits;    // T x V: row t is the model's next-token logits after reading tokens[0..t]
};

// Runs the model on tokens (values in [0, V), 1 <= T <= L):
//   x0_t = token_embed[tokens[t]] + pos_embed[t]
//   layer l: score_tj = (x_t w_q) . (x_j w_k) for j <= t (no 1/sqrt(k) factor; j > t is masked out),
//            A = softmax of each row over j <= t, x_t <- x_t + sum_j A_tj x_j w_ov   (x1 from x0, x2 from x1)
//   logits = x2 unembed.
// Must work for any shapes that fit together, not only the hand-set model below.
Forward forward(const std::vector<std::size_t>& tokens, const Model& model);

// The hand-set induction model of the statement for a vocabulary of `vocab` tokens and inputs of at most
// `max_len` tokens: one-hot token and position embeddings, a previous-token head in layer 1 and an induction
// head in layer 2, each scoring `scale` on the position it looks for and 0 elsewhere, except that layer 2
// scores position 0 at -scale (position 0 has no predecessor). The statement gives the layout.
Model induction_model(std::size_t vocab, std::size_t max_len, double scale);

}  // namespace topic10_1_8
