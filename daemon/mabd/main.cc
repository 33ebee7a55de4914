// mabd: the Multi-Agency Broker daemon. See README.md for configuration and operation.
#include <utility>  // before Asio (Boost 1.74 with GCC 12)

#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <iostream>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include "daemon/broker/broker.h"
#include "daemon/config/config.h"
#include "daemon/crypto/crypto.h"
#include "daemon/mabd/logging.h"
#include "daemon/mabd/notify.h"
#include "daemon/mabd/operator_http.h"
#include "daemon/mabd/reload.h"
#include "daemon/store/store.h"
#include "daemon/subjects/subjects.h"
#include "daemon/transport/server.h"

namespace {

constexpr int exit_config = 2;
constexpr int exit_runtime = 1;

struct keys {
  mab::crypto::signer signer;
  std::string curve_secret;
  mab::subjects::keyer keyer;
};

mab::result<keys> load_keys(const mab::config::config& cfg) {
  auto signer = mab::crypto::load_signer(cfg.resolve(cfg.broker.signing_key_file));
  if (!signer) return mab::make_error("[broker] signing_key_file: " + signer.message());
  auto curve = mab::crypto::load_curve_secret(cfg.resolve(cfg.broker.curve_secret_key_file));
  if (!curve) return mab::make_error("[broker] curve_secret_key_file: " + curve.message());
  const std::string subject_path = cfg.resolve(cfg.broker.subject_key_file);
  auto text = mab::crypto::read_key_file(subject_path);
  if (!text) {
    return mab::make_error("[broker] subject_key_file: " + text.message() +
                           " (create one with: mabctl keygen --subject-key " + subject_path + ")");
  }
  auto secret = mab::crypto::base64_decode(*text);
  if (!secret) {
    return mab::make_error("[broker] subject_key_file: " + subject_path + " is not base64");
  }
  auto keyer = mab::subjects::keyer::from_secret(std::move(*secret));
  if (!keyer) return mab::make_error("[broker] subject_key_file: " + subject_path + ": " + keyer.message());
  return keys{std::move(signer).value(), std::move(curve).value(), std::move(keyer).value()};
}

// systemd restarts mabd when these stop arriving; they come from the event loop itself, so a
// wedged loop is caught, not just a dead process.
void ping_watchdog(boost::asio::steady_timer& timer, std::chrono::microseconds every) {
  mab::notify::send("WATCHDOG=1");
  timer.expires_after(every);
  timer.async_wait([&timer, every](const boost::system::error_code& ec) {
    if (!ec) ping_watchdog(timer, every);
  });
}

// SIGHUP re-reads the configuration file and applies what can change while running (see
// reload.h); an admin's POST /api/v1/admin/reload does the same.
class reloader {
 public:
  reloader(boost::asio::io_context& io, mab::config::config& cfg, mab::mabd::operator_http* web)
      : hup_(io, SIGHUP), cfg_(cfg), web_(web) {
    arm();
  }

  mab::mabd::reload_result reload(const std::string& by) {
    auto r = mab::mabd::reload_in_place(cfg_);
    if (!r.errors.empty()) {
      for (const auto& e : r.errors) spdlog::error("reload: {}", e);
      spdlog::error("reload ({}): {} error(s); still running on the previous configuration", by,
                    r.errors.size());
      return r;
    }
    if (web_) web_->set_tokens(cfg_);
    spdlog::info("reload ({}): {} agencies, {} routes, {} API token(s) now in force; [broker], "
                 "[http] and calendar changes apply at restart",
                 by, r.agencies, r.routes, r.tokens);
    return r;
  }

 private:
  void arm() {
    hup_.async_wait([this](const boost::system::error_code& error, int) {
      if (error) return;
      reload("SIGHUP");
      arm();
    });
  }

  boost::asio::signal_set hup_;
  mab::config::config& cfg_;
  mab::mabd::operator_http* web_;
};

// The HTTPS certificate and key must be readable before mabd claims the configuration is valid:
// otherwise a deployment pipeline passes and the service fails at start.
mab::status check_http_files(const mab::config::config& cfg) {
  if (!cfg.http.enabled || !cfg.http.tls) return mab::ok_status();
  for (const auto& [key, file] : {std::pair{"cert_file", cfg.http.cert_file},
                                  std::pair{"key_file", cfg.http.key_file}}) {
    const std::string path = cfg.resolve(file);
    std::ifstream in(path);
    if (!in) {
      return mab::make_error(std::string("[http] ") + key + ": " + path +
                             " cannot be read (create a self-signed pair with: mabctl cert "
                             "self-signed --cert FILE --key FILE)");
    }
  }
  return mab::ok_status();
}

int serve(mab::config::config& cfg, keys& k) {
  std::error_code ec;
  std::filesystem::create_directories(cfg.broker.data_dir, ec);
  if (ec) {
    spdlog::critical("cannot create data_dir {}: {}", cfg.broker.data_dir, ec.message());
    return exit_runtime;
  }
  auto st = mab::store::open_sqlite({cfg.resolve(cfg.broker.sqlite_path), true});
  if (!st) {
    spdlog::critical("cannot open the store: {}", st.message());
    return exit_runtime;
  }
  auto cal = mab::calendar::calendar::make(cfg.ledger.calendar_settings);
  if (!cal) {
    spdlog::critical("calendar: {}", cal.message());
    return exit_config;
  }
  mab::system_clock_source clk;
  mab::broker::broker brk(cfg, **st, clk, k.signer, k.keyer, *cal);
  boost::asio::io_context io(1);
  mab::transport::server srv(io, cfg, brk);
  if (auto s = srv.start(k.curve_secret); !s) {
    spdlog::critical("{}", s.message());
    return exit_runtime;
  }
  // Tests and scripts that bind port "*" read the real endpoint here.
  std::ofstream(cfg.resolve("mabd.endpoint"), std::ios::trunc) << srv.endpoint() << "\n";
  std::optional<mab::mabd::operator_http> web;
  if (cfg.http.enabled) web.emplace(io, cfg, brk);
  reloader reloads(io, cfg, web ? &*web : nullptr);
  if (web) {
    web->set_reload([&reloads](const std::string& by) { return reloads.reload(by); });
    if (auto s = web->start(); !s) {
      spdlog::critical("{}", s.message());
      return exit_runtime;
    }
    std::ofstream(cfg.resolve("mabd.http"), std::ios::trunc) << web->url() << "\n";
  }
  boost::asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&](const boost::system::error_code& error, int sig) {
    if (error) return;
    spdlog::info("signal {}: draining and stopping", sig);
    mab::notify::send("STOPPING=1");
    if (web) web->stop();
    srv.stop();
    io.stop();
  });
  boost::asio::steady_timer watchdog(io);
  if (auto every = mab::notify::watchdog_interval()) ping_watchdog(watchdog, *every / 2);
  spdlog::info("mabd ready: listening on {}, {} agencies, {} routes, broker key {}, control {}{}",
               srv.endpoint(), cfg.agencies.size(), cfg.routes.size(), k.signer.key_id(),
               cfg.control_endpoint(), web ? ", operator API " + web->url() : std::string());
  mab::notify::send("READY=1\nSTATUS=serving on " + srv.endpoint());
  io.run();
  const auto& c = brk.counters();
  spdlog::info("mabd stopped: {} accepted, {} duplicates, {} rejected, {} acknowledged", c.accepted,
               c.duplicates, c.rejected, c.acks);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"mabd: the Multi-Agency Broker daemon. Verifies, stores and routes signed "
               "safeguarding notifications between agencies."};
  std::string config_path;
  bool validate_only = false;
  std::string log_format;
  std::string log_level;
  app.add_option("-c,--config", config_path, "Broker configuration file (TOML)")->required();
  app.add_flag("--validate-config", validate_only,
               "Check the configuration and key files, print the result and exit (0 = valid)");
  app.add_option("--log-format", log_format, "human or json (overrides [broker] log_format)");
  app.add_option("--log-level", log_level, "trace, debug, info, warn or error (overrides config)");
  CLI11_PARSE(app, argc, argv);

  auto loaded = mab::config::load(config_path);
  if (!loaded.errors.empty()) {
    for (const auto& e : loaded.errors) std::cerr << e << "\n";
    std::cerr << "mabd: configuration has " << loaded.errors.size() << " error(s)\n";
    return exit_config;
  }
  auto& cfg = *loaded.cfg;  // not const: a reload updates it in place
  auto k = load_keys(cfg);
  if (!k) {
    std::cerr << config_path << ": " << k.message() << "\n";
    return exit_config;
  }
  if (auto s = check_http_files(cfg); !s) {
    std::cerr << config_path << ": " << s.message() << "\n";
    return exit_config;
  }
  if (validate_only) {
    std::cout << config_path << ": valid (" << cfg.agencies.size() << " agencies, "
              << cfg.routes.size() << " routes, broker signing key " << k->signer.key_id() << ")\n";
    return 0;
  }
  if (auto s = mab::logging::setup(log_format.empty() ? cfg.broker.log_format : log_format,
                                   log_level.empty() ? cfg.broker.log_level : log_level);
      !s) {
    std::cerr << "mabd: " << s.message() << "\n";
    return exit_config;
  }
  return serve(cfg, *k);
}
