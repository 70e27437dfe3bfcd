#pragma once
// An attention core (nn/attention.hpp) made of a student's functions that work on stacks of (sequence, head)
// slabs in double: what an exercise plugs into the library's models (docs/model.md, "A student's piece inside a
// model"). The model's float activations are split into slabs and cast for the call; the results are cast back,
// merged, and their shapes checked (a wrong shape is the solution's mistake, reported as such).
#include <functional>

#include "nn/attention.hpp"

namespace nn {

using Slabs = xt::xtensor<double, 3>;  // (batch * heads, rows, columns): slab b * heads + h

struct SlabGrads {
  Slabs dq, dk, dv;
};

// q in n_head slabs per sequence, k and v in n_kv_head slabs (AttentionShape). The mask is the model's; a student's
// function applies its own rule, which the exercise has checked to be the same.
using SlabForward = std::function<Slabs(const Slabs& q, const Slabs& k, const Slabs& v, const AttentionShape& shape)>;
using SlabBackward =
    std::function<SlabGrads(const Slabs& dout, const Slabs& q, const Slabs& k, const Slabs& v, const AttentionShape& shape)>;

// `forward_name` and `backward_name` name the student's functions in a shape error.
AttentionCore<float> slab_core(SlabForward forward, SlabBackward backward, std::string forward_name,
                               std::string backward_name);

}  // namespace nn
