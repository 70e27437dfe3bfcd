// Trains the small CNN baseline or a ViT on CIFAR-10, from the binary version of the data set the user has
// downloaded and unpacked (https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz: the folder
// cifar-10-batches-bin), and reports the accuracy on its test batch. Prints progress to stderr and one JSON
// line to stdout.
// Usage: example_cifar10 --data DIR [--model cnn|vit] [--steps 500] [--batch 64] [--seed 1]
#include <algorithm>
#include <iostream>
#include <map>
#include <string>

#include "nn/baselines.hpp"
#include "nn/cifar10.hpp"
#include "nn/data_loader.hpp"
#include "nn/optim.hpp"
#include "nn/vit.hpp"
#include "workbook/blas_kernels.hpp"

namespace {

struct Options {
  std::string data, model = "cnn";
  std::size_t steps = 500, batch = 64, seed = 1;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--data") o.data = value;
    else if (flag == "--model") o.model = value;
    else if (flag == "--steps") o.steps = std::stoul(value);
    else if (flag == "--batch") o.batch = std::stoul(value);
    else if (flag == "--seed") o.seed = std::stoul(value);
    else throw std::invalid_argument("unknown option " + flag);
  }
  if (o.data.empty()) throw std::invalid_argument("--data DIR is required (the unpacked cifar-10-batches-bin)");
  if (o.model != "cnn" && o.model != "vit") throw std::invalid_argument("--model is cnn or vit");
  return o;
}

// The rows `indices` of data: one batch of images and their labels.
nn::Cifar10Data gather(const nn::Cifar10Data& data, const std::vector<std::size_t>& indices) {
  nn::Cifar10Data out{nn::Matrix<float>::from_shape({indices.size(), nn::cifar10_image_size}), {}};
  for (std::size_t i = 0; i < indices.size(); ++i) {
    std::copy_n(data.images.data() + indices[i] * nn::cifar10_image_size, nn::cifar10_image_size,
                out.images.data() + i * nn::cifar10_image_size);
    out.labels.push_back(data.labels[indices[i]]);
  }
  return out;
}

// Fraction of test images whose largest logit is their label, 500 images per forward pass.
template <class Model>
double accuracy(Model& model, const nn::Cifar10Data& test) {
  std::size_t correct = 0;
  for (std::size_t first = 0; first < test.labels.size(); first += 500) {
    std::vector<std::size_t> indices;
    for (std::size_t i = first; i < std::min(first + 500, test.labels.size()); ++i) indices.push_back(i);
    const nn::Cifar10Data batch = gather(test, indices);
    const nn::Matrix<float>& logits = model.forward(batch.images);
    for (std::size_t i = 0; i < indices.size(); ++i) {
      const float* row = logits.data() + i * logits.shape(1);
      correct += std::max_element(row, row + logits.shape(1)) - row == batch.labels[i];
    }
  }
  return double(correct) / double(test.labels.size());
}

template <class Model>
double train_and_test(Model& model, const Options& o, const nn::Cifar10Data& train, const nn::Cifar10Data& test) {
  nn::AdamW<float> optimizer(model.parameters(), {1e-3});
  nn::ClassBatcher batches(train.labels.size(), o.batch, o.seed);
  for (std::size_t step = 1; step <= o.steps; ++step) {
    const nn::Cifar10Data batch = gather(train, batches.next());
    nn::zero_grads(model.parameters());
    model.forward(batch.images);
    const float loss = model.loss(batch.labels);
    model.backward();
    optimizer.step();
    if (step % 100 == 0 || step == o.steps) std::cerr << "step " << step << ": loss " << loss << "\n";
  }
  return accuracy(model, test);
}

}  // namespace

int main(int argc, char** argv) try {
  workbook::use_fast_blas_kernels(argv);
  const Options o = parse(argc, argv);
  const nn::Cifar10Data train = nn::read_cifar10(nn::cifar10_train_files(o.data));
  const nn::Cifar10Data test = nn::read_cifar10({nn::cifar10_test_file(o.data)});
  double test_accuracy = 0;
  if (o.model == "cnn") {
    nn::SmallCnn<float> model(nn::SmallCnnConfig{}, o.seed);
    test_accuracy = train_and_test(model, o, train, test);
  } else {
    nn::Vit<float> model(nn::VitConfig{}, o.seed);
    test_accuracy = train_and_test(model, o, train, test);
  }
  std::cout << "{\"model\": \"" << o.model << "\", \"steps\": " << o.steps << ", \"batch\": " << o.batch
            << ", \"train_images\": " << train.labels.size() << ", \"test_images\": " << test.labels.size()
            << ", \"test_accuracy\": " << test_accuracy << "}" << std::endl;
  return 0;
} catch (const std::exception& e) {
  std::cerr << "example_cifar10: " << e.what() << "\n";
  return 2;
}
