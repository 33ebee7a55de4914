// /metrics after real work through the broker, parsed as Prometheus would parse it.
#include <sstream>

#include "tests/api/fixture.h"

namespace mab::api {
namespace {

struct exposition {
  std::map<std::string, double> samples;        // "name{labels}" -> value
  std::map<std::string, std::string> types;     // family -> type
  std::set<std::string> helped;                 // families with # HELP
  std::vector<std::string> problems;
};

// The family a sample belongs to: histogram series end in _bucket, _sum or _count.
std::string family_of(const std::string& name, const std::map<std::string, std::string>& types) {
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    const std::string s = suffix;
    if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0) {
      const auto base = name.substr(0, name.size() - s.size());
      if (types.count(base) && types.at(base) == "histogram") return base;
    }
  }
  return name;
}

exposition parse(const std::string& text) {
  exposition e;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    if (line.rfind("# HELP ", 0) == 0) {
      e.helped.insert(line.substr(7, line.find(' ', 7) - 7));
      continue;
    }
    if (line.rfind("# TYPE ", 0) == 0) {
      const auto name = line.substr(7, line.find(' ', 7) - 7);
      e.types[name] = line.substr(line.rfind(' ') + 1);
      continue;
    }
    const auto space = line.rfind(' ');
    const std::string series = line.substr(0, space);
    const std::string name = series.substr(0, series.find('{'));
    const std::string family = family_of(name, e.types);
    if (!e.types.count(family) || !e.helped.count(family)) {
      e.problems.push_back("no # TYPE/# HELP before " + series);
    }
    if (e.samples.count(series)) e.problems.push_back("repeated series " + series);
    e.samples[series] = std::stod(line.substr(space + 1));
  }
  return e;
}

class metrics_test : public api_test {
 protected:
  exposition scrape() {
    const auto r = get("/metrics");
    EXPECT_EQ(r.status, 200u) << r.body;
    EXPECT_EQ(r.content_type, "text/plain; version=0.0.4; charset=utf-8");
    auto e = parse(r.body);
    EXPECT_TRUE(e.problems.empty()) << e.problems.front();
    return e;
  }
  double at(const exposition& e, const std::string& series) {
    const auto it = e.samples.find(series);
    if (it == e.samples.end()) {
      ADD_FAILURE() << "no series " << series;
      return -1;
    }
    return it->second;
  }
};

TEST_F(metrics_test, a_fresh_broker_exposes_every_family_at_zero) {
  const auto e = scrape();
  for (const char* counter :
       {"mab_notifications_received_total", "mab_notifications_accepted_total",
        "mab_notifications_rejected_total", "mab_deliveries_total", "mab_redeliveries_total",
        "mab_acks_total", "mab_store_commits_total"}) {
    EXPECT_EQ(e.types.count(counter), 1u) << counter;
  }
  EXPECT_EQ(e.types.at("mab_ack_latency_seconds"), "histogram");
  EXPECT_EQ(e.types.at("mab_store_commit_seconds"), "histogram");
  EXPECT_EQ(e.types.at("mab_queue_depth"), "gauge");
  EXPECT_EQ(e.types.at("mab_flags_open"), "gauge");
  EXPECT_EQ(at(e, "mab_notifications_accepted_total"), 0);
  EXPECT_EQ(at(e, "mab_ack_latency_seconds_count"), 0);
  EXPECT_EQ(at(e, "mab_ack_latency_seconds_bucket{le=\"+Inf\"}"), 0);
  EXPECT_EQ(at(e, "mab_queue_depth{recipient=\"csc-a\"}"), 0);
}

TEST_F(metrics_test, counts_after_real_work) {
  ASSERT_NO_FATAL_FAILURE(busy_ledger());
  // One submission signed with another agency's key.
  const auto stolen = tc.signer_of("health-a");
  b->on_message("p-school-a", "school-a",
                wire::make_frames(wire::cmd::submit, wire::serialize(wire::sign_notification(
                                                         stolen, concern("school-a", "E1")))));
  cycle();

  const auto e = scrape();
  EXPECT_EQ(at(e, "mab_notifications_accepted_total"), 7);
  EXPECT_EQ(at(e, "mab_notifications_rejected_total{reason=\"KEY_NOT_SENDERS\"}"), 1);
  EXPECT_EQ(at(e, "mab_notifications_received_total"), 8);
  EXPECT_EQ(at(e, "mab_acks_total"), 2);
  EXPECT_EQ(at(e, "mab_deliveries_total"), static_cast<double>(b->counters().deliveries_sent));
  EXPECT_GT(at(e, "mab_deliveries_total"), 0);
  EXPECT_EQ(at(e, "mab_redeliveries_total"), static_cast<double>(b->counters().redeliveries));

  // Acknowledged after 30 s and 90 s.
  EXPECT_EQ(at(e, "mab_ack_latency_seconds_count"), 2);
  EXPECT_EQ(at(e, "mab_ack_latency_seconds_sum"), 120);
  EXPECT_EQ(at(e, "mab_ack_latency_seconds_bucket{le=\"15\"}"), 0);
  EXPECT_EQ(at(e, "mab_ack_latency_seconds_bucket{le=\"60\"}"), 1);
  EXPECT_EQ(at(e, "mab_ack_latency_seconds_bucket{le=\"300\"}"), 2);
  EXPECT_EQ(at(e, "mab_ack_latency_seconds_bucket{le=\"172800\"}"), 2);
  EXPECT_EQ(at(e, "mab_ack_latency_seconds_bucket{le=\"+Inf\"}"), 2);

  // Every commit was timed; buckets are cumulative up to the count.
  const double commits = at(e, "mab_store_commit_seconds_count");
  EXPECT_GE(commits, at(e, "mab_store_commits_total"));
  EXPECT_GT(commits, 0);
  EXPECT_EQ(at(e, "mab_store_commit_seconds_bucket{le=\"+Inf\"}"), commits);
  double previous = 0;
  for (const char* le : {"0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1",
                         "0.25", "0.5", "1"}) {
    const double v = at(e, std::string("mab_store_commit_seconds_bucket{le=\"") + le + "\"}");
    EXPECT_GE(v, previous) << le;
    previous = v;
  }
  EXPECT_GE(at(e, "mab_store_commit_seconds_sum"), 0);

  // Gauges read from the store at scrape time.
  EXPECT_EQ(at(e, "mab_flags_open{type=\"INCOMPLETE\"}"), 9);
  EXPECT_EQ(at(e, "mab_flags_open{type=\"DUE_SOON\"}"), 3);
  const auto depths = b->queue_depths();
  ASSERT_TRUE(depths);
  for (const auto& [agency, depth] : *depths) {
    EXPECT_EQ(at(e, "mab_queue_depth{recipient=\"" + agency + "\"}"), static_cast<double>(depth));
  }
  EXPECT_GT(at(e, "mab_queue_depth{recipient=\"mash-a\"}"), 0) << "never online, told of every flag";
}

TEST_F(metrics_test, a_rolled_back_ack_is_not_in_the_histogram) {
  ready("csc-a");
  const auto n = concern("school-a", "E1");
  ASSERT_TRUE(submit(n));
  clk.advance(10s);
  st->full = true;
  ack("csc-a", n.message_id());  // the cycle's commit fails
  st->full = false;
  EXPECT_EQ(at(scrape(), "mab_ack_latency_seconds_count"), 0);
  clk.advance(10s);
  ack("csc-a", n.message_id());
  const auto e = scrape();
  EXPECT_EQ(at(e, "mab_ack_latency_seconds_count"), 1);
  EXPECT_EQ(at(e, "mab_ack_latency_seconds_sum"), 20);
}

}  // namespace
}  // namespace mab::api
