#pragma once
// A GPT-2-layout model's tensors, by name, copied into a struct whose fields spell the layout out: what the exercises
// whose interfaces hand a student the whole model (arch13/14, arch13/17) share, since an interface cannot carry the
// library's own types. Also a redraw of every parameter at unit effect, for checks where GPT-2's initialisation (each
// block close to the identity) would hide a mistake under rounding.
#include <cmath>
#include <map>
#include <random>
#include <string>

#include <xtensor/xadapt.hpp>

#include "nn/tensor.hpp"

namespace nn {

// Model has n_head, wte, wpe, ln_f_w, ln_f_b and a vector h of blocks with ln_1_w, ln_1_b, c_attn_w, c_attn_b,
// c_proj_w, c_proj_b, ln_2_w, ln_2_b, fc_w, fc_b, fc_proj_w, fc_proj_b (a GELU model with biases and learned
// positions, GPT-2's names).
template <class Model>
Model gpt2_fields(const std::vector<ParamRef<double>>& params, std::size_t n_layer, std::size_t n_head) {
  std::map<std::string, xt::xarray<double>> named;
  for (const auto& p : params) named[p.name] = xt::adapt(p.value, p.size, xt::no_ownership(), p.shape);
  const auto at = [&](const std::string& name) { return named.at(name); };
  Model m;
  m.n_head = n_head;
  m.wte = at("wte.weight"), m.wpe = at("wpe.weight"), m.ln_f_w = at("ln_f.weight"), m.ln_f_b = at("ln_f.bias");
  m.h.resize(n_layer);
  for (std::size_t l = 0; l < n_layer; ++l) {
    const std::string h = "h." + std::to_string(l) + ".";
    auto& b = m.h[l];
    b.ln_1_w = at(h + "ln_1.weight"), b.ln_1_b = at(h + "ln_1.bias");
    b.c_attn_w = at(h + "attn.c_attn.weight"), b.c_attn_b = at(h + "attn.c_attn.bias");
    b.c_proj_w = at(h + "attn.c_proj.weight"), b.c_proj_b = at(h + "attn.c_proj.bias");
    b.ln_2_w = at(h + "ln_2.weight"), b.ln_2_b = at(h + "ln_2.bias");
    b.fc_w = at(h + "mlp.c_fc.weight"), b.fc_b = at(h + "mlp.c_fc.bias");
    b.fc_proj_w = at(h + "mlp.c_proj.weight"), b.fc_proj_b = at(h + "mlp.c_proj.bias");
  }
  return m;
}

// Every parameter redrawn: matrices N(0, 1/fan_in) (columns are the inputs), the embeddings N(0, 1), norm gains
// 1 + N(0, 0.2^2), biases and shifts N(0, 0.2^2).
template <class T>
void redraw_at_unit_effect(const std::vector<ParamRef<T>>& params, std::mt19937_64& rng) {
  std::normal_distribution<double> normal(0, 1);
  for (const auto& p : params) {
    const bool matrix = p.shape.size() == 2, embedding = p.name == "wte.weight" || p.name == "wpe.weight";
    const bool gain = !matrix && p.name.find("ln_") != std::string::npos && p.name.ends_with(".weight");
    const double spread = embedding ? 1.0 : matrix ? 1.0 / std::sqrt(double(p.shape[1])) : 0.2;
    for (std::size_t i = 0; i < p.size; ++i) p.value[i] = T((gain ? 1.0 : 0.0) + spread * normal(rng));
  }
}

}  // namespace nn
