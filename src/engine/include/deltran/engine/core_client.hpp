#pragma once
// How the gateway reaches the core. In one process it is the engine itself; in the split
// deployment (gateways in front of one core) the same calls go over the network. Nothing
// else of the core is visible to the gateway.
#include <memory>
#include <string>
#include <vector>

#include <deltran/engine/commands.hpp>
#include <deltran/engine/read_view.hpp>

namespace deltran::engine {

class CoreClient {
 public:
  virtual ~CoreClient() = default;

  // Enqueues one command; `done` runs once its batch is durable. False when the core
  // cannot take it now (queue full, stopped): the caller sheds load at once (503).
  virtual bool submit(Command command, std::string actor, Completion done) = 0;
  // Enqueues commands that must be decided together, in order, in one group commit (all
  // transactions of one ISO 20022 message: a window close cannot fall between them).
  // All or none are queued.
  virtual bool submit_many(std::vector<Command> commands, std::string actor, ManyCompletion done) = 0;

  // The committed state, as of the last group commit.
  virtual std::shared_ptr<const ReadView> view() const = 0;
  // True once the state is loaded and while the store answers.
  virtual bool ready() const = 0;

  // What the core would do with a payment (records nothing), and the circuit breakers:
  // computed from the core's live state without entering its queue.
  virtual Reply evaluate_risk(const TransferCommand& payment) = 0;
  virtual std::vector<BreakerView> breakers() = 0;
};

}  // namespace deltran::engine
