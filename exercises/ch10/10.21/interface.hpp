#pragma once
// Interface for ch10/10.21, a Vision Transformer's front end. Implement the three functions in namespace ch10_21.
// The kit offers nothing of the nn library here: cutting the patches and assembling the sequence is what you write.

#include <xtensor/xtensor.hpp>

namespace ch10_21 {

// Images as CIFAR-10 stores them, one image per row of 3 * 32 * 32 = 3072 values: the red plane, then the green,
// then the blue, each plane row after row. Pixel (channel c, row y, column x) of image n is images(n, c*1024 + y*32 + x).
using Images = xt::xtensor<double, 2>;

// (N, 64, 48): image n's 64 patches of 4 x 4 pixels. Patch p covers rows 4r .. 4r+3 and columns 4q .. 4q+3 of the
// image, with p = 8r + q (patches numbered row of patches after row of patches); its 48 features are ordered by
// channel, then row inside the patch, then column inside the patch: feature 16c + 4dy + dx is pixel
// (c, 4r + dy, 4q + dx).
using Patches = xt::xtensor<double, 3>;

Patches image_patches(const Images& images);

// Sequences of d-wide rows: (N, positions, d).
using Rows = xt::xtensor<double, 3>;
using Table = xt::xtensor<double, 2>;

// The transformer's input. embedded (N, 64, d) holds every image's projected patches, cls (1, d) the learned [CLS]
// token, positions (65, d) the learned position table. Returns (N, 65, d): row 0 of every sequence is the [CLS]
// token, row 1 + p is patch p's embedding, and row s has positions(s, :) added.
Rows sequence_forward(const Rows& embedded, const Table& cls, const Table& positions);

struct SequenceGrads {
  Rows dembedded;   // (N, 64, d)
  Table dcls;       // (1, d)
  Table dpositions; // (65, d)
};

// The gradients of L = sum of dsequence * sequence_forward(embedded, cls, positions) over every entry, with respect
// to embedded, cls and positions (dsequence is (N, 65, d)): what the model's backward pass needs from this step.
SequenceGrads sequence_backward(const Rows& dsequence);

}  // namespace ch10_21
