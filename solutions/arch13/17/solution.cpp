// Reference solution for arch13/17. Both generators share one forward: `rows` new tokens at positions past ..
// past + rows - 1, through every block with that block's cache. Recomputing calls it with empty caches and the
// whole sequence; the cached generator calls it once for the prompt and then once per new token.

#include "arch13/17/interface.hpp"

#include <cmath>

#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xsort.hpp>
#include <xtensor/xview.hpp>

#include "nn/block.hpp"

namespace arch13_17 {

namespace {

nn::BlockConfig block_config(const Model& model) {
  nn::BlockConfig config;
  config.n_embd = model.wte.shape(1);
  config.n_head = config.n_kv_head = model.n_head;
  config.ffn_hidden = 4 * config.n_embd;
  return config;
}

nn::BlockTensors<double> library_tensors(const Block& b, const nn::BlockConfig& config) {
  nn::BlockTensors<double> p = nn::zero_block<double>(config, 0);
  p.ln_1_w = b.ln_1_w, p.ln_1_b = b.ln_1_b, p.c_attn_w = b.c_attn_w, p.c_attn_b = b.c_attn_b;
  p.c_proj_w = b.c_proj_w, p.c_proj_b = b.c_proj_b, p.ln_2_w = b.ln_2_w, p.ln_2_b = b.ln_2_b;
  p.fc_w = b.fc_w, p.fc_b = b.fc_b, p.fc_proj_w = b.fc_proj_w, p.fc_proj_b = b.fc_proj_b;
  return p;
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

using Caches = std::vector<nn::KvCacheLayer<double>>;

// The next token after `tokens`, which sit at positions past, past + 1, ...; each block appends their keys and
// values to its cache and attends over all it holds.
int next_token(const Model& model, const std::vector<int>& tokens, std::size_t past, Caches& caches) {
  const auto config = block_config(model);
  const std::size_t rows = tokens.size();
  nn::SequenceLayout layout;
  layout.self = {1, rows, past + rows, config.n_head, config.n_kv_head, config.head_dim(), past};
  layout.self_mask.kind = nn::MaskKind::causal;
  Matrix x = Matrix::from_shape({rows, config.n_embd});
  for (std::size_t r = 0; r < rows; ++r) {
    layout.positions.push_back(past + r);
    xt::row(x, r) = xt::row(model.wte, tokens[r]) + xt::row(model.wpe, past + r);
  }
  for (std::size_t l = 0; l < model.h.size(); ++l)
    x = nn::block_forward<double>(config, library_tensors(model.h[l], config), x, nullptr, layout, &caches[l],
                                  nullptr, {});
  const Matrix last = xt::view(x, xt::range(rows - 1, rows));
  const Matrix logits = xt::linalg::dot(layer_norm(last, model.ln_f_w, model.ln_f_b), xt::transpose(model.wte));
  return int(xt::argmax(xt::row(logits, 0))());
}

}  // namespace

std::vector<int> generate_recomputing(const Model& model, const std::vector<int>& prompt, std::size_t n_new) {
  std::vector<int> sequence = prompt, out;
  for (std::size_t step = 0; step < n_new; ++step) {
    Caches fresh(model.h.size());
    out.push_back(next_token(model, sequence, 0, fresh));
    sequence.push_back(out.back());
  }
  return out;
}

std::vector<int> generate_cached(const Model& model, const std::vector<int>& prompt, std::size_t n_new) {
  Caches caches(model.h.size());
  std::vector<int> out;
  if (n_new == 0) return out;
  out.push_back(next_token(model, prompt, 0, caches));
  while (out.size() < n_new) out.push_back(next_token(model, {out.back()}, prompt.size() + out.size() - 1, caches));
  return out;
}

}  // namespace arch13_17
