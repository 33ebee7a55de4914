// Shared by the configuration tests: a valid file to edit, fresh keys to fill it with, and
// assertions on the "file:line: where: field: rule" errors.
#pragma once

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <string_view>
#include <utility>

#include "daemon/config/config.h"
#include "daemon/crypto/crypto.h"

namespace mab::config::test_support {

// Tokens in braces are replaced with freshly generated keys, after a test has edited the text,
// so a test can point one agency at another's key by editing the token.
inline constexpr std::string_view valid_template = R"(# mab broker configuration (test)
[broker]
listen = "tcp://127.0.0.1:7750"
data_dir = "/srv/mab/data"
store = "sqlite"
sqlite_path = "mab.db"
signing_key_file = "broker.sign.key"
curve_secret_key_file = "/etc/mab/broker.curve.key"
control = "ipc:///run/mab/control.sock"
max_message_bytes = 2097152
clock_skew_seconds = 120
max_refusals = 4
retry_initial_seconds = 2.5
retry_max_seconds = 600
delivery_window = 50
consumer_timeout_seconds = 45.0
log_format = "json"
log_level = "debug"

[[agency]]
id = "school-e09-01"
name = "Demo Primary School"
kind = "school"
area = "E09000001"
signing_keys = ["{school_sign}"]
curve_keys = ["{school_curve}"]
may_send = ["attendance_concern", "referral"]

[[agency]]
id = "csc-e09"
kind = "csc"
area = "E09000001"
signing_keys = ["{csc_sign}", "{csc_sign_next}"]
curve_keys = ["{csc_curve}"]
may_send = ["referral_outcome"]

[[agency]]
id = "police-e01"
kind = "police"
area = "E09000002"
signing_keys = ["{police_sign}"]
curve_keys = ["{police_curve}"]
may_send = ["missing_episode"]

[[route]]
name = "attendance to front door"
bodies = ["attendance_concern"]
areas = ["E09000001"]
to = ["csc-e09"]
to_kinds = ["csc", "mash"]
allow_explicit = false

[[route]]
bodies = ["referral", "missing_episode"]
to_kinds = ["csc"]
allow_explicit = true
)";

// Replaces the first occurrence; a test whose edit does not apply is a broken test.
inline std::string replaced(std::string text, std::string_view from, std::string_view to) {
  const auto at = text.find(from);
  if (at == std::string::npos) {
    ADD_FAILURE() << "text to replace not found: " << from;
    return text;
  }
  return text.replace(at, from.size(), to);
}

// 1-based line of the first line containing `needle`, or 0.
inline int line_containing(std::string_view text, std::string_view needle) {
  const auto at = text.find(needle);
  if (at == std::string_view::npos) {
    ADD_FAILURE() << "line not found: " << needle;
    return 0;
  }
  int line = 1;
  for (std::size_t i = 0; i < at; ++i) line += text[i] == '\n' ? 1 : 0;
  return line;
}

inline std::string all_errors(const load_result& r) {
  std::string out;
  for (const auto& e : r.errors) out += "  " + e + "\n";
  return out.empty() ? "  (none)\n" : out;
}

// Some error is "mabd.toml:<line>: ..." and contains `fragment`.
inline ::testing::AssertionResult has_error(const load_result& r, int line,
                                             std::string_view fragment) {
  const std::string prefix = "mabd.toml:" + std::to_string(line) + ": ";
  for (const auto& e : r.errors) {
    if (e.starts_with(prefix) && e.find(fragment) != std::string::npos) {
      return ::testing::AssertionSuccess();
    }
  }
  return ::testing::AssertionFailure() << "no error at line " << line << " containing \""
                                       << fragment << "\"; errors:\n" << all_errors(r);
}

struct key_set {
  crypto::signing_key_pair school_sign = crypto::generate_signing_key();
  crypto::signing_key_pair csc_sign = crypto::generate_signing_key();
  crypto::signing_key_pair csc_sign_next = crypto::generate_signing_key();
  crypto::signing_key_pair police_sign = crypto::generate_signing_key();
  crypto::curve_key_pair school_curve = crypto::generate_curve_key();
  crypto::curve_key_pair csc_curve = crypto::generate_curve_key();
  crypto::curve_key_pair police_curve = crypto::generate_curve_key();

  std::string fill(std::string text) const {
    const std::pair<std::string_view, std::string> tokens[] = {
        {"{school_sign}", crypto::base64_encode(school_sign.public_key)},
        {"{csc_sign}", crypto::base64_encode(csc_sign.public_key)},
        {"{csc_sign_next}", crypto::base64_encode(csc_sign_next.public_key)},
        {"{police_sign}", crypto::base64_encode(police_sign.public_key)},
        {"{school_curve}", school_curve.public_z85},
        {"{csc_curve}", csc_curve.public_z85},
        {"{police_curve}", police_curve.public_z85},
    };
    for (const auto& [token, value] : tokens) {
      for (auto at = text.find(token); at != std::string::npos; at = text.find(token)) {
        text.replace(at, token.size(), value);
      }
    }
    return text;
  }
};

// A fixture derived for another part of the file passes its own base text (valid_template with
// sections added), and valid_text() and edited() work on that.
class config_test : public ::testing::Test {
 protected:
  config_test() : config_test(std::string(valid_template)) {}
  explicit config_test(std::string base) : base_(std::move(base)) {}

  const std::string& base_text() const { return base_; }
  std::string valid_text() const { return keys_.fill(base_); }
  // The base text with one edit, keys filled in.
  std::string edited(std::string_view from, std::string_view to) const {
    return keys_.fill(replaced(base_, from, to));
  }
  key_set keys_;

 private:
  std::string base_;
};

// One validation rule: an edit to the valid template, and the error it must produce. The error's
// line is that of the line containing `needle` in the edited text, plus `offset` (for errors
// reported at a section's header, such as a missing key).
struct rule_case {
  const char* name;
  const char* from;
  const char* to;
  const char* needle;
  int offset;
  const char* fragment;
};

// Names the case in failure output instead of dumping its bytes.
inline void PrintTo(const rule_case& c, std::ostream* os) { *os << c.name; }

}  // namespace mab::config::test_support
