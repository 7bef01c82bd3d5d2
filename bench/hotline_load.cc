#include "bench/hotline_load.h"

#include <algorithm>
#include <chrono>
#include <mutex>
#include <thread>

#include "fmt/format.h"

namespace deconflict::bench {

using Steady = std::chrono::steady_clock;

int64_t NowNs() { return Steady::now().time_since_epoch().count(); }

namespace {

std::unique_ptr<std::atomic<int64_t>[]> Zeros(int64_t count) {
  // Value-initialised: every slot starts at 0 ("not yet").
  return std::make_unique<std::atomic<int64_t>[]>(static_cast<size_t>(count));
}

}  // namespace

Deliveries::Deliveries(int64_t first_index, int64_t count, int recipients)
    : first_(first_index), count_(count), sent_ns_(Zeros(count)), acked_ns_(Zeros(count)) {
  for (int recipient = 0; recipient < recipients; ++recipient) received_.push_back(Zeros(count));
}

void Deliveries::Sent(int64_t index, int64_t ns) { sent_ns_[index - first_].store(ns); }

void Deliveries::Acked(int64_t index, int64_t ns) {
  acked_ns_[index - first_].store(ns);
  acked_count_.fetch_add(1);
}

void Deliveries::Received(int recipient, int64_t index, int64_t ns) {
  const int64_t slot = index - first_;
  if (recipient < 0 || recipient >= recipients() || slot < 0 || slot >= count_) {
    duplicates_.fetch_add(1);  // a message of an earlier step, all of whose receipts came
    return;
  }
  int64_t expected = 0;
  if (!received_[recipient][slot].compare_exchange_strong(expected, ns)) duplicates_.fetch_add(1);
}

int64_t Deliveries::Missing() const {
  int64_t missing = 0;
  for (const auto& by_recipient : received_) {
    for (int64_t slot = 0; slot < count_; ++slot) {
      if (acked_ns_[slot].load() != 0 && by_recipient[slot].load() == 0) ++missing;
    }
  }
  return missing;
}

int64_t Deliveries::ReceivedUnacked() const {
  int64_t n = 0;
  for (const auto& by_recipient : received_) {
    for (int64_t slot = 0; slot < count_; ++slot) {
      if (acked_ns_[slot].load() == 0 && by_recipient[slot].load() != 0) ++n;
    }
  }
  return n;
}

std::vector<double> Deliveries::LatenciesMs() const {
  std::vector<double> out;
  out.reserve(static_cast<size_t>(count_) * received_.size());
  for (const auto& by_recipient : received_) {
    for (int64_t slot = 0; slot < count_; ++slot) {
      const int64_t received = by_recipient[slot].load();
      if (acked_ns_[slot].load() == 0 || received == 0) continue;
      out.push_back(static_cast<double>(received - sent_ns_[slot].load()) / 1e6);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<double> Deliveries::AckLatenciesMs() const {
  std::vector<double> out;
  for (int64_t slot = 0; slot < count_; ++slot) {
    const int64_t acked = acked_ns_[slot].load();
    if (acked != 0) out.push_back(static_cast<double>(acked - sent_ns_[slot].load()) / 1e6);
  }
  std::sort(out.begin(), out.end());
  return out;
}

StepResult RunStep(Sender& sender, Deliveries& record, const StepOptions& options) {
  StepResult result{.rate = options.rate, .count = options.count};
  std::atomic<int64_t> next{0}, errors{0}, last_ack_ns{0}, behind_ns{0};
  std::mutex error_mu;
  const double interval_ns = 1e9 / options.rate;
  // The schedule starts a little ahead so that every worker is waiting when it begins.
  const int64_t start_ns = NowNs() + 20'000'000;

  // Paragraph 1: the open-loop schedule. Message k is due at start + k / rate; a worker takes the
  // next due message, waits for its time, sends it and waits for the acknowledgement. A worker
  // that is late sends at once (the lag is recorded), so a system slower than the offered rate
  // shows as an achieved rate below it.
  auto work = [&](int worker) {
    for (;;) {
      const int64_t k = next.fetch_add(1);
      if (k >= options.count) return;
      const int64_t due = start_ns + static_cast<int64_t>(static_cast<double>(k) * interval_ns);
      std::this_thread::sleep_until(Steady::time_point(Steady::duration(due)));
      const int64_t index = record.first_index() + k;
      const int64_t sent = NowNs();
      int64_t lag = sent - due, seen = behind_ns.load();
      while (lag > seen && !behind_ns.compare_exchange_weak(seen, lag)) {
      }
      record.Sent(index, sent);
      std::string error;
      if (sender.Send(worker, index, error)) {
        const int64_t acked = NowNs();
        record.Acked(index, acked);
        int64_t last = last_ack_ns.load();
        while (acked > last && !last_ack_ns.compare_exchange_weak(last, acked)) {
        }
      } else if (errors.fetch_add(1) == 0) {
        std::lock_guard lock(error_mu);
        result.first_error = fmt::format("message {}: {}", index, error);
      }
    }
  };
  std::vector<std::thread> workers;
  for (int worker = 0; worker < options.inflight; ++worker) workers.emplace_back(work, worker);
  for (auto& t : workers) t.join();

  // Paragraph 2: wait for the receipts of every acknowledged message (bounded).
  const int64_t drain_until = NowNs() + static_cast<int64_t>(options.drain_s * 1e9);
  while (record.Missing() > 0 && NowNs() < drain_until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }

  result.acked = record.acked();
  result.send_errors = errors.load();
  const int64_t span_ns = std::max<int64_t>(last_ack_ns.load() - start_ns, 1);
  result.achieved_rate = static_cast<double>(result.acked) * 1e9 / static_cast<double>(span_ns);
  result.sender_behind_ms = static_cast<double>(behind_ns.load()) / 1e6;
  result.latency_ms = record.LatenciesMs();
  result.ack_latency_ms = record.AckLatenciesMs();
  result.missing = record.Missing();
  result.duplicates = record.duplicates();
  result.received_unacked = record.ReceivedUnacked();
  return result;
}

double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  return sorted[std::min(sorted.size() - 1, static_cast<size_t>(p * sorted.size()))];
}

bool Sustained(const StepResult& r, double p99_ms) {
  return r.send_errors == 0 && r.missing == 0 && r.duplicates == 0 && r.acked == r.count &&
         r.achieved_rate >= 0.99 * r.rate && Percentile(r.latency_ms, 0.99) <= p99_ms;
}

std::string MessageUuid(uint32_t run, int64_t index) {
  return fmt::format("{:08x}-0000-4000-8000-{:012x}", run, index);
}

int64_t IndexOfUuid(std::string_view uuid) {
  if (uuid.size() != 36 || uuid.substr(8, 16) != "-0000-4000-8000-") return -1;
  int64_t index = 0;
  for (char c : uuid.substr(24)) {
    int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (digit < 0) return -1;
    index = index * 16 + digit;
  }
  return index;
}

}  // namespace deconflict::bench
