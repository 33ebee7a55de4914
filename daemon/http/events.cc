// Server-Sent Events framing, and handing one frame to every open stream. The frame is built
// once and shared, so a thousand streams cost one copy of each event.
#include <utility>

#include "daemon/http/state.h"

namespace mab::http::detail {

std::string event_frame(std::string_view event, std::string_view data) {
  std::string out;
  out.reserve(event.size() + data.size() + 16);
  if (!event.empty()) {
    out += "event: ";
    for (char c : event) {
      if (c != '\r' && c != '\n') out += c;
    }
    out += '\n';
  }
  // The SSE grammar ends a line at CR, LF or CRLF; each becomes a new "data:" line, which the
  // client joins back with LF.
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = data.find_first_of("\r\n", start);
    out += "data: ";
    out += data.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    out += '\n';
    if (end == std::string_view::npos) break;
    start = end + (data[end] == '\r' && end + 1 < data.size() && data[end + 1] == '\n' ? 2 : 1);
  }
  out += '\n';
  return out;
}

void push_to_streams(server_state& state, std::string frame) {
  if (state.stopped || state.streams.empty()) return;
  const auto shared = std::make_shared<const std::string>(std::move(frame));
  // Collect first: a stream that falls too far behind closes itself while we push.
  std::vector<std::shared_ptr<connection>> open;
  open.reserve(state.streams.size());
  for (auto& [id, weak] : state.streams) {
    if (auto c = weak.lock()) open.push_back(std::move(c));
  }
  for (auto& c : open) c->push(shared);
}

}  // namespace mab::http::detail
