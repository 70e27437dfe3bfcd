// Reference solution for arch13/14: embeddings in, the blocks in order, the final norm, and the head tied to the
// token embedding (logits = LN_f(x) wte^T).

#include "arch13/14/interface.hpp"

#include <cmath>
#include <stdexcept>

#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xview.hpp>

#include "nn/block.hpp"

namespace arch13_14 {

namespace {

nn::BlockTensors<double> library_tensors(const Block& b, const nn::BlockConfig& config) {
  nn::BlockTensors<double> p = nn::zero_block<double>(config, 0);
  p.ln_1_w = b.ln_1_w, p.ln_1_b = b.ln_1_b, p.c_attn_w = b.c_attn_w, p.c_attn_b = b.c_attn_b;
  p.c_proj_w = b.c_proj_w, p.c_proj_b = b.c_proj_b, p.ln_2_w = b.ln_2_w, p.ln_2_b = b.ln_2_b;
  p.fc_w = b.fc_w, p.fc_b = b.fc_b, p.fc_proj_w = b.fc_proj_w, p.fc_proj_b = b.fc_proj_b;
  return p;
}

// One sequence of `time` rows, causal.
nn::SequenceLayout causal_layout(std::size_t time, const nn::BlockConfig& config) {
  nn::SequenceLayout layout;
  layout.self = {1, time, time, config.n_head, config.n_kv_head, config.head_dim(), 0};
  layout.self_mask.kind = nn::MaskKind::causal;
  for (std::size_t t = 0; t < time; ++t) layout.positions.push_back(t);
  return layout;
}

Matrix layer_norm(const Matrix& x, const Vector& w, const Vector& b) {
  Matrix out = x;
  for (std::size_t t = 0; t < x.shape(0); ++t) {
    auto row = xt::row(out, t);
    const double mean = xt::mean(row)();
    const double variance = xt::mean(xt::square(row - mean))();
    row = (row - mean) / std::sqrt(variance + 1e-5) * w + b;
  }
  return out;
}

}  // namespace

Matrix gpt_logits(const std::vector<int>& tokens, const Model& model) {
  const std::size_t time = tokens.size(), width = model.wte.shape(1);
  if (time > model.wpe.shape(0)) throw std::invalid_argument("more tokens than the context holds");
  nn::BlockConfig config;
  config.n_embd = width;
  config.n_head = config.n_kv_head = model.n_head;
  config.ffn_hidden = 4 * width;

  Matrix x = Matrix::from_shape({time, width});
  for (std::size_t t = 0; t < time; ++t) xt::row(x, t) = xt::row(model.wte, tokens[t]) + xt::row(model.wpe, t);
  const auto layout = causal_layout(time, config);
  for (const Block& block : model.h)
    x = nn::block_forward<double>(config, library_tensors(block, config), x, nullptr, layout, nullptr, nullptr, {});
  return xt::linalg::dot(layer_norm(x, model.ln_f_w, model.ln_f_b), xt::transpose(model.wte));
}

}  // namespace arch13_14
