// The run over bundle files (see rules.h: processor).
#include <fstream>
#include <iostream>
#include <iterator>

#include <nlohmann/json.hpp>

#include "adapters/health/rules.h"

namespace mab::health {
namespace {

days_time day(seconds_time t) { return std::chrono::floor<std::chrono::days>(t); }

}  // namespace

// One file's working set: the patient records and households it touched, loaded from the
// state on first use and saved together at the end.
class processor::file_run {
 public:
  file_run(processor& p, const std::string& name, const bundle& b)
      : p_(p), name_(name), b_(b), progress_(std::cerr, name, p.progress_every_) {}

  void row() { progress_.row(); }
  status patients();
  status appointments();
  status encounters();
  status save();

 private:
  result<patient_record*> record(const std::string& nhs_number);
  result<bool> known(const std::string& household);
  // Sends; once the broker has the concern the patient's household is known.
  status send(const patient& pt, const std::string& key, mab::v1::Notification n,
              std::uint64_t entry);

  processor& p_;
  const std::string& name_;
  const bundle& b_;
  kit::progress progress_;
  std::map<std::string, patient_record> records_;  // by NHS number
  // Household key -> NHS numbers of the children concerns were sent about; nullopt: unknown.
  std::map<std::string, std::optional<std::set<std::string>>> households_;
};

result<patient_record*> processor::file_run::record(const std::string& nhs_number) {
  if (auto it = records_.find(nhs_number); it != records_.end()) return &it->second;
  auto stored = p_.state_.entity("patient/" + nhs_number);
  if (!stored) return stored.err();
  patient_record r;
  if (stored->has_value()) {
    auto parsed = patient_record::from_json(**stored);
    if (!parsed) return make_error("patient/" + nhs_number + ": " + parsed.message());
    r = std::move(parsed).value();
  }
  return &records_.emplace(nhs_number, std::move(r)).first->second;
}

result<bool> processor::file_run::known(const std::string& household) {
  if (auto it = households_.find(household); it != households_.end()) {
    return it->second.has_value();
  }
  auto stored = p_.state_.entity("household/" + household);
  if (!stored) return stored.err();
  std::optional<std::set<std::string>> children;
  if (stored->has_value()) {
    try {
      children = nlohmann::json::parse(**stored).at("children").get<std::set<std::string>>();
    } catch (const nlohmann::json::exception& e) {
      return make_error("household/" + household + ": corrupt state: " + e.what());
    }
  }
  return households_.emplace(household, std::move(children)).first->second.has_value();
}

status processor::file_run::send(const patient& pt, const std::string& key,
                                 mab::v1::Notification n, std::uint64_t entry) {
  auto out = p_.send_(key, std::move(n), name_, entry);
  if (!out) return out.err();
  const std::string home = household_key(pt);
  if (*out == kit::outcome::rejected || home.empty()) return ok_status();
  if (auto k = known(home); !k) return k.err();
  auto& children = households_[home];
  if (!children) children.emplace();
  children->insert(pt.nhs_number);
  return ok_status();
}

status processor::file_run::patients() {
  for (const auto& pt : b_.patients) {
    row();
    auto rec = record(pt.nhs_number);
    if (!rec) return rec.err();
    patient_record& r = **rec;
    const std::string home = household_key(pt);
    if (!home.empty() && is_child(pt.born, day(b_.timestamp))) {
      auto k = known(home);
      if (!k) return k.err();
      const auto kind = *k ? household_signal(pt, r, b_.timestamp, p_.settings_) : std::nullopt;
      if (kind) {
        auto s = send(pt, household_signal_key(pt, *kind),
                      household_concern(pt, p_.area_, p_.settings_, *kind), pt.entry);
        if (!s) return s;
      }
    }
    r.seen = true;
    r.household = home;
    r.gp_ods = pt.gp_ods;
  }
  return ok_status();
}

status processor::file_run::appointments() {
  // NHS number -> (patient index, entry of its latest noshow here): whom to judge afterwards.
  std::map<std::string, std::pair<std::size_t, std::uint64_t>> touched;
  for (const auto& a : b_.appointments) {
    row();
    const patient& pt = b_.patients[a.patient];
    if (!is_child(pt.born, day(a.start.value_or(b_.timestamp)))) {
      ++p_.summary_.skipped;
      continue;
    }
    auto rec = record(pt.nhs_number);
    if (!rec) return rec.err();
    if (a.status == "noshow") {
      (*rec)->noshows[a.id] = noshow{a.id, a.service, *a.start};
      touched[pt.nhs_number] = {a.patient, a.entry};
    } else {
      (*rec)->noshows.erase(a.id);  // a later export corrected it: not missed after all
    }
  }
  const auto& s = p_.settings_;
  for (const auto& [nhs, where] : touched) {
    const auto w = worst_window(records_.at(nhs), s.not_brought_window_days);
    if (w.count < s.not_brought_threshold) continue;
    const patient& pt = b_.patients[where.first];
    auto sent = send(pt, not_brought_key(pt, w.count), not_brought_concern(pt, p_.area_, s, w),
                     where.second);
    if (!sent) return sent;
  }
  return ok_status();
}

status processor::file_run::encounters() {
  for (const auto& e : b_.encounters) {
    row();
    const patient& pt = b_.patients[e.patient];
    const auto kind = emergency_kind(e, p_.settings_);
    if (!kind || !is_child(pt.born, day(e.start))) {
      ++p_.summary_.skipped;
      continue;
    }
    auto s = send(pt, encounter_key(e), emergency_concern(pt, p_.area_, p_.settings_, e, *kind),
                  e.entry);
    if (!s) return s;
  }
  return ok_status();
}

status processor::file_run::save() {
  return p_.state_.in_transaction([&]() -> status {
    for (const auto& [nhs, r] : records_) {
      if (auto s = p_.state_.put_entity("patient/" + nhs, r.to_json()); !s) return s;
    }
    for (const auto& [key, children] : households_) {
      if (!children) continue;
      const std::string json = nlohmann::json{{"children", *children}}.dump();
      if (auto s = p_.state_.put_entity("household/" + key, json); !s) return s;
    }
    return ok_status();
  });
}

processor::processor(settings s, std::string area, kit::state& st, kit::rejects& rj,
                     kit::summary& sum, send_fn send, bool persist, std::uint64_t progress_every)
    : settings_(std::move(s)),
      area_(std::move(area)),
      state_(st),
      rejects_(rj),
      summary_(sum),
      send_(std::move(send)),
      persist_(persist),
      progress_every_(progress_every) {}

void processor::reject(const std::string& file, std::uint64_t line, const std::string& reason) {
  rejects_.add(file, line, reason);
  ++summary_.rejected;
}

status processor::process(const std::string& name, std::string_view text) {
  auto b = parse_bundle(text);
  if (!b) {
    reject(name, 0, b.message() + "; file skipped");
    return ok_status();
  }
  summary_.rows_read += b->entries;
  file_run run(*this, name, *b);
  for (const auto& problem : b->problems) {
    run.row();
    reject(name, problem.entry, problem.reason);
  }
  for (std::size_t i = 0; i < b->ignored.size(); ++i) run.row();
  summary_.skipped += b->ignored.size();
  if (auto s = run.patients(); !s) return s;
  if (auto s = run.appointments(); !s) return s;
  if (auto s = run.encounters(); !s) return s;
  if (!persist_) return ok_status();
  return run.save();
}

status processor::process_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    reject(path, 0, "cannot read the file");
    return ok_status();
  }
  const std::string text(std::istreambuf_iterator<char>(in), {});
  return process(path, text);
}

}  // namespace mab::health
