// The report as the CLI prints it.
#include "daemon/audit/audit.h"

namespace mab::audit {

namespace {

std::string count(std::uint64_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

std::string to_text(const report& r) {
  std::string out;
  for (const finding& f : r.findings) out += f.detail + "\n";
  const std::size_t problems = r.findings.size();
  out += "audit: " + count(r.entries, "entry", "entries") + ", " +
         count(r.checkpoints, "checkpoint", "checkpoints") + " verified: " +
         (problems == 0 ? std::string("OK") : count(problems, "problem", "problems"));
  return out + "\n";
}

}  // namespace mab::audit
