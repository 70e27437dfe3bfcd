// Reference solution for arch13/16. Every decoder is the temperature softmax cut to a set of tokens and
// renormalised; only the set differs: one token (greedy), all of them, the k largest, or the nucleus. The draw is
// the inverse of the cumulative distribution at one uniform number per token.

#include "arch13/16/interface.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace arch13_16 {

namespace {

// Token ids ordered by logit, largest first; stable, so equal logits keep the lower id first.
std::vector<std::size_t> by_logit(const std::vector<double>& logits) {
  std::vector<std::size_t> order(logits.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return logits[a] > logits[b]; });
  return order;
}

// Zero outside `kept`, then rescale what is left to sum to 1.
std::vector<double> restricted(const std::vector<double>& probabilities, const std::vector<std::size_t>& kept) {
  std::vector<double> out(probabilities.size(), 0.0);
  double mass = 0;
  for (const std::size_t token : kept) mass += probabilities[token];
  for (const std::size_t token : kept) out[token] = probabilities[token] / mass;
  return out;
}

}  // namespace

std::vector<double> greedy(const std::vector<double>& logits) {
  std::vector<double> out(logits.size(), 0.0);
  out[std::size_t(std::max_element(logits.begin(), logits.end()) - logits.begin())] = 1.0;  // first of the largest
  return out;
}

std::vector<double> with_temperature(const std::vector<double>& logits, double temperature) {
  const double top = *std::max_element(logits.begin(), logits.end());  // so that no exponential overflows
  std::vector<double> out(logits.size());
  for (std::size_t i = 0; i < logits.size(); ++i) out[i] = std::exp((logits[i] - top) / temperature);
  const double total = std::accumulate(out.begin(), out.end(), 0.0);
  for (double& p : out) p /= total;
  return out;
}

std::vector<double> top_k(const std::vector<double>& logits, std::size_t k, double temperature) {
  auto order = by_logit(logits);
  order.resize(std::min(k, order.size()));
  return restricted(with_temperature(logits, temperature), order);
}

std::vector<double> nucleus(const std::vector<double>& logits, double p, double temperature) {
  const auto probabilities = with_temperature(logits, temperature);
  const auto order = by_logit(logits);  // dividing by a positive temperature keeps the order of the logits
  std::vector<std::size_t> kept;
  double mass = 0;
  for (const std::size_t token : order) {
    kept.push_back(token);
    mass += probabilities[token];
    if (mass >= p) break;
  }
  return restricted(probabilities, kept);
}

std::vector<int> draw(const std::vector<double>& distribution, std::size_t count, std::mt19937_64& rng) {
  std::vector<double> cumulative(distribution.size());
  std::partial_sum(distribution.begin(), distribution.end(), cumulative.begin());
  std::uniform_real_distribution<double> uniform(0.0, cumulative.back());  // the sum, rounding included
  std::vector<int> tokens(count);
  for (auto& token : tokens) {
    const double u = uniform(rng);
    // The first token whose cumulative probability exceeds u: never a token of probability 0.
    token = int(std::upper_bound(cumulative.begin(), cumulative.end(), u) - cumulative.begin());
    token = std::min(token, int(distribution.size()) - 1);
  }
  return tokens;
}

}  // namespace arch13_16
