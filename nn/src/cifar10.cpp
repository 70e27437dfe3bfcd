#include "nn/cifar10.hpp"

#include <fstream>
#include <stdexcept>

namespace nn {

namespace {

[[noreturn]] void fail(const std::filesystem::path& file, const std::string& what) {
  throw std::runtime_error("CIFAR-10 file " + file.string() + ": " + what);
}

// Records in the file, from its size (which must be a whole number of records).
std::size_t record_count(const std::filesystem::path& file) {
  std::error_code error;
  const std::uintmax_t size = std::filesystem::file_size(file, error);
  if (error) fail(file, "cannot read it (" + error.message() + ")");
  if (size % cifar10_record_size != 0)
    fail(file, "size " + std::to_string(size) + " is not a multiple of the record size " +
                   std::to_string(cifar10_record_size));
  return size / cifar10_record_size;
}

std::vector<unsigned char> read_bytes(const std::filesystem::path& file, std::size_t records) {
  std::vector<unsigned char> bytes(records * cifar10_record_size);
  std::ifstream in(file, std::ios::binary);
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!in) fail(file, "reading failed");
  return bytes;
}

// Appends the file's records: labels to data.labels, pixels / 255 to rows first_row.. of data.images.
void decode_records(const std::filesystem::path& file, const std::vector<unsigned char>& bytes, std::size_t first_row,
                    Cifar10Data& data) {
  for (std::size_t r = 0; r < bytes.size() / cifar10_record_size; ++r) {
    const unsigned char* record = bytes.data() + r * cifar10_record_size;
    if (record[0] >= cifar10_classes.size())
      fail(file, "record " + std::to_string(r) + " has label " + std::to_string(record[0]) + ", above 9");
    data.labels.push_back(record[0]);
    float* image = data.images.data() + (first_row + r) * cifar10_image_size;
    for (std::size_t i = 0; i < cifar10_image_size; ++i) image[i] = float(record[1 + i]) / 255.0f;
  }
}

}  // namespace

Cifar10Data read_cifar10(const std::vector<std::filesystem::path>& files) {
  std::vector<std::size_t> records;  // sizes first: every file is checked and the matrix allocated once
  for (const auto& file : files) records.push_back(record_count(file));
  std::size_t total = 0;
  for (std::size_t n : records) total += n;
  Cifar10Data data{Matrix<float>::from_shape({total, cifar10_image_size}), {}};
  data.labels.reserve(total);
  for (std::size_t f = 0, row = 0; f < files.size(); row += records[f], ++f)
    decode_records(files[f], read_bytes(files[f], records[f]), row, data);
  return data;
}

std::vector<std::filesystem::path> cifar10_train_files(const std::filesystem::path& folder) {
  std::vector<std::filesystem::path> files;
  for (int batch = 1; batch <= 5; ++batch) files.push_back(folder / ("data_batch_" + std::to_string(batch) + ".bin"));
  return files;
}

std::filesystem::path cifar10_test_file(const std::filesystem::path& folder) { return folder / "test_batch.bin"; }

}  // namespace nn
