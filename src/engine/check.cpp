#include <deltran/engine/check.hpp>

#include <map>

#include <deltran/ledger/ledger.hpp>

#include "state.hpp"

namespace deltran::engine {

namespace {

void check_ledger(store::Store& store, CheckReport& report, const std::vector<store::AccountRow>& accounts,
                  const std::vector<store::JournalRow>& journal) {
  std::map<ledger::AccountKey, ledger::Account> stored;
  for (const auto& a : accounts) stored[{a.owner, a.currency}] = {a.balance_minor, a.floor_minor};
  if (auto st = ledger::check_invariants(stored); !st) report.failures.push_back("ledger: " + st.error().message);
  std::map<ledger::AccountKey, __int128> replay;
  for (const auto& j : journal) {
    replay[{j.from, j.currency}] -= j.amount_minor;
    replay[{j.to, j.currency}] += j.amount_minor;
  }
  for (const auto& [key, account] : stored) {
    auto it = replay.find(key);
    __int128 expected = it == replay.end() ? 0 : it->second;
    if (expected != account.balance_minor) {
      report.failures.push_back("journal does not replay to the balance of " + key.owner + "/" + key.currency);
    }
  }
  for (const auto& [key, sum] : replay) {
    if (stored.count(key) == 0) report.failures.push_back("journal names unknown account " + key.owner + "/" + key.currency);
  }
  (void)store;
}

void check_windows(store::Store& store, CheckReport& report, const std::vector<store::FlowRow>& flows) {
  struct Totals {
    std::map<std::string, int64_t> net;
    int64_t gross = 0;
    int64_t count = 0;
    int64_t settled = 0;
    int64_t queued = 0;
  };
  std::map<int64_t, Totals> per_window;
  for (const auto& f : flows) {
    report.payments += f.count;
    if (f.status == store::PaymentStatus::kRejected || f.status == store::PaymentStatus::kHeld) {
      if (f.window_id != 0) {
        report.failures.push_back(std::string("a ") + store::to_string(f.status) + " payment sits in window " +
                                  std::to_string(f.window_id));
      }
      continue;
    }
    Totals& t = per_window[f.window_id];
    t.net[f.creditor_agent] += f.amount_minor;
    t.net[f.debtor_agent] -= f.amount_minor;
    t.gross += f.amount_minor;
    t.count += f.count;
    (f.status == store::PaymentStatus::kSettled ? t.settled : t.queued) += f.count;
  }
  auto windows = store.list_windows("", 0, 1'000'000);
  if (!windows) {
    report.failures.push_back("cannot read windows: " + windows.error().message);
    return;
  }
  std::map<int64_t, const store::WindowRow*> by_id;
  for (const auto& w : *windows) by_id[w.id] = &w;
  for (const auto& [id, t] : per_window) {
    auto it = by_id.find(id);
    if (it == by_id.end()) {
      report.failures.push_back("payments name missing window " + std::to_string(id));
      continue;
    }
    const store::WindowRow& w = *it->second;
    std::string name = "window " + std::to_string(id);
    if (w.gross_minor != t.gross || w.payment_count != t.count) {
      report.failures.push_back(name + ": gross or count differs from its payments");
    }
    if (w.status == store::WindowStatus::kOpen && t.settled != 0) {
      report.failures.push_back(name + " is open but has settled payments");
    }
    if (w.status == store::WindowStatus::kSettled) {
      if (t.queued != 0) report.failures.push_back(name + " is settled but has queued payments");
      int64_t sum = 0;
      std::map<std::string, int64_t> positions;
      for (const auto& p : w.positions) {
        sum += p.net_minor;
        positions[p.bank] = p.net_minor;
      }
      if (sum != 0) report.failures.push_back(name + ": net positions do not sum to zero");
      for (const auto& [bank, net] : t.net) {
        if (positions[bank] != net) report.failures.push_back(name + ": position of " + bank + " differs from its payments");
      }
    }
  }
  for (const auto& w : *windows) {
    if (w.status == store::WindowStatus::kSettled) ++report.windows_settled;
  }
}

void check_audit(store::Store& store, CheckReport& report) {
  std::string prev;
  int64_t after = 0;
  for (;;) {
    auto rows = store.read_audit(after, 10'000);
    if (!rows) {
      report.failures.push_back("cannot read the audit log: " + rows.error().message);
      return;
    }
    if (rows->empty()) return;
    for (const auto& r : *rows) {
      if (r.seq != after + 1) {
        report.failures.push_back("audit log has a gap before entry " + std::to_string(r.seq));
        return;
      }
      if (r.prev_hash != prev || audit_hash(r) != r.hash) {
        report.failures.push_back("audit hash chain broken at entry " + std::to_string(r.seq));
        return;
      }
      prev = r.hash;
      after = r.seq;
      ++report.audit_entries;
    }
  }
}

}  // namespace

Result<CheckReport> check_store(store::Store& store) {
  CheckReport report;
  auto accounts = store.list_accounts();
  if (!accounts) return tl::unexpected(accounts.error());
  auto journal = store.list_journal();
  if (!journal) return tl::unexpected(journal.error());
  auto flows = store.aggregate_flows();
  if (!flows) return tl::unexpected(flows.error());
  report.journal_entries = static_cast<int64_t>(journal->size());
  check_ledger(store, report, *accounts, *journal);
  check_windows(store, report, *flows);
  check_audit(store, report);
  return report;
}

}  // namespace deltran::engine
