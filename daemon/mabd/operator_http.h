// mabd's operator surface over HTTP(S): the API routes, the dashboard and the live event
// stream, on mabd's own io_context, from the [http] section and [[token]] list.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "daemon/broker/broker.h"
#include "daemon/common/result.h"
#include "daemon/config/config.h"
#include "daemon/mabd/reload.h"

namespace mab::mabd {

class operator_http {
 public:
  operator_http(boost::asio::io_context& io, const config::config& cfg, broker::broker& brk);
  ~operator_http();
  operator_http(const operator_http&) = delete;
  operator_http& operator=(const operator_http&) = delete;

  // What an admin's POST /api/v1/admin/reload runs (the same as SIGHUP); `by` is the token's
  // name, for the log. Set before start().
  void set_reload(std::function<reload_result(const std::string& by)> reload);
  // Starts listening (TLS unless configured otherwise) and the once-a-second event feed.
  // Errors name the file or address.
  status start();
  // "https://127.0.0.1:7751": what an operator types, also written to <data_dir>/mabd.http.
  std::string url() const;
  // A configuration reload: the new [[token]] list applies to the next request.
  void set_tokens(const config::config& reloaded);
  void stop();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace mab::mabd
