// watch: a drop folder, each file processed once, oldest first, never leaving the folder.
#include <algorithm>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "adapters/kit/kit.h"

namespace mab::kit {
namespace {

namespace fs = std::filesystem;

struct candidate {
  fs::file_time_type mtime;
  std::string name;
  std::string fingerprint;
  std::string refusal;  // non-empty: refuse instead of handling
};

bool unsafe_name(const std::string& name) {
  return name.find('/') != std::string::npos || name.find('\\') != std::string::npos ||
         name.find("..") != std::string::npos;
}

}  // namespace

result<std::uint64_t> watch_once(const std::string& folder, state& st, rejects& rj,
                                 const file_handler& handle, bool record) {
  std::error_code ec;
  std::vector<candidate> found;
  for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.empty() || name.front() == '.') continue;
    std::error_code sec;
    const auto link_status = fs::symlink_status(it->path(), sec);
    if (sec) continue;  // vanished
    candidate c;
    c.name = name;
    if (fs::is_symlink(link_status)) {
      c.refusal = "symbolic link refused";
      c.fingerprint = name + "\nsymlink";
    } else if (!fs::is_regular_file(link_status)) {
      continue;
    } else {
      c.mtime = fs::last_write_time(it->path(), sec);
      const auto size = fs::file_size(it->path(), sec);
      if (sec) continue;
      c.fingerprint = name + "\n" + std::to_string(size) + "\n" +
                      std::to_string(c.mtime.time_since_epoch().count());
    }
    if (unsafe_name(name)) c.refusal = "file name with a path separator or '..' refused";
    found.push_back(std::move(c));
  }
  if (ec) return make_error(folder + ": cannot read drop folder: " + ec.message());
  std::sort(found.begin(), found.end(), [](const candidate& a, const candidate& b) {
    return a.mtime != b.mtime ? a.mtime < b.mtime : a.name < b.name;
  });
  std::uint64_t handled = 0;
  for (const auto& c : found) {
    auto done = st.file_done(c.fingerprint);
    if (!done) return done.err();
    if (*done) continue;
    if (!c.refusal.empty()) {
      rj.add((fs::path(folder) / c.name).string(), 0, c.refusal);
      if (!record) continue;
      if (auto s = st.mark_file_done(c.fingerprint, "refused: " + c.refusal); !s) return s.err();
      continue;
    }
    if (auto s = handle((fs::path(folder) / c.name).string()); !s) return s.err();
    ++handled;
    if (!record) continue;
    if (auto s = st.mark_file_done(c.fingerprint, "processed"); !s) return s.err();
  }
  return handled;
}

status watch(const std::string& folder, std::chrono::milliseconds interval,
             const std::atomic<bool>& stop, state& st, rejects& rj, const file_handler& handle) {
  while (!stop.load()) {
    auto r = watch_once(folder, st, rj, handle);
    if (!r) return r.err();
    const auto until = std::chrono::steady_clock::now() + interval;
    while (!stop.load() && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(
          std::min<std::chrono::milliseconds>(std::chrono::milliseconds(100), interval));
    }
  }
  return ok_status();
}

}  // namespace mab::kit
