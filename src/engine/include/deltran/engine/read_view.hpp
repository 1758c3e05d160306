#pragma once
// What the API reads without asking the core: a snapshot of the core's committed state,
// published after every group commit. Immutable once published; readers hold it through a
// shared_ptr, so a read never waits behind a commit and never touches the store. Parts
// that did not change in a batch are shared with the previous view.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <deltran/fx/rates.hpp>
#include <deltran/core/ids.hpp>
#include <deltran/model/records.hpp>
#include <deltran/fx/predict.hpp>
#include <deltran/model/window.hpp>

namespace deltran::engine {

struct AccountView {
  money::CurrencyId currency;
  int64_t balance_minor = 0;
  int64_t reserved_minor = 0;       // net debit reserved by the open window
  int64_t locked_minor = 0;         // tokens set aside (POST /tokens/lock)
  std::vector<fx::WindowFlow> recent_windows;  // its flows in the last settled windows, oldest first
  int64_t net_debit_cap_minor = 0;
  int64_t available_minor = 0;      // balance + cap - reserved, or balance - locked - reserved when locked (saturated)
  std::optional<int64_t> single_payment_max_minor;
  std::optional<int64_t> daily_volume_max_minor;
  int64_t used_today_minor = 0;
};

struct ParticipantView {
  ParticipantId id = 0;
  model::Participant info;
  std::vector<AccountView> accounts;  // one per currency of info.currencies, in that order
  struct Key {
    std::string id;  // key_id_of its hash
    int64_t issued_us = 0;
  };
  std::vector<Key> keys;  // its API keys, oldest first
  std::string rate_tier;  // empty: the rail's default tier
  const AccountView* account(money::CurrencyId c) const {
    for (const auto& a : accounts) {
      if (a.currency == c) return &a;
    }
    return nullptr;
  }
};

// BIC → participant and API key hash → participant; replaced only when they change.
struct Directory {
  std::unordered_map<std::string, ParticipantId> by_bic;
  std::unordered_map<std::string, ParticipantId> by_key_hash;
  std::unordered_map<std::string, ParticipantId> by_clearing_id;  // "USABA:021000021"
};

struct ReadView {
  int64_t seq = 0;  // the last event this view includes
  std::shared_ptr<const Directory> directory = std::make_shared<Directory>();
  std::vector<std::shared_ptr<const ParticipantView>> participants;  // index: id - 1
  std::map<int64_t, std::shared_ptr<const model::Window>> open_windows;  // live positions
  std::map<money::CurrencyId, int64_t> efficiency_ppm;  // of each currency's last settled window
  std::shared_ptr<const fx::RateBook> rates = std::make_shared<fx::RateBook>();  // FX providers' standing rates

  const ParticipantView* participant(ParticipantId id) const {
    return id >= 1 && id <= participants.size() ? participants[id - 1].get() : nullptr;
  }
  const ParticipantView* find(const std::string& bic) const {
    auto it = directory->by_bic.find(bic);
    return it == directory->by_bic.end() ? nullptr : participant(it->second);
  }
  const ParticipantView* by_clearing_id(const model::ClearingMemberId& id) const {
    auto it = directory->by_clearing_id.find(id.key());
    return it == directory->by_clearing_id.end() ? nullptr : participant(it->second);
  }
  const ParticipantView* by_key_hash(const std::string& hash) const {
    auto it = directory->by_key_hash.find(hash);
    return it == directory->by_key_hash.end() ? nullptr : participant(it->second);
  }
  const model::Window* open_window(int64_t id) const {
    auto it = open_windows.find(id);
    return it == open_windows.end() ? nullptr : it->second.get();
  }
};

}  // namespace deltran::engine
