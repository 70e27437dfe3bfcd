// Reference solution for ch13/13.29: every weight matrix a token meets is applied once as a matrix-vector product
// (2 m n FLOPs); attention adds work that grows with the position; the head is one more (vocab, d) product.

#include "ch13/13.29/interface.hpp"

namespace ch13_29 {

namespace {

// The entries of one block's weight matrices: query-key-value (d, 3d), output (d, d), FFN (d, f) and (f, d).
std::int64_t block_matrix_entries(const GptShape& s) {
  const std::int64_t d = s.n_embd, f = s.ffn_hidden;
  return 3 * d * d + d * d + 2 * d * f;
}

// One block's biases (3d, d, f, d) and its two LayerNorms' gains and shifts.
std::int64_t block_vector_entries(const GptShape& s) {
  const std::int64_t d = s.n_embd, f = s.ffn_hidden;
  return 3 * d + d + f + d + 2 * 2 * d;
}

}  // namespace

TokenFlops per_token_flops(const GptShape& shape, std::int64_t t) {
  TokenFlops out;
  out.projections = 2 * shape.n_layer * block_matrix_entries(shape);
  out.attention = shape.n_layer * (2 * t * shape.n_embd + 2 * t * shape.n_embd);  // q . k_j, then sum_j a_j v_j
  out.lm_head = 2 * shape.vocab * shape.n_embd;
  return out;
}

std::int64_t non_embedding_parameters(const GptShape& shape) {
  const std::int64_t final_norm = 2 * shape.n_embd;
  return shape.n_layer * (block_matrix_entries(shape) + block_vector_entries(shape)) + final_norm;
}

}  // namespace ch13_29
