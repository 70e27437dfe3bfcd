#pragma once
// Trained parameters that arrive by name (a student's whole-model program returns them: docs/model.md, rule 2),
// loaded into one of the library's models so that the trusted side scores them with its own forward.
#include <string>
#include <vector>

#include "nn/tensor.hpp"

namespace nn {

// Copies every tensor into the model parameter of the same name. Named is any struct with `name`, `shape`
// (std::vector<std::size_t>) and `values` (a row-major vector of numbers). Returns what stops the load, one line
// each: a parameter the tensors lack, a tensor with another shape or the wrong number of values, a tensor the model
// has no parameter for, a name given twice. Parameters are written only when nothing is wrong.
template <class T, class Named>
std::vector<std::string> load_named(const std::vector<ParamRef<T>>& params, const std::vector<Named>& tensors) {
  const auto shape_text = [](const std::vector<std::size_t>& shape) {
    std::string s = "(";
    for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + ")";
  };
  std::vector<std::string> problems;
  std::vector<const Named*> match(params.size(), nullptr);
  for (const auto& tensor : tensors) {
    std::size_t i = 0;
    while (i < params.size() && params[i].name != tensor.name) ++i;
    if (i == params.size()) {
      problems.push_back("\"" + tensor.name + "\" is not a parameter of the model");
    } else if (match[i]) {
      problems.push_back("\"" + tensor.name + "\" is given twice");
    } else if (tensor.shape != params[i].shape || tensor.values.size() != params[i].size) {
      problems.push_back("\"" + tensor.name + "\" has shape " + shape_text(tensor.shape) + " and " +
                         std::to_string(tensor.values.size()) + " values where the model's is " +
                         shape_text(params[i].shape));
      match[i] = &tensor;
    } else {
      match[i] = &tensor;
    }
  }
  for (std::size_t i = 0; i < params.size(); ++i)
    if (!match[i]) problems.push_back("\"" + params[i].name + "\" " + shape_text(params[i].shape) + " is missing");
  if (problems.empty())
    for (std::size_t i = 0; i < params.size(); ++i)
      for (std::size_t j = 0; j < params[i].size; ++j) params[i].value[j] = T(match[i]->values[j]);
  return problems;
}

}  // namespace nn
