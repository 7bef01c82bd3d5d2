#include "api/incident_routes.h"

#include <chrono>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "api/authorized.h"
#include "api/incident_json.h"
#include "api/query_params.h"
#include "common/json.h"
#include "common/status.h"
#include "common/time.h"
#include "fmt/format.h"
#include "monitoring/acled.h"
#include "monitoring/records.h"

namespace deconflict::api {
namespace {

using parties::Principal;

monitoring::Viewer ViewerOf(const Principal& who) {
  return monitoring::Viewer{.party = who.party, .guarantor = who.role == parties::Role::kGuarantor};
}

struct Window {
  Timestamp from, to;
  std::optional<double> lat_min, lat_max, lng_min, lng_max;
};

absl::StatusOr<Timestamp> TimeParam(const Request& req, std::string_view name, Timestamp absent) {
  const std::string* text = QueryParam(req, name);
  if (text == nullptr) return absent;
  absl::StatusOr<Timestamp> t = ParseRfc3339(*text);
  if (!t.ok()) return InvalidField(name, "must be an RFC 3339 time");
  return *t;
}

// ?from=&to=&bbox=, shared by the lists and the statistics.
absl::StatusOr<Window> WindowOf(const Request& req, Timestamp now) {
  Window w;
  ASSIGN_OR_RETURN(w.to, TimeParam(req, "to", now));
  ASSIGN_OR_RETURN(w.from, TimeParam(req, "from", w.to - std::chrono::hours(24 * 30)));
  if (w.from >= w.to) return InvalidField("to", "must be after from");
  if (const std::string* bbox = QueryParam(req, "bbox")) {
    std::vector<std::string> parts = absl::StrSplit(*bbox, ',');
    double v[4];
    bool ok = parts.size() == 4;
    for (size_t i = 0; ok && i < 4; ++i)
      ok = absl::SimpleAtod(parts[i], &v[i]) && std::isfinite(v[i]);
    if (!ok || v[0] > v[2] || v[1] > v[3] || v[1] < -90 || v[3] > 90 || v[0] < -180 || v[2] > 180) {
      return InvalidField("bbox",
                          "must be lng_min,lat_min,lng_max,lat_max in degrees, min <= max (split "
                          "a box across the antimeridian in two)");
    }
    w.lng_min = v[0];
    w.lat_min = v[1];
    w.lng_max = v[2];
    w.lat_max = v[3];
  }
  return w;
}

// ?after= is "<occurred_at RFC 3339>/<id>" (the X-Next-After of the page before).
absl::StatusOr<store::IncidentQuery> QueryOf(const Request& req, Timestamp now, size_t fallback,
                                             size_t most) {
  ASSIGN_OR_RETURN(Window w, WindowOf(req, now));
  ASSIGN_OR_RETURN(size_t limit, LimitParam(req, fallback, most));
  store::IncidentQuery q{.from = w.from,
                         .to = w.to,
                         .lat_min = w.lat_min,
                         .lat_max = w.lat_max,
                         .lng_min = w.lng_min,
                         .lng_max = w.lng_max,
                         .limit = limit};
  if (const std::string* after = QueryParam(req, "after")) {
    const size_t slash = after->find('/');
    absl::StatusOr<Timestamp> t = slash == std::string::npos
                                      ? absl::InvalidArgumentError("")
                                      : ParseRfc3339(after->substr(0, slash));
    if (!t.ok()) return InvalidField("after", "must be the X-Next-After (or next_after) of a page");
    q.after = std::pair{*t, after->substr(slash + 1)};
  }
  return q;
}

std::string NextAfter(const monitoring::IncidentPage& page) {
  if (!page.more || page.incidents.empty()) return "";
  return fmt::format("{}/{}", FormatRfc3339(page.incidents.back().occurred_at),
                     page.incidents.back().id);
}

std::function<void(absl::StatusOr<monitoring::IncidentView>)> ViewReply(Answer answer) {
  return [answer = std::move(answer)](absl::StatusOr<monitoring::IncidentView> view) {
    if (!view.ok()) return answer(view.status());
    answer(JsonReply(view->created ? 201 : 200, IncidentViewJson(*view)));
  };
}

}  // namespace

void AddIncidentRoutes(Router& router, parties::Authenticator& authenticator,
                       monitoring::Incidents& incidents) {
  auto any = [&authenticator](AsyncHandler handler) {
    return Authorized(authenticator, Access::kAnyParty, std::move(handler));
  };
  auto any_sync = [&authenticator](SyncHandler handler) {
    return Authorized(authenticator, Access::kAnyParty, std::move(handler));
  };
  router.Add("PUT", "/v1/incidents/{id}",
             any([&incidents](const Request& req, const Principal& who, Answer answer) {
               const std::string& id = req.path_params.at("id");
               if (absl::Status s = monitoring::CheckIncidentId(id); !s.ok()) return answer(s);
               if (req.body.empty()) {
                 return answer(InvalidField("body", "is empty; send a JSON object"));
               }
               absl::StatusOr<boost::json::value> body = ParseJson(req.body);
               if (!body.ok()) return answer(body.status());
               absl::StatusOr<monitoring::IncidentRequest> request = ReadIncident(id, *body);
               if (!request.ok()) return answer(request.status());
               incidents.Report(
                   who.party, *std::move(request),
                   [answer = std::move(answer)](absl::StatusOr<monitoring::ReportResult> r) {
                     if (!r.ok()) return answer(r.status());
                     answer(JsonReply(r->created ? 201 : 200,
                                      IncidentJson(r->record, monitoring::Status::kReported)));
                   });
             }));
  // Before /v1/incidents/{id}: the router tries routes in the order they were added.
  router.Add("GET", "/v1/incidents/stats",
             any_sync([&incidents](const Request& req, const Principal&) -> ReplyOr {
               ASSIGN_OR_RETURN(Window w, WindowOf(req, incidents.Now()));
               const std::string* group = QueryParam(req, "group_by");
               const std::string group_by = group ? *group : "day";
               ASSIGN_OR_RETURN(monitoring::GroupBy by, monitoring::ParseGroupBy(group_by));
               ASSIGN_OR_RETURN(monitoring::Stats stats,
                                incidents.ComputeStatistics({.from = w.from,
                                                             .to = w.to,
                                                             .group_by = by,
                                                             .lat_min = w.lat_min,
                                                             .lat_max = w.lat_max,
                                                             .lng_min = w.lng_min,
                                                             .lng_max = w.lng_max}));
               return JsonReply(200, StatsJson(stats, group_by));
             }));
  router.Add("GET", "/v1/incidents/{id}",
             any_sync([&incidents](const Request& req, const Principal& who) -> ReplyOr {
               ASSIGN_OR_RETURN(monitoring::IncidentView view,
                                incidents.Get(ViewerOf(who), req.path_params.at("id")));
               return JsonReply(200, IncidentViewJson(view));
             }));
  router.Add(
      "POST", "/v1/incidents/{id}/findings",
      Authorized(
          authenticator, Access::kGuarantor,
          AsyncHandler([&incidents](const Request& req, const Principal& who, Answer answer) {
            absl::StatusOr<monitoring::FindingRequest> request =
                ReadFinding(req.path_params.at("id"), req.body);
            if (!request.ok()) return answer(request.status());
            incidents.AddFinding(who.party, *std::move(request), ViewReply(std::move(answer)));
          })));
  router.Add("POST", "/v1/incidents/{id}/statements",
             any([&incidents](const Request& req, const Principal& who, Answer answer) {
               absl::StatusOr<monitoring::StatementRequest> request =
                   ReadStatement(req.path_params.at("id"), req.body);
               if (!request.ok()) return answer(request.status());
               incidents.AddStatement(who.party, *std::move(request), ViewReply(std::move(answer)));
             }));
  router.Add(
      "POST", "/v1/incidents/import",
      any([&incidents](const Request& req, const Principal& who, Answer answer) {
        absl::StatusOr<int64_t> line = NonNegativeParam(req, "line", 2);
        if (!line.ok()) return answer(line.status());
        if (req.body.empty()) {
          return answer(InvalidField("body", "is empty; send an ACLED CSV, header first"));
        }
        absl::StatusOr<monitoring::AcledBatch> batch =
            monitoring::ParseAcled(req.body, *line, incidents.Now());
        if (!batch.ok()) return answer(batch.status());
        std::vector<monitoring::ImportRow> rows;
        rows.reserve(batch->rows.size());
        for (monitoring::AcledRow& r : batch->rows) {
          rows.push_back({.line = r.line, .request = std::move(r.request)});
        }
        incidents.Import(
            who.party, std::move(rows),
            [answer = std::move(answer),
             errors = std::move(batch->errors)](absl::StatusOr<monitoring::ImportResult> r) {
              if (!r.ok()) return answer(r.status());
              for (const monitoring::AcledRowError& e : errors) {
                r->refused.push_back({.line = e.line, .column = e.column, .message = e.message});
              }
              std::sort(r->refused.begin(), r->refused.end(),
                        [](const auto& a, const auto& b) { return a.line < b.line; });
              answer(JsonReply(200, ImportJson(*r)));
            });
      }));
  router.Add(
      "GET", "/v1/incidents.csv",
      any_sync([&incidents](const Request& req, const Principal& who) -> ReplyOr {
        ASSIGN_OR_RETURN(store::IncidentQuery q, QueryOf(req, incidents.Now(), 10000, 100000));
        ASSIGN_OR_RETURN(monitoring::IncidentPage page, incidents.List(ViewerOf(who), q));
        Reply reply{.status = 200, .content_type = "text/csv; charset=utf-8"};
        reply.body = monitoring::AcledHeaderLine();
        reply.body.reserve(page.incidents.size() * 400);
        for (size_t i = 0; i < page.incidents.size(); ++i) {
          monitoring::AppendAcledCsvRow(monitoring::RequestOf(page.incidents[i]),
                                        monitoring::ExportTags(page.incidents[i], page.statuses[i]),
                                        reply.body);
        }
        if (std::string next = NextAfter(page); !next.empty()) {
          reply.headers.emplace_back("X-Next-After", std::move(next));
        }
        return reply;
      }));
  router.Add("GET", "/v1/incidents.geojson",
             any_sync([&incidents](const Request& req, const Principal& who) -> ReplyOr {
               ASSIGN_OR_RETURN(store::IncidentQuery q, QueryOf(req, incidents.Now(), 1000, 10000));
               ASSIGN_OR_RETURN(monitoring::IncidentPage page, incidents.List(ViewerOf(who), q));
               boost::json::object out = IncidentsGeoJson(page);
               const std::string next = NextAfter(page);
               out["next_after"] =
                   next.empty() ? boost::json::value(nullptr) : boost::json::value(next);
               Reply reply = JsonReply(200, out);
               reply.content_type = "application/geo+json";
               return reply;
             }));
}

}  // namespace deconflict::api
