#pragma once
// The safetensors file format (Hugging Face): how checkpoints and pretrained weights are stored.
//
// Layout: 8 bytes, the little-endian length N of the header; N bytes of JSON
//   {"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, ...,
//    "__metadata__": {"key": "value"}}   (metadata optional)
// then the tensors' raw little-endian bytes; data_offsets count from the start of that data section.
// Reading checks everything a malformed file could get wrong and throws std::runtime_error naming the
// file and the problem; writing pads the header with spaces to a multiple of 8 (aligned data).
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace nn {

// One stored tensor: dtype name as the format spells it, shape, raw little-endian bytes.
struct TensorData {
  std::string dtype;
  std::vector<std::size_t> shape;
  std::vector<std::byte> bytes;
};

using Metadata = std::map<std::string, std::string>;

// Bytes per element of a dtype we read: F64, F32, F16, BF16, I64, I32, U8. Throws std::runtime_error
// naming any other.
std::size_t dtype_size(std::string_view dtype);

// Number of elements of a shape (1 for a scalar, shape []).
std::size_t element_count(const std::vector<std::size_t>& shape);

// A whole safetensors file held in memory.
class SafetensorsFile {
 public:
  static SafetensorsFile read(const std::filesystem::path& path);

  std::vector<std::string> names() const;  // sorted
  bool has(const std::string& name) const;
  // Throws std::out_of_range naming the tensor and the file when it is absent.
  const TensorData& info(const std::string& name) const;
  const Metadata& metadata() const { return metadata_; }
  const std::filesystem::path& path() const { return path_; }

  // The tensor's elements converted to T (row-major, as stored). T = float, double, int, std::int64_t.
  template <class T>
  std::vector<T> values(const std::string& name) const;

 private:
  std::filesystem::path path_;
  std::map<std::string, TensorData> tensors_;
  Metadata metadata_;
};

// Writes the tensors (data in name order) and metadata to path through a temporary file renamed over it,
// so a reader never sees a half-written file. Throws std::runtime_error naming the file on a bad tensor
// (unknown dtype, byte count that does not match the shape) or an I/O failure.
void write_safetensors(const std::filesystem::path& path, const std::map<std::string, TensorData>& tensors,
                       const Metadata& metadata = {});

// A tensor of the given shape holding these values (F32, F64, I64). Throws std::invalid_argument when the
// shape does not hold values.size() elements.
TensorData tensor_data(std::span<const float> values, std::vector<std::size_t> shape);
TensorData tensor_data(std::span<const double> values, std::vector<std::size_t> shape);
TensorData tensor_data(std::span<const std::int64_t> values, std::vector<std::size_t> shape);

// "[2, 3]": how error messages show a shape.
std::string shape_string(const std::vector<std::size_t>& shape);

}  // namespace nn
