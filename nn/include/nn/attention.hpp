#pragma once
// Scaled dot-product attention over many heads: self- or cross-attention, multi-head, grouped-query
// (n_kv_head divides n_head) and multi-query (n_kv_head = 1), with the masks of decoder, encoder,
// prefix-LM, sliding-window and padded batches, and an optional learned relative position bias.
#include <functional>
#include <vector>

#include "nn/tensor.hpp"

namespace nn {

// key_ranges: a mask given row by row as one interval of keys per query position (a mask an exercise's
// student wrote, once checked to be an interval per row).
enum class MaskKind { bidirectional, causal, prefix_lm, sliding_window, key_ranges };

// Which keys a query may see. Positions are absolute: query row i sits at position q_offset + i
// (AttentionShape), key row j at position j.
struct AttentionMask {
  MaskKind kind = MaskKind::causal;
  std::size_t prefix = 0;  // prefix_lm: positions < prefix see each other both ways; later ones are causal
  std::size_t window = 0;  // sliding_window: query at p sees keys j with p - window < j <= p
  struct KeyRange {  // keys [begin, end)
    std::size_t begin;
    std::size_t end;
  };
  std::vector<std::size_t> key_lengths;  // padding: in batch b, keys j >= key_lengths[b] are hidden; empty = none
  std::vector<KeyRange> key_ranges;      // key_ranges: the keys of the query at position p (one per position)
  bool allows(std::size_t b, std::size_t query_pos, std::size_t key_pos) const;
  // The same rule as an interval: for every kind the keys a query sees are [begin, end), clipped to
  // [0, kv_len) (begin == end when it sees none). What the attention loops use instead of allows.
  KeyRange visible_keys(std::size_t b, std::size_t query_pos, std::size_t kv_len) const;
};

struct AttentionShape {
  std::size_t batch = 1;
  std::size_t q_len = 1;   // query rows per batch element
  std::size_t kv_len = 1;  // key/value rows per batch element (differs from q_len in cross-attention)
  std::size_t n_head = 1;
  std::size_t n_kv_head = 1;  // query head h uses key/value head h / (n_head / n_kv_head)
  std::size_t head_dim = 1;
  std::size_t q_offset = 0;  // absolute position of query row 0 (kv_len - q_len when decoding with a KV cache)
};

// Learned relative position bias (T5-style, without buckets): score(h, i, j) += bias(h, clamp(j - i) + M)
// where M = max_distance and bias is (n_head, 2M + 1).
template <class T>
struct RelativeBias {
  const Matrix<T>* table = nullptr;  // null: no bias
  Matrix<T>* grad = nullptr;         // backward adds here when set
};

template <class T>
struct AttentionCache {
  std::vector<T> probs;  // (batch, n_head, q_len, kv_len): softmax weights, 0 where masked
};

// q (batch*q_len, n_head*head_dim), k and v (batch*kv_len, n_kv_head*head_dim) -> out (batch*q_len,
// n_head*head_dim); head h occupies columns [h*head_dim, (h+1)*head_dim). Scores are scaled by
// 1/sqrt(head_dim). A query that may see no key gets a zero output (and zero gradients).
template <class T>
Matrix<T> attention_forward(const Matrix<T>& q, const Matrix<T>& k, const Matrix<T>& v, const AttentionShape& shape,
                            const AttentionMask& mask, const RelativeBias<T>& bias, AttentionCache<T>& cache);

template <class T>
struct AttentionGrads {
  Matrix<T> dq;
  Matrix<T> dk;
  Matrix<T> dv;
};
template <class T>
AttentionGrads<T> attention_backward(const Matrix<T>& dout, const Matrix<T>& q, const Matrix<T>& k,
                                     const Matrix<T>& v, const AttentionShape& shape, const AttentionMask& mask,
                                     const RelativeBias<T>& bias, const AttentionCache<T>& cache);

// The core of self-attention supplied from outside the library: an exercise's, which calls a student's
// function through the grading channel (docs/model.md, "A student's piece inside a model"). The same contract
// as attention_forward and attention_backward, without the relative bias; a model given one calls it in every
// block instead of its own (BlockStack::set_attention_core).
template <class T>
struct AttentionCore {
  std::function<Matrix<T>(const Matrix<T>& q, const Matrix<T>& k, const Matrix<T>& v, const AttentionShape& shape,
                          const AttentionMask& mask)>
      forward;
  std::function<AttentionGrads<T>(const Matrix<T>& dout, const Matrix<T>& q, const Matrix<T>& k, const Matrix<T>& v,
                                  const AttentionShape& shape, const AttentionMask& mask)>
      backward;
};

// (batch * len, n_head * head_dim) <-> (batch * n_head, len, head_dim): one (len, head_dim) slab per sequence and
// head, so that a function written for one head applies to every head of every sequence in one call.
template <class T>
xt::xtensor<T, 3> split_heads(const Matrix<T>& x, std::size_t batch, std::size_t n_head);
template <class T>
Matrix<T> merge_heads(const xt::xtensor<T, 3>& heads, std::size_t batch);

}  // namespace nn
