#include "workbook/exercise.hpp"

#include "workbook/registry.hpp"

namespace workbook {

std::string_view to_string(Tag tag) {
  switch (tag) {
    case Tag::numeric: return "numeric";
    case Tag::proof: return "proof";
    case Tag::implementation: return "implementation";
    case Tag::conceptual: return "conceptual";
    case Tag::plot: return "plot";
  }
  return "?";
}

std::string_view to_string(CheckKind kind) {
  switch (kind) {
    case CheckKind::close: return "close";
    case CheckKind::equal: return "equal";
    case CheckKind::property: return "property";
    case CheckKind::manual: return "manual";
  }
  return "?";
}

Part& Part::check(std::string name, CheckKind kind, std::string verifies, CheckFn run) {
  checks.push_back({std::move(name), std::move(verifies), kind, std::move(run)});
  return *this;
}

namespace {
// The check just added checks a typed answer.
Part& as_answer(Part& part) {
  part.checks.back().answer = true;
  return part;
}
}  // namespace

Part& Part::number_answer(std::string key, std::string prompt, ExpectedNumber expected,
                          Tolerance tolerance, std::string unit) {
  answers.push_back({key, AnswerSpec::Kind::number, prompt, {}, {}, unit, std::nullopt});
  check(key, CheckKind::close, "answer \"" + key + "\" (" + prompt + ") against the derived value",
               [key, expected, tolerance](const Context& ctx) {
                 return close(ctx.answers().number(key), expected(), tolerance);
               });
  return as_answer(*this);
}

Part& Part::number_answer(std::string key, std::string prompt, ExpectedNumber expected, Precision precision,
                          std::string unit) {
  answers.push_back({key, AnswerSpec::Kind::number, prompt, {}, {}, unit, precision});
  check(key, CheckKind::close, "answer \"" + key + "\" (" + prompt + "), " + precision.describe(),
               [key, expected, precision](const Context& ctx) {
                 return close(ctx.answers().number(key), expected(), precision);
               });
  return as_answer(*this);
}

Part& Part::array_answer(std::string key, std::string prompt, std::vector<std::size_t> shape, ExpectedArray expected,
                         Precision precision, std::string unit) {
  answers.push_back({key, AnswerSpec::Kind::array, prompt, shape, {}, unit, precision});
  check(key, CheckKind::close, "answer \"" + key + "\" (" + prompt + "), each entry " + precision.describe(),
               [key, shape, expected, precision](const Context& ctx) {
                 return close(ctx.answers().array(key, shape), expected(), precision);
               });
  return as_answer(*this);
}

Part& Part::array_answer(std::string key, std::string prompt, std::vector<std::size_t> shape,
                         ExpectedArray expected, Tolerance tolerance, std::string unit) {
  answers.push_back({key, AnswerSpec::Kind::array, prompt, shape, {}, unit, std::nullopt});
  check(key, CheckKind::close, "answer \"" + key + "\" (" + prompt + ") against the derived values",
               [key, shape, expected, tolerance](const Context& ctx) {
                 return close(ctx.answers().array(key, shape), expected(), tolerance);
               });
  return as_answer(*this);
}

Part& Part::integer_answer(std::string key, std::string prompt, std::int64_t expected, std::string unit) {
  answers.push_back({key, AnswerSpec::Kind::integer, prompt, {}, {}, unit, std::nullopt});
  check(key, CheckKind::equal, "answer \"" + key + "\" (" + prompt + ") exactly",
               [key, expected](const Context& ctx) { return equal(ctx.answers().integer(key), expected); });
  return as_answer(*this);
}

Part& Part::derived_answer(std::string key, std::string prompt, std::function<double(const Context&)> expected,
                           Precision precision, std::string unit) {
  answers.push_back({key, AnswerSpec::Kind::number, prompt, {}, {}, unit, precision});
  check(key, CheckKind::close, "answer \"" + key + "\" (" + prompt + ") against the value your other answers give, " +
                                   precision.describe(),
        [key, expected, precision](const Context& ctx) { return close(ctx.answers().number(key), expected(ctx), precision); });
  return as_answer(*this);
}

Part& Part::open_answer(std::string key, std::string prompt, AnswerSpec::Kind kind, std::string unit) {
  answers.push_back({key, kind, prompt, {}, {}, unit, std::nullopt});
  return *this;
}

Part& Part::choice_answer(std::string key, std::string prompt, std::vector<std::string> choices,
                          std::string expected) {
  answers.push_back({key, AnswerSpec::Kind::choice, prompt, {}, choices, "", std::nullopt});
  check(key, CheckKind::equal, "answer \"" + key + "\" (" + prompt + ") is the right choice",
               [key, choices, expected](const Context& ctx) {
                 return equal(ctx.answers().choice(key, choices), expected);
               });
  return as_answer(*this);
}

Part& Part::manual(int points_by_hand) {
  manual_points = points_by_hand;
  graded_by_hand = true;
  checks.push_back({"rubric", "graded by a person against the rubric", CheckKind::manual, {}});
  return *this;
}

Part& Part::hint(std::string text) {
  hints.push_back(std::move(text));
  return *this;
}

bool Part::has_automatic_checks() const {
  for (const auto& c : checks)
    if (c.kind != CheckKind::manual) return true;
  return false;
}

Part& Exercise::part(std::string label, int points, std::string prompt) {
  parts.push_back(Part{});
  auto& part = parts.back();
  part.label = std::move(label);
  part.points = points;
  part.prompt = std::move(prompt);
  return part;
}

void Exercise::plot(std::string name, std::string caption, PlotFn make) {
  plots.push_back({std::move(name), std::move(caption), std::move(make)});
}

std::string Exercise::collection() const { return id.substr(0, id.find('/')); }
std::string Exercise::number() const { return id.substr(id.find('/') + 1); }

int Exercise::total_points() const {
  int total = 0;
  for (const auto& part : parts) total += part.total_points();
  return total;
}

Registrar::Registrar(const char* id, DefineFn define) { register_exercise(id, define); }

Registrar::Registrar(FromPath path, DefineFn define) {
  const std::string file = path.file;
  const auto at = file.rfind("exercises/");
  const auto end = file.rfind("/exercise.cpp");
  if (at == std::string::npos || end == std::string::npos || end <= at + 10)
    throw std::logic_error(file + " is not exercises/<collection>/<number>/exercise.cpp");
  register_exercise(file.substr(at + 10, end - at - 10).c_str(), define);
}

}  // namespace workbook
