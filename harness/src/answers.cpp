#include "workbook/answers.hpp"

#include <algorithm>
#include <cctype>
#include <sstream>

#include <toml++/toml.h>

namespace workbook {

struct Answers::Table {
  std::shared_ptr<const void> owner;  // keeps the whole answer book alive
  const toml::table& table;
};
struct AnswerBook::Root {
  toml::table table;
};

namespace {

std::string table_name(const std::string& exercise_id) {
  const auto slash = exercise_id.find('/');
  return "[" + exercise_id.substr(0, slash) + ".\"" + exercise_id.substr(slash + 1) + "\"]";
}

std::string where(const toml::node& node) {
  const auto& source = node.source();
  if (!source.begin) return "";
  std::string file = source.path ? *source.path : std::string("answers");
  return " (" + file + " line " + std::to_string(source.begin.line) + ")";
}

std::string type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a number";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::array: return "an array";
    case toml::node_type::table: return "a table";
    default: return "a date or time";
  }
}

std::string shape_text(const std::vector<std::size_t>& shape) {
  std::ostringstream out;
  out << "(";
  for (std::size_t i = 0; i < shape.size(); ++i) out << (i ? ", " : "") << shape[i];
  out << (shape.size() == 1 ? ",)" : ")");
  return out.str();
}

std::string normalised(std::string text) {
  const auto not_space = [](unsigned char c) { return !std::isspace(c); };
  text.erase(text.begin(), std::find_if(text.begin(), text.end(), not_space));
  text.erase(std::find_if(text.rbegin(), text.rend(), not_space).base(), text.end());
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

std::optional<double> as_number(const toml::node& node) {
  if (auto* f = node.as_floating_point()) return f->get();
  if (auto* i = node.as_integer()) return static_cast<double>(i->get());
  return std::nullopt;
}

// Copies the nested array `node` into `out` (row-major), checking it has exactly `shape` from `axis` on.
void read_nested(const toml::node& node, const std::vector<std::size_t>& shape, std::size_t axis,
                 std::vector<double>& out, const std::string& what) {
  if (axis == shape.size()) {
    auto value = as_number(node);
    if (!value) throw AnswerError(what + ": expected a number, found " + type_name(node) + where(node));
    out.push_back(*value);
    return;
  }
  const auto* array = node.as_array();
  if (!array)
    throw AnswerError(what + ": expected an array of shape " + shape_text(shape) + ", found " +
                      type_name(node) + where(node));
  if (array->size() != shape[axis])
    throw AnswerError(what + ": expected shape " + shape_text(shape) + ", but axis " +
                      std::to_string(axis) + " has " + std::to_string(array->size()) + " entries" +
                      where(node));
  for (const auto& element : *array) read_nested(element, shape, axis + 1, out, what);
}

// Moves rather than copies: toml++ keeps a node's source position (file, line) on a move, not a copy.
void merge_into(toml::table& into, toml::table&& from) {
  for (auto&& [key, node] : from) {
    auto* existing = into.get(key);
    if (existing && existing->is_table() && node.is_table())
      merge_into(*existing->as_table(), std::move(*node.as_table()));
    else
      into.insert_or_assign(key, std::move(node));
  }
}

}  // namespace

Answers::Answers() = default;
Answers::Answers(std::string exercise_id, std::shared_ptr<const Table> table, std::string unreadable)
    : exercise_id_(std::move(exercise_id)), table_(std::move(table)), unreadable_(std::move(unreadable)) {}

std::vector<std::string> Answers::keys() const {
  std::vector<std::string> keys;
  if (table_)
    for (const auto& [key, node] : table_->table) keys.emplace_back(key.str());
  return keys;
}

static const toml::node& lookup(const std::shared_ptr<const Answers::Table>& table,
                                const std::string& exercise_id, const std::string& key,
                                const std::string& unreadable) {
  if (!unreadable.empty()) throw AnswerError("answers file unreadable: " + unreadable, Cause::answers_unreadable);
  const toml::node* node = table ? table->table.get(key) : nullptr;
  if (!node)
    throw AnswerError("no answer \"" + key + "\" under " + table_name(exercise_id) +
                          (table ? "" : " (the exercise has no table in the answers file)"),
                      Cause::no_answer);
  return *node;
}

double Answers::number(const std::string& key) const {
  const auto& node = lookup(table_, exercise_id_, key, unreadable_);
  auto value = as_number(node);
  if (!value)
    throw AnswerError("answer \"" + key + "\" should be a number, found " + type_name(node) + where(node));
  return *value;
}

std::int64_t Answers::integer(const std::string& key) const {
  const auto& node = lookup(table_, exercise_id_, key, unreadable_);
  if (auto* i = node.as_integer()) return i->get();
  throw AnswerError("answer \"" + key + "\" should be an integer (no decimal point), found " +
                    type_name(node) + where(node));
}

std::string Answers::text(const std::string& key) const {
  const auto& node = lookup(table_, exercise_id_, key, unreadable_);
  if (auto* s = node.as_string()) return s->get();
  throw AnswerError("answer \"" + key + "\" should be a string in quotes, found " + type_name(node) +
                    where(node));
}

std::string Answers::choice(const std::string& key, const std::vector<std::string>& options) const {
  const std::string given = normalised(text(key));
  for (const auto& option : options)
    if (normalised(option) == given) return option;
  std::string list;
  for (const auto& option : options) list += (list.empty() ? "\"" : ", \"") + option + "\"";
  throw AnswerError("answer \"" + key + "\" is \"" + given + "\", which is not one of " + list +
                    where(lookup(table_, exercise_id_, key, unreadable_)));
}

xt::xarray<double> Answers::array(const std::string& key, const std::vector<std::size_t>& shape) const {
  const auto& node = lookup(table_, exercise_id_, key, unreadable_);
  std::vector<double> flat;
  read_nested(node, shape, 0, flat, "answer \"" + key + "\"");
  xt::xarray<double> result = xt::xarray<double>::from_shape(shape);
  std::copy(flat.begin(), flat.end(), result.begin());
  return result;
}

static toml::table& exercise_table(toml::table& root, const std::string& exercise_id) {
  const auto slash = exercise_id.find('/');
  auto [collection, _] = root.emplace<toml::table>(exercise_id.substr(0, slash));
  auto [exercise, __] = collection->second.as_table()->emplace<toml::table>(exercise_id.substr(slash + 1));
  return *exercise->second.as_table();
}

void AnswerBook::add_text(const std::string& toml_text, const std::string& source_name) {
  if (!root_) root_ = std::make_shared<Root>();
  try {
    merge_into(root_->table, toml::parse(toml_text, source_name));
  } catch (const toml::parse_error& error) {
    const auto& begin = error.source().begin;
    throw AnswersFileError(source_name + ":" + std::to_string(begin.line) + ":" +
                           std::to_string(begin.column) + ": " + std::string(error.description()));
  }
}

void AnswerBook::add_exercise_text(const std::string& exercise_id, const std::string& toml_text,
                                   const std::string& source_name) {
  if (!root_) root_ = std::make_shared<Root>();
  try {
    merge_into(exercise_table(root_->table, exercise_id), toml::parse(toml_text, source_name));
  } catch (const toml::parse_error& error) {
    const auto& begin = error.source().begin;
    throw AnswersFileError(source_name + ":" + std::to_string(begin.line) + ":" +
                           std::to_string(begin.column) + ": " + std::string(error.description()));
  }
}

void AnswerBook::add_file(const std::string& path) {
  if (!root_) root_ = std::make_shared<Root>();
  try {
    merge_into(root_->table, toml::parse_file(path));
  } catch (const toml::parse_error& error) {
    const auto& begin = error.source().begin;
    throw AnswersFileError(path + ":" + std::to_string(begin.line) + ":" + std::to_string(begin.column) +
                           ": " + std::string(error.description()));
  }
}

Answers AnswerBook::for_exercise(const std::string& exercise_id) const {
  const auto slash = exercise_id.find('/');
  if (!unreadable_.empty()) return Answers(exercise_id, nullptr, unreadable_);
  if (!root_ || slash == std::string::npos) return Answers(exercise_id, nullptr);
  const auto* collection = root_->table.get_as<toml::table>(exercise_id.substr(0, slash));
  const auto* table = collection ? collection->get_as<toml::table>(exercise_id.substr(slash + 1)) : nullptr;
  if (!table) return Answers(exercise_id, nullptr);
  return Answers(exercise_id, std::make_shared<const Answers::Table>(Answers::Table{root_, *table}));
}

void AnswerBook::set_number(const std::string& exercise_id, const std::string& key, double value) {
  if (!root_) root_ = std::make_shared<Root>();
  exercise_table(root_->table, exercise_id).insert_or_assign(key, value);
}

void AnswerBook::set_integer(const std::string& exercise_id, const std::string& key, std::int64_t value) {
  if (!root_) root_ = std::make_shared<Root>();
  exercise_table(root_->table, exercise_id).insert_or_assign(key, value);
}

static toml::array nested_array(const xt::xarray<double>& value, std::size_t axis, std::size_t offset) {
  toml::array array;
  std::size_t stride = 1;
  for (std::size_t i = axis + 1; i < value.dimension(); ++i) stride *= value.shape(i);
  for (std::size_t i = 0; i < value.shape(axis); ++i) {
    if (axis + 1 == value.dimension())
      array.push_back(value.flat(offset + i));
    else
      array.push_back(nested_array(value, axis + 1, offset + i * stride));
  }
  return array;
}

void AnswerBook::set_array(const std::string& exercise_id, const std::string& key, const xt::xarray<double>& value) {
  if (!root_) root_ = std::make_shared<Root>();
  exercise_table(root_->table, exercise_id).insert_or_assign(key, nested_array(value, 0, 0));
}

void AnswerBook::set_text(const std::string& exercise_id, const std::string& key, const std::string& value) {
  if (!root_) root_ = std::make_shared<Root>();
  exercise_table(root_->table, exercise_id).insert_or_assign(key, value);
}

}  // namespace workbook
