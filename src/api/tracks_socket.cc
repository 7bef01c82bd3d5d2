#include "api/tracks_socket.h"

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include "api/live_routes.h"
#include "api/reply.h"
#include "api/socket_auth.h"
#include "common/json.h"

namespace deconflict::api {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;

constexpr size_t kMaxMessageBytes = size_t{4} << 20;

class TracksSocket : public std::enable_shared_from_this<TracksSocket> {
 public:
  TracksSocket(Upgrade& upgrade, parties::Authenticator& authenticator, live::LivePicture& picture,
               const Clock& clock)
      : ws_(std::move(upgrade.socket)),
        raw_(std::move(upgrade.raw)),
        authenticator_(authenticator),
        picture_(picture),
        clock_(clock) {}

  void Start(const Request& request) {
    const UpgradeCredentials credentials = CredentialsOf(request, raw_);
    absl::StatusOr<parties::Principal> who =
        AuthenticateUpgrade(authenticator_, credentials, Access::kOperator);
    if (!who.ok()) return RejectHttp(ErrorReply(who.status()));
    header_ = credentials.authorization;
    party_ = who->party;
    AnswerHandshakeWith(ws_, credentials.protocol);
    ws_.read_message_max(kMaxMessageBytes);
    ws_.async_accept(raw_, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      self->ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
      self->Read();
    });
  }

 private:
  void RejectHttp(Reply reply) {
    RefuseUpgrade(ws_, raw_.version(), std::move(reply), shared_from_this());
  }

  void Read() {
    buffer_.clear();
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return;  // closed, dropped, or too big (Beast sends 1009)
      self->OnBatch();
    });
  }

  void OnBatch() {
    // A revocation while connected takes effect at the next batch.
    if (absl::StatusOr<parties::Principal> who = authenticator_.Authenticate(header_); !who.ok()) {
      ws_.async_close(websocket::close_reason(websocket::close_code::policy_error, "party revoked"),
                      [self = shared_from_this()](beast::error_code) {});
      return;
    }
    const std::string body = beast::buffers_to_string(buffer_.data());
    absl::StatusOr<boost::json::value> result = IngestTrackBatch(picture_, clock_, party_, body);
    answer_ = result.ok() ? SerializeJson(*result) : ErrorReply(result.status()).body;
    ws_.text(true);
    ws_.async_write(boost::asio::buffer(answer_),
                    [self = shared_from_this()](beast::error_code ec, size_t) {
                      if (!ec) self->Read();
                    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  http::request<http::string_body> raw_;
  parties::Authenticator& authenticator_;
  live::LivePicture& picture_;
  const Clock& clock_;
  std::string header_;
  PartyId party_;
  beast::flat_buffer buffer_;
  std::string answer_;
};

}  // namespace

void ServeTracksSocket(Upgrade upgrade, parties::Authenticator& authenticator,
                       live::LivePicture& picture, const Clock& clock) {
  Request request = upgrade.request;
  auto socket = std::make_shared<TracksSocket>(upgrade, authenticator, picture, clock);
  socket->Start(request);
}

}  // namespace deconflict::api
