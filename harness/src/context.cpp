#include "workbook/context.hpp"

namespace workbook {

namespace {
// splitmix64's finaliser: spreads nearby inputs (seed, seed + 1) over unrelated outputs.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}
}  // namespace

std::uint64_t Context::seed_for(std::string_view stream_name) const {
  std::uint64_t hash = 0xcbf29ce484222325ULL;  // FNV-1a over the name
  for (unsigned char c : stream_name) hash = (hash ^ c) * 0x100000001b3ULL;
  return mix(seed_ ^ mix(hash));
}

std::mt19937_64 Context::rng(std::string_view stream_name) const {
  return std::mt19937_64(seed_for(stream_name));
}

}  // namespace workbook
