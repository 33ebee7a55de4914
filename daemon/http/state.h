// Private to mab_http: what the acceptor (server.cc) and the connections (session.cc) share.
// Everything here is touched only on the io_context's thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/http/http.h"

namespace mab::http::detail {

// One open connection, as the server sees it: something it can close on stop(), and, once it
// has become an event stream, something that takes frames to write.
class connection {
 public:
  virtual ~connection() = default;
  virtual void close() = 0;
  // Queues `frame` (bytes of the event-stream body, shared by every stream it goes to).
  virtual void push(const std::shared_ptr<const std::string>& frame) = 0;
};

// Owned jointly by the server and every connection, so a connection's last callback never
// touches freed memory even when it runs after ~server. `routes` must outlive the server.
struct server_state {
  server_state(boost::asio::io_context& io_, server_options opts_, const router& routes_,
               std::vector<token> tokens_)
      : io(io_), opts(std::move(opts_)), routes(routes_), tokens(std::move(tokens_)) {}

  boost::asio::io_context& io;
  const server_options opts;
  const router& routes;
  std::vector<token> tokens;
  std::unique_ptr<boost::asio::ssl::context> tls;  // null for plain HTTP
  std::map<std::uint64_t, std::weak_ptr<connection>> connections;
  std::map<std::uint64_t, std::weak_ptr<connection>> streams;  // the event streams among them
  std::uint64_t next_id = 0;
  std::size_t serving = 0;    // connections counted against max_connections
  std::size_t rejecting = 0;  // connections being told 503
  bool stopped = false;
};

// Starts a connection on an accepted socket: the TLS handshake (when state.tls), then requests
// until the client closes, the read timeout, an error, or stop(). When `reject`, the first
// request is answered 503 and the connection closed.
void start_session(const std::shared_ptr<server_state>& state, boost::asio::ip::tcp::socket socket,
                   bool reject);

// "event: <event>\ndata: <line>\n...\n": `event` loses any CR or LF, and each line of `data`
// becomes its own data field, so no input can end the event early or start another.
std::string event_frame(std::string_view event, std::string_view data);
// Hands `frame` to every open event stream.
void push_to_streams(server_state& state, std::string frame);

}  // namespace mab::http::detail
