#pragma once
// Checkpoints: a model's parameters saved to and loaded from a safetensors file, by parameter name.
#include <filesystem>
#include <vector>

#include "nn/safetensors.hpp"
#include "nn/tensor.hpp"

namespace nn {

// Writes every parameter's values under its name and shape (F32 for float, F64 for double), with metadata
// (step, configuration, ...). Throws std::invalid_argument when two parameters share a name.
template <class T>
void save_checkpoint(const std::filesystem::path& path, const std::vector<ParamRef<T>>& params,
                     const Metadata& metadata = {});

// Fills every parameter's values from the tensor of the same name (converted from the file's dtype) and
// returns the file's metadata. Throws std::runtime_error naming the parameter when the file lacks it or
// stores it with another shape (both shapes named); tensors the model does not have are ignored.
template <class T>
Metadata load_checkpoint(const std::filesystem::path& path, const std::vector<ParamRef<T>>& params);

}  // namespace nn
