#pragma once
#include <cstdint>
#include <string>

#include <deltran/core/result.hpp>
#include <deltran/gateway/http.hpp>

namespace deltran::app {

struct DemoSettings {
  std::string host;
  uint16_t port = 0;
  std::string admin_key;
  std::string compliance_key;
  gateway::ClientTls tls;      // the rail serves HTTPS: trust its CA
  std::string admin_user;      // log in as this staff user (empty: the admin key)
  std::string admin_password;
  bool screening = false;  // lists are loaded: show a block and a review
  int payments_per_round = 3'000;
  int rounds = 2;
  int clients = 8;
  uint64_t seed = 7;
};

// Drives the scenario through the real HTTP API and prints what a newcomer wants to see.
[[nodiscard]] Status run_demo(const DemoSettings& settings);

}  // namespace deltran::app
