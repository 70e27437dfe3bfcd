#pragma once
// Runs an untrusted command in its own process: under bubblewrap when it is installed (no network, a
// read-only view of only what the command needs, a private /tmp), always with rlimits (CPU time, address
// space, file size, process count), a wall-clock timeout, and stdout/stderr captured up to a cap.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace workbook::grading {

struct Limits {
  std::chrono::milliseconds wall{10000};
  int cpu_seconds = 20;
  std::uint64_t address_space = 4ull << 30;  // bytes
  std::uint64_t file_size = 64ull << 20;     // bytes, per file written
  int processes = 256;                       // per sandbox user (a fork bomb stops here)
  std::size_t output_cap = 64 * 1024;        // bytes kept of stdout and of stderr, each
};

struct SandboxSpec {
  std::vector<std::string> argv;                  // argv[0] is an absolute path
  std::vector<std::filesystem::path> read_only;   // bound read-only at the same path
  std::vector<std::filesystem::path> writable;    // bound read-write at the same path
  std::filesystem::path working_directory = "/tmp";
  std::string stdin_text;                         // written to the command's standard input
  bool wants_report_fd = false;                   // give the command fd 3, a pipe read into `report`
  Limits limits;
  // When the grader runs as root: run the command as `nobody`, so that the process limit applies to it
  // (root is exempt). Only possible when nobody can reach every bound path; see reachable_by_others.
  bool drop_to_nobody = true;
};

struct SandboxResult {
  bool started = false;        // false: could not even start (the reason is in `error`)
  int exit_code = -1;          // when it exited normally
  int signal = 0;              // when a signal ended it
  bool timed_out = false;      // killed at the wall-clock limit
  bool output_cut = false;     // stdout or stderr went past the cap (the rest was dropped)
  bool output_limit = false;   // it printed so much (8 MiB) that it was stopped
  std::string out, err;        // what it printed, up to the cap each
  std::string report;          // what it wrote to fd 3
  std::string error;           // why it could not start
  double seconds = 0;
  bool sandboxed = false;      // ran under bubblewrap
};

SandboxResult run_sandboxed(const SandboxSpec& spec);

// Whether a user other than the owner can reach `path`: every ancestor searchable, the path itself
// readable (and searchable when a directory).
bool reachable_by_others(const std::filesystem::path& path);

// Whether bubblewrap is installed and works here (user namespaces allowed); checked once.
bool bubblewrap_available();

// "SIGSEGV (segmentation fault)".
std::string signal_name(int signal);

}  // namespace workbook::grading
