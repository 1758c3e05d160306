#include <deltran/engine/check.hpp>

#include <map>
#include <optional>
#include <unordered_map>

#include <deltran/ledger/ledger.hpp>
#include <deltran/model/event.hpp>

namespace deltran::engine {

namespace {

std::string code(money::CurrencyId c) {
  const money::Currency* cur = money::find_currency(c);
  return cur != nullptr ? std::string(cur->code) : "currency " + std::to_string(c.numeric);
}

// Owner names to ledger ids for the invariant check: system accounts keep theirs.
class Owners {
 public:
  ParticipantId id(const std::string& name) {
    if (name == ledger::kOmnibusName) return ledger::kOmnibus;
    if (name == ledger::kClearingName) return ledger::kClearing;
    auto [it, fresh] = ids_.try_emplace(name, static_cast<ParticipantId>(names_.size() + 1));
    if (fresh) names_.push_back(name);
    return it->second;
  }
  std::string name(ParticipantId id) const {
    if (id == ledger::kOmnibus) return std::string(ledger::kOmnibusName);
    if (id == ledger::kClearing) return std::string(ledger::kClearingName);
    return id >= 1 && id <= names_.size() ? names_[id - 1] : "?";
  }

 private:
  std::unordered_map<std::string, ParticipantId> ids_;
  std::vector<std::string> names_;
};

Status check_ledger(store::ReadModel& store, CheckReport& report) {
  auto accounts = store.list_accounts();
  if (!accounts) return tl::unexpected(accounts.error());
  Owners owners;
  std::map<ledger::AccountKey, ledger::Account> stored;
  for (const auto& a : *accounts) stored[{owners.id(a.owner), a.currency}] = {a.balance_minor, a.floor_minor};
  // Each invariant of the ledger on its own line, so a broken store names all it breaks.
  struct Totals {
    __int128 sum = 0, circulation = 0, omnibus = 0;
    bool has_omnibus = false;
  };
  std::map<money::CurrencyId, Totals> per_currency;
  for (const auto& [key, account] : stored) {
    Totals& t = per_currency[key.currency];
    t.sum += account.balance_minor;
    if (account.balance_minor < account.floor_minor) {
      report.failures.push_back("ledger: account " + owners.name(key.owner) + "/" + code(key.currency) +
                                " is below its floor (its net debit cap)");
    }
    if (key.owner == ledger::kOmnibus) {
      t.omnibus = account.balance_minor;
      t.has_omnibus = true;
    } else if (key.owner == ledger::kClearing) {
      if (account.balance_minor != 0) {
        report.failures.push_back("ledger: the clearing account of " + code(key.currency) + " is not zero at rest");
      }
    } else {
      t.circulation += account.balance_minor;
    }
  }
  for (const auto& [currency, t] : per_currency) {
    if (t.sum != 0) report.failures.push_back("ledger: the accounts of " + code(currency) + " do not sum to zero");
    if (!t.has_omnibus) report.failures.push_back("ledger: " + code(currency) + " has no omnibus account");
    if (t.circulation != -t.omnibus) {
      report.failures.push_back("backing: the tokens in circulation of " + code(currency) +
                                " differ from the fiat held in its omnibus account");
    }
  }
  std::map<ledger::AccountKey, __int128> replay;
  auto st = store.for_each_journal_entry([&](const model::JournalEntry& j) {
    replay[{owners.id(j.from), j.currency}] -= j.amount_minor;
    replay[{owners.id(j.to), j.currency}] += j.amount_minor;
    ++report.journal_entries;
  });
  if (!st) return st;
  for (const auto& [key, account] : stored) {
    auto it = replay.find(key);
    const __int128 expected = it == replay.end() ? 0 : it->second;
    if (expected != account.balance_minor) {
      report.failures.push_back("journal: the postings do not replay to the balance of " + owners.name(key.owner) + "/" +
                                code(key.currency));
    }
  }
  for (const auto& [key, sum] : replay) {
    if (stored.count(key) == 0) {
      report.failures.push_back("journal: postings name an account that does not exist: " + owners.name(key.owner) + "/" +
                                code(key.currency));
    }
  }
  return {};
}

Status check_windows(store::ReadModel& store, CheckReport& report) {
  struct Totals {
    std::map<std::string, __int128> net;
    __int128 gross = 0;
    int64_t count = 0;
  };
  std::map<int64_t, Totals> per_window;
  auto st = store.for_each_payment_flow([&](const store::PaymentFlow& f) {
    ++report.payments;
    if (f.status == model::PaymentStatus::kRejected || f.status == model::PaymentStatus::kHeld) {
      if (f.window_id != 0) {
        report.failures.push_back("window " + std::to_string(f.window_id) + ": holds a " +
                                  std::string(model::to_string(f.status)) + " payment");
      }
      return;
    }
    Totals& t = per_window[f.window_id];
    t.net[f.creditor_agent] += f.amount_minor;
    t.net[f.debtor_agent] -= f.amount_minor;
    t.gross += f.amount_minor;
    ++t.count;
  });
  if (!st) return st;
  std::map<int64_t, model::Window> windows;
  for (int64_t before = 0;;) {
    auto page = store.list_windows(money::CurrencyId{}, before, 1000);
    if (!page) return tl::unexpected(page.error());
    for (auto& w : *page) windows[w.id] = std::move(w);
    if (page->size() < 1000) break;
    before = page->back().id;
  }
  for (const auto& [id, t] : per_window) {
    const std::string name = "window " + std::to_string(id);
    auto it = windows.find(id);
    if (it == windows.end()) {
      report.failures.push_back(name + ": its payments name a window that does not exist");
      continue;
    }
    const model::Window& w = it->second;
    if (w.gross_minor != t.gross || w.payment_count != t.count) {
      report.failures.push_back(name + ": its gross or payment count differs from its payments");
    }
    if (w.status != model::WindowStatus::kSettled) continue;
    __int128 sum = 0;
    std::map<std::string, int64_t> positions;
    for (const auto& p : w.positions) {
      sum += p.net_minor;
      positions[p.bank] = p.net_minor;
    }
    if (sum != 0) report.failures.push_back(name + ": net positions do not sum to zero");
    for (const auto& [bank, net] : t.net) {
      if (positions[bank] != net) {
        report.failures.push_back(name + ": the net position of " + bank + " is not its incoming minus outgoing payments");
      }
    }
  }
  for (const auto& [id, w] : windows) {
    if (w.status == model::WindowStatus::kSettled) ++report.windows_settled;
    if (per_window.count(id) == 0 && (w.payment_count != 0 || w.gross_minor != 0)) {
      report.failures.push_back("window " + std::to_string(id) + ": counts payments it does not have");
    }
  }
  return {};
}

Status check_chain(store::ReadModel& store, store::Anchor* anchor, CheckReport& report) {
  // The anchor is read before the store: the core appends a batch to the anchor after the
  // store has committed it, so on a live node every line read here is in the store read
  // next (read the other way round, a batch committed in between looked truncated).
  using AnchorLines = decltype(anchor->read_all());
  std::optional<AnchorLines> anchor_read;
  if (anchor != nullptr) anchor_read.emplace(anchor->read_all());
  std::map<int64_t, model::ChainLink> links;
  auto st = store.for_each_chain_link([&](const model::ChainLink& l) { links[l.batch] = l; });
  if (!st) return st;
  report.batches = static_cast<int64_t>(links.size());
  // Recompute each batch's hash from its events, in order.
  std::string prev;
  int64_t expected_seq = 1;
  int64_t batch = 0;
  std::vector<model::Event> events;
  bool broken = false;
  auto close_batch = [&] {
    if (events.empty() || broken) return;
    auto it = links.find(batch);
    if (it == links.end()) {
      report.failures.push_back("audit chain: batch " + std::to_string(batch) + " has events but no chain link");
      broken = true;
    } else if (it->second.first_seq != events.front().seq || it->second.last_seq != events.back().seq ||
               it->second.prev_hash != prev || model::chain_hash(prev, events) != it->second.hash) {
      report.failures.push_back("audit chain: batch " + std::to_string(batch) + " (events " +
                                std::to_string(events.front().seq) + "-" + std::to_string(events.back().seq) +
                                ") does not match its hash: an event was edited, removed or reordered");
      broken = true;
    } else {
      prev = it->second.hash;
    }
    events.clear();
  };
  st = store.for_each_event([&](const model::Event& e) {
    ++report.events;
    if (broken) return;
    if (e.seq != expected_seq) {
      report.failures.push_back("audit chain: the event log has a gap or a reordering before event " + std::to_string(e.seq));
      broken = true;
      return;
    }
    ++expected_seq;
    if (e.batch != batch) {
      close_batch();
      batch = e.batch;
    }
    events.push_back(e);
  });
  if (!st) return st;
  close_batch();
  if (!broken && !links.empty() && links.rbegin()->second.last_seq != expected_seq - 1) {
    report.failures.push_back("audit chain: the last chain link names event " +
                              std::to_string(links.rbegin()->second.last_seq) + " but the log ends at event " +
                              std::to_string(expected_seq - 1));
  }
  if (anchor == nullptr) {
    if (report.events > 0) report.failures.push_back("anchor: the store has events but no audit anchor to check them against");
    return {};
  }
  auto& lines = *anchor_read;
  if (!lines) {
    report.failures.push_back("anchor: " + lines.error().message);
    return {};
  }
  if (lines->empty() && report.events > 0) {
    report.failures.push_back("anchor: the audit anchor is empty but the store has " + std::to_string(report.batches) +
                              " batches");
  }
  for (const auto& a : *lines) {
    auto it = links.find(a.batch);
    if (it == links.end()) {
      report.failures.push_back("anchor: batch " + std::to_string(a.batch) + " (event " + std::to_string(a.last_seq) +
                                ") is anchored but not in the store: the log was truncated");
      break;
    }
    if (it->second.hash != a.hash || it->second.last_seq != a.last_seq) {
      report.failures.push_back("anchor: batch " + std::to_string(a.batch) +
                                " differs from its anchored hash: the chain was rewritten");
      break;
    }
    ++report.anchored_batches;
  }
  if (!lines->empty() && !links.empty() && lines->back().batch < links.rbegin()->first) {
    report.notes.push_back(std::to_string(links.rbegin()->first - lines->back().batch) +
                           " batches after the last anchored one (a crash between a commit and its anchor)");
  }
  return {};
}

}  // namespace

Result<CheckReport> check_store(store::ReadModel& store, store::Anchor* anchor) {
  CheckReport report;
  if (auto st = check_ledger(store, report); !st) return tl::unexpected(st.error());
  if (auto st = check_windows(store, report); !st) return tl::unexpected(st.error());
  if (auto st = check_chain(store, anchor, report); !st) return tl::unexpected(st.error());
  return report;
}

}  // namespace deltran::engine
