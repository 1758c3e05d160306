#pragma once
// Configuration: defaults, overridden by a TOML file (--config), overridden by DELTRAN_*
// environment variables, overridden by command-line flags. Only app/ reads configuration.
#include <cstdint>
#include <string>
#include <vector>

#include <deltran/core/result.hpp>
#include <deltran/engine/engine.hpp>
#include <deltran/gateway/rate_limit.hpp>

namespace deltran::app {

struct Config {
  std::string listen = "127.0.0.1:8080";
  std::string data = "./var";
  std::string admin_key;          // empty: read or create <data>/admin.key
  std::string compliance_key;     // empty: read or create <data>/compliance.key
  std::string operator_key;       // empty: read or create <data>/operator.key
  std::string auditor_key;        // empty: read or create <data>/auditor.key
  std::string settlement_bank_key;  // empty: read or create <data>/settlement_bank.key
  // Participants' request rates: each on the default tier unless PUT /banks/{id}/rate-tier
  // names another. The tiers are the gateway's defaults plus http.rate_limit.tiers.
  std::string default_rate_tier = "standard";
  std::vector<gateway::RateTier> rate_tiers = gateway::default_rate_tiers();
  int64_t max_connections = 10'000;
  int64_t max_connections_per_address = 1'000;  // one address (a bank's gateway, a NAT) opens at most this many
  int64_t max_header_count = 64;
  int64_t read_timeout_s = 30;  // a request must arrive whole within this (slow clients are cut off)
  // TLS on the API: with a certificate and its key the server speaks only TLS (1.3 unless
  // allow_tls12). A client CA turns on mTLS: a verified client certificate whose subject CN
  // is a participant's id authenticates that participant.
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_client_ca_file;
  bool tls_require_client_cert = false;
  bool tls_allow_tls12 = false;
  // Sessions: staff users (name, role, argon2id hash) in users_file (empty: <data>/users);
  // access tokens live access_token_seconds, a session at most session_seconds; the clocks
  // of token issuer and checker may differ by clock_skew_seconds. Logins and refreshes are
  // held per address to login_rate_tier.
  std::string users_file;
  int64_t access_token_seconds = 900;
  int64_t session_seconds = 8 * 3600;
  int64_t clock_skew_seconds = 60;
  std::string login_rate_tier = "standard";
  int http_threads = 1;
  int64_t body_limit_bytes = 1 << 20;
  int64_t queue_max = 65'536;
  int64_t batch_max = 4'096;
  std::string synchronous = "full";  // full (fsync per commit) | normal
  int64_t snapshot_every_events = 500'000;  // a snapshot of the core's state after this many events
  int64_t idempotency_retention_days = 30;  // idempotency keys and EndToEndIds are answered this long
  int64_t window_seconds = 21'600;   // 00:00/06:00/12:00/18:00 UTC; 0 = close on demand only
  std::string log_level = "info";
  // The rail's identity in the ISO 20022 it emits (pain.002 InitgPty, pacs.002 InstgAgt,
  // camt.053 Acct/Svcr). Set rail.bic to the operator's own BIC.
  std::string rail_bic = "DLTRAEAD";
  std::string rail_name = "DelTran";
  // FX: a standing rate older than this is stale even within its validity (0: only its
  // validity counts); a quote is honoured this long; paths take at most fx_max_hops rates.
  int64_t fx_max_rate_age_seconds = 3'600;
  int64_t fx_quote_ttl_seconds = 60;
  int64_t fx_max_hops = 3;
  // Standing rates posted at every start: CSV with the header
  // provider,pair,bid,ask,valid_seconds (see README). Empty: none.
  std::string fx_rates_file;
  // Official ISO 20022 XSDs (one <message id>.xsd each). Empty: the schemas shipped with
  // the binary (share/deltran/schemas/iso20022 under its install prefix, or beside it in a
  // build tree). A folder that is missing or does not load stops the server; messages are
  // checked structurally only when schema_validation is false.
  std::string xsd_dir;
  bool schema_validation = true;
  // Screening lists, as spec strings: ofac-csv:PATH (alt.csv beside it is read too),
  // un-xml:PATH, eu-xml:PATH, opensanctions-csv:PATH, csv:PATH for sanctions; csv:PATH
  // for PEP lists. None: only country rules, and only with allow_no_lists.
  std::vector<std::string> sanctions_lists;
  std::vector<std::string> pep_lists;
  // The server refuses to start without a sanctions list unless this is set: a rail that
  // screens nothing must be a decision, not an accident. Country rules apply either way.
  bool allow_no_lists = false;
  // A list load with more malformed records than this share is refused.
  double max_bad_row_share = 0.01;
  // AML rules, risk score, circuit breakers and USD reference rates (compliance.aml.*,
  // risk.score.*, risk.breakers.*, fx.usd_per_unit.*); defaults from ORIGINAL_RULES.md.
  engine::Controls controls;
  // The spec strings the screener loads (PEP lists as pep-csv:).
  std::vector<std::string> list_specs() const;
};

// Applies a TOML file on top of `c`. Unknown keys are an error, so a typo is not silent.
[[nodiscard]] Status apply_toml_file(Config& c, const std::string& path);
// Applies DELTRAN_* variables on top of `c`.
[[nodiscard]] Status apply_environment(Config& c);
[[nodiscard]] Status validate(const Config& c);
// Every setting, one per line, secrets masked.
std::string describe(const Config& c);
// Splits "host:port"; port 0 means any free port.
[[nodiscard]] Result<std::pair<std::string, uint16_t>> split_listen(const std::string& listen);

}  // namespace deltran::app
