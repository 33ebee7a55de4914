// mabctl's transfers list table and JSON lines, and the transfers show timeline view, from
// canned mabd replies.
#include "adapters/mabctl/transfers_format.h"

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

// The index of the first line equal to `text`, or lines.size().
std::size_t index_of(const std::vector<std::string>& lines, const std::string& text) {
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i] == text) return i;
  }
  return lines.size();
}

json transfers_reply() {
  return json::parse(R"({"ok":true,"transfers":[
    {"transfer_id":"T-1","subject_key":"sk_aaaa","from_area":"E09000001","to_area":"E08000025",
     "reason":"transfer_notice","opened_at":"2026-11-23T10:00:00Z","state":"open",
     "completed_at":null,"parts_expected":3,"parts_acknowledged":1,
     "open_flags":["INCOMPLETE","NO_FEEDBACK"]},
    {"transfer_id":"T-12","subject_key":"sk_bbbb","from_area":"E08000025","to_area":"W06000015",
     "reason":"area_change","opened_at":"2026-11-20T09:00:00Z","state":"complete",
     "completed_at":"2026-11-22T09:00:00Z","parts_expected":2,"parts_acknowledged":2,
     "open_flags":[]}]})");
}

json transfer_object() {
  return json::parse(R"({"transfer_id":"T-1","subject_key":"sk_aaaa","from_area":"E09000001",
    "to_area":"E08000025","reason":"transfer_notice","opened_at":"2026-11-23T10:00:00Z",
    "state":"open","completed_at":null,"parts_expected":3,"parts_acknowledged":1,
    "open_flags":["INCOMPLETE"],
    "parts":[
      {"part_id":1,"owed_by":"police-a","kind":"ANY","why":"history: 2 notifications",
       "state":"expected","pieces_total":0,"pieces_sent":0,"pieces_acked":0,"recipient":"",
       "due_at":"2026-11-30T10:00:00Z","sent_at":null,"acked_at":null},
      {"part_id":2,"owed_by":"school-a","kind":"EDUCATION","why":"history:\nenrolled",
       "state":"sent","pieces_total":3,"pieces_sent":3,"pieces_acked":1,"recipient":"csc-b",
       "due_at":"2026-11-30T10:00:00Z","sent_at":"2026-11-24T10:00:00Z","acked_at":null}],
    "timeline":[
      {"at":"2026-11-23T10:00:00Z","what":"transfer opened by csc-a: E09000001 -> E08000025"},
      {"at":"2026-11-24T10:00:00Z","what":"part 2 sent by school-a"},
      {"at":"2026-11-30T10:00:05Z","what":"INCOMPLETE raised"}],
    "flags":[
      {"flag_id":3,"flag_type":"INCOMPLETE","state":"raised","owed_by":"police-a",
       "recipients":["csc-a","csc-b"],"raised_at":"2026-11-30T10:00:05Z","cleared_at":null}]})");
}

TEST(transfers_format, list_table_has_aligned_columns_in_order) {
  const auto lines = lines_of(format_transfers(transfers_reply(), list_output::table));
  ASSERT_EQ(lines.size(), 3U);
  const std::vector<std::string> titles = {"ID",    "FROM → TO", "STATE",  "PARTS",
                                           "FLAGS", "OPENED",    "SUBJECT"};
  std::size_t prev = 0;
  for (std::size_t i = 0; i < titles.size(); ++i) {
    const auto at = column_of(lines[0], titles[i]);
    ASSERT_NE(at, std::string::npos) << titles[i];
    if (i > 0) {
      EXPECT_GT(at, prev) << titles[i];
    }
    prev = at;
  }
  EXPECT_EQ(lines[1].rfind("T-1 ", 0), 0U);
  EXPECT_EQ(lines[2].rfind("T-12 ", 0), 0U);
  EXPECT_EQ(column_of(lines[1], "E09000001 → E08000025"), column_of(lines[0], "FROM"));
  EXPECT_EQ(column_of(lines[2], "E08000025 → W06000015"), column_of(lines[0], "FROM"));
  EXPECT_EQ(column_of(lines[1], "open"), column_of(lines[0], "STATE"));
  EXPECT_EQ(column_of(lines[2], "complete"), column_of(lines[0], "STATE"));
  EXPECT_EQ(column_of(lines[1], "1/3"), column_of(lines[0], "PARTS"));  // acked/expected
  EXPECT_EQ(column_of(lines[2], "2/2"), column_of(lines[0], "PARTS"));
  EXPECT_EQ(column_of(lines[1], "INCOMPLETE,NO_FEEDBACK"), column_of(lines[0], "FLAGS"));
  EXPECT_EQ(column_of(lines[2], "-  "), column_of(lines[0], "FLAGS"));  // no open flags
  EXPECT_EQ(column_of(lines[1], "2026-11-23T10:00:00Z"), column_of(lines[0], "OPENED"));
  EXPECT_EQ(column_of(lines[1], "sk_aaaa"), column_of(lines[0], "SUBJECT"));
  EXPECT_TRUE(lines[2].ends_with("sk_bbbb"));
  EXPECT_EQ(lines[1].find("transfer_notice"), std::string::npos);  // not a column
}

TEST(transfers_format, list_missing_fields_show_as_dashes) {
  const auto lines = lines_of(format_transfers(
      json::parse(R"({"ok":true,"transfers":[{"transfer_id":"T-2","open_flags":null}]})"),
      list_output::table));
  ASSERT_EQ(lines.size(), 2U);
  EXPECT_EQ(column_of(lines[1], "- → -"), column_of(lines[0], "FROM"));
  EXPECT_EQ(column_of(lines[1], "-/-"), column_of(lines[0], "PARTS"));
  EXPECT_TRUE(lines[1].ends_with("-"));
}

TEST(transfers_format, list_empty_says_so) {
  EXPECT_EQ(format_transfers(json::parse(R"({"ok":true,"transfers":[]})"), list_output::table),
            "no transfers\n");
  EXPECT_EQ(format_transfers(json::parse(R"({"ok":true})"), list_output::table),
            "no transfers\n");
  EXPECT_EQ(
      format_transfers(json::parse(R"({"ok":true,"transfers":[]})"), list_output::json_lines), "");
}

TEST(transfers_format, list_json_lines_keep_every_field_in_order) {
  const auto lines = lines_of(format_transfers(transfers_reply(), list_output::json_lines));
  ASSERT_EQ(lines.size(), 2U);
  EXPECT_EQ(json::parse(lines[0]), transfers_reply()["transfers"][0]);
  EXPECT_EQ(json::parse(lines[1]), transfers_reply()["transfers"][1]);
  EXPECT_EQ(lines[0].rfind(R"({"transfer_id":"T-1","subject_key":"sk_aaaa","from_area":)", 0), 0U);
}

TEST(transfers_format, show_header_then_sections_in_order) {
  const auto lines = lines_of(format_transfer(transfer_object(), list_output::table));
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines[0], "Transfer T-1");
  EXPECT_EQ(index_of(lines, "  Subject:    sk_aaaa"), 1U);
  EXPECT_NE(index_of(lines, "  Areas:      E09000001 → E08000025"), lines.size());
  EXPECT_NE(index_of(lines, "  Reason:     transfer_notice"), lines.size());
  EXPECT_NE(index_of(lines, "  State:      open"), lines.size());
  EXPECT_NE(index_of(lines, "  Opened:     2026-11-23T10:00:00Z"), lines.size());
  EXPECT_NE(index_of(lines, "  Completed:  -"), lines.size());
  EXPECT_NE(index_of(lines, "  Parts:      1/3 acknowledged"), lines.size());
  EXPECT_NE(index_of(lines, "  Open flags: INCOMPLETE"), lines.size());

  const auto parts = index_of(lines, "Expected parts");
  const auto flags = index_of(lines, "Flags");
  const auto timeline = index_of(lines, "Timeline");
  ASSERT_LT(parts, flags);
  ASSERT_LT(flags, timeline);
  ASSERT_LT(timeline, lines.size());
  EXPECT_EQ(lines[parts - 1], "");  // a blank line before each section
  EXPECT_EQ(lines[flags - 1], "");
  EXPECT_EQ(lines[timeline - 1], "");

  // Expected parts: a header and one row per part, aligned.
  ASSERT_EQ(flags - parts, 5U);  // title, header, 2 rows, blank
  const auto& ph = lines[parts + 1];
  const std::vector<std::string> part_titles = {"PART", "OWED BY", "KIND",     "WHY",
                                                "DUE",  "STATE",   "RECIPIENT"};
  std::size_t prev = 0;
  for (std::size_t i = 0; i < part_titles.size(); ++i) {
    const auto at = column_of(ph, part_titles[i]);
    ASSERT_NE(at, std::string::npos) << part_titles[i];
    if (i > 0) {
      EXPECT_GT(at, prev) << part_titles[i];
    }
    prev = at;
  }
  const auto& p1 = lines[parts + 2];
  const auto& p2 = lines[parts + 3];
  EXPECT_EQ(p1.rfind("1 ", 0), 0U);
  EXPECT_EQ(column_of(p1, "police-a"), column_of(ph, "OWED BY"));
  EXPECT_EQ(column_of(p1, "ANY"), column_of(ph, "KIND"));
  EXPECT_EQ(column_of(p1, "history: 2 notifications"), column_of(ph, "WHY"));
  EXPECT_EQ(column_of(p2, "history: enrolled"), column_of(ph, "WHY"));  // newline flattened
  EXPECT_EQ(column_of(p1, "2026-11-30T10:00:00Z"), column_of(ph, "DUE"));
  EXPECT_EQ(column_of(p1, "expected  "), column_of(ph, "STATE"));  // no pieces yet
  EXPECT_EQ(column_of(p2, "sent (1/3 acked)"), column_of(ph, "STATE"));
  EXPECT_TRUE(p1.ends_with("-"));  // empty recipient
  EXPECT_TRUE(p2.ends_with("csc-b"));

  // Flags.
  ASSERT_EQ(timeline - flags, 4U);  // title, header, 1 row, blank
  const auto& fh = lines[flags + 1];
  const auto& f1 = lines[flags + 2];
  const std::vector<std::string> flag_titles = {"ID",   "TYPE",   "STATE",  "OWED BY",
                                                "TOLD", "RAISED", "CLEARED"};
  prev = 0;
  for (std::size_t i = 0; i < flag_titles.size(); ++i) {
    const auto at = column_of(fh, flag_titles[i]);
    ASSERT_NE(at, std::string::npos) << flag_titles[i];
    if (i > 0) {
      EXPECT_GT(at, prev) << flag_titles[i];
    }
    prev = at;
  }
  EXPECT_EQ(f1.rfind("3 ", 0), 0U);
  EXPECT_EQ(column_of(f1, "INCOMPLETE"), column_of(fh, "TYPE"));
  EXPECT_EQ(column_of(f1, "raised"), column_of(fh, "STATE"));
  EXPECT_EQ(column_of(f1, "police-a"), column_of(fh, "OWED BY"));
  EXPECT_EQ(column_of(f1, "csc-a,csc-b"), column_of(fh, "TOLD"));
  EXPECT_EQ(column_of(f1, "2026-11-30T10:00:05Z"), column_of(fh, "RAISED"));
  EXPECT_TRUE(f1.ends_with("-"));  // not cleared

  // Timeline: in the order given, time then what.
  ASSERT_EQ(lines.size() - timeline, 5U);  // title, header, 3 entries
  const auto& th = lines[timeline + 1];
  EXPECT_EQ(column_of(th, "AT"), 0U);
  EXPECT_EQ(lines[timeline + 2].rfind("2026-11-23T10:00:00Z", 0), 0U);
  EXPECT_EQ(column_of(lines[timeline + 2], "transfer opened by csc-a: E09000001 -> E08000025"),
            column_of(th, "WHAT"));
  EXPECT_TRUE(lines[timeline + 3].ends_with("part 2 sent by school-a"));
  EXPECT_TRUE(lines[timeline + 4].ends_with("INCOMPLETE raised"));
}

TEST(transfers_format, show_empty_sections_say_so) {
  const auto text = format_transfer(
      json::parse(R"({"transfer_id":"T-3","state":"open","parts":[],"flags":[]})"),
      list_output::table);
  const auto lines = lines_of(text);
  EXPECT_EQ(lines[0], "Transfer T-3");
  const auto parts = index_of(lines, "Expected parts");
  const auto flags = index_of(lines, "Flags");
  const auto timeline = index_of(lines, "Timeline");
  ASSERT_LT(timeline, lines.size());
  EXPECT_EQ(lines[parts + 1], "no expected parts");
  EXPECT_EQ(lines[flags + 1], "no flags");
  EXPECT_EQ(lines[timeline + 1], "no timeline entries");  // missing "timeline"
  EXPECT_NE(index_of(lines, "  Subject:    -"), lines.size());
  EXPECT_NE(index_of(lines, "  Open flags: -"), lines.size());
}

TEST(transfers_format, show_json_is_the_transfer_on_one_line) {
  const auto text = format_transfer(transfer_object(), list_output::json_lines);
  ASSERT_TRUE(text.ends_with("\n"));
  EXPECT_EQ(lines_of(text).size(), 1U);
  EXPECT_EQ(json::parse(text), transfer_object());
  EXPECT_EQ(text.rfind(R"({"transfer_id":"T-1","subject_key":"sk_aaaa",)", 0), 0U);
  EXPECT_NE(text.find(R"("why":"history:\nenrolled")"), std::string::npos);  // escaped
}

}  // namespace
}  // namespace mab::mabctl
