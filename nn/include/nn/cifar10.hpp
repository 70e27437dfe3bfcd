#pragma once
// The CIFAR-10 binary format (the "binary version" of the data set: data_batch_1.bin .. data_batch_5.bin,
// test_batch.bin). Each record is 1 label byte (0..9) and 3072 pixel bytes: the red, green and blue planes
// of a 32x32 image in turn, each row-major. An image keeps that order as one row (channel, y, x), which is
// PyTorch's (3, 32, 32) flattened.
#include <array>
#include <cstddef>
#include <filesystem>
#include <string_view>
#include <vector>

#include "nn/tensor.hpp"

namespace nn {

inline constexpr std::size_t cifar10_side = 32;
inline constexpr std::size_t cifar10_image_size = 3 * cifar10_side * cifar10_side;  // 3072
inline constexpr std::size_t cifar10_record_size = 1 + cifar10_image_size;          // 3073
inline constexpr std::array<std::string_view, 10> cifar10_classes = {
    "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"};

struct Cifar10Data {
  Matrix<float> images;  // (N, 3072), pixel / 255 in [0, 1]
  Tokens labels;         // (N), each in 0..9
};

// Reads the records of the files in order. Throws std::runtime_error naming the file when it cannot be
// read, its size is not a multiple of 3073 bytes, or a label is above 9.
Cifar10Data read_cifar10(const std::vector<std::filesystem::path>& files);

// data_batch_1.bin .. data_batch_5.bin, or test_batch.bin, in the folder the archive unpacks to.
std::vector<std::filesystem::path> cifar10_train_files(const std::filesystem::path& folder);
std::filesystem::path cifar10_test_file(const std::filesystem::path& folder);

}  // namespace nn
