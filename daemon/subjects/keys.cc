// Subject keys and fact keys of one notification's subject.
#include <algorithm>

#include "daemon/subjects/subjects.h"

namespace mab::subjects {
namespace {

// The local ids of a subject, normalised, sorted and de-duplicated, so the order of keys does
// not depend on the order the sender listed them in.
std::vector<std::pair<std::string, std::string>> normalized_local_ids(const mab::v1::Subject& s) {
  std::vector<std::pair<std::string, std::string>> ids;
  for (const auto& local : s.local_ids()) {
    std::string system = normalize_local_system(local.system());
    std::string value = normalize_local_value(local.value());
    // A NUL in the system would let "local:a\0b" + "c" collide with "local:a" + "b\0c".
    if (system.empty() || value.empty() || system.find('\0') != std::string::npos) continue;
    ids.emplace_back(std::move(system), std::move(value));
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

void add_fact(std::vector<fact>& out, const keyer& k, std::string name, std::string value) {
  if (value.empty()) return;
  std::string value_key = k.key("fact:" + name, value);
  out.push_back(fact{std::move(name), std::move(value_key)});
}

}  // namespace

std::vector<std::string> identifier_keys(const keyer& k, const mab::v1::Subject& s) {
  std::vector<std::string> keys;
  if (auto nhs = normalize_nhs_number(s.nhs_number()); !nhs.empty()) {
    keys.push_back(k.key("nhs", nhs));
  }
  if (auto upn = normalize_upn(s.upn()); !upn.empty()) keys.push_back(k.key("upn", upn));
  for (const auto& [system, value] : normalized_local_ids(s)) {
    keys.push_back(k.key("local:" + system, value));
  }
  return keys;
}

std::vector<fact> fact_keys(const keyer& k, const mab::v1::Subject& s) {
  std::vector<fact> facts;
  // Dates are compared as given, only trimmed: validate has already required YYYY-MM-DD.
  add_fact(facts, k, "date_of_birth", normalize_local_value(s.date_of_birth()));
  add_fact(facts, k, "ethnicity", normalize_text(s.ethnicity()));
  add_fact(facts, k, "family_name", normalize_text(s.family_name()));
  add_fact(facts, k, "given_name", normalize_text(s.given_name()));
  return facts;
}

}  // namespace mab::subjects
