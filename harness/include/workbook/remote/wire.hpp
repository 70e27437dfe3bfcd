#pragma once
// How a value crosses the channel between the checks and the process that runs a solution: encoded into
// nlohmann::json and sent as CBOR. Arrays travel as raw bytes (a shape and the data, bit for bit), so a
// number arrives exactly as it left: running the checks across the channel changes no result.
//
// The types that can cross (docs/model.md): scalars, enums, std::string, std::vector of any of these,
// xt::xtensor<T, N> and xt::xarray<T> of scalars, std::mt19937(_64) (its whole state), and structs whose
// fields are listed in a Fields<T> specialisation (the build writes those from the interface header).
// Anything else stops the build at the static_assert below.

#include <cstdint>
#include <cstring>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>
#include <xtensor/xarray.hpp>
#include <xtensor/xtensor.hpp>

namespace workbook::wire {

using json = nlohmann::json;

// What was received does not decode as the declared type (a reply altered or cut short).
class WireError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One data member of an interface struct, and the list of them (specialised per struct by the build).
template <class S, class M>
struct Field {
  const char* name;
  M S::*member;
};
template <class S, class M>
constexpr Field<S, M> field(const char* name, M S::*member) {
  return {name, member};
}
template <class S>
struct Fields;  // static constexpr auto list = std::make_tuple(field("max", &S::max), ...);

namespace detail {

template <class T>
struct is_vector : std::false_type {};
template <class T, class A>
struct is_vector<std::vector<T, A>> : std::true_type {};

template <class T>
struct is_tensor : std::false_type {};
template <class T, std::size_t N, xt::layout_type L, class Tag>
struct is_tensor<xt::xtensor_container<xt::uvector<T, std::allocator<T>>, N, L, Tag>> : std::true_type {
  static constexpr std::size_t rank = N;
};
template <class T>
struct is_array : std::false_type {};
template <class T, xt::layout_type L, class Shape, class Tag>
struct is_array<xt::xarray_container<xt::uvector<T, std::allocator<T>>, L, Shape, Tag>> : std::true_type {};

template <class T>
struct is_engine : std::false_type {};
template <>
struct is_engine<std::mt19937> : std::true_type {};
template <>
struct is_engine<std::mt19937_64> : std::true_type {};

template <class T, class = void>
struct has_fields : std::false_type {};
template <class T>
struct has_fields<T, std::void_t<decltype(Fields<T>::list)>> : std::true_type {};

template <class>
inline constexpr bool unsupported = false;

// Entries of a shape, with the product guarded: a hostile shape must not overflow into a small allocation.
inline std::size_t element_count(const std::vector<std::size_t>& shape) {
  std::size_t count = 1;
  for (auto extent : shape) {
    if (extent != 0 && count > (std::size_t(1) << 40) / extent) throw WireError("an array shape too large to hold");
    count *= extent;
  }
  return count;
}

}  // namespace detail

template <class T>
json encode(const T& value);
template <class T>
void decode(const json& in, T& value, const std::string& what = "value");

template <class T>
json encode(const T& value) {
  if constexpr (std::is_same_v<T, bool> || std::is_arithmetic_v<T> || std::is_same_v<T, std::string>) {
    return json(value);
  } else if constexpr (std::is_enum_v<T>) {
    return json(static_cast<std::underlying_type_t<T>>(value));
  } else if constexpr (detail::is_vector<T>::value) {
    json out = json::array();
    for (const auto& element : value) out.push_back(encode(element));
    return out;
  } else if constexpr (detail::is_tensor<T>::value || detail::is_array<T>::value) {
    using Scalar = typename T::value_type;
    static_assert(std::is_arithmetic_v<Scalar>, "the channel carries arrays of numbers only");
    std::vector<std::uint8_t> bytes(value.size() * sizeof(Scalar));
    if (!bytes.empty()) std::memcpy(bytes.data(), value.data(), bytes.size());
    return json{{"shape", std::vector<std::size_t>(value.shape().begin(), value.shape().end())},
                {"data", json::binary(std::move(bytes))}};
  } else if constexpr (detail::is_engine<T>::value) {
    std::ostringstream state;
    state << value;
    return json(state.str());
  } else if constexpr (detail::has_fields<T>::value) {
    json out = json::object();
    std::apply([&](const auto&... f) { ((out[f.name] = encode(value.*(f.member))), ...); }, Fields<T>::list);
    return out;
  } else {
    static_assert(detail::unsupported<T>,
                  "this type cannot cross the grading channel: use scalars, enums, std::string, std::vector, "
                  "xt::xtensor / xt::xarray of numbers, std::mt19937(_64), or a struct of those (docs/model.md)");
  }
}

template <class T>
void decode(const json& in, T& value, const std::string& what) {
  const auto wrong = [&](const char* expected) {
    return WireError(what + ": expected " + expected + ", received " + std::string(in.type_name()));
  };
  if constexpr (std::is_same_v<T, bool>) {
    if (!in.is_boolean()) throw wrong("a boolean");
    value = in.get<bool>();
  } else if constexpr (std::is_arithmetic_v<T>) {
    if (!in.is_number()) throw wrong("a number");
    value = in.get<T>();
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!in.is_string()) throw wrong("a string");
    value = in.get<std::string>();
  } else if constexpr (std::is_enum_v<T>) {
    if (!in.is_number_integer()) throw wrong("an enum value");
    value = static_cast<T>(in.get<std::underlying_type_t<T>>());
  } else if constexpr (detail::is_vector<T>::value) {
    if (!in.is_array()) throw wrong("a list");
    value.clear();
    value.resize(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) decode(in[i], value[i], what + "[" + std::to_string(i) + "]");
  } else if constexpr (detail::is_tensor<T>::value || detail::is_array<T>::value) {
    using Scalar = typename T::value_type;
    if (!in.is_object() || !in.contains("shape") || !in.contains("data") || !in["data"].is_binary())
      throw wrong("an array");
    std::vector<std::size_t> shape;
    decode(in["shape"], shape, what + " shape");
    if constexpr (detail::is_tensor<T>::value)
      if (shape.size() != detail::is_tensor<T>::rank)
        throw WireError(what + ": expected an array of rank " + std::to_string(detail::is_tensor<T>::rank) +
                        ", received rank " + std::to_string(shape.size()));
    const auto& bytes = in["data"].get_binary();
    if (bytes.size() != detail::element_count(shape) * sizeof(Scalar))
      throw WireError(what + ": the array's data does not match its shape");
    value = T::from_shape(shape);
    if (!bytes.empty()) std::memcpy(value.data(), bytes.data(), bytes.size());
  } else if constexpr (detail::is_engine<T>::value) {
    if (!in.is_string()) throw wrong("a random engine's state");
    std::istringstream state(in.get<std::string>());
    state >> value;
    if (!state) throw WireError(what + ": not a random engine's state");
  } else if constexpr (detail::has_fields<T>::value) {
    if (!in.is_object()) throw wrong("a struct");
    std::apply(
        [&](const auto&... f) {
          ((in.contains(f.name) ? decode(in[f.name], value.*(f.member), what + "." + f.name)
                                : throw WireError(what + ": field " + f.name + " missing")),
           ...);
        },
        Fields<T>::list);
  } else {
    static_assert(detail::unsupported<T>, "this type cannot cross the grading channel (see encode)");
  }
}

}  // namespace workbook::wire
