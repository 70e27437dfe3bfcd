#pragma once
// Interface for ch13/13.25, greedy speculative decoding. Implement the two functions in namespace ch13_25.
// The kit offers: nn::Gpt, nn::GptConfig, nn::PositionKind, nn::load_named, nn::ParamRef, nn::KvCache.
// (nn::Gpt<double> built from a Model's sizes and filled by nn::load_named gives you both models' logits:
// Gpt::logits(sequence) scores every position of a sequence in one forward. The generation loop is yours.)

#include <cstddef>
#include <string>
#include <vector>

namespace ch13_25 {

// One parameter tensor under the library's GPT name ("wte.weight", "h.0.ln_1.weight", ...), its shape and its
// values in row-major order: what nn::load_named copies into an nn::Gpt's parameters().
struct NamedTensor {
  std::string name;
  std::vector<std::size_t> shape;
  std::vector<double> values;
};

// A GPT like the chapter's (§13.10): an nn::GptConfig with these five sizes, position = nn::PositionKind::sinusoidal,
// tie_weights = false (an output head of its own, "lm_head.weight"), every other field at its default (LayerNorm,
// GELU, biases).
struct Model {
  std::size_t vocab = 0;
  std::size_t context = 0;
  std::size_t n_layer = 0;
  std::size_t n_head = 0;
  std::size_t n_embd = 0;
  std::vector<NamedTensor> parameters;
};

struct Speculation {
  std::vector<int> tokens;          // the n_new tokens after the prompt
  std::size_t proposed = 0;         // draft tokens offered to the target, summed over all rounds
  std::size_t accepted = 0;         // of those, the ones the target agreed with
  std::size_t target_forwards = 0;  // forward passes of the target (one per round)
};

// n_new tokens after a non-empty prompt (prompt.size() + n_new <= context of both models), greedy: every token is
// the argmax of a row of logits, the lowest id among equals. Each round, with m tokens still missing, the draft
// proposes min(k, m) tokens one after the other; ONE forward of the target over the sequence plus the proposals
// scores them all; the longest prefix of proposals equal to the target's own choices is kept, followed by the
// target's choice at the first disagreement, or, when every proposal agreed and tokens are still missing, by the
// target's choice after the last proposal. The tokens must be exactly those of the target's own greedy generation.
Speculation speculative_greedy(const Model& target, const Model& draft, const std::vector<int>& prompt,
                               std::size_t n_new, std::size_t k);

// The target alone, the baseline the figure times your loop against: n_new greedy tokens after the prompt, one
// forward of the whole sequence per token (Gpt::logits, as your rounds use it).
std::vector<int> greedy_generate(const Model& model, const std::vector<int>& prompt, std::size_t n_new);

}  // namespace ch13_25
