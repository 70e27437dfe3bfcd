#include "nn/safetensors.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace nn {

// Tensor bytes are copied straight into numbers: right only where the host order is the file's.
static_assert(std::endian::native == std::endian::little, "safetensors I/O assumes a little-endian host");

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::size_t length_prefix_size = 8;
constexpr const char* metadata_key = "__metadata__";

struct DtypeSize {
  std::string_view name;
  std::size_t bytes;
};
constexpr DtypeSize supported_dtypes[] = {{"F64", 8}, {"F32", 4}, {"F16", 2}, {"BF16", 2},
                                          {"I64", 8}, {"I32", 4}, {"U8", 1}};

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error(what); }

std::string quoted(const std::string& name) { return "\"" + name + "\""; }

// Runs body; a failure inside it is reported as a failure of this file (body's messages omit the name).
template <class Body>
auto naming_the_file(const fs::path& path, Body body) {
  const auto in_file = [&](const char* what) { return "safetensors file " + path.string() + ": " + what; };
  try {
    return body();
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(in_file(e.what()));
  } catch (const json::exception& e) {  // e.g. a tensor name that is not UTF-8 cannot be dumped
    throw std::runtime_error(in_file(e.what()));
  }
}

// ---- reading the header ------------------------------------------------------------------------------

// A tensor as the header describes it: its data is still to be read from [begin, end) of the data section.
struct Entry {
  TensorData data;
  std::uint64_t begin;
  std::uint64_t end;
};

struct Header {
  std::map<std::string, Entry> entries;
  Metadata metadata;
};

std::uint64_t stream_size(std::istream& in) {
  in.seekg(0, std::ios::end);
  const auto size = static_cast<std::uint64_t>(in.tellg());
  in.seekg(0);
  return size;
}

// The 8-byte little-endian header length; it and the header must fit in a file of file_size bytes.
std::uint64_t read_header_length(std::istream& in, std::uint64_t file_size) {
  if (file_size < length_prefix_size)
    fail("truncated: " + std::to_string(file_size) + " bytes, fewer than the 8-byte header length");
  unsigned char prefix[length_prefix_size];
  in.read(reinterpret_cast<char*>(prefix), length_prefix_size);
  std::uint64_t length = 0;
  for (std::size_t i = 0; i < length_prefix_size; ++i) length |= std::uint64_t(prefix[i]) << (8 * i);
  if (length > file_size - length_prefix_size)
    fail("header length " + std::to_string(length) + " runs beyond the end of the file (" + std::to_string(file_size) +
         " bytes)");
  return length;
}

json parse_json_object(std::istream& in, std::uint64_t length) {
  std::string text(length, '\0');
  in.read(text.data(), static_cast<std::streamsize>(length));
  json header;
  try {
    header = json::parse(text);
  } catch (const json::parse_error& e) {
    fail(std::string("the header is not valid JSON (") + e.what() + ")");
  }
  if (!header.is_object()) fail("the header is JSON but not an object");
  return header;
}

const json& field(const json& entry, const char* key, const std::string& tensor) {
  const auto it = entry.find(key);
  if (it == entry.end()) fail("tensor " + quoted(tensor) + " has no " + quoted(key));
  return *it;
}

// A JSON array of non-negative integers ("shape", "data_offsets").
std::vector<std::uint64_t> unsigned_list(const json& value, const char* key, const std::string& tensor) {
  const auto bad = [&] {
    fail("tensor " + quoted(tensor) + ": " + quoted(key) + " is not a list of non-negative integers");
  };
  if (!value.is_array()) bad();
  std::vector<std::uint64_t> list;
  for (const auto& item : value) {
    if (!item.is_number_unsigned()) bad();
    list.push_back(item.get<std::uint64_t>());
  }
  return list;
}

Entry parse_entry(const std::string& name, const json& description) {
  if (!description.is_object()) fail("tensor " + quoted(name) + " is not described by a JSON object");
  const json& dtype = field(description, "dtype", name);
  if (!dtype.is_string()) fail("tensor " + quoted(name) + ": \"dtype\" is not a string");
  Entry entry;
  entry.data.dtype = dtype.get<std::string>();
  try {
    dtype_size(entry.data.dtype);
  } catch (const std::runtime_error& e) {
    fail("tensor " + quoted(name) + ": " + e.what());
  }
  const auto shape = unsigned_list(field(description, "shape", name), "shape", name);
  entry.data.shape.assign(shape.begin(), shape.end());
  const auto offsets = unsigned_list(field(description, "data_offsets", name), "data_offsets", name);
  if (offsets.size() != 2) fail("tensor " + quoted(name) + ": \"data_offsets\" is not [begin, end]");
  entry.begin = offsets[0];
  entry.end = offsets[1];
  return entry;
}

Metadata parse_metadata(const json& value) {
  if (!value.is_object()) fail("\"__metadata__\" is not a JSON object");
  Metadata metadata;
  for (const auto& [key, item] : value.items()) {
    if (!item.is_string()) fail("metadata " + quoted(key) + " is not a string");
    metadata[key] = item.get<std::string>();
  }
  return metadata;
}

Header parse_header(const json& object) {
  Header header;
  for (const auto& [name, value] : object.items()) {
    if (name == metadata_key)
      header.metadata = parse_metadata(value);
    else
      header.entries.emplace(name, parse_entry(name, value));
  }
  return header;
}

std::string offsets_string(const Entry& e) {
  return "[" + std::to_string(e.begin) + ", " + std::to_string(e.end) + "]";
}

// Each tensor's byte range lies inside the data section, holds exactly its shape's bytes, and no two overlap.
void check_offsets(const std::map<std::string, Entry>& entries, std::uint64_t data_size) {
  std::vector<std::pair<const std::string*, const Entry*>> by_begin;
  for (const auto& [name, e] : entries) {
    const std::string where = "tensor " + quoted(name) + ": data_offsets " + offsets_string(e);
    if (e.end < e.begin) fail(where + " end before they begin");
    if (e.end > data_size) fail(where + " lie outside the data section of " + std::to_string(data_size) + " bytes");
    const std::size_t width = dtype_size(e.data.dtype);
    const std::uint64_t span = e.end - e.begin;
    if (span % width != 0 || span / width != element_count(e.data.shape))
      fail(where + " hold " + std::to_string(span) + " bytes but shape " + shape_string(e.data.shape) + " of " +
           e.data.dtype + " needs " + std::to_string(element_count(e.data.shape)) + " elements of " +
           std::to_string(width) + " bytes");
    by_begin.emplace_back(&name, &e);
  }
  std::sort(by_begin.begin(), by_begin.end(), [](const auto& a, const auto& b) {
    return std::pair(a.second->begin, a.second->end) < std::pair(b.second->begin, b.second->end);
  });
  for (std::size_t i = 1; i < by_begin.size(); ++i) {
    const auto& [previous_name, previous] = by_begin[i - 1];
    const auto& [name, e] = by_begin[i];
    if (e->begin < previous->end)
      fail("tensors " + quoted(*previous_name) + " " + offsets_string(*previous) + " and " + quoted(*name) + " " +
           offsets_string(*e) + " overlap");
  }
}

void read_tensor_bytes(std::istream& in, std::uint64_t data_start, Entry& entry) {
  entry.data.bytes.resize(entry.end - entry.begin);
  in.seekg(static_cast<std::streamoff>(data_start + entry.begin));
  in.read(reinterpret_cast<char*>(entry.data.bytes.data()), static_cast<std::streamsize>(entry.data.bytes.size()));
  if (!in) fail("reading the data failed");
}

// ---- converting elements -----------------------------------------------------------------------------

template <class Source>
Source load(const std::byte* p) {
  Source value;
  std::memcpy(&value, p, sizeof value);
  return value;
}

// IEEE half: 1 sign bit, 5 exponent bits (bias 15), 10 mantissa bits. Every half is exact in a float.
float half_to_float(std::uint16_t h) {
  const int exponent = (h >> 10) & 0x1f;
  const int mantissa = h & 0x3ff;
  float magnitude;
  if (exponent == 0)
    magnitude = std::ldexp(float(mantissa), -24);  // zero and subnormals: mantissa * 2^-14 / 2^10
  else if (exponent == 0x1f)
    magnitude = mantissa == 0 ? std::numeric_limits<float>::infinity() : std::numeric_limits<float>::quiet_NaN();
  else
    magnitude = std::ldexp(float(mantissa + 1024), exponent - 25);  // (1 + m / 2^10) * 2^(e - 15)
  return (h & 0x8000) ? -magnitude : magnitude;
}

// bfloat16 is the upper half of a float32.
float bfloat16_to_float(std::uint16_t b) { return std::bit_cast<float>(std::uint32_t(b) << 16); }

// bytes holds elements of `width` bytes each; decode turns one into a number, cast to T.
template <class T, class Decode>
std::vector<T> decode_all(const std::vector<std::byte>& bytes, std::size_t width, Decode decode) {
  std::vector<T> out(bytes.size() / width);
  const std::byte* p = bytes.data();
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<T>(decode(p + i * width));
  return out;
}

template <class T, class Source>
std::vector<T> decode_plain(const std::vector<std::byte>& bytes) {
  return decode_all<T>(bytes, sizeof(Source), [](const std::byte* p) { return load<Source>(p); });
}

// ---- writing -----------------------------------------------------------------------------------------

void check_writable(const std::string& name, const TensorData& t) {
  if (name == metadata_key) fail("a tensor cannot be named \"__metadata__\"");
  const std::size_t needed = element_count(t.shape) * dtype_size(t.dtype);
  if (t.bytes.size() != needed)
    fail("tensor " + quoted(name) + " has " + std::to_string(t.bytes.size()) + " bytes but shape " +
         shape_string(t.shape) + " of " + t.dtype + " needs " + std::to_string(needed));
}

// The JSON header, tensors laid out back to back in name order, padded with spaces to a multiple of 8.
std::string header_text(const std::map<std::string, TensorData>& tensors, const Metadata& metadata) {
  json header = json::object();
  std::uint64_t offset = 0;
  for (const auto& [name, t] : tensors) {
    check_writable(name, t);
    header[name] = {
        {"dtype", t.dtype}, {"shape", t.shape}, {"data_offsets", json::array({offset, offset + t.bytes.size()})}};
    offset += t.bytes.size();
  }
  if (!metadata.empty()) header[metadata_key] = metadata;
  std::string text = header.dump();
  text.resize((text.size() + 7) / 8 * 8, ' ');
  return text;
}

void write_length_prefix(std::ostream& out, std::uint64_t length) {
  char prefix[length_prefix_size];
  for (std::size_t i = 0; i < length_prefix_size; ++i) prefix[i] = static_cast<char>((length >> (8 * i)) & 0xff);
  out.write(prefix, length_prefix_size);
}

void write_file(const fs::path& path, const std::string& header, const std::map<std::string, TensorData>& tensors) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) fail("cannot open " + path.string() + " for writing");
  write_length_prefix(out, header.size());
  out.write(header.data(), static_cast<std::streamsize>(header.size()));
  for (const auto& [name, t] : tensors)
    out.write(reinterpret_cast<const char*>(t.bytes.data()), static_cast<std::streamsize>(t.bytes.size()));
  out.close();
  if (!out) fail("writing " + path.string() + " failed");
}

template <class T>
TensorData make_tensor_data(std::span<const T> values, std::vector<std::size_t> shape, std::string dtype) {
  if (element_count(shape) != values.size())
    throw std::invalid_argument("tensor_data: shape " + shape_string(shape) + " does not hold " +
                                std::to_string(values.size()) + " values");
  std::vector<std::byte> bytes(values.size_bytes());
  std::memcpy(bytes.data(), values.data(), bytes.size());
  return {std::move(dtype), std::move(shape), std::move(bytes)};
}

}  // namespace

std::size_t dtype_size(std::string_view dtype) {
  for (const auto& known : supported_dtypes)
    if (known.name == dtype) return known.bytes;
  fail("unknown dtype " + quoted(std::string(dtype)) + " (supported: F64, F32, F16, BF16, I64, I32, U8)");
}

std::size_t element_count(const std::vector<std::size_t>& shape) {
  std::size_t count = 1;
  for (std::size_t dim : shape) {
    if (dim != 0 && count > std::numeric_limits<std::size_t>::max() / dim)
      fail("shape " + shape_string(shape) + " has more elements than a size_t counts");
    count *= dim;
  }
  return count;
}

std::string shape_string(const std::vector<std::size_t>& shape) {
  std::ostringstream text;
  text << "[";
  for (std::size_t i = 0; i < shape.size(); ++i) text << (i ? ", " : "") << shape[i];
  text << "]";
  return text.str();
}

SafetensorsFile SafetensorsFile::read(const std::filesystem::path& path) {
  return naming_the_file(path, [&] {
    std::ifstream in(path, std::ios::binary);
    if (!in) fail("cannot open the file");
    const std::uint64_t file_size = stream_size(in);
    const std::uint64_t header_length = read_header_length(in, file_size);
    Header header = parse_header(parse_json_object(in, header_length));
    check_offsets(header.entries, file_size - length_prefix_size - header_length);
    SafetensorsFile file;
    file.path_ = path;
    file.metadata_ = std::move(header.metadata);
    for (auto& [name, entry] : header.entries) {
      read_tensor_bytes(in, length_prefix_size + header_length, entry);
      file.tensors_.emplace(name, std::move(entry.data));
    }
    return file;
  });
}

std::vector<std::string> SafetensorsFile::names() const {
  std::vector<std::string> names;
  for (const auto& [name, t] : tensors_) names.push_back(name);
  return names;
}

bool SafetensorsFile::has(const std::string& name) const { return tensors_.contains(name); }

const TensorData& SafetensorsFile::info(const std::string& name) const {
  const auto it = tensors_.find(name);
  if (it == tensors_.end())
    throw std::out_of_range("safetensors file " + path_.string() + " has no tensor " + quoted(name));
  return it->second;
}

template <class T>
std::vector<T> SafetensorsFile::values(const std::string& name) const {
  const TensorData& t = info(name);
  if (t.dtype == "F64") return decode_plain<T, double>(t.bytes);
  if (t.dtype == "F32") return decode_plain<T, float>(t.bytes);
  if (t.dtype == "F16")
    return decode_all<T>(t.bytes, 2, [](const std::byte* p) { return half_to_float(load<std::uint16_t>(p)); });
  if (t.dtype == "BF16")
    return decode_all<T>(t.bytes, 2, [](const std::byte* p) { return bfloat16_to_float(load<std::uint16_t>(p)); });
  if (t.dtype == "I64") return decode_plain<T, std::int64_t>(t.bytes);
  if (t.dtype == "I32") return decode_plain<T, std::int32_t>(t.bytes);
  if (t.dtype == "U8") return decode_plain<T, std::uint8_t>(t.bytes);
  // read() admits only supported dtypes, so only a new entry in supported_dtypes without a case lands here.
  throw std::logic_error("SafetensorsFile::values: no conversion from " + t.dtype);
}

void write_safetensors(const std::filesystem::path& path, const std::map<std::string, TensorData>& tensors,
                       const Metadata& metadata) {
  naming_the_file(path, [&] {
    const std::string header = header_text(tensors, metadata);
    fs::path temporary = path;
    temporary += ".tmp";
    try {
      write_file(temporary, header, tensors);
      fs::rename(temporary, path);
    } catch (...) {
      std::error_code ignored;  // the original error is the one worth reporting
      fs::remove(temporary, ignored);
      throw;
    }
  });
}

TensorData tensor_data(std::span<const float> values, std::vector<std::size_t> shape) {
  return make_tensor_data(values, std::move(shape), "F32");
}
TensorData tensor_data(std::span<const double> values, std::vector<std::size_t> shape) {
  return make_tensor_data(values, std::move(shape), "F64");
}
TensorData tensor_data(std::span<const std::int64_t> values, std::vector<std::size_t> shape) {
  return make_tensor_data(values, std::move(shape), "I64");
}

template std::vector<float> SafetensorsFile::values<float>(const std::string&) const;
template std::vector<double> SafetensorsFile::values<double>(const std::string&) const;
template std::vector<int> SafetensorsFile::values<int>(const std::string&) const;
template std::vector<std::int64_t> SafetensorsFile::values<std::int64_t>(const std::string&) const;

}  // namespace nn
