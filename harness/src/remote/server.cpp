#include "workbook/remote/server.hpp"

#include <csignal>
#include <filesystem>
#include <iostream>
#include <map>
#include <new>

#include "workbook/check.hpp"
#include "workbook/remote/frames.hpp"

extern "C" void openblas_set_num_threads(int threads);

namespace workbook::remote {

namespace {

std::map<std::string, Handler>& handlers() {
  static std::map<std::string, Handler> all;
  return all;
}

wire::json error_reply(const char* kind, const std::string& message) {
  return {{"error", kind}, {"message", message}};
}

wire::json answer(const wire::json& request) {
  if (!request.is_array() || request.size() != 2 || !request[0].is_string())
    return error_reply("bad_request", "a request is [function, arguments]");
  const auto name = request[0].get<std::string>();
  const auto handler = handlers().find(name);
  if (handler == handlers().end()) return error_reply("bad_request", "no function " + name + " here");
  try {
    return handler->second(request[1]);
  } catch (const NotImplemented& error) {
    return error_reply("not_implemented", name);
  } catch (const std::bad_alloc&) {
    return error_reply("out_of_memory", name + " ran out of memory");
  } catch (const wire::WireError& error) {
    return error_reply("bad_request", error.what());
  } catch (const std::exception& error) {
    return error_reply("exception", error.what());
  } catch (...) {
    return error_reply("exception", "threw something that is not a std::exception");
  }
}

}  // namespace

Bindings::Bindings(std::initializer_list<std::pair<const char*, Handler>> list) {
  for (const auto& [name, handler] : list) handlers()[name] = handler;
}

int serve(int requests_fd, int replies_fd) {
  for (;;) {
    wire::json request;
    try {
      if (!read_frame(requests_fd, request)) return 0;  // the checks are done
    } catch (const std::exception&) {
      return 2;  // not CBOR: nobody we should be talking to
    }
    wire::json reply;
    try {
      reply = answer(request);
    } catch (const std::bad_alloc&) {  // even the error reply could not be built: free what we can first
      request = nullptr;
      reply = error_reply("out_of_memory", "ran out of memory");
    }
    if (!write_frame(replies_fd, reply)) return 0;
  }
}

int serve_solution() {
  openblas_set_num_threads(1);  // one solution process per exercise, several at once: no BLAS threads
  std::signal(SIGPIPE, SIG_IGN);  // the checks may stop listening; that is an ordinary end
  return serve(3, 4);
}

int serve_variant(const std::string& started_as, std::initializer_list<Variant> variants) {
  const std::filesystem::path path(started_as);
  const auto dir = path.parent_path().filename().string();
  const auto name = dir == "mutants" || dir == "alternatives" ? dir + "/" + path.filename().string() : path.filename().string();
  for (const auto& variant : variants)
    if (name == variant.name) {
      variant.bind();
      return serve_solution();
    }
  std::cerr << started_as << ": started as " << name << ", which names none of the solutions in this program:";
  for (const auto& variant : variants) std::cerr << " " << variant.name;
  std::cerr << "\n";
  return 2;
}

}  // namespace workbook::remote
