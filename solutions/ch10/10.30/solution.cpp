// Reference solution for ch10/10.30: draw the class and whether the case is hard, then draw uniform sequences over
// the four tokens until one has that class and that margin (rejection). A tie is never accepted. The margin
// #A - #B of a uniform sequence of n tokens has variance n / 2, so even at n = 128 about one draw in ten has a
// margin of one: the loop ends after a few dozen draws at worst.

#include "ch10/10.30/interface.hpp"

namespace ch10_30 {

namespace {

constexpr int token_a = 0, token_b = 1, vocabulary = 4;

std::vector<int> draw_sequence(std::size_t length, bool positive, bool hard, std::mt19937_64& rng) {
  std::uniform_int_distribution<int> token(0, vocabulary - 1);
  std::vector<int> seq(length);
  for (;;) {
    int a = 0, b = 0;
    for (auto& t : seq) {
      t = token(rng);
      a += t == token_a;
      b += t == token_b;
    }
    const int margin = a - b;
    if (margin == 0) continue;  // a tie has no label: draw again
    const bool more_a = margin > 0;
    const bool by_one = margin == 1 || margin == -1;
    if (more_a == positive && by_one == hard) return seq;
  }
}

}  // namespace

CountingSet counting_set(std::size_t count, std::size_t length, double hard_fraction, std::mt19937_64& rng) {
  std::bernoulli_distribution coin(0.5), hard_case(hard_fraction);
  CountingSet set;
  set.count = count;
  set.length = length;
  for (std::size_t i = 0; i < count; ++i) {
    const bool positive = coin(rng);
    const bool hard = hard_case(rng);
    const auto seq = draw_sequence(length, positive, hard, rng);
    set.tokens.insert(set.tokens.end(), seq.begin(), seq.end());
    set.labels.push_back(positive ? 1 : 0);
  }
  return set;
}

}  // namespace ch10_30
