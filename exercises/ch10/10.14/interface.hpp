#pragma once
// Interface for ch10/10.14, a character-level language model. Implement the three functions in namespace ch10_14.
// The kit offers: nn::BlockStack, nn::BlockConfig, nn::SequenceLayout, nn::AttentionShape, nn::AttentionMask, nn::MaskKind.
// The kit offers: nn::embedding_forward, nn::embedding_backward, nn::linear_forward, nn::linear_backward.
// The kit offers: nn::cross_entropy_forward, nn::cross_entropy_backward, nn::init_normal, nn::AdamW, nn::AdamWConfig.
// The kit offers: nn::ParamRef, nn::param_ref, nn::zero_grads, nn::decays_if_matrix.
// The blocks, layers and optimiser are the library's, as PyTorch's modules are the seed's; the model around them,
// its training and the sampling are what you write.

#include <cstdint>
#include <string>
#include <vector>

#include <xtensor/xtensor.hpp>

namespace ch10_14 {

// The model the statement fixes: a decoder-only GPT with learned positions, pre-LN blocks (LayerNorm, GELU, biases,
// a feed-forward width of 4 n_embd), a final LayerNorm, and an output head that shares the token embedding.
struct ModelShape {
  int vocab = 0;    // token ids 0..vocab-1
  int context = 0;  // positions per sequence
  int n_layer = 0;
  int n_head = 0;
  int n_embd = 0;
};

struct TrainingPlan {
  int epochs = 0;           // passes over the training text, as the statement defines an epoch
  int batch = 0;            // windows per step
  double lr = 0;            // AdamW's learning rate, constant (betas 0.9, 0.99; weight decay 0.1 on matrices)
  std::uint64_t seed = 0;   // the initial weights and the order of the windows
  std::vector<int> snapshot_epochs;  // return the parameters after each of these epochs (increasing, 1..epochs)
};

// One parameter tensor under the name the nn library's GPT gives it ("wte.weight", "wpe.weight", "h.0.ln_1.weight",
// ...: see the statement), its shape and its values in row-major order.
struct NamedTensor {
  std::string name;
  std::vector<std::size_t> shape;
  std::vector<float> values;
};

struct Snapshot {
  int epoch = 0;                     // the epoch after which the parameters were taken
  std::vector<NamedTensor> parameters;
  std::vector<double> step_losses;   // the training loss of every step so far, for the loss curve
};

// Trains the model on next-character prediction over `text` (token ids) and returns the snapshots the plan asks for.
std::vector<Snapshot> train_char_lm(const std::vector<int>& text, const ModelShape& shape, const TrainingPlan& plan);

// The logits (time, vocab) of your model with `parameters` (named and shaped as train_char_lm returns them) for one
// sequence of 1..context tokens: row t scores the token that follows position t.
xt::xtensor<double, 2> model_logits(const std::vector<NamedTensor>& parameters, const std::vector<int>& tokens,
                                    const ModelShape& shape);

// Temperature sampling of one token: softmax(logits / temperature) turned into a cumulative distribution over the
// tokens 0, 1, 2, ... in order; the token returned is the first whose cumulative probability exceeds u, for u in
// [0, 1). temperature == 0 means greedy: the most likely token (the lowest id among equals).
int sample_next(const xt::xtensor<double, 1>& logits, double temperature, double u);

}  // namespace ch10_14
