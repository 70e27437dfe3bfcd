#include "nn/checkpoint.hpp"

#include <algorithm>
#include <stdexcept>

namespace nn {

namespace {

template <class T>
TensorData values_of(const ParamRef<T>& p) {
  return tensor_data(std::span<const T>(p.value, p.size), p.shape);
}

// The file holds p's name with p's shape.
template <class T>
void check_stored(const SafetensorsFile& file, const ParamRef<T>& p) {
  const std::string where = "checkpoint " + file.path().string() + ": parameter \"" + p.name + "\"";
  if (!file.has(p.name)) throw std::runtime_error(where + " is not in the file");
  const auto& stored_shape = file.info(p.name).shape;
  if (stored_shape != p.shape)
    throw std::runtime_error(where + " has shape " + shape_string(stored_shape) + " in the file but " +
                             shape_string(p.shape) + " in the model");
}

}  // namespace

template <class T>
void save_checkpoint(const std::filesystem::path& path, const std::vector<ParamRef<T>>& params,
                     const Metadata& metadata) {
  std::map<std::string, TensorData> tensors;
  for (const auto& p : params)
    if (!tensors.emplace(p.name, values_of(p)).second)
      throw std::invalid_argument("save_checkpoint: two parameters are named \"" + p.name + "\"");
  write_safetensors(path, tensors, metadata);
}

template <class T>
Metadata load_checkpoint(const std::filesystem::path& path, const std::vector<ParamRef<T>>& params) {
  const SafetensorsFile file = SafetensorsFile::read(path);
  for (const auto& p : params) check_stored(file, p);  // all checked first: a failed load changes nothing
  for (const auto& p : params) {
    const std::vector<T> values = file.values<T>(p.name);
    std::copy(values.begin(), values.end(), p.value);
  }
  return file.metadata();
}

#define NN_INSTANTIATE(T)                                                                                           \
  template void save_checkpoint<T>(const std::filesystem::path&, const std::vector<ParamRef<T>>&, const Metadata&); \
  template Metadata load_checkpoint<T>(const std::filesystem::path&, const std::vector<ParamRef<T>>&);
NN_INSTANTIATE(float)
NN_INSTANTIATE(double)
#undef NN_INSTANTIATE

}  // namespace nn
