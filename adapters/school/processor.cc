// The school processor (see rules.h): export files in, per-pupil state updated, concerns offered
// to the sender once per source key.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "adapters/school/rows.h"
#include "adapters/school/rules.h"

namespace mab::school {
namespace {

// UTC calendar date of `t` as YYYY-MM-DD.
std::string iso_date(time_point t) {
  const std::chrono::year_month_day ymd{std::chrono::floor<std::chrono::days>(t)};
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return text;
}

// The next line without its line ending; false at the end of the input.
bool next_line(std::istream& in, std::string& line, std::uint64_t& number) {
  if (!std::getline(in, line)) return false;
  ++number;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return true;
}

// Spreadsheets save empty rows as a line of commas; they hold nothing to reject.
bool blank(const std::string& line) {
  return line.find_first_not_of(" \t,") == std::string::npos;
}

export_kind kind_of_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string first;
  if (!in || !std::getline(in, first)) return export_kind::unknown;
  return kind_of_header(first);
}

}  // namespace

processor::processor(settings s, std::string area, kit::state& st, kit::rejects& rj,
                     kit::summary& sum, send_fn send, bool persist, const mab::clock& clock,
                     std::uint64_t progress_every)
    : settings_(std::move(s)),
      area_(std::move(area)),
      state_(st),
      rejects_(rj),
      summary_(sum),
      send_(std::move(send)),
      persist_(persist),
      clock_(clock),
      progress_every_(progress_every) {}

void processor::reject(const std::string& file, std::uint64_t line, const std::string& reason) {
  rejects_.add(file, line, reason);
  ++summary_.rejected;
}

result<pupil*> processor::load(const std::string& upn, touched_map& touched) {
  if (auto it = touched.find(upn); it != touched.end()) return &it->second;
  if (auto it = unsaved_.find(upn); it != unsaved_.end()) {
    return &touched.emplace(upn, it->second).first->second;
  }
  auto stored = state_.entity("pupil/" + upn);
  if (!stored) return stored.err();
  pupil p;
  if (stored->has_value()) {
    auto parsed = pupil::from_json(**stored);
    if (!parsed) return make_error("pupil/" + upn + ": " + parsed.message());
    p = std::move(parsed).value();
  }
  return &touched.emplace(upn, std::move(p)).first->second;
}

status processor::offer(const std::string& upn, const pupil& p, const std::string& file,
                        std::uint64_t line, bool end_of_export) {
  for (auto kind : over_thresholds(p, settings_)) {
    // A rate is a figure as of an export, not as of any row within it: judged row by row, a
    // full year's export would report every pupil who was ill for two days in September.
    const bool rate = kind == mab::v1::AttendanceConcern::PERSISTENT_ABSENCE ||
                      kind == mab::v1::AttendanceConcern::SEVERE_ABSENCE;
    if (rate && !end_of_export) continue;
    const std::string key = source_key(upn, p, kind);
    if (!offered_.insert(key).second) continue;
    // The sender would skip a recorded key too, but would count it as skipped once per row
    // for as long as the pupil stays over the threshold; the summary counts rows, not that.
    auto prior = state_.sent(key);
    if (!prior) return prior.err();
    if (prior->has_value()) continue;
    auto sent = send_(key, concern(upn, area_, p, kind, settings_), file, line);
    if (!sent) return sent.err();
  }
  return ok_status();
}

status processor::save(touched_map& touched) {
  if (!persist_) {
    for (auto& [upn, p] : touched) unsaved_[upn] = std::move(p);
    return ok_status();
  }
  return state_.in_transaction([&]() -> status {
    for (const auto& [upn, p] : touched) {
      if (auto s = state_.put_entity("pupil/" + upn, p.to_json()); !s) return s;
    }
    return ok_status();
  });
}

status processor::process(const std::string& name, std::istream& in) {
  std::string line;
  std::uint64_t number = 0;
  if (!next_line(in, line, number)) {
    if (in.bad()) return make_error(name + ": read error");
    reject(name, 0, "empty file; expected a register or pupil export");
    return ok_status();
  }
  const export_kind kind = kind_of_header(line);
  if (kind == export_kind::unknown) {
    reject(name, 1,
           std::string("expected the header '") + header + "' (register export) or '" +
               pupil_header + "' (pupil export); file skipped");
    return ok_status();
  }
  touched_map touched;
  const status done = kind == export_kind::registers ? process_register(name, in, touched)
                                                     : process_pupils(name, in, touched);
  if (!done) return done;
  if (in.bad()) return make_error(name + ": read error");
  return save(touched);
}

status processor::process_register(const std::string& name, std::istream& in,
                                   touched_map& touched) {
  std::set<std::string> seen_here;  // upn/date/session in this input
  std::map<std::string, std::uint64_t> last_line;  // upn -> its last row in this input
  kit::progress prog(std::cerr, name, progress_every_);
  std::string line;
  std::uint64_t number = 1;
  while (next_line(in, line, number)) {
    if (blank(line)) continue;
    ++summary_.rows_read;
    prog.row();
    auto r = parse_row(line, settings_);
    if (!r) {
      reject(name, number, r.message());
      continue;
    }
    const std::string session_key = r->upn + "/" + r->date + "/" + r->session;
    if (!seen_here.insert(session_key).second) {
      reject(name, number, "duplicate session " + session_key);
      continue;
    }
    auto p = load(r->upn, touched);
    if (!p) return p.err();
    pupil& pu = **p;
    if (pu.sessions.contains(r->date + "/" + r->session)) {
      ++summary_.skipped;  // counted by an earlier export
    } else {
      apply(pu, *r, settings_.codes.at(r->code), settings_);
    }
    last_line[r->upn] = number;
    // Offered for a skipped row too, so a crossing whose send was refused for a passing reason
    // (store full) is sent when the same export is run again.
    if (auto s = offer(r->upn, pu, name, number, false); !s) return s;
  }
  for (const auto& [upn, line_number] : last_line) {
    if (auto s = offer(upn, touched.at(upn), name, line_number, true); !s) return s;
  }
  return ok_status();
}

status processor::process_pupils(const std::string& name, std::istream& in,
                                 touched_map& touched) {
  std::map<std::string, std::uint64_t> seen_here;  // upn -> line in this input
  kit::progress prog(std::cerr, name, progress_every_);
  const std::string today = iso_date(clock_.now());
  std::string line;
  std::uint64_t number = 1;
  while (next_line(in, line, number)) {
    if (blank(line)) continue;
    ++summary_.rows_read;
    prog.row();
    auto r = parse_pupil_row(line, today);
    if (!r) {
      reject(name, number, r.message());
      continue;
    }
    if (auto [it, fresh] = seen_here.emplace(r->upn, number); !fresh) {
      reject(name, number, "upn: " + r->upn + " already on line " + std::to_string(it->second));
      continue;
    }
    auto p = load(r->upn, touched);
    if (!p) return p.err();
    pupil& pu = **p;
    if (pu.details == r->details) {
      ++summary_.skipped;  // nothing new since an earlier export
    } else {
      pu.details = std::move(r->details);
    }
    if (auto s = offer(r->upn, pu, name, number, true); !s) return s;
  }
  return ok_status();
}

status processor::process_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    reject(path, 0, "cannot read the file");
    return ok_status();
  }
  return process(path, in);
}

std::vector<std::string> pupil_exports_first(const std::vector<std::string>& paths) {
  std::vector<std::string> pupils, others;
  for (const auto& p : paths) {
    (kind_of_file(p) == export_kind::pupils ? pupils : others).push_back(p);
  }
  pupils.insert(pupils.end(), others.begin(), others.end());
  return pupils;
}

}  // namespace mab::school
