// mabctl's side of mabd's control socket (see control_socket.h).
#include "adapters/mabctl/control_socket.h"

#include <filesystem>

#include <CLI/CLI.hpp>
#include <toml++/toml.h>
#include <zmq.hpp>

namespace mab::mabctl {
namespace {

namespace fs = std::filesystem;

constexpr int control_timeout_ms = 5000;

}  // namespace

void add_control_options(CLI::App& cmd, control_target& t) {
  auto* control = cmd.add_option("--control", t.control, "mabd control endpoint (ipc://...)");
  auto* config = cmd.add_option("--mabd-config", t.mabd_config,
                                "Find the control endpoint in this mabd config file");
  control->excludes(config);
}

void add_list_options(CLI::App& cmd, std::uint64_t& limit, bool& json_out) {
  cmd.add_option("--limit", limit, "Show at most this many (1..500)")
      ->capture_default_str()
      ->check(CLI::Range(1, 500));
  cmd.add_flag("--json", json_out, "One JSON object per line instead of a table");
}

result<std::string> control_from_config(const std::string& path) {
  toml::table t;
  try {
    t = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return make_error(path + ":" + std::to_string(e.source().begin.line) + ": " +
                      std::string(e.description()));
  }
  if (auto control = t["broker"]["control"].value<std::string>(); control && !control->empty()) {
    return *control;
  }
  fs::path data_dir(t["broker"]["data_dir"].value_or(std::string(".")));
  if (data_dir.is_relative()) data_dir = fs::absolute(path).parent_path() / data_dir;
  return "ipc://" + (data_dir / "control.sock").lexically_normal().string();
}

result<std::string> control_endpoint(const control_target& t) {
  if (!t.control.empty()) return t.control;
  if (!t.mabd_config.empty()) return control_from_config(t.mabd_config);
  return make_error("--control or --mabd-config is required");
}

result<json> control_call(const control_target& t, const json& request) {
  auto endpoint = control_endpoint(t);
  if (!endpoint) return endpoint.err();
  try {
    zmq::context_t ctx(1);
    zmq::socket_t s(ctx, zmq::socket_type::req);
    s.set(zmq::sockopt::linger, 0);
    s.set(zmq::sockopt::sndtimeo, control_timeout_ms);
    s.set(zmq::sockopt::rcvtimeo, control_timeout_ms);
    s.connect(*endpoint);
    const std::string text = request.dump();
    zmq::message_t reply;
    if (!s.send(zmq::buffer(text)) || !s.recv(reply)) {
      return make_error("no answer from " + *endpoint + " within 5 s (is mabd running?)");
    }
    json answer = json::parse(reply.to_string(), nullptr, false);
    if (!answer.is_object()) return make_error("malformed answer from " + *endpoint);
    if (!answer.value("ok", false)) {
      return make_error("mabd: " + answer.value("error", std::string("request failed")));
    }
    return answer;
  } catch (const zmq::error_t& e) {
    return make_error(*endpoint + ": " + e.what());
  } catch (const json::exception& e) {
    return make_error(*endpoint + ": unexpected answer: " + e.what());
  }
}

}  // namespace mab::mabctl
