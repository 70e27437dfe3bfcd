// Reference solution for ch13/13.31: two tokens of width 3, identity query, key and value projections, W_O = 2 I,
// W_1 = I and W_2 = I / 2. Post-LN normalises the stream after each branch is added; pre-LN adds the branches to the
// raw input (the first token (2, 0, 0) has variance 8/9, not 1, and a mean of 2/3), so the outputs differ at once.
// The branches are not zero and each reads a differently normalised stream, so the outputs still differ once the
// pre-LN stream gets its final LayerNorm.

#include "ch13/13.31/interface.hpp"

#include <xtensor/xbuilder.hpp>

namespace ch13_31 {

Example differing_example() {
  const std::size_t d = 3;
  const xt::xtensor<double, 2> identity = xt::eye<double>(d);
  Example e;
  e.x = {{2.0, 0.0, 0.0}, {0.0, 1.0, 0.0}};
  e.w_q = identity, e.w_k = identity, e.w_v = identity;
  e.w_o = 2.0 * identity;
  e.w_1 = identity;
  e.w_2 = 0.5 * identity;
  return e;
}

}  // namespace ch13_31
