#include "workbook/grading/student_build.hpp"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <future>
#include <regex>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "workbook/interface_header.hpp"

namespace workbook::grading {

namespace {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// FNV-1a, twice with different offsets: a 128-bit content key as 32 hex digits.
std::string content_key(const std::string& data) {
  std::uint64_t a = 0xcbf29ce484222325ULL, b = 0x84222325cbf29ce4ULL;
  for (unsigned char c : data) {
    a = (a ^ c) * 0x100000001b3ULL;
    b = (b ^ c) * 0x100000001b3ULL + 0x9e3779b97f4a7c15ULL;
  }
  char hex[33];
  std::snprintf(hex, sizeof hex, "%016llx%016llx", static_cast<unsigned long long>(a),
                static_cast<unsigned long long>(b));
  return hex;
}

// A kit file's identity without reading it all: its path, size and modification time.
std::string stamp(const std::string& path) {
  std::error_code error;
  const auto size = std::filesystem::file_size(path, error);
  const auto time = std::filesystem::last_write_time(path, error).time_since_epoch().count();
  return path + ":" + std::to_string(size) + ":" + std::to_string(time) + ";";
}

std::string dashed(std::string id) {
  for (auto& c : id)
    if (c == '/') c = '-';
  return id;
}

}  // namespace

std::vector<std::string> undefined_symbols(const std::filesystem::path& object_file) {
  SandboxSpec nm;
  nm.argv = {"/usr/bin/nm", "--demangle", "--undefined-only", "--format=just-symbols", object_file.string()};
  nm.trusted = true;  // our tool on our compiler's output
  nm.limits.output_cap = 16 << 20;
  const auto run = run_sandboxed(nm);
  if (!run.started || run.exit_code != 0)
    throw std::runtime_error("cannot list the symbols of " + object_file.string() + ": " + run.error + run.err);
  std::vector<std::string> symbols;
  std::istringstream lines(run.out);
  for (std::string line; std::getline(lines, line);)
    if (!line.empty()) symbols.push_back(line);
  return symbols;
}

std::string calls_not_offered(const Kit& kit, const std::string& exercise_id, const std::filesystem::path& object_file) {
  const auto header = parse_interface_header(read_file(kit.include_dir / exercise_id / "interface.hpp"));
  std::string refused;
  for (const auto& symbol : undefined_symbols(object_file)) {
    const auto name = called_name(symbol);
    if (is_nn_symbol(name) && !offered_by_kit(name, header.kit_offers))
      refused += "error: your solution calls " + name + ", which this exercise does not offer: it is what you are "
                 "asked to write.\n";
  }
  if (refused.empty()) return refused;
  std::string offered;
  for (const auto& name : header.kit_offers) offered += (offered.empty() ? "" : ", ") + name;
  return refused + "The kit offers " + (offered.empty() ? "nothing of the nn library" : offered) + " to " +
         exercise_id + " (see the interface).\n";
}

std::filesystem::path default_kit_path() {
  if (const char* env = std::getenv("WORKBOOK_KIT")) return env;
  return std::filesystem::path(WORKBOOK_KIT_DIR) / "kit.json";
}

Kit load_kit(const std::filesystem::path& kit_json) {
  const auto text = read_file(kit_json);
  const auto json = nlohmann::json::parse(text);
  Kit kit;
  kit.root = kit_json.parent_path();
  kit.compiler = json.at("compiler");
  kit.compile_flags = json.at("compile_flags").get<std::vector<std::string>>();
  kit.include_dir = json.at("include_dir").get<std::string>();
  kit.link_inputs = json.at("link_inputs").get<std::vector<std::string>>();
  kit.link_libraries = json.at("link_libraries").get<std::vector<std::string>>();
  kit.link_flags = json.at("link_flags").get<std::vector<std::string>>();
  kit.objects = json.at("exercises").get<std::map<std::string, std::string>>();
  kit.fingerprint = text;
  for (const auto& f : kit.link_inputs) kit.fingerprint += stamp(f);
  const auto pch = kit.include_dir / "workbook/kit_pch.hpp.gch";
  if (!std::filesystem::exists(pch))
    throw std::runtime_error("the student kit is not built (" + pch.string() +
                             " is missing): run `cmake --build build --target student_kit` or `bash scripts/build.sh all`");
  kit.fingerprint += stamp(pch.string());
  return kit;
}

std::vector<std::string> undefined_references(const std::string& log) {
  // bfd quotes the name as `name', gold as 'name'.
  static const std::regex pattern("undefined reference to [`']([^']+)'");
  std::vector<std::string> names;
  for (auto it = std::sregex_iterator(log.begin(), log.end(), pattern); it != std::sregex_iterator(); ++it) {
    const auto name = (*it)[1].str();
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  return names;
}

bool asks_for_code(const Kit& kit, const std::string& exercise_id) { return kit.objects.count(exercise_id) > 0; }

namespace {

// Where a file's runner lives in the cache: a key of its text, the kit and the exercise's bindings.
std::filesystem::path cache_entry(const Kit& kit, const std::string& exercise_id, const std::string& source,
                                  const std::filesystem::path& cache_dir) {
  const auto& bindings = kit.objects.at(exercise_id);
  const auto key = content_key(source + "\n" + kit.fingerprint + stamp(bindings) + exercise_id);
  return cache_dir / (dashed(exercise_id) + "-" + key);
}

// The sandbox in which the kit's compiler reads `read_only` and writes only `work`.
SandboxSpec compiler_sandbox(const Kit& kit, const std::filesystem::path& work, std::vector<std::filesystem::path> read_only,
                             const Limits& limits) {
  SandboxSpec spec;
  read_only.push_back(kit.include_dir);
  for (const auto& f : kit.link_inputs) read_only.push_back(f);
  spec.read_only = std::move(read_only);
  spec.writable = {work};
  spec.working_directory = work;
  spec.drop_privileges = std::all_of(spec.read_only.begin(), spec.read_only.end(), reachable_by_others) &&
                        reachable_by_others(work);
  spec.limits = limits;
  spec.limits.wall = std::chrono::milliseconds(120000);  // compiling is ours to bound, not the student's budget
  spec.limits.cpu_seconds = 120;
  spec.limits.address_space = 8ull << 30;
  spec.limits.file_size = 1ull << 30;
  spec.limits.tmp_size = 1ull << 30;  // the compiler's temporary files
  return spec;
}

std::vector<std::string> compile_command(const Kit& kit, const std::filesystem::path& source,
                                         const std::filesystem::path& object) {
  std::vector<std::string> argv = {kit.compiler};
  argv.insert(argv.end(), kit.compile_flags.begin(), kit.compile_flags.end());
  argv.insert(argv.end(), {"-I" + kit.include_dir.string(), "-include", "workbook/kit_pch.hpp", "-c", source.string(),
                           "-o", object.string()});
  return argv;
}

// A fresh directory the sandbox user may write in.
void make_work_dir(const std::filesystem::path& work) {
  std::filesystem::remove_all(work);
  std::filesystem::create_directories(work);
  std::filesystem::permissions(work, std::filesystem::perms::all);
}

void write_readable(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
  std::filesystem::permissions(path, std::filesystem::perms::owner_read | std::filesystem::perms::group_read |
                                         std::filesystem::perms::others_read);
}

}  // namespace

bool runner_is_cached(const Kit& kit, const std::string& exercise_id, const std::string& source,
                      const std::filesystem::path& cache_dir) {
  return kit.objects.count(exercise_id) && std::filesystem::exists(cache_entry(kit, exercise_id, source, cache_dir) / "runner");
}

bool offers_nothing_of_the_kit(const Kit& kit, const std::string& exercise_id) {
  return parse_interface_header(read_file(kit.include_dir / exercise_id / "interface.hpp")).kit_offers.empty();
}

std::optional<std::filesystem::path> compile_together(const Kit& kit, const std::map<std::string, std::string>& files,
                                                      const std::filesystem::path& work_dir, const Limits& limits) {
  make_work_dir(work_dir);
  std::string unit;
  for (const auto& [id, source] : files) {
    const auto name = dashed(id) + ".cpp";
    write_readable(work_dir / name, source);
    unit += "#include \"" + name + "\"\n";
  }
  write_readable(work_dir / "unit.cpp", unit);
  const auto object = work_dir / "unit.o";
  auto spec = compiler_sandbox(kit, work_dir, {}, limits);
  spec.argv = compile_command(kit, work_dir / "unit.cpp", object);
  spec.limits.wall = std::chrono::milliseconds(600000);  // many files at once
  spec.limits.cpu_seconds = 600;
  const auto run = run_sandboxed(spec);
  if (!run.started || run.timed_out || run.exit_code != 0) return std::nullopt;
  for (const auto& symbol : undefined_symbols(object))
    if (is_nn_symbol(called_name(symbol))) return std::nullopt;
  return object;
}

BuildResult build_runner(const Kit& kit, const std::string& exercise_id, const std::string& source,
                         const std::filesystem::path& cache_dir, const Limits& limits,
                         const std::filesystem::path* compiled) {
  BuildResult result;
  const auto object = kit.objects.find(exercise_id);
  if (object == kit.objects.end()) {
    result.log = "the student kit has no bindings for " + exercise_id + " (rebuild workbook)";
    return result;
  }
  const auto final_dir = cache_entry(kit, exercise_id, source, cache_dir);
  const auto key = final_dir.filename().string();
  result.runner = final_dir / "runner";
  if (std::filesystem::exists(result.runner)) {
    result.status = BuildResult::Status::cached;
    return result;
  }

  // Build in a private directory, then rename it into place: a cache entry is complete or absent.
  std::filesystem::create_directories(cache_dir);
  const auto work = cache_dir / (".build-" + key + "-" + std::to_string(getpid()));
  make_work_dir(work);
  const auto source_copy = work / (std::filesystem::path(exercise_id).filename().string() + ".cpp");  // the student's name for it
  write_readable(source_copy, source);

  // Compile, then link while looking at what of the nn library the object calls: a call the exercise does not
  // offer is refused before a process exists (docs/model.md, "A student's piece inside a model"). Both only read
  // the object, so they run side by side: about 0.1 s of a student's save. An object compiled with other files
  // (compile_together) calls nothing of the library.
  std::vector<std::filesystem::path> read_only{object->second};
  if (compiled) read_only.push_back(*compiled);
  auto spec = compiler_sandbox(kit, work, read_only, limits);
  const auto object_file = compiled ? *compiled : work / "solution.o";
  SandboxResult run;
  if (compiled) {
    run.started = true, run.exit_code = 0;
  } else {
    spec.argv = compile_command(kit, source_copy, object_file);
    run = run_sandboxed(spec);
  }
  result.seconds = run.seconds;
  result.log = run.err + run.out;
  if (run.started && !run.timed_out && run.exit_code == 0) {
    auto refusal = std::async(std::launch::async, [&] {
      return compiled ? std::string() : calls_not_offered(kit, exercise_id, object_file);
    });
    spec.argv = {kit.compiler};
    spec.argv.insert(spec.argv.end(), kit.link_flags.begin(), kit.link_flags.end());
    spec.argv.insert(spec.argv.end(), {object_file.string(), object->second});
    spec.argv.insert(spec.argv.end(), kit.link_inputs.begin(), kit.link_inputs.end());
    spec.argv.insert(spec.argv.end(), kit.link_libraries.begin(), kit.link_libraries.end());
    spec.argv.insert(spec.argv.end(), {"-o", (work / "runner").string()});
    run = run_sandboxed(spec);
    if (const auto refused = refusal.get(); !refused.empty()) {
      result.status = BuildResult::Status::compile_error;
      result.log = refused + result.log;
      std::filesystem::remove_all(work);
      return result;
    }
    result.seconds += run.seconds;
    result.log += run.err + run.out;
  }
  if (!run.started) {
    result.status = BuildResult::Status::grader_error;
    result.log = "could not start the compiler's sandbox: " + run.error;
  } else if (run.timed_out) {
    result.log = "the compiler did not finish in 120 s\n" + result.log;
  } else if (run.exit_code == 0 && std::filesystem::exists(work / "runner")) {
    if (!compiled) std::filesystem::remove(object_file);
    // Another process (a classmate with the same file, graded in parallel) may have finished the same
    // build first: its entry is as good as ours.
    std::error_code raced;
    std::filesystem::rename(work, final_dir, raced);
    if (raced && std::filesystem::exists(result.runner)) {
      std::filesystem::remove_all(work);
      result.status = BuildResult::Status::cached;
      return result;
    }
    if (raced) throw std::filesystem::filesystem_error("cannot move the build into the cache", work, final_dir, raced);
    result.status = BuildResult::Status::built;
    return result;
  } else {
    result.missing = undefined_references(result.log);
    result.status = result.missing.empty() ? BuildResult::Status::compile_error : BuildResult::Status::link_error;
  }
  std::filesystem::remove_all(work);
  return result;
}

}  // namespace workbook::grading
