// 13.14: the KV cache of a 70B model (L = 80, h = 64, d_k = 128) in fp16. Pen and paper: every expected value
// is the closed form bytes(tokens) = 2 (K and V) x L x kv_heads x d_k x 2 bytes x tokens, converted to the unit
// each prompt names (MB = 10^6 bytes, MiB = 2^20, GB = 10^9, GiB = 2^30). The figure draws the same closed form
// against the context length, beside the fp16 weights.

#include <cmath>
#include <cstdint>

#include "workbook/exercise.hpp"

namespace {

using workbook::Precision;
constexpr std::int64_t layers = 80, heads = 64, head_dim = 128, bytes_per_value = 2;  // fp16
constexpr std::int64_t grouped_kv_heads = 8;
constexpr std::int64_t context = 32768;  // "32K"
constexpr double parameters = 70e9;
constexpr double megabyte = 1e6, mebibyte = 1 << 20, gigabyte = 1e9, gibibyte = double(1 << 30);

// K and V, for every layer and every key/value head, one d_k-vector each, per token.
constexpr std::int64_t bytes_per_token(std::int64_t kv_heads) { return 2 * layers * kv_heads * head_dim * bytes_per_value; }
constexpr double weight_bytes = parameters * bytes_per_value;

// The shortest context whose cache (all 64 heads cached) outweighs the fp16 weights.
std::int64_t crossover_tokens() {
  return static_cast<std::int64_t>(std::floor(weight_bytes / bytes_per_token(heads))) + 1;
}

workbook::Plot cache_against_context() {
  workbook::Series full{"KV cache, 64 key/value heads (as in this exercise)", {}, {}, workbook::Series::Style::lines};
  workbook::Series grouped{"KV cache, 8 key/value heads (grouped-query)", {}, {}, workbook::Series::Style::lines};
  workbook::Series weights{"fp16 weights of 70B parameters", {}, {}, workbook::Series::Style::lines};
  for (std::int64_t tokens = 0; tokens <= 131072; tokens += 4096) {
    full.x.push_back(tokens), full.y.push_back(bytes_per_token(heads) * double(tokens) / gibibyte);
    grouped.x.push_back(tokens), grouped.y.push_back(bytes_per_token(grouped_kv_heads) * double(tokens) / gibibyte);
    weights.x.push_back(tokens), weights.y.push_back(weight_bytes / gibibyte);
  }
  return workbook::xy_plot("KV cache of one sequence in fp16 (L = 80, d_k = 128)", "context length (tokens)",
                           "GiB", {full, grouped, weights});
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "KV cache of a 70B model in fp16";
  ex.tags = {workbook::Tag::numeric, workbook::Tag::plot};
  ex.statement = R"(A 70B-parameter decoder has L = 80 layers and h = 64 attention heads of d_k = 128
dimensions. During generation it caches, for every layer and every head, the key vector and the value vector of
each token so far. How much memory does that take?

Conventions: the cache holds K and V (both), for all 64 heads, in fp16 (2 bytes per number), for one sequence
(batch 1). MB = 10^6 bytes and MiB = 2^20 bytes; GB = 10^9 and GiB = 2^30 bytes. A context of 32K tokens means
32768 tokens (2^15). The figure `kv-cache` draws the cache against the context length.)";

  ex.part("a", 1, "How many bytes of cache does one token add?")
      .integer_answer("a_bytes", "cache per token", bytes_per_token(heads), "bytes")
      .hint("Count the numbers first: two vectors of d_k per head, h heads per layer, L layers.");
  ex.part("b", 1, "Express that per-token figure in MB and in MiB, both exactly (write every digit).")
      .number_answer("b_mb", "cache per token", [] { return bytes_per_token(heads) / megabyte; }, Precision::exact(), "MB")
      .number_answer("b_mib", "cache per token", [] { return bytes_per_token(heads) / mebibyte; }, Precision::exact(), "MiB");
  ex.part("c", 1, "What is the whole cache for a 32K-token context? Give it in GiB exactly and in GB to 4 significant figures.")
      .number_answer("c_gib", "cache for 32768 tokens", [] { return bytes_per_token(heads) * double(context) / gibibyte; },
                     Precision::exact(), "GiB")
      .number_answer("c_gb", "cache for 32768 tokens", [] { return bytes_per_token(heads) * double(context) / gigabyte; },
                     Precision::significant_figures(4), "GB");
  ex.part("d", 1, R"(Does the parameter count, 70B, enter the cache size? Then compare with the weights: stored
in fp16, from what context length on (the smallest whole number of tokens) does the cache of one sequence take
more memory than the weights?)")
      .choice_answer("d_uses_parameters", "does the cache size depend on the parameter count?", {"yes", "no"}, "no")
      .integer_answer("d_crossover", "the shortest context whose cache outweighs the fp16 weights", crossover_tokens(), "tokens");
  ex.part("e", 1, R"(Grouped-query attention keeps the 64 query heads but shares each key/value head among 8 of
them, so only 8 key/value heads are cached. What is the cache for 32K tokens then, in GiB exactly?)")
      .number_answer("e_gib", "cache for 32768 tokens with 8 key/value heads",
                     [] { return bytes_per_token(grouped_kv_heads) * double(context) / gibibyte; }, Precision::exact(), "GiB");

  ex.plot("kv-cache", "KV cache of one sequence in fp16 against the context length: all 64 heads cached, 8 "
          "key/value heads (grouped-query), and the fp16 weights for comparison",
          [](const workbook::Context&) { return cache_against_context(); });
}
