// 10.21: a Vision Transformer on CIFAR-10. The student writes the front end: the 4 x 4 patches of CIFAR-layout
// images, and the sequence the blocks read ([CLS] in front, learned positions added) with its backward. Expected
// values: the statement's placement of every pixel, written here as a scatter from (channel, y, x) to (patch,
// feature) rather than the student's gather; the sequence and its adjoint in plain loops. Parameter counts are closed
// forms, and the student's typed counts are also held to the library's nn::Vit built with the statement's sizes.
//
// Then the front end runs inside a model: the checks write a small generated file in CIFAR-10's binary format, read
// it back with nn::read_cifar10, cut the images with the student's image_patches and train the library's nn::Vit on
// them (Vit::forward_patches) with the student's sequence_forward and sequence_backward as its assembly step
// (nn::VitAssembly), in this process; accuracy is measured here on held-out records. --full trains the statement's
// ViT and the library's small CNN (nn::SmallCnn) on the same data, the real set with --data, and draws figure
// `comparison`.

#include "ch10/10.21/interface.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <unistd.h>

#include <xtensor/xadapt.hpp>
#include <xtensor/xnoalias.hpp>

#include "nn/baselines.hpp"
#include "nn/cifar10.hpp"
#include "nn/data_loader.hpp"
#include "nn/optim.hpp"
#include "nn/train_log.hpp"
#include "nn/vit.hpp"
#include "workbook/exercise.hpp"
#include "workbook/oracle/statistics.hpp"
#include "workbook/tolerances.hpp"

namespace {

using ch10_21::Images;
using ch10_21::Patches;
using ch10_21::Rows;
using ch10_21::Table;
using workbook::CheckKind;
using workbook::CheckResult;
using workbook::Context;

// The statement's sizes.
constexpr std::size_t side = 32, patch = 4, per_side = side / patch, n_patches = per_side * per_side, channels = 3,
                      patch_width = channels * patch * patch, positions = n_patches + 1, d_model = 128, blocks = 4,
                      heads = 4, classes = 10;

// ---- the statement's patches, as a scatter of every pixel to its (patch, feature) ----------------------------

Patches statement_patches(const Images& images) {
  Patches out = Patches::from_shape({images.shape(0), n_patches, patch_width});
  for (std::size_t n = 0; n < images.shape(0); ++n)
    for (std::size_t c = 0; c < channels; ++c)
      for (std::size_t y = 0; y < side; ++y)
        for (std::size_t x = 0; x < side; ++x) {
          const std::size_t p = (y / patch) * per_side + x / patch, f = c * patch * patch + (y % patch) * patch + x % patch;
          out(n, p, f) = images(n, c * side * side + y * side + x);
        }
  return out;
}

// Image n's pixel (c, y, x) is 10000 c + 100 y + x + 1e5 n: its place can be read off its value.
Images known_images(std::size_t count) {
  Images images = Images::from_shape({count, channels * side * side});
  for (std::size_t n = 0; n < count; ++n)
    for (std::size_t c = 0; c < channels; ++c)
      for (std::size_t y = 0; y < side; ++y)
        for (std::size_t x = 0; x < side; ++x)
          images(n, c * side * side + y * side + x) = 1e5 * double(n) + 1e4 * double(c) + 100 * double(y) + double(x);
  return images;
}

CheckResult patches_match(const Images& images) {
  const Patches got = ch10_21::image_patches(images);
  workbook::require_shape("image_patches", got, {images.shape(0), n_patches, patch_width});
  return workbook::close(xt::xarray<double>(got), statement_patches(images), workbook::tolerance::float_computation);
}

// ---- the sequence and its adjoint, in plain loops ----------------------------------------------------------

Rows gaussian_rows(std::size_t n, std::size_t rows, std::size_t d, std::mt19937_64& rng) {
  Rows r = Rows::from_shape({n, rows, d});
  std::normal_distribution<double> normal;
  for (auto& x : r) x = normal(rng);
  return r;
}

Table gaussian_table(std::size_t rows, std::size_t d, std::mt19937_64& rng) {
  Table t = Table::from_shape({rows, d});
  std::normal_distribution<double> normal;
  for (auto& x : t) x = normal(rng);
  return t;
}

struct SequenceInputs {
  Rows embedded;
  Table cls, positions;
};

SequenceInputs sequence_inputs(std::size_t n, std::size_t d, std::mt19937_64& rng) {
  auto embedded = gaussian_rows(n, n_patches, d, rng);
  auto cls = gaussian_table(1, d, rng);
  return {embedded, cls, gaussian_table(positions, d, rng)};
}

// Row 0 of every sequence is the [CLS] token, row s >= 1 is patch s - 1; row s gets positions(s).
Rows statement_sequence(const SequenceInputs& in) {
  const std::size_t N = in.embedded.shape(0), d = in.embedded.shape(2);
  Rows out = Rows::from_shape({N, positions, d});
  for (std::size_t n = 0; n < N; ++n)
    for (std::size_t s = 0; s < positions; ++s)
      for (std::size_t j = 0; j < d; ++j)
        out(n, s, j) = (s == 0 ? in.cls(0, j) : in.embedded(n, s - 1, j)) + in.positions(s, j);
  return out;
}

Rows sequence_of(const SequenceInputs& in) {
  const Rows got = ch10_21::sequence_forward(in.embedded, in.cls, in.positions);
  workbook::require_shape("sequence_forward", got, {in.embedded.shape(0), positions, in.embedded.shape(2)});
  return got;
}

// The map is linear, so its gradients are its adjoint applied to dsequence: each input entry collects the gradient
// of every output entry it was added into. All three, flattened and joined, in the order dembedded, dcls, dpositions.
xt::xarray<double> joined(const Rows& dembedded, const Table& dcls, const Table& dpositions) {
  std::vector<double> all(dembedded.begin(), dembedded.end());
  all.insert(all.end(), dcls.begin(), dcls.end());
  all.insert(all.end(), dpositions.begin(), dpositions.end());
  return xt::adapt(all, {all.size()});
}

xt::xarray<double> statement_gradients(const Rows& dsequence) {
  const std::size_t N = dsequence.shape(0), d = dsequence.shape(2);
  Rows dembedded = xt::zeros<double>({N, n_patches, d});
  Table dcls = xt::zeros<double>({std::size_t(1), d}), dpositions = xt::zeros<double>({positions, d});
  for (std::size_t n = 0; n < N; ++n)
    for (std::size_t s = 0; s < positions; ++s)
      for (std::size_t j = 0; j < d; ++j) {
        dpositions(s, j) += dsequence(n, s, j);
        (s == 0 ? dcls(0, j) : dembedded(n, s - 1, j)) += dsequence(n, s, j);
      }
  return joined(dembedded, dcls, dpositions);
}

CheckResult gradients_match(const Rows& dsequence) {
  const auto g = ch10_21::sequence_backward(dsequence);
  const std::size_t N = dsequence.shape(0), d = dsequence.shape(2);
  workbook::require_shape("sequence_backward (dembedded)", g.dembedded, {N, n_patches, d});
  workbook::require_shape("sequence_backward (dcls)", g.dcls, {1, d});
  workbook::require_shape("sequence_backward (dpositions)", g.dpositions, {positions, d});
  const auto expected = statement_gradients(dsequence);
  return workbook::close(joined(g.dembedded, g.dcls, g.dpositions), expected,
                         workbook::tolerance::float_sums(workbook::tolerance::largest_magnitude(expected)));
}

// ---- parameter counts: closed forms and the library's model -------------------------------------------------

constexpr std::int64_t D = d_model, hidden = 4 * d_model;
constexpr std::int64_t patch_projection_count = std::int64_t(patch_width) * D + D;
constexpr std::int64_t position_count = std::int64_t(positions) * D;
// Two LayerNorms (gain and bias), the q/k/v projection, the output projection, the MLP's two layers, all with biases.
constexpr std::int64_t block_count = 2 * 2 * D + (D * 3 * D + 3 * D) + (D * D + D) + (D * hidden + hidden) + (hidden * D + D);
constexpr std::int64_t total_count =
    patch_projection_count + D + position_count + std::int64_t(blocks) * block_count + 2 * D + D * std::int64_t(classes) + std::int64_t(classes);

nn::VitConfig statement_config() {
  nn::VitConfig c;
  c.image_size = side;
  c.channels = channels;
  c.patch = patch;
  c.n_layer = blocks;
  c.n_head = heads;
  c.n_embd = d_model;
  c.n_classes = classes;
  return c;
}

// The numbers of the library's ViT at the statement's sizes whose names start with `prefix` ("" for all).
std::int64_t library_count(const std::string& prefix) {
  nn::Vit<float> model(statement_config(), 1);
  std::int64_t count = 0;
  for (const auto& p : model.parameters())
    if (p.name.rfind(prefix, 0) == 0) count += std::int64_t(p.size);
  return count;
}

// ---- the generated CIFAR-format file ---------------------------------------------------------------------

// Every class has a colour (one level per channel) and a coarse pattern (one offset per 8 x 8 block and channel);
// an image is its class's colour plus pattern plus Gaussian noise per pixel, clipped to [0, 1] and stored as a byte.
struct Generated {
  std::size_t count;
  double noise;
};

std::vector<unsigned char> generated_records(const Generated& g, std::uint64_t class_seed, std::uint64_t image_seed) {
  std::mt19937_64 class_rng(class_seed), rng(image_seed);
  std::uniform_real_distribution<double> colour(0.2, 0.8), offset(-0.15, 0.15);
  std::vector<double> templates(classes * channels * side * side);
  for (std::size_t k = 0; k < classes; ++k)
    for (std::size_t c = 0; c < channels; ++c) {
      const double level = colour(class_rng);
      double block[4][4];
      for (auto& row : block)
        for (auto& b : row) b = offset(class_rng);
      for (std::size_t y = 0; y < side; ++y)
        for (std::size_t x = 0; x < side; ++x)
          templates[(k * channels + c) * side * side + y * side + x] = level + block[y / 8][x / 8];
    }
  std::normal_distribution<double> noise(0, g.noise);
  std::uniform_int_distribution<int> label(0, int(classes) - 1);
  std::vector<unsigned char> bytes;
  bytes.reserve(g.count * nn::cifar10_record_size);
  for (std::size_t i = 0; i < g.count; ++i) {
    const int k = label(rng);
    bytes.push_back((unsigned char)k);
    for (std::size_t j = 0; j < nn::cifar10_image_size; ++j) {
      const double v = std::clamp(templates[std::size_t(k) * nn::cifar10_image_size + j] + noise(rng), 0.0, 1.0);
      bytes.push_back((unsigned char)std::lround(255 * v));
    }
  }
  return bytes;
}

// Writes the records to a file of their own, reads them back with the library's reader and removes the file.
nn::Cifar10Data through_a_file(const std::vector<unsigned char>& bytes, const std::string& name) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("workbook-10.21-" + std::to_string(::getpid()) + "-" + name + ".bin");
  {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  }
  auto data = nn::read_cifar10({path});
  std::filesystem::remove(path);
  return data;
}

Images as_images(const nn::Matrix<float>& images) { return xt::cast<double>(images); }

// ---- the student's front end inside the library's ViT --------------------------------------------------

// The same numbers in another shape and number type (both row-major): the model's (rows, C) float matrices and the
// channel's (N, rows per image, C) double stacks.
template <class To, class From>
To reshaped(const From& from, std::vector<std::size_t> shape) {
  To out = To::from_shape(shape);
  if (out.size() != from.size()) throw std::logic_error("reshaped: sizes differ");
  std::copy(from.begin(), from.end(), out.begin());
  return out;
}

// The student's patches of every image, as the model takes them: (N * 64, 48). Cut once per data set (a data piece,
// reused at every step), 1000 images per call, so that no call carries the whole real training set (1.2 GB of doubles).
nn::Matrix<float> student_patches(const nn::Matrix<float>& images) {
  constexpr std::size_t per_call = 1000;
  const std::size_t N = images.shape(0), floats_per_image = n_patches * patch_width;
  nn::Matrix<float> out = nn::Matrix<float>::from_shape({N * n_patches, patch_width});
  for (std::size_t first = 0; first < N; first += per_call) {
    const std::size_t count = std::min(per_call, N - first);
    Images chunk = Images::from_shape({count, nn::cifar10_image_size});
    std::copy_n(images.data() + first * nn::cifar10_image_size, count * nn::cifar10_image_size, chunk.begin());
    const Patches p = ch10_21::image_patches(chunk);
    workbook::require_shape("image_patches", p, {count, n_patches, patch_width});
    std::copy(p.begin(), p.end(), out.data() + first * floats_per_image);
  }
  return out;
}

// The patch rows of images `indices`.
nn::Matrix<float> patch_rows(const nn::Matrix<float>& patches, const std::vector<std::size_t>& indices) {
  const std::size_t floats_per_image = n_patches * patch_width;
  nn::Matrix<float> out = nn::Matrix<float>::from_shape({indices.size() * n_patches, patch_width});
  for (std::size_t i = 0; i < indices.size(); ++i)
    std::copy_n(patches.data() + indices[i] * floats_per_image, floats_per_image, out.data() + i * floats_per_image);
  return out;
}

// The student's sequence as the model's assembly step: rows of (N * 64, C) in, (N * 65, C) out, and back.
nn::VitAssembly<float> student_assembly() {
  nn::VitAssembly<float> a;
  a.forward = [](const nn::Matrix<float>& embedded, const nn::Matrix<float>& cls, const nn::Matrix<float>& wpe) {
    const std::size_t C = embedded.shape(1), N = embedded.shape(0) / n_patches;
    const Rows sequence = ch10_21::sequence_forward(reshaped<Rows>(embedded, {N, n_patches, C}), xt::cast<double>(cls),
                                                    xt::cast<double>(wpe));
    workbook::require_shape("sequence_forward", sequence, {N, positions, C});
    return reshaped<nn::Matrix<float>>(sequence, {N * positions, C});
  };
  a.backward = [](const nn::Matrix<float>& dx, nn::Matrix<float>& dcls, nn::Matrix<float>& dwpe) {
    const std::size_t C = dx.shape(1), N = dx.shape(0) / positions;
    const auto g = ch10_21::sequence_backward(reshaped<Rows>(dx, {N, positions, C}));
    workbook::require_shape("sequence_backward (dembedded)", g.dembedded, {N, n_patches, C});
    workbook::require_shape("sequence_backward (dcls)", g.dcls, {1, C});
    workbook::require_shape("sequence_backward (dpositions)", g.dpositions, {positions, C});
    // In place: the optimizer holds pointers to these gradients (a plain += would evaluate into a temporary and
    // swap its buffer in).
    xt::noalias(dcls) += xt::cast<float>(g.dcls);
    xt::noalias(dwpe) += xt::cast<float>(g.dpositions);
    return reshaped<nn::Matrix<float>>(g.dembedded, {N * n_patches, C});
  };
  return a;
}

// Quick: 500 generated training records and 200 held-out ones (noise 0.3); a ViT of 1 block, 4 heads, width 32,
// 80 steps of 32 images at learning rate 3e-3. The held-out bar: 0.1 + 10 sqrt(0.09 / 200) = 0.31.
// Full: the statement's ViT and the library's small CNN, each trained the same epochs from the same batches, on
// the real set with --data (50 epochs, as the seed asks) or on 5000 + 1000 generated records (noise 0.8, 6 epochs).
struct Budget {
  Generated train, test;
  std::size_t layers, width, batch, steps, epochs;
  double lr;
};

Budget budget_for(const Context& ctx) {
  if (ctx.full()) return {{5000, 0.8}, {1000, 0.8}, blocks, d_model, 64, 0, std::size_t(ctx.data() ? 50 : 6), 1e-3};
  return {{500, 0.3}, {200, 0.3}, 1, 32, 32, 80, 0, 3e-3};
}

struct DataSets {
  nn::Cifar10Data train, test;
  std::string source;
};

DataSets generated_sets(const Context& ctx, const Budget& b) {
  const auto classes_seed = ctx.seed_for("d-classes");
  return {through_a_file(generated_records(b.train, classes_seed, ctx.seed_for("d-train")), "train"),
          through_a_file(generated_records(b.test, classes_seed, ctx.seed_for("d-test")), "test"),
          "generated (" + std::to_string(b.train.count) + " + " + std::to_string(b.test.count) + " records)"};
}

DataSets data_sets(const Context& ctx, const Budget& b) {
  if (ctx.full() && ctx.data())
    return {nn::read_cifar10(nn::cifar10_train_files(*ctx.data())), nn::read_cifar10({nn::cifar10_test_file(*ctx.data())}),
            "CIFAR-10 from " + ctx.data()->string()};
  return generated_sets(ctx, b);
}

nn::Matrix<float> rows_of(const nn::Matrix<float>& all, const std::vector<std::size_t>& indices, std::size_t width) {
  nn::Matrix<float> out = nn::Matrix<float>::from_shape({indices.size(), width});
  for (std::size_t i = 0; i < indices.size(); ++i)
    std::copy_n(all.data() + indices[i] * width, width, out.data() + i * width);
  return out;
}

std::size_t correct_in(const nn::Matrix<float>& logits, const nn::Tokens& labels, std::size_t first) {
  std::size_t correct = 0;
  for (std::size_t i = 0; i < logits.shape(0); ++i) {
    const float* row = logits.data() + i * logits.shape(1);
    correct += std::size_t(std::max_element(row, row + logits.shape(1)) - row) == std::size_t(labels[first + i]);
  }
  return correct;
}

// Held-out accuracy, 250 images per forward pass; `forward` maps the indices of a chunk to its logits.
template <class Forward>
double accuracy_on(const nn::Tokens& labels, Forward forward) {
  std::size_t correct = 0;
  for (std::size_t first = 0; first < labels.size(); first += 250) {
    std::vector<std::size_t> chunk;
    for (std::size_t i = first; i < std::min(first + 250, labels.size()); ++i) chunk.push_back(i);
    correct += correct_in(forward(chunk), labels, first);
  }
  return double(correct) / double(labels.size());
}

// Evaluation mode for the held-out score (the ViT's dropout; the CNN has none).
void set_training(nn::Vit<float>& model, bool on) { model.train(on); }
void set_training(nn::SmallCnn<float>&, bool) {}

// One model's training: a step on a batch of indices, its held-out accuracy; and the accuracy after every epoch.
struct Curve {
  std::vector<double> accuracy;  // after each epoch (quick: one entry, at the end)
  double seconds = 0;
};

template <class Model, class Forward>
Curve train(Model& model, Forward forward, const DataSets& data, const Budget& b, std::uint64_t batch_seed,
            const std::string& name, bool show_progress) {
  nn::AdamW<float> optimizer(model.parameters(), {b.lr});
  nn::ClassBatcher batches(data.train.labels.size(), b.batch, batch_seed);
  const std::size_t per_epoch = batches.batches_per_epoch();
  const std::size_t total = b.epochs ? b.epochs * per_epoch : b.steps;
  const auto start = std::chrono::steady_clock::now();
  std::unique_ptr<nn::ProgressBar> bar;
  if (show_progress) {
    std::cerr << name << " on " << data.source << ", " << total << " steps\n";
    bar = std::make_unique<nn::ProgressBar>(std::cerr, total);
  }
  Curve curve;
  const auto score = [&] {
    set_training(model, false);
    curve.accuracy.push_back(accuracy_on(data.test.labels, [&](const std::vector<std::size_t>& chunk) {
      return forward(model, chunk, false);
    }));
    set_training(model, true);
  };
  set_training(model, true);
  for (std::size_t step = 1; step <= total; ++step) {
    const auto indices = batches.next();
    nn::Tokens labels;
    for (const auto i : indices) labels.push_back(data.train.labels[i]);
    nn::zero_grads(model.parameters());
    forward(model, indices, true);
    const float loss = model.loss(labels);
    model.backward();
    optimizer.step();
    if (bar) {
      const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
      bar->update(step, loss, double(step * b.batch) / elapsed.count());  // images per second
    }
    if (b.epochs && step % per_epoch == 0) score();
  }
  if (bar) bar->finish();
  if (!b.epochs) score();
  curve.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return curve;
}

struct Comparison {
  Curve vit, cnn;
  std::string source;
  std::size_t train_count = 0, test_count = 0;
};

// The ViT with the student's front end (and, with --full, the CNN on the same data and batches). The --full run is
// cached per seed, so that the check and the figure read the same run; the quick one is trained afresh for every
// solution the process grades.
Comparison trained(const Context& ctx) {
  static std::map<std::uint64_t, Comparison> full_runs;
  if (ctx.full())
    if (const auto hit = full_runs.find(ctx.seed()); hit != full_runs.end()) return hit->second;
  const auto b = budget_for(ctx);
  const DataSets data = data_sets(ctx, b);
  if (ctx.full() && !ctx.data())
    std::cerr << "no --data PATH given: both models train on generated records, not on CIFAR-10\n";
  const nn::Matrix<float> train_patches = student_patches(data.train.images);
  const nn::Matrix<float> test_patches = student_patches(data.test.images);
  nn::VitConfig config = statement_config();
  config.n_layer = b.layers;
  config.n_embd = b.width;
  nn::Vit<float> vit(config, ctx.seed_for("d-weights"));
  const auto assembly = student_assembly();
  vit.set_assembly(&assembly);
  const auto vit_forward = [&](nn::Vit<float>& model, const std::vector<std::size_t>& indices, bool training) {
    return model.forward_patches(patch_rows(training ? train_patches : test_patches, indices));
  };
  Comparison out;
  out.source = data.source;
  out.train_count = data.train.labels.size();
  out.test_count = data.test.labels.size();
  out.vit = train(vit, vit_forward, data, b, ctx.seed_for("d-batches"), "ViT", ctx.full());
  if (ctx.full()) {
    nn::SmallCnn<float> cnn(nn::SmallCnnConfig{}, ctx.seed_for("d-weights"));
    const auto cnn_forward = [&](nn::SmallCnn<float>& model, const std::vector<std::size_t>& indices, bool training) {
      return model.forward(rows_of(training ? data.train.images : data.test.images, indices, nn::cifar10_image_size));
    };
    out.cnn = train(cnn, cnn_forward, data, b, ctx.seed_for("d-batches"), "CNN", true);
    std::cerr << "held-out accuracy on " << out.source << " (" << out.test_count << " images)\n"
              << "epoch      ViT      CNN\n";
    for (std::size_t e = 0; e < out.vit.accuracy.size(); ++e)
      std::cerr << std::setw(5) << e + 1 << std::fixed << std::setprecision(4) << std::setw(9) << out.vit.accuracy[e]
                << std::setw(9) << out.cnn.accuracy[e] << "\n";
    std::cerr << "seconds " << std::setprecision(0) << std::setw(9) << out.vit.seconds << std::setw(9) << out.cnn.seconds
              << std::defaultfloat << "\n";
  }
  if (ctx.full()) full_runs[ctx.seed()] = out;
  return out;
}

CheckResult vit_learns(const Context& ctx) {
  const auto run = trained(ctx);
  return workbook::oracle::learned(run.vit.accuracy.back(), 1.0 / double(classes), run.test_count);
}

// ---- parts -----------------------------------------------------------------------------------------------

void part_a(workbook::Exercise& ex) {
  ex.part("a", 3, R"(Implement image_patches: cut every 32 x 32 x 3 image, stored in CIFAR-10's layout, into its
4 x 4 patches, numbered and ordered as interface.hpp says, for a result of shape (N, 64, 48).)")
      .check("known image", CheckKind::close,
             "two images whose pixel (c, y, x) holds 10000 c + 100 y + x (plus 100000 for the second): every patch "
             "row against the pixels the statement places there",
             [](const Context&) { return patches_match(known_images(2)); })
      .check("random images", CheckKind::close,
             "five images of Gaussian pixels: every entry against the statement's placement of each pixel",
             [](const Context& ctx) {
               auto rng = ctx.rng("a-random");
               Images images = Images::from_shape({5, channels * side * side});
               std::normal_distribution<double> normal;
               for (auto& x : images) x = normal(rng);
               return patches_match(images);
             })
      .check("shape", CheckKind::equal, "the shape of the patches of three images",
             [](const Context&) {
               const auto got = ch10_21::image_patches(known_images(3));
               return workbook::equal(std::vector<std::int64_t>(got.shape().begin(), got.shape().end()),
                                      {3, std::int64_t(n_patches), std::int64_t(patch_width)});
             })
      .hint("Work out where patch p's top-left pixel sits (its row of patches, its column of patches), then walk the "
            "channels, rows and columns inside it in the order the features are numbered.");
}

void part_b(workbook::Exercise& ex) {
  ex.part("b", 3, R"(Implement sequence_forward and sequence_backward: the [CLS] token put in front of every image's
64 patch embeddings, and the 65 learned positions added row by row; then the gradients of that step. The checks allow
float's rounding.)")
      .check("forward", CheckKind::close, "3 images, d = 5, Gaussian inputs: every row against the statement's sequence",
             [](const Context& ctx) {
               auto rng = ctx.rng("b-forward");
               const auto in = sequence_inputs(3, 5, rng);
               return workbook::close(xt::xarray<double>(sequence_of(in)), statement_sequence(in),
                                      workbook::tolerance::float_computation);
             })
      .check("[CLS] first", CheckKind::close,
             "4 images, d = 3: row 0 of every sequence against the [CLS] token plus position 0",
             [](const Context& ctx) {
               auto rng = ctx.rng("b-cls");
               const auto in = sequence_inputs(4, 3, rng);
               const Rows expected = statement_sequence(in), got = sequence_of(in);
               return workbook::close(xt::xarray<double>(xt::view(got, xt::all(), 0, xt::all())),
                                      xt::xarray<double>(xt::view(expected, xt::all(), 0, xt::all())),
                                      workbook::tolerance::float_computation);
             })
      .check("backward", CheckKind::close,
             "3 images, d = 5, a Gaussian dsequence: dembedded, dcls and dpositions against the adjoint of the "
             "statement's sequence, written in plain loops",
             [](const Context& ctx) {
               auto rng = ctx.rng("b-backward");
               return gradients_match(gaussian_rows(3, positions, 5, rng));
             })
      .hint("The [CLS] token and every position row are shared by all the images of a batch: their gradients add up "
            "over the batch.");
}

void part_c(workbook::Exercise& ex) {
  auto& c = ex.part("c", 2, R"(Count the parameters of the statement's model: patches of 48 numbers projected to
d_model = 128, one [CLS] token, 65 learned positions, 4 encoder blocks (each: two LayerNorms with gain and bias, a
projection to queries, keys and values and an output projection, an MLP of hidden width 4 d_model; every linear map
with a bias; 4 heads split the width and add nothing), a final LayerNorm, and a linear classifier from the [CLS] row
to the 10 classes. Exact integers.)");
  c.integer_answer("c_patch_projection", "parameters of the patch projection (weights and bias)", patch_projection_count)
      .integer_answer("c_positions", "parameters of the position table", position_count)
      .integer_answer("c_block", "parameters of one encoder block", block_count)
      .integer_answer("c_total", "parameters of the whole model", total_count)
      .check("the library's ViT", CheckKind::equal,
             "your four counts against the named parameters of the library's nn::Vit built at the statement's sizes "
             "(patch_embed.*, wpe.weight, h.0.*, all)",
             [](const Context& ctx) {
               const auto& a = ctx.answers();
               return workbook::equal(
                   std::vector<std::int64_t>{a.integer("c_patch_projection"), a.integer("c_positions"),
                                             a.integer("c_block"), a.integer("c_total")},
                   {library_count("patch_embed."), library_count("wpe."), library_count("h.0."), library_count("")});
             })
      .hint("The heads split the 128 columns of one projection into 4 groups; they do not multiply its size.");
}

void part_d(workbook::Exercise& ex) {
  ex.part("d", 3, R"(Your front end now runs inside a model. The exercise writes a small file in CIFAR-10's binary
format (records of a label byte and 3072 pixel bytes; the images are a colour and a coarse pattern per class plus
noise), reads it back with the library's CIFAR-10 reader, cuts the images with your image_patches, and trains the
library's ViT with your sequence_forward and sequence_backward as the step between the patch projection and the
blocks. Quick budget: 500 training and 200 held-out records, a ViT of 1 block, 4 heads and width 32, 80 steps of 32
images; the check passes when the held-out accuracy is ten standard errors above chance (1/10). With --full the ViT
has the statement's sizes.)")
      .check("file round trip", CheckKind::close,
             "12 generated records written to a file and read back with nn::read_cifar10, then cut by your "
             "image_patches: every patch against the statement's placement of the bytes written, over 255",
             [](const Context& ctx) {
               const auto bytes = generated_records({12, 0.3}, ctx.seed_for("d-classes"), ctx.seed_for("d-file"));
               const auto data = through_a_file(bytes, "round-trip");
               Images written = Images::from_shape({12, nn::cifar10_image_size});
               for (std::size_t n = 0; n < 12; ++n) {
                 if (data.labels.size() != 12 || data.labels[n] != bytes[n * nn::cifar10_record_size])
                   throw std::logic_error("nn::read_cifar10 read other labels than the file holds");
                 for (std::size_t j = 0; j < nn::cifar10_image_size; ++j)
                   written(n, j) = bytes[n * nn::cifar10_record_size + 1 + j] / 255.0;
               }
               const Patches got = ch10_21::image_patches(as_images(data.images));
               workbook::require_shape("image_patches", got, {12, n_patches, patch_width});
               return workbook::close(xt::xarray<double>(got), statement_patches(written),
                                      workbook::tolerance::float_computation);
             })
      .check("ViT learns", CheckKind::property,
             "the library's ViT with your patches and your sequence reaches a held-out accuracy ten standard errors "
             "above chance",
             vit_learns);
}

void part_e(workbook::Exercise& ex) {
  ex.part("e", 2, R"(Compare the ViT with the library's small CNN (two 3 x 3 convolutions with pooling, then a linear
layer). --full trains both from the same batches, the ViT at the statement's sizes: on the real CIFAR-10 when you
give --data PATH (the folder cifar-10-batches-bin that the binary archive unpacks to) for the seed's 50 epochs, which
costs hours on a small machine; otherwise on 5000 generated records for 6 epochs, and says so. It prints the held-out
accuracy of both after every epoch and draws figure `comparison`. Which model does better, at this data size and
budget, and why? What would have to change (data, augmentation, training length, patch size) for the ViT to win?)")
      .manual(2);
}

// ---- figures ---------------------------------------------------------------------------------------------

// Quick budget: chance, which holds on every machine. --full adds the held-out accuracy of both models per epoch.
workbook::Plot comparison_figure(const Context& ctx) {
  const double last = ctx.full() ? double(budget_for(ctx).epochs) : 6;  // quick: the generated --full's epochs
  std::vector<workbook::Series> series{{"chance", {1, last}, {0.1, 0.1}, workbook::Series::Style::lines}};
  if (ctx.full()) {
    const auto run = trained(ctx);
    for (const auto& [name, curve] : {std::pair{"ViT (your front end)", run.vit}, std::pair{"small CNN", run.cnn}}) {
      workbook::Series s{name, {}, curve.accuracy, workbook::Series::Style::linespoints};
      for (std::size_t e = 0; e < curve.accuracy.size(); ++e) s.x.push_back(double(e + 1));
      series.push_back(s);
    }
  }
  return workbook::xy_plot("ViT and CNN: held-out accuracy per epoch", "epoch", "held-out accuracy", series);
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "A Vision Transformer on CIFAR-10";
  ex.stars = 2;
  ex.tags = {workbook::Tag::implementation, workbook::Tag::numeric, workbook::Tag::conceptual, workbook::Tag::plot};
  ex.statement = R"(A Vision Transformer reads an image as a sequence. A 32 x 32 colour image is cut into 4 x 4
patches, 64 of them, each a vector of 4 * 4 * 3 = 48 numbers; a linear map takes every patch to d_model = 128; a
learned [CLS] token goes in front, so the sequence has 65 rows, and a learned table of 65 position vectors is added;
4 bidirectional encoder blocks of 4 heads follow, and a linear classifier reads the [CLS] row's output. Part (a) asks
for the patches, part (b) for the [CLS] and position step with its gradients, part (c) for the model's size; part (d)
trains the library's ViT with your front end on data in CIFAR-10's format, and part (e) compares it with a CNN.)";
  ex.timeout_seconds = 60;
  part_a(ex);
  part_b(ex);
  part_c(ex);
  part_d(ex);
  part_e(ex);
  ex.plot("comparison",
          "Held-out accuracy of the ViT with your front end and of the library's small CNN after every epoch of the "
          "same batches, beside chance (the measured curves with --full).",
          comparison_figure);
}
