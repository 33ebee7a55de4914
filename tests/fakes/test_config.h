// Builds a real, validated broker configuration in memory for unit tests: agencies get fresh
// keys (kept here so tests can sign as them), routes come as TOML text.
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "daemon/config/config.h"
#include "daemon/crypto/crypto.h"

namespace mab::testing {

struct test_agency {
  std::string id, kind, area;
  std::vector<std::string> may_send;
  crypto::signing_key_pair sign = crypto::generate_signing_key();
  crypto::curve_key_pair curve = crypto::generate_curve_key();
};

class test_config {
 public:
  test_config& agency(std::string id, std::string kind, std::string area,
                      std::vector<std::string> may_send) {
    agencies_.push_back({std::move(id), std::move(kind), std::move(area), std::move(may_send)});
    return *this;
  }
  test_config& routes(std::string toml) {
    routes_ = std::move(toml);
    return *this;
  }
  test_config& broker(std::string toml) {
    broker_ = std::move(toml);
    return *this;
  }

  config::config build() const {
    std::string t = "[broker]\n" + broker_ + "\n";
    for (const auto& a : agencies_) {
      t += "[[agency]]\nid = \"" + a.id + "\"\nkind = \"" + a.kind + "\"\narea = \"" + a.area +
           "\"\nsigning_keys = [\"" + crypto::base64_encode(a.sign.public_key) +
           "\"]\ncurve_keys = [\"" + a.curve.public_z85 + "\"]\nmay_send = [";
      for (std::size_t i = 0; i < a.may_send.size(); ++i) {
        t += (i ? ", \"" : "\"") + a.may_send[i] + "\"";
      }
      t += "]\n\n";
    }
    auto loaded = config::parse(t + routes_, "test.toml");
    if (!loaded.errors.empty()) throw std::runtime_error(loaded.errors.front());
    return *loaded.cfg;
  }

  crypto::signer signer_of(const std::string& id) const {
    for (const auto& a : agencies_) {
      if (a.id == id) return std::move(crypto::signer::from_seed(a.sign.seed)).value();
    }
    throw std::runtime_error("no agency " + id);
  }

 private:
  std::vector<test_agency> agencies_;
  std::string routes_;
  std::string broker_;
};

}  // namespace mab::testing
