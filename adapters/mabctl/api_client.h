// mabctl's side of mabd's operator HTTP API (the ledger commands: obligations, flags,
// transfers): where mabd is (--url, or --mabd-config to read it from mabd's own files), how to
// trust it (--cacert, or the [http] cert_file of that config; the system's CAs otherwise) and
// who is asking (a bearer token from --token-file or $MAB_TOKEN, never from the command line,
// where every user on the machine could read it in the process list).
#pragma once

#include <string>

#include "adapters/mabctl/control_socket.h"  // json
#include "daemon/common/result.h"

namespace CLI {
class App;
}

namespace mab::mabctl {

struct api_target {
  std::string url;          // https://host:port
  std::string mabd_config;  // or: find url and certificate from this mabd config
  std::string cacert;       // PEM file of certificates to trust
  std::string token_file;   // file holding the token; else $MAB_TOKEN
};

// Adds --url, --mabd-config, --cacert and --token-file to a command.
void add_api_options(CLI::App& cmd, api_target& t);

// One request. `target` is a path with its query ("/api/v1/flags?state=raised"). A connection
// failure, a certificate that does not verify, or an answer other than 2xx is an error saying
// why, with mabd's own error message when it gave one.
result<json> api_get(const api_target& t, const std::string& target);
result<json> api_post(const api_target& t, const std::string& target, const json& body);

// "a b" -> "a%20b": for values placed in a query string or a path segment.
std::string url_encode(const std::string& s);

}  // namespace mab::mabctl
