// summary: what a run did, as one line; progress: a heartbeat on stderr for large files.
#include <ostream>
#include <string>

#include "adapters/kit/kit.h"

namespace mab::kit {

std::string summary::text() const {
  return "rows_read=" + std::to_string(rows_read) + " sent=" + std::to_string(sent) +
         " duplicates=" + std::to_string(duplicates) + " skipped=" + std::to_string(skipped) +
         " rejected=" + std::to_string(rejected);
}

summary summary::operator-(const summary& earlier) const {
  summary d;
  d.rows_read = rows_read - earlier.rows_read;
  d.sent = sent - earlier.sent;
  d.duplicates = duplicates - earlier.duplicates;
  d.skipped = skipped - earlier.skipped;
  d.rejected = rejected - earlier.rejected;
  return d;
}

void progress::row() {
  ++rows_;
  if (every_ > 0 && rows_ % every_ == 0) err_ << label_ << ": " << rows_ << " rows" << std::endl;
}

}  // namespace mab::kit
