// One HTTP/1.1 connection, plain or TLS: read a request under the size and time limits, turn it
// into an http::request, ask the router, write the answer with the security headers, repeat
// while keep-alive holds; or, for an add_events() route, keep the connection open as a
// Server-Sent Events stream (chunked; close-delimited for HTTP/1.0). Every failure of the peer
// ends in a 4xx or a closed socket, never an exception out of the io_context.
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <algorithm>
#include <array>
#include <cstdio>
#include <deque>
#include <limits>

#include "daemon/http/state.h"
#include "daemon/http/target.h"

namespace mab::http::detail {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using error_code = boost::system::error_code;

std::string lowercase(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return out;
}

// Headers a handler may not set: framing is ours, and so is nosniff. (Cache-Control and
// Content-Security-Policy may be replaced: static assets are cacheable, pages need their CSP.)
bool reserved_header(std::string_view name) {
  static constexpr std::array<std::string_view, 5> k_reserved = {
      "content-length", "transfer-encoding", "connection", "content-type",
      "x-content-type-options"};
  return std::find(k_reserved.begin(), k_reserved.end(), lowercase(name)) != k_reserved.end();
}

// A peer of an event stream has nothing to say; past this, it is not a browser.
constexpr std::size_t k_max_stream_input = 64 * 1024;

// A header a handler supplies is dropped if it could split the response.
bool safe_header(std::string_view s) {
  return std::none_of(s.begin(), s.end(),
                      [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
}

template <class Stream>
class session : public connection, public std::enable_shared_from_this<session<Stream>> {
 public:
  static constexpr bool k_tls = !std::is_same_v<Stream, beast::tcp_stream>;

  session(std::shared_ptr<server_state> st, asio::ip::tcp::socket socket, bool reject)
      : st_(std::move(st)),
        stream_(make_stream(std::move(socket), *st_)),
        reject_(reject),
        id_(st_->next_id++),
        watchdog_(st_->io) {
    (reject_ ? st_->rejecting : st_->serving)++;
  }
  ~session() override {
    st_->connections.erase(id_);
    st_->streams.erase(id_);
    (reject_ ? st_->rejecting : st_->serving)--;
  }

  void run() {
    st_->connections[id_] = this->weak_from_this();
    if constexpr (k_tls) {
      arm_timer();
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [self = this->shared_from_this()](error_code ec) {
                                if (ec) return self->close();
                                self->read();
                              });
    } else {
      read();
    }
  }

  void close() override {
    // The queue stays: a write in flight may still point into its front frame.
    closed_ = true;
    watchdog_.cancel();
    error_code ignored;
    beast::get_lowest_layer(stream_).socket().shutdown(asio::ip::tcp::socket::shutdown_both,
                                                       ignored);
    beast::get_lowest_layer(stream_).close();
  }

 private:
  static Stream make_stream(asio::ip::tcp::socket socket, server_state& st) {
    if constexpr (k_tls) {
      return Stream(std::move(socket), *st.tls);
    } else {
      return Stream(std::move(socket));
    }
  }

  void arm_timer() { beast::get_lowest_layer(stream_).expires_after(st_->opts.read_timeout); }

  void read() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(
        st_->opts.max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
    parser_->body_limit(st_->opts.max_body_bytes);
    arm_timer();
    bhttp::async_read(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(error_code ec) {
    if (st_->stopped) return close();
    if (ec == bhttp::error::body_limit) {
      return reply(error_response(413, "body_too_large", "the request body is larger than allowed"),
                   false, 11);
    }
    if (ec == bhttp::error::header_limit) {
      return reply(
          error_response(431, "headers_too_large", "the request headers are larger than allowed"),
          false, 11);
    }
    if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message) return finish();
    if (ec && ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category()) {
      return reply(error_response(400, "bad_request", "the request is not valid HTTP/1.1"), false,
                   11);
    }
    if (ec) return close();  // timeout, reset, TLS failure: nobody to answer
    handle(parser_->release());
  }

  void handle(bhttp::request<bhttp::string_body> in) {
    const bool keep_alive = in.keep_alive() && !reject_;
    const bool head = in.method() == bhttp::verb::head;
    if (reject_) {
      return reply(error_response(503, "unavailable", "too many connections; try again later"),
                   false, in.version(), head);
    }
    request req;
    req.method = std::string(in.method_string());
    const auto target = in.target();
    if (auto bad = parse_target(std::string_view(target.data(), target.size()), req)) {
      return reply(std::move(*bad), keep_alive, in.version(), head);
    }
    req.content_type = std::string(in[bhttp::field::content_type]);
    req.body = std::move(in.body());
    // Two Authorization headers are as good as none: which one a proxy saw is anyone's guess.
    const std::string authorization = in.count(bhttp::field::authorization) == 1
                                          ? std::string(in[bhttp::field::authorization])
                                          : "";
    response res = st_->routes.dispatch(std::move(req), authorization, st_->tokens);
    if (res.event_stream && res.status == 200 && !head) return open_stream(in.version());
    reply(std::move(res), keep_alive, in.version(), head);
  }

  void reply(response r, bool keep_alive, unsigned version, bool head = false) {
    if (r.status < 100 || r.status > 599) {
      r = error_response(500, "internal", "the request failed; see the daemon's log");
    }
    res_ = {};
    res_.result(r.status);
    res_.version(version);
    for (const auto& [name, value] : r.headers) {
      if (!reserved_header(name) && safe_header(name) && safe_header(value) && !name.empty()) {
        res_.insert(name, value);
      }
    }
    if (safe_header(r.content_type)) res_.set(bhttp::field::content_type, r.content_type);
    if (res_.find(bhttp::field::cache_control) == res_.end()) {
      res_.set(bhttp::field::cache_control, "no-store");
    }
    if (res_.find("Content-Security-Policy") == res_.end()) {
      res_.set("Content-Security-Policy", "default-src 'self'");
    }
    res_.set("X-Content-Type-Options", "nosniff");
    res_.keep_alive(keep_alive && !st_->stopped);
    res_.body() = std::move(r.body);
    res_.prepare_payload();
    if (head) res_.body().clear();  // Content-Length still says what GET would send
    arm_timer();
    bhttp::async_write(
        stream_, res_,
        [self = this->shared_from_this(), again = res_.keep_alive()](error_code ec, std::size_t) {
          if (ec) return self->close();
          if (again) return self->read();
          self->finish();
        });
  }

  // Ends the connection politely: TLS close_notify, or for plain TCP a half-close followed by
  // reading (and discarding) what the client is still sending, so a refused upload gets its 413
  // instead of a reset. Bounded by the read timeout and a byte budget.
  void finish() {
    arm_timer();
    if constexpr (k_tls) {
      stream_.async_shutdown([self = this->shared_from_this()](error_code) { self->close(); });
    } else {
      error_code ignored;
      stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
      drain();
    }
  }

  void drain() {
    stream_.async_read_some(asio::buffer(drain_buf_),
                            [self = this->shared_from_this()](error_code ec, std::size_t n) {
                              self->drained_ += n;
                              if (ec || self->st_->stopped ||
                                  self->drained_ > self->st_->opts.max_body_bytes + (1u << 20)) {
                                return self->close();
                              }
                              self->drain();
                            });
  }


  // The event stream: headers now, then whatever push() queues, one write at a time, until the
  // peer goes, a write stalls, the backlog grows past its limit, or stop().
  void open_stream(unsigned version) {
    chunked_ = version >= 11;
    // The read timeout guarded the request; a stream is idle by nature. The watchdog guards
    // each write instead, and watch_peer() notices a client that leaves.
    beast::get_lowest_layer(stream_).expires_never();
    st_->streams[id_] = this->weak_from_this();
    auto& h = stream_header_;
    h.result(bhttp::status::ok);
    h.version(version);
    h.set(bhttp::field::content_type, "text/event-stream; charset=utf-8");
    h.set(bhttp::field::cache_control, "no-store");
    h.set("X-Content-Type-Options", "nosniff");
    h.set("Content-Security-Policy", "default-src 'self'");
    h.set("X-Accel-Buffering", "no");  // nginx would otherwise hold events back
    if (chunked_) {
      h.chunked(true);
    } else {
      h.keep_alive(false);
    }
    stream_serializer_.emplace(h);
    writing_ = true;
    arm_watchdog();
    bhttp::async_write_header(
        stream_, *stream_serializer_,
        [self = this->shared_from_this()](error_code ec, std::size_t) { self->on_written(ec, false); });
    watch_peer();
    // A first frame at once tells the client (and tests) that the stream is registered.
    push(std::make_shared<const std::string>(": stream open\n\n"));
  }

  void push(const std::shared_ptr<const std::string>& frame) override {
    if (closed_) return;
    queued_bytes_ += frame->size();
    if (queued_bytes_ > st_->opts.max_event_backlog_bytes) return close();
    queue_.push_back(frame);
    if (!writing_) write_next();
  }

  void write_next() {
    if (queue_.empty() || closed_) return;
    writing_ = true;
    const std::string& frame = *queue_.front();
    std::array<asio::const_buffer, 3> parts;
    if (chunked_) {
      const int n = std::snprintf(chunk_size_.data(), chunk_size_.size(), "%zx\r\n", frame.size());
      parts = {asio::buffer(chunk_size_.data(), static_cast<std::size_t>(n)), asio::buffer(frame),
               asio::buffer("\r\n", 2)};
    } else {
      parts = {asio::const_buffer(), asio::buffer(frame), asio::const_buffer()};
    }
    arm_watchdog();
    asio::async_write(
        stream_, parts,
        [self = this->shared_from_this()](error_code ec, std::size_t) { self->on_written(ec, true); });
  }

  void on_written(error_code ec, bool was_frame) {
    watchdog_.cancel();
    writing_ = false;
    if (ec || closed_ || st_->stopped) return close();
    if (was_frame) {
      queued_bytes_ -= queue_.front()->size();
      queue_.pop_front();
    }
    write_next();
  }

  void arm_watchdog() {
    watchdog_.expires_after(st_->opts.event_write_timeout);
    watchdog_.async_wait([self = this->shared_from_this()](error_code ec) {
      if (!ec) self->close();
    });
  }

  // Reads (and ignores) what the client sends, so its leaving is noticed now rather than at the
  // next write.
  void watch_peer() {
    stream_.async_read_some(asio::buffer(drain_buf_),
                            [self = this->shared_from_this()](error_code ec, std::size_t n) {
                              self->drained_ += n;
                              if (ec || self->closed_ || self->st_->stopped ||
                                  self->drained_ > k_max_stream_input) {
                                return self->close();
                              }
                              self->watch_peer();
                            });
  }

  std::shared_ptr<server_state> st_;
  Stream stream_;
  bool reject_;
  std::uint64_t id_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bhttp::response<bhttp::string_body> res_;
  std::array<char, 4096> drain_buf_{};
  std::size_t drained_ = 0;
  // Event stream state: frames wait in queue_ (the front one is being written).
  asio::steady_timer watchdog_;
  bhttp::response<bhttp::empty_body> stream_header_;
  std::optional<bhttp::response_serializer<bhttp::empty_body>> stream_serializer_;
  std::deque<std::shared_ptr<const std::string>> queue_;
  std::size_t queued_bytes_ = 0;
  std::array<char, 24> chunk_size_{};
  bool chunked_ = true;
  bool writing_ = false;
  bool closed_ = false;
};

}  // namespace

void start_session(const std::shared_ptr<server_state>& state, asio::ip::tcp::socket socket,
                   bool reject) {
  error_code ignored;
  socket.set_option(asio::ip::tcp::no_delay(true), ignored);
  if (state->tls) {
    using tls_stream = beast::ssl_stream<beast::tcp_stream>;
    std::make_shared<session<tls_stream>>(state, std::move(socket), reject)->run();
  } else {
    std::make_shared<session<beast::tcp_stream>>(state, std::move(socket), reject)->run();
  }
}

}  // namespace mab::http::detail
