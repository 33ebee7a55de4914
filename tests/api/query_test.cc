// The request checks on their own: pagination, choices, filters, path parameters and bodies.
#include <gtest/gtest.h>

#include "daemon/api/api_internal.h"

namespace mab::api::detail {
namespace {

http::request with_query(std::map<std::string, std::string> q) {
  http::request r;
  r.query = std::move(q);
  return r;
}

std::string message(const problem& p) {
  if (!p) return "";
  return json::parse(p->body)["error"]["message"].get<std::string>();
}

TEST(query, page_defaults_and_bounds) {
  store::page p;
  EXPECT_FALSE(read_page(with_query({}), p));
  EXPECT_EQ(p.limit, 50u);
  EXPECT_EQ(p.offset, 0u);
  EXPECT_FALSE(read_page(with_query({{"limit", "500"}, {"offset", "1000000000"}}), p));
  EXPECT_EQ(p.limit, 500u);
  EXPECT_EQ(p.offset, 1000000000u);
  for (const char* bad : {"0", "501", "abc", "-1", "", " 5", "5 ", "+5", "1e2", "0x10"}) {
    EXPECT_EQ(message(read_page(with_query({{"limit", bad}}), p)),
              "limit: must be a whole number 1..500")
        << bad;
  }
  EXPECT_EQ(message(read_page(with_query({{"offset", "1000000001"}}), p)),
            "offset: must be a whole number 0..1000000000");
}

TEST(query, only_listed_parameters) {
  EXPECT_FALSE(only_params(with_query({{"limit", "5"}}), {"limit", "offset"}));
  EXPECT_EQ(message(only_params(with_query({{"sort", "x"}}), {"limit"})),
            "unknown parameter 'sort'; this route takes: limit");
  EXPECT_EQ(message(only_params(with_query({{"a", "1"}}), {})),
            "unknown parameter 'a'; this route takes no parameters");
  EXPECT_EQ(message(only_params(with_query({{"mab_" + std::string(60, 's'), "1"}}), {})),
            "unknown query parameter; this route takes no parameters");
}

TEST(query, choices_and_filters) {
  std::string out = "stale";
  EXPECT_FALSE(read_choice(with_query({}), "state", {"open", "complete"}, out));
  EXPECT_EQ(out, "");
  EXPECT_FALSE(read_choice(with_query({{"state", "complete"}}), "state", {"open", "complete"}, out));
  EXPECT_EQ(out, "complete");
  EXPECT_EQ(message(read_choice(with_query({{"state", "OPEN"}}), "state", {"open", "complete"}, out)),
            "state: must be one of open, complete");
  EXPECT_FALSE(read_flag_type(with_query({{"flag", "RETURN_INTERVIEW_OVERDUE"}}), "flag", out));
  EXPECT_TRUE(read_flag_type(with_query({{"flag", "incomplete"}}), "flag", out));
  EXPECT_TRUE(read_flag_type(with_query({{"flag", std::string(65, 'A')}}), "flag", out));
  EXPECT_FALSE(read_area(with_query({{"area", "E09000001"}}), "area", out));
  EXPECT_TRUE(read_area(with_query({{"area", "E09 000001"}}), "area", out));
  EXPECT_FALSE(read_agency(with_query({{"agency", "school-e09.main_1"}}), "agency", out));
  EXPECT_TRUE(read_agency(with_query({{"agency", "School"}}), "agency", out));
  EXPECT_TRUE(read_agency(with_query({{"agency", ""}}), "agency", out));
}

TEST(query, path_parameters) {
  EXPECT_FALSE(check_transfer_id("T-MD"));
  EXPECT_FALSE(check_transfer_id("auto-0a13a904-3f0e-4c3e-9d39-8d1c4c2b7f10"));
  EXPECT_FALSE(check_transfer_id("LA:E09.2026~1+x@y_z"));
  EXPECT_FALSE(check_transfer_id(std::string(128, 'x')));
  const std::vector<std::string> bad_ids = {"",  std::string(129, 'x'), std::string("a\0b", 3),
                                            "a b", "a/b", "a\\b", "a%2Fb", "<x>", "a\"b", "a'b",
                                            "a;b"};
  for (const auto& bad : bad_ids) {
    EXPECT_TRUE(check_transfer_id(bad)) << bad;
  }
  std::uint64_t id = 0;
  EXPECT_FALSE(read_flag_id("18446744073709551615", id));
  EXPECT_EQ(id, 18446744073709551615u);
  EXPECT_FALSE(read_flag_id("007", id));
  EXPECT_EQ(id, 7u);
  for (const char* bad : {"", "18446744073709551616", "-1", "+1", "1.0", "x", "99999999999999999999"}) {
    EXPECT_TRUE(read_flag_id(bad, id)) << bad;
  }
  EXPECT_FALSE(check_subject_key("sk_0123456789abcdef0123456789abcdef"));
  EXPECT_TRUE(check_subject_key("sk_0123456789ABCDEF0123456789abcdef"));
  EXPECT_TRUE(check_subject_key("sk_0123456789abcdef0123456789abcde"));
  EXPECT_TRUE(check_subject_key("xx_0123456789abcdef0123456789abcdef"));
}

TEST(query, text_bodies) {
  http::request r;
  std::string out;
  r.body = R"({"note": "\tcalled\r\nback "})";
  EXPECT_FALSE(read_text_body(r, "note", 12, 12, out));
  EXPECT_EQ(out, "called\r\nback");
  r.body = R"({"note": "\u00e9"})";
  EXPECT_FALSE(read_text_body(r, "note", 1, 1, out)) << "one character, two bytes";
  r.body = "{\"note\": \"\xff\"}";
  EXPECT_EQ(message(read_text_body(r, "note", 1, 10, out)),
            "the body must be a JSON object: {\"note\": \"...\"}")
      << "invalid UTF-8 is not JSON";
  r.body = R"({"note": "x\u001b[31m"})";
  EXPECT_EQ(message(read_text_body(r, "note", 1, 10, out)),
            "note: must not contain control characters");
  r.body = R"({"note": "a", "note2": "b"})";
  EXPECT_EQ(message(read_text_body(r, "note", 1, 10, out)),
            "unknown field 'note2'; only 'note' is allowed");
  r.body = R"({"note": "a"})";
  r.content_type = "application/x-www-form-urlencoded";
  EXPECT_EQ(read_text_body(r, "note", 1, 10, out)->status, 415u);
}

TEST(query, list_pages_say_whether_more_follow) {
  const auto more = json::parse(list_response(json{1, 2, 3}, store::page{2, 4}).body);
  EXPECT_EQ(more["items"], (json{1, 2}));
  EXPECT_EQ(more["next_offset"], 6);
  const auto last = json::parse(list_response(json{1, 2}, store::page{2, 4}).body);
  EXPECT_EQ(last["items"], (json{1, 2}));
  EXPECT_TRUE(last["next_offset"].is_null());
  const auto none = json::parse(list_response(json::array(), store::page{2, 0}).body);
  EXPECT_TRUE(none["items"].is_array());
  EXPECT_TRUE(none["next_offset"].is_null());
}

TEST(views, a_flag_names_its_transfer_from_its_key) {
  store::flag_record f;
  f.dedupe_key = "transfer/T-MD/overdue/12";
  EXPECT_EQ(transfer_of_flag(f), "T-MD");
  f.dedupe_key = "transfer/a/b/overdue/3";
  EXPECT_EQ(transfer_of_flag(f), "a/b");
  f.dedupe_key = "overdue/12";
  EXPECT_EQ(transfer_of_flag(f), "");
  f.dedupe_key = "transfer//overdue/1";
  EXPECT_EQ(transfer_of_flag(f), "");
}

}  // namespace
}  // namespace mab::api::detail
