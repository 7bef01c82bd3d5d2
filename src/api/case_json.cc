#include "api/case_json.h"

#include "api/incident_json.h"
#include "common/digest.h"
#include "common/json.h"
#include "common/status.h"
#include "common/time.h"

namespace deconflict::api {
namespace {

namespace json = boost::json;

json::value TimeOrNull(const std::optional<Timestamp>& t) {
  return t ? json::value(FormatRfc3339(*t)) : json::value(nullptr);
}

json::value IndexOrNull(int64_t index) {
  return index >= 0 ? json::value(index) : json::value(nullptr);
}

json::value TextOrNull(const std::string& text) {
  return text.empty() ? json::value(nullptr) : json::value(text);
}

}  // namespace

absl::StatusOr<monitoring::ResponseRequest> ReadCaseResponse(std::string_view id,
                                                             std::string_view body) {
  monitoring::ResponseRequest r{.case_id = std::string(id)};
  if (body.empty()) return InvalidField("text", "is required");
  ASSIGN_OR_RETURN(json::value doc, ParseJson(body));
  ASSIGN_OR_RETURN(JsonObject o, JsonObject::Of(doc, ""));
  ASSIGN_OR_RETURN(r.text, o.String("text"));
  if (o.Find("signature") != nullptr) {
    ASSIGN_OR_RETURN(r.signature, ReadSignature(o));
  }
  RETURN_IF_ERROR(o.NoOtherFields());
  return r;
}

absl::StatusOr<monitoring::CloseRequest> ReadCaseClose(std::string_view id, std::string_view body) {
  monitoring::CloseRequest r{.case_id = std::string(id)};
  if (body.empty()) return InvalidField("finding", "is required");
  ASSIGN_OR_RETURN(json::value doc, ParseJson(body));
  ASSIGN_OR_RETURN(JsonObject o, JsonObject::Of(doc, ""));
  ASSIGN_OR_RETURN(r.finding, o.String("finding"));
  if (o.Find("notes") != nullptr) {
    ASSIGN_OR_RETURN(r.notes, o.String("notes"));
  }
  if (o.Find("signature") == nullptr) {
    return InvalidField("signature",
                        "is required: sign the statement in the case's 'sign.close' with the "
                        "guarantor's registered key");
  }
  ASSIGN_OR_RETURN(r.signature, ReadSignature(o));
  RETURN_IF_ERROR(o.NoOtherFields());
  return r;
}

json::object CaseJson(const store::CaseRecord& c) {
  return json::object{{"id", c.id},
                      {"incident", c.incident},
                      {"incident_version", c.incident_version},
                      {"reporter", c.reporter},
                      {"alleged_party", TextOrNull(c.alleged_party)},
                      {"state", c.closed_at ? "closed" : "open"},
                      {"occurred_at", FormatRfc3339(c.occurred_at)},
                      {"location", json::object{{"lat", c.lat}, {"lng", c.lng}}},
                      {"radius_m", c.radius_m},
                      {"opened_at", FormatRfc3339(c.opened_at)},
                      {"response_due_at", FormatRfc3339(c.response_due_at)},
                      {"closed_at", TimeOrNull(c.closed_at)},
                      {"finding", TextOrNull(c.finding)},
                      {"digest", Hex(c.digest)},
                      {"ledger_index", c.ledger_index}};
}

json::object CaseViewJson(const monitoring::CaseView& view) {
  const store::CaseSnapshot& s = view.snapshot;
  const store::CaseRecord& c = s.record;
  json::object out = CaseJson(c);
  out["incident_digest"] = Hex(c.incident_digest);
  out["incident_ledger_index"] = c.incident_ledger_index;
  out["search"] =
      json::object{{"location", json::object{{"lat", c.lat}, {"lng", c.lng}}},
                   {"radius_m", c.radius_m},
                   {"operations_window", json::object{{"start", FormatRfc3339(c.window_start)},
                                                      {"end", FormatRfc3339(c.window_end)}}}};
  json::array places;
  for (const store::CasePlaceRecord& p : s.places) {
    const bool withheld = view.places_withheld.contains(p.kind + "/" + p.place);
    places.push_back(json::object{{"kind", p.kind},
                                  {"id", p.place},
                                  {"version", p.version},
                                  {"notifier", p.notifier},
                                  {"category", TextOrNull(p.category)},
                                  {"name", TextOrNull(p.name)},
                                  {"ovn", TextOrNull(p.ovn)},
                                  {"notified_at", FormatRfc3339(p.notified_at)},
                                  {"digest", Hex(p.version_digest)},
                                  {"ledger_index", p.version_ledger_index},
                                  {"withheld", withheld}});
  }
  out["places"] = std::move(places);
  json::array recipients;
  for (const store::CaseReceiptRecord& r : s.receipts) {
    json::object item{{"kind", r.kind},
                      {"place", r.place},
                      {"version", r.version},
                      {"party", r.party},
                      {"delivered_at", TimeOrNull(r.delivered_at)},
                      {"delivered_ledger_index", IndexOrNull(r.delivered_ledger_index)},
                      {"acknowledged_at", TimeOrNull(r.acknowledged_at)},
                      {"ack_ledger_index", IndexOrNull(r.ack_ledger_index)},
                      {"signed", !r.signature.empty()}};
    if (!r.signature.empty()) {
      item["key_id"] = r.key_id;
      item["signature"] = Base64(r.signature);
      item["statement"] = r.statement;
    }
    recipients.push_back(std::move(item));
  }
  out["recipients"] = std::move(recipients);
  json::array operations;
  for (const store::CaseOperationRecord& o : s.operations) {
    const bool overlap_only = view.operations_as_overlap.contains(o.operation);
    json::object item{{"id", o.operation},
                      {"party", o.party},
                      {"version", o.version},
                      {"state", o.state},
                      {"ledger_index", o.ledger_index},
                      {"overlap", json::object{{"lat_min", o.lat_min},
                                               {"lng_min", o.lng_min},
                                               {"lat_max", o.lat_max},
                                               {"lng_max", o.lng_max},
                                               {"altitude_lower_m", o.altitude_lower_m},
                                               {"altitude_upper_m", o.altitude_upper_m},
                                               {"time_start", FormatRfc3339(o.time_start)},
                                               {"time_end", FormatRfc3339(o.time_end)}}},
                      {"overlap_only", overlap_only}};
    if (!overlap_only) {
      item["ovn"] = o.ovn;
      absl::StatusOr<json::value> extents = ParseJson(o.extents);
      item["extents"] = extents.ok() ? *extents : json::value(nullptr);
    }
    operations.push_back(std::move(item));
  }
  out["operations"] = std::move(operations);
  json::array tracks;
  for (size_t i = 0; i < s.track_points.size();) {
    const store::TrackPointRecord& first = s.track_points[i];
    json::array points;
    size_t j = i;
    for (; j < s.track_points.size() && s.track_points[j].party == first.party &&
           s.track_points[j].track == first.track;
         ++j) {
      const store::TrackPointRecord& p = s.track_points[j];
      points.push_back(json::object{{"time", FormatRfc3339(p.time)},
                                    {"lat", p.lat_deg},
                                    {"lng", p.lng_deg},
                                    {"alt_m", p.alt_m},
                                    {"gs_mps", p.gs_mps},
                                    {"trk_deg", p.trk_deg},
                                    {"vs_mps", p.vs_mps}});
    }
    tracks.push_back(json::object{
        {"party", first.party}, {"track", first.track}, {"points", std::move(points)}});
    i = j;
  }
  out["tracks"] = std::move(tracks);
  json::array respondents;
  for (const store::CaseRespondentRecord& r : s.respondents) {
    respondents.push_back(
        json::object{{"party", r.party},
                     {"reasons", r.reasons},
                     {"due_at", FormatRfc3339(r.due_at)},
                     {"responded_at", TimeOrNull(r.responded_at)},
                     {"overdue_at", TimeOrNull(r.overdue_at)},
                     {"overdue_ledger_index", IndexOrNull(r.overdue_ledger_index)},
                     {"escalated_to", TextOrNull(r.escalated_to)}});
  }
  out["respondents"] = std::move(respondents);
  json::array responses;
  for (const store::CaseResponseRecord& r : view.responses) {
    json::object item{{"seq", r.seq},
                      {"party", r.party},
                      {"text", r.text},
                      {"at", FormatRfc3339(r.at)},
                      {"digest", Hex(r.digest)},
                      {"signed", !r.signature.empty()},
                      {"ledger_index", r.ledger_index}};
    if (!r.signature.empty()) {
      item["key_id"] = r.key_id;
      item["signature"] = Base64(r.signature);
    }
    responses.push_back(std::move(item));
  }
  out["responses"] = std::move(responses);
  if (c.closed_at) {
    out["close"] = json::object{{"by", c.closed_by},
                                {"at", FormatRfc3339(*c.closed_at)},
                                {"finding", c.finding},
                                {"notes", c.notes},
                                {"key_id", c.close_key_id},
                                {"signature", Base64(c.close_signature)},
                                {"digest", Hex(c.close_digest)},
                                {"ledger_index", c.close_ledger_index}};
  } else {
    out["close"] = nullptr;
  }
  json::array withheld_places, withheld_operations;
  for (const std::string& p : view.places_withheld) withheld_places.emplace_back(p);
  for (const std::string& o : view.operations_as_overlap) withheld_operations.emplace_back(o);
  out["withheld"] = json::object{{"places", std::move(withheld_places)},
                                 {"operations", std::move(withheld_operations)}};
  // What a signer needs (docs/cases_format.md computes the object digests from case_digest).
  out["sign"] =
      json::object{{"response", json::object{{"kind", "case.response"}, {"object_id", c.id}}},
                   {"close", json::object{{"kind", "case.close"}, {"object_id", c.id}}},
                   {"case_digest", Hex(c.digest)}};
  return out;
}

}  // namespace deconflict::api
