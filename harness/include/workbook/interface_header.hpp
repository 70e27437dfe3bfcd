#pragma once
// An exercise's interface header (exercises/<collection>/<number>/interface.hpp), read as the build and
// `workbook dev check` need it: the namespace, the functions a solution implements, and the structs,
// enums and aliases they use. From it the build writes the bindings that carry each call between the
// checks and the solution's process (workbook/remote/), and `workbook init` writes a student's stubs.
//
// The headers are plain C++ in a small subset, which the reader insists on (each rule is a problem it
// reports, never a guess): one namespace; free functions with every parameter named and no overloads;
// structs of data members only; enums; `using` aliases. Default arguments and default member
// initialisers are fine.

#include <string>
#include <vector>

namespace workbook {

struct InterfaceHeader {
  struct Parameter {
    std::string type;  // as written, e.g. "const xt::xtensor<double, 1>&"
    std::string name;
  };
  struct Function {
    std::string return_type;
    std::string name;
    std::vector<Parameter> parameters;
    int line = 0;
  };
  struct Field {
    std::string type;
    std::string name;
  };
  struct Struct {
    std::string name;
    std::vector<Field> fields;
  };
  struct Alias {
    std::string name;
    std::string type;
  };

  std::string name_space;
  std::vector<Function> functions;
  std::vector<Struct> structs;
  std::vector<std::string> enums;
  std::vector<Alias> aliases;
  // What of the nn library a solution may call (docs/model.md, "A student's piece inside a model"): the
  // names listed on a `// The kit offers: nn::matmul_nt, nn::Encoder` line. Empty: nothing of nn.
  std::vector<std::string> kit_offers;
  std::vector<std::string> problems;  // what the reader refused, with the line
};

InterfaceHeader parse_interface_header(const std::string& text);

// The qualified name a demangled symbol calls, without its return type and parameters:
// "xt::xtensor<...> nn::attention_forward<double>(xt::xtensor<...> const&, ...)" -> "nn::attention_forward<double>"
// (the demangler writes a function template's return type first).
std::string called_name(const std::string& demangled);
// Whether a called name (`nn::Encoder<float>::forward`) is one of the offered names or a member of one
// (`nn::Encoder`), and whether it belongs to the nn library at all.
bool is_nn_symbol(const std::string& symbol);
bool offered_by_kit(const std::string& symbol, const std::vector<std::string>& kit_offers);

// The namespace an exercise's interface uses, from its id: the collection, then the number with its dots
// as underscores, the chapter not repeated ("ch10/10.12" -> "ch10_12", "topic10/1.8" -> "topic10_1_8",
// "manual/3" -> "manual_3").
std::string interface_namespace(const std::string& exercise_id);

// The types that cannot cross the channel between the checks and the solution's process (see
// docs/model.md, "What an interface may use"), one message per offending parameter, field or result.
std::vector<std::string> channel_type_problems(const InterfaceHeader& header);

// `RunningStats online_stats(const xt::xtensor<double, 1>& scores, std::size_t block_size)`: the
// function's signature without default arguments, as a definition starts.
std::string definition_head(const InterfaceHeader::Function& function);

// Definitions that throw workbook::NotImplemented, one per function (the body of `workbook init`'s files).
std::string stub_definitions(const InterfaceHeader& header);

}  // namespace workbook
