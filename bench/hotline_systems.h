// bench/hotline_systems.h: the two systems the hotline benchmark drives (bench/hotline_bench.cc),
// each a real server out of process on loopback with one sender and `recipients` recipients:
//
//   deconflict  `deconflict serve` (the release binary) on a fresh data directory; parties S1 and
//               R1..Rn (operators, added with `deconflict party add`) share one channel; S1 posts
//               POST /v1/channels/{id}/messages over `inflight` keep-alive connections (201 only
//               once durable: SQLite WAL, synchronous=FULL, group commit); each Ri reads its own
//               GET /v1/events WebSocket (one thread each) and takes `hotline.message` events.
//   JetStream   `nats-server -c CONF` (JetStream, a fresh store directory, a random loopback port
//               from --ports_file_dir) and the libnats C client: one file-storage stream, S1
//               publishes with js_Publish (waits for the PubAck) from `inflight` threads on one
//               connection; each Ri has its own connection and durable push consumer
//               (AckExplicit, each message acked by the client after its receipt is recorded).
//
// Every message carries its index (in the deconflict message id, in the JetStream payload and
// Nats-Msg-Id), so a recipient reports (recipient, index, receive time) into the current step's
// Deliveries.
#pragma once

#include <memory>
#include <string>

#include "bench/hotline_load.h"

namespace deconflict::bench {

struct SystemOptions {
  int recipients = 10;
  int inflight = 16;      // sender connections (deconflict) or publishing threads (JetStream)
  int body_bytes = 1024;  // the message body (deconflict) / payload (JetStream)
  uint32_t run = 1;       // in every message id (bench/hotline_load.h MessageUuid)
};

// A started system with its recipients connected. Not thread-safe (driven by main).
class HotlineSystem {
 public:
  virtual ~HotlineSystem() = default;
  // The row label of the table, e.g. "deconflict 0.1.0".
  virtual std::string name() const = 0;
  // One line: what "durable" means for this system.
  virtual std::string durability() const = 0;
  // Starts the server, creates the channel or stream and connects the sender and recipients.
  // False with the reason in `error`; `unsupported` is set when the server refused the
  // configuration itself (e.g. an option its version does not have).
  virtual bool Start(std::string& error, bool& unsupported) = 0;
  // From now on recipients report into `record`. REQUIRES: `record` outlives the system.
  virtual void SetRecord(Deliveries* record) = 0;
  virtual Sender& sender() = 0;
  // Recipient connections that had to be made again during the run (0 normally).
  virtual int reconnects() const = 0;
  // The server process's memory, e.g. "VmHWM 212 MiB".
  virtual std::string ServerMemory() const = 0;
  // Stops the recipients and the server, removes the store.
  virtual void Stop() = 0;
};

std::unique_ptr<HotlineSystem> MakeDeconflict(const SystemOptions& options);

struct JetStreamOptions {
  // Extra lines inside the `jetstream { }` block, e.g. "sync_interval: always" (nats-server
  // 2.10+; 2.9 refuses the field, which Start reports as unsupported).
  std::string jetstream_block;
  std::string label = "default sync";
};
std::unique_ptr<HotlineSystem> MakeJetStream(const SystemOptions& options,
                                             const JetStreamOptions& jetstream);

// VmHWM of a process ("?" when unreadable).
std::string ProcessMemory(int pid);

}  // namespace deconflict::bench
