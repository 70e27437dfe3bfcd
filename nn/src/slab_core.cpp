#include "nn/slab_core.hpp"

#include <string>

#include "workbook/check.hpp"

namespace nn {

namespace {

Slabs to_slabs(const Matrix<float>& x, std::size_t batch, std::size_t heads) {
  return xt::cast<double>(split_heads(x, batch, heads));
}

Matrix<float> from_slabs(const Slabs& s, std::size_t batch, const Matrix<float>& like, const std::string& what) {
  const Matrix<float> merged = merge_heads(xt::xtensor<float, 3>(xt::cast<float>(s)), batch);
  workbook::require_shape(what, merged, {like.shape(0), like.shape(1)});
  return merged;
}

}  // namespace

AttentionCore<float> slab_core(SlabForward forward, SlabBackward backward, std::string forward_name,
                               std::string backward_name) {
  AttentionCore<float> core;
  core.forward = [forward, forward_name](const Matrix<float>& q, const Matrix<float>& k, const Matrix<float>& v,
                                         const AttentionShape& s, const AttentionMask&) {
    const auto out = forward(to_slabs(q, s.batch, s.n_head), to_slabs(k, s.batch, s.n_kv_head),
                             to_slabs(v, s.batch, s.n_kv_head), s);
    return from_slabs(out, s.batch, q, forward_name);
  };
  core.backward = [backward, backward_name](const Matrix<float>& dout, const Matrix<float>& q, const Matrix<float>& k,
                                            const Matrix<float>& v, const AttentionShape& s, const AttentionMask&) {
    const auto g = backward(to_slabs(dout, s.batch, s.n_head), to_slabs(q, s.batch, s.n_head),
                            to_slabs(k, s.batch, s.n_kv_head), to_slabs(v, s.batch, s.n_kv_head), s);
    return AttentionGrads<float>{from_slabs(g.dq, s.batch, q, backward_name + " (dq)"),
                                 from_slabs(g.dk, s.batch, k, backward_name + " (dk)"),
                                 from_slabs(g.dv, s.batch, v, backward_name + " (dv)")};
  };
  return core;
}

}  // namespace nn
