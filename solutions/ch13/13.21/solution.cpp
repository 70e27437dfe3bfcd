// Reference solution for ch13/13.21. The input's backward scatters each row of dx into the token row it came from and,
// for a learned table, into the row of its position: rows that share a token or a position (the same position in every
// sequence of the batch) add up. The cross-entropy subtracts each row's largest logit before exponentiating.

#include "ch13/13.21/interface.hpp"

#include <algorithm>
#include <cmath>

namespace ch13_21 {

InputGrads input_backward(const Matrix& dx, const std::vector<int>& tokens, std::size_t time, std::size_t vocab,
                          std::size_t context, Positions positions) {
  const std::size_t width = dx.shape(1);
  const std::size_t table_rows = positions == Positions::learned ? context : 0;
  InputGrads grads{xt::zeros<double>({vocab, width}), xt::zeros<double>({table_rows, width})};
  for (std::size_t r = 0; r < tokens.size(); ++r)
    for (std::size_t c = 0; c < width; ++c) {
      grads.token_table(std::size_t(tokens[r]), c) += dx(r, c);
      if (table_rows > 0) grads.position_table(r % time, c) += dx(r, c);
    }
  return grads;
}

double mean_cross_entropy(const Matrix& logits, const std::vector<int>& targets) {
  double total = 0;
  std::size_t scored = 0;
  for (std::size_t r = 0; r < targets.size(); ++r) {
    if (targets[r] < 0) continue;
    const auto row = xt::row(logits, r);
    const double top = xt::amax(row)();
    double sum = 0;
    for (const double z : row) sum += std::exp(z - top);
    total += top + std::log(sum) - row(std::size_t(targets[r]));
    ++scored;
  }
  return total / double(scored);
}

}  // namespace ch13_21
