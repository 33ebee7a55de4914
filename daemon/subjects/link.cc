// Linking: one notification's keys all belong to one subject afterwards.
#include <algorithm>

#include "daemon/subjects/subjects.h"

namespace mab::subjects {

link_result plan_link(const key_mapping& key_to_existing_subject, std::uint64_t next_id) {
  link_result r;
  if (key_to_existing_subject.empty()) return r;
  std::vector<std::uint64_t> known;
  for (const auto& [key, subject] : key_to_existing_subject) {
    if (subject) {
      known.push_back(*subject);
    } else if (std::find(r.new_keys.begin(), r.new_keys.end(), key) == r.new_keys.end()) {
      r.new_keys.push_back(key);
    }
  }
  if (known.empty()) {
    r.subject = next_id;
    r.created = true;
    return r;
  }
  std::sort(known.begin(), known.end());
  known.erase(std::unique(known.begin(), known.end()), known.end());
  // The oldest subject survives: its id is the one most rows, flags and people already use.
  r.subject = known.front();
  r.merged_away.assign(known.begin() + 1, known.end());
  return r;
}

std::uint64_t index::root(std::uint64_t id) const {
  // Terminates: a subject is only ever merged into a lower id.
  for (auto it = merged_into_.find(id); it != merged_into_.end(); it = merged_into_.find(id)) {
    id = it->second;
  }
  return id;
}

std::optional<std::uint64_t> index::find(const std::string& key) const {
  auto it = key_subject_.find(key);
  if (it == key_subject_.end()) return std::nullopt;
  return root(it->second);
}

link_result index::link(const std::vector<std::string>& keys) {
  key_mapping current;
  current.reserve(keys.size());
  for (const auto& key : keys) current.emplace_back(key, find(key));
  link_result r = plan_link(current, next_id_);
  if (r.subject == 0) return r;
  if (r.created) ++next_id_;
  for (auto id : r.merged_away) merged_into_[id] = r.subject;
  // Pointing the given keys straight at the survivor is the path compression that matters:
  // the next lookup of any of them is one step.
  for (const auto& key : keys) key_subject_[key] = r.subject;
  return r;
}

}  // namespace mab::subjects
