#pragma once
// Work done in forked processes, at most `jobs` at once, each returning JSON: a whole student in class
// grading, one exercise's checks in a submission's grading. Whatever a worker does (throws, crashes, hangs
// past its time), it costs only its own task, which comes back as an error; the others carry on.
// Fork only from a single-threaded point: the callers start their threads after, or join them before.

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace workbook::grading {

struct WorkerResult {
  std::optional<nlohmann::json> json;  // what the task returned
  std::string error;                   // why there is none: the worker died, hung or wrote nonsense
};

using WorkerTask = std::function<nlohmann::json(std::size_t task)>;
using WorkerDone = std::function<void(std::size_t task, WorkerResult result)>;

// Runs task(0) ... task(count - 1), calling done() in this process as each finishes (in finishing order).
// A worker still running after `limit` is killed and its task reported as an error.
void run_in_workers(std::size_t count, int jobs, const WorkerTask& task, const WorkerDone& done,
                    std::chrono::milliseconds limit = std::chrono::hours(24));

}  // namespace workbook::grading
