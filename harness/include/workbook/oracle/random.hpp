#pragma once
// Random inputs for checks, drawn from a named stream of the run (Context::rng) or, inside a RapidCheck
// property, from property_rng() so that --seed reproduces a failing case and RapidCheck can shrink it.

#include <cstddef>
#include <random>

#include "workbook/oracle/matrix.hpp"

namespace workbook::oracle {

// Independent N(0, spread^2) entries, drawn row by row.
Matrix gaussian_matrix(std::size_t rows, std::size_t cols, std::mt19937_64& rng, double spread = 1.0);
Vector gaussian_vector(std::size_t size, std::mt19937_64& rng, double spread = 1.0);
// n mutually orthogonal unit rows in R^d (n <= d): Gram-Schmidt on Gaussian vectors.
Matrix orthonormal_rows(std::size_t n, std::size_t d, std::mt19937_64& rng);

// The projections of one attention head: W_q and W_k map d_model to d_k, W_v maps d_model to d_v.
struct HeadWeights {
  Matrix q, k, v;
};
// Entries N(0, 1 / d_model), drawn W_q, W_k, W_v in turn: scores of order one for inputs of unit spread.
HeadWeights random_head_weights(std::size_t d_model, std::size_t d_k, std::size_t d_v, std::mt19937_64& rng);

// A stack of (sequence, head) slabs (slabs, rows, cols), as attention exercises pass a model's heads: independent
// N(0, 1) entries, slab by slab, row by row.
using Slabs = xt::xtensor<double, 3>;
Slabs gaussian_slabs(std::size_t slabs, std::size_t rows, std::size_t cols, std::mt19937_64& rng);

// Queries (q_slabs, n_q, d), keys (kv_slabs, n_k, d) and values (kv_slabs, n_k, d_v), drawn in that order.
struct SlabInputs {
  Slabs q, k, v;
};
SlabInputs gaussian_attention_inputs(std::size_t q_slabs, std::size_t kv_slabs, std::size_t n_q, std::size_t n_k,
                                     std::size_t d, std::size_t d_v, std::mt19937_64& rng);

// Inside a RapidCheck property: a generator seeded by RapidCheck.
std::mt19937_64 property_rng();

}  // namespace workbook::oracle
