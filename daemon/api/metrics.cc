// /metrics in the Prometheus text format (0.0.4): the broker's counters since start, its two
// histograms, and gauges read from the store at scrape time (queue depth per recipient, raised
// flags by type).
#include <cstdio>

#include "daemon/api/api_internal.h"

namespace mab::api::detail {
namespace {

// Label values escape backslash, double quote and newline.
std::string label(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string number(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string bound(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

class text {
 public:
  void family(std::string_view name, std::string_view type, std::string_view help) {
    out_ += "# HELP " + std::string(name) + " " + std::string(help) + "\n";
    out_ += "# TYPE " + std::string(name) + " " + std::string(type) + "\n";
  }
  void sample(std::string_view name, std::uint64_t v, std::string_view labels = {}) {
    out_ += std::string(name) + std::string(labels) + " " + std::to_string(v) + "\n";
  }
  void counter(std::string_view name, std::string_view help, std::uint64_t v) {
    family(name, "counter", help);
    sample(name, v);
  }
  void histogram(std::string_view name, std::string_view help, const broker::histogram& h) {
    family(name, "histogram", help);
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < h.bounds.size(); ++i) {
      cumulative += h.buckets[i];
      sample(std::string(name) + "_bucket", cumulative, "{le=\"" + bound(h.bounds[i]) + "\"}");
    }
    sample(std::string(name) + "_bucket", h.count, "{le=\"+Inf\"}");
    out_ += std::string(name) + "_sum " + number(h.sum) + "\n";
    sample(std::string(name) + "_count", h.count);
  }
  // One sample per entry of `m`, labelled `key`.
  void by(std::string_view name, std::string_view type, std::string_view help,
          std::string_view key, const std::map<std::string, std::uint64_t>& m) {
    family(name, type, help);
    for (const auto& [k, v] : m) sample(name, v, "{" + std::string(key) + "=\"" + label(k) + "\"}");
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

}  // namespace

result<std::string> render_metrics(broker::broker& brk) {
  auto depths = brk.queue_depths();
  if (!depths) return depths.err();
  auto overview = brk.ledger_overview(0);
  if (!overview) return overview.err();
  const auto& c = brk.counters();
  text t;
  t.counter("mab_notifications_received_total",
            "Submissions and frames answered: accepted, duplicate or rejected.",
            c.accepted + c.duplicates + c.rejected);
  t.counter("mab_notifications_accepted_total", "Notifications accepted and stored.", c.accepted);
  t.counter("mab_notifications_duplicate_total",
            "Submissions of a message already stored, answered DUPLICATE.", c.duplicates);
  t.by("mab_notifications_rejected_total", "counter",
       "Submissions and frames rejected, by reason code.", "reason", c.rejected_by_reason);
  t.counter("mab_deliveries_total", "Deliveries handed to receivers, first tries and retries.",
            c.deliveries_sent);
  t.counter("mab_redeliveries_total", "Deliveries handed out again after no answer.",
            c.redeliveries);
  t.counter("mab_acks_total", "Deliveries acknowledged by their recipients.", c.acks);
  t.counter("mab_refusals_total", "Deliveries refused by their recipients.", c.refusals);
  t.counter("mab_dead_letters_total", "Deliveries dead-lettered after too many refusals.",
            c.dead_letters);
  t.counter("mab_flags_sent_total", "Flag notifications sent (raised, escalated or cleared).",
            c.flags_sent);
  t.counter("mab_store_commits_total", "Store transactions committed.", c.commits);
  t.histogram("mab_ack_latency_seconds",
              "Seconds from mab's receipt of a message to a recipient's acknowledgement.",
              c.ack_latency_seconds);
  t.histogram("mab_store_commit_seconds", "Seconds each store commit took.",
              c.store_commit_seconds);
  t.by("mab_queue_depth", "gauge", "Deliveries waiting for each recipient.", "recipient",
       *depths);
  t.by("mab_flags_open", "gauge", "Raised flags, by flag type.", "type",
       overview->counts.raised_flags_by_type);
  t.family("mab_online_receivers", "gauge", "Receiver connections online now.");
  t.sample("mab_online_receivers", brk.online_receivers());
  return t.take();
}

void add_metrics_route(http::router& r, broker::broker& brk) {
  r.add("GET", "/metrics", any_role(), [&brk](const http::request& req) {
    if (auto e = only_params(req, {})) return *e;
    auto body = render_metrics(brk);
    if (!body) return unavailable("read the metrics", body.err());
    http::response resp;
    resp.content_type = "text/plain; version=0.0.4; charset=utf-8";
    resp.body = std::move(*body);
    return resp;
  });
}

}  // namespace mab::api::detail
