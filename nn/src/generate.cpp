#include "nn/generate.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace nn {

namespace {

template <class S>
std::vector<double> distribution_from(const S* logits, std::size_t vocab, const Sampling& s) {
  std::vector<double> p(vocab, 0.0);
  if (s.greedy) {
    p[std::size_t(std::max_element(logits, logits + vocab) - logits)] = 1.0;
    return p;
  }
  if (!(s.temperature > 0)) throw std::invalid_argument("sampling: temperature must be > 0");
  const double top = *std::max_element(logits, logits + vocab);
  for (std::size_t i = 0; i < vocab; ++i) p[i] = std::exp((double(logits[i]) - top) / s.temperature);
  // Most likely first; ties by index, so the cut is deterministic.
  std::vector<std::size_t> order(vocab);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return p[a] > p[b]; });
  const double total = std::accumulate(p.begin(), p.end(), 0.0);
  std::size_t keep = s.top_k ? std::min(s.top_k, vocab) : vocab;
  double mass = 0;
  // The nucleus: stop once top_p of the mass is in. Not at top_p = 1, which keeps every token: there the running
  // sum can round to 1 before the last tokens of negligible probability.
  for (std::size_t r = 0; r < keep && s.top_p < 1.0; ++r) {
    mass += p[order[r]] / total;
    if (mass >= s.top_p) {
      keep = r + 1;
      break;
    }
  }
  for (std::size_t r = keep; r < vocab; ++r) p[order[r]] = 0.0;
  const double kept = std::accumulate(p.begin(), p.end(), 0.0);
  for (double& x : p) x /= kept;
  return p;
}

template <class T>
std::vector<double> last_row_distribution(const Matrix<T>& logits, std::size_t row, const Sampling& s) {
  return next_token_distribution(logits.data() + row * logits.shape(1), logits.shape(1), s);
}

}  // namespace

std::vector<double> next_token_distribution(const float* logits, std::size_t vocab, const Sampling& s) {
  return distribution_from(logits, vocab, s);
}
std::vector<double> next_token_distribution(const double* logits, std::size_t vocab, const Sampling& s) {
  return distribution_from(logits, vocab, s);
}

int draw(const std::vector<double>& distribution, std::mt19937_64& rng) {
  const double u = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
  double cumulative = 0;
  int last_possible = 0;
  for (std::size_t i = 0; i < distribution.size(); ++i) {
    if (distribution[i] <= 0) continue;
    last_possible = int(i);
    cumulative += distribution[i];
    if (u < cumulative) return int(i);
  }
  return last_possible;  // u landed in the rounding gap at the top
}

template <class T>
Tokens generate(const Gpt<T>& model, const Tokens& prompt, std::size_t n_new, const Sampling& sampling,
                std::uint64_t seed, bool use_cache) {
  if (prompt.empty()) throw std::invalid_argument("generate: the prompt is empty");
  std::mt19937_64 rng(seed);
  Tokens sequence = prompt;
  KvCache<T> cache;
  Tokens feed = prompt;  // what the cache has not seen yet
  for (std::size_t i = 0; i < n_new; ++i) {
    const Matrix<T> logits = use_cache ? model.forward_cached(feed, cache) : model.logits(sequence);
    sequence.push_back(draw(last_row_distribution(logits, logits.shape(0) - 1, sampling), rng));
    feed = {sequence.back()};
  }
  return sequence;
}

template <class T>
Tokens speculative_generate(const Gpt<T>& target, const Gpt<T>& draft, const Tokens& prompt, std::size_t n_new,
                            std::size_t lookahead, const Sampling& sampling, std::uint64_t seed,
                            SpeculativeStats* stats) {
  if (prompt.empty() || lookahead == 0) throw std::invalid_argument("speculative_generate: empty prompt or lookahead 0");
  std::mt19937_64 rng(seed);
  SpeculativeStats local;
  SpeculativeStats& st = stats ? *stats : local;
  Tokens sequence = prompt;
  const std::size_t goal = prompt.size() + n_new;
  while (sequence.size() < goal) {
    const std::size_t k = std::min(lookahead, goal - sequence.size());
    // The draft proposes k tokens, one at a time, remembering its distributions q.
    Tokens proposal = sequence;
    std::vector<std::vector<double>> q;
    for (std::size_t i = 0; i < k; ++i) {
      const Matrix<T> logits = draft.logits(proposal);
      q.push_back(last_row_distribution(logits, logits.shape(0) - 1, sampling));
      proposal.push_back(draw(q.back(), rng));
    }
    // The target scores every proposed position in one pass: row sequence.size() - 1 + i predicts token i.
    const Matrix<T> logits = target.logits(proposal);
    ++st.target_calls;
    st.proposed += k;
    const std::size_t base = sequence.size() - 1;
    std::size_t i = 0;
    for (; i < k; ++i) {
      const std::vector<double> p = last_row_distribution(logits, base + i, sampling);
      const int x = proposal[base + 1 + i];
      const double keep = q[i][std::size_t(x)] > 0 ? std::min(1.0, p[std::size_t(x)] / q[i][std::size_t(x)]) : 0.0;
      if (std::uniform_real_distribution<double>(0.0, 1.0)(rng) < keep) {
        sequence.push_back(x);
        ++st.accepted;
        continue;
      }
      // Rejected: draw from the part of p the draft under-proposes.
      std::vector<double> residual(p.size());
      double mass = 0;
      for (std::size_t j = 0; j < p.size(); ++j) mass += residual[j] = std::max(0.0, p[j] - q[i][j]);
      if (mass > 0)
        for (double& r : residual) r /= mass;
      sequence.push_back(draw(mass > 0 ? residual : p, rng));
      break;
    }
    if (i == k && sequence.size() < goal)  // all accepted: the target's own next token comes for free
      sequence.push_back(draw(last_row_distribution(logits, base + k, sampling), rng));
  }
  return sequence;
}

#define NN_INSTANTIATE(T)                                                                                      \
  template Tokens generate<T>(const Gpt<T>&, const Tokens&, std::size_t, const Sampling&, std::uint64_t, bool); \
  template Tokens speculative_generate<T>(const Gpt<T>&, const Gpt<T>&, const Tokens&, std::size_t, std::size_t, \
                                          const Sampling&, std::uint64_t, SpeculativeStats*);
NN_INSTANTIATE(float)
NN_INSTANTIATE(double)
#undef NN_INSTANTIATE

}  // namespace nn
