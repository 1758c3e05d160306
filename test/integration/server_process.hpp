#pragma once
// Starts the real `deltran serve` binary on a free port for integration tests, and talks to
// it over real HTTP. The binary's path comes from the build (DELTRAN_BINARY).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <boost/json.hpp>

#include <deltran/core/ids.hpp>
#include <deltran/gateway/http.hpp>

extern char** environ;

namespace deltran::testing {

namespace fs = std::filesystem;
using Headers = std::vector<std::pair<std::string, std::string>>;

inline Headers bearer(const std::string& key) { return {{"Authorization", "Bearer " + key}}; }

class ServerProcess {
 public:
  explicit ServerProcess(fs::path data, std::string admin_key = "test-admin-key-0123456789")
      : data_(std::move(data)), admin_key_(std::move(admin_key)) {}
  ~ServerProcess() { kill_hard(); }

  void start(std::vector<std::string> extra = {}) {
    fs::create_directories(data_);
    fs::path ready = data_ / "port";
    fs::remove(ready);
    std::vector<std::string> args = {DELTRAN_BINARY, "serve", "--listen", "127.0.0.1:0", "--data", data_.string(),
                                     "--ready-file", ready.string()};
    // Windows close only when a test says so, unless it asks for a schedule.
    if (std::find(extra.begin(), extra.end(), "--window-seconds") == extra.end()) {
      args.insert(args.end(), {"--window-seconds", "0"});
    }
    // Tests that are not about screening may run on country rules alone: the server refuses
    // to start without a sanctions list unless told so. "--require-lists" leaves that out.
    if (std::find(extra.begin(), extra.end(), "--require-lists") == extra.end()) args.push_back("--allow-no-lists");
    extra.erase(std::remove(extra.begin(), extra.end(), std::string("--require-lists")), extra.end());
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_strings = {"DELTRAN_ADMIN_KEY=" + admin_key_, "DELTRAN_COMPLIANCE_KEY=" + compliance_key(),
                                            "DELTRAN_OPERATOR_KEY=" + operator_key(), "DELTRAN_AUDITOR_KEY=" + auditor_key(),
                                            "DELTRAN_SETTLEMENT_BANK_KEY=" + settlement_bank_key(), "DELTRAN_LOG_LEVEL=warn"};
    // Tests that are not about rate limits send as fast as they like, unless they set a tier.
    bool tier_set = false, login_tier_set = false;
    for (const auto& e : env) {
      tier_set = tier_set || e.rfind("DELTRAN_RATE_LIMIT_DEFAULT_TIER=", 0) == 0;
      login_tier_set = login_tier_set || e.rfind("DELTRAN_LOGIN_RATE_TIER=", 0) == 0;
    }
    if (!tier_set) env_strings.push_back("DELTRAN_RATE_LIMIT_DEFAULT_TIER=unlimited");
    if (!login_tier_set) env_strings.push_back("DELTRAN_LOGIN_RATE_TIER=unlimited");
    env_strings.insert(env_strings.end(), env.begin(), env.end());
    for (char** e = environ; *e != nullptr; ++e) {
      std::string s(*e);
      if (s.rfind("DELTRAN_", 0) != 0) env_strings.push_back(s);
    }
    std::vector<char*> envp;
    for (auto& e : env_strings) envp.push_back(e.data());
    envp.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    std::string log = (data_ / "server.log").string();
    // The server must not hold the test's stdout: a runner waits for that pipe to close.
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), envp.data()) != 0) {
      throw std::runtime_error("cannot start " + std::string(DELTRAN_BINARY));
    }
    posix_spawn_file_actions_destroy(&actions);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      std::ifstream in(ready);
      int port = 0;
      if (in >> port && port > 0) {
        port_ = static_cast<uint16_t>(port);
        return;
      }
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        throw std::runtime_error("deltran serve exited at start; see " + log);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    throw std::runtime_error("deltran serve did not become ready");
  }

  // SIGKILL: no shutdown path runs, as in a crash.
  void kill_hard() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  // SIGTERM and wait: the graceful path.
  int stop() {
    if (pid_ <= 0) return 0;
    ::kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  uint16_t port() const { return port_; }
  const std::string& admin_key() const { return admin_key_; }
  std::string compliance_key() const { return admin_key_ + "-compliance"; }
  std::string operator_key() const { return admin_key_ + "-operator"; }
  std::string auditor_key() const { return admin_key_ + "-auditor"; }
  std::string settlement_bank_key() const { return admin_key_ + "-settlement-bank"; }
  // DELTRAN_* settings for the next start, "NAME=value".
  std::vector<std::string> env;
  const fs::path& data() const { return data_; }
  // How the tests' clients speak to it: plain HTTP unless a test serves TLS.
  gateway::ClientTls tls;
  gateway::HttpClient client() const { return gateway::HttpClient("127.0.0.1", port_, tls); }

 private:
  fs::path data_;
  std::string admin_key_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
};

// Runs `deltran check` on a data folder and returns its exit code and output.
inline std::pair<int, std::string> run_check(const fs::path& data) {
  std::string cmd = std::string(DELTRAN_BINARY) + " check --data '" + data.string() + "' 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  char buf[512];
  while (p != nullptr && fgets(buf, sizeof buf, p) != nullptr) out += buf;
  int status = p != nullptr ? pclose(p) : -1;
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

inline boost::json::value parse(const std::string& body) { return boost::json::parse(body); }

// A raw TCP connection to the server on loopback (for what an HTTP client will not send):
// the socket, or -1.
inline int connect_loopback(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

inline fs::path temp_dir(const std::string& name) {
  fs::path p = fs::temp_directory_path() / ("deltran-" + name + "-" + new_uuid_v4());
  fs::create_directories(p);
  return p;
}

}  // namespace deltran::testing
