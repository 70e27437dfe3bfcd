#pragma once
// Every exercise linked into this program, found by id.

#include <optional>
#include <string>
#include <vector>

#include "workbook/exercise.hpp"

namespace workbook {

// A collection: a seed file and how its exercises are numbered.
struct Collection {
  std::string name;       // "ch10"
  std::string seed_file;  // "000_2d4bfb7522672e26.txt"
  std::string title;      // e.g. "Chapter 10 exercises: attention and transformers"
  std::string results;    // the full-budget runs' tables and figures, relative to docs/; empty: none yet
};
const std::vector<Collection>& collections();
const Collection* find_collection(const std::string& name);

void register_exercise(const char* id, DefineFn define);

// The functions of an exercise's interface, registered by the forwarders the build generates for it
// (exercises that ask for code); Exercise::interface_functions lists them.
void register_interface(const char* id, std::vector<std::string> functions);
struct InterfaceRegistrar {
  InterfaceRegistrar(const char* id, std::vector<std::string> functions);
};

// All registered exercises, described, in collection order then numeric order (10.2 before 10.10).
std::vector<Exercise> all_exercises();

// Resolves a full id ("ch10/10.1") or a short one ("10.1") when it names exactly one exercise.
struct Lookup {
  std::optional<Exercise> exercise;
  std::vector<std::string> candidates;  // when not found: ambiguous matches, or the closest ids
};
Lookup find_exercise(const std::string& id_or_short_id);

// Orders ids by collection, then by the numbers in them.
bool id_less(const std::string& a, const std::string& b);

}  // namespace workbook
