// run_app: the shared body of every reference adapter's main(), so that each adapter's own code
// is its parsing and its decisions, and every adapter behaves the same way on the command line.
#include <atomic>
#include <csignal>
#include <iostream>

#include <CLI/CLI.hpp>

#include "adapters/kit/kit.h"

namespace mab::kit {
namespace {

constexpr int exit_ok = 0;
constexpr int exit_failure = 1;
constexpr int exit_usage = 64;

std::atomic<bool> stop_requested{false};
extern "C" void on_stop_signal(int) { stop_requested.store(true); }

struct args {
  std::string config;
  std::vector<std::string> files;
  bool watch = false;
  double interval = 60;
  bool dry_run = false;
};

int fail(const app_spec& spec, const std::string& message) {
  std::cerr << spec.name << ": " << message << "\n";
  return exit_failure;
}

int run(const app_spec& spec, const args& a) {
  auto cfg = load_config(a.config, spec.extra_tables);
  if (!cfg) {
    std::cerr << cfg.message() << "\n";  // already "file:line: field: rule" lines
    return exit_failure;
  }
  if (a.watch && cfg->drop_folder.empty()) {
    return fail(spec, a.config + ": adapter.drop_folder: is required for --watch");
  }
  auto st = state::open(cfg->state_file);
  if (!st) return fail(spec, st.message());
  auto rj = rejects::open(cfg->reject_file);
  if (!rj) return fail(spec, rj.message());

  // The client is connected after setup succeeded; the sender only needs its address.
  std::unique_ptr<sdk::client> client;
  summary sum;
  sender out(spec.adapter + ":" + cfg->broker.agency, **st, **rj, sum, nullptr, std::cout);
  app_context ctx{*cfg, **st, **rj, sum, out, a.dry_run};
  auto handle = spec.setup(ctx);
  if (!handle) {
    std::cerr << handle.message() << "\n";
    return exit_failure;
  }
  if (!a.dry_run) {
    auto c = sdk::client::connect(cfg->broker);
    if (!c) return fail(spec, c.message());
    client = std::move(c).value();
    out.use_client(client.get());
  }

  status done = ok_status();
  if (a.watch) {
    std::signal(SIGINT, on_stop_signal);
    std::signal(SIGTERM, on_stop_signal);
    const auto interval = std::chrono::milliseconds(static_cast<std::int64_t>(a.interval * 1000));
    // A watch runs for days: each file gets its own summary line as it is done, not only the
    // total when the watch is stopped.
    const file_handler each = [&](const std::string& path) {
      const summary before = sum;
      status s = (*handle)(path);
      std::cerr << spec.name << ": " << path << ": " << (sum - before).text() << std::endl;
      return s;
    };
    if (a.dry_run) {  // nothing is recorded, so one pass shows what would be sent
      auto once = watch_once(cfg->drop_folder, **st, **rj, each, false);
      if (!once) done = once.err();
    } else {
      done = watch(cfg->drop_folder, interval, stop_requested, **st, **rj, each);
    }
  } else {
    const auto files = spec.order_files ? spec.order_files(a.files) : a.files;
    for (const auto& f : files) {
      done = (*handle)(f);
      if (!done) break;
    }
  }
  std::cout << std::flush;
  std::cerr << spec.name << ": " << sum.text()
            << (sum.rejected > 0 ? " (rejects in " + cfg->reject_file + ")" : std::string())
            << "\n";
  if (!done) return fail(spec, done.message());
  return exit_ok;
}

}  // namespace

int run_app(const app_spec& spec, int argc, char** argv) {
  CLI::App app{spec.description};
  app.name(spec.name);
  args a;
  app.add_option("--config", a.config, "Adapter configuration file (TOML)")->required();
  app.add_option("files", a.files, "Export files to process, in order");
  app.add_flag("--watch", a.watch, "Process the drop folder ([adapter] drop_folder) until stopped");
  app.add_option("--interval", a.interval, "Seconds between drop-folder scans")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 86400.0));
  app.add_flag("--dry-run", a.dry_run, "Print each notification as JSON; send and record nothing");
  app.footer(
      "Exit status: 0 it ran (rejected rows are in the reject file), 1 it could not "
      "(configuration, state file, connection), 64 usage.");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    (void)app.exit(e);
    return exit_usage;
  }
  if (a.watch == !a.files.empty()) {
    std::cerr << spec.name << ": give FILE... or --watch (one of them)\n" << app.help();
    return exit_usage;
  }
  return run(spec, a);
}

}  // namespace mab::kit
