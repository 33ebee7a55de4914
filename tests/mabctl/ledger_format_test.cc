// mabctl's table and JSON-lines output for obligations and flags (and the shared table
// formatter that deadletters uses too), from canned mabd replies.
#include "adapters/mabctl/ledger_format.h"

#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace mab::mabctl {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// Where `needle` starts in `line`, in characters (UTF-8 aware), or npos.
std::size_t column_of(const std::string& line, const std::string& needle) {
  const auto at = line.find(needle);
  if (at == std::string::npos) return at;
  std::size_t chars = 0;
  for (std::size_t i = 0; i < at; ++i) {
    if ((static_cast<unsigned char>(line[i]) & 0xC0U) != 0x80U) ++chars;
  }
  return chars;
}

json obligations_reply() {
  return json::parse(R"({"ok":true,"obligations":[
    {"obligation_id":1,"kind":"referral_outcome","ref":"msg-1","subject_key":"sk_aaaa",
     "owed_by":"csc-e09","owed_to":"school-e09","opened_at":"2026-11-23T10:00:00Z",
     "due_at":"2026-11-26T10:00:00Z","state":"open","closed_at":null},
    {"obligation_id":12,"kind":"return_home_interview","ref":"msg-2","subject_key":"sk_bbbb",
     "owed_by":"police-met","owed_to":"csc-e09","opened_at":"2026-11-20T09:00:00Z",
     "due_at":null,"state":"overdue","closed_at":null}]})");
}

json flags_reply() {
  return json::parse(R"({"ok":true,"flags":[
    {"flag_id":3,"flag_type":"NO_FEEDBACK","subject_key":"sk_aaaa","owed_by":"csc-e09",
     "recipients":["school-e09","csc-e09"],"detail":"no outcome for referral msg-1",
     "raised_at":"2026-11-26T10:00:05Z","due_at":null,"state":"raised","cleared_at":null,
     "sends":2,"acked_by":"","ack_note":"","acked_at":null},
    {"flag_id":4,"flag_type":"OVERDUE_RHI","subject_key":"sk_bbbb","owed_by":"police-met",
     "recipients":[],"detail":"line one\nline two","raised_at":"2026-11-27T08:00:00Z",
     "due_at":"2026-11-28T08:00:00Z","state":"cleared","cleared_at":"2026-11-27T12:00:00Z",
     "sends":1,"acked_by":"j.smith","ack_note":"spoke to CSC","acked_at":"2026-11-27T11:00:00Z"}]})");
}

TEST(ledger_format, obligations_table_has_aligned_columns_in_order) {
  const auto lines = lines_of(format_obligations(obligations_reply(), list_output::table));
  ASSERT_EQ(lines.size(), 3U);
  const std::vector<std::string> titles = {"ID", "KIND", "OWED BY → OWED TO", "DUE", "STATE",
                                           "SUBJECT"};
  std::size_t prev = 0;
  for (std::size_t i = 0; i < titles.size(); ++i) {
    const auto at = column_of(lines[0], titles[i]);
    ASSERT_NE(at, std::string::npos) << titles[i];
    if (i > 0) {
      EXPECT_GT(at, prev) << titles[i];
    }
    prev = at;
  }
  // Every row's cells start exactly under their titles.
  EXPECT_EQ(column_of(lines[1], "referral_outcome"), column_of(lines[0], "KIND"));
  EXPECT_EQ(column_of(lines[2], "return_home_interview"), column_of(lines[0], "KIND"));
  EXPECT_EQ(column_of(lines[1], "csc-e09 → school-e09"), column_of(lines[0], "OWED BY"));
  EXPECT_EQ(column_of(lines[2], "police-met → csc-e09"), column_of(lines[0], "OWED BY"));
  EXPECT_EQ(column_of(lines[1], "2026-11-26T10:00:00Z"), column_of(lines[0], "DUE"));
  EXPECT_EQ(column_of(lines[1], "open"), column_of(lines[0], "STATE"));
  EXPECT_EQ(column_of(lines[2], "overdue"), column_of(lines[0], "STATE"));
  EXPECT_EQ(column_of(lines[1], "sk_aaaa"), column_of(lines[0], "SUBJECT"));
  EXPECT_EQ(column_of(lines[2], "sk_bbbb"), column_of(lines[0], "SUBJECT"));
  EXPECT_EQ(lines[1].rfind("1 ", 0), 0U);
  EXPECT_EQ(lines[2].rfind("12 ", 0), 0U);
  // A null due_at shows as "-"; the last column is not padded.
  EXPECT_EQ(column_of(lines[2], "-  "), column_of(lines[0], "DUE"));
  EXPECT_TRUE(lines[1].ends_with("sk_aaaa"));
  // Fields not in the table stay out of it.
  EXPECT_EQ(lines[1].find("msg-1"), std::string::npos);
}

TEST(ledger_format, obligations_empty_says_so) {
  EXPECT_EQ(format_obligations(json::parse(R"({"ok":true,"obligations":[]})"), list_output::table),
            "no obligations\n");
  EXPECT_EQ(format_obligations(json::parse(R"({"ok":true})"), list_output::table),
            "no obligations\n");
  EXPECT_EQ(
      format_obligations(json::parse(R"({"ok":true,"obligations":[]})"), list_output::json_lines),
      "");
}

TEST(ledger_format, obligations_json_lines_keep_every_field_in_order) {
  const auto lines = lines_of(format_obligations(obligations_reply(), list_output::json_lines));
  ASSERT_EQ(lines.size(), 2U);
  EXPECT_EQ(lines[0],
            R"({"obligation_id":1,"kind":"referral_outcome","ref":"msg-1","subject_key":"sk_aaaa",)"
            R"("owed_by":"csc-e09","owed_to":"school-e09","opened_at":"2026-11-23T10:00:00Z",)"
            R"("due_at":"2026-11-26T10:00:00Z","state":"open","closed_at":null})");
  for (const auto& line : lines) {
    const auto row = json::parse(line);
    EXPECT_TRUE(row.is_object());
    EXPECT_TRUE(row.contains("ref"));
  }
}

TEST(ledger_format, flags_table_has_aligned_columns_in_order) {
  const auto lines = lines_of(format_flags(flags_reply(), list_output::table));
  ASSERT_EQ(lines.size(), 3U);  // the newline in a detail does not break a row
  const std::vector<std::string> titles = {"ID",     "TYPE",       "STATE", "OWED BY",
                                           "RAISED", "RECIPIENTS", "DETAIL"};
  std::size_t prev = 0;
  for (std::size_t i = 0; i < titles.size(); ++i) {
    const auto at = column_of(lines[0], titles[i]);
    ASSERT_NE(at, std::string::npos) << titles[i];
    if (i > 0) {
      EXPECT_GT(at, prev) << titles[i];
    }
    prev = at;
  }
  EXPECT_EQ(column_of(lines[1], "NO_FEEDBACK"), column_of(lines[0], "TYPE"));
  EXPECT_EQ(column_of(lines[2], "OVERDUE_RHI"), column_of(lines[0], "TYPE"));
  EXPECT_EQ(column_of(lines[1], "raised"), column_of(lines[0], "STATE"));
  EXPECT_EQ(column_of(lines[2], "cleared"), column_of(lines[0], "STATE"));
  EXPECT_EQ(column_of(lines[1], "csc-e09"), column_of(lines[0], "OWED BY"));
  EXPECT_EQ(column_of(lines[2], "police-met"), column_of(lines[0], "OWED BY"));
  EXPECT_EQ(column_of(lines[1], "2026-11-26T10:00:05Z"), column_of(lines[0], "RAISED"));
  EXPECT_EQ(column_of(lines[1], "school-e09,csc-e09"), column_of(lines[0], "RECIPIENTS"));
  EXPECT_EQ(column_of(lines[2], "-  "), column_of(lines[0], "RECIPIENTS"));  // no recipients
  EXPECT_EQ(column_of(lines[1], "no outcome for referral msg-1"), column_of(lines[0], "DETAIL"));
  EXPECT_EQ(column_of(lines[2], "line one line two"), column_of(lines[0], "DETAIL"));
  EXPECT_TRUE(lines[1].ends_with("no outcome for referral msg-1"));
}

TEST(ledger_format, flags_empty_says_so) {
  EXPECT_EQ(format_flags(json::parse(R"({"ok":true,"flags":[]})"), list_output::table),
            "no flags\n");
  EXPECT_EQ(format_flags(json::parse(R"({"ok":true,"flags":{}})"), list_output::table),
            "no flags\n");
  EXPECT_EQ(format_flags(json::parse(R"({"ok":true,"flags":[]})"), list_output::json_lines), "");
}

TEST(ledger_format, flags_json_lines_are_one_object_per_line) {
  const auto text = format_flags(flags_reply(), list_output::json_lines);
  const auto lines = lines_of(text);
  ASSERT_EQ(lines.size(), 2U);
  EXPECT_EQ(json::parse(lines[0]), flags_reply()["flags"][0]);
  EXPECT_EQ(json::parse(lines[1]), flags_reply()["flags"][1]);
  EXPECT_EQ(json::parse(lines[1])["detail"], "line one\nline two");  // escaped, not broken
  EXPECT_EQ(lines[0].rfind(R"({"flag_id":3,"flag_type":"NO_FEEDBACK",)", 0), 0U);
}

TEST(table, missing_fields_and_non_string_values) {
  const json rows = json::parse(R"([{"a":"x","b":7},{"b":true},{"a":null}])");
  const auto lines = lines_of(format_table(rows, {field("A", "a"), field("B", "b")}));
  ASSERT_EQ(lines.size(), 4U);
  EXPECT_EQ(lines[0], "A  B");
  EXPECT_EQ(lines[1], "x  7");
  EXPECT_EQ(lines[2], "   true");
  EXPECT_EQ(lines[3], "   ");
}

TEST(table, widths_count_characters_not_bytes) {
  const json rows = json::parse(R"([{"a":"é→","b":"1"},{"a":"abc","b":"2"}])");
  const auto lines = lines_of(format_table(rows, {field("A", "a"), field("B", "b")}));
  ASSERT_EQ(lines.size(), 3U);
  EXPECT_EQ(column_of(lines[1], "1"), 5U);
  EXPECT_EQ(column_of(lines[2], "2"), 5U);
  EXPECT_EQ(column_of(lines[0], "B"), 5U);
}

}  // namespace
}  // namespace mab::mabctl
