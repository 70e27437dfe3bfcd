#include "workbook/registry.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <stdexcept>

namespace workbook {

const std::vector<Collection>& collections() {
  static const std::vector<Collection> all = {
      {"ch10", "000_2d4bfb7522672e26.txt", "Chapter 10: attention, positional encoding, transformer design",
       "results/ch10.md"},
      {"ch13", "001_fa3f40edd350d5b2.txt", "Chapter 13: the transformer, conceptual, numerical, implementation, theory",
       "results/full-runs.md"},
      {"arch13", "002_345360f889f72126.txt", "The transformer architecture: twenty exercises with solutions", ""},
      {"manual", "003_6d3661e705c6764c.txt", "Solution manual: ten transformer exercises", "results/full-runs.md"},
      {"topic10", "004_5ee8652297ab43c3.txt", "Topic 10: transformer theory and coding practice", "results/full-runs.md"},
  };
  return all;
}

const Collection* find_collection(const std::string& name) {
  for (const auto& c : collections())
    if (c.name == name) return &c;
  return nullptr;
}

namespace {

struct Entry {
  std::string id;
  DefineFn define;
};

std::map<std::string, std::vector<std::string>>& interfaces() {
  static std::map<std::string, std::vector<std::string>> all;
  return all;
}

std::vector<Entry>& entries() {
  static std::vector<Entry> all;  // a function-local static: safe to use from other static initialisers
  return all;
}

// The numbers in a string, for ordering "10.2" before "10.10".
std::vector<long> numbers_in(const std::string& text) {
  std::vector<long> numbers;
  for (std::size_t i = 0; i < text.size();) {
    if (std::isdigit(static_cast<unsigned char>(text[i]))) {
      std::size_t end = i;
      while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end]))) ++end;
      numbers.push_back(std::stol(text.substr(i, end - i)));
      i = end;
    } else {
      ++i;
    }
  }
  return numbers;
}

std::size_t collection_rank(const std::string& id) {
  const auto name = id.substr(0, id.find('/'));
  const auto& all = collections();
  for (std::size_t i = 0; i < all.size(); ++i)
    if (all[i].name == name) return i;
  return all.size();
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

Exercise describe(const Entry& entry) {
  Exercise exercise;
  exercise.id = entry.id;
  entry.define(exercise);
  if (const auto found = interfaces().find(entry.id); found != interfaces().end()) exercise.interface_functions = found->second;
  return exercise;
}

}  // namespace

void register_exercise(const char* id, DefineFn define) { entries().push_back({id, define}); }

void register_interface(const char* id, std::vector<std::string> functions) { interfaces()[id] = std::move(functions); }

InterfaceRegistrar::InterfaceRegistrar(const char* id, std::vector<std::string> functions) {
  register_interface(id, std::move(functions));
}

bool id_less(const std::string& a, const std::string& b) {
  const auto ra = collection_rank(a), rb = collection_rank(b);
  if (ra != rb) return ra < rb;
  const auto na = numbers_in(a.substr(a.find('/') + 1)), nb = numbers_in(b.substr(b.find('/') + 1));
  if (na != nb) return na < nb;
  return a < b;
}

std::vector<Exercise> all_exercises() {
  auto sorted = entries();
  std::sort(sorted.begin(), sorted.end(), [](const Entry& a, const Entry& b) { return id_less(a.id, b.id); });
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    const auto& id = sorted[i].id;
    if (id.find('/') == std::string::npos || !find_collection(id.substr(0, id.find('/'))))
      throw std::logic_error("exercise id \"" + id + "\" is not <collection>/<number> with a known collection");
    if (i > 0 && sorted[i - 1].id == id) throw std::logic_error("exercise \"" + id + "\" is registered twice");
  }
  std::vector<Exercise> exercises;
  exercises.reserve(sorted.size());
  for (const auto& entry : sorted) exercises.push_back(describe(entry));
  return exercises;
}

Lookup find_exercise(const std::string& query) {
  std::vector<const Entry*> matches;
  for (const auto& entry : entries()) {
    const auto number = entry.id.substr(entry.id.find('/') + 1);
    if (entry.id == query) return {describe(entry), {}};
    if (number == query) matches.push_back(&entry);
  }
  if (matches.size() == 1) return {describe(*matches.front()), {}};

  Lookup lookup;
  if (matches.size() > 1) {
    for (const auto* m : matches) lookup.candidates.push_back(m->id);
  } else {
    std::vector<std::pair<std::size_t, std::string>> scored;
    for (const auto& entry : entries()) {
      const auto number = entry.id.substr(entry.id.find('/') + 1);
      scored.emplace_back(std::min(edit_distance(query, entry.id), edit_distance(query, number)), entry.id);
    }
    std::sort(scored.begin(), scored.end());
    for (std::size_t i = 0; i < scored.size() && i < 3; ++i) lookup.candidates.push_back(scored[i].second);
  }
  std::sort(lookup.candidates.begin(), lookup.candidates.end(), id_less);
  return lookup;
}

}  // namespace workbook
