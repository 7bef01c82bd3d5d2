#include "api/events_socket.h"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <deque>
#include <optional>

#include "api/event_routes.h"
#include "api/socket_auth.h"
#include "common/json.h"
#include "common/mutex.h"
#include "fmt/format.h"
#include "spdlog/spdlog.h"

namespace deconflict::api {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;

// A close reason fits in a control frame: at most 123 bytes.
std::string Truncated(std::string reason) {
  if (reason.size() > 123) reason.resize(123);
  return reason;
}

class EventsSocket : public events::Subscriber, public std::enable_shared_from_this<EventsSocket> {
 public:
  EventsSocket(Upgrade& upgrade, Authenticator& authenticator, events::Hub& hub,
               EventsSocketOptions options, int64_t after)
      : ws_(std::move(upgrade.socket)),
        raw_(std::move(upgrade.raw)),
        auth_timer_(ws_.get_executor()),
        authenticator_(authenticator),
        hub_(hub),
        options_(options),
        after_(after),
        last_written_(after) {}

  void Start(const Request& request, const absl::Status& after_status) {
    if (options_.send_buffer_bytes > 0) {
      beast::error_code ignored;  // a refused size only makes slow readers noticed later
      beast::get_lowest_layer(ws_).socket().set_option(
          net::socket_base::send_buffer_size(options_.send_buffer_bytes), ignored);
    }
    if (!after_status.ok()) return RejectHttp(ErrorReply(after_status));
    const UpgradeCredentials credentials = CredentialsOf(request, raw_);
    if (credentials.authorization.empty()) return Accept("", /*authenticated=*/false);  // 3.
    absl::StatusOr<Principal> who =
        AuthenticateUpgrade(authenticator_, credentials, Access::kAnyParty);
    if (!who.ok()) return RejectHttp(ErrorReply(who.status()));
    party_ = who->party.value();
    Accept(credentials.protocol, /*authenticated=*/true);
  }

  // events::Subscriber, called on the hub's thread.
  size_t Room() const override {
    WriterLock lock(mu_);
    return closing_ ? 0 : options_.max_queue - std::min(options_.max_queue, queue_.size());
  }

  bool Deliver(const events::Event& event) override {
    // The hub offers one event to all its party's sockets in a row, on its one thread: serialize
    // it once for all of them.
    thread_local std::pair<std::string, int64_t> last_key{"", -1};
    thread_local std::string last_text;
    if (last_key.second != event.seq || last_key.first != event.recipient.value()) {
      last_text = SerializeJson(EventToJson(event));  // shortest doubles, as every reply
      last_key = {event.recipient.value(), event.seq};
    }
    std::string text = last_text;
    std::optional<events::Event> receipted;
    if (options_.on_delivered && IsDeliveryReceipted(event)) receipted = event;
    WriterLock lock(mu_);
    if (closing_) return true;  // going away; the hub forgets it at Unsubscribe
    if (queue_.size() >= options_.max_queue) return false;
    queue_.push_back(Queued{event.seq, std::move(text), std::move(receipted)});
    KickLocked();
    return true;
  }

  void Close(events::CloseReason reason, int64_t /*last_seq*/) override {
    WriterLock lock(mu_);
    if (closing_) return;
    closing_ = true;
    close_reason_ = reason;
    // What is queued is dropped (the client resumes from what it received); a message being
    // written stays until its write completes, then the close frame follows it.
    while (queue_.size() > (writing_ ? 1u : 0u)) queue_.pop_back();
    KickLocked();
  }

 private:
  struct Queued {
    int64_t seq;
    std::string text;
    std::optional<events::Event> receipted;  // told to on_delivered once written
  };

  void RejectHttp(Reply reply) {
    RefuseUpgrade(ws_, raw_.version(), std::move(reply), shared_from_this());
  }

  void Accept(std::string protocol, bool authenticated) {
    AnswerHandshakeWith(ws_, protocol);
    beast::get_lowest_layer(ws_).expires_after(options_.auth_timeout);
    ws_.async_accept(raw_, [self = shared_from_this(), authenticated](beast::error_code ec) {
      beast::get_lowest_layer(self->ws_).expires_never();
      if (ec) return;  // the client went away during the handshake
      self->ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
      if (authenticated) return self->Subscribe();
      self->auth_timer_.expires_after(self->options_.auth_timeout);
      self->auth_timer_.async_wait([self](beast::error_code ec) {
        if (!ec && self->party_.empty())
          self->Refuse("unauthorized: no {\"token\": ...} message in time");
      });
      self->ws_.async_read(self->buffer_,
                           [self](beast::error_code ec, size_t) { self->OnTokenMessage(ec); });
    });
  }

  void OnTokenMessage(beast::error_code ec) {
    auth_timer_.cancel();
    if (ec) return;
    absl::StatusOr<Principal> who = AuthenticateTokenMessage(
        authenticator_, beast::buffers_to_string(buffer_.data()), Access::kAnyParty);
    buffer_.clear();
    if (!who.ok()) return Refuse("unauthorized: " + std::string(who.status().message()));
    party_ = who->party.value();
    Subscribe();
  }

  void Refuse(std::string reason) {
    {
      WriterLock lock(mu_);
      closing_ = true;
      writing_ = true;  // nothing else is written
    }
    ws_.async_close(
        websocket::close_reason(websocket::close_code::policy_error, Truncated(std::move(reason))),
        [self = shared_from_this()](beast::error_code) {});
  }

  void Subscribe() {
    subscription_ = hub_.Subscribe(PartyId(party_), after_, shared_from_this());
    ReadLoop();
  }

  // Reads (and ignores) what the client sends, to answer pings and notice a close or a drop.
  void ReadLoop() {
    buffer_.clear();
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->Finish();
      self->ReadLoop();
    });
  }

  // REQUIRES: mu_ held. Starts the writer on the strand unless it runs.
  void KickLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (writing_) return;
    writing_ = true;
    net::post(ws_.get_executor(), [self = shared_from_this()] { self->WriteNext(); });
  }

  // On the strand, with writing_ set: writes the queue's front, or the close frame when closing
  // and the queue is empty.
  void WriteNext() {
    const std::string* text = nullptr;
    {
      WriterLock lock(mu_);
      if (queue_.empty()) {
        if (!closing_) {
          writing_ = false;
          return;
        }
      } else {
        text = &queue_.front().text;  // deque: stays valid while other elements come and go
      }
    }
    if (text == nullptr) return WriteClose();
    ws_.text(true);
    ws_.async_write(net::buffer(*text), [self = shared_from_this()](beast::error_code ec, size_t) {
      std::optional<events::Event> receipted;
      {
        WriterLock lock(self->mu_);
        self->last_written_ = self->queue_.front().seq;
        receipted = std::move(self->queue_.front().receipted);
        self->queue_.pop_front();
      }
      if (ec) return self->Finish();
      if (receipted) self->options_.on_delivered(*receipted);
      self->WriteNext();
    });
  }

  void WriteClose() {
    events::CloseReason why;
    int64_t last_written;
    {
      WriterLock lock(mu_);  // set on the hub's thread by Close
      why = close_reason_;
      last_written = last_written_;
    }
    websocket::close_reason reason;
    switch (why) {
      case events::CloseReason::kSlow:
        reason = websocket::close_reason(
            websocket::close_code::try_again_later,
            fmt::format("slow consumer: resume with after={}", last_written));
        break;
      case events::CloseReason::kRevoked:
        reason = websocket::close_reason(websocket::close_code::policy_error, "party revoked");
        break;
      case events::CloseReason::kStopping:
        reason = websocket::close_reason(websocket::close_code::going_away, "server stopping");
        break;
    }
    ws_.async_close(reason, [self = shared_from_this()](beast::error_code) { self->Finish(); });
  }

  void Finish() {
    if (std::exchange(finished_, true)) return;
    if (subscription_ != 0) hub_.Unsubscribe(subscription_);
  }

  websocket::stream<beast::tcp_stream> ws_;
  http::request<http::string_body> raw_;
  net::steady_timer auth_timer_;
  beast::flat_buffer buffer_;
  Authenticator& authenticator_;
  events::Hub& hub_;
  const EventsSocketOptions options_;
  const int64_t after_;

  // Strand only.
  std::string party_;
  uint64_t subscription_ = 0;
  bool finished_ = false;

  mutable Mutex mu_;  // the queue, shared with the hub's thread
  std::deque<Queued> queue_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;  // a WriteNext chain runs on the strand
  bool closing_ ABSL_GUARDED_BY(mu_) = false;
  events::CloseReason close_reason_ ABSL_GUARDED_BY(mu_) = events::CloseReason::kStopping;
  // The last seq handed to TCP (the client has all up to it).
  int64_t last_written_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace

void ServeEventsSocket(Upgrade upgrade, Authenticator& authenticator, events::Hub& hub,
                       EventsSocketOptions options) {
  absl::StatusOr<int64_t> after = ParseAfter(upgrade.request);
  auto socket =
      std::make_shared<EventsSocket>(upgrade, authenticator, hub, options, after.value_or(0));
  socket->Start(upgrade.request, after.status());
}

}  // namespace deconflict::api
