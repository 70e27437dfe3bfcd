#include "workbook/remote/channel.hpp"

#include <new>

namespace workbook::remote {

namespace {
thread_local Channel* current = nullptr;
}

Session::Session(Channel& channel) : previous_(current) { current = &channel; }
Session::~Session() { current = previous_; }

std::pair<wire::json, wire::json> call(const char* function, wire::json arguments) {
  if (!current) throw ImplementationLost(std::string("no solution process to call ") + function + " in");
  const auto reply = current->call(wire::json::array({function, std::move(arguments)}));
  if (!reply.is_object()) throw ImplementationLost("the solution's process sent something that is not a reply");
  if (reply.contains("error")) {
    const auto kind = reply["error"].is_string() ? reply["error"].get<std::string>() : "";
    const auto message = reply.contains("message") && reply["message"].is_string() ? reply["message"].get<std::string>() : "";
    if (kind == "not_implemented") throw NotImplemented(message.empty() ? function : message);
    if (kind == "out_of_memory") throw std::bad_alloc();
    if (kind == "exception") throw SolutionError(message);
    throw ImplementationLost(std::string("the solution's process could not take the call to ") + function + ": " + message);
  }
  if (!reply.contains("ok")) throw ImplementationLost("the solution's process sent a reply without a result");
  return {reply["ok"], reply.contains("out") ? reply["out"] : wire::json::array()};
}

}  // namespace workbook::remote
