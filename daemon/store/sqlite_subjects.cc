#include "daemon/store/sqlite_subjects.h"

#include <algorithm>
#include <utility>

#include "daemon/store/sqlite_rows.h"

namespace mab::store::sqlite {
namespace {

using rows::to_i64;
using rows::to_u64;

std::string subject_name(std::uint64_t id) { return "subject " + std::to_string(id); }

result<contact_record> read_contact(const statement& st) {
  contact_record c;
  c.agency = st.text(0);
  c.first_at = from_unix_ms(st.int64(1));
  c.last_at = from_unix_ms(st.int64(2));
  return c;
}

result<fact_record> read_fact(const statement& st) {
  fact_record f;
  f.name = st.text(0);
  f.value_key = st.text(1);
  f.agency = st.text(2);
  f.at = from_unix_ms(st.int64(3));
  return f;
}

// What merging needs to know of one subject row.
struct subject_row {
  std::int64_t created_at_ms = 0;
  std::optional<std::string> area;
  std::optional<std::int64_t> area_at_ms;
};

result<std::optional<subject_row>> select_subject_row(connection& db, std::uint64_t subject,
                                                      const char* op) {
  auto st = db.prepare(
      "SELECT created_at_ms, area, area_at_ms FROM subjects WHERE subject_id = ?", op);
  if (!st) return st.err();
  st->bind(to_i64(subject));
  auto row = st->step();
  if (!row) return row.err();
  if (!*row) return std::optional<subject_row>();
  subject_row r;
  r.created_at_ms = st->int64(0);
  if (!st->is_null(1)) r.area = st->text(1);
  if (!st->is_null(2)) r.area_at_ms = st->int64(2);
  return std::optional<subject_row>(std::move(r));
}

// Runs `sql`, whose parameters are (into, from) or just (from) when `with_into` is false.
status run_merge_step(connection& db, const char* sql, const char* op, std::uint64_t into,
                      std::uint64_t from, bool with_into = true) {
  auto st = db.prepare(sql, op);
  if (!st) return st.err();
  if (with_into) st->bind(to_i64(into));
  st->bind(to_i64(from));
  return st->run();
}

}  // namespace

result<std::optional<std::uint64_t>> select_subject_for_key(connection& db,
                                                            const std::string& key) {
  auto st = db.prepare("SELECT subject_id FROM subject_keys WHERE key = ?", "subject_for_key");
  if (!st) return st.err();
  st->bind_text(key);
  auto row = st->step();
  if (!row) return row.err();
  if (!*row) return std::optional<std::uint64_t>();
  return std::optional<std::uint64_t>(to_u64(st->int64(0)));
}

result<std::uint64_t> insert_subject(connection& db, time_point at) {
  constexpr const char* op = "new_subject";
  auto st = db.prepare("INSERT INTO subjects (created_at_ms) VALUES (?) RETURNING subject_id", op);
  if (!st) return st.err();
  st->bind(to_unix_ms(at));
  auto row = st->step();
  if (!row) return row.err();
  if (!*row) return make_error(std::string(op) + ": insert returned no id");
  const auto id = to_u64(st->int64(0));
  if (auto s = st->run(); !s) return s.err();
  return id;
}

status upsert_subject_key(connection& db, const std::string& key, std::uint64_t subject) {
  constexpr const char* op = "map_key";
  auto existing = select_subject_row(db, subject, op);
  if (!existing) return existing.err();
  if (!*existing) return make_error(std::string(op) + ": no " + subject_name(subject));
  auto st = db.prepare(
      "INSERT INTO subject_keys (key, subject_id) VALUES (?, ?) "
      "ON CONFLICT (key) DO UPDATE SET subject_id = excluded.subject_id",
      op);
  if (!st) return st.err();
  st->bind_text(key).bind(to_i64(subject));
  return st->run();
}

status merge_subject_rows(connection& db, std::uint64_t into, std::uint64_t from) {
  constexpr const char* op = "merge_subjects";
  auto to_row = select_subject_row(db, into, op);
  if (!to_row) return to_row.err();
  if (!*to_row) return make_error(std::string(op) + ": no " + subject_name(into));
  if (into == from) return ok_status();
  auto from_row = select_subject_row(db, from, op);
  if (!from_row) return from_row.err();
  if (!*from_row) return make_error(std::string(op) + ": no " + subject_name(from));

  // Plain SQL both SQLite and PostgreSQL accept: CASE rather than MIN/LEAST, and the
  // INSERT ... SELECT carries a WHERE so SQLite parses its ON CONFLICT as an upsert.
  constexpr const char* steps[] = {
      "UPDATE subject_keys SET subject_id = ? WHERE subject_id = ?",
      "INSERT INTO subject_contacts (subject_id, agency, first_at_ms, last_at_ms) "
      "SELECT ?, agency, first_at_ms, last_at_ms FROM subject_contacts WHERE subject_id = ? "
      "ON CONFLICT (subject_id, agency) DO UPDATE SET "
      "first_at_ms = CASE WHEN excluded.first_at_ms < subject_contacts.first_at_ms "
      "THEN excluded.first_at_ms ELSE subject_contacts.first_at_ms END, "
      "last_at_ms = CASE WHEN excluded.last_at_ms > subject_contacts.last_at_ms "
      "THEN excluded.last_at_ms ELSE subject_contacts.last_at_ms END",
      "INSERT INTO subject_facts (subject_id, name, value_key, agency, at_ms) "
      "SELECT ?, name, value_key, agency, at_ms FROM subject_facts WHERE subject_id = ? "
      "ON CONFLICT (subject_id, name, value_key, agency) DO NOTHING",
      "UPDATE transfers SET subject_id = ? WHERE subject_id = ?",
      "UPDATE subject_messages SET subject_id = ? WHERE subject_id = ?",
  };
  for (const char* sql : steps) {
    if (auto s = run_merge_step(db, sql, op, into, from); !s) return s;
  }
  constexpr const char* cleanup[] = {
      "DELETE FROM subject_contacts WHERE subject_id = ?",
      "DELETE FROM subject_facts WHERE subject_id = ?",
      "DELETE FROM subjects WHERE subject_id = ?",
  };
  for (const char* sql : cleanup) {
    if (auto s = run_merge_step(db, sql, op, into, from, false); !s) return s;
  }

  // The merged subject is as old as the older of the two and lives where it was last reported.
  const subject_row& a = **to_row;
  const subject_row& b = **from_row;
  const std::int64_t created = std::min(a.created_at_ms, b.created_at_ms);
  const bool take_area = b.area_at_ms && (!a.area_at_ms || *b.area_at_ms > *a.area_at_ms);
  auto st = db.prepare(
      "UPDATE subjects SET created_at_ms = ?, area = ?, area_at_ms = ? WHERE subject_id = ?", op);
  if (!st) return st.err();
  st->bind(created);
  const auto& area = take_area ? b.area : a.area;
  const auto& area_at = take_area ? b.area_at_ms : a.area_at_ms;
  if (area) {
    st->bind_text(*area);
  } else {
    st->bind_null();
  }
  if (area_at) {
    st->bind(*area_at);
  } else {
    st->bind_null();
  }
  st->bind(to_i64(into));
  return st->run();
}

result<std::optional<std::string>> select_subject_area(connection& db, std::uint64_t subject) {
  auto row = select_subject_row(db, subject, "subject_area");
  if (!row) return row.err();
  if (!*row) return std::optional<std::string>();
  return (*row)->area;
}

status update_subject_area(connection& db, std::uint64_t subject, const std::string& area,
                           time_point at) {
  constexpr const char* op = "set_subject_area";
  auto st = db.prepare("UPDATE subjects SET area = ?, area_at_ms = ? WHERE subject_id = ?", op);
  if (!st) return st.err();
  st->bind_text(area).bind(to_unix_ms(at)).bind(to_i64(subject));
  return rows::require_row(rows::run_update(db, *st), op, subject_name(subject));
}

status upsert_contact(connection& db, std::uint64_t subject, const std::string& agency,
                      time_point at) {
  auto st = db.prepare(
      "INSERT INTO subject_contacts (subject_id, agency, first_at_ms, last_at_ms) "
      "VALUES (?, ?, ?, ?) ON CONFLICT (subject_id, agency) DO UPDATE SET "
      "first_at_ms = CASE WHEN excluded.first_at_ms < subject_contacts.first_at_ms "
      "THEN excluded.first_at_ms ELSE subject_contacts.first_at_ms END, "
      "last_at_ms = CASE WHEN excluded.last_at_ms > subject_contacts.last_at_ms "
      "THEN excluded.last_at_ms ELSE subject_contacts.last_at_ms END",
      "add_contact");
  if (!st) return st.err();
  const auto ms = to_unix_ms(at);
  st->bind(to_i64(subject)).bind_text(agency).bind(ms).bind(ms);
  return st->run();
}

result<std::vector<contact_record>> select_contacts(connection& db, std::uint64_t subject,
                                                    time_point since) {
  auto st = db.prepare(
      "SELECT agency, first_at_ms, last_at_ms FROM subject_contacts "
      "WHERE subject_id = ? AND last_at_ms >= ? ORDER BY first_at_ms, agency",
      "contacts");
  if (!st) return st.err();
  st->bind(to_i64(subject)).bind(to_unix_ms(since));
  return rows::read_all(*st, read_contact);
}

status insert_fact(connection& db, std::uint64_t subject, const fact_record& f) {
  auto st = db.prepare(
      "INSERT INTO subject_facts (subject_id, name, value_key, agency, at_ms) "
      "VALUES (?, ?, ?, ?, ?) ON CONFLICT (subject_id, name, value_key, agency) DO NOTHING",
      "add_fact");
  if (!st) return st.err();
  st->bind(to_i64(subject)).bind_text(f.name).bind_text(f.value_key).bind_text(f.agency);
  st->bind(to_unix_ms(f.at));
  return st->run();
}

result<std::vector<fact_record>> select_facts(connection& db, std::uint64_t subject) {
  auto st = db.prepare(
      "SELECT name, value_key, agency, at_ms FROM subject_facts WHERE subject_id = ? "
      "ORDER BY at_ms, name, agency, value_key",
      "facts");
  if (!st) return st.err();
  st->bind(to_i64(subject));
  return rows::read_all(*st, read_fact);
}

status insert_subject_message(connection& db, std::uint64_t subject, std::uint64_t seq) {
  auto st = db.prepare(
      "INSERT INTO subject_messages (seq, subject_id) VALUES (?, ?) ON CONFLICT (seq) DO NOTHING",
      "link_message");
  if (!st) return st.err();
  st->bind(to_i64(seq)).bind(to_i64(subject));
  return st->run();
}

result<std::optional<message_record>> select_latest_subject_message(connection& db,
                                                                    std::uint64_t subject) {
  static const std::string select = std::string("SELECT ") + rows::message_columns +
                                    " FROM subject_messages s JOIN messages m ON m.seq = s.seq "
                                    "WHERE s.subject_id = ? ORDER BY s.seq DESC LIMIT 1";
  auto st = db.prepare(select.c_str(), "latest_message_about");
  if (!st) return st.err();
  st->bind(to_i64(subject));
  auto row = st->step();
  if (!row) return row.err();
  if (!*row) return std::optional<message_record>();
  return std::optional<message_record>(rows::read_message(*st));
}

}  // namespace mab::store::sqlite
