// bench/hotline_load.h: the load side of the hotline benchmark (bench/hotline_bench.cc), the
// same for both systems: an open-loop sender that offers `rate` messages per second from
// `inflight` worker threads (each waits for the durable acknowledgement of its message before it
// takes the next), and the record of when each message was sent and when each recipient got it.
//
//   Deliveries record(first_index, count, recipients);
//   system.BeginStep(&record);                   // its recipients now report into `record`
//   StepResult r = RunStep(sender, record, {.rate = 1000, .count = 60'000, .inflight = 16});
//
// Message indexes are global over a run (each system's ids stay unique across steps); a step
// owns the indexes [first_index, first_index + count). Times are steady-clock nanoseconds, taken
// in this one process, so send and receive times compare directly.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace deconflict::bench {

int64_t NowNs();

// When each message of one step was sent and when each recipient received it.
// Thread-safe: Sent from any sender thread, Received from any recipient thread.
class Deliveries {
 public:
  Deliveries(int64_t first_index, int64_t count, int recipients);
  Deliveries(const Deliveries&) = delete;
  Deliveries& operator=(const Deliveries&) = delete;

  int64_t first_index() const { return first_; }
  int64_t count() const { return count_; }
  int recipients() const { return static_cast<int>(received_.size()); }

  // The sender is about to hand message `index` to the system (its send time).
  void Sent(int64_t index, int64_t ns);
  // The system acknowledged message `index` as durable.
  void Acked(int64_t index, int64_t ns);
  // Recipient `recipient` got message `index` at `ns`. An index outside this step, or a second
  // receipt of one message by one recipient, is counted as a duplicate.
  void Received(int recipient, int64_t index, int64_t ns);

  // Receipts still missing of acknowledged messages (0: every recipient has every one).
  int64_t Missing() const;
  int64_t duplicates() const { return duplicates_.load(); }

  // Send-to-receive latency of every receipt of an acknowledged message, in milliseconds.
  std::vector<double> LatenciesMs() const;
  // Send-to-acknowledgement latency of every acknowledged message, in milliseconds.
  std::vector<double> AckLatenciesMs() const;
  int64_t acked() const { return acked_count_.load(); }
  // Receipts of messages whose send failed (the system refused or the request broke).
  int64_t ReceivedUnacked() const;

 private:
  int64_t first_;
  int64_t count_;
  std::unique_ptr<std::atomic<int64_t>[]> sent_ns_;
  std::unique_ptr<std::atomic<int64_t>[]> acked_ns_;
  // received_[recipient][index - first_]: 0 until received.
  std::vector<std::unique_ptr<std::atomic<int64_t>[]>> received_;
  std::atomic<int64_t> duplicates_{0};
  std::atomic<int64_t> acked_count_{0};
};

// Sends one message durably and waits for the system's acknowledgement.
// Send is called concurrently, each worker with its own `worker` (0 <= worker < inflight).
class Sender {
 public:
  virtual ~Sender() = default;
  // True when the system acknowledged message `index` as durable; false with the reason in
  // `error` otherwise.
  virtual bool Send(int worker, int64_t index, std::string& error) = 0;
};

struct StepOptions {
  int rate = 1000;       // messages offered per second
  int64_t count = 1000;  // messages in the step (count / rate seconds)
  int inflight = 16;     // sender worker threads: at most this many sends awaiting their ack
  double drain_s = 10;   // after the last ack, wait this long at most for missing receipts
};

struct StepResult {
  int rate = 0;
  int64_t count = 0;
  int64_t acked = 0;
  int64_t send_errors = 0;
  std::string first_error;
  double achieved_rate = 0;            // acked / (last ack - scheduled start), messages per second
  double sender_behind_ms = 0;         // largest lag of a send behind its scheduled time
  std::vector<double> latency_ms;      // sorted send-to-receive latencies
  std::vector<double> ack_latency_ms;  // sorted send-to-ack latencies
  int64_t missing = 0;                 // receipts of acked messages that never came
  int64_t duplicates = 0;
  int64_t received_unacked = 0;
};

// Offers `options.rate` messages per second until `options.count` were sent, then waits for the
// receipts. The record's recipients must already report into `record`.
StepResult RunStep(Sender& sender, Deliveries& record, const StepOptions& options);

// Percentile `p` (0..1) of a sorted sample, 0 when empty.
double Percentile(const std::vector<double>& sorted, double p);

// What "sustains" means here: every send acknowledged, none lost or duplicated, the achieved
// rate at least 99% of the offered one, and the p99 send-to-receive latency at most `p99_ms`.
bool Sustained(const StepResult& r, double p99_ms);

// The message id of `index` as a UUID (version 4 layout, the index in the last 12 hex digits,
// `run` in the first 8 so that two runs against one store never collide), and back.
std::string MessageUuid(uint32_t run, int64_t index);
// -1 when `uuid` is not one of MessageUuid's.
int64_t IndexOfUuid(std::string_view uuid);

}  // namespace deconflict::bench
