#include "api/hotline_routes.h"

#include <charconv>

#include "api/authorized.h"
#include "api/hotline_json.h"
#include "api/query_params.h"
#include "common/digest.h"
#include "common/json.h"
#include "common/status.h"
#include "fmt/format.h"
#include "parties/signing_key.h"
#include "store/signing_keys_table.h"

namespace deconflict::api {
namespace {

using parties::Principal;

constexpr size_t kDefaultLimit = 100;
constexpr size_t kMaxLimit = 1000;

ChannelId ChannelOf(const Request& req) { return ChannelId(req.path_params.at("id")); }

template <typename T>
std::function<void(absl::StatusOr<T>)> Replying(Answer answer,
                                                std::function<Reply(const T&)> render) {
  return [answer = std::move(answer), render = std::move(render)](absl::StatusOr<T> result) {
    if (!result.ok()) return answer(result.status());
    answer(render(*result));
  };
}

std::function<void(absl::StatusOr<hotline::ChannelResult>)> ChannelReply(Answer answer,
                                                                         int created_status) {
  return Replying<hotline::ChannelResult>(
      std::move(answer), [created_status](const hotline::ChannelResult& r) {
        return JsonReply(r.created ? created_status : 200, ChannelJson(r.channel));
      });
}

ReplyOr ListMessages(hotline::Hotline& hotline, const Request& req, const Principal& who) {
  ASSIGN_OR_RETURN(int64_t after, NonNegativeParam(req, "after", 0));
  ASSIGN_OR_RETURN(size_t limit, LimitParam(req, kDefaultLimit, kMaxLimit));
  ASSIGN_OR_RETURN(std::vector<hotline::MessageView> views,
                   hotline.Messages(who.party, ChannelOf(req), after, limit));
  boost::json::array messages;
  for (const hotline::MessageView& v : views) messages.push_back(MessageJson(v));
  const int64_t next_after = views.empty() ? after : views.back().message.seq;
  return JsonReply(
      200, boost::json::object{{"messages", std::move(messages)}, {"next_after", next_after}});
}

// PUT /v1/me/keys/{key_id} {"key", "name"?}.
void PutOwnKey(store::Store& store, const Clock& clock, const Request& req, const Principal& who,
               Answer answer) {
  struct Parsed {
    std::string key_id, key, name;
  };
  absl::StatusOr<Parsed> parsed = [&]() -> absl::StatusOr<Parsed> {
    Parsed p;
    ASSIGN_OR_RETURN(p.key_id, parties::ParseKeyId(req.path_params.at("key_id"), "key_id"));
    if (req.body.empty()) return InvalidField("body", "is empty; send {\"key\": <base64>}");
    ASSIGN_OR_RETURN(boost::json::value body, ParseJson(req.body));
    ASSIGN_OR_RETURN(JsonObject o, JsonObject::Of(body, ""));
    ASSIGN_OR_RETURN(std::string key_text, o.String("key"));
    ASSIGN_OR_RETURN(p.key, parties::ParsePublicKey(key_text, "key"));
    if (o.Find("name") != nullptr) {
      ASSIGN_OR_RETURN(p.name, o.String("name"));
    }
    RETURN_IF_ERROR(o.NoOtherFields());
    if (parties::SigningKeyId(p.key) != p.key_id) {
      return InvalidField("key_id", fmt::format("is not the id of this key, which is {}",
                                                parties::SigningKeyId(p.key)));
    }
    return p;
  }();
  if (!parsed.ok()) return answer(parsed.status());
  auto render = [](const store::SigningKeyRecord& k, int status) {
    return JsonReply(status, boost::json::object{{"key_id", k.key_id},
                                                 {"party", k.party},
                                                 {"key", Base64(k.public_key)},
                                                 {"name", k.name},
                                                 {"active", !k.revoked_at.has_value()},
                                                 {"ledger_index", k.ledger_index}});
  };
  parties::SubmitAddSigningKey(
      store, clock, who.party, parsed->key, parsed->name,
      [&store, party = who.party, key_id = parsed->key_id, answer = std::move(answer),
       render](absl::StatusOr<store::SigningKeyRecord> added) {
        if (added.ok()) return answer(render(*added, 201));
        if (added.status().code() != absl::StatusCode::kAlreadyExists) {
          return answer(added.status());
        }
        // Registered before: the same party's key again is answered as it is.
        absl::StatusOr<std::vector<store::SigningKeyRecord>> keys =
            store::ListSigningKeys(store, party.value());
        if (keys.ok()) {
          for (const store::SigningKeyRecord& k : *keys) {
            if (k.key_id == key_id) return answer(render(k, 200));
          }
        }
        answer(FieldError(absl::StatusCode::kAlreadyExists, "key",
                          "this key is registered for another party"));
      });
}

}  // namespace

void AddHotlineRoutes(Router& router, parties::Authenticator& authenticator,
                      hotline::Hotline& hotline, store::Store& store, const Clock& clock) {
  auto any = [&authenticator](AsyncHandler handler) {
    return Authorized(authenticator, Access::kAnyParty, std::move(handler));
  };
  router.Add(
      "POST", "/v1/channels", any([&](const Request& req, const Principal& who, Answer answer) {
        absl::StatusOr<hotline::ChannelRequest> request = ReadChannelRequest(req.body);
        if (!request.ok()) return answer(request.status());
        hotline.CreateChannel(who.party, *std::move(request), ChannelReply(std::move(answer), 201));
      }));
  router.Add("GET", "/v1/channels",
             Authorized(authenticator, Access::kAnyParty,
                        SyncHandler([&](const Request&, const Principal& who) -> ReplyOr {
                          boost::json::array channels;
                          for (const auto& c : hotline.Channels(who.party))
                            channels.push_back(ChannelJson(c));
                          return JsonReply(200, {{"channels", std::move(channels)}});
                        })));
  router.Add("GET", "/v1/channels/{id}",
             Authorized(authenticator, Access::kAnyParty,
                        SyncHandler([&](const Request& req, const Principal& who) -> ReplyOr {
                          ASSIGN_OR_RETURN(store::HotlineChannelRecord c,
                                           hotline.Channel(who.party, ChannelOf(req)));
                          return JsonReply(200, ChannelJson(c));
                        })));
  router.Add("POST", "/v1/channels/{id}/suspend",
             any([&](const Request& req, const Principal& who, Answer answer) {
               if (auto c = hotline.Channel(who.party, ChannelOf(req)); !c.ok())
                 return answer(c.status());
               absl::StatusOr<std::string> reason = ReadSuspendReason(req.body);
               if (!reason.ok()) return answer(reason.status());
               hotline.Suspend(who.party, ChannelOf(req), *std::move(reason),
                               ChannelReply(std::move(answer), 200));
             }));
  router.Add("POST", "/v1/channels/{id}/resume",
             any([&](const Request& req, const Principal& who, Answer answer) {
               hotline.Resume(who.party, ChannelOf(req), ChannelReply(std::move(answer), 200));
             }));
  router.Add("POST", "/v1/channels/{id}/messages",
             any([&](const Request& req, const Principal& who, Answer answer) {
               // 404 / 403 before the body is judged: a non-member learns nothing from it.
               if (auto c = hotline.Channel(who.party, ChannelOf(req)); !c.ok())
                 return answer(c.status());
               absl::StatusOr<hotline::MessageRequest> request =
                   ReadMessageRequest(ChannelOf(req), req.body);
               if (!request.ok()) return answer(request.status());
               hotline.Send(who.party, *std::move(request),
                            Replying<hotline::SendResult>(
                                std::move(answer), [](const hotline::SendResult& r) {
                                  return JsonReply(r.created ? 201 : 200, SentJson(r.message));
                                }));
             }));
  router.Add("GET", "/v1/channels/{id}/messages",
             Authorized(authenticator, Access::kAnyParty,
                        SyncHandler([&](const Request& req, const Principal& who) {
                          return ListMessages(hotline, req, who);
                        })));
  router.Add(
      "POST", "/v1/channels/{id}/messages/{msg}/ack",
      any([&](const Request& req, const Principal& who, Answer answer) {
        absl::StatusOr<std::optional<hotline::AckSignature>> signature = ReadAckSignature(req.body);
        if (!signature.ok()) return answer(signature.status());
        const ChannelId channel = ChannelOf(req);
        hotline.Acknowledge(
            who.party,
            hotline::AckRequest{.channel = channel,
                                .message = req.path_params.at("msg"),
                                .signature = *std::move(signature)},
            Replying<hotline::AckResult>(std::move(answer), [channel](const hotline::AckResult& r) {
              return JsonReply(r.created ? 201 : 200, HotlineAckJson(r, channel));
            }));
      }));
  router.Add("PUT", "/v1/me/keys/{key_id}",
             any([&](const Request& req, const Principal& who, Answer answer) {
               PutOwnKey(store, clock, req, who, std::move(answer));
             }));
}

}  // namespace deconflict::api
